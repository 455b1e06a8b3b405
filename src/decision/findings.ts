import { createHash } from 'node:crypto'
import type { DiagnosticType } from '../constants.js'
import type { PhasedReleaseState } from '../asc/phased-release.js'
import type { MetricOutcome } from '../metrics/model.js'
import type { Evaluated, NoDataPolicy } from '../model.js'

// The decision model: what the evaluation found, and what each finding does. Every consequence
// (does it fail the job, does it pause the rollout, and why not) is decided here, once; every
// sink reads it and works nothing out again.

export const FINDING_KINDS = [
  'breach',
  'signature-regression',
  'metric-regression',
  'apple-regression',
  'no-data'
] as const
/**
 * `breach`: a share over its threshold; `signature-regression`: a share new or grown against the
 * baseline; `metric-regression`: a rate that rose with the error-margin intervals apart;
 * `apple-regression`: Apple's own regression insight on a rate; `no-data`: nothing to judge.
 */
export type FindingKind = (typeof FINDING_KINDS)[number]

/** Rates decide whether users got worse; shares only say where. */
export const DEFAULT_PAUSE_ON: readonly FindingKind[] = ['metric-regression', 'apple-regression']

/** What a finding rests on: a share of the reports, a rate users live with, or no data at all. */
export type Evidence = 'share' | 'rate' | 'absence'

export type Subject =
  | { readonly signature: Evaluated }
  | { readonly metric: MetricOutcome }
  | { readonly diagnosticType: DiagnosticType }

export interface Consequences {
  readonly failsJob: boolean
  /** Why it does not fail the job; only when `failsJob` is false. */
  readonly failsJobReason?: string
  readonly pauses: boolean
  /** Why it does not pause the rollout; only when `pauses` is false. */
  readonly pausesReason?: string
  /** `pause-on-failure` would pause on it: true when it pauses, and in the `report` dry run. */
  readonly wouldPause: boolean
}

export interface Finding extends Consequences {
  readonly kind: FindingKind
  readonly subject: Subject
  readonly evidence: Evidence
  /** With `confirm-runs` above 1 on an active rollout: how many runs in a row have found it. */
  readonly confirmation?: Confirmation
}

/** A finding against `confirm-runs`: the runs in a row that found it, this one included. */
export interface Confirmation {
  readonly inARow: number
  readonly needed: number
}

/** The rollout as the guard sees it; NONE when the live version has no phased release. */
export type RolloutState = PhasedReleaseState | 'UNKNOWN' | 'NONE'

/** The settings that decide consequences. */
export interface ConsequencePolicy {
  readonly failOnBreach: boolean
  readonly failOnRegression: boolean
  readonly failOnMetricRegression: boolean
  readonly noData: NoDataPolicy
  /** Set on a guard run: `phased-release` is `report` or `pause-on-failure` on the live version. */
  readonly guard?: {
    readonly mode: 'report' | 'pause-on-failure'
    readonly pauseOn: readonly FindingKind[]
    readonly failAfterRollout: boolean
    readonly rollout: RolloutState
    /** `confirm-runs`, and how many runs in a row (this one included, up to it) found a finding. */
    readonly confirmRuns?: number
    readonly inARow?: (key: string) => number
  }
}

const EVIDENCE: Readonly<Record<FindingKind, Evidence>> = {
  breach: 'share',
  'signature-regression': 'share',
  'metric-regression': 'rate',
  'apple-regression': 'rate',
  'no-data': 'absence'
}

/** A finding of `kind` about `subject`, with its consequences under `policy`. */
export function finding(kind: FindingKind, subject: Subject, policy: ConsequencePolicy): Finding {
  const found = { kind, subject, evidence: EVIDENCE[kind] }
  const { guard } = policy
  const needed = guard?.confirmRuns ?? 1
  const counts = needed > 1 && guard?.rollout === 'ACTIVE' && guard.pauseOn.includes(kind)
  if (!counts) return { ...found, ...consequences(kind, policy) }
  const confirmation = { inARow: guard.inARow?.(findingKey(kind, subject)) ?? 1, needed }
  return { ...found, ...consequences(kind, policy, confirmation), confirmation }
}

/**
 * The same finding across runs: its kind and subject (`metric-regression hangRate`,
 * `breach HANGS:<digest of the signature>`, `no-data DISK_WRITES`).
 */
