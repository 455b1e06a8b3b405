import { FIELD_CAPS, type Platform } from '../constants.js'
import { ServiceError } from '../errors.js'
import { oneLine } from '../text.js'
import type { AppRef, BuildRef } from '../model.js'
import { versionSpellings } from '../versions.js'
import {
  fetchReleasedVersions,
  fetchVersionBuild,
  pickVersion,
  type ReleasedVersion
} from './app-store-versions.js'
import type { BuildFacts, BuildRecords } from './build-facts.js'
import type { AscClient } from './client.js'
import { date, pages, related, resource, text, type Included } from './jsonapi.js'

interface BuildRow {
  id: string
  buildNumber: string
  version: string
  uploadedDate: string
  processingState: string
}

/** Looks up app IDs by bundle ID once per run, however many builds need it. */
export class AppResolver {
  private readonly cache = new Map<string, Promise<string>>()
  private readonly versions = new Map<string, Promise<ReleasedVersion[]>>()

  constructor(private readonly client: AscClient) {}

  appId(app: AppRef): Promise<string> {
    if ('appId' in app) return Promise.resolve(app.appId)
    let pending = this.cache.get(app.bundleId)
    if (!pending) {
      pending = this.lookup(app.bundleId)
      this.cache.set(app.bundleId, pending)
    }
    return pending
  }

  /** The app's live and replaced App Store versions: one request for `live` and `previous`. */
  releasedVersions(appId: string, platform: Platform): Promise<ReleasedVersion[]> {
    const key = `${appId}/${platform}`
    let pending = this.versions.get(key)
    if (!pending) {
      pending = fetchReleasedVersions(this.client, appId, platform)
      this.versions.set(key, pending)
    }
    return pending
  }

  /** Apple's bundle ID filter also returns near matches, so insist on equality. */
  private async lookup(bundleId: string): Promise<string> {
    const apps = await this.listApps({ 'filter[bundleId]': bundleId })
    const exact = apps.find(app => app.bundleId === bundleId)
    if (exact?.id) return exact.id
    // The filter is case-sensitive: a bundle ID typed with other capitals finds nothing there.
    const near = apps.length
      ? apps.map(app => app.bundleId)
      : (await this.listApps({}))
          .map(app => app.bundleId)
          .filter(id => id.toLowerCase() === bundleId.toLowerCase())
    const similar = near.map(id => oneLine(id, 80)).slice(0, 5)
    throw new ServiceError(
      `No app with bundle ID '${bundleId}' is visible to this API key${similar.length ? ` (similar: ${similar.join(', ')})` : ''}; check 'bundle-id', or give 'app-id'.`
    )
  }

  private async listApps(
    filter: Record<string, string>
  ): Promise<{ id: string; bundleId: string }[]> {
    const apps: { id: string; bundleId: string }[] = []
    // One page: the bundle ID filter finds a handful, and the near matches need no more.
    await pages(
      this.client,
      { path: '/v1/apps', query: { ...filter, 'fields[apps]': 'bundleId', limit: '200' } },
      { what: 'GET /v1/apps', maxPages: 1 },
      ({ items }) => {
        for (const item of items) {
          const app = resource(item, 'an app')
          apps.push({
            id: app.id,
            bundleId: text(app.attributes.bundleId, FIELD_CAPS.identifier) ?? ''
          })
        }
      }
    )
    return apps
  }
}

/**
 * Resolves a build reference to a build resource ID, recording what the lookup learned; one
 * request once the app is known.
 */
