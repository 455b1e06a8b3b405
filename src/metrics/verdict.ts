import { oneLine } from '../text.js'
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

/** "Hang rate 4.1 s/hr on 2.4.0, +64.0% over 2.5 s/hr (2.3.0)", for a log line or annotation. */
export function regressionSentence(o: MetricOutcome): string {
  const parts = [`${o.label} (${o.percentile}, ${o.device})`]
  if (o.point) {
    parts.push(`${withUnit(o.point.value, o.unit)} on ${oneLine(o.point.version, 64)}`)
  }
  if (o.reference && o.change !== undefined) {
    parts.push(
      `${changeText(o.change, o.limit)} over ${withUnit(o.reference.value, o.unit)} (${o.reference.mode === 'average' ? 'average of ' : ''}${o.reference.versions.map(v => oneLine(v, 64)).join(', ')})`
    )
  }
  const sentence = oneLine(parts.join(' '), 400)
  if (o.regressedByApple && !o.regressedByRule)
    return `${sentence}, flagged by Apple's regression insight`
  return sentence
}
