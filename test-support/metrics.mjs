// @ts-check
// Power and performance metrics (xcodeMetrics) for the simulator, shaped as Apple's spec says,
// plus the drift real payloads show: percentageBreakdown as an array, referenceVersions as an
// array, platform "iOS". Shared by the tests, the demo and the benchmark.

export const METRICS_MEDIA_TYPE = 'application/vnd.apple.xcode-metrics+json'

/**
 * Units as the payloads spell them: launchTime's from Apple's documentation example, the others
 * modelled on it. `onScreenBatteryDrain` stands for an identifier whose direction the gate does
 * not know.
 * @type {Record<string, { category: string, unit: { identifier: string, displayName: string } }>}
 */
const METRICS = {
  hangRate: { category: 'HANG', unit: { identifier: 'secondsPerHour', displayName: 's/hr' } },
  launchTime: { category: 'LAUNCH', unit: { identifier: 'milliseconds', displayName: 'ms' } },
  diskWrites: { category: 'DISK', unit: { identifier: 'megabytes', displayName: 'MB' } },
  peakMemory: { category: 'MEMORY', unit: { identifier: 'megabytes', displayName: 'MB' } },
  memoryAtSuspension: { category: 'MEMORY', unit: { identifier: 'megabytes', displayName: 'MB' } },
  scrollHitchRate: {
    category: 'ANIMATION',
    unit: { identifier: 'scrollHitchRate', displayName: '%' }
  },
  onScreenBatteryDrain: { category: 'BATTERY', unit: { identifier: 'percent', displayName: '%' } }
}

/** The other populations are the given p50-on-iPhones values scaled, so filters visibly matter. */
const POPULATIONS = [
  { percentile: 'percentile.fifty', device: 'all_iphones', scale: 1 },
  { percentile: 'percentile.ninety', device: 'all_iphones', scale: 2 },
  { percentile: 'percentile.fifty', device: 'all_ipads', scale: 0.8 },
  { percentile: 'percentile.ninety', device: 'all_ipads', scale: 1.6 }
]

/**
 * @typedef {{ version: string, value: number, errorMargin?: number, goal?: string }} Point
 * @typedef {{ percentageBreakdown?: boolean, referenceVersions?: boolean, platform?: boolean, apple?: boolean }} Drift
 *   each true switches one documented drift on. `apple` is the shape of Apple's own examples:
 *   platform "iOS", referenceVersions a list, no percentageBreakdown, goalKeys with open
 *   bounds, no `insights` key without insights, and each insight with p50 and p90 populations.
 * @typedef {{
 *   metric: string, latestVersion: string, referenceVersions: string[], latest: number,
 *   average: number, highImpact?: boolean, percentile?: string, device?: string
 * }} InsightSpec
 */

/**
 * An xcodeMetrics document: `series` gives each metric's p50 points on all iPhones.
 * @param {{ series: Record<string, Point[]>, regressions?: InsightSpec[], trendingUp?: InsightSpec[], drift?: Drift }} spec
 */
export function metricsDocument({ series, regressions = [], trendingUp = [], drift = {} }) {
  /** @type {Map<string, object[]>} */
  const byCategory = new Map()
  for (const [identifier, points] of Object.entries(series)) {
    const { category, unit } = METRICS[identifier] ?? {
      category: 'HANG',
      unit: { identifier: 'count', displayName: 'count' }
    }
    const metric = {
      identifier,
      goalKeys: drift.apple
        ? [
            { goalKey: 'poor', lowerBound: 10 },
            { upperBound: 10, goalKey: 'fair', lowerBound: 5 },
            { upperBound: 5, goalKey: 'good', lowerBound: 0 }
          ]
        : [{ goalKey: 'good', lowerBound: 0, upperBound: 1 }],
      unit,
      datasets: POPULATIONS.map(({ percentile, device, scale }) => ({
        filterCriteria: { percentile, device, deviceMarketingName: deviceName(device) },
        points: points.map(p => point(p, scale, drift))
      }))
    }
    byCategory.set(category, [...(byCategory.get(category) ?? []), metric])
  }
  const noInsights = drift.apple && !regressions.length && !trendingUp.length
  return {
    version: '1.0.0',
    ...(noInsights
      ? {}
      : {
          insights: {
            trendingUp: trendingUp.map(spec => insight(spec, drift)),
            regressions: regressions.map(spec => insight(spec, drift))
          }
        }),
    productData: [
      {
        platform: drift.platform || drift.apple ? 'iOS' : 'IOS',
        metricCategories: [...byCategory].map(([identifier, metrics]) => ({ identifier, metrics }))
      }
    ]
  }
}

/** @param {Point} p @param {number} scale @param {Drift} drift */
function point(p, scale, drift) {
  const round = (/** @type {number} */ n) => Number((n * scale).toFixed(3))
  const breakdown = { value: 0.6, subSystemLabel: 'App' }
  return {
    version: p.version,
    value: round(p.value),
    ...(p.errorMargin !== undefined ? { errorMargin: round(p.errorMargin) } : {}),
    ...(p.goal ? { goal: p.goal } : {}),
    ...(drift.apple
      ? {}
      : {
          percentageBreakdown: drift.percentageBreakdown
            ? [breakdown, { value: 0.4, subSystemLabel: 'System' }]
            : breakdown
        })
  }
}

