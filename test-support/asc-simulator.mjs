// @ts-check
// App Store Connect API simulator: the endpoints the diagnostics gate calls,
// with Apple's status codes, error bodies, headers, JWT rules and paging quirks.
// Facts come from Apple's OpenAPI spec 4.4.1 and docs (see shared/asc-api.md).
import { createHash, createPrivateKey, createPublicKey, KeyObject, randomUUID } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { schemaValidator } from './asc-schemas.mjs'
import { METRICS_MEDIA_TYPE } from './metrics.mjs'
import { createServer, criticalPath } from './sim-core.mjs'

const AUDIENCE = 'appstoreconnect-v1'
const MAX_LIFETIME_S = 20 * 60
/** Scoped GET-only tokens for "Power and Performance Metrics and Logs" may live up to 6 months. */
const MAX_SCOPED_LIFETIME_S = 180 * 24 * 3600
const LONG_LIVED_PATHS = [
  /^\/v1\/builds\/[^/]+\/diagnosticSignatures$/,
  /^\/v1\/diagnosticSignatures\/[^/]+\/logs$/,
  /^\/v1\/(apps|builds)\/[^/]+\/perfPowerMetrics$/
]
const MAX_LIMIT = 200
/** Apple writes every link absolute on its own origin, whichever host was called. */
const LINK_ORIGIN = 'https://api.appstoreconnect.apple.com'
/** Apple documents no default page size; clients should always send `limit`. */
const DEFAULT_LIMIT = 50
const LOGS_MEDIA_TYPE = 'application/vnd.apple.diagnostic-logs+json'

const DIAGNOSTIC_TYPES = ['DISK_WRITES', 'HANGS', 'LAUNCHES']
const METRIC_TYPES = [
  'DISK',
  'HANG',
  'BATTERY',
  'LAUNCH',
  'MEMORY',
  'ANIMATION',
  'TERMINATION',
  'STORAGE'
]
const PLATFORMS = ['IOS', 'MAC_OS', 'TV_OS', 'VISION_OS']
const PROCESSING_STATES = ['PROCESSING', 'FAILED', 'INVALID', 'VALID']
// Enums below are copied from the 4.4.1 spec so that a typo in a client's
// sparse fieldset or include fails here as it would at Apple.
const SIGNATURE_FIELDS = ['diagnosticType', 'signature', 'weight', 'insight', 'logs']
// prettier-ignore
const APP_FIELDS = [
  'accessibilityUrl', 'name', 'bundleId', 'sku', 'primaryLocale', 'isOrEverWasMadeForKids',
  'subscriptionStatusUrl', 'subscriptionStatusUrlVersion', 'subscriptionStatusUrlForSandbox',
  'subscriptionStatusUrlVersionForSandbox', 'contentRightsDeclaration',
  'streamlinedPurchasingEnabled', 'accessibilityDeclarations', 'appEncryptionDeclarations',
  'appStoreIcon', 'ciProduct', 'betaTesters', 'betaGroups', 'appStoreVersions', 'appTags',
  'preReleaseVersions', 'betaAppLocalizations', 'builds', 'betaLicenseAgreement',
  'betaAppReviewDetail', 'appInfos', 'appClips', 'appPricePoints', 'endUserLicenseAgreement',
  'appPriceSchedule', 'appAvailabilityV2', 'inAppPurchases', 'subscriptionGroups',
  'gameCenterEnabledVersions', 'perfPowerMetrics', 'appCustomProductPages', 'inAppPurchasesV2',
  'promotedPurchases', 'appEvents', 'reviewSubmissions', 'subscriptionGracePeriod',
  'customerReviews', 'customerReviewSummarizations', 'gameCenterDetail',
  'appStoreVersionExperimentsV2', 'alternativeDistributionKey', 'analyticsReportRequests',
  'marketplaceSearchDetail', 'buildUploads', 'backgroundAssets',
  'betaFeedbackScreenshotSubmissions', 'betaFeedbackCrashSubmissions', 'searchKeywords',
  'webhooks', 'androidToIosAppMappingDetails'
]
// prettier-ignore
const BUILD_FIELDS = [
  'version', 'uploadedDate', 'expirationDate', 'expired', 'minOsVersion', 'lsMinimumSystemVersion',
  'computedMinMacOsVersion', 'computedMinVisionOsVersion', 'iconAssetToken', 'processingState',
  'buildAudienceType', 'usesNonExemptEncryption', 'preReleaseVersion', 'individualTesters',
  'betaGroups', 'betaBuildLocalizations', 'appEncryptionDeclaration', 'betaAppReviewSubmission',
  'app', 'buildBetaDetail', 'appStoreVersion', 'icons', 'buildBundles', 'buildUpload',
  'perfPowerMetrics', 'diagnosticSignatures'
]
const PRE_RELEASE_VERSION_FIELDS = ['version', 'platform', 'builds', 'app']
const BUILD_SORTS = [
  'version',
  '-version',
  'uploadedDate',
  '-uploadedDate',
  'preReleaseVersion',
  '-preReleaseVersion'
]
const APP_SORTS = ['name', '-name', 'bundleId', '-bundleId', 'sku', '-sku']
// prettier-ignore
const APP_STORE_STATES = [
  'ACCEPTED', 'DEVELOPER_REMOVED_FROM_SALE', 'DEVELOPER_REJECTED', 'IN_REVIEW', 'INVALID_BINARY',
  'METADATA_REJECTED', 'PENDING_APPLE_RELEASE', 'PENDING_CONTRACT', 'PENDING_DEVELOPER_RELEASE',
  'PREPARE_FOR_SUBMISSION', 'PREORDER_READY_FOR_SALE', 'PROCESSING_FOR_APP_STORE',
  'READY_FOR_REVIEW', 'READY_FOR_SALE', 'REJECTED', 'REMOVED_FROM_SALE',
  'WAITING_FOR_EXPORT_COMPLIANCE', 'WAITING_FOR_REVIEW', 'REPLACED_WITH_NEW_VERSION',
  'NOT_APPLICABLE'
]
// prettier-ignore
const APP_VERSION_STATES = [
  'ACCEPTED', 'DEVELOPER_REJECTED', 'IN_REVIEW', 'INVALID_BINARY', 'METADATA_REJECTED',
  'PENDING_APPLE_RELEASE', 'PENDING_DEVELOPER_RELEASE', 'PREPARE_FOR_SUBMISSION',
  'PROCESSING_FOR_DISTRIBUTION', 'READY_FOR_DISTRIBUTION', 'READY_FOR_REVIEW', 'REJECTED',
  'REPLACED_WITH_NEW_VERSION', 'WAITING_FOR_EXPORT_COMPLIANCE', 'WAITING_FOR_REVIEW'
]
// prettier-ignore
const APP_STORE_VERSION_FIELDS = [
  'platform', 'versionString', 'appStoreState', 'appVersionState', 'copyright', 'reviewType',
  'releaseType', 'earliestReleaseDate', 'usesIdfa', 'downloadable', 'createdDate', 'app',
  'appStoreVersionLocalizations', 'build', 'appStoreVersionPhasedRelease', 'gameCenterAppVersion',
  'routingAppCoverage', 'appStoreReviewDetail', 'appStoreVersionSubmission',
  'appClipDefaultExperience', 'appStoreVersionExperiments', 'appStoreVersionExperimentsV2',
  'customerReviews', 'alternativeDistributionPackage'
]
// prettier-ignore
const APP_STORE_VERSION_INCLUDES = [
  'app', 'appStoreVersionLocalizations', 'build', 'appStoreVersionPhasedRelease',
  'gameCenterAppVersion', 'routingAppCoverage', 'appStoreReviewDetail', 'appStoreVersionSubmission',
  'appClipDefaultExperience', 'appStoreVersionExperiments', 'appStoreVersionExperimentsV2',
  'alternativeDistributionPackage'
]
const PHASED_RELEASE_FIELDS = [
  'phasedReleaseState',
  'startDate',
  'totalPauseDuration',
  'currentDayNumber'
]
/**
 * The transitions Apple's help describes: pause and resume an active rollout, or release it
 * to everyone. INACTIVE starts only when the version is released; COMPLETE is final.
 */
