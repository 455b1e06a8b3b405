import { AscClient, type ClientOptions } from './asc/client.js'
import { AppResolver, resolveBuild } from './asc/builds.js'
import { fetchBacktrace } from './asc/logs.js'
import { BuildRecords, type BuildFacts } from './asc/build-facts.js'
import { noDataOn404 } from './asc/no-data.js'
import { fetchSignatures } from './asc/signatures.js'
import { TokenSource } from './asc/token.js'
import { allSettledOrThrow, limiter } from './concurrency.js'
import type { Config } from './config/parse.js'
import type { Deadline } from './deadline.js'
import { ASC, LOGS_CONCURRENCY, LOGS_RESERVE_MAX_MS, type DiagnosticType } from './constants.js'
import type { BacktraceResult, BuildRef, SignatureList } from './model.js'
import { collectMetrics } from './metrics/collect.js'
import type { RunHistory } from './history/layout.js'
import type { MetricsData } from './metrics/model.js'
import { DataError, messageOf, ServiceError } from './errors.js'
import { NetworkError } from './http/transport.js'
import { protect } from './secrets.js'
import { plural } from './text.js'

export interface BuildData {
  build: BuildFacts
  lists: Map<DiagnosticType, SignatureList>
}

export interface Collected {
  current: BuildData
  baseline?: BuildData
  backtraces: Map<string, BacktraceResult>
  /** The power and performance metrics, when `metrics` names any. */
  metrics?: MetricsData
  /** With `history: branch` on a guard run: what the data branch held when the run decided. */
  history?: RunHistory
  /** Milliseconds from the start of collection until each part finished. */
  timings: { builds: number; signatures: number; logs: number }
}

/** The App Store Connect client for this run's key; every token it mints is masked. */
export function appStoreClient(
  config: Config,
  options: Omit<ClientOptions, 'baseUrl' | 'tokens'>
): AscClient {
  return new AscClient({
    ...options,
    baseUrl: config.apiBaseUrl,
    tokens: new TokenSource({
      keyId: config.keyId,
      issuerId: config.issuerId,
      key: config.privateKey,
      onMint: protect
    })
  })
}

/** Collects within the deadline, then logs how much of the hourly budget is left. */
export async function collectWithin(
  deadline: Deadline,
  client: AscClient,
  config: Config,
  log: (line: string) => void
): Promise<Collected> {
  const collected = await deadline.run(() =>
    collect(client, config, log, {
      signal: deadline.signal,
      // What the guard keeps to act in: backtraces are given up before it is spent.
      logsUntil: performance.now() + deadline.remainingMs() - logsReserveMs(deadline.remainingMs())
    })
  )
  const { remaining, limit } = client.rateLimit ?? {}
  if (remaining !== undefined) {
    log(
      `App Store Connect budget: ${remaining} of ${limit ?? '?'} requests left this hour (${client.requests} used by this run).`
    )
  }
  return collected
}

/**
 * Everything the gate needs from App Store Connect, with as few sequential round trips as the
 * data allows: both builds resolve and load at once, every type at once, and each type's logs
 * start as soon as its signatures arrive (at most LOGS_CONCURRENCY in flight).
 */
export async function collect(
  client: AscClient,
  config: Config,
  log: (line: string) => void,
  /**
   * The run's deadline (`signal`): metrics and logs still outstanding when it passes are given
   * up; and when logs are no longer waited for (`logsUntil`, a `performance.now()` time).
   */
  limits: { signal?: AbortSignal; logsUntil?: number } = {}
): Promise<Collected> {
  const deadline = limits.signal
  const late = (what: string) =>
    `'timeout-minutes' passed before App Store Connect answered for ${what}`
  const started = performance.now()
  const since = (): number => Math.round(performance.now() - started)
  const timings = { builds: 0, signatures: 0, logs: 0 }
  const inFlight = limiter(LOGS_CONCURRENCY)
  const backtraces = new Map<string, BacktraceResult>()
  const logTasks: Promise<void>[] = []
  const wanted: string[] = []
  let gaveUpLogs = false
  const logsGivenUp = new AbortController()
  const records = new BuildRecords(client)
  const session: Session = {
    client,
    config,
    log,
    apps: new AppResolver(client),
    records,
    fetchLogs: list => {
      for (const { id } of list.signatures.slice(0, logsLimit(config))) {
        wanted.push(id)
        logTasks.push(
          inFlight(() => fetchBacktrace(client, id, logsGivenUp.signal)).then(result => {
            if (gaveUpLogs) return
            // Past the deadline a backtrace is given up, not waited for: it never decides.
            backtraces.set(
              id,
              !result.ok && deadline?.aborted
                ? { ok: false, reason: `Backtrace unavailable: ${late('its logs')}.` }
                : result
            )
            log(`Backtraces: ${backtraces.size} of ${logTasks.length} fetched.`)
          })
        )
      }
    },
    finished: phase => void (timings[phase] = Math.max(timings[phase], since()))
  }
  // Each build resolves once; its signatures and the metrics both wait on it.
  const source = (ref: BuildRef, role: 'build' | 'baseline') => ({
    ref,
    resolved: resolveBuild(client, session.apps, records, ref, role)
  })
  const builds = {
    build: source(config.build, 'build'),
    baseline: config.baseline && source(config.baseline, 'baseline')
  }
  const current = loadBuild(session, builds.build.resolved, 'build')
  const baseline = builds.baseline && loadBuild(session, builds.baseline.resolved, 'baseline')
  const metrics =
    config.metrics &&
    collectMetrics(
      { client, apps: session.apps, records },
      config.metrics,
      builds.build,
      builds.baseline,
      log
    ).catch((error: unknown): MetricsData => {
      // Metrics that cannot be read are evidence missing, not a run lost: each gated metric
      // becomes "no data" (the no-data policy judges it), and the signatures still decide.
      const cancelled = error instanceof NetworkError && error.kind === 'aborted'
      if (!(error instanceof ServiceError || error instanceof DataError || cancelled)) throw error
      const unavailable = deadline?.aborted ? late('the metrics') : messageOf(error)
      log(`Metrics unavailable: ${unavailable}`)
      return { unavailable }
    })
  try {
    await allSettledOrThrow<unknown>([
      current,
      baseline ?? Promise.resolve(),
      metrics ?? Promise.resolve()
    ])
    const collectedMetrics = await metrics
    return {
      current: await current,
      baseline: await baseline,
      backtraces,
      timings,
      ...(collectedMetrics ? { metrics: collectedMetrics } : {})
    }
  } finally {
    // Logs never reject: wait for them, but not past `logsUntil`. Those still out then are
    // given up (their requests end when the run closes its connections).
    const left = limits.logsUntil === undefined ? undefined : limits.logsUntil - performance.now()
    gaveUpLogs = await settledWithin(Promise.all(logTasks), left)
    // Their requests and retries end now, not when their own timeouts run out.
    if (gaveUpLogs) logsGivenUp.abort()
    for (const id of gaveUpLogs ? wanted : []) {
      if (!backtraces.has(id)) {
        backtraces.set(id, {
          ok: false,
          reason: `Backtrace unavailable: its logs had not arrived when 'timeout-minutes' ran short, and the run went on without them.`
        })
      }
    }
    timings.logs = since()
  }
}

