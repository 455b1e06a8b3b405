import { FIELD_CAPS } from '../constants.js'
import { DataError } from '../errors.js'
import { oneLine, sanitize, truncate } from '../text.js'
import type { AscClient } from './client.js'

export interface BuildVersion {
  appId: string
  /** The marketing version (CFBundleShortVersionString); undefined when Apple names none. */
  version?: string
  /** The build number (CFBundleVersion, the build's `version` attribute). */
  buildNumber?: string
  processingState?: string
}

/**
 * What one run learns about a build given by its resource ID, asked once however many parts
 * need it: the label, the metrics' app and version, and whether a 404 means "no data yet".
 */
export class BuildFacts {
  private readonly cache = new Map<string, Promise<BuildVersion>>()

  constructor(private readonly client: AscClient) {}

  of(buildId: string): Promise<BuildVersion> {
    let pending = this.cache.get(buildId)
    if (!pending) {
      pending = fetchBuildVersion(this.client, buildId)
      // Asked early for the label: a run that fails elsewhere first never awaits it.
      pending.catch(() => {})
      this.cache.set(buildId, pending)
    }
    return pending
  }
}

/** "2.4.0 (412)", or undefined without both parts. */
export function buildLabel(facts: BuildVersion): string | undefined {
  return facts.version && facts.buildNumber ? `${facts.version} (${facts.buildNumber})` : undefined
}

const RESOURCE_ID = /^[A-Za-z0-9-]{1,64}$/

/**
 * A build's app and marketing version in one request: the build with its app and prerelease
 * version included, and only the fields read.
 */
export async function fetchBuildVersion(client: AscClient, buildId: string): Promise<BuildVersion> {
  const body = await client.getJson(`/v1/builds/${encodeURIComponent(buildId)}`, {
    query: {
      include: 'app,preReleaseVersion',
      'fields[builds]': 'version,processingState,app,preReleaseVersion',
      'fields[apps]': 'bundleId',
      'fields[preReleaseVersions]': 'version'
    },
    notFound: `Build '${buildId}' was not found: no build with this resource ID is visible to this API key`
  })
  const document = (body ?? {}) as {
    data?: { relationships?: Record<string, { data?: { id?: unknown } | null } | undefined> }
    included?: unknown
  }
  const relationships = document.data?.relationships ?? {}
  const appId = relationships.app?.data?.id
  // The ID goes into the metrics URL: insist on the shape Apple uses.
  if (typeof appId !== 'string' || !RESOURCE_ID.test(appId)) {
    throw new DataError(
      `App Store Connect did not name the app of build ${buildId} in a form the gate can use ('${oneLine(String(appId), 80)}').`
    )
  }
  const versionId = relationships.preReleaseVersion?.data?.id
  const included = Array.isArray(document.included) ? document.included : []
  const entry = included.find(
    (item: { type?: unknown; id?: unknown }) =>
      item?.type === 'preReleaseVersions' && item.id === versionId
  ) as { attributes?: { version?: unknown } } | undefined
  const version = entry?.attributes?.version
  const attributes = (document.data as { attributes?: Record<string, unknown> } | undefined)
    ?.attributes
  const text = (value: unknown, cap: number) =>
    typeof value === 'string' && value ? truncate(sanitize(value), cap) : undefined
  const buildNumber = text(attributes?.version, FIELD_CAPS.version)
  const processingState = text(attributes?.processingState, FIELD_CAPS.identifier)
  return {
    appId,
    ...(text(version, FIELD_CAPS.version) ? { version: text(version, FIELD_CAPS.version) } : {}),
    ...(buildNumber ? { buildNumber } : {}),
    ...(processingState ? { processingState } : {})
  }
}