const PHASED_RELEASE_TRANSITIONS = {
  ACTIVE: ['PAUSED', 'COMPLETE'],
  PAUSED: ['ACTIVE', 'COMPLETE'],
  INACTIVE: [],
  COMPLETE: []
}
/** Pauses may add up to 30 days per version. */
const MAX_PAUSE_DAYS = 30
/** API key roles that may change a release (Account Holder has no API keys). */
const RELEASE_ROLES = ['ADMIN', 'APP_MANAGER']
const schemaNamed = schemaValidator()
/** Includes the simulator renders; Apple accepts more (betaGroups, icons, …). */
const BUILD_INCLUDES = ['preReleaseVersion', 'app']
/**
 * perfPowerMetrics filters. The spec's platform enum is IOS only, but Apple's own examples send
 * `iOS`, so both are accepted.
 * @type {Record<string, ParameterCheck>}
 */
const METRICS_PARAMETERS = {
  'filter[platform]': oneOf(['IOS', 'iOS']),
  'filter[metricType]': oneOf(METRIC_TYPES),
  'filter[deviceType]': anyValues
}

const NOT_AUTHORIZED_BODY = {
  errors: [
    {
      status: '401',
      code: 'NOT_AUTHORIZED',
      title: 'Authentication credentials are missing or invalid.',
      detail:
        'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens'
    }
  ]
}

/**
 * @typedef {import('./sim-core.mjs').SimResponse} SimResponse
 * @typedef {import('./sim-core.mjs').SimContext} SimContext
 * @typedef {import('./sim-core.mjs').TimelineEntry} TimelineEntry
 * @typedef {import('./sim-core.mjs').StatusFault} StatusFault
 * @typedef {{ id: string, bundleId: string, name: string, sku?: string, primaryLocale?: string,
 *   metrics?: Record<string, any> }} SimApp
 *   metrics: the app's xcodeMetrics document (test-support/metrics.mjs); without it, perfPowerMetrics answers 404 (no data yet).
 * @typedef {{ id?: string, diagnosticType: string, signature: string, weight: unknown, insight?: unknown }} SimSignature
 *   `weight` and `insight` are passed through untouched so tests can feed malformed values.
 * @typedef {{
 *   id: string, appId: string, version: string, marketingVersion: string, platform?: string,
 *   uploadedDate: string, processingState?: string, expired?: boolean, minOsVersion?: string,
 *   signatures: SimSignature[], logs?: Record<string, object>,
 *   nextLinkOrigin?: string, nextLinkLoop?: boolean, noData?: boolean
 * }} SimBuild
 *   nextLinkOrigin: signature pages point `links.next` at another origin;
 *   nextLinkLoop: signature pages always point `links.next` back at the first page.
 *   noData: Apple has no diagnostics for this existing build yet, and answers its
 *   diagnosticSignatures with 404 (as it does for most builds before release).
 * @typedef {{ id: string, state: string, startDate?: string, currentDayNumber?: number,
 *   totalPauseDuration?: number }} SimPhasedRelease
 * @typedef {{
 *   id: string, appId: string, versionString: string, appStoreState: string, platform?: string,
 *   createdDate: string, buildId?: string, phasedRelease?: SimPhasedRelease,
 *   states?: 'both' | 'current' | 'deprecated', buildNotIncluded?: boolean
 * }} SimAppStoreVersion
 *   Listed in the order given: Apple documents no order for an app's versions.
 *   states: which state attributes the version carries: both (default), only `appVersionState`
 *   (`current`), or only the deprecated `appStoreState`.
 *   buildNotIncluded: the build relationship names the build, but `include=build` leaves it
 *   out of `included` (as some answers do); GET /v1/appStoreVersions/{id}/build still has it.
 * @typedef {{ limit: number, remaining: number, minute?: { limit: number, remaining: number } }} RateLimit
 *   minute: the per-minute window some endpoints also report; when it runs out, 429.
 * @typedef {{ apps: SimApp[], builds: SimBuild[], versions: SimAppStoreVersion[],
 *   pageSize: number, rateLimit: RateLimit, roles: Record<string, string>,
 *   rewrite?: (body: any, ctx: SimContext) => any }} AscState
 *   rewrite: changes every answer's body before it is sent (the hostile-text test poisons
 *   every string in it).
 * @typedef {KeyObject | import('node:crypto').webcrypto.CryptoKey | string} KeyInput
 *   public or private key: PEM, KeyObject or CryptoKey (as jose's generateKeyPair returns)
 * @typedef {{
 *   keys: Record<string, KeyInput>, apps?: SimApp[], builds?: SimBuild[],
 *   versions?: SimAppStoreVersion[], roles?: Record<string, string>, pageSize?: number,
 *   latencyMs?: number, rateLimit?: RateLimit, now?: () => number
 * }} AscSimulatorOptions
 *   roles: each key's role by key ID (ADMIN when not listed); only ADMIN and APP_MANAGER may
 *   change a phased release.
 *   pageSize: server-side cap, so pages can be shorter than the requested limit (Apple does this).
 *   now: current time in seconds, for the JWT checks.
 * @typedef {{
 *   url: string, close: () => Promise<void>, timeline: TimelineEntry[],
 *   faults: import('./sim-core.mjs').SimServer['faults'], criticalPath: () => number,
 *   setLatency: (ms: number) => void, state: AscState
 * }} AscSimulator
 */

/**
 * @param {AscSimulatorOptions} options
 * @returns {Promise<AscSimulator>}
 */
export async function startAscSimulator({
  keys,
  apps = [],
  builds = [],
  versions = [],
  roles = {},
  pageSize = MAX_LIMIT,
  latencyMs = 0,
  rateLimit = { limit: 3500, remaining: 3400 },
  now = () => Date.now() / 1000
}) {
  const publicKeys = new Map(Object.entries(keys).map(([kid, key]) => [kid, publicKeyOf(key)]))
  /** @type {AscState} */
  const state = {
    apps,
    builds,
    versions,
    pageSize,
    rateLimit: { ...rateLimit, ...(rateLimit.minute ? { minute: { ...rateLimit.minute } } : {}) },
    roles
  }
  let nextSignatureId = 1

  /** @param {SimContext} ctx */
  function onRequest(ctx) {
    recordToken(ctx)
    const limits = state.rateLimit
    const { minute } = limits
    if (limits.remaining > 0 && (!minute || minute.remaining > 0)) {
      limits.remaining -= 1
      if (minute) minute.remaining -= 1
    } else ctx.entry.rateLimited = true
    const minuteKeys = minute
      ? `user-minute-lim:${minute.limit};user-minute-rem:${minute.remaining};`
      : ''
    return {
      'x-rate-limit': `user-hour-lim:${limits.limit};user-hour-rem:${limits.remaining};${minuteKeys}`
    }
  }

  /** @param {SimContext} ctx */
  async function handle(ctx) {
    const authFailure = await checkToken(ctx, publicKeys, now())
    if (authFailure) {
      ctx.entry.authFailure = authFailure
      return { status: 401, body: NOT_AUTHORIZED_BODY }
    }
    if (ctx.entry.rateLimited) return /** @type {SimResponse} */ (ascErrorFault(429))
    const route = ROUTES.find(r => r.pattern.test(ctx.path))
    if (!route) {
      return appleError(
        404,
        'NOT_FOUND',
        'The specified resource does not exist',
        'The path provided does not match a defined resource type.'
      )
    }
    const handler =
      ctx.method === 'GET' ? route.handle : ctx.method === 'PATCH' ? route.update : undefined
    if (!handler) return methodNotAllowed(ctx, route.resource, route.handle ? 'GET' : 'PATCH')
    const badParameter = checkParameters(ctx.url.searchParams, route.parameters)
    if (badParameter) return badParameter
    for (const build of state.builds) {
      for (const signature of build.signatures) signature.id ??= signatureId(nextSignatureId++)
    }
    const match = /** @type {RegExpExecArray} */ (route.pattern.exec(ctx.path))
    const response = handler(ctx, state, decodeURIComponent(match[1] ?? ''))
    return state.rewrite ? { ...response, body: state.rewrite(response.body, ctx) } : response
  }

  const server = await createServer(handle, { latencyMs, onRequest })
  return { ...server, criticalPath: () => criticalPath(server.timeline), state }
}

