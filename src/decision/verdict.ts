import type { Collected } from '../collect.js'
import type { Settings } from '../config/parse.js'
import { evaluate, type SignatureEvaluation } from '../gate.js'
import { metricsVerdict, regressionSentence } from '../metrics/verdict.js'
import type { MetricsVerdict } from '../metrics/model.js'
import { limitPercent, oneLine, percent, plural } from '../text.js'
import { noDataYet, signatureName, sinceBaseline } from '../wording.js'
import { finding, type ConsequencePolicy, type Finding } from './findings.js'
import type { RunHistory } from '../history/layout.js'
import { confirmation, rolloutDayNumber, sameDayFigures } from '../history/remember.js'

/** What the run found, for the `result` output; `skipped` is decided before any data. */
export type GateResult = 'passed' | 'failed' | 'no-data'

/** The run's one verdict: the evaluations that explain it, and the findings that decide it. */
export interface Verdict extends SignatureEvaluation {
  /** `no-data` when no signature and no metric could be checked. */
  result: GateResult
  /** True only when something was checked and nothing was found, or `no-data: pass` says so. */
  passed: boolean
  /** Rates first (they decide), then shares, then what had no data. */
  findings: readonly Finding[]
  /** The power and performance metrics, when any are gated. */
  metrics?: MetricsVerdict
}

export interface Judgement {
  verdict: Verdict
  /** The one line the job fails with; undefined when no finding fails the job. */
  failure?: string
}

/** The run's verdict, a pure function of the settings and what App Store Connect sent. */
export function judge(config: Settings, data: Collected): Judgement {
  const signatures = evaluate({
    ...config,
    current: data.current.lists,
    baseline: data.baseline?.lists
  })
  const day = rolloutDayNumber(data.current.build.appStoreVersion?.phasedRelease)
  const metrics = metricsVerdict(
    config,
    data.metrics,
    config.metrics && sameDayFigures(data.history, config.metrics, day)
  )
  const verdict = verdictFrom(signatures, metrics, consequencePolicy(config, data))
  const build = data.current.build.label ?? data.current.build.id
  return { verdict, failure: failureLine(verdict, build) }
}

/** The verdict of evaluated signatures and metrics under `policy`: its findings, then its result. */
export function verdictFrom(
  signatures: SignatureEvaluation,
  metrics: MetricsVerdict | undefined,
  policy: ConsequencePolicy
): Verdict {
  const findings = buildFindings(signatures, metrics, policy)
  const checked =
    signatures.emptyTypes.length < signatures.outcomes.length ||
    Boolean(metrics?.outcomes.some(o => o.status === 'ok' || o.status === 'regressed'))
  const found = findings.some(f => f.kind !== 'no-data' || policy.noData === 'fail')
  const result: GateResult = !checked ? 'no-data' : found ? 'failed' : 'passed'
  return {
    ...signatures,
    result,
    passed: result === 'passed' || (result === 'no-data' && policy.noData === 'pass'),
    findings,
    ...(metrics ? { metrics } : {})
  }
}

/** The settings that decide consequences; a guard run is one that watches a live rollout. */
function consequencePolicy(config: Settings, data: Collected): ConsequencePolicy {
  const version = data.current.build.appStoreVersion
  const guarded = config.phasedRelease !== 'off' && version?.status === 'live'
  return {
    failOnBreach: config.failOnBreach,
    failOnRegression: config.failOnRegression,
    failOnMetricRegression: config.failOnMetricRegression,
    noData: config.noData,
    ...(guarded
      ? {
          guard: {
            mode: config.phasedRelease as 'report' | 'pause-on-failure',
            pauseOn: config.pauseOn,
            failAfterRollout: config.failAfterRollout,
            rollout: version.phasedRelease?.state ?? 'NONE',
            // Without its history the guard cannot count runs: it pauses as with confirm-runs 1,
            // rather than never (see the report's history section).
            confirmRuns: data.history && 'current' in data.history ? config.confirmRuns : 1,
            inARow: (key: string) => runsInARow(data.history, key, config.confirmRuns)
          }
        }
      : {})
  }
}