export async function resolveBuild(
  client: AscClient,
  apps: AppResolver,
  records: BuildRecords,
  ref: BuildRef,
  role: 'build' | 'baseline'
): Promise<BuildFacts> {
  if (ref.kind === 'id') return records.record({ id: ref.id })
  const appId = await apps.appId(ref.app)
  if (ref.kind === 'released') {
    const input = role === 'build' ? `'version: ${ref.which}'` : `'baseline-version: ${ref.which}'`
    const versions = await apps.releasedVersions(appId, ref.platform)
    const version = pickVersion(versions, ref.which, { appId, platform: ref.platform, input })
    const build = await buildOf(client, version)
    if (!build) {
      throw new ServiceError(
        `The ${ref.which} ${ref.platform} version ${oneLine(version.versionString, 64)} of app ${appId} has no build attached in App Store Connect, so ${input} has nothing to check.`
      )
    }
    return records.record({
      id: build.id,
      exists: true,
      appId,
      version: version.versionString,
      ...(build.buildNumber ? { buildNumber: build.buildNumber } : {}),
      ...(build.processingState ? { processingState: build.processingState } : {}),
      appStoreVersion: version
    })
  }
  const base: Record<string, string> = {
    'filter[app]': appId,
    'filter[preReleaseVersion.platform]': ref.platform,
    include: 'preReleaseVersion',
    'fields[builds]': 'version,uploadedDate,processingState,preReleaseVersion',
    'fields[preReleaseVersions]': 'version,platform',
    sort: '-uploadedDate',
    limit: '20'
  }
  const query = { ...base }
  // On /v1/builds, filter[version] is the build number (CFBundleVersion).
  if (ref.buildNumber) query['filter[version]'] = ref.buildNumber
  if (ref.version)
    query['filter[preReleaseVersion.version]'] = versionSpellings(ref.version).join(',')
  const rows = await listBuilds(client, query)
  const wanted = [
    ref.version && `version ${ref.version}`,
    ref.buildNumber && `build number ${ref.buildNumber}`
  ]
    .filter(Boolean)
    .join(' and ')
  const input =
    role === 'build'
      ? "'version' and 'build-number'"
      : "'baseline-version' and 'baseline-build-number'"
  if (rows.length === 1) {
    const [row] = rows
    return records.record({
      id: row.id,
      exists: true,
      appId,
      buildNumber: row.buildNumber,
      processingState: row.processingState,
      ...(row.version !== '?' ? { version: row.version } : {})
    })
  }
  if (rows.length > 1) {
    throw new ServiceError(
      `Several ${ref.platform} builds of app ${appId} match ${wanted} for the ${role}: ${list(rows)}; narrow it with ${input}, or give the build ID.`
    )
  }
  const recent = await listBuilds(client, { ...base, limit: '5' })
  throw new ServiceError(
    `No ${ref.platform} build of app ${appId} matches ${wanted} for the ${role}; ${recent.length ? `the latest are ${list(recent)}` : 'the app has no builds on this platform'}. Check ${input}.`
  )
}

/** The version's build: included in its response, or read through its relationship. */
async function buildOf(client: AscClient, version: ReleasedVersion) {
  if (version.build) return version.build
  return version.buildId ? fetchVersionBuild(client, version) : undefined
}

function list(rows: BuildRow[]): string {
  return rows
    .map(
      r =>
        `${oneLine(r.version, 32)} (${oneLine(r.buildNumber, 32)}) uploaded ${oneLine(r.uploadedDate.slice(0, 10), 12)}, ${oneLine(r.processingState, 16)}`
    )
    .join('; ')
}

/** One page of builds, newest first, with their marketing version from the included preReleaseVersions. */
async function listBuilds(client: AscClient, query: Record<string, string>): Promise<BuildRow[]> {
  const rows: BuildRow[] = []
  await pages(
    client,
    { path: '/v1/builds', query },
    { what: 'GET /v1/builds', maxPages: 1 },
    ({ items, included }) => void rows.push(...items.map(item => readBuild(item, included)))
  )
  return rows
}

function readBuild(item: unknown, included: Included): BuildRow {
  const build = resource(item, 'a build')
  const prerelease = included.get('preReleaseVersions', related(build, 'preReleaseVersion'))
  return {
    id: build.id,
    buildNumber: text(build.attributes.version, FIELD_CAPS.version) ?? '?',
    version: text(prerelease?.attributes.version, FIELD_CAPS.version) ?? '?',
    uploadedDate: date(build.attributes.uploadedDate) ?? '?',
    processingState: text(build.attributes.processingState, FIELD_CAPS.identifier) ?? '?'
  }
}