/**
 * A canned Apple error, usable as a fault: `faults.add({ fault: ascErrorFault(429) })`.
 * `agreement` and `access-unavailable` are the two 403s Apple sends when the Account Holder
 * must accept an agreement; `state` is a 409 with `meta.associatedErrors`.
 * @param {403 | 429 | 500 | 'agreement' | 'access-unavailable' | 'state'} status
 * @returns {StatusFault}
 */
export function ascErrorFault(status) {
  if (status === 'agreement') {
    return appleError(
      403,
      'FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED',
      'A required agreement is missing or has expired.',
      'This request requires an in-effect agreement that has not been signed or has expired.',
      undefined,
      { links: { see: '/agreements' } }
    )
  }
  if (status === 'access-unavailable') {
    return appleError(
      403,
      'FORBIDDEN',
      'Access Unavailable',
      "You currently don't have access to this resource. To resolve this issue, the Account Holder must agree to the latest Program License Agreement in their account on the Apple Developer website. https://developer.apple.com/account"
    )
  }
  if (status === 'state') {
    return appleError(
      409,
      'STATE_ERROR.ENTITY_STATE_INVALID',
      "appStoreVersionPhasedReleases with id 'p-1' is not in valid state.",
      'This resource cannot be changed, please check associated errors to see why.',
      undefined,
      {
        meta: {
          associatedErrors: {
            '/v1/appStoreVersions/v-1': [
              {
                id: randomUUID(),
                status: '409',
                code: 'ENTITY_ERROR.ATTRIBUTE.INVALID',
                title: 'An attribute value is invalid.',
                detail: 'The version is being reviewed again and its rollout cannot change.',
                source: { pointer: '/data/attributes/phasedReleaseState' }
              }
            ]
          }
        }
      }
    )
  }
  const errors = {
    403: [
      'FORBIDDEN_ERROR',
      'This request is forbidden for security reasons',
      'The API key in use does not allow this request'
    ],
    429: [
      'RATE_LIMIT_EXCEEDED',
      'The request rate limit has been reached.',
      "We've received too many requests for this API. Please wait and try again or slow down your request rate."
    ],
    500: [
      'UNEXPECTED_ERROR',
      'An unexpected error occurred.',
      'An unexpected error occurred on the server side. If this issue continues, contact us at https://developer.apple.com/contact/.'
    ]
  }
  const [code, title, detail] = errors[status]
  return appleError(status, code, title, detail)
}

// ---------------------------------------------------------------- routes

/**
 * @typedef {(value: string, name: string) => SimResponse | undefined} ParameterCheck
 * @typedef {(ctx: SimContext, state: AscState, id: string) => SimResponse} Handler
 * @typedef {{ pattern: RegExp, resource: string, parameters: Record<string, ParameterCheck>,
 *   handle?: Handler, update?: Handler }} Route
 *   handle answers GET, update answers PATCH; any other method is refused as Apple does.
 */

/** @type {Route[]} */
const ROUTES = [
  {
    pattern: /^\/v1\/builds\/([^/]+)\/diagnosticSignatures$/,
    resource: 'diagnosticSignatures',
    parameters: {
      'filter[diagnosticType]': oneOf(DIAGNOSTIC_TYPES),
      'fields[diagnosticSignatures]': fieldNames(SIGNATURE_FIELDS),
      limit: limitCheck,
      cursor: cursorCheck
    },
    handle: listSignatures
  },
  {
    pattern: /^\/v1\/diagnosticSignatures\/([^/]+)\/logs$/,
    resource: 'logs',
    parameters: { limit: limitCheck },
    handle: getLogs
  },
  {
    pattern: /^\/v1\/builds\/([^/]+)$/,
    resource: 'builds',
    parameters: {
      include: oneOf(BUILD_INCLUDES),
      'fields[builds]': fieldNames(BUILD_FIELDS),
      'fields[preReleaseVersions]': fieldNames(PRE_RELEASE_VERSION_FIELDS),
      'fields[apps]': fieldNames(APP_FIELDS)
    },
    handle: getBuild
  },
  {
    pattern: /^\/v1\/apps\/([^/]+)\/perfPowerMetrics$/,
    resource: 'perfPowerMetrics',
    parameters: METRICS_PARAMETERS,
    handle: (ctx, state, id) => getMetrics(ctx, state, id, 'apps')
  },
  {
    pattern: /^\/v1\/builds\/([^/]+)\/perfPowerMetrics$/,
    resource: 'perfPowerMetrics',
    parameters: METRICS_PARAMETERS,
    handle: (ctx, state, id) => getMetrics(ctx, state, id, 'builds')
  },
  {
    pattern: /^\/v1\/apps$/,
    resource: 'apps',
    parameters: {
      'filter[bundleId]': anyValues,
      'filter[id]': anyValues,
      'fields[apps]': fieldNames(APP_FIELDS),
      sort: fieldNames(APP_SORTS),
      limit: limitCheck,
      cursor: cursorCheck
    },
    handle: listApps
  },
  {
    pattern: /^\/v1\/builds$/,
    resource: 'builds',
    parameters: {
      'filter[app]': anyValues,
      'filter[id]': anyValues,
      'filter[version]': anyValues,
      'filter[expired]': oneOf(['true', 'false']),
      'filter[processingState]': oneOf(PROCESSING_STATES),
      'filter[preReleaseVersion.version]': anyValues,
      'filter[preReleaseVersion.platform]': oneOf(PLATFORMS),
      'fields[builds]': fieldNames(BUILD_FIELDS),
      'fields[preReleaseVersions]': fieldNames(PRE_RELEASE_VERSION_FIELDS),
      'fields[apps]': fieldNames(APP_FIELDS),
      include: oneOf(BUILD_INCLUDES),
      sort: fieldNames(BUILD_SORTS),
      limit: limitCheck,
      cursor: cursorCheck
    },
    handle: listBuilds
  },
  {
    pattern: /^\/v1\/apps\/([^/]+)\/appStoreVersions$/,
    resource: 'appStoreVersions',
    parameters: {
      'filter[platform]': oneOf(PLATFORMS),
      'filter[versionString]': anyValues,
      'filter[appStoreState]': oneOf(APP_STORE_STATES),
      'filter[appVersionState]': oneOf(APP_VERSION_STATES),
      'filter[id]': anyValues,
      'fields[appStoreVersions]': fieldNames(APP_STORE_VERSION_FIELDS),
      'fields[builds]': fieldNames(BUILD_FIELDS),
      'fields[appStoreVersionPhasedReleases]': fieldNames(PHASED_RELEASE_FIELDS),
      include: oneOf(APP_STORE_VERSION_INCLUDES),
      limit: limitCheck,
      cursor: cursorCheck
    },
    handle: listAppStoreVersions
  },
  {
    pattern: /^\/v1\/appStoreVersions\/([^/]+)\/build$/,
    resource: 'builds',
    parameters: { 'fields[builds]': fieldNames(BUILD_FIELDS) },
    handle: getVersionBuild
  },
  {
    pattern: /^\/v1\/appStoreVersions\/([^/]+)\/appStoreVersionPhasedRelease$/,
    resource: 'appStoreVersionPhasedReleases',
    parameters: { 'fields[appStoreVersionPhasedReleases]': fieldNames(PHASED_RELEASE_FIELDS) },
    handle: getPhasedRelease
  },
  {
    pattern: /^\/v1\/appStoreVersionPhasedReleases\/([^/]+)$/,
    resource: 'appStoreVersionPhasedReleases',
    parameters: {},
    update: updatePhasedRelease
  }
]

