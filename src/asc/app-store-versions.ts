import { ASC, FIELD_CAPS, LIVE_STATE, PHASED_RELEASE, REPLACED_STATE } from '../constants.js'
import type { Platform } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { capped, oneLine, truncate } from '../text.js'
import type { AscClient } from './client.js'
import { readPhasedRelease, type PhasedRelease } from './phased-release.js'
import { followable, readPage } from './paging.js'

/** An App Store version that is or was live, with its build and phased release. */
export interface ReleasedVersion {
  id: string
  versionString: string
  /** `live`: READY_FOR_SALE now; `replaced`: live before a newer version replaced it. */
  status: 'live' | 'replaced'
  createdDate?: string
  build?: { id: string; buildNumber: string; processingState: string }
  phasedRelease?: PhasedRelease
}

/**
 * The app's live and earlier App Store versions of one platform: one request
 * (`filter[appStoreState]` takes both states), its build and phased release included.
 */
export async function fetchReleasedVersions(
  client: AscClient,
  appId: string,
  platform: Platform
): Promise<ReleasedVersion[]> {
  const what = `GET /v1/apps/${appId}/appStoreVersions`
  const versions: ReleasedVersion[] = []
  const seen = new Set<string>()
  let next: string | undefined = client.url(
    `/v1/apps/${encodeURIComponent(appId)}/appStoreVersions`,
    {
      'filter[platform]': platform,
      'filter[appStoreState]': `${LIVE_STATE},${REPLACED_STATE}`,
      include: 'build,appStoreVersionPhasedRelease',
      'fields[appStoreVersions]':
        'versionString,appStoreState,appVersionState,createdDate,build,appStoreVersionPhasedRelease',
      'fields[builds]': 'version,processingState',
      'fields[appStoreVersionPhasedReleases]': PHASED_RELEASE.fields.join(','),
      limit: String(ASC.maxPageSize)
    }
  ).href
  for (let page = 0; next && page < ASC.maxPages; page++) {
    seen.add(next)
    const body = await client.getJson(next, {
      notFound: `App ${appId} was not found: no app with this ID is visible to this API key; check 'app-id'`
    })
    const { items, nextUrl } = readPage(body, what)
    versions.push(...readVersions(items, (body as { included?: unknown }).included))
    next = nextUrl && followable(client, nextUrl, seen)
  }
  return versions
}

/** Picks the live version, or the one live before it; throws a sentence when there is none. */
export function pickVersion(
  versions: readonly ReleasedVersion[],
  which: 'live' | 'previous',
  context: { appId: string; platform: Platform; input: string }
): ReleasedVersion {
  const { appId, platform, input } = context
  // Apple documents no order for this list, and it has no `sort` parameter.
  const sorted = [...versions].sort(newestFirst)
  const live = sorted.find(v => v.status === 'live')
  if (!live) {
    throw new ServiceError(
      `No ${platform} version of app ${appId} is live on the App Store (appStoreState ${LIVE_STATE}), so ${input} has nothing to check; check 'platform' and the app, or give a version number to check a version that is not released yet.`
    )
  }
  if (which === 'live') return live
  const previous = sorted.find(v => v.status === 'replaced' && newestFirst(live, v) < 0)
  if (!previous) {
    throw new ServiceError(
      `App ${appId} has no ${platform} version before the live ${oneLine(live.versionString, 64)} (none is ${REPLACED_STATE}), so ${input} has nothing to compare with; remove it, or give a version number.`
    )
  }
  return previous
}

/** Newest first: by creation date, then by version number ("2.10" after "2.9"). */
function newestFirst(a: ReleasedVersion, b: ReleasedVersion): number {
  const dateA = Date.parse(a.createdDate ?? '')
  const dateB = Date.parse(b.createdDate ?? '')
  if (!Number.isNaN(dateA) && !Number.isNaN(dateB) && dateA !== dateB) return dateB - dateA
  return b.versionString.localeCompare(a.versionString, 'en', { numeric: true })
}

function readVersions(items: unknown[], included: unknown): ReleasedVersion[] {
  const builds = new Map<string, NonNullable<ReleasedVersion['build']>>()
  const releases = new Map<string, PhasedRelease>()
  for (const entry of Array.isArray(included) ? included : []) {
    const resource = entry as { type?: unknown; id?: unknown; attributes?: Record<string, unknown> }
    if (resource?.type === 'builds' && typeof resource.id === 'string') {
      builds.set(resource.id, {
        id: resourceId(resource.id, 'build'),
        buildNumber: capped(resource.attributes?.version, FIELD_CAPS.version),
        processingState: capped(resource.attributes?.processingState, FIELD_CAPS.identifier)
      })
    }
    const release = readPhasedRelease(entry)
    if (release) releases.set(release.id, release)
  }
  return items.flatMap(item => {
    const version = item as {
      id?: unknown
      attributes?: Record<string, unknown>
      relationships?: Record<string, { data?: { id?: unknown } | null } | undefined>
    }
    const attributes = version.attributes ?? {}
    const status = statusOf(attributes)
    if (!status) return []
    const buildId = version.relationships?.build?.data?.id
    const releaseId = version.relationships?.appStoreVersionPhasedRelease?.data?.id
    const build = typeof buildId === 'string' ? builds.get(buildId) : undefined
    const phasedRelease = typeof releaseId === 'string' ? releases.get(releaseId) : undefined
    return [
      {
        id: resourceId(version.id, 'App Store version'),
        versionString: capped(attributes.versionString, FIELD_CAPS.version),
        status,
        ...(typeof attributes.createdDate === 'string'
          ? { createdDate: truncate(attributes.createdDate, FIELD_CAPS.identifier) }
          : {}),
        ...(build ? { build } : {}),
        ...(phasedRelease ? { phasedRelease } : {})
      }
    ]
  })
}

/**
 * `appStoreState` is deprecated in favour of `appVersionState`, which has no "live" of its
 * own (READY_FOR_DISTRIBUTION also covers versions removed from sale): read the old one, and
 * fall back to the new one only when the old one is gone.
 */
function statusOf(attributes: Record<string, unknown>): ReleasedVersion['status'] | undefined {
  const state = attributes.appStoreState ?? attributes.appVersionState
  if (
    state === LIVE_STATE ||
    (attributes.appStoreState === undefined && state === 'READY_FOR_DISTRIBUTION')
  )
    return 'live'
  return state === REPLACED_STATE ? 'replaced' : undefined
}

function resourceId(id: unknown, what: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new DataError(
      `App Store Connect listed a ${what} with an unexpected ID: '${oneLine(String(id), 80)}'.`
    )
  }
  return id
}
