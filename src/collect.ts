import type { AscClient } from './asc/client.js'
import { AppResolver, resolveBuild, type ResolvedBuild } from './asc/builds.js'
import { fetchBacktrace } from './asc/logs.js'
import { fetchSignatures } from './asc/signatures.js'
import { allSettledOrThrow, limiter } from './concurrency.js'
import type { BuildRef, Config } from './config.js'
import { ASC, LOGS_CONCURRENCY, type DiagnosticType } from './constants.js'
import type { BacktraceResult, SignatureList } from './model.js'
import { collectMetrics } from './metrics/collect.js'
import type { MetricsData } from './metrics/model.js'
import { plural } from './text.js'

export interface BuildData {
  build: ResolvedBuild
  lists: Map<DiagnosticType, SignatureList>
}

export interface Collected {
  current: BuildData
  baseline?: BuildData
  backtraces: Map<string, BacktraceResult>
  /** The power and performance metrics, when `metrics` names any. */
  metrics?: MetricsData
  /** Milliseconds from the start of collection until each part finished. */
  timings: { builds: number; signatures: number; logs: number }
}

/**
 * Everything the gate needs from App Store Connect, with as few sequential round trips as the
 * data allows: both builds resolve and load at once, every type at once, and each type's logs
 * start as soon as its signatures arrive (at most LOGS_CONCURRENCY in flight).
 */
export async function collect(
  client: AscClient,
  config: Config,
  log: (line: string) => void
): Promise<Collected> {
  const started = performance.now()
  const since = (): number => Math.round(performance.now() - started)
  const timings = { builds: 0, signatures: 0, logs: 0 }
  const apps = new AppResolver(client)
  const inFlight = limiter(LOGS_CONCURRENCY)
  const backtraces = new Map<string, BacktraceResult>()
  const logTasks: Promise<void>[] = []
  // With a baseline, compare whole lists: a signature outside the top `limit` can still regress.
  const fetchLimit = config.baseline ? ASC.baselineFetchLimit : config.limit

  // Each build resolves once; the signatures and the metrics both wait on it.
  const resolving = (ref: BuildRef, role: 'build' | 'baseline') => ({
    ref,
    resolved: resolveBuild(client, apps, ref, role)
  })
  const builds = {
    build: resolving(config.build, 'build'),
    baseline: config.baseline && resolving(config.baseline, 'baseline')
  }

  const load = async (
    resolved: Promise<ResolvedBuild>,
    role: 'build' | 'baseline'
  ): Promise<BuildData> => {
    const build = await resolved
    timings.builds = Math.max(timings.builds, since())
    if (build.label)
      log(
        `The ${role} is ${build.label}: ${build.id}${build.processingState && build.processingState !== 'VALID' ? ` (${build.processingState})` : ''}.`
      )
    const lists = await allSettledOrThrow(
      config.types.map(async type => {
        const list = await fetchSignatures(
          client,
          build.id,
          type,
          fetchLimit,
          role === 'build' ? 'build-id' : 'baseline-build-id'
        )
        log(
          `${role === 'build' ? 'Build' : 'Baseline'} ${type}: ${plural(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`
        )
        if (role === 'build') {
          for (const signature of list.signatures.slice(
            0,
            Math.min(config.includeLogs, config.limit)
          )) {
            logTasks.push(
              inFlight(() => fetchBacktrace(client, signature.id)).then(result => {
                backtraces.set(signature.id, result)
              })
            )
          }
        }
        return list
      })
    )
    timings.signatures = Math.max(timings.signatures, since())
    return { build, lists: new Map(lists.map(list => [list.type, list])) }
  }

  try {
    const [current, baseline, metrics] = await allSettledOrThrow<
      BuildData | MetricsData | undefined
    >([
      load(builds.build.resolved, 'build'),
      builds.baseline ? load(builds.baseline.resolved, 'baseline') : Promise.resolve(undefined),
      config.metrics
        ? collectMetrics(client, apps, config.metrics, builds.build, builds.baseline, log)
        : Promise.resolve(undefined)
    ])
    return {
      current: current as BuildData,
      baseline: baseline as BuildData | undefined,
      backtraces,
      timings,
      ...(metrics ? { metrics: metrics as MetricsData } : {})
    }
  } finally {
    // Logs never reject; wait for them so nothing is in flight when the run moves on.
    await Promise.all(logTasks)
    timings.logs = since()
  }
}