/** @type {Handler} */
function listAppStoreVersions(ctx, state, appId) {
  if (!state.apps.some(app => app.id === appId)) return notFound('apps', appId)
  const q = ctx.query
  /** @type {[string, (version: SimAppStoreVersion) => string | undefined][]} */
  const filters = [
    ['filter[platform]', v => v.platform ?? 'IOS'],
    ['filter[versionString]', v => v.versionString],
    ['filter[appStoreState]', v => v.appStoreState],
    ['filter[appVersionState]', v => appVersionState(v.appStoreState)],
    ['filter[id]', v => v.id]
  ]
  const versions = state.versions.filter(
    version =>
      version.appId === appId &&
      filters.every(
        ([name, value]) => !q[name] || q[name].split(',').includes(value(version) ?? '')
      )
  )
  const page = paginate(versions, ctx, state.pageSize)
  const include = list(q.include) ?? []
  const fields = list(q['fields[appStoreVersions]'])
  const data = page.data.map(v => appStoreVersionResource(v, LINK_ORIGIN, fields, include))
  if (!include.length) return ok({ ...page, data })
  /** @type {Map<string, { type: string, id: string }>} */
  const included = new Map()
  for (const version of page.data) {
    const build = state.builds.find(b => b.id === version.buildId)
    if (include.includes('build') && build && !version.buildNotIncluded)
      included.set(
        `builds/${build.id}`,
        buildResource(build, LINK_ORIGIN, list(q['fields[builds]']), [])
      )
    if (include.includes('appStoreVersionPhasedRelease') && version.phasedRelease) {
      const release = phasedReleaseResource(
        version.phasedRelease,
        LINK_ORIGIN,
        list(q['fields[appStoreVersionPhasedReleases]'])
      )
      included.set(`appStoreVersionPhasedReleases/${release.id}`, release)
    }
  }
  return ok({ ...page, data, included: [...included.values()] })
}

/** @type {Handler} */
function getVersionBuild(ctx, state, versionId) {
  const version = state.versions.find(v => v.id === versionId)
  if (!version) return notFound('appStoreVersions', versionId)
  const build = state.builds.find(b => b.id === version.buildId)
  return ok({
    data: build ? buildResource(build, LINK_ORIGIN, list(ctx.query['fields[builds]']), []) : null,
    links: { self: `${LINK_ORIGIN}${ctx.url.pathname}` }
  })
}

/** @type {Handler} */
function getPhasedRelease(ctx, state, versionId) {
  const version = state.versions.find(v => v.id === versionId)
  if (!version) return notFound('appStoreVersions', versionId)
  if (!version.phasedRelease) return notFound('appStoreVersionPhasedReleases', versionId)
  const fields = list(ctx.query['fields[appStoreVersionPhasedReleases]'])
  return ok({
    data: phasedReleaseResource(version.phasedRelease, LINK_ORIGIN, fields),
    links: { self: `${LINK_ORIGIN}${ctx.url.pathname}` }
  })
}

/**
 * PATCH a phased release: the key's role first, then the body against Apple's schema, then
 * the state machine. Answers with the release as it now is.
 * @type {Handler}
 */
function updatePhasedRelease(ctx, state, releaseId) {
  const version = state.versions.find(v => v.phasedRelease?.id === releaseId)
  if (!version?.phasedRelease) return notFound('appStoreVersionPhasedReleases', releaseId)
  const kid = String(/** @type {{ kid?: unknown }} */ (ctx.entry.tokenHeader ?? {}).kid)
  ctx.entry.role = state.roles[kid] ?? 'ADMIN'
  if (!RELEASE_ROLES.includes(/** @type {string} */ (ctx.entry.role))) {
    return appleError(
      403,
      'FORBIDDEN_ERROR',
      'This request is forbidden for security reasons',
      'The API key in use does not allow this request'
    )
  }
  const type = String(ctx.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
  if (type !== 'application/json') {
    return appleError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'The request entity has a media type which the server or resource does not support.',
      `'${type}' is not a supported media type; use application/json`
    )
  }
  /** @type {any} */
  let body
  try {
    body = JSON.parse(ctx.body)
  } catch {
    return appleError(
      400,
      'ENTITY_ERROR',
      'The request entity is not valid JSON.',
      'The provided request entity is not valid JSON.'
    )
  }
  ctx.entry.requestBody = body
  const validate = schemaNamed('AppStoreVersionPhasedReleaseUpdateRequest')
  if (!validate(body)) {
    const [first] = validate.errors ?? []
    return appleError(
      422,
      'ENTITY_ERROR.ATTRIBUTE.INVALID',
      'An attribute value is invalid.',
      `The request body does not match AppStoreVersionPhasedReleaseUpdateRequest: ${first?.instancePath || '/'} ${first?.message ?? ''}`,
      { pointer: first?.instancePath || '/data' }
    )
  }
  if (body.data.id !== releaseId) {
    return appleError(
      409,
      'ENTITY_ERROR.ID.INVALID',
      'The provided entity id is invalid',
      `The provided id '${body.data.id}' does not match the id '${releaseId}' in the request path`,
      { pointer: '/data/id' }
    )
  }
  const release = version.phasedRelease
  const target = body.data.attributes?.phasedReleaseState
  if (target !== undefined && target !== null && target !== release.state) {
    const allowed =
      /** @type {Record<string, string[]>} */ (PHASED_RELEASE_TRANSITIONS)[release.state] ?? []
    const pauseSpent = target === 'PAUSED' && (release.totalPauseDuration ?? 0) >= MAX_PAUSE_DAYS
    if (!allowed.includes(target) || pauseSpent) {
      return appleError(
        409,
        'ENTITY_ERROR.ATTRIBUTE.INVALID',
        'An attribute value is invalid.',
        pauseSpent
          ? `The phased release has been paused for ${release.totalPauseDuration} days, the most allowed.`
          : `A phased release in state ${release.state} cannot change to ${target}.`,
        { pointer: '/data/attributes/phasedReleaseState' }
      )
    }
    release.state = target
  } else if (target === release.state) {
    return appleError(
      409,
      'ENTITY_ERROR.ATTRIBUTE.INVALID',
      'An attribute value is invalid.',
      `The phased release is already ${release.state}.`,
      { pointer: '/data/attributes/phasedReleaseState' }
    )
  }
  return ok({
    data: phasedReleaseResource(release, LINK_ORIGIN, undefined),
    links: { self: `${LINK_ORIGIN}${ctx.url.pathname}` }
  })
}

/** @param {string} appStoreState the deprecated state's counterpart in `appVersionState` */
function appVersionState(appStoreState) {
  if (APP_VERSION_STATES.includes(appStoreState)) return appStoreState
  return /** @type {Record<string, string>} */ ({
    READY_FOR_SALE: 'READY_FOR_DISTRIBUTION',
    PREORDER_READY_FOR_SALE: 'READY_FOR_DISTRIBUTION',
    REMOVED_FROM_SALE: 'READY_FOR_DISTRIBUTION',
    DEVELOPER_REMOVED_FROM_SALE: 'READY_FOR_DISTRIBUTION',
    PROCESSING_FOR_APP_STORE: 'PROCESSING_FOR_DISTRIBUTION'
  })[appStoreState]
}

/** @type {Handler} */
function listSignatures(ctx, state, buildId) {
  const build = state.builds.find(b => b.id === buildId)
  // Apple answers 404 both for a build that does not exist and for one without data yet.
  if (!build || build.noData) return notFound('builds', buildId)
  const types = list(ctx.query['filter[diagnosticType]'])
  const fields = list(ctx.query['fields[diagnosticSignatures]'])
  const signatures = build.signatures
    .filter(s => !types || types.includes(s.diagnosticType))
    .sort((a, b) => byWeightDescending(a.weight, b.weight))
  const page = paginate(signatures, ctx, state.pageSize, build)
  return ok({ ...page, data: page.data.map(s => signatureResource(s, LINK_ORIGIN, fields)) })
}

/** @type {Handler} */
function getLogs(ctx, state, signatureId) {
  const unacceptable = notAcceptable(ctx, LOGS_MEDIA_TYPE)
  if (unacceptable) return unacceptable
  const build = state.builds.find(b => b.signatures.some(s => s.id === signatureId))
  if (!build) return notFound('diagnosticSignatures', signatureId)
  const signature = /** @type {SimSignature} */ (build.signatures.find(s => s.id === signatureId))
  const app = state.apps.find(a => a.id === build.appId)
  const body = build.logs?.[signatureId] ?? defaultLogs(signature, build, app)
  return { status: 200, headers: { 'content-type': LOGS_MEDIA_TYPE }, body }
}

/**
 * Apple's vendor media types must be in Accept: a 406 comes back as plain text, not as an
 * ErrorResponse.
 * @param {SimContext} ctx
 * @param {string} mediaType
 * @returns {SimResponse | undefined}
 */
