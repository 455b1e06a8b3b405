import { FIELD_CAPS, PHASED_RELEASE } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { oneLine, truncate } from '../text.js'
import type { AscClient } from './client.js'

const PHASED_RELEASE_STATES = ['INACTIVE', 'ACTIVE', 'PAUSED', 'COMPLETE'] as const
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

/** Reads one AppStoreVersionPhasedRelease resource; undefined when it is not one. */
export function readPhasedRelease(resource: unknown): PhasedRelease | undefined {
  const r = (resource ?? {}) as { type?: unknown; id?: unknown; attributes?: unknown }
  if (r.type !== 'appStoreVersionPhasedReleases') return undefined
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(r.id)) {
    throw new DataError(
      `App Store Connect sent a phased release with an unexpected ID: '${oneLine(String(r.id), 80)}'.`
    )
  }
  const a = (r.attributes ?? {}) as Record<string, unknown>
  const state = PHASED_RELEASE_STATES.find(s => s === a.phasedReleaseState) ?? 'UNKNOWN'
  const day = a.currentDayNumber
  const pause = a.totalPauseDuration
  return {
    id: r.id,
    state,
    ...(Number.isInteger(day) && (day as number) >= 1 ? { day: day as number } : {}),
    ...(typeof a.startDate === 'string'
      ? { startDate: truncate(a.startDate, FIELD_CAPS.identifier) }
      : {}),
    ...(Number.isInteger(pause) && (pause as number) >= 0
      ? { totalPauseDuration: pause as number }
      : {})
  }
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
  return readPhasedRelease((body as { data?: unknown })?.data)
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
  const paused = readPhasedRelease((body as { data?: unknown })?.data)
  if (!paused) {
    throw new DataError(
      `App Store Connect answered the pause of phased release ${release.id} without the phased release; check its state in App Store Connect.`
    )
  }
  return paused
}