export function findingKey(kind: FindingKind, subject: Subject): string {
  if ('metric' in subject) return `${kind} ${subject.metric.identifier}`
  if ('signature' in subject) {
    const { diagnosticType, signature } = subject.signature
    const digest = createHash('sha256').update(signature, 'utf8').digest('hex').slice(0, 16)
    return `${kind} ${diagnosticType}:${digest}`
  }
  return `${kind} ${subject.diagnosticType}`
}

/**
 * The rules, in order. A finding that the failing inputs turn off is only reported. Outside a
 * guard run nothing pauses. On a guard run the job fails on what the guard acts on (`pause-on`),
 * so a red guard means "paused, or would have"; once the rollout is over there is nothing left
 * to protect, and only `fail-after-rollout: true` keeps the failure.
 */
export function consequences(
  kind: FindingKind,
  policy: ConsequencePolicy,
  confirmation?: Confirmation
): Consequences {
  const reportOnly = (reason: string): Consequences => ({
    failsJob: false,
    failsJobReason: reason,
    pauses: false,
    pausesReason: reason,
    wouldPause: false
  })
  const off = turnedOff(kind, policy)
  if (off) return reportOnly(off)
  const { guard } = policy
  if (!guard) {
    return {
      failsJob: true,
      pauses: false,
      pausesReason: "'phased-release' is off: only a guard run pauses",
      wouldPause: false
    }
  }
  if (!guard.pauseOn.includes(kind)) return reportOnly(notPausedOn(kind))
  const failing = (pausesReason: string): Consequences => ({
    failsJob: true,
    pauses: false,
    pausesReason,
    wouldPause: false
  })
  switch (guard.rollout) {
    case 'ACTIVE':
      // A failing job does not wait for confirmation; a pause does.
      if (confirmation && confirmation.inARow < confirmation.needed) {
        return failing(
          `${confirmation.inARow} of ${confirmation.needed} runs in a row: not pausing yet ('confirm-runs' is ${confirmation.needed})`
        )
      }
      return guard.mode === 'pause-on-failure'
        ? { failsJob: true, pauses: true, wouldPause: true }
        : {
            failsJob: true,
            pauses: false,
            pausesReason:
              "'phased-release' is 'report' (a dry run); 'pause-on-failure' would pause",
            wouldPause: true
          }
    case 'COMPLETE':
    case 'NONE': {
      const over =
        guard.rollout === 'COMPLETE'
          ? 'the rollout is complete (COMPLETE): nothing is left to protect'
          : 'the version has no phased release: nothing is left to protect'
      return guard.failAfterRollout
        ? failing(over)
        : reportOnly(`${over}, and 'fail-after-rollout' is false`)
    }
    case 'PAUSED':
      return failing('the rollout is already paused (PAUSED); the guard never resumes one')
    case 'INACTIVE':
      return failing('the rollout has not started (INACTIVE); only an active rollout is paused')
    default:
      return failing('the rollout is in a state the guard does not know; it pauses only ACTIVE')
  }
}

function turnedOff(kind: FindingKind, policy: ConsequencePolicy): string | undefined {
  switch (kind) {
    case 'breach':
      return policy.failOnBreach ? undefined : "'fail-on-breach' is false"
    case 'signature-regression':
      return policy.failOnRegression ? undefined : "'fail-on-regression' is false"
    case 'metric-regression':
    case 'apple-regression':
      return policy.failOnMetricRegression ? undefined : "'fail-on-metric-regression' is false"
    case 'no-data':
      return policy.noData === 'fail' ? undefined : `'no-data' is '${policy.noData}'`
  }
}

function notPausedOn(kind: FindingKind): string {
  if (EVIDENCE[kind] === 'share') return "shares never pause unless 'pause-on' names them"
  return `'pause-on' does not name ${kind}`
}

// Queries for the sinks: they read the findings, never the settings.

/** Every finding about one signature (a breach and a regression can share one). */
export function findingsOf(findings: readonly Finding[], signatureId: string): Finding[] {
  return findings.filter(f => 'signature' in f.subject && f.subject.signature.id === signatureId)
}

/** Every finding about one metric. */
export function metricFindings(findings: readonly Finding[], identifier: string): Finding[] {
  return findings.filter(f => 'metric' in f.subject && f.subject.metric.identifier === identifier)
}

/** How a set of findings marks its subject: ❌ when one fails the job, ⚠️ when only reported. */
export function mark(findings: readonly Finding[]): '❌' | '⚠️' | undefined {
  if (findings.length === 0) return undefined
  return findings.some(f => f.failsJob) ? '❌' : '⚠️'
}
