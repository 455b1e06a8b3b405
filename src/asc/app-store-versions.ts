import { ASC, FIELD_CAPS, PHASED_RELEASE, VERSION_STATES } from '../constants.js'
import type { Platform } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { oneLine } from '../text.js'
import { compareVersions } from '../versions.js'
import type { AscClient } from './client.js'
import {
  date,
  pages,
  related,
  resource,
  single,
  text,
  type Included,
  type Resource
} from './jsonapi.js'
import { readPhasedRelease, type PhasedRelease } from './phased-release.js'

/** An App Store version that is or was live, with its build and phased release. */
export interface ReleasedVersion {
  id: string
  versionString: string
  /** `live`: READY_FOR_DISTRIBUTION now; `replaced`: live before a newer version replaced it. */
  status: 'live' | 'replaced'
  /** Which attribute said so: `appVersionState`, or the deprecated `appStoreState` alone. */
  decidedBy: 'appVersionState' | 'appStoreState'
  createdDate?: string
  /** The build's ID as the version's relationship names it. */
  buildId?: string
  /** The build, when the response included it. */
  build?: VersionBuild
  phasedRelease?: PhasedRelease
}

export interface VersionBuild {
  id: string
  buildNumber?: string
  processingState?: string
}

/**
 * The app's live and earlier App Store versions of one platform: one request
 * (`filter[appVersionState]` takes both states), its build and phased release included.
 */
export async function fetchReleasedVersions(
  client: AscClient,
  appId: string,
  platform: Platform
): Promise<ReleasedVersion[]> {
  const versions: ReleasedVersion[] = []
  const what = `GET /v1/apps/${appId}/appStoreVersions`
  const paging = await pages(
    client,
    {
      path: `/v1/apps/${encodeURIComponent(appId)}/appStoreVersions`,
      query: {
        'filter[platform]': platform,
        'filter[appVersionState]': `${VERSION_STATES.live},${VERSION_STATES.replaced}`,
        include: 'build,appStoreVersionPhasedRelease',
        'fields[appStoreVersions]':
          'versionString,appStoreState,appVersionState,createdDate,build,appStoreVersionPhasedRelease',
        'fields[builds]': 'version,processingState',
        'fields[appStoreVersionPhasedReleases]': PHASED_RELEASE.fields.join(','),
        limit: String(ASC.maxPageSize)
      }
    },
    {
      what,
      notFound: `App ${appId} was not found: no app with this ID is visible to this API key; check 'app-id'`
    },
    ({ items, included }) =>
      void versions.push(...items.flatMap(item => readVersion(item, included)))
  )
  if (!paging.complete) {
    const why = paging.looped
      ? 'linked back to a page already read'
      : `kept sending pages past ${ASC.maxPages}`
    throw new DataError(
      `App Store Connect ${why} for ${what}, so the live version cannot be known; rerun later, and report it if it persists.`
    )
  }
  for (const version of versions) {
    client.debug(
      `App Store version ${version.versionString} (${version.id}) is ${version.status}, by its ${version.decidedBy}.`
    )
  }
  return versions
}

/**
 * The build of a version whose relationship names it but whose response did not include it
 * (as some answers do): `GET /v1/appStoreVersions/{id}/build`.
 */
export async function fetchVersionBuild(
  client: AscClient,
  version: ReleasedVersion
): Promise<VersionBuild | undefined> {
  const body = await client.getJson(
    `/v1/appStoreVersions/${encodeURIComponent(version.id)}/build`,
    {
      query: { 'fields[builds]': 'version,processingState' },
      notFound: `The build of App Store version ${version.versionString} was not found`
    }
  )
  const { data } = single(body, `GET /v1/appStoreVersions/${version.id}/build`)
  return data === null ? undefined : readBuild(resource(data, 'a build'))
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
      `No ${platform} version of app ${appId} is live on the App Store (appVersionState ${VERSION_STATES.live}), so ${input} has nothing to check; check 'platform' and the app, or give a version number to check a version that is not released yet.`
    )
  }
  if (which === 'live') return live
  const previous = sorted.find(v => v.status === 'replaced' && newestFirst(live, v) < 0)
  if (!previous) {
    throw new ServiceError(
      `App ${appId} has no ${platform} version before the live ${oneLine(live.versionString, 64)} (none is ${VERSION_STATES.replaced}), so ${input} has nothing to compare with; remove it, or give a version number.`
    )
  }
  return previous
}

/** Newest first: by creation date, then by version number ("2.10" after "2.9"). */
function newestFirst(a: ReleasedVersion, b: ReleasedVersion): number {
  const dateA = Date.parse(a.createdDate ?? '')
  const dateB = Date.parse(b.createdDate ?? '')
  if (!Number.isNaN(dateA) && !Number.isNaN(dateB) && dateA !== dateB) return dateB - dateA
  return compareVersions(b.versionString, a.versionString)
}

function readVersion(item: unknown, included: Included): ReleasedVersion[] {
  const version = resource(item, 'an App Store version')
  const state = statusOf(version.attributes)
  if (!state) return []
  const buildId = related(version, 'build')
  const includedBuild = included.get('builds', buildId)
  const release = included.get(
    'appStoreVersionPhasedReleases',
    related(version, 'appStoreVersionPhasedRelease')
  )
  const phasedRelease = release && readPhasedRelease(release)
  const createdDate = date(version.attributes.createdDate)
  return [
    {
      id: version.id,
      versionString: text(version.attributes.versionString, FIELD_CAPS.version) ?? '?',
      ...state,
      ...(createdDate ? { createdDate } : {}),
      ...(buildId ? { buildId } : {}),
      ...(includedBuild ? { build: readBuild(includedBuild) } : {}),
      ...(phasedRelease ? { phasedRelease } : {})
    }
  ]
}

function readBuild(build: Resource): VersionBuild {
  const buildNumber = text(build.attributes.version, FIELD_CAPS.version)
  const processingState = text(build.attributes.processingState, FIELD_CAPS.identifier)
  return {
    id: build.id,
    ...(buildNumber ? { buildNumber } : {}),
    ...(processingState ? { processingState } : {})
  }
}

/**
 * Live or replaced, by `appVersionState` (Apple's current field). READY_FOR_DISTRIBUTION also
 * covers a version removed from sale, which the deprecated `appStoreState` tells apart when it
 * is still sent. A response with only `appStoreState` is read by it.
 */
function statusOf(
  attributes: Record<string, unknown>
): Pick<ReleasedVersion, 'status' | 'decidedBy'> | undefined {
  const current = attributes.appVersionState
  const deprecated = attributes.appStoreState
  if (typeof current === 'string') {
    if (current === VERSION_STATES.replaced)
      return { status: 'replaced', decidedBy: 'appVersionState' }
    if (current !== VERSION_STATES.live) return undefined
    // The deprecated field still tells a version taken off sale apart, when it is sent.
    if (VERSION_STATES.removedFromSale.some(state => state === deprecated)) return undefined
    return { status: 'live', decidedBy: 'appVersionState' }
  }
  if (deprecated === VERSION_STATES.deprecatedLive)
    return { status: 'live', decidedBy: 'appStoreState' }
  if (deprecated === VERSION_STATES.replaced)
    return { status: 'replaced', decidedBy: 'appStoreState' }
  return undefined
}
