import { FIELD_CAPS, RESOURCE_ID, type Platform } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { capped, oneLine } from '../text.js'
import type { AppRef, BuildRef } from '../model.js'
import { fetchReleasedVersions, pickVersion, type ReleasedVersion } from './app-store-versions.js'
import type { AscClient } from './client.js'
import { readPage } from './paging.js'

export interface ResolvedBuild {
  id: string
  /** "2.4.0 (412)" when the build was looked up. */
  label?: string
  processingState?: string
  /** Found by a lookup, so it exists: a 404 on its diagnostics means no data yet. */
  exists?: boolean
  /** The App Store version it was picked as (`live` or `previous`), with its phased release. */
  appStoreVersion?: ReleasedVersion
  /** The marketing version, when the build was looked up. */
  version?: string
}

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
    const body = await this.client.getJson('/v1/apps', {
      query: { ...filter, 'fields[apps]': 'bundleId', limit: '200' }
    })
    const { items } = readPage(body, 'GET /v1/apps')
    return items.map(item => {
      const app = item as { id?: unknown; attributes?: { bundleId?: unknown } }
      return { id: String(app.id ?? ''), bundleId: String(app.attributes?.bundleId ?? '') }
    })
  }
}

/**
 * `1.2` and `1.2.0` name the same version, but Apple's filter matches exact strings:
 * ask for every spelling at once (the filter takes a comma list).
 */
export function versionSpellings(version: string): string[] {
  if (!/^\d+(\.\d+)*$/.test(version)) return [version]
  const parts = version.split('.').map(Number)
  while (parts.length > 1 && parts[parts.length - 1] === 0) parts.pop()
  const spellings = new Set([version])
  for (let length = parts.length; length <= 3; length++) {
    spellings.add([...parts, ...Array(length - parts.length).fill(0)].join('.'))
  }
  return [...spellings]
}

/** Resolves a build reference to a build resource ID; one request once the app is known. */
export async function resolveBuild(
  client: AscClient,
  apps: AppResolver,
  ref: BuildRef,
  role: 'build' | 'baseline'
): Promise<ResolvedBuild> {
  if (ref.kind === 'id') return { id: ref.id }
  const appId = await apps.appId(ref.app)
  if (ref.kind === 'released') {
    const input = role === 'build' ? `'version: ${ref.which}'` : `'baseline-version: ${ref.which}'`
    const versions = await apps.releasedVersions(appId, ref.platform)
    const version = pickVersion(versions, ref.which, { appId, platform: ref.platform, input })
    if (!version.build) {
      throw new ServiceError(
        `The ${ref.which} ${ref.platform} version ${oneLine(version.versionString, 64)} of app ${appId} has no build attached in App Store Connect, so ${input} has nothing to check.`
      )
    }
    return {
      id: version.build.id,
      label: `${version.versionString} (${version.build.buildNumber})`,
      processingState: version.build.processingState,
      exists: true,
      version: version.versionString,
      appStoreVersion: version
    }
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
  const rows = readBuilds(await client.getJson('/v1/builds', { query }))
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
    return {
      id: row.id,
      label: `${row.version} (${row.buildNumber})`,
      processingState: row.processingState,
      exists: true,
      ...(row.version !== '?' ? { version: row.version } : {})
    }
  }
  if (rows.length > 1) {
    throw new ServiceError(
      `Several ${ref.platform} builds of app ${appId} match ${wanted} for the ${role}: ${list(rows)}; narrow it with ${input}, or give the build ID.`
    )
  }
  const recent = readBuilds(
    await client.getJson('/v1/builds', {
      query: { ...base, limit: '5' }
    })
  )
  throw new ServiceError(
    `No ${ref.platform} build of app ${appId} matches ${wanted} for the ${role}; ${recent.length ? `the latest are ${list(recent)}` : 'the app has no builds on this platform'}. Check ${input}.`
  )
}

function list(rows: BuildRow[]): string {
  return rows
    .map(
      r =>
        `${oneLine(r.version, 32)} (${oneLine(r.buildNumber, 32)}) uploaded ${oneLine(r.uploadedDate.slice(0, 10), 12)}, ${oneLine(r.processingState, 16)}`
    )
    .join('; ')
}

/** Builds with their marketing version from the included preReleaseVersions. */
function readBuilds(body: unknown): BuildRow[] {
  const { items } = readPage(body, 'GET /v1/builds')
  const included = (body as { included?: unknown }).included
  const versions = new Map<string, string>()
  if (Array.isArray(included)) {
    for (const entry of included as {
      type?: string
      id?: string
      attributes?: { version?: unknown }
    }[]) {
      if (entry?.type === 'preReleaseVersions' && entry.id)
        versions.set(entry.id, capped(entry.attributes?.version, FIELD_CAPS.version))
    }
  }
  return items.map(item => {
    const build = item as {
      id?: unknown
      attributes?: Record<string, unknown>
      relationships?: { preReleaseVersion?: { data?: { id?: string } | null } }
    }
    // The ID goes into URLs, outputs and the report: insist on the shape Apple uses.
    if (typeof build.id !== 'string' || !RESOURCE_ID.test(build.id)) {
      throw new DataError(
        `App Store Connect listed a build with an unexpected ID: '${oneLine(String(build.id), 80)}'.`
      )
    }
    const attributes = build.attributes ?? {}
    const versionId = build.relationships?.preReleaseVersion?.data?.id
    return {
      id: build.id,
      buildNumber: capped(attributes.version, FIELD_CAPS.version),
      version: (versionId && versions.get(versionId)) || '?',
      uploadedDate: capped(attributes.uploadedDate, FIELD_CAPS.identifier),
      processingState: capped(attributes.processingState, FIELD_CAPS.identifier)
    }
  })
}
