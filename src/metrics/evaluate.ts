import { FIELD_CAPS, METRIC_AVERAGE_VERSIONS, WEIGHT_EPSILON } from '../constants.js'
import {
  knownMetric,
  type AppleInsight,
  type MetricOutcome,
  type MetricPoint,
  type MetricReferenceValue,
  type MetricSettings,
  type MetricsData,
  type MetricsVerdict,
  type SameDayFigure,
  PERCENTILE_KEYS
} from './model.js'
import { compareVersions, isVersion, sameVersion, versionKey } from '../versions.js'

/**
 * The metrics gate, a pure function. A known metric regresses when its rise over the reference
 * is above `maxIncrease` and the two error-margin intervals do not overlap; with
 * `apple-regressions: fail`, also when Apple's own insights flag it. A metric without a point
 * for the version, or without a reference, is "no data", never a pass.
 */
export function evaluateMetrics(
  settings: MetricSettings,
  data: MetricsData,
  hasBaseline: boolean,
  /** `same-day`: the previous version's recorded figure for a metric, from the history. */
  sameDay?: (identifier: string) => SameDayFigure
): MetricsVerdict {
  const outcomes = settings.identifiers.map(identifier =>
    judge(identifier, settings, data, hasBaseline, sameDay)
  )
  return {
    settings,
    ...(data.version ? { version: data.version } : {}),
    ...(data.baselineVersion ? { baselineVersion: data.baselineVersion } : {}),
    ...(data.unavailable ? { unavailable: data.unavailable } : {}),
    outcomes,
    regressions: outcomes.filter(o => o.status === 'regressed'),
    noData: outcomes.filter(o => o.status === 'no-data')
  }
}

function judge(
  identifier: string,
  settings: MetricSettings,
  data: MetricsData,
  hasBaseline: boolean,
  sameDay: ((identifier: string) => SameDayFigure) | undefined
): MetricOutcome {
  const known = knownMetric(identifier)
  const series = data.payload?.series.get(identifier.toLowerCase())
  const all = orderedPoints(series?.points ?? [])
  const version = data.version
  const point = version ? all.find(p => sameVersion(p.version, version)) : undefined
  const insight =
    settings.appleRegressions === 'ignore'
      ? undefined
      : appleInsight(data.payload?.insights ?? [], identifier, version, settings)
  const base: MetricOutcome = {
    identifier: series?.identifier ?? identifier,
    label: known?.label ?? identifier,
    ...(known || series?.category ? { category: series?.category ?? known?.category } : {}),
    ...(series?.unit || known ? { unit: series?.unit ?? known?.unit } : {}),
    percentile: settings.percentile,
    device: settings.device,
    limit: settings.maxIncrease,
    ...(version ? { version } : {}),
    ...(point ? { point } : {}),
    ...(series?.recommendedGoal ? { recommendedGoal: series.recommendedGoal } : {}),
    status: 'no-data',
    regressedByRule: false,
    regressedByApple: false,
    ...(insight ? { appleInsight: insight } : {}),
    points: shownPoints(all, point)
  }
  const population = `${settings.percentile} on ${settings.device}`
  if (data.unavailable) return { ...base, reason: `metrics unavailable: ${data.unavailable}` }
  if (!data.payload) return { ...base, reason: 'no data yet: App Store Connect answered 404' }
  if (!version)
    return { ...base, reason: 'no data: App Store Connect names no version for this build' }
  // Points whose version cannot be ordered count as none: a record keeps only the others.
  if (!series || all.length === 0) return { ...base, reason: `no data yet for ${population}` }
  if (!point) return { ...base, reason: `no data yet for version ${version}` }
  const reference =
    settings.reference === 'same-day'
      ? sameDayReference(all, version, settings, sameDay?.(identifier))
      : referenceFor(all, version, settings, hasBaseline, data.baselineVersion)
  if ('missing' in reference) return { ...base, reason: reference.missing }
  // Values near the largest double add up to Infinity: no reference can be formed from them.
  if (!Number.isFinite(reference.value) || !Number.isFinite(reference.errorMargin)) {
    return { ...base, reason: 'no reference: the earlier values are too large to average' }
  }
  const change =
    reference.value > 0
      ? (point.value - reference.value) / reference.value
      : point.value > reference.value
        ? Infinity
        : 0
  const withReference = { ...base, reference, change }
  if (!known) {
    return {
      ...withReference,
      status: 'not-gated',
      reason: 'not gated: the gate does not know whether a higher value is worse'
    }
  }
  const regressedByRule =
    change > settings.maxIncrease + WEIGHT_EPSILON &&
    point.value - (point.errorMargin ?? 0) >
      reference.value + reference.errorMargin + WEIGHT_EPSILON
  const regressedByApple = settings.appleRegressions === 'fail' && insight?.kind === 'regression'
  return {
    ...withReference,
    status: regressedByRule || regressedByApple ? 'regressed' : 'ok',
    regressedByRule,
    regressedByApple
  }
}

/**
 * The points a decision can read, which the decision record keeps: the shown window (it holds
 * the version's point and the METRIC_AVERAGE_VERSIONS before it) and the baseline version's.
 */
