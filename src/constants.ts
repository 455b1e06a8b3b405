// Every limit and API constant in one place, so a reviewer can audit them together.

export const ACTION_NAME = 'asc-diagnostics-gate'
/** The action's repository, whose README is its documentation. */
export const ACTION_URL = 'https://github.com/asc-diagnostics-gate/asc-diagnostics-gate'
/** Where the README explains what happens on a fork's pull request. */
export const FORK_DOCS_URL = `${ACTION_URL}#pull-requests-from-forks`

export const DIAGNOSTIC_TYPES = ['HANGS', 'DISK_WRITES', 'LAUNCHES'] as const
export type DiagnosticType = (typeof DIAGNOSTIC_TYPES)[number]

export const TYPE_LABELS: Readonly<Record<DiagnosticType, string>> = {
  HANGS: 'Hangs',
  DISK_WRITES: 'Disk writes',
  LAUNCHES: 'Launches'
}

/** What a signature's weight is a share of: `Hangs: 85.0% of hang time`. */
export const TYPE_SHARES: Readonly<Record<DiagnosticType, string>> = {
  HANGS: 'hang time',
  DISK_WRITES: 'disk writes',
  LAUNCHES: 'launch time'
}

export const PLATFORMS = ['IOS', 'MAC_OS', 'TV_OS', 'VISION_OS'] as const
export type Platform = (typeof PLATFORMS)[number]

/**
 * An App Store Connect resource ID (build, app; a signature's is 66 hex characters) or key ID
 * as this action accepts it, from an input or a response: it goes into URLs, outputs and the
 * report.
 */
export const RESOURCE_ID = /^[A-Za-z0-9_-]{1,128}$/

export const ASC = {
  defaultBaseUrl: 'https://api.appstoreconnect.apple.com',
  audience: 'appstoreconnect-v1',
  /** Apple rejects tokens that live longer than 20 minutes; stay well inside. */
  tokenLifetimeSeconds: 15 * 60,
  /** Mint a new token when the current one has less than this left. */
  tokenRefreshMarginSeconds: 2 * 60,
  /** `limit` on diagnosticSignatures and builds is at most 200. */
  maxPageSize: 200,
  /** With a baseline, the whole top list is compared, not only the reported part. */
  baselineFetchLimit: 200,
  /** The only attributes the gate reads, for `fields[diagnosticSignatures]`. */
  signatureFields: ['diagnosticType', 'signature', 'weight', 'insight'],
  logsContentType: 'application/vnd.apple.diagnostic-logs+json',
  /** perfPowerMetrics answers only this type; a plain JSON Accept has been reported to get 406. */
  metricsContentType: 'application/vnd.apple.xcode-metrics+json',
  /** Safety net against a server that keeps returning pages. */
  maxPages: 100,
  /** Bounds the whole App Store Connect phase unless `timeout-minutes` says otherwise. */
  defaultTimeoutMinutes: 10,
  /** GitHub's own limit on a job: 6 hours. */
  maxTimeoutMinutes: 360
} as const

/**
 * Every string read from App Store Connect is cut to one of these lengths (with …) as it is
 * parsed, so no later step can be handed megabytes of text.
 */
export const FIELD_CAPS = {
  signature: 4_000,
  /** Versions and build numbers. */
  version: 64,
  /** Resource IDs, processing states, dates. */
  identifier: 200,
  /** Reference versions kept per TREND insight. */
  referenceVersions: 10,
  /** Units and goal ratings of a metric, such as "ms" or "fair". */
  metricLabel: 40,
  /** Apple's summary sentence of a metrics insight. */
  insightSummary: 500,
  /**
   * Points shown per metric (one per version), the newest up to the build's version; the
   * decision reads every point Apple sent.
   */
  metricPoints: 50,
  /** Insights and populations kept, once filtered to the gated metrics. */
  metricListItems: 50,
  /** Populations (percentile × device) kept per insight, before the gated one is picked. */
  insightPopulations: 200
} as const

/** The only hosts whose links from App Store Connect data render as links. */
export const LINK_ORIGINS = ['https://developer.apple.com', 'https://help.apple.com'] as const

/**
 * A key file (`ASC_PRIVATE_KEY_PATH`) larger than this is not a .p8 key (about 250 bytes): refused
 * unread, so a path such as /dev/zero or a log file cannot fill the memory.
 */
export const KEY_FILE_MAX_BYTES = 64 * 1024

/** A response larger than this is not a diagnostics page: refused, not buffered or retried. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024
/**
 * A collection page (signatures, builds, versions, apps) larger than this is refused: Apple's
 * pages hold at most 200 resources, well under 1 MB with every field.
 */
export const PAGE_MAX_BYTES = 2 * 1024 * 1024

export const RETRY = {
  /** First try plus retries. */
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  /** A longer Retry-After is not worth holding the runner for: give up at once. */
  retryAfterCapMs: 30_000,
  /** Total time spent waiting between attempts, across all requests of one call. */
  totalWaitBudgetMs: 45_000,
  requestTimeoutMs: 30_000
} as const

/**
 * Weights and thresholds are decimal fractions held in binary floating point: 0.14 − 0.09 is
 * 0.05000000000000002. Differences below this are rounding, not a breach or a regression.
 */