/** @param {InsightSpec} spec @param {Drift} drift */
function insight(spec, drift) {
  const percent = Number((((spec.latest - spec.average) / spec.average) * 100).toFixed(1))
  return {
    metricCategory: METRICS[spec.metric]?.category ?? 'HANG',
    latestVersion: spec.latestVersion,
    metric: spec.metric,
    summaryString: `${spec.metric} regressed ${percent}% in ${spec.latestVersion}`,
    referenceVersions:
      drift.referenceVersions || drift.apple
        ? spec.referenceVersions
        : spec.referenceVersions.join(', '),
    maxLatestVersionValue: spec.latest,
    highImpact: spec.highImpact ?? false,
    populations: (drift.apple ? [1, 2] : [1]).map(scale => ({
      deltaPercentage: percent,
      percentile: scale === 1 ? (spec.percentile ?? 'percentile.fifty') : 'percentile.ninety',
      summaryString: `${percent}% worse than the average of earlier versions`,
      referenceAverageValue: spec.average * scale,
      latestVersionValue: spec.latest * scale,
      device: spec.device ?? 'all_iphones'
    }))
  }
}

/** @param {string} device */
function deviceName(device) {
  return device === 'all_ipads' ? 'All iPads' : 'All iPhones'
}

// ---------------------------------------------------------------- fixtures

/** App Store versions with data; the sample build is 2.4.0 and the baseline 2.3.0. */
const VERSIONS = ['2.0.0', '2.1.0', '2.2.0', '2.3.0']

/**
 * @param {number[]} values one per earlier version, then the current one
 * @param {number} [margin]
 * @param {number} [poor] from this value on, Apple's goal rating is "poor" rather than "fair"
 */
function history(values, margin = 0.1, poor = 3) {
  return values.map((value, i) => ({
    version: VERSIONS[i] ?? '2.4.0',
    value,
    errorMargin: margin,
    goal: value >= poor ? 'poor' : 'fair'
  }))
}

const LAUNCH_TIME = history([900, 905, 910, 915, 960], 5, 1000)
/** @type {InsightSpec} */
const LAUNCH_INSIGHT = {
  metric: 'launchTime',
  latestVersion: '2.4.0',
  referenceVersions: VERSIONS,
  latest: 960,
  average: 907.5
}

export const METRIC_FIXTURES = {
  /** Nothing moved. */
  steady: () => metricsDocument({ series: { hangRate: history([2.4, 2.5, 2.4, 2.5, 2.5]) } }),
  /** Hang rate from 2.5 to 4.1 s/hr with small margins: a regression by any reference. */
  clearRegression: () =>
    metricsDocument({ series: { hangRate: history([1.9, 2.1, 2.3, 2.5, 4.1]) } }),
  /** +20% over 2.3.0, but 3.0 ± 0.4 overlaps 2.5 ± 0.2: a low-volume version, noise. */
  withinMargin: () =>
    metricsDocument({
      series: {
        hangRate: [
          ...history([2.4, 2.5, 2.4], 0.1),
          { version: '2.3.0', value: 2.5, errorMargin: 0.2 },
          { version: '2.4.0', value: 3.0, errorMargin: 0.4 }
        ]
      }
    }),
  /** Data for the earlier versions only: 2.4.0 is too new. */
  versionMissing: () => metricsDocument({ series: { hangRate: history([1.9, 2.1, 2.3, 2.5]) } }),
  /** Launch time +4.9% over 2.3.0 (under 10%), but Apple's insight calls it a regression. */
  appleOnly: () =>
    metricsDocument({
      series: { launchTime: LAUNCH_TIME },
      regressions: [LAUNCH_INSIGHT]
    }),
  /** The demo's 2.4.0: the hang rate regressed; launch time rose 4.9%, which only Apple flags. */
  releaseCandidate: () =>
    metricsDocument({
      series: { hangRate: history([1.9, 2.1, 2.3, 2.5, 4.1]), launchTime: LAUNCH_TIME },
      regressions: [LAUNCH_INSIGHT]
    })
}

/**
 * Apple's shape, with two-part versions: launch time from 1.0 to 2.0 without margins or goals,
 * and an insight with both percentiles; `rise` sets 2.0's change over 1.3 (0.0995 is +9.95%).
 * @param {{ rise?: number, insight?: boolean }} [options]
 */
export function appleShapedMetrics({ rise = 0.0995, insight = false } = {}) {
  const values = [768.7, 750, 992.3, 1000]
  const points = [...values, Number((1000 * (1 + rise)).toFixed(3))].map((value, i) => ({
    version: ['1.0', '1.1', '1.2', '1.3', '2.0'][i],
    value
  }))
  return metricsDocument({
    series: {
      launchTime: points,
      scrollHitchRate: points.map(p => ({ ...p, value: 6.5, goal: 'fair' }))
    },
    regressions: insight
      ? [
          {
            metric: 'launchTime',
            latestVersion: '2.0',
            referenceVersions: ['1.0', '1.1', '1.2', '1.3'],
            latest: points[4].value,
            average: 877.75
          }
        ]
      : [],
    drift: { apple: true }
  })
}

/** The clear regression with each documented drift switched on. @param {Drift} drift */
export function driftFixture(drift) {
  return metricsDocument({
    series: { hangRate: history([1.9, 2.1, 2.3, 2.5, 4.1]) },
    regressions: [
      {
        metric: 'hangRate',
        latestVersion: '2.4.0',
        referenceVersions: VERSIONS,
        latest: 4.1,
        average: 2.2,
        highImpact: true
      }
    ],
    drift
  })
}
