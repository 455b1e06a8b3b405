import type { AppResolver } from '../asc/builds.js'
import type { BuildFacts, BuildRecords } from '../asc/build-facts.js'
import type { AscClient } from '../asc/client.js'
import { fetchAppMetrics } from '../asc/metrics.js'
import { allSettledOrThrow } from '../concurrency.js'
import type { BuildRef } from '../model.js'
import { DataError } from '../errors.js'
import { oneLine, plural } from '../text.js'
import type { MetricSettings, MetricsData } from './model.js'

export interface BuildSource {
  ref: BuildRef
  /** The build's resolution, already under way for its signatures. */
  resolved: Promise<BuildFacts>
}

/**
 * The gated metrics and the versions to read them for, with as few sequential round trips as
 * the inputs allow: the app and version come from the lookup inputs when they give both (no
 * request), from the lookup itself, or from one build request (app and prerelease version
 * included), which runs alongside the signatures. The metrics request follows: 2 round trips
 * at most for a gate with a build ID.
 */
export async function collectMetrics(
  { client, apps, records }: { client: AscClient; apps: AppResolver; records: BuildRecords },
  settings: MetricSettings,
  build: BuildSource,
  baseline: BuildSource | undefined,
  log: (line: string) => void
): Promise<MetricsData> {
  const current = appAndVersion(apps, records, build)
  const metrics = current.then(({ appId }) => fetchAppMetrics(client, appId, settings))
  // Only `auto` compares with the baseline's version; the metrics do not wait for it.
  const baselineInfo =
    settings.reference === 'auto' && baseline
      ? appAndVersion(apps, records, baseline)
      : Promise.resolve(undefined)
  await allSettledOrThrow<unknown>([metrics, baselineInfo])
  const [{ appId, version }, payload, baselineVersion] = [
    await current,
    await metrics,
    (await baselineInfo)?.version
  ]
  const found = settings.identifiers.map(id => {
    const points = payload?.series.get(id.toLowerCase())?.points.length ?? 0
    return `${id} (${plural(points, 'version')})`
  })
  log(
    payload
      ? `Metrics of app ${appId} (${settings.percentile}, ${settings.device}): ${found.join(', ')}; this build is version ${version ?? '?'}.`
      : `Metrics of app ${appId}: none yet (HTTP 404); Apple publishes them a few days after a release.`
  )
  return {
    appId,
    ...(version ? { version } : {}),
    ...(baselineVersion ? { baselineVersion } : {}),
    ...(payload ? { payload } : {})
  }
}

async function appAndVersion(
  apps: AppResolver,
  records: BuildRecords,
  { ref, resolved }: BuildSource
): Promise<{ appId: string; version?: string }> {
  if (ref.kind === 'id') {
    const { appId, version } = await records.details(ref.id)
    if (!appId) {
      throw new DataError(
        `App Store Connect did not name the app of build ${oneLine(ref.id, 80)}, so its metrics cannot be read.`
      )
    }
    return { appId, ...(version ? { version } : {}) }
  }
  if (ref.kind === 'lookup' && ref.version)
    return { appId: await apps.appId(ref.app), version: ref.version }
  const build = await resolved
  return { appId: await apps.appId(ref.app), ...(build.version ? { version: build.version } : {}) }
}