function notAcceptable(ctx, mediaType) {
  const accepted = String(ctx.headers.accept ?? '')
    .split(',')
    .map(type => type.split(';')[0].trim().toLowerCase())
  if (accepted.includes(mediaType)) return undefined
  return {
    status: 406,
    headers: { 'content-type': 'text/plain' },
    body: `Not Acceptable. Supported media types: ${mediaType}`
  }
}

/** @type {Handler} */
function getBuild(ctx, state, buildId) {
  const build = state.builds.find(b => b.id === buildId)
  if (!build) return notFound('builds', buildId)
  const include = list(ctx.query.include) ?? []
  const data = buildResource(build, LINK_ORIGIN, list(ctx.query['fields[builds]']), include)
  const included = includedFor([build], state, ctx, include)
  return ok({
    data,
    ...(included.length ? { included } : {}),
    links: { self: `${LINK_ORIGIN}${ctx.url.pathname}${ctx.url.search}` }
  })
}

/**
 * Power and performance metrics, app-wide or for one build's version, filtered by metric type,
 * device and platform as Apple does; 404 when there is no data (yet).
 * @param {SimContext} ctx
 * @param {AscState} state
 * @param {string} id
 * @param {'apps' | 'builds'} scope
 * @returns {SimResponse}
 */
function getMetrics(ctx, state, id, scope) {
  const unacceptable = notAcceptable(ctx, METRICS_MEDIA_TYPE)
  if (unacceptable) return unacceptable
  const build = scope === 'builds' ? state.builds.find(b => b.id === id) : undefined
  if (scope === 'builds' && !build) return notFound('builds', id)
  const appId = build ? build.appId : id
  const app = state.apps.find(a => a.id === appId)
  if (!app) return notFound('apps', id)
  const noData = () =>
    appleError(
      404,
      'NOT_FOUND',
      'The specified resource does not exist',
      `There is no resource of type 'perfPowerMetrics' for id '${id}'`
    )
  if (!app.metrics) return noData()
  const body = filterMetrics(app.metrics, ctx.query, build?.marketingVersion)
  if (build && !body.productData.some((/** @type {any} */ p) => p.metricCategories.length))
    return noData()
  return { status: 200, headers: { 'content-type': METRICS_MEDIA_TYPE }, body }
}

/**
 * A copy of an xcodeMetrics document with only the requested categories, devices and platform
 * (and, for a build, only its version's points).
 * @param {Record<string, any>} document
 * @param {Record<string, string>} query
 * @param {string} [version]
 */
function filterMetrics(document, query, version) {
  const types = list(query['filter[metricType]'])
  // Device models contain commas themselves (iPhone15,2): a new value starts with a letter.
  const devices = query['filter[deviceType]']?.split(/,(?=[A-Za-z])/)
  const platforms = list(query['filter[platform]'])?.map(p => p.toUpperCase())
  const copy = structuredClone(document)
  /** @param {{ metricCategory?: string, latestVersion?: string }} insight */
  const keepInsight = insight =>
    (!types || types.includes(String(insight.metricCategory))) &&
    (!version || insight.latestVersion === version)
  /** @param {{ metricCategory?: string, populations?: { device?: string }[] }} insight */
  const trimPopulations = insight => ({
    ...insight,
    populations: (insight.populations ?? []).filter(
      p => !devices || devices.includes(String(p.device))
    )
  })
  if (copy.insights) {
    for (const kind of ['regressions', 'trendingUp']) {
      if (Array.isArray(copy.insights[kind]))
        copy.insights[kind] = copy.insights[kind].filter(keepInsight).map(trimPopulations)
    }
  }
  copy.productData = (copy.productData ?? [])
    .filter(
      (/** @type {any} */ p) => !platforms || platforms.includes(String(p.platform).toUpperCase())
    )
    .map((/** @type {any} */ product) => ({
      ...product,
      metricCategories: (product.metricCategories ?? [])
        .filter((/** @type {any} */ c) => !types || types.includes(c.identifier))
        .map((/** @type {any} */ category) => ({
          ...category,
          metrics: category.metrics.map((/** @type {any} */ metric) => ({
            ...metric,
            datasets: metric.datasets
              .filter(
                (/** @type {any} */ d) => !devices || devices.includes(d.filterCriteria?.device)
              )
              .map((/** @type {any} */ d) => ({
                ...d,
                points: d.points.filter((/** @type {any} */ p) => !version || p.version === version)
              }))
          }))
        }))
        .filter((/** @type {any} */ c) =>
          c.metrics.some((/** @type {any} */ m) =>
            m.datasets.some((/** @type {any} */ d) => d.points.length)
          )
        )
    }))
  return copy
}

/** @type {Handler} */
function listApps(ctx, state) {
  const bundleIds = list(ctx.query['filter[bundleId]'])
  const ids = list(ctx.query['filter[id]'])
  const apps = state.apps
    // Apple's bundleId filter is not exact: com.example.app also finds com.example.app.widget.
    .filter(app => !bundleIds || bundleIds.some(prefix => app.bundleId.startsWith(prefix)))
    .filter(app => !ids || ids.includes(app.id))
    .sort(
      comparator(list(ctx.query.sort), (app, key) =>
        String(app[/** @type {keyof SimApp} */ (key)] ?? '')
      )
    )
  const page = paginate(apps, ctx, state.pageSize)
  const fields = list(ctx.query['fields[apps]'])
  return ok({ ...page, data: page.data.map(app => appResource(app, LINK_ORIGIN, fields)) })
}

/** @type {Handler} */
function listBuilds(ctx, state) {
  const q = ctx.query
  /** @type {[string, (build: SimBuild) => string][]} */
  const filters = [
    ['filter[app]', b => b.appId],
    ['filter[id]', b => b.id],
    ['filter[version]', b => b.version],
    ['filter[expired]', b => String(b.expired ?? false)],
    ['filter[processingState]', b => b.processingState ?? 'VALID'],
    ['filter[preReleaseVersion.version]', b => b.marketingVersion],
    ['filter[preReleaseVersion.platform]', b => b.platform ?? 'IOS']
  ]
  const builds = state.builds
    .filter(build =>
      filters.every(([name, value]) => !q[name] || q[name].split(',').includes(value(build)))
    )
    .sort(comparator(list(q.sort), buildSortValue))
  const page = paginate(builds, ctx, state.pageSize)
  const include = list(q.include) ?? []
  const data = page.data.map(build =>
    buildResource(build, LINK_ORIGIN, list(q['fields[builds]']), include)
  )
  if (!include.length) return ok({ ...page, data })
  return ok({ ...page, data, included: includedFor(page.data, state, ctx, include) })
}

/**
 * The `included` resources of builds. Builds of one app share their app and often a prerelease
 * version: each is listed once.
 * @param {SimBuild[]} builds
 * @param {AscState} state
 * @param {SimContext} ctx
 * @param {string[]} include
 */
function includedFor(builds, state, ctx, include) {
  /** @type {Map<string, { type: string, id: string }>} */
  const included = new Map()
  for (const build of builds) {
    const app = state.apps.find(a => a.id === build.appId)
    if (include.includes('preReleaseVersion')) {
      const version = preReleaseVersionResource(
        build,
        LINK_ORIGIN,
        list(ctx.query['fields[preReleaseVersions]'])
      )
      included.set(`preReleaseVersions/${version.id}`, version)
    }
    if (include.includes('app') && app)
      included.set(`apps/${app.id}`, appResource(app, LINK_ORIGIN, list(ctx.query['fields[apps]'])))
  }
  return [...included.values()]
}

/** @param {SimBuild} build @param {string} key a `sort` key without its `-` */
function buildSortValue(build, key) {
  if (key === 'version') return build.version
  if (key === 'preReleaseVersion') return build.marketingVersion
  return build.uploadedDate
}

// ---------------------------------------------------------------- resources

/**
 * @param {SimSignature} signature
 * @param {string} origin
 * @param {string[] | undefined} fields
 */
function signatureResource(signature, origin, fields) {
  const { id, diagnosticType, signature: text, weight, insight } = signature
  const attributes = pick({ diagnosticType, signature: text, weight, insight }, fields)
  const logs = { links: { related: `${origin}/v1/diagnosticSignatures/${id}/logs` } }
  return {
    type: 'diagnosticSignatures',
    id,
    ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(!fields || fields.includes('logs') ? { relationships: { logs } } : {}),
    links: { self: `${origin}/v1/diagnosticSignatures/${id}` }
  }
}

