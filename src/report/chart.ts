// Mermaid charts of the gated metrics. Nothing from App Store Connect reaches the chart source
// except version strings of digits and dots and finite numbers in plain decimal notation;
// every other point is left out. The title and labels are the gate's own words.
import { knownMetric, type MetricOutcome } from '../metrics/model.js'
import { isVersion } from '../versions.js'

/** Versions shown per chart: the most recent ones. */
const MAX_POINTS = 12
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/

/** A finite number as Mermaid reads it, or undefined (no exponent, no NaN). */
export function chartNumber(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined
  const text = String(Number(value.toFixed(6)))
  return DECIMAL.test(text) ? text : undefined
}

/**
 * A `xychart-beta` line chart of one metric over the versions Apple returned, or undefined when
 * fewer than two points qualify or the metric is not one the gate knows.
 */
export function metricChart(outcome: MetricOutcome): string | undefined {
  const known = knownMetric(outcome.identifier)
  if (!known) return undefined
  const points = outcome.points
    .flatMap(p => {
      const value = chartNumber(p.value)
      return isVersion(p.version) && p.version.length <= 32 && value !== undefined
        ? [{ version: p.version, value }]
        : []
    })
    .slice(-MAX_POINTS)
  if (points.length < 2) return undefined
  const percentile = outcome.percentile === 'p90' ? 'p90' : 'p50'
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${known.label}, ${percentile}, by version"`,
    `  x-axis [${points.map(p => `"${p.version}"`).join(', ')}]`,
    `  line [${points.map(p => p.value).join(', ')}]`,
    '```'
  ].join('\n')
}