export const WEIGHT_EPSILON = 1e-9

/** Apple's insights compare with the average of up to this many earlier versions; so does `average`. */
export const METRIC_AVERAGE_VERSIONS = 4

/** At most this many logs requests in flight: Apple answers bursts with 429. */
export const LOGS_CONCURRENCY = 4
/**
 * Logs are given up when a quarter of `timeout-minutes`, at most this much, is left, so the
 * release guard keeps time to act on the verdict.
 */
export const LOGS_RESERVE_MAX_MS = 30_000
/**
 * A logs response larger than this becomes "backtrace unavailable" instead of being read: with
 * LOGS_CONCURRENCY in flight, each held whole and then parsed, it bounds the action's memory.
 * Real responses (5 logs of a few hundred frames each) are tens to hundreds of KB.
 */
export const LOGS_MAX_BYTES = 4 * 1024 * 1024
/**
 * Frames shown per backtrace: every blamed frame and every frame Apple tagged with an insight
 * category, with `context` frames on each side, then more callers up to `atLeast`; never more
 * than `maxFrames`. What is left out shows as "… N frames …". At most `maxInsights` of Apple's
 * insight sentences are kept per backtrace.
 */
export const BACKTRACE = { maxFrames: 24, context: 2, atLeast: 8, maxInsights: 10 } as const

export const GITHUB_LIMITS = {
  commentMaxChars: 65_536,
  /** Headroom under the hard limit for the truncation note and the marker. */
  commentBudgetChars: 65_000,
  summaryMaxBytes: 1024 * 1024,
  // The report also goes to the `report` output, which GitHub caps at 1 MB.
  summaryBudgetBytes: 990_000,
  /** GitHub's limit on each step output. */
  outputMaxBytes: 1024 * 1024,
  /** Annotations per step GitHub shows for each level. */
  maxAnnotations: 10,
  commentsPerPage: 100
} as const

/**
 * The JSON report's shape (schema/report.schema.json). From 2 on it is a decision record: what
 * `replay` needs to derive the verdict again. A replay reads this version only.
 */
export const JSON_REPORT_SCHEMA_VERSION = 2
/**
 * A record larger than this was not written by a run: with every cap reached it is at most
 * 95 MB (README, checked by record-size.test.ts); a typical one is tens of KB.
 */
export const RECORD_MAX_BYTES = 128 * 1024 * 1024

/** Apple's phased release: the share of users on automatic updates on each of its 7 days. */
export const PHASED_RELEASE = {
  days: 7,
  userPercentByDay: [1, 2, 5, 10, 20, 50, 100],
  /** Pauses may add up to this many days per version. */
  maxPauseDays: 30,
  /** Roles that may pause a rollout (Account Holder too, but it has no API keys). */
  rolesThatPause: 'Admin or App Manager',
  /** `fields[appStoreVersionPhasedReleases]`: everything the report shows. */
  fields: ['phasedReleaseState', 'startDate', 'totalPauseDuration', 'currentDayNumber']
} as const

/** The guard's history on a data branch (issue 24): its bounds. */
export const HISTORY = {
  defaultBranch: 'asc-diagnostics-history',
  defaultKeepVersions: 10,
  maxKeepVersions: 100,
  maxConfirmRuns: 10,
  /** A write that loses the race for the branch is read again and retried: at most this often. */
  attempts: 4,
  /** Before a retry, between this and twice this: guards that collided do not collide again. */
  retryDelayMs: 200,
  /** An index lists at most this many runs, the newest (a run every 10 minutes for 7 days is 1,008). */
  maxRunsPerVersion: 1000,
  /** An index entry names at most this many findings, those `pause-on` names first. */
  maxFindingsPerRun: 20,
  /** `same-day` takes the previous version's run at most this many rollout days away. */
  sameDayDistance: 1
} as const

/**
 * App Store version states (`appVersionState`) that mean live now, and live before; and the
 * deprecated `appStoreState`'s "live", still read when a response carries only that field.
 */
export const VERSION_STATES = {
  live: 'READY_FOR_DISTRIBUTION',
  replaced: 'REPLACED_WITH_NEW_VERSION',
  deprecatedLive: 'READY_FOR_SALE',
  /** READY_FOR_DISTRIBUTION also covers these: ready, but taken off sale. */
  removedFromSale: ['REMOVED_FROM_SALE', 'DEVELOPER_REMOVED_FROM_SALE']
} as const

/** Finding the blamed source file in the checked-out workspace. */
export const SOURCE_LOOKUP = {
  /** Vendored and generated code: never the app's own file, even when its name matches. */
  excludedDirs: ['Pods', 'Carthage', '.build', 'DerivedData', 'node_modules'],
  /**
   * A workspace without a git index is walked, breadth-first; past this many files, or this many
   * folders (empty ones cost as much to read), the walk stops and the report says so.
   */
  maxWalkedFiles: 200_000,
  maxWalkedFolders: 50_000,
  /**
   * The walk also stops after this long, or sooner when the run's `timeout-minutes` (counted
   * from its start) runs out: a slow or huge file system cannot hold the runner.
   */
  walkBudgetMs: 30_000,
  /** The git index of a very large monorepo still fits (about 100 bytes a tracked file). */
  maxGitIndexBytes: 256 * 1024 * 1024
} as const
