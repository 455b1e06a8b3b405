import { ASC, FIELD_CAPS } from '../constants.js'
import { DataError } from '../errors.js'
import {
  knownMetric,
  METRIC_CATEGORIES,
  PERCENTILE_KEYS,
  type AppleInsight,
  type InsightPopulation,
  type MetricCategory,
  type MetricPoint,
  type MetricSeries,
  type MetricSettings,
  type MetricsPayload
} from '../metrics/model.js'
import type { AscClient } from './client.js'
import {
  finite,
  nonNegative as measure,
  object as asObject,
  objects,
  text,
  texts
} from './jsonapi.js'
import { isNotFound } from './no-data.js'

/**
 * The app's recent versions of the gated metrics, for the gated percentile and device: one
 * request with Apple's vendor media type. Undefined when Apple has no data yet (404).
 */
export async function fetchAppMetrics(
  client: AscClient,
  appId: string,
  settings: MetricSettings
): Promise<MetricsPayload | undefined> {
  const query: Record<string, string> = { 'filter[deviceType]': settings.device }
  const categories = categoriesOf(settings.identifiers)
  if (categories) query['filter[metricType]'] = categories.join(',')
  // The spec's platform filter knows only IOS; other platforms are matched in the payload.
  if (settings.platform === 'IOS') query['filter[platform]'] = 'IOS'
  let body: unknown
  try {
    body = await client.getJson(`/v1/apps/${encodeURIComponent(appId)}/perfPowerMetrics`, {
      query,
      accept: ASC.metricsContentType
    })
  } catch (error) {
    // Apple answers 404 for versions without enough usage yet: no data, not a failure.
    if (isNotFound(error)) return undefined
    throw error
  }
  return parseMetrics(body, settings)
}

/** The categories to ask for; undefined (all) when an identifier's category is unknown. */
function categoriesOf(identifiers: readonly string[]): MetricCategory[] | undefined {
  const categories = new Set<MetricCategory>()
  for (const identifier of identifiers) {
    const known = knownMetric(identifier)
    if (!known) return undefined
    categories.add(known.category)
  }
  return [...categories]
}

const category = (value: unknown): MetricCategory | undefined =>
  METRIC_CATEGORIES.find(c => c === value)
/** `IOS` (the spec) and `iOS` (real payloads) are one platform, as are MAC_OS and macOS. */
const platformKey = (value: string): string => value.replace(/_/g, '').toLowerCase()

/**
 * Reads an xcodeMetrics document: only the gated identifiers, only the dataset for the gated
 * percentile and device. Unknown fields and metrics are ignored; malformed points are dropped.
 */
export function parseMetrics(body: unknown, settings: MetricSettings): MetricsPayload {
  const document = asObject(body)
  if (!document) {
    throw new DataError(
      'App Store Connect answered the perfPowerMetrics request with something other than an xcodeMetrics object.'
    )
  }
  const wanted = new Set(settings.identifiers.map(id => id.toLowerCase()))
  const series = new Map<string, MetricSeries>()
  // Every list is searched whole, whatever its length or order (the body's size is bounded by
  // the transport): the gated dataset and its versions may come after thousands of others.
  for (const data of all(document.productData)) {
    const platform = text(data.platform, FIELD_CAPS.identifier)
    if (platform && platformKey(platform) !== platformKey(settings.platform)) continue
    for (const categoryData of all(data.metricCategories)) {
      for (const metric of all(categoryData.metrics)) {
        const identifier = text(metric.identifier, FIELD_CAPS.identifier)
        const key = identifier?.toLowerCase()
        if (!identifier || !key || !wanted.has(key) || series.has(key)) continue
        const read = readMetric(metric, identifier, category(categoryData.identifier), settings)
        if (read) series.set(key, read)
      }
    }
  }
  const insights = asObject(document.insights)
  return {
    series,
    insights: [
      ...readInsights(insights?.regressions, 'regression', wanted),
      ...readInsights(insights?.trendingUp, 'trendingUp', wanted)
    ]
  }
}

/** The objects of a list, all of them: see parseMetrics. */
const all = (value: unknown) => objects(value, Number.MAX_SAFE_INTEGER)

