import type { ReleasedVersion } from '../asc/app-store-versions.js'
import type { AscClient } from '../asc/client.js'
import { getPhasedRelease, pausePhasedRelease, type PhasedRelease } from '../asc/phased-release.js'
import type { Collected } from '../collect.js'
import type { Config } from '../config/parse.js'
import type { Deadline } from '../deadline.js'
import type { Finding } from '../decision/findings.js'
import type { Verdict } from '../decision/verdict.js'
import { DataError, messageOf, ServiceError } from '../errors.js'
import type { PhasedReleaseMode } from '../model.js'
import { oneLine, plural } from '../text.js'
import { consequenceText, subjectName } from '../wording.js'
import {
  because,
  decideRollout,
  describeRollout,
  rolloutDay,
  type GuardDecision,
  type GuardOutcome
} from './decide.js'

/**
 * The "act" step: decides on the version's rollout and, in pause-on-failure mode, pauses it.
 * The rollout is read again just before the PATCH, so the decision is made on its state now,
 * not as it was when the run began. Never throws for App Store Connect problems: they become
 * `error`, and the verdict and the report stay as they are.
 */
async function guardRelease(
  client: AscClient,
  deadline: Deadline,
  version: ReleasedVersion,
  findings: readonly Finding[],
  mode: PhasedReleaseMode,
  log: (line: string) => void
): Promise<GuardOutcome> {
  // From App Store Connect: one safe line before it reaches a log line, an annotation or the report.
  const versionString = oneLine(version.versionString, 64)
  const outcome = (
    release: PhasedRelease | undefined,
    decision: GuardDecision,
    decidedOn: PhasedRelease | undefined,
    extra: Partial<GuardOutcome> = {}
  ): GuardOutcome => ({
    version: versionString,
    versionId: version.id,
    ...(release ? { release } : {}),
    ...(decidedOn ? { decidedOn } : {}),
    decision,
    paused: false,
    ...extra
  })
  const first = decideRollout({ release: version.phasedRelease, findings, mode })
  const name = `the phased release of ${versionString}`
  if (mode !== 'off') logWhy(first, findings, name, version.phasedRelease, log)
  if (first.action !== 'pause') return outcome(version.phasedRelease, first, version.phasedRelease)
  let current = version.phasedRelease
  let step: 're-read' | 'pause' = 're-read'
  try {
    current = await getPhasedRelease(client, version.id)
    const now = decideRollout({ release: current, findings, mode })
    if (now.action !== 'pause') {
      log(`Not pausing ${name}: ${now.reason}.`)
      return outcome(current, now, current)
    }
    step = 'pause'
    const paused = await pausePhasedRelease(client, current!, version.id)
    if (paused.state !== 'PAUSED') {
      return outcome(paused, now, current, {
        error: `App Store Connect accepted the pause of ${name}, but the rollout is still ${paused.state}.`
      })
    }
    log(`Paused ${name}${current?.day ? ` at ${rolloutDay(current)}` : ''}: ${because(now)}.`)
    return outcome(paused, now, current, { paused: true })
  } catch (error) {
    // The client's requests share the run's deadline, and past it they end as "cancelled".
    if (deadline.signal.aborted) {
      const what =
        step === 'pause'
          ? `the pause within ${deadline.bound}, which bounds the pause too; check the rollout in App Store Connect, where the pause may still have landed, or raise 'timeout-minutes'`
          : `the rollout's re-read within ${deadline.bound}, which bounds the pause too, so nothing was paused; rerun later, or raise 'timeout-minutes'`
      return outcome(current, first, version.phasedRelease, {
        error: `Could not pause ${name}: App Store Connect did not answer ${what}.`
      })
    }
    if (!(error instanceof ServiceError || error instanceof DataError)) throw error
    return outcome(current, first, version.phasedRelease, {
      error: `Could not pause ${name}: ${messageOf(error)}`
    })
  }
}

/**
 * The log's account of the decision: what would pause, and why each other finding does not.
 * After the rollout one line says so, whatever the findings.
 */
function logWhy(
  decision: GuardDecision,
  findings: readonly Finding[],
  name: string,
  release: PhasedRelease | undefined,
  log: (line: string) => void
): void {
  if (!release || release.state === 'COMPLETE') {
    const failing = findings.filter(f => f.failsJob).length
    const rest = failing
      ? `; ${plural(failing, 'finding')} still ${failing === 1 ? 'fails' : 'fail'} the job ('fail-after-rollout' is true)`
      : findings.length
        ? '; the findings are reported, not failed'
        : ''
    log(
      `Not pausing: ${release ? 'the rollout is complete' : 'the version has no phased release'}${rest}.`
    )
    return
  }
  if (decision.action === 'would-pause') {
    log(
      `Would pause ${name} (${describeRollout(release)}) ${because(decision)}; 'phased-release' is 'report', and 'pause-on-failure' would have paused it.`
    )
  }
  for (const f of findings.filter(f => !f.pauses && !f.wouldPause)) {
    log(`Not pausing on ${subjectName(f)}: ${consequenceText(f)}.`)
  }
}

/**
 * The "act" step: with `version: live`, the guard looks at the live version's phased release
 * and, in pause-on-failure mode, pauses it on the findings that say they pause. Undefined for any
 * other build.
 */
export async function act(
  client: AscClient,
  /** The run's `timeout-minutes`, shared with the collect phase: it bounds the pause too. */
  deadline: Deadline,
  config: Config,
  data: Collected,
  verdict: Verdict,
  log: (line: string) => void,
  /** How the front door shows a phase (a log group in the action). */
  phase: <T>(title: string, work: () => Promise<T>) => Promise<T>
): Promise<GuardOutcome | undefined> {
  const version = data.current.build.appStoreVersion
  if (version?.status !== 'live') return undefined
  return phase('Phased release', () =>
    deadline.within(() =>
      guardRelease(client, deadline, version, verdict.findings, config.phasedRelease, log)
    )
  )
}