export function decisivePoints(
  points: MetricPoint[],
  version: string | undefined,
  baselineVersion: string | undefined
): MetricPoint[] {
  const all = orderedPoints(points)
  const find = (wanted: string | undefined) =>
    wanted ? all.find(p => sameVersion(p.version, wanted)) : undefined
  const window = shownPoints(all, find(version))
  const baseline = find(baselineVersion)
  if (!baseline || window.includes(baseline)) return window
  return [...window, baseline].sort((a, b) => compareVersions(a.version, b.version))
}

/** Valid versions only, oldest first, one point per version (the first Apple sent). */
function orderedPoints(points: MetricPoint[]): MetricPoint[] {
  const byVersion = new Map<string, MetricPoint>()
  for (const p of points) {
    if (isVersion(p.version) && !byVersion.has(versionKey(p.version)))
      byVersion.set(versionKey(p.version), p)
  }
  return [...byVersion.values()].sort((a, b) => compareVersions(a.version, b.version))
}

/**
 * The points the report and the chart show: at most FIELD_CAPS.metricPoints, the newest up to
 * the current version. The decision has already read every point.
 */
function shownPoints(points: MetricPoint[], current: MetricPoint | undefined): MetricPoint[] {
  if (points.length <= FIELD_CAPS.metricPoints) return points
  const end = current ? points.indexOf(current) + 1 : points.length
  return points.slice(Math.max(0, end - FIELD_CAPS.metricPoints), end)
}

function referenceFor(
  points: MetricPoint[],
  version: string,
  settings: MetricSettings,
  hasBaseline: boolean,
  baselineVersion: string | undefined
): MetricReferenceValue | { missing: string } {
  const mode =
    settings.reference === 'auto' ? (hasBaseline ? 'baseline' : 'average') : settings.reference
  if (mode === 'baseline') {
    if (!baselineVersion) return { missing: 'no data: App Store Connect names no baseline version' }
    const point = points.find(p => sameVersion(p.version, baselineVersion))
    if (!point) return { missing: `no data for the baseline's version ${baselineVersion}` }
    return reference(mode, [point])
  }
  // Earlier versions only; a version that is not digits and dots cannot be ordered.
  const earlier = isVersion(version)
    ? points.filter(p => compareVersions(p.version, version) < 0)
    : []
  if (earlier.length === 0) return { missing: `no data for a version before ${version}` }
  const count = mode === 'previous' ? 1 : METRIC_AVERAGE_VERSIONS
  return reference(mode, earlier.slice(-count))
}

/**
 * `same-day`: the previous version's figure recorded nearest this rollout day; without one,
 * the previous version's latest figure, saying why.
 */
function sameDayReference(
  points: MetricPoint[],
  version: string,
  settings: MetricSettings,
  figure: SameDayFigure | undefined
): MetricReferenceValue | { missing: string } {
  const previous = referenceFor(
    points,
    version,
    { ...settings, reference: 'previous' },
    false,
    undefined
  )
  // The history's version before this one must be Apple's, not an older one it happens to hold.
  const before = 'missing' in previous ? undefined : previous.versions[0]
  const found = figure && !('missing' in figure) ? figure : undefined
  if (found && (!before || sameVersion(found.version, before))) {
    return {
      mode: 'same-day',
      versions: [found.version],
      value: found.value,
      errorMargin: found.errorMargin,
      day: found.day,
      run: found.run
    }
  }
  if ('missing' in previous) return previous
  const why = found
    ? `the history's version before this one is ${found.version}, not ${before}`
    : figure && 'missing' in figure
      ? figure.missing
      : 'the guard read no history'
  return { ...previous, fallback: why }
}

/**
 * The reference value and its error margin. For an average the margin is the mean of the
 * margins: wider than the mean's own, so noise is less likely to fail the gate.
 */
function reference(
  mode: MetricReferenceValue['mode'],
  points: MetricPoint[]
): MetricReferenceValue {
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length
  return {
    mode,
    versions: points.map(p => p.version),
    value: mean(points.map(p => p.value)),
    errorMargin: mean(points.map(p => p.errorMargin ?? 0))
  }
}

/**
 * Apple's insight on this metric for this version, regressions before trends. An insight with
 * populations counts only when one of them is the gated percentile and device.
 */
function appleInsight(
  insights: AppleInsight[],
  identifier: string,
  version: string | undefined,
  settings: MetricSettings
): AppleInsight | undefined {
  const matches = forGatedPopulation(insights, settings).filter(
    insight =>
      insight.metric.toLowerCase() === identifier.toLowerCase() &&
      (insight.latestVersion === undefined || sameVersion(insight.latestVersion, version))
  )
  return matches.find(i => i.kind === 'regression') ?? matches[0]
}

/**
 * The insights that can count for the gated percentile and device, each with only that
 * population's figures: one with populations counts only when one of them is the gated one.
 * The decision record keeps these alone.
 */
export function forGatedPopulation(
  insights: readonly AppleInsight[],
  settings: MetricSettings
): AppleInsight[] {
  const percentile = PERCENTILE_KEYS[settings.percentile]
  const ours = (p: AppleInsight['populations'][number]): boolean =>
    (p.percentile === undefined || p.percentile === percentile) &&
    (p.device === undefined || p.device.toLowerCase() === settings.device.toLowerCase())
  return insights
    .filter(insight => insight.populations.length === 0 || insight.populations.some(ours))
    .map(insight => ({ ...insight, populations: insight.populations.filter(ours) }))
}
