import type { Platform } from '../constants.js'
import { InputError } from '../errors.js'
import {
  KNOWN_METRICS,
  metricIdentifier,
  METRIC_DEVICE,
  METRIC_IDENTIFIER,
  type AppleRegressions,
  type MetricReference,
  type MetricSettings,
  type Percentile
} from '../metrics/model.js'
import type { Inputs } from './inputs.js'
import { fraction, oneOf } from './values.js'

/** At most this many metrics per run: one request fetches them all, the report stays readable. */
const MAX_METRICS = 20

/**
 * The power and performance metrics to gate. Every metric input is validated even when
 * `metrics` is empty, so a typo never waits for the day it is used. Undefined when `metrics`
 * is empty (metrics are off).
 */
export function metricSettings(inputs: Inputs, platform: Platform): MetricSettings | undefined {
  const identifiers = inputs.parsed('metrics', '', metricList, [])
  const lowerCase =
    <T extends string>(name: string, allowed: readonly T[]) =>
    (value: string): T =>
      oneOf<T>(name, value.toLowerCase(), allowed)
  const settings = {
    percentile: inputs.parsed<Percentile>(
      'metric-percentile',
      'p50',
      lowerCase('metric-percentile', ['p50', 'p90']),
      'p50'
    ),
    device: inputs.parsed('metric-device', 'all_iphones', deviceFilter, ''),
    maxIncrease: inputs.parsed(
      'max-metric-increase',
      '10%',
      v => fraction('max-metric-increase', v),
      0
    ),
    reference: inputs.parsed<MetricReference>(
      'metric-reference',
      'auto',
      lowerCase('metric-reference', ['auto', 'previous', 'average', 'same-day']),
      'auto'
    ),
    appleRegressions: inputs.parsed<AppleRegressions>(
      'apple-regressions',
      'report',
      lowerCase('apple-regressions', ['report', 'fail', 'ignore']),
      'report'
    ),
    platform
  }
  if (identifiers.length === 0) return undefined
  return Object.freeze({ identifiers: Object.freeze(identifiers), ...settings })
}

function metricList(value: string): string[] {
  const names = value
    .split(/[,\n]/)
    .map(part => part.trim())
    .filter(Boolean)
  const identifiers: string[] = []
  for (const name of names) {
    if (!METRIC_IDENTIFIER.test(name)) {
      throw new InputError(
        `Input 'metrics' has '${name.slice(0, 80)}'; use metric identifiers such as ${KNOWN_METRICS.map(m => m.identifier).join(', ')}, separated by commas or newlines.`
      )
    }
    const identifier = metricIdentifier(name)
    if (!identifiers.some(known => known.toLowerCase() === identifier.toLowerCase()))
      identifiers.push(identifier)
  }
  if (identifiers.length > MAX_METRICS) {
    throw new InputError(
      `Input 'metrics' names ${identifiers.length} metrics; use at most ${MAX_METRICS}.`
    )
  }
  return identifiers
}

/** `all_iphones`, `all_ipads`, or a model identifier such as `iPhone15,2`. */
function deviceFilter(value: string): string {
  if (METRIC_DEVICE.test(value)) return value
  throw new InputError(
    `Input 'metric-device' is '${value.slice(0, 80)}'; use all_iphones, all_ipads or a model identifier such as iPhone15,2.`
  )
}