/** This run and the runs of the version just before it that found `key`, in a row, up to `needed`. */
function runsInARow(history: RunHistory | undefined, key: string, needed: number): number {
  const earlier = history && 'current' in history ? history.current.runs : []
  return confirmation(earlier, key, needed).inARow
}

function buildFindings(
  signatures: SignatureEvaluation,
  metrics: MetricsVerdict | undefined,
  policy: ConsequencePolicy
): Finding[] {
  const findings: Finding[] = []
  for (const o of metrics?.regressions ?? []) {
    if (o.regressedByRule) findings.push(finding('metric-regression', { metric: o }, policy))
    if (o.regressedByApple) findings.push(finding('apple-regression', { metric: o }, policy))
  }
  for (const s of signatures.breaches) findings.push(finding('breach', { signature: s }, policy))
  for (const s of signatures.regressions) {
    findings.push(finding('signature-regression', { signature: s }, policy))
  }
  // `no-data: pass` asks for no finding at all.
  if (policy.noData !== 'pass') {
    for (const type of signatures.emptyTypes) {
      findings.push(finding('no-data', { diagnosticType: type }, policy))
    }
    for (const o of metrics?.noData ?? []) findings.push(finding('no-data', { metric: o }, policy))
  }
  return findings
}

/**
 * The one line for `setFailed`, from the findings that fail the job (each kind once, worst
 * first); undefined when none does.
 */
export function failureLine(verdict: Verdict, build: string): string | undefined {
  const failing = verdict.findings.filter(f => f.failsJob)
  const signaturesOf = (kind: Finding['kind']) =>
    failing.flatMap(f => (f.kind === kind && 'signature' in f.subject ? [f.subject.signature] : []))
  const parts: string[] = []
  const breaches = signaturesOf('breach')
  if (breaches[0]) {
    const worst = breaches[0]
    parts.push(
      `${plural(breaches.length, 'diagnostic signature')} above the threshold; worst: ${signatureName(worst, 120)} at ${percent(worst.weight)} (limit ${limitPercent(worst.threshold)}).`
    )
  }
  const regressions = signaturesOf('signature-regression')
  if (regressions[0]) {
    const worst = regressions[0]
    parts.push(
      `${plural(regressions.length, 'regression')} against the baseline build; worst: ${signatureName(worst, 120)} at ${percent(worst.weight)} (${worst.change === 'new' ? 'new' : sinceBaseline(worst)}).`
    )
  }
  const emptyTypes = failing.flatMap(f =>
    'diagnosticType' in f.subject ? [f.subject.diagnosticType] : []
  )
  if (emptyTypes.length) parts.push(`${noDataYet(emptyTypes, build)}, and 'no-data' is 'fail'.`)
  const metrics = [
    ...new Set(
      failing.flatMap(f =>
        f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []
      )
    )
  ]
  if (metrics[0]) {
    parts.push(
      `${plural(metrics.length, 'metric')} regressed${metrics.length > 1 ? '; first' : ''}: ${regressionSentence(metrics[0])}.`
    )
  }
  const noMetricData = failing.flatMap(f =>
    f.kind === 'no-data' && 'metric' in f.subject ? [f.subject.metric.identifier] : []
  )
  const unavailable = verdict.metrics?.unavailable
  if (noMetricData.length && unavailable) {
    parts.push(
      `The metrics (${noMetricData.join(', ')}) could not be read, and 'no-data' is 'fail': ${unavailable}`
    )
  } else if (noMetricData.length) {
    const version = verdict.metrics?.version
    parts.push(
      `No data yet for ${noMetricData.join(', ')}${version ? ` on version ${oneLine(version, 64)}` : ''}, and 'no-data' is 'fail'.`
    )
  }
  return parts.length ? parts.join(' ') : undefined
}
