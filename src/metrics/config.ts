import { fraction } from '../config.js'
import type { Platform } from '../constants.js'
import { InputError } from '../errors.js'
import {
  KNOWN_METRICS,
  knownMetric,
  type AppleRegressions,
  type MetricReference,
  type MetricSettings,
  type Percentile
} from './model.js'

/** At most this many metrics per run: one request fetches them all, the report stays readable. */
const MAX_METRICS = 20

/**
 * The metric inputs. `read` returns an input trimmed and checked for invisible characters. Every
 * input is validated even when `metrics` is empty, so a typo never waits for the day it is used.
 * Undefined when `metrics` is empty (metrics are off).
 */
export function parseMetricSettings(
  read: (name: string) => string,
  platform: Platform
): MetricSettings | undefined {
  const identifiers = metricList(read('metrics'))
  const percentile = choice<Percentile>(
    'metric-percentile',
    (read('metric-percentile') || 'p50').toLowerCase(),
    ['p50', 'p90']
  )
  const device = deviceFilter(read('metric-device') || 'all_iphones')
  const maxIncrease = fraction('max-metric-increase', read('max-metric-increase') || '10%')
  const reference = choice<MetricReference>(
    'metric-reference',
    (read('metric-reference') || 'auto').toLowerCase(),
    ['auto', 'previous', 'average']
  )
  const appleRegressions = choice<AppleRegressions>(
    'apple-regressions',
    (read('apple-regressions') || 'report').toLowerCase(),
    ['report', 'fail', 'ignore']
  )
  if (identifiers.length === 0) return undefined
  return Object.freeze({
    identifiers: Object.freeze(identifiers),
    percentile,
    device,
    maxIncrease,
    reference,
    appleRegressions,
    platform
  })
}

function metricList(value: string): string[] {
  const names = value
    .split(/[,\n]/)
    .map(part => part.trim())
    .filter(Boolean)
  const identifiers: string[] = []
  for (const name of names) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) {
      throw new InputError(
        `Input 'metrics' has '${name.slice(0, 80)}'; use metric identifiers such as ${KNOWN_METRICS.map(m => m.identifier).join(', ')}, separated by commas or newlines.`
      )
    }
    const identifier = knownMetric(name)?.identifier ?? name
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

function choice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(
    `Input '${name}' is '${value.slice(0, 80)}'; use one of: ${allowed.join(', ')}.`
  )
}

/** `all_iphones`, `all_ipads`, or a model identifier such as `iPhone15,2`. */
function deviceFilter(value: string): string {
  if (/^(all_[a-z]{1,20}|[A-Za-z]{1,20}\d{1,3},\d{1,3})$/.test(value)) return value
  throw new InputError(
    `Input 'metric-device' is '${value.slice(0, 80)}'; use all_iphones, all_ipads or a model identifier such as iPhone15,2.`
  )
}
