import type { Collected } from '../collect.js'
import { parseSettings, type Settings } from '../config/parse.js'
import type { Finding } from '../decision/findings.js'
import { judge } from '../decision/verdict.js'
import type { Judged, Outcome } from '../outcome.js'
import type { RecordedRun } from '../record/read.js'
import { decideRollout, withPause, type GuardOutcome } from '../release/decide.js'
import { safeJson } from '../text.js'
import { subjectName } from '../wording.js'
import { FILE_INPUTS } from './inputs.js'
import { evidenceFor, overrideRefusal } from './refusals.js'

// `replay`, pure: a decision record and a policy in, the outcome the run had (or would have
// had under that policy) out. No request, no key: everything comes from the record.

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
      /** Only under another policy: what changed, finding by finding. */
      comparison?: Comparison
    }

/**
 * Re-derives the run of `run` under its own settings with `overrides` (input name → value) on
 * top. Throws an InputError when an override is not a valid value. Overrides that leave the
 * policy as it was (a report file, a flag with the recorded value) replay the run itself.
 */
export function replay(run: RecordedRun, overrides: ReadonlyMap<string, string>): Replayed {
  const refused = overrideRefusal(run, overrides)
  if (refused) return { refused }
  const { ending } = run
  const state = {
    started: performance.now(),
    recorded: { generatedAt: run.generatedAt, totalMs: run.totalMs },
    usage: { ...(run.rateLimit ? { rateLimit: run.rateLimit } : {}), requests: run.requests }
  }
  if (ending.kind === 'skipped') {
    return { outcome: { ...state, kind: 'skipped', reason: ending.reason } }
  }
  if (ending.kind === 'failed') {
    return { outcome: { ...state, kind: 'failed', error: ending.error, cause: ending.cause } }
  }
  const recorded = settingsOf(ending.inputs, new Map())
  const asked = settingsOf(ending.inputs, overrides)
  const evidence = evidenceFor(ending.data, recorded, asked)
  if ('refused' in evidence) return { refused: evidence.refused }
  const changed = policyOf(recorded) !== policyOf(asked)
  const outcome = judged(run, state, asked, evidence.data, changed)
  if (!changed) return { outcome }
  const original = judged(run, state, recorded, ending.data, false)
  return { outcome, comparison: compare(ending.inputs, overrides, original, outcome) }
}

/** The record's inputs, with the overrides on top; report files only where a replay is told. */
function settingsOf(
  inputs: Readonly<Record<string, string>>,
  overrides: ReadonlyMap<string, string>
): Settings {
  const parsed = parseSettings(name =>
    overrides.has(name)
      ? (overrides.get(name) ?? '')
      : FILE_INPUTS.includes(name)
        ? ''
        : (inputs[name] ?? '')
  )
  // The run's own report paths stay in its inputs, as the record has them.
  const kept = FILE_INPUTS.filter(name => !overrides.has(name) && inputs[name] !== undefined)
  return {
    ...parsed,
    inputs: { ...parsed.inputs, ...Object.fromEntries(kept.map(name => [name, inputs[name]])) }
  }
}

/** What in the settings cannot change a decision: the inputs' text, and where files go. */
const NOT_POLICY = ['inputs', 'reportPath', 'sarifPath', 'junitPath']

/** Everything in the settings that can change a decision, comparable as text. */
function policyOf(settings: Settings): string {
  return safeJson(Object.entries(settings).filter(([key]) => !NOT_POLICY.includes(key)))
}

function judged(
  run: RecordedRun,
  state: Pick<Judged, 'started' | 'recorded' | 'usage'>,
  config: Settings,
  data: Collected,
  hypothetical: boolean
): Judged {
  if (run.ending.kind !== 'judged') throw new Error('only a judged record has a verdict')
  const { ending } = run
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
    pullRequest: ending.pullRequest,
    ...(ending.historyWrite ? { historyWrite: ending.historyWrite } : {})
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
  const recorded = run.ending.guard
  if (version?.status !== 'live' || !recorded) return undefined
  const mode = config.phasedRelease
  if (!hypothetical) {
    return { ...recorded, decision: decideRollout({ release: recorded.decidedOn, findings, mode }) }
  }
  const rollout = version.phasedRelease
  return {
    version: recorded.version,
    versionId: version.id,
    ...(rollout ? { release: rollout, decidedOn: rollout } : {}),
    decision: decideRollout({ release: rollout, findings, mode }),
    paused: false,
    hypothetical: true
  }
}

function compare(
  inputs: Readonly<Record<string, string>>,
  overrides: ReadonlyMap<string, string>,
  before: Judged,
  after: Judged
): Comparison {
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
    changed: [...overrides]
      .filter(([input, value]) => !FILE_INPUTS.includes(input) && inputs[input] !== value)
      .map(([input, value]) => ({ input, before: inputs[input] ?? '', after: value })),
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