/**
 * @param {SimApp} app
 * @param {string} origin
 * @param {string[] | undefined} fields
 */
function appResource({ id, name, bundleId, sku, primaryLocale }, origin, fields) {
  return {
    type: 'apps',
    id,
    attributes: pick({ name, bundleId, sku, primaryLocale }, fields),
    links: { self: `${origin}/v1/apps/${id}` }
  }
}

/**
 * @param {SimBuild} build
 * @param {string} origin
 * @param {string[] | undefined} fields
 * @param {string[]} include
 */
function buildResource(build, origin, fields, include) {
  const self = `${origin}/v1/builds/${build.id}`
  const uploaded = Date.parse(build.uploadedDate)
  const attributes = {
    version: build.version,
    uploadedDate: build.uploadedDate,
    expirationDate: new Date(uploaded + 90 * 24 * 3600 * 1000).toISOString().replace('.000Z', 'Z'),
    expired: build.expired ?? false,
    minOsVersion: build.minOsVersion ?? '16.0',
    processingState: build.processingState ?? 'VALID',
    buildAudienceType: 'APP_STORE_ELIGIBLE',
    usesNonExemptEncryption: false
  }
  /**
   * @param {string} name
   * @param {{ type: string, id: string }} data linkage, shown only when included (as Apple does)
   */
  const toOne = (name, data) => ({
    links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` },
    ...(include.includes(name) ? { data } : {})
  })
  const relationships = pick(
    {
      app: toOne('app', { type: 'apps', id: build.appId }),
      preReleaseVersion: toOne('preReleaseVersion', {
        type: 'preReleaseVersions',
        id: preReleaseVersionId(build)
      }),
      diagnosticSignatures: {
        links: {
          self: `${self}/relationships/diagnosticSignatures`,
          related: `${self}/diagnosticSignatures`
        }
      }
    },
    fields
  )
  return {
    type: 'builds',
    id: build.id,
    attributes: pick(attributes, fields),
    ...(Object.keys(relationships).length ? { relationships } : {}),
    links: { self }
  }
}

/**
 * @param {SimAppStoreVersion} version
 * @param {string} origin
 * @param {string[] | undefined} fields
 * @param {string[]} include
 */
function appStoreVersionResource(version, origin, fields, include) {
  const self = `${origin}/v1/appStoreVersions/${version.id}`
  const attributes = {
    platform: version.platform ?? 'IOS',
    versionString: version.versionString,
    appStoreState: version.states === 'current' ? undefined : version.appStoreState,
    appVersionState:
      version.states === 'deprecated' ? undefined : appVersionState(version.appStoreState),
    releaseType: 'MANUAL',
    downloadable: true,
    createdDate: version.createdDate
  }
  /**
   * @param {string} name
   * @param {{ type: string, id: string } | null} data linkage, shown only when included
   */
  const toOne = (name, data) => ({
    links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` },
    ...(include.includes(name) && data ? { data } : {})
  })
  const relationships = pick(
    {
      build: toOne('build', version.buildId ? { type: 'builds', id: version.buildId } : null),
      appStoreVersionPhasedRelease: toOne(
        'appStoreVersionPhasedRelease',
        version.phasedRelease
          ? { type: 'appStoreVersionPhasedReleases', id: version.phasedRelease.id }
          : null
      )
    },
    fields
  )
  return {
    type: 'appStoreVersions',
    id: version.id,
    attributes: pick(attributes, fields),
    ...(Object.keys(relationships).length ? { relationships } : {}),
    links: { self }
  }
}

/**
 * @param {SimPhasedRelease} release
 * @param {string} origin
 * @param {string[] | undefined} fields
 */
function phasedReleaseResource(release, origin, fields) {
  const attributes = {
    phasedReleaseState: release.state,
    startDate: release.startDate,
    totalPauseDuration: release.totalPauseDuration,
    currentDayNumber: release.currentDayNumber
  }
  return {
    type: 'appStoreVersionPhasedReleases',
    id: release.id,
    attributes: pick(attributes, fields),
    links: { self: `${origin}/v1/appStoreVersionPhasedReleases/${release.id}` }
  }
}

/**
 * @param {SimBuild} build
 * @param {string} origin
 * @param {string[] | undefined} fields
 */
function preReleaseVersionResource(build, origin, fields) {
  const id = preReleaseVersionId(build)
  return {
    type: 'preReleaseVersions',
    id,
    attributes: pick(
      { version: build.marketingVersion, platform: build.platform ?? 'IOS' },
      fields
    ),
    links: { self: `${origin}/v1/preReleaseVersions/${id}` }
  }
}

/** @param {SimBuild} build one prerelease version per app, platform and marketing version */
function preReleaseVersionId(build) {
  return opaqueId(`${build.appId}/${build.platform ?? 'IOS'}/${build.marketingVersion}`)
}

/**
 * The disk-writes log in the shape of Apple's own example: a sampled tree
 * (`callStackPerThread: false`) rooted at the outermost frame, six blamed frames on one path,
 * a SQLite frame tagged `insightsCategory`, a `doc://` insight link, `rawFrame` and an empty
 * `offsetIntoBinaryTextSegment`, no `threadAttributed`, metadata without bundleId or
 * buildVersion, and a `signatureId` other than the one asked for.
 * @param {SimSignature} signature
 * @param {SimBuild} build
 */
function diskWritesLog(signature, build) {
  const [, binary = 'App', symbol = signature.signature, offset = '0'] =
    /^(.+?): (.+?)(?: \+ (\d+))?$/.exec(signature.signature) ?? []
  /** @type {[string, string, boolean, object?][]} outermost first: binary, symbol, blamed, extra */
  const path = [
    ['libdispatch.dylib', '_dispatch_call_block_and_release', false],
    [binary, '-[SyncController run]', true, { fileName: 'SyncController.m', lineNumber: '120' }],
    [binary, '-[Store loadAll]', true, { fileName: 'Store.m', lineNumber: '64' }],
    [binary, '-[DBQueue perform:]', true, { fileName: 'DBQueue.m', lineNumber: '31' }],
    ['libdispatch.dylib', '_dispatch_lane_barrier_sync_invoke_and_complete', false],
    ['libdispatch.dylib', '_dispatch_client_callout', false],
    [
      binary,
      '__26-[DBQueue perform:]_block_invoke',
      true,
      { fileName: 'DBQueue.m', lineNumber: '33' }
    ],
    [binary, '__21-[Store loadAll]_block_invoke', true, { fileName: 'Store.m', lineNumber: '70' }],
    [
      binary,
      symbol,
      true,
      { fileName: `${binary}.swift`, lineNumber: '88', offsetIntoSymbol: offset }
    ],
    ['libsqlite3.dylib', 'sqlite3_step', false],
    ['libsqlite3.dylib', 'sqlite3VdbeExec', false],
    ['libsqlite3.dylib', 'vdbeSorterFlushPMA', false, { insightsCategory: 'SQLiteSpill' }],
    ['libsqlite3.dylib', 'unixWrite', false],
    ['libsystem_kernel.dylib', 'pwrite', false]
  ]
  /** @type {Record<string, unknown> | undefined} */
  let child
  for (let i = path.length - 1; i >= 0; i--) {
    const [binaryName, symbolName, blamed, extra = {}] = path[i]
    const address = 0x100000000 + i * 0x1234
    child = {
      offsetIntoBinaryTextSegment: '',
      offsetIntoSymbol: '16',
      symbolName,
      address: `0x${address.toString(16)}`,
      binaryUUID: opaqueId(binaryName).toUpperCase(),
      isBlameFrame: blamed,
      binaryName,
      sampleCount: 40,
      rawFrame: `40 ${symbolName} (in ${binaryName}) + 16 [0x${address.toString(16)}]`,
      ...extra,
      subFrames: child ? [child] : []
    }
  }
  return {
    version: '1.0.0',
    productData: [
      {
        // Apple's example answers with another signature's ID than the one asked for.
        signatureId: signatureId(-1),
        diagnosticInsights: [
          {
            insightsURL:
              'doc://com.apple.documentation/documentation/xcode/reducing-disk-writes#Use-Appropriate-Indices',
            insightsCategory: 'SQLiteSpill',
            insightsString:
              'SQLite spill file detected. Add appropriate index to improve performance.'
          }
        ],
        diagnosticLogs: [
          {
            diagnosticMetaData: {
              event: 'disk writes',
              osVersion: 'iPhone OS 17.5 (21F79)',
              appVersion: build.marketingVersion,
              writesCaused: '1073.76 MB',
              deviceType: 'iPhone13_3',
              platformArchitecture: 'arm64',
              eventDetail: 'Total of 1073.76 MB of disk writes'
            },
            callStackTree: [
              { callStacks: [{ callStackRootFrames: [child] }], callStackPerThread: false }
            ]
          }
        ]
      }
    ]
  }
}

