import type { Verdict } from '../gate.js'
import type { NoDataPolicy } from '../model.js'
import { oneLine, plural } from '../text.js'
import { evaluateMetrics } from './evaluate.js'
import { changeText, withUnit } from './format.js'
import type { MetricOutcome, MetricSettings, MetricsData, MetricsVerdict } from './model.js'

/** The metrics' verdict of a run; undefined when no metric is gated. */
export function metricsVerdict(
  config: { metrics?: MetricSettings; baseline?: unknown },
  data: MetricsData | undefined
): MetricsVerdict | undefined {
  return config.metrics && data
    ? evaluateMetrics(config.metrics, data, Boolean(config.baseline))
    : undefined
}

/**
 * The run's verdict with the metrics in it: `passed` is false when a metric regressed, or when
 * a metric had no data and `no-data` is `fail`; `result` is `no-data` only when neither a
 * signature nor a metric could be checked.
 */
export function withMetrics(
  verdict: Verdict,
  metrics: MetricsVerdict | undefined,
  noData: NoDataPolicy
): Verdict {
  if (!metrics) return verdict
  const noDataFailed = metricsNoDataFailed(metrics, noData)
  const metricsFailed = metrics.regressions.length > 0 || noDataFailed
  const passed = verdict.passed && !metricsFailed
  const signaturesChecked = verdict.emptyTypes.length < verdict.outcomes.length
  const metricsChecked = metrics.outcomes.some(o => o.status === 'ok' || o.status === 'regressed')
  return {
    ...verdict,
    passed,
    result: !signaturesChecked && !metricsChecked ? 'no-data' : passed ? 'passed' : 'failed',
    metrics: { ...metrics, noDataFailed }
  }
}

function metricsNoDataFailed(metrics: MetricsVerdict, noData: NoDataPolicy): boolean {
  return noData === 'fail' && metrics.noData.length > 0
}

/** The metrics part of the failure line, or undefined when they do not fail the job. */
export function metricsFailureLine(
  metrics: MetricsVerdict | undefined,
  policy: { failOnRegression: boolean; noData: NoDataPolicy }
): string | undefined {
  if (!metrics) return undefined
  const parts: string[] = []
  const [worst] = metrics.regressions
  if (policy.failOnRegression && worst) {
    parts.push(
      `${plural(metrics.regressions.length, 'metric')} regressed${metrics.regressions.length > 1 ? '; first' : ''}: ${regressionSentence(worst)}.`
    )
  }
  if (metricsNoDataFailed(metrics, policy.noData)) {
    parts.push(
      `No data yet for ${metrics.noData.map(o => o.identifier).join(', ')}${metrics.version ? ` on version ${oneLine(metrics.version, 64)}` : ''}, and 'no-data' is 'fail'.`
    )
  }
  return parts.length ? parts.join(' ') : undefined
}

/** "Hang rate 4.1 s/hr on 2.4.0, +64.0% over 2.5 s/hr (2.3.0)", for a log line or annotation. */
export function regressionSentence(o: MetricOutcome): string {
  const parts = [`${o.label} (${o.percentile}, ${o.device})`]
  if (o.point) {
    parts.push(`${withUnit(o.point.value, o.unit)} on ${oneLine(o.point.version, 64)}`)
  }
  if (o.reference && o.change !== undefined) {
    parts.push(
      `${changeText(o.change)} over ${withUnit(o.reference.value, o.unit)} (${o.reference.mode === 'average' ? 'average of ' : ''}${o.reference.versions.map(v => oneLine(v, 64)).join(', ')})`
    )
  }
  const sentence = oneLine(parts.join(' '), 400)
  if (o.regressedByApple && !o.regressedByRule)
    return `${sentence}, flagged by Apple's regression insight`
  return sentence
}
