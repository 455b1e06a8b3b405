// Hostile text from App Store Connect: every string field of an answer poisoned with a
// right-to-left override, a C1 control and 100,000 characters (see hostile-text.e2e).
export const FILL = 'W'
export const POISON = `\u202e\u0085${FILL.repeat(100_000)}`
/**
 * Fields left as they are: IDs and links (an ID in another shape is refused, not shown, and a
 * link goes nowhere but the base), the resource type, and what the run looks things up by (the
 * bundle ID, the metric identifier, its dataset's percentile, device and platform, and the
 * points' versions), so the poisoned values reach the report. Everything else is poisoned:
 * states, diagnostic types, flags, units, goals, dates, texts, error codes and words.
 */
const KEEP = new Set([
  'id',
  'type',
  'self',
  'related',
  'next',
  'bundleId',
  'identifier',
  'metric',
  'percentile',
  'device',
  'platform'
])
/** For the runs that need the live version and its rollout: their states too. */
export const KEEP_STATES = new Set([
  ...KEEP,
  'appStoreState',
  'appVersionState',
  'phasedReleaseState'
])

type Json = unknown
export function poison(value: Json, keep = KEEP, key = '', parent?: Record<string, Json>): Json {
  if (typeof value === 'string') {
    const isPointVersion = key === 'version' && parent !== undefined && 'value' in parent
    return keep.has(key) || isPointVersion ? value : `${value}${POISON}`
  }
  if (Array.isArray(value)) return value.map(item => poison(item, keep, key, parent))
  if (value && typeof value === 'object') {
    const object = value as Record<string, Json>
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => [k, poison(v, keep, k, object)])
    )
  }
  return value
}
