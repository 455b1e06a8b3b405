import { oneLine } from '../text.js'
import { evaluateMetrics } from './evaluate.js'
import { changeText, withUnit } from './format.js'
import type {
  MetricOutcome,
  MetricReferenceValue,
  MetricSettings,
  MetricsData,
  MetricsVerdict,
  SameDayFigure
} from './model.js'

/** The metrics' verdict of a run; undefined when no metric is gated. */
export function metricsVerdict(
  config: { metrics?: MetricSettings; baseline?: unknown },
  data: MetricsData | undefined,
  sameDay?: (identifier: string) => SameDayFigure
): MetricsVerdict | undefined {
  return config.metrics && data
    ? evaluateMetrics(config.metrics, data, Boolean(config.baseline), sameDay)
    : undefined
}

/** "2.4.0", "average of 2.1.0, 2.2.0", "2.4.0 at day 2": what a metric was compared with. */
export function referenceName(reference: MetricReferenceValue): string {
  const versions = reference.versions.map(v => oneLine(v, 64)).join(', ')
  switch (reference.mode) {
    case 'average':
      return `average of ${versions}`
    case 'baseline':
      return `baseline ${versions}`
    case 'same-day':
      return `${versions} at day ${reference.day}`
    default:
      return versions
  }
}

/** "Hang rate 4.1 s/hr on 2.4.0, +64.0% over 2.5 s/hr (2.3.0)", for a log line or annotation. */
export function regressionSentence(o: MetricOutcome): string {
  const parts = [`${o.label} (${o.percentile}, ${o.device})`]
  if (o.point) {
    parts.push(`${withUnit(o.point.value, o.unit)} on ${oneLine(o.point.version, 64)}`)
  }
  if (o.reference && o.change !== undefined) {
    parts.push(
      `${changeText(o.change, o.limit)} over ${withUnit(o.reference.value, o.unit)} (${o.reference.mode === 'baseline' ? o.reference.versions.map(v => oneLine(v, 64)).join(', ') : referenceName(o.reference)})`
    )
  }
  const sentence = oneLine(parts.join(' '), 400)
  if (o.regressedByApple && !o.regressedByRule)
    return `${sentence}, flagged by Apple's regression insight`
  return sentence
}
