import { FIELD_CAPS } from '../constants.js'
import type { ReleasedVersion } from './app-store-versions.js'
import type { AscClient } from './client.js'
import { related, resource, single, text } from './jsonapi.js'
import { isNotFound } from './no-data.js'

/** Everything one run learns about a build, wherever it learned it. */
export interface BuildFacts {
  /** The build's App Store Connect resource ID. */
  id: string
  /** "2.4.0 (412)", once both parts are known. */
  label?: string
  /** Found by a lookup or read by ID, so it exists: a 404 on its diagnostics means no data yet. */
  exists?: boolean
  appId?: string
  /** The marketing version (CFBundleShortVersionString). */
  version?: string
  /** The build number (CFBundleVersion, the build's `version` attribute). */
  buildNumber?: string
  processingState?: string
  /** The App Store version it was picked as (`live` or `previous`), with its phased release. */
  appStoreVersion?: ReleasedVersion
}

/** The facts with their label, when both parts are known. */
export function labelled(facts: BuildFacts): BuildFacts {
  return facts.version && facts.buildNumber
    ? { ...facts, label: `${facts.version} (${facts.buildNumber})` }
    : facts
}

/**
 * One record per build for the whole run. A lookup records what it found; anything missing
 * (the app, the marketing version, whether an ID exists) is asked of `GET /v1/builds/{id}`
 * once, however many parts need it: the label, the metrics and the meaning of a 404.
 */
export class BuildRecords {
  private readonly known = new Map<string, BuildFacts>()
  private readonly reads = new Map<string, Promise<BuildFacts>>()

  constructor(private readonly client: AscClient) {}

  /** Records what a lookup learned about a build. */
  record(facts: BuildFacts): BuildFacts {
    const merged = labelled({ ...this.known.get(facts.id), ...facts })
    this.known.set(facts.id, merged)
    return merged
  }

  /** The build with its app and marketing version; one request at most, only when not known. */
  details(buildId: string): Promise<BuildFacts> {
    const known = this.known.get(buildId)
    if (known?.appId && known.version) return Promise.resolve(known)
    let pending = this.reads.get(buildId)
    if (!pending) {
      // What a lookup recorded meanwhile wins over the read: it is the more specific.
      pending = fetchBuild(this.client, buildId).then(read =>
        this.record({ ...read, ...this.known.get(buildId) })
      )
      // Asked early for the label: a run that fails elsewhere first never awaits it.
      pending.catch(() => {})
      this.reads.set(buildId, pending)
    }
    return pending
  }

  /** Whether the build exists: known from its lookup, else from its one read by ID. */
  exists(buildId: string): Promise<boolean> {
    if (this.known.get(buildId)?.exists) return Promise.resolve(true)
    return this.details(buildId).then(
      () => true,
      (error: unknown) => {
        if (isNotFound(error)) return false
        throw error
      }
    )
  }
}

/** A build by ID with its app and prerelease version included, and only the fields read. */
async function fetchBuild(client: AscClient, buildId: string): Promise<BuildFacts> {
  const what = `GET /v1/builds/${buildId}`
  const body = await client.getJson(`/v1/builds/${encodeURIComponent(buildId)}`, {
    query: {
      include: 'app,preReleaseVersion',
      'fields[builds]': 'version,processingState,app,preReleaseVersion',
      'fields[apps]': 'bundleId',
      'fields[preReleaseVersions]': 'version'
    },
    notFound: `Build '${buildId}' was not found: no build with this resource ID is visible to this API key`
  })
  const { data, included } = single(body, what)
  const build = resource(data, 'a build')
  const appId = related(build, 'app')
  const prerelease = included.get('preReleaseVersions', related(build, 'preReleaseVersion'))
  const version = text(prerelease?.attributes.version, FIELD_CAPS.version)
  const buildNumber = text(build.attributes.version, FIELD_CAPS.version)
  const processingState = text(build.attributes.processingState, FIELD_CAPS.identifier)
  return {
    id: buildId,
    exists: true,
    ...(appId ? { appId } : {}),
    ...(version ? { version } : {}),
    ...(buildNumber ? { buildNumber } : {}),
    ...(processingState ? { processingState } : {})
  }
}
