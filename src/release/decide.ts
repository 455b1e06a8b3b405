import type { PhasedRelease } from '../asc/phased-release.js'
import { PHASED_RELEASE } from '../constants.js'
import type { Finding } from '../decision/findings.js'
import type { PhasedReleaseMode } from '../model.js'
import { subjectName } from '../wording.js'

// The release guard's decision, pure: what report/ may import. The PATCH is ./act.ts.

export type GuardAction = 'pause' | 'would-pause' | 'none'

export interface GuardDecision {
  action: GuardAction
  /** Why, as the end of a sentence ("the rollout is complete (COMPLETE)"). */
  reason: string
  /** The findings the pause rests on (or would, in `report` mode). */
  because: readonly Finding[]
}

/** What the guard found and did, for the report, the outputs and the JSON report. */
export interface GuardOutcome {
  /** The App Store version guarded, e.g. "2.5.0". */
  version: string
  versionId: string
  /** The rollout after this run; undefined when the version has none. */
  release?: PhasedRelease
  /** The rollout as read when the decision was made (re-read just before a pause). */
  decidedOn?: PhasedRelease
  decision: GuardDecision
  /** True only when this run paused it. */
  paused: boolean
  /** Why the pause failed (a 403 names the role); the verdict stands either way. */
  error?: string
  /**
   * A replay under another policy: `decision` is what the guard would do with the rollout as
   * the run first read it, and nothing was done.
   */
  hypothetical?: boolean
}

/**
 * What the guard does with a rollout: it pauses only an ACTIVE one, only on findings whose
 * consequences say they pause (see decision/findings.ts), and only in `pause-on-failure` mode;
 * `report` mode says it would have. It never resumes. `release` is the rollout as read now.
 */
export function decideRollout(input: {
  release?: PhasedRelease
  findings: readonly Finding[]
  mode: PhasedReleaseMode
}): GuardDecision {
  const { release, findings, mode } = input
  const none = (reason: string): GuardDecision => ({ action: 'none', reason, because: [] })
  if (mode === 'off') return none("'phased-release' is off")
  if (!release) return none('the version has no phased release')
  if (release.state !== 'ACTIVE') return none(`the rollout is ${STATE_WORDS[release.state]}`)
  if (mode === 'report') {
    const would = findings.filter(f => f.wouldPause)
    return would.length
      ? { action: 'would-pause', reason: "'phased-release' is 'report'", because: would }
      : none(noPauseReason(findings))
  }
  const pausing = findings.filter(f => f.pauses)
  return pausing.length
    ? { action: 'pause', reason: 'the rollout is active', because: pausing }
    : none(noPauseReason(findings))
}

function noPauseReason(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'nothing was found'
  return 'no finding pauses it (each says why)'
}

const STATE_WORDS: Record<PhasedRelease['state'], string> = {
  INACTIVE: 'not started (INACTIVE), and only an active rollout is paused',
  ACTIVE: 'active',
  PAUSED: 'already paused (PAUSED); the guard never resumes one',
  COMPLETE: 'complete (COMPLETE): every user on automatic updates has it',
  UNKNOWN: 'in a state the guard does not know, and only an active rollout is paused'
}

/** "on Hang rate (hangRate), Launch time (launchTime)": the evidence a pause rests on. */
export function because(decision: GuardDecision): string {
  return `on ${evidenceOf(decision).join(', ')}`
}

/** The subjects a pause rests on, each once (a metric can have the rule's and Apple's finding). */
export function evidenceOf(decision: GuardDecision): string[] {
  return [...new Set(decision.because.map(subjectName))]
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

/** The failure line starts with the pause, the one thing this run changed. */
export function withPause(
  failure: string | undefined,
  release: GuardOutcome | undefined
): string | undefined {
  if (!failure || !release?.paused || !release.release) return failure
  const day = rolloutDay(release.release)
  return `Paused the phased release of ${release.version}${day ? ` at ${day}` : ''} ${because(release.decision)}. ${failure}`
}
