import { PHASED_RELEASE } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { oneLine } from '../text.js'
import type { AscClient } from './client.js'
import { count, date, resource, single, type Resource } from './jsonapi.js'

export const PHASED_RELEASE_STATES = ['INACTIVE', 'ACTIVE', 'PAUSED', 'COMPLETE'] as const
export type PhasedReleaseState = (typeof PHASED_RELEASE_STATES)[number]

/** An App Store version's phased release, as `appStoreVersionPhasedReleases` describes it. */
export interface PhasedRelease {
  id: string
  /** A state outside Apple's four is kept as `UNKNOWN`: the guard never acts on it. */
  state: PhasedReleaseState | 'UNKNOWN'
  /** 1–7 while the rollout runs; absent before it starts. */
  day?: number
  startDate?: string
  totalPauseDuration?: number
}

/** Reads one AppStoreVersionPhasedRelease resource. */
export function readPhasedRelease(release: Resource): PhasedRelease {
  const a = release.attributes
  const state = PHASED_RELEASE_STATES.find(s => s === a.phasedReleaseState) ?? 'UNKNOWN'
  const day = count(a.currentDayNumber)
  const pause = count(a.totalPauseDuration)
  const startDate = date(a.startDate)
  return {
    id: release.id,
    state,
    ...(day !== undefined && day >= 1 ? { day } : {}),
    ...(startDate ? { startDate } : {}),
    ...(pause !== undefined ? { totalPauseDuration: pause } : {})
  }
}

/** A document's phased release; undefined when `data` is null (the version has none). */
function phasedReleaseIn(body: unknown, what: string): PhasedRelease | undefined {
  const { data } = single(body, what)
  if (data === null) return undefined
  const release = resource(data, 'a phased release')
  if (release.type !== 'appStoreVersionPhasedReleases') {
    throw new DataError(
      `App Store Connect answered ${what} with a ${oneLine(release.type || 'resource', 60)} instead of a phased release.`
    )
  }
  return readPhasedRelease(release)
}

/** The phased release of an App Store version as it is now. */
export async function getPhasedRelease(
  client: AscClient,
  versionId: string
): Promise<PhasedRelease | undefined> {
  const body = await client.getJson(
    `/v1/appStoreVersions/${encodeURIComponent(versionId)}/appStoreVersionPhasedRelease`,
    { query: { 'fields[appStoreVersionPhasedReleases]': PHASED_RELEASE.fields.join(',') } }
  )
  return phasedReleaseIn(body, `GET /v1/appStoreVersions/${versionId}/appStoreVersionPhasedRelease`)
}

/**
 * Sets the rollout to PAUSED and returns the release as Apple now describes it. A 403 names
 * the role needed. A 409 is checked against the current state, since a retried PATCH may meet
 * the pause its first attempt already made.
 */
export async function pausePhasedRelease(
  client: AscClient,
  release: PhasedRelease,
  versionId: string
): Promise<PhasedRelease> {
  const path = `/v1/appStoreVersionPhasedReleases/${encodeURIComponent(release.id)}`
  let body: unknown
  try {
    body = await client.patchJson(path, {
      body: {
        data: {
          type: 'appStoreVersionPhasedReleases',
          id: release.id,
          attributes: { phasedReleaseState: 'PAUSED' }
        }
      },
      forbidden: `The API key may not pause the phased release: its role cannot change releases; use a key with the ${PHASED_RELEASE.rolesThatPause} role, or pause it in App Store Connect`,
      notFound: `The phased release ${release.id} no longer exists; nothing was paused`
    })
  } catch (error) {
    if (error instanceof ServiceError && error.status === 409) {
      const now = await getPhasedRelease(client, versionId)
      if (now?.state === 'PAUSED') return now
    }
    throw error
  }
  const paused = phasedReleaseIn(body, `PATCH ${path}`)
  if (!paused) {
    throw new DataError(
      `App Store Connect answered the pause of phased release ${release.id} without the phased release; check its state in App Store Connect.`
    )
  }
  return paused
}
