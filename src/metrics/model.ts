// Apple's power and performance metrics (perfPowerMetrics): absolute rates per App Store version,
// as opposed to the shares (weights) of diagnostic signatures.
import type { Platform } from '../constants.js'

export const METRIC_CATEGORIES = [
  'HANG',
  'LAUNCH',
  'MEMORY',
  'DISK',
  'BATTERY',
  'TERMINATION',
  'ANIMATION',
  'STORAGE'
] as const
export type MetricCategory = (typeof METRIC_CATEGORIES)[number]

export interface KnownMetric {
  identifier: string
  category: MetricCategory
  label: string
  /** The unit Apple uses, for the README and when a payload names none. */
  unit: string
  /** Who documents the identifier: Apple's docs, or only third-party code that parses payloads. */
  source: 'apple' | 'third-party'
}

/**
 * The identifiers whose direction is known: for each, a higher value is worse. Any other
 * identifier is reported but never gated.
 */
export const KNOWN_METRICS: readonly KnownMetric[] = [
  { identifier: 'hangRate', category: 'HANG', label: 'Hang rate', unit: 's/hr', source: 'apple' },
  {
    identifier: 'launchTime',
    category: 'LAUNCH',
    label: 'Launch time',
    unit: 'ms',
    source: 'apple'
  },
  {
    identifier: 'scrollHitchRate',
    category: 'ANIMATION',
    label: 'Scroll hitch rate',
    // Apple's only example names it "%" (`unit.displayName`), not a time per second.
    unit: '%',
    source: 'apple'
  },
  {
    identifier: 'diskWrites',
    category: 'DISK',
    label: 'Disk writes',
    unit: 'MB',
    source: 'third-party'
  },
  {
    identifier: 'peakMemory',
    category: 'MEMORY',
    label: 'Peak memory',
    unit: 'MB',
    source: 'third-party'
  },
  {
    identifier: 'memoryAtSuspension',
    category: 'MEMORY',
    label: 'Memory at suspension',
    unit: 'MB',
    source: 'third-party'
  }
]

/** What `metrics` accepts as an identifier, and the index of the guard's history keeps. */
export const METRIC_IDENTIFIER = /^[A-Za-z][A-Za-z0-9]{0,63}$/
/** What `metric-device` accepts: `all_iphones`, `all_ipads`, or a model such as `iPhone15,2`. */
export const METRIC_DEVICE = /^(all_[a-z]{1,20}|[A-Za-z]{1,20}\d{1,3},\d{1,3})$/

export function knownMetric(identifier: string): KnownMetric | undefined {
  const wanted = identifier.toLowerCase()
  return KNOWN_METRICS.find(m => m.identifier.toLowerCase() === wanted)
}

/** A known identifier as this tool spells it (`hangrate` → `hangRate`); any other as given. */
export function metricIdentifier(identifier: string): string {
  return knownMetric(identifier)?.identifier ?? identifier
}

export type Percentile = 'p50' | 'p90'
export const PERCENTILE_KEYS: Readonly<Record<Percentile, string>> = {
  p50: 'percentile.fifty',
  p90: 'percentile.ninety'
}

export type MetricReference = 'auto' | 'previous' | 'average' | 'same-day'
export type AppleRegressions = 'report' | 'fail' | 'ignore'

/** The metric inputs, validated. */
export interface MetricSettings {
  /** Canonical spelling for known identifiers, as given for others. */
  readonly identifiers: readonly string[]
  readonly percentile: Percentile
  readonly device: string
  /** Largest allowed relative rise over the reference (0.1 = 10%). */
  readonly maxIncrease: number
  readonly reference: MetricReference
  readonly appleRegressions: AppleRegressions
  /** The `platform` input: Apple's metrics filter knows only IOS. */
  readonly platform: Platform
}

/** One version's value in the dataset for the gated percentile and device. */
export interface MetricPoint {
  /** Sanitized and capped; may be anything Apple sent. */
  version: string
  value: number
  errorMargin?: number
  /** Apple's rating of the value, such as "fair". */
  goal?: string
}

/** One metric as Apple sent it, reduced to the dataset for the gated percentile and device. */
export interface MetricSeries {
  identifier: string
  category?: MetricCategory
  unit?: string
  recommendedGoal?: { value: number; detail?: string }
  points: MetricPoint[]
}

export interface InsightPopulation {
  percentile?: string
  device?: string
  latestVersionValue?: number
  referenceAverageValue?: number
  deltaPercentage?: number
}

/** One of Apple's own regression or trending-up insights. */
export interface AppleInsight {
  kind: 'regression' | 'trendingUp'
  metric: string
  category?: MetricCategory
  latestVersion?: string
  referenceVersions: string[]
  highImpact?: boolean
  summary?: string
  populations: InsightPopulation[]
}

export interface MetricsPayload {
  /** Keyed by the lower-cased identifier. */
  series: Map<string, MetricSeries>
  insights: AppleInsight[]
}

/** What App Store Connect gave for the gated metrics. */
export interface MetricsData {
  /** Undefined when the metrics could not be read before the app was known. */
  appId?: string
  /** The marketing version of the gated build. */
  version?: string
  /** The baseline build's marketing version, when the reference is the baseline's. */
  baselineVersion?: string
  /** Undefined when Apple has no data yet (404 or an empty productData). */
  payload?: MetricsPayload
  /**
   * Why the metrics could not be read at all (after retries, or past 'timeout-minutes'): every
   * gated metric is then "no data", and the signatures still decide.
   */
  unavailable?: string
}

export type MetricStatus = 'regressed' | 'ok' | 'no-data' | 'not-gated'

export interface MetricReferenceValue {
  mode: 'baseline' | 'previous' | 'average' | 'same-day'
  versions: string[]
  value: number
  errorMargin: number
  /** `same-day`: the previous version's rollout day compared with, and that run's record. */
  day?: number
  run?: string
  /** `same-day` that fell back to `previous`: why (no run of that version near the day). */
  fallback?: string
}

/**
 * The previous version's recorded figure at this run's rollout day, for `same-day`: found, or
 * why not (the caller falls back to `previous` and says so).
 */
export type SameDayFigure =
  | { version: string; value: number; errorMargin: number; day: number; run: string }
  | { missing: string }

/** One gated metric with the gate's judgement of it. */
export interface MetricOutcome {
  identifier: string
  label: string
  category?: MetricCategory
  unit?: string
  percentile: Percentile
  device: string
  version?: string
  point?: MetricPoint
  recommendedGoal?: { value: number; detail?: string }
  reference?: MetricReferenceValue
  /** Relative change over the reference (0.23 = +23%); Infinity from a reference of 0. */
  change?: number
  /** `max-metric-increase`, so the change is shown at the precision that decided it. */
  limit?: number
  status: MetricStatus
  /** Why the status is what it is, in a few words, for no-data and not-gated. */
  reason?: string
  regressedByRule: boolean
  regressedByApple: boolean
  appleInsight?: AppleInsight
  /** Every point Apple returned for this metric, oldest version first. */
  points: MetricPoint[]
}

export interface MetricsVerdict {
  /** Why the metrics could not be read at all, when they could not (see MetricsData). */
  unavailable?: string
  settings: MetricSettings
  version?: string
  baselineVersion?: string
  outcomes: MetricOutcome[]
  regressions: MetricOutcome[]
  noData: MetricOutcome[]
}
