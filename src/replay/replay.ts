import { parseSettings, type Settings } from '../config/parse.js'
import type { Finding } from '../decision/findings.js'
import { judge } from '../decision/verdict.js'
import type { Judged, Outcome } from '../outcome.js'
import type { RecordedRun } from '../record/read.js'
import { decideRollout, withPause, type GuardOutcome } from '../release/decide.js'
import { oneLine } from '../text.js'
import { subjectName } from '../wording.js'
import { dataRefusal, overrideRefusal } from './refusals.js'

// `replay`, pure: a decision record and a policy in, the outcome the run had (or would have
// had under that policy) out. No request, no key: everything comes from the record.

/** The report files a replay writes only when asked to, never where the run wrote its own. */
const FILE_INPUTS = ['report-path', 'sarif-path', 'junit-path']

/** One finding before and after the policy changed; absent on the side where it is none. */
export interface FindingChange {
  name: string
  kind: Finding['kind']
  before?: Pick<Finding, 'failsJob' | 'wouldPause'>
  after?: Pick<Finding, 'failsJob' | 'wouldPause'>
}

/** What the guard did (or, under the new policy, would do) with the rollout. */
export type GuardStep = 'paused' | 'would-pause' | 'not-paused' | 'could-not-pause'

export interface Comparison {
  /** The inputs changed: name, the record's value, the replay's. */
  changed: { input: string; before: string; after: string }[]
  findings: FindingChange[]
  guard?: { before: GuardStep; after: GuardStep }
  result: { before: Judged['verdict']['result']; after: Judged['verdict']['result'] }
  failsJob: { before: boolean; after: boolean }
}

export type Replayed =
  | { refused: string }
  | {
      outcome: Outcome
      /** The run as recorded, re-derived: what the comparison starts from. */
      original: Outcome
      /** Only under another policy. */
      comparison?: Comparison
    }

/**
 * Re-derives the run of `run` under its own settings with `overrides` (input name → value) on
 * top. Throws an InputError when an override is not a valid value.
 */
export function replay(run: RecordedRun, overrides: ReadonlyMap<string, string>): Replayed {
  const refused = overrideRefusal(run, overrides)
  if (refused) return { refused }
  const original = derive(run, new Map(), false)
  if (overrides.size === 0) return { outcome: original, original }
  const outcome = derive(run, overrides, true)
  if (original.kind !== 'judged' || outcome.kind !== 'judged') return { outcome, original }
  const short = dataRefusal(run, original.config, outcome.config)
  if (short) return { refused: short }
  return { outcome, original, comparison: compare(run, overrides, original, outcome) }
}

function derive(
  run: RecordedRun,
  overrides: ReadonlyMap<string, string>,
  hypothetical: boolean
): Outcome {
  const state = {
    started: performance.now(),
    recorded: { generatedAt: run.generatedAt, totalMs: run.totalMs },
    usage: { ...(run.rateLimit ? { rateLimit: run.rateLimit } : {}), requests: run.requests }
  }
  const { ending } = run
  if (ending.kind === 'skipped') return { ...state, kind: 'skipped', reason: ending.reason }
  if (ending.kind === 'failed') {
    return { ...state, kind: 'failed', error: ending.error, cause: ending.cause }
  }
  const parsed = parseSettings(name =>
    overrides.has(name)
      ? (overrides.get(name) ?? '')
      : FILE_INPUTS.includes(name)
        ? ''
        : (ending.inputs[name] ?? '')
  )
  // The run's own report paths stay in its inputs, but a replay writes only where it is told.
  const kept = FILE_INPUTS.filter(name => !overrides.has(name) && ending.inputs[name] !== undefined)
  const config: Settings = {
    ...parsed,
    inputs: { ...parsed.inputs, ...Object.fromEntries(kept.map(n => [n, ending.inputs[n]])) }
  }
  const { data } = ending
  const { verdict, failure } = judge(config, data)
  const release = guardOf(run, config, verdict.findings, hypothetical)
  return {
    ...state,
    kind: 'judged',
    config,
    data,
    verdict,
    failure: withPause(failure, release),
    ...(release ? { release } : {}),
    ...(ending.sources ? { sources: ending.sources } : {}),
    ...(ending.runUrl ? { runUrl: ending.runUrl } : {}),
    pullRequest: ending.pullRequest
  }
}

/**
 * The guard's outcome: as recorded, with its decision derived again from the rollout it was
 * made on; or, under another policy, what the guard would decide on the rollout as first read.
 */
function guardOf(
  run: RecordedRun,
  config: Settings,
  findings: readonly Finding[],
  hypothetical: boolean
): GuardOutcome | undefined {
  if (run.ending.kind !== 'judged') return undefined
  const version = run.ending.data.current.build.appStoreVersion
  if (version?.status !== 'live') return undefined
  const mode = config.phasedRelease
  const recorded = run.ending.guard
  if (recorded && !hypothetical) {
    return { ...recorded, decision: decideRollout({ release: recorded.decidedOn, findings, mode }) }
  }
  const rollout = version.phasedRelease
  return {
    version: recorded?.version ?? oneLine(version.versionString, 64),
    versionId: version.id,
    ...(rollout ? { release: rollout, decidedOn: rollout } : {}),
    decision: decideRollout({ release: rollout, findings, mode }),
    paused: false,
    hypothetical: true
  }
}

function compare(
  run: RecordedRun,
  overrides: ReadonlyMap<string, string>,
  before: Judged,
  after: Judged
): Comparison {
  const inputs = run.ending.kind === 'judged' ? run.ending.inputs : {}
  const key = (f: Finding) => `${f.kind} ${subjectKey(f)}`
  const afterByKey = new Map(after.verdict.findings.map(f => [key(f), f]))
  const beforeKeys = new Set(before.verdict.findings.map(key))
  const consequence = (f: Finding) => ({ failsJob: f.failsJob, wouldPause: f.wouldPause })
  const findings: FindingChange[] = [
    ...before.verdict.findings.map(f => {
      const now = afterByKey.get(key(f))
      return {
        name: subjectName(f),
        kind: f.kind,
        before: consequence(f),
        ...(now ? { after: consequence(now) } : {})
      }
    }),
    ...after.verdict.findings
      .filter(f => !beforeKeys.has(key(f)))
      .map(f => ({ name: subjectName(f), kind: f.kind, after: consequence(f) }))
  ]
  return {
    changed: [...overrides].map(([input, value]) => ({
      input,
      before: inputs[input] ?? '',
      after: value
    })),
    findings,
    ...(before.release && after.release
      ? { guard: { before: guardStep(before.release), after: guardStep(after.release) } }
      : {}),
    result: { before: before.verdict.result, after: after.verdict.result },
    failsJob: { before: Boolean(before.failure), after: Boolean(after.failure) }
  }
}

/** One finding's subject across two verdicts: a signature's ID, a metric, or a type. */
function subjectKey(f: Finding): string {
  const { subject } = f
  if ('signature' in subject) return `signature ${subject.signature.id}`
  if ('metric' in subject) return `metric ${subject.metric.identifier}`
  return `type ${subject.diagnosticType}`
}

/** A replay changes nothing: under another policy the guard at most would pause. */
function guardStep(guard: GuardOutcome): GuardStep {
  if (guard.hypothetical) return guard.decision.action === 'none' ? 'not-paused' : 'would-pause'
  if (guard.paused) return 'paused'
  if (guard.error) return 'could-not-pause'
  return guard.decision.action === 'would-pause' ? 'would-pause' : 'not-paused'
}