/**
 * The diagnosticLogs body Apple would return when the test stored none: one
 * hang-style call stack whose blamed frame is the signature's own symbol.
 * Root frames are the innermost frames; subFrames walk out towards `start`.
 * @param {SimSignature} signature
 * @param {SimBuild} build
 * @param {SimApp | undefined} app
 */
function defaultLogs(signature, build, app) {
  if (signature.diagnosticType === 'DISK_WRITES') return diskWritesLog(signature, build)
  const [, binary = 'App', symbol = signature.signature, offset = '0'] =
    /^(.+?): (.+?)(?: \+ (\d+))?$/.exec(signature.signature) ?? []
  /**
   * @param {string} binaryName
   * @param {string} symbolName
   * @param {number} address
   * @param {object} [extra]
   */
  const frame = (binaryName, symbolName, address, extra = {}) => ({
    binaryName,
    binaryUUID: opaqueId(binaryName).toUpperCase(),
    address: `0x${address.toString(16)}`,
    offsetIntoBinaryTextSegment: String(address & 0xfffff),
    symbolName,
    sampleCount: 14,
    ...extra
  })
  const start = frame('dyld', 'start', 0x1a2b3c4d0, { offsetIntoSymbol: '2240' })
  const main = frame(binary, 'main', 0x100004000, {
    fileName: 'main.swift',
    lineNumber: '12',
    subFrames: [start]
  })
  const blamed = frame(binary, symbol, 0x1000a1b2c, {
    offsetIntoSymbol: offset,
    fileName: `${binary}.swift`,
    lineNumber: '88',
    isBlameFrame: true,
    subFrames: [main]
  })
  const leaf = frame('libsystem_kernel.dylib', 'mach_msg2_trap', 0x1f0a2c1e8, {
    offsetIntoSymbol: '8',
    subFrames: [blamed]
  })
  const event =
    { HANGS: 'hang', DISK_WRITES: 'diskWrites', LAUNCHES: 'launch' }[signature.diagnosticType] ??
    'hang'
  const detail =
    signature.diagnosticType === 'DISK_WRITES'
      ? { writesCaused: '1.07 GB' }
      : { eventDetail: '2.1 s' }
  return {
    version: '1.0',
    productData: [
      {
        signatureId: signature.id,
        diagnosticLogs: [
          {
            diagnosticMetaData: {
              bundleId: app?.bundleId ?? 'com.example.app',
              event,
              appVersion: build.marketingVersion,
              buildVersion: build.version,
              osVersion: 'iPhone OS 17.5 (21F79)',
              deviceType: 'iPhone15,2',
              platformArchitecture: 'arm64e',
              ...detail
            },
            callStackTree: [
              { callStackPerThread: true, callStacks: [{ callStackRootFrames: [leaf] }] }
            ]
          }
        ]
      }
    ]
  }
}

// ---------------------------------------------------------------- paging

/**
 * One page of `items` as JSON:API `data`, `links` and `meta.paging`. The page
 * holds min(limit, pageSize) items; links are absolute on the simulator origin.
 * @template T
 * @param {T[]} items
 * @param {SimContext} ctx
 * @param {number} pageSize
 * @param {Pick<SimBuild, 'nextLinkOrigin' | 'nextLinkLoop'>} [faults] fault modes for links.next
 */
function paginate(items, ctx, pageSize, faults = {}) {
  const limit = ctx.query.limit ? Number(ctx.query.limit) : DEFAULT_LIMIT
  const offset = ctx.query.cursor ? decodeCursor(ctx.query.cursor) : 0
  const end = offset + Math.min(limit, pageSize)
  const data = items.slice(offset, end)
  const self = `${LINK_ORIGIN}${ctx.url.pathname}${ctx.url.search}`
  // meta.paging.limit is the page size served, which need not be the limit asked for.
  const served = Math.min(limit, pageSize)
  if (end >= items.length)
    return { data, links: { self }, meta: { paging: { total: items.length, limit: served } } }
  const nextCursor = encodeCursor(end)
  const next = new URL(`${ctx.url.pathname}${ctx.url.search}`, faults.nextLinkOrigin ?? LINK_ORIGIN)
  next.searchParams.set('limit', String(limit))
  if (faults.nextLinkLoop) next.searchParams.delete('cursor')
  else next.searchParams.set('cursor', nextCursor)
  return {
    data,
    links: { self, next: next.href },
    meta: { paging: { total: items.length, limit: served, nextCursor } }
  }
}

/** @param {number} offset looks like Apple's cursors ("Mg.AO1b2c"), but only the part before the dot counts */
function encodeCursor(offset) {
  return `${Buffer.from(String(offset)).toString('base64url')}.${opaqueId(String(offset)).slice(0, 6)}`
}

/** @param {string} cursor */
function decodeCursor(cursor) {
  const offset = Number(Buffer.from(cursor.split('.')[0], 'base64url').toString())
  return Number.isInteger(offset) && offset > 0 ? offset : NaN
}

// ---------------------------------------------------------------- parameters

/**
 * Apple rejects unknown parameters: an unknown filter is PARAMETER_ERROR.INVALID,
 * any other parameter the operation does not take is PARAMETER_ERROR.ILLEGAL.
 * @param {URLSearchParams} params
 * @param {Record<string, ParameterCheck>} checks
 * @returns {SimResponse | undefined}
 */
function checkParameters(params, checks) {
  for (const [name, value] of params) {
    const check = checks[name]
    if (check) {
      const problem = check(value, name)
      if (problem) return problem
    } else if (name.startsWith('filter[')) {
      return invalidParameter(name, `'${name.slice(7, -1)}' is not a valid filter type`)
    } else {
      return appleError(
        400,
        'PARAMETER_ERROR.ILLEGAL',
        'A given parameter is not allowed for this request',
        `The parameter '${name}' can not be used with this request`,
        { parameter: name }
      )
    }
  }
  return undefined
}

/** @param {string[]} allowed @returns {ParameterCheck} */
function oneOf(allowed) {
  return (value, name) => {
    const bad = value.split(',').find(v => !allowed.includes(v))
    return bad === undefined
      ? undefined
      : invalidParameter(name, `'${bad}' is not a valid value for the parameter '${name}'`)
  }
}

/** @param {string[]} allowed @returns {ParameterCheck} */
function fieldNames(allowed) {
  return (value, name) => {
    const bad = value.split(',').find(v => !allowed.includes(v))
    return bad === undefined
      ? undefined
      : invalidParameter(name, `'${bad}' is not a valid field name`)
  }
}

/** @type {ParameterCheck} */
function anyValues(value, name) {
  return value.split(',').every(Boolean)
    ? undefined
    : invalidParameter(name, `'${value}' is not a valid value for the parameter '${name}'`)
}

/** @type {ParameterCheck} */
function limitCheck(value, name) {
  const limit = Number(value)
  if (/^\d+$/.test(value) && limit >= 1 && limit <= MAX_LIMIT) return undefined
  return invalidParameter(
    name,
    `'${value}' is not a valid value for the parameter 'limit'. It must be an integer between 1 and ${MAX_LIMIT}.`
  )
}

/** @type {ParameterCheck} */
function cursorCheck(value, name) {
  return Number.isNaN(decodeCursor(value))
    ? invalidParameter(name, `'${value}' is not a valid cursor for this request`)
    : undefined
}

// ---------------------------------------------------------------- auth

