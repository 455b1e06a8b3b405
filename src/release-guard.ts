import type { ReleasedVersion } from './asc/app-store-versions.js'
import type { AscClient } from './asc/client.js'
import type { Collected } from './collect.js'
import type { Config } from './config/parse.js'
import { getPhasedRelease, pausePhasedRelease, type PhasedRelease } from './asc/phased-release.js'
import type { PhasedReleaseMode } from './model.js'
import { PHASED_RELEASE } from './constants.js'
import { DataError, messageOf, ServiceError } from './errors.js'
import { oneLine } from './text.js'

export type GuardAction = 'pause' | 'would-pause' | 'none'

export interface GuardDecision {
  action: GuardAction
  /** Why, as the end of a sentence ("the verdict passed"). */
  reason: string
}

/**
 * What the release guard does with a rollout, a pure function. It pauses only a rollout that
 * is ACTIVE, only when the run fails on its verdict (`failure` is the line the step fails
 * with: breaches, regressions, metrics or `no-data: fail`, whatever makes the job fail), and
 * only in `pause-on-failure` mode; `report` mode says it would have. It never resumes.
 */
export function decidePhasedRelease(input: {
  release?: PhasedRelease
  failure?: string
  mode: PhasedReleaseMode
}): GuardDecision {
  const { release, failure, mode } = input
  if (!release) return { action: 'none', reason: 'the version has no phased release' }
  if (!failure) return { action: 'none', reason: 'the verdict does not fail the run' }
  if (release.state !== 'ACTIVE') {
    return { action: 'none', reason: `the rollout is ${STATE_WORDS[release.state]}` }
  }
  if (mode === 'report') {
    return { action: 'would-pause', reason: "'phased-release' is 'report'" }
  }
  return { action: 'pause', reason: 'the verdict failed and the rollout is active' }
}

const STATE_WORDS: Record<PhasedRelease['state'], string> = {
  INACTIVE: 'not started (INACTIVE), and only an active rollout is paused',
  ACTIVE: 'active',
  PAUSED: 'already paused (PAUSED); the guard never resumes one',
  COMPLETE: 'complete (COMPLETE): every user on automatic updates has it',
  UNKNOWN: 'in a state the guard does not know, and only an active rollout is paused'
}

/** What the guard found and did, for the report, the outputs and the JSON report. */
export interface GuardOutcome {
  /** The App Store version guarded, e.g. "2.5.0". */
  version: string
  versionId: string
  /** The rollout after this run; undefined when the version has none. */
  release?: PhasedRelease
  decision: GuardDecision
  /** True only when this run paused it. */
  paused: boolean
  /** Why the pause failed (a 403 names the role); the verdict stands either way. */
  error?: string
}

/**
 * The "act" step: decides on the version's rollout and, in pause-on-failure mode, pauses it.
 * The rollout is read again just before the PATCH, so the decision is made on its state now,
 * not as it was when the run began. Never throws for App Store Connect problems: they become
 * `error`, and the verdict and the report stay as they are.
 */
async function guardRelease(
  client: AscClient,
  version: ReleasedVersion,
  failure: string | undefined,
  mode: PhasedReleaseMode,
  log: (line: string) => void
): Promise<GuardOutcome> {
  // From App Store Connect: one safe line before it reaches a log line, an annotation or the report.
  const versionString = oneLine(version.versionString, 64)
  const outcome = (
    release: PhasedRelease | undefined,
    decision: GuardDecision,
    extra: Partial<GuardOutcome> = {}
  ): GuardOutcome => ({
    version: versionString,
    versionId: version.id,
    ...(release ? { release } : {}),
    decision,
    paused: false,
    ...extra
  })
  const first = decidePhasedRelease({ release: version.phasedRelease, failure, mode })
  const name = `the phased release of ${versionString}`
  if (first.action === 'would-pause') {
    log(
      `Would pause ${name} (${describeRollout(version.phasedRelease!)}): the verdict failed, and ${first.reason}; 'pause-on-failure' would have paused it.`
    )
  }
  if (first.action !== 'pause') return outcome(version.phasedRelease, first)
  let current = version.phasedRelease
  try {
    current = await getPhasedRelease(client, version.id)
    const now = decidePhasedRelease({ release: current, failure, mode })
    if (now.action !== 'pause') {
      log(`Not pausing ${name}: ${now.reason}.`)
      return outcome(current, now)
    }
    const paused = await pausePhasedRelease(client, current!, version.id)
    log(`Paused ${name}${current?.day ? ` at ${rolloutDay(current)}` : ''}: the verdict failed.`)
    return outcome(paused, now, { paused: paused.state === 'PAUSED' })
  } catch (error) {
    if (!(error instanceof ServiceError || error instanceof DataError)) throw error
    return outcome(current, first, { error: `Could not pause ${name}: ${messageOf(error)}` })
  }
}

/**
 * The "act" step: with `version: live`, the guard looks at the live version's phased release
 * and, in pause-on-failure mode, pauses it when the run fails. Undefined for any other build.
 */
export async function act(
  client: AscClient,
  config: Config,
  data: Collected,
  failure: string | undefined,
  log: (line: string) => void,
  /** How the front door shows a phase (a log group in the action). */
  phase: <T>(title: string, work: () => Promise<T>) => Promise<T>
): Promise<GuardOutcome | undefined> {
  const version = data.current.build.appStoreVersion
  if (version?.status !== 'live') return undefined
  return phase('Phased release', () =>
    guardRelease(client, version, failure, config.phasedRelease, log)
  )
}

/** The failure line starts with the pause, the one thing this run changed. */
export function withPause(
  failure: string | undefined,
  release: GuardOutcome | undefined
): string | undefined {
  if (!failure || !release?.paused || !release.release) return failure
  const day = rolloutDay(release.release)
  return `Paused the phased release of ${release.version}${day ? ` at ${day}` : ''}. ${failure}`
}

/** "day 3 of 7 (5% of users), active"; the words the report and the log use. */
export function describeRollout(release: PhasedRelease): string {
  if (release.state === 'COMPLETE') return 'complete (100% of users)'
  if (release.state === 'INACTIVE') return 'not started yet (inactive)'
  const day = rolloutDay(release)
  const state = release.state.toLowerCase()
  return day ? `${day}, ${state}` : state
}

/** "day 3 of 7 (5% of users)", or undefined before the rollout has a day. */
export function rolloutDay(release: PhasedRelease): string | undefined {
  if (release.day === undefined) return undefined
  const day = Math.min(release.day, PHASED_RELEASE.days)
  const share = PHASED_RELEASE.userPercentByDay[day - 1]
  return `day ${release.day} of ${PHASED_RELEASE.days} (${share}% of users)`
}