/**
 * How many signatures of each type are fetched. With a baseline, whole lists are compared: a
 * signature outside the top `limit` can still regress.
 */
export function fetchLimit(config: Pick<Config, 'baseline' | 'limit'>): number {
  return config.baseline ? ASC.baselineFetchLimit : config.limit
}

/** How many of each type's top signatures get their backtraces: `include-logs`, within `limit`. */
export function logsLimit(config: Pick<Config, 'includeLogs' | 'limit'>): number {
  return Math.min(config.includeLogs, config.limit)
}

/**
 * What `timeout-minutes` keeps for the release guard after the logs: a quarter of the budget,
 * at most LOGS_RESERVE_MAX_MS.
 */
function logsReserveMs(budgetMs: number): number {
  return Math.min(LOGS_RESERVE_MAX_MS, budgetMs / 4)
}

/** Whether `work` was still running after `ms` (true) or finished in time (false). */
async function settledWithin(work: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) return work.then(() => false)
  ms = Math.max(0, ms)
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<boolean>(resolve => (timer = setTimeout(() => resolve(true), ms)))
  try {
    return await Promise.race([work.then(() => false), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A build given by its ID gets its label ("2.4.0 (412)") from its one read by ID, asked
 * alongside its signatures and shared with the metrics and the no-data check; after an error
 * there it is named by its ID alone.
 */
async function withDetails(build: BuildFacts, details: Promise<BuildFacts>): Promise<BuildFacts> {
  return (await details.catch(() => undefined)) ?? build
}

/** What loading one build shares with the rest of the collection. */
interface Session {
  client: AscClient
  config: Config
  log: (line: string) => void
  apps: AppResolver
  /** What is known of each build: label, app, version, existence. */
  records: BuildRecords
  /** Starts fetching the backtraces of a list's top signatures. */
  fetchLogs: (list: SignatureList) => void
  /** Notes that a build finished a phase now. */
  finished: (phase: 'builds' | 'signatures') => void
}

async function loadBuild(
  session: Session,
  resolved: Promise<BuildFacts>,
  role: 'build' | 'baseline'
): Promise<BuildData> {
  const { client, config, log } = session
  const build = await resolved
  session.finished('builds')
  // Started now, so the label costs a request but no round trip.
  const details = build.label ? undefined : session.records.details(build.id)
  const count = fetchLimit(config)
  const lists = await allSettledOrThrow(
    config.types.map(async type => {
      const { value: list, notFound } = await noDataOn404(
        () =>
          fetchSignatures(
            client,
            build.id,
            type,
            count,
            role === 'build' ? 'build-id' : 'baseline-build-id'
          ),
        () => ({ type, signatures: [], complete: true }),
        () => session.records.exists(build.id)
      )
      log(
        `${role === 'build' ? 'Build' : 'Baseline'} ${type}: ${notFound ? 'no data yet (HTTP 404 for a build that exists)' : plural(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`
      )
      if (role === 'build') session.fetchLogs(list)
      return list
    })
  )
  session.finished('signatures')
  const named = details ? await withDetails(build, details) : build
  if (named.label)
    log(
      `The ${role} is ${named.label}: ${named.id}${named.processingState && named.processingState !== 'VALID' ? ` (${named.processingState})` : ''}.`
    )
  return { build: named, lists: new Map(lists.map(list => [list.type, list])) }
}