/** Keep the raw token and its unverified contents on the timeline for assertions. @param {SimContext} ctx */
function recordToken(ctx) {
  const token = bearerToken(ctx.headers.authorization)
  if (!token) return
  ctx.entry.token = token
  try {
    ctx.entry.tokenHeader = decodeProtectedHeader(token)
    ctx.entry.claims = decodeJwt(token)
  } catch {
    // Undecodable tokens are rejected by checkToken; nothing more to record.
  }
}

/**
 * Apple's token rules. Returns why the token is rejected, or undefined if it is fine.
 * @param {SimContext} ctx
 * @param {Map<string, KeyObject>} publicKeys
 * @param {number} nowSeconds
 * @returns {Promise<string | undefined>}
 */
async function checkToken(ctx, publicKeys, nowSeconds) {
  const token = bearerToken(ctx.headers.authorization)
  if (!token) return 'missing'
  const header = /** @type {Record<string, unknown> | undefined} */ (ctx.entry.tokenHeader)
  if (!header) return 'malformed'
  if (header.alg !== 'ES256') return 'alg'
  if (header.typ !== 'JWT') return 'typ'
  const key = publicKeys.get(String(header.kid))
  if (!key) return 'kid'
  /** @type {import('jose').JWTPayload} */
  let claims
  try {
    ;({ payload: claims } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      currentDate: new Date(nowSeconds * 1000)
    }))
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code
    return code === 'ERR_JWT_EXPIRED'
      ? 'expired'
      : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
        ? 'signature'
        : 'malformed'
  }
  const { aud, iat, exp, iss, sub, scope } = claims
  if (aud !== AUDIENCE) return 'aud'
  if (typeof iat !== 'number' || typeof exp !== 'number') return 'iat-exp'
  if (exp <= nowSeconds) return 'expired'
  // A team key's token names its issuer; an individual key's has sub "user" and no iss.
  const individual = sub === 'user'
  if (individual ? iss !== undefined : typeof iss !== 'string' || iss === '') return 'identity'
  if (scope !== undefined && !scopeMatches(scope, ctx)) return 'scope'
  const maxLifetime =
    scope !== undefined && isLongLivedScope(/** @type {string[]} */ (scope))
      ? MAX_SCOPED_LIFETIME_S
      : MAX_LIFETIME_S
  if (exp - iat > maxLifetime) return 'lifetime'
  return undefined
}

/** @param {string | undefined} authorization */
function bearerToken(authorization) {
  return /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
}

/**
 * A scoped token is valid only for requests its scope lists: same method, path
 * and query, where parameter order, limit, cursor and sort do not matter.
 * @param {unknown} scope
 * @param {SimContext} ctx
 */
function scopeMatches(scope, ctx) {
  if (!Array.isArray(scope)) return false
  const requestQuery = scopedQuery(ctx.url.searchParams)
  return scope.some(entry => {
    const [method, target = ''] = String(entry).split(' ')
    const allowed = new URL(target, 'https://api.appstoreconnect.apple.com')
    return (
      method === ctx.method &&
      allowed.pathname === ctx.path &&
      scopedQuery(allowed.searchParams) === requestQuery
    )
  })
}

/** @param {URLSearchParams} params */
function scopedQuery(params) {
  return JSON.stringify(
    [...params].filter(([name]) => !['limit', 'cursor', 'sort'].includes(name)).sort()
  )
}

/** @param {string[]} scope GET-only and all on the metrics-and-logs resources */
function isLongLivedScope(scope) {
  return scope.every(entry => {
    const [method, target = ''] = entry.split(' ')
    const path = new URL(target, 'https://api.appstoreconnect.apple.com').pathname
    return method === 'GET' && LONG_LIVED_PATHS.some(pattern => pattern.test(path))
  })
}

/** @param {KeyInput} key */
function publicKeyOf(key) {
  if (typeof key === 'string')
    return createPublicKey(key.includes('PRIVATE KEY') ? createPrivateKey(key) : key)
  const object = key instanceof KeyObject ? key : KeyObject.from(key)
  return object.type === 'private' ? createPublicKey(object) : object
}

// ---------------------------------------------------------------- responses

/** @param {object} body */
function ok(body) {
  return { status: 200, body }
}

/**
 * Apple's ErrorResponse: every error has a fresh id and a string status.
 * @param {number} status
 * @param {string} code
 * @param {string} title
 * @param {string} detail
 * @param {{ parameter: string } | { pointer: string }} [source]
 * @param {Record<string, unknown>} [extra] more members of the error: `links`, `meta`
 * @returns {SimResponse & StatusFault}
 */
function appleError(status, code, title, detail, source, extra = {}) {
  return {
    status,
    body: {
      errors: [
        {
          id: randomUUID(),
          status: String(status),
          code,
          title,
          detail,
          ...(source ? { source } : {}),
          ...extra
        }
      ]
    }
  }
}

/** @param {string} parameter @param {string} detail */
function invalidParameter(parameter, detail) {
  return appleError(400, 'PARAMETER_ERROR.INVALID', 'A parameter has an invalid value', detail, {
    parameter
  })
}

/** @param {string} type @param {string} id */
function notFound(type, id) {
  return appleError(
    404,
    'NOT_FOUND',
    'The specified resource does not exist',
    `There is no resource of type '${type}' with id '${id}'`,
    { pointer: 'data/id' }
  )
}

/**
 * Apple answers a write to a read-only resource with 403 FORBIDDEN_ERROR naming
 * the operation; methods it has no operation for get a plain 405.
 * @param {SimContext} ctx
 * @param {string} resource
 * @param {string} [allow] the method the path does answer
 * @returns {SimResponse}
 */
function methodNotAllowed(ctx, resource, allow = 'GET') {
  const operation = { POST: 'CREATE', PATCH: 'UPDATE', DELETE: 'DELETE' }[ctx.method]
  if (!operation) {
    const response = appleError(
      405,
      'METHOD_NOT_ALLOWED',
      'The request method is not valid for the resource path.',
      `'${ctx.method}' is not allowed on '${ctx.path}'`
    )
    return { ...response, headers: { allow } }
  }
  const collection = !/\/v1\/[^/]+\/[^/]+/.test(ctx.path)
  return appleError(
    403,
    'FORBIDDEN_ERROR',
    'This request is forbidden for security reasons',
    `The resource '${resource}' does not allow '${operation}'. Allowed operations are: ${collection ? 'GET_COLLECTION' : 'GET_TO_MANY_RELATED'}`
  )
}

// ---------------------------------------------------------------- helpers

/** @param {string | undefined} value comma list (form style, explode false) */
function list(value) {
  return value === undefined ? undefined : value.split(',')
}

/**
 * @template {Record<string, unknown>} T
 * @param {T} object
 * @param {string[] | undefined} fields sparse fieldset; undefined keeps everything
 * @returns {Partial<T>}
 */
function pick(object, fields) {
  const kept = Object.entries(object).filter(
    ([key, value]) => value !== undefined && (!fields || fields.includes(key))
  )
  return /** @type {Partial<T>} */ (Object.fromEntries(kept))
}

/**
 * Comparator for JSON:API `sort` keys (`-` prefix = descending); versions
 * compare numerically ("10" after "9").
 * @template T
 * @param {string[] | undefined} keys
 * @param {(item: T, key: string) => string} value
 * @returns {(a: T, b: T) => number}
 */
function comparator(keys = [], value) {
  return (a, b) => {
    for (const key of keys) {
      const name = key.replace(/^-/, '')
      const order = value(a, name).localeCompare(value(b, name), 'en', { numeric: true })
      if (order !== 0) return key.startsWith('-') ? -order : order
    }
    return 0
  }
}

/** Heaviest first; non-numeric weights (fault tests) sort last. @param {unknown} a @param {unknown} b */
function byWeightDescending(a, b) {
  const sortable = (/** @type {unknown} */ w) =>
    typeof w === 'number' && !Number.isNaN(w) ? w : -Infinity
  return sortable(a) === sortable(b) ? 0 : sortable(a) > sortable(b) ? -1 : 1
}

/** @param {number} n a signature ID as Apple writes them: 66 hexadecimal characters */
function signatureId(n) {
  return `01${createHash('sha256').update(`signature ${n}`).digest('hex')}`
}

/** @param {string} seed deterministic UUID-shaped id */
function opaqueId(seed) {
  const hex = createHash('sha256').update(seed).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
