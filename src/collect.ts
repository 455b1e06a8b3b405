import type { AscClient } from './asc/client.js'
import { AppResolver, resolveBuild, type ResolvedBuild } from './asc/builds.js'
import { fetchBacktrace } from './asc/logs.js'
import { BuildExistence, noDataOn404 } from './asc/no-data.js'
import { fetchSignatures } from './asc/signatures.js'
import { allSettledOrThrow, limiter } from './concurrency.js'
import type { BuildRef, Config } from './config.js'
import { ASC, LOGS_CONCURRENCY, type DiagnosticType } from './constants.js'
import type { BacktraceResult, SignatureList } from './model.js'
import { plural } from './text.js'

export interface BuildData {
  build: ResolvedBuild
  lists: Map<DiagnosticType, SignatureList>
}

export interface Collected {
  current: BuildData
  baseline?: BuildData
  backtraces: Map<string, BacktraceResult>
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
  const existence = new BuildExistence(client)
  const inFlight = limiter(LOGS_CONCURRENCY)
  const backtraces = new Map<string, BacktraceResult>()
  const logTasks: Promise<void>[] = []
  // With a baseline, compare whole lists: a signature outside the top `limit` can still regress.
  const fetchLimit = config.baseline ? ASC.baselineFetchLimit : config.limit

  const load = async (ref: BuildRef, role: 'build' | 'baseline'): Promise<BuildData> => {
    const build = await resolveBuild(client, apps, ref, role)
    timings.builds = Math.max(timings.builds, since())
    if (build.label)
      log(
        `The ${role} is ${build.label}: ${build.id}${build.processingState && build.processingState !== 'VALID' ? ` (${build.processingState})` : ''}.`
      )
    const lists = await allSettledOrThrow(
      config.types.map(async type => {
        const { value: list, notFound } = await noDataOn404(
          () =>
            fetchSignatures(
              client,
              build.id,
              type,
              fetchLimit,
              role === 'build' ? 'build-id' : 'baseline-build-id'
            ),
          () => ({ type, signatures: [], complete: true }),
          () => existence.exists(build)
        )
        log(
          `${role === 'build' ? 'Build' : 'Baseline'} ${type}: ${notFound ? 'no data yet (HTTP 404 for a build that exists)' : plural(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`
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
    const [current, baseline] = await allSettledOrThrow<BuildData | undefined>([
      load(config.build, 'build'),
      config.baseline ? load(config.baseline, 'baseline') : Promise.resolve(undefined)
    ])
    return { current: current!, baseline, backtraces, timings }
  } finally {
    // Logs never reject; wait for them so nothing is in flight when the run moves on.
    await Promise.all(logTasks)
    timings.logs = since()
  }
}