/** The gated dataset of one metric; undefined when it has none for this percentile and device. */
function readMetric(
  metric: Record<string, unknown>,
  identifier: string,
  metricCategory: MetricCategory | undefined,
  settings: MetricSettings
): MetricSeries | undefined {
  const unit = asObject(metric.unit)
  const percentile = PERCENTILE_KEYS[settings.percentile]
  const dataset = all(metric.datasets).find(d => {
    const criteria = asObject(d.filterCriteria)
    const device = text(criteria?.device, FIELD_CAPS.identifier)
    return (
      criteria?.percentile === percentile &&
      (device === undefined || device.toLowerCase() === settings.device.toLowerCase())
    )
  })
  if (!dataset) return undefined
  const goal = asObject(dataset.recommendedMetricGoal)
  const goalValue = measure(goal?.value)
  return {
    identifier,
    ...(metricCategory ? { category: metricCategory } : {}),
    ...optional(
      'unit',
      text(unit?.displayName, FIELD_CAPS.metricLabel) ??
        text(unit?.identifier, FIELD_CAPS.metricLabel)
    ),
    ...(goalValue !== undefined
      ? {
          recommendedGoal: {
            value: goalValue,
            ...optional('detail', text(goal?.detail, FIELD_CAPS.metricLabel))
          }
        }
      : {}),
    // Every point: the current version and its references are found among all of them.
    points: all(dataset.points).flatMap(readPoint)
  }
}

function readPoint(value: unknown): MetricPoint[] {
  const point = asObject(value)
  const version = text(point?.version, FIELD_CAPS.version)
  const number = measure(point?.value)
  if (!point || !version || number === undefined) return []
  // percentageBreakdown (an object in the spec, an array in real payloads) is not used.
  return [
    {
      version,
      value: number,
      ...optional('errorMargin', measure(point.errorMargin)),
      ...optional('goal', text(point.goal, FIELD_CAPS.metricLabel))
    }
  ]
}

function readInsights(
  value: unknown,
  kind: AppleInsight['kind'],
  wanted: Set<string>
): AppleInsight[] {
  // Filtered to the gated metrics first, then capped: an insight on one comes wherever it is.
  const gated = all(value).filter(insight =>
    wanted.has(String(text(insight.metric, FIELD_CAPS.identifier)).toLowerCase())
  )
  return gated.slice(0, FIELD_CAPS.metricListItems).flatMap(insight => {
    const metric = text(insight.metric, FIELD_CAPS.identifier)
    if (!metric) return []
    const highImpact = insight.highImpact
    return [
      {
        kind,
        metric,
        ...optional('category', category(insight.metricCategory)),
        ...optional('latestVersion', text(insight.latestVersion, FIELD_CAPS.version)),
        referenceVersions: referenceVersions(insight.referenceVersions),
        ...(typeof highImpact === 'boolean' ? { highImpact } : {}),
        ...optional('summary', text(insight.summaryString, FIELD_CAPS.insightSummary)),
        // The gated population is picked from among them: Apple sends a few per insight.
        populations: objects(insight.populations, FIELD_CAPS.insightPopulations).flatMap(
          readPopulation
        )
      }
    ]
  })
}

/** A string in the spec ("1.0, 1.1"), an array in Apple's own example: both are accepted. */
function referenceVersions(value: unknown): string[] {
  return texts(value, FIELD_CAPS.version, FIELD_CAPS.referenceVersions)
}

function readPopulation(value: unknown): InsightPopulation[] {
  const population = asObject(value)
  if (!population) return []
  return [
    {
      ...optional('percentile', text(population.percentile, FIELD_CAPS.identifier)),
      ...optional('device', text(population.device, FIELD_CAPS.identifier)),
      ...optional('latestVersionValue', finite(population.latestVersionValue)),
      ...optional('referenceAverageValue', finite(population.referenceAverageValue)),
      ...optional('deltaPercentage', finite(population.deltaPercentage))
    }
  ]
}

/** `{ [name]: value }` when the value is defined, `{}` otherwise: no undefined keys in reports. */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V }
}
