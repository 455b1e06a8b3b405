// Guards the fidelity of the HTTP simulators the action is tested against: their
// responses must validate against Apple's own schemas, and their auth, paging,
// error and timing behaviour must match what App Store Connect and GitHub do.
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from '@jest/globals'
import { generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose'
import { criticalPath, createServer } from '../test-support/sim-core.mjs'
import { ascErrorFault, startAscSimulator } from '../test-support/asc-simulator.mjs'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'
import { schemaValidator } from '../test-support/asc-schemas.mjs'
import {
  APP,
  appStoreVersions,
  baselineBuild,
  BUILD_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { driftFixture, METRIC_FIXTURES, METRICS_MEDIA_TYPE } from '../test-support/metrics.mjs'

type AscSimulator = Awaited<ReturnType<typeof startAscSimulator>>
type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const KID = 'TESTKEY123'
const ISSUER = '69a6de7e-8b2c-47e3-e053-5b8c7c11a4d1'
const LOGS_TYPE = 'application/vnd.apple.diagnostic-logs+json'
const nowSeconds = () => Math.floor(Date.now() / 1000)

// ---------------------------------------------------------------- schemas

const schemaNamed = schemaValidator()

function expectSchema(name: string, body: unknown): void {
  const validate = schemaNamed(name)
  expect(validate(body) ? [] : validate.errors).toEqual([])
}

// ---------------------------------------------------------------- tokens

interface MintOptions {
  claims?: JWTPayload
  header?: Record<string, unknown>
  key?: CryptoKey
}

let privateKey: CryptoKey
let otherKey: CryptoKey

/** A valid team-key token unless `claims`/`header`/`key` say otherwise. */
function mint({ claims = {}, header = {}, key = privateKey }: MintOptions = {}): Promise<string> {
  const iat = nowSeconds()
  const payload = { iss: ISSUER, iat, exp: iat + 600, aud: 'appstoreconnect-v1', ...claims }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT', ...header })
    .sign(key)
}

async function ascGet(
  sim: AscSimulator,
  pathOrUrl: string,
  headers: Record<string, string> = {}
): Promise<Response> {
  // Links are absolute on Apple's origin, as Apple writes them: read them from the simulator.
  const url = pathOrUrl.startsWith('http')
    ? pathOrUrl.replace(/^https:\/\/api\.appstoreconnect\.apple\.com/, sim.url)
    : `${sim.url}${pathOrUrl}`
  if (!url.startsWith('http://127.')) throw new Error(`not a loopback URL: ${url}`)
  return fetch(url, { headers: { authorization: `Bearer ${await mint()}`, ...headers } })
}

async function ascJson(sim: AscSimulator, pathOrUrl: string): Promise<Json> {
  const response = await ascGet(sim, pathOrUrl)
  expect(response.headers.get('content-type')).toBe('application/json')
  return (await response.json()) as Json
}

/** Follows links.next to the end, as a client should; returns every page. */
async function allPages(sim: AscSimulator, firstPath: string): Promise<Json[]> {
  const pages = [await ascJson(sim, firstPath)]
  while (pages.at(-1)?.links.next) pages.push(await ascJson(sim, pages.at(-1)?.links.next))
  return pages
}

// ---------------------------------------------------------------- fixtures

const INSIGHT = {
  insightType: 'TREND',
  direction: 'UP',
  referenceVersions: [
    { version: '2.3.0', value: 0.182 },
    { version: '2.2.1', value: 0.129 }
  ]
}

function signatures() {
  return [
    {
      diagnosticType: 'HANGS',
      signature: 'ExampleApp: -[FeedViewController reload] + 123',
      weight: 0.31,
      insight: INSIGHT
    },
    {
      diagnosticType: 'HANGS',
      signature: 'ExampleApp: closure #1 in ImageCache.load(url:) + 88',
      weight: 0.2
    },
    {
      diagnosticType: 'HANGS',
      signature: 'libsystem_kernel.dylib: mach_msg2_trap + 8',
      weight: 0.1
    },
    {
      diagnosticType: 'DISK_WRITES',
      signature: 'ExampleApp: -[Database executeSQL:] + 23',
      weight: 0.85
    },
    { diagnosticType: 'DISK_WRITES', signature: 'ExampleApp: Cache.flush() + 40', weight: 0.07 },
    {
      diagnosticType: 'LAUNCHES',
      signature: 'ExampleApp: static Analytics.bootstrap() + 64',
      weight: 0.25
    },
    { diagnosticType: 'LAUNCHES', signature: 'ExampleApp: AppDelegate.migrate() + 12', weight: 0.5 }
  ]
}

async function startAsc(
  overrides: Partial<Parameters<typeof startAscSimulator>[0]> = {}
): Promise<AscSimulator> {
  return startAscSimulator({
    keys: { [KID]: privateKey },
    apps: [
      { id: '1000000001', bundleId: 'com.example.app', name: 'Example' },
      { id: '1000000002', bundleId: 'com.example.app.widget', name: 'Example Widget' },
      { id: '1000000003', bundleId: 'org.other', name: 'Other' }
    ],
    builds: [
      {
        id: 'build-412',
        appId: '1000000001',
        version: '412',
        marketingVersion: '2.4.0',
        uploadedDate: '2026-11-20T10:00:00Z',
        signatures: signatures()
      },
      {
        id: 'build-399',
        appId: '1000000001',
        version: '399',
        marketingVersion: '2.3.0',
        uploadedDate: '2026-11-01T10:00:00Z',
        signatures: []
      },
      {
        id: 'build-mac',
        appId: '1000000001',
        version: '412',
        marketingVersion: '2.4.0',
        platform: 'MAC_OS',
        uploadedDate: '2026-11-21T10:00:00Z',
        signatures: []
      }
    ],
    pageSize: 3,
    ...overrides
  })
}

beforeAll(async () => {
  ;({ privateKey } = await generateKeyPair('ES256', { extractable: true }))
  ;({ privateKey: otherKey } = await generateKeyPair('ES256', { extractable: true }))
})

// ---------------------------------------------------------------- App Store Connect

describe('App Store Connect simulator', () => {
  let sim: AscSimulator
  beforeAll(async () => {
    sim = await startAsc()
  })
  afterAll(() => sim.close())

  it('pages diagnostic signatures heaviest first, with server-side short pages', async () => {
    const pages = await allPages(sim, '/v1/builds/build-412/diagnosticSignatures?limit=5')
    pages.forEach(page => expectSchema('DiagnosticSignaturesResponse', page))
    expect(pages.map(page => page.data.length)).toEqual([3, 3, 1])
    // As Apple's own example shows, meta.paging.limit is the page size served, not the limit asked.
    expect(pages[0].meta.paging).toMatchObject({ total: 7, limit: 3 })
    // And every link is absolute on Apple's origin, whichever host was called.
    expect(new URL(pages[0].links.next).origin).toBe('https://api.appstoreconnect.apple.com')
    const all = pages.flatMap(page => page.data)
    const weights = all.map(signature => signature.attributes.weight)
    expect(weights).toEqual([...weights].sort((a, b) => b - a))
    const trending = all.find(signature => signature.attributes.weight === 0.31)
    expect(trending.attributes.insight).toEqual(INSIGHT)
    expect(trending.relationships.logs.links.related).toBe(
      `https://api.appstoreconnect.apple.com/v1/diagnosticSignatures/${trending.id}/logs`
    )
  })

  it('filters by type and honours sparse fieldsets', async () => {
    const page = await ascJson(
      sim,
      '/v1/builds/build-412/diagnosticSignatures?filter[diagnosticType]=HANGS,LAUNCHES&fields[diagnosticSignatures]=weight,insight&limit=200'
    )
    expectSchema('DiagnosticSignaturesResponse', page)
    expect(page.data).toHaveLength(3) // pageSize caps the 5 matches
    for (const signature of page.data) {
      expect(
        Object.keys(signature.attributes).every(key => ['weight', 'insight'].includes(key))
      ).toBe(true)
      expect(signature.relationships).toBeUndefined()
    }
  })

  it('serves diagnostic logs only to the vendor media type', async () => {
    const { data } = await ascJson(sim, '/v1/builds/build-412/diagnosticSignatures?limit=1')
    const logsUrl = data[0].relationships.logs.links.related

    for (const accept of [undefined, 'application/json']) {
      const refused = await ascGet(sim, logsUrl, accept ? { accept } : {})
      expect(refused.status).toBe(406)
      expect(refused.headers.get('content-type')).toMatch(/^text\/plain/)
    }

    const response = await ascGet(sim, logsUrl, { accept: `${LOGS_TYPE}, application/json` })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(LOGS_TYPE)
    const logs = (await response.json()) as Json
    expectSchema('diagnosticLogs', logs)
    expect(JSON.stringify(logs)).toContain('"isBlameFrame":true')
  })

  it('finds apps by bundle id prefix, like Apple', async () => {
    const page = await ascJson(
      sim,
      '/v1/apps?filter[bundleId]=com.example.app&fields[apps]=bundleId,name&limit=200'
    )
    expectSchema('AppsResponse', page)
    expect(page.data.map((app: Json) => app.attributes.bundleId)).toEqual([
      'com.example.app',
      'com.example.app.widget'
    ])
  })

  it('resolves a build with its prerelease version included', async () => {
    const page = await ascJson(
      sim,
      '/v1/builds?filter[app]=1000000001&filter[preReleaseVersion.version]=2.4.0&filter[version]=412' +
        '&filter[preReleaseVersion.platform]=IOS&include=preReleaseVersion&sort=-uploadedDate&limit=2'
    )
    expectSchema('BuildsResponse', page)
    expect(page.data.map((build: Json) => build.id)).toEqual(['build-412'])
    const linkage = page.data[0].relationships.preReleaseVersion.data
    expect(page.included).toEqual([
      expect.objectContaining({ ...linkage, attributes: { version: '2.4.0', platform: 'IOS' } })
    ])
  })

  const listSignatures = 'GET /v1/builds/build-412/diagnosticSignatures'
  // Every row has all five columns: a shorter row would hand Jest's done callback to the test.
  // prettier-ignore
  it.each<[string, string, number, string, string | null]>([
    ['an unknown build', 'GET /v1/builds/nope/diagnosticSignatures', 404, 'NOT_FOUND', null],
    ['an unknown path', 'GET /v1/nothing', 404, 'NOT_FOUND', null],
    ['a write to a read-only resource', 'POST /v1/apps', 403, 'FORBIDDEN_ERROR', null],
    ['a limit over 200', `${listSignatures}?limit=201`, 400, 'PARAMETER_ERROR.INVALID', 'limit'],
    ['a limit of 0', 'GET /v1/apps?limit=0', 400, 'PARAMETER_ERROR.INVALID', 'limit'],
    ['an unknown filter', 'GET /v1/builds?filter[x]=1', 400, 'PARAMETER_ERROR.INVALID', 'filter[x]'],
    ['a bad enum value', `${listSignatures}?filter[diagnosticType]=CRASHES`, 400, 'PARAMETER_ERROR.INVALID', 'filter[diagnosticType]'],
    ['a misspelt field', `${listSignatures}?fields[diagnosticSignatures]=weigth`, 400, 'PARAMETER_ERROR.INVALID', 'fields[diagnosticSignatures]'],
    ['a parameter the operation lacks', `${listSignatures}?sort=weight`, 400, 'PARAMETER_ERROR.ILLEGAL', 'sort']
  ])('answers %s with an ErrorResponse', async (_, request, status, code, parameter) => {
    const [method, path] = request.split(' ')
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await mint()}` }
    })
    expect(response.status).toBe(status)
    const body = (await response.json()) as Json
    expectSchema('ErrorResponse', body)
    expect(body.errors[0]).toMatchObject({ status: String(status), code })
    if (parameter) expect(body.errors[0].source).toEqual({ parameter })
  })

  it('sends the X-Rate-Limit header and a 429 once the hour is used up', async () => {
    const limited = await startAsc({ rateLimit: { limit: 3500, remaining: 1 } })
    try {
      const first = await ascGet(limited, '/v1/apps')
      expect(first.headers.get('x-rate-limit')).toBe('user-hour-lim:3500;user-hour-rem:0;')
      const second = await ascGet(limited, '/v1/apps')
      expect(second.status).toBe(429)
      expectSchema('ErrorResponse', await second.json())
    } finally {
      await limited.close()
    }
  })

  it('serves injected Apple errors in the ErrorResponse shape', async () => {
    sim.faults.add({ match: { path: '/v1/apps' }, times: 1, fault: ascErrorFault(429) })
    const response = await ascGet(sim, '/v1/apps')
    expect(response.status).toBe(429)
    expect(response.headers.get('x-rate-limit')).toMatch(/^user-hour-lim:\d+;user-hour-rem:\d+;$/)
    const body = (await response.json()) as Json
    expectSchema('ErrorResponse', body)
    expect(body.errors[0].code).toBe('RATE_LIMIT_EXCEEDED')
  })

  it('can point links.next at another origin or back at the first page', async () => {
    const build = sim.state.builds[0]
    try {
      build.nextLinkOrigin = 'http://127.0.0.2:1'
      const foreign = await ascJson(sim, '/v1/builds/build-412/diagnosticSignatures?limit=2')
      expect(new URL(foreign.links.next).origin).toBe('http://127.0.0.2:1')

      delete build.nextLinkOrigin
      build.nextLinkLoop = true
      const first = await ascJson(sim, '/v1/builds/build-412/diagnosticSignatures?limit=2')
      const again = await ascJson(sim, first.links.next)
      expect(again.data).toEqual(first.data)
      expect(again.links.next).toBe(first.links.next)
    } finally {
      delete build.nextLinkLoop
    }
  })
})

describe('App Store versions and phased releases', () => {
  let sim: AscSimulator
  const versions = `/v1/apps/${APP.id}/appStoreVersions`
  const release = `/v1/appStoreVersionPhasedReleases/${PHASED_RELEASE_ID}`
  const pause = {
    type: 'appStoreVersionPhasedReleases',
    id: PHASED_RELEASE_ID,
    attributes: { phasedReleaseState: 'PAUSED' }
  }
  beforeEach(async () => {
    sim = await startAscSimulator({
      keys: { [KID]: privateKey, READER: otherKey },
      roles: { READER: 'DEVELOPER' },
      apps: [APP],
      builds: [sampleBuild({ noData: true }), baselineBuild()],
      versions: appStoreVersions()
    })
  })
  afterEach(() => sim.close())

  async function patch(
    body: unknown,
    { key = privateKey, kid = KID, type = 'application/json', path = release } = {}
  ): Promise<{ status: number; body: Json }> {
    const token = await mint({ key, header: { kid } })
    const response = await fetch(`${sim.url}${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    })
    return { status: response.status, body: (await response.json()) as Json }
  }

  it('lists versions by platform and state, with their build and phased release included', async () => {
    const page = await ascJson(
      sim,
      `${versions}?filter[platform]=IOS&filter[appStoreState]=READY_FOR_SALE,REPLACED_WITH_NEW_VERSION` +
        '&include=build,appStoreVersionPhasedRelease&fields[builds]=version,processingState' +
        '&fields[appStoreVersions]=versionString,appStoreState,appVersionState,createdDate,build,appStoreVersionPhasedRelease&limit=200'
    )
    expectSchema('AppStoreVersionsResponse', page)
    // In the scenario's order: Apple documents none, so clients must sort.
    expect(
      page.data.map((v: Json) => [
        v.attributes.versionString,
        v.attributes.appStoreState,
        v.attributes.appVersionState
      ])
    ).toEqual([
      ['2.3.0', 'REPLACED_WITH_NEW_VERSION', 'REPLACED_WITH_NEW_VERSION'],
      ['2.4.0', 'READY_FOR_SALE', 'READY_FOR_DISTRIBUTION'],
      ['2.2.0', 'REPLACED_WITH_NEW_VERSION', 'REPLACED_WITH_NEW_VERSION']
    ])
    const live = page.data[1]
    expect(live.relationships.build.data).toEqual({ type: 'builds', id: BUILD_ID })
    expect(live.relationships.appStoreVersionPhasedRelease.data).toEqual({
      type: 'appStoreVersionPhasedReleases',
      id: PHASED_RELEASE_ID
    })
    expect(page.included).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'builds',
          id: BUILD_ID,
          attributes: { version: '412', processingState: 'VALID' }
        }),
        expect.objectContaining({
          type: 'appStoreVersionPhasedReleases',
          id: PHASED_RELEASE_ID,
          attributes: expect.objectContaining({ phasedReleaseState: 'ACTIVE', currentDayNumber: 3 })
        })
      ])
    )
    const mac = await ascJson(sim, `${versions}?filter[platform]=MAC_OS`)
    expect(mac.data).toEqual([])
  })

  it.each([
    ['an unknown state', `${versions}?filter[appStoreState]=LIVE`, 400, 'filter[appStoreState]'],
    ['a sort, which the operation lacks', `${versions}?sort=-createdDate`, 400, 'sort'],
    ['an unknown include', `${versions}?include=builds`, 400, 'include'],
    ['an unknown app', '/v1/apps/999/appStoreVersions', 404, null]
  ])('answers %s with an ErrorResponse', async (_, path, status, parameter) => {
    const response = await ascGet(sim, path)
    expect(response.status).toBe(status)
    const body = (await response.json()) as Json
    expectSchema('ErrorResponse', body)
    if (parameter) expect(body.errors[0].source).toEqual({ parameter })
  })

  it("reads a version's phased release and a single build", async () => {
    const read = await ascJson(sim, '/v1/appStoreVersions/asv-2-4-0/appStoreVersionPhasedRelease')
    expectSchema('AppStoreVersionPhasedReleaseResponse', read)
    expect(read.data.attributes.phasedReleaseState).toBe('ACTIVE')
    const build = await ascJson(sim, `/v1/builds/${BUILD_ID}?fields[builds]=processingState`)
    expectSchema('BuildResponse', build)
    expect(build.data).toMatchObject({ id: BUILD_ID, attributes: { processingState: 'VALID' } })
    expect((await ascGet(sim, '/v1/builds/nope')).status).toBe(404)
  })

  it('answers 404 on the diagnostics of an existing build without data', async () => {
    const response = await ascGet(sim, `/v1/builds/${BUILD_ID}/diagnosticSignatures`)
    expect(response.status).toBe(404)
    expect((await ascGet(sim, `/v1/builds/${BUILD_ID}`)).status).toBe(200)
  })

  it('pauses an active rollout with a body that matches the spec, and answers the new state', async () => {
    const { status, body } = await patch({ data: pause })
    expect(status).toBe(200)
    expectSchema('AppStoreVersionPhasedReleaseResponse', body)
    expect(body.data.attributes.phasedReleaseState).toBe('PAUSED')
    expect(sim.timeline.at(-1)?.requestBody).toEqual({ data: pause })
    // And resumes it, as App Store Connect allows (the action never asks).
    const resumed = await patch({
      data: { ...pause, attributes: { phasedReleaseState: 'ACTIVE' } }
    })
    expect(resumed.body.data.attributes.phasedReleaseState).toBe('ACTIVE')
  })

  it.each([
    [
      'a key whose role cannot change releases',
      { data: pause },
      { key: 'other', kid: 'READER' },
      403,
      'FORBIDDEN_ERROR'
    ],
    ['a body that is not JSON', '{"data":', {}, 400, 'ENTITY_ERROR'],
    ['another media type', { data: pause }, { type: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'a state outside the enum',
      { data: { ...pause, attributes: { phasedReleaseState: 'STOPPED' } } },
      {},
      422,
      'ENTITY_ERROR.ATTRIBUTE.INVALID'
    ],
    [
      'an attribute the schema lacks',
      { data: { ...pause, attributes: { currentDayNumber: 1 } } },
      {},
      422,
      'ENTITY_ERROR.ATTRIBUTE.INVALID'
    ],
    [
      'the wrong type',
      { data: { ...pause, type: 'appStoreVersions' } },
      {},
      422,
      'ENTITY_ERROR.ATTRIBUTE.INVALID'
    ],
    [
      'another id than the path',
      { data: { ...pause, id: 'other' } },
      {},
      409,
      'ENTITY_ERROR.ID.INVALID'
    ],
    [
      'an unknown phased release',
      { data: pause },
      { path: '/v1/appStoreVersionPhasedReleases/nope' },
      404,
      'NOT_FOUND'
    ]
  ] as const)('refuses %s', async (_, body, options, status, code) => {
    const { status: got, body: answer } = await patch(body, {
      ...options,
      ...('key' in options ? { key: otherKey } : {})
    } as Parameters<typeof patch>[1])
    expect(got).toBe(status)
    expectSchema('ErrorResponse', answer)
    expect(answer.errors[0].code).toBe(code)
    expect(sim.state.versions.find(v => v.id === 'asv-2-4-0')?.phasedRelease?.state).toBe('ACTIVE')
  })

  it.each([
    ['COMPLETE', 'PAUSED'],
    ['INACTIVE', 'PAUSED'],
    ['PAUSED', 'PAUSED'],
    ['COMPLETE', 'ACTIVE']
  ])('honours the state machine: %s cannot become %s', async (from, to) => {
    sim.state.versions.find(v => v.id === 'asv-2-4-0')!.phasedRelease!.state = from
    const { status, body } = await patch({
      data: { ...pause, attributes: { phasedReleaseState: to } }
    })
    expect(status).toBe(409)
    expectSchema('ErrorResponse', body)
  })

  it('refuses a pause once 30 days of pauses are spent', async () => {
    sim.state.versions.find(v => v.id === 'asv-2-4-0')!.phasedRelease!.totalPauseDuration = 30
    const { status, body } = await patch({ data: pause })
    expect(status).toBe(409)
    expect(body.errors[0].detail).toContain('30 days')
  })
})

describe('App Store Connect token checks', () => {
  let sim: AscSimulator
  beforeAll(async () => {
    sim = await startAsc()
  })
  afterAll(() => sim.close())

  async function statusFor(token: string): Promise<number> {
    const response = await fetch(`${sim.url}/v1/apps`, {
      headers: { authorization: `Bearer ${token}` }
    })
    if (response.status === 401) expectSchema('ErrorResponse', await response.json())
    else await response.arrayBuffer()
    return response.status
  }

  it('accepts team and individual tokens up to 20 minutes and records their claims', async () => {
    const team = await mint()
    expect(await statusFor(team)).toBe(200)
    expect(sim.timeline.at(-1)).toMatchObject({
      token: team,
      claims: { iss: ISSUER },
      tokenHeader: { kid: KID }
    })
    expect(await statusFor(await mint({ claims: { iss: undefined, sub: 'user' } }))).toBe(200)
    const iat = nowSeconds()
    expect(await statusFor(await mint({ claims: { iat, exp: iat + 1200 } }))).toBe(200)
  })

  const now = nowSeconds // short, to keep the table readable
  it.each<[string, () => Promise<string>, string]>([
    ['an unknown kid', () => mint({ header: { kid: 'UNKNOWN' } }), 'kid'],
    ['a signature from another key', () => mint({ key: otherKey }), 'signature'],
    ['a wrong audience', () => mint({ claims: { aud: 'appstoreconnect-v2' } }), 'aud'],
    [
      'a lifetime over 20 minutes',
      () => mint({ claims: { iat: now(), exp: now() + 1201 } }),
      'lifetime'
    ],
    [
      'an expired token',
      () => mint({ claims: { iat: now() - 1300, exp: now() - 100 } }),
      'expired'
    ],
    ['a team token without iss', () => mint({ claims: { iss: undefined } }), 'identity'],
    ['an individual token with iss', () => mint({ claims: { sub: 'user' } }), 'identity'],
    ['a missing typ', () => mint({ header: { typ: undefined } }), 'typ'],
    [
      'an unscoped request for a scoped token',
      () => mint({ claims: { scope: ['GET /v1/builds'] } }),
      'scope'
    ]
  ])('rejects %s with 401', async (_, token, reason) => {
    expect(await statusFor(await token())).toBe(401)
    expect(sim.timeline.at(-1)?.authFailure).toBe(reason)
  })

  it('rejects a request without a token', async () => {
    const response = await fetch(`${sim.url}/v1/apps`)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ errors: [{ code: 'NOT_AUTHORIZED' }] })
  })

  it('allows a long-lived token scoped to diagnostics only', async () => {
    const path = '/v1/builds/build-412/diagnosticSignatures'
    const iat = nowSeconds()
    const token = await mint({ claims: { iat, exp: iat + 30 * 24 * 3600, scope: [`GET ${path}`] } })
    const response = await fetch(`${sim.url}${path}?limit=10`, {
      headers: { authorization: `Bearer ${token}` }
    })
    expect(response.status).toBe(200)
    await response.arrayBuffer()
  })
})

// ---------------------------------------------------------------- timing and faults

describe('sim-core', () => {
  it('computes the critical path of a timeline', () => {
    const at = (start: number, end: number) => ({ start, end })
    expect(criticalPath([])).toBe(0)
    expect(criticalPath([at(0, 10), at(1, 10), at(2, 10)])).toBe(1)
    expect(criticalPath([at(0, 10), at(10, 20), at(20, 30)])).toBe(3)
    // The long first request does not lengthen the chain that starts after it.
    expect(criticalPath([at(0, 30), at(5, 10), at(10, 40)])).toBe(2)
  })

  it('counts parallel requests as one round trip and sequential ones as many', async () => {
    const sim = await startAsc({ latencyMs: 100 })
    try {
      await Promise.all([1, 2, 3].map(() => ascGet(sim, '/v1/apps').then(r => r.arrayBuffer())))
      expect(sim.criticalPath()).toBe(1)
      for (let i = 0; i < 3; i++) await (await ascGet(sim, '/v1/apps')).arrayBuffer()
      expect(sim.criticalPath()).toBe(4)
    } finally {
      await sim.close()
    }
  })

  it('injects faults in order, records every attempt and closes despite hung requests', async () => {
    const server = await createServer(() => ({
      status: 200,
      body: { ok: true, padding: 'x'.repeat(100) }
    }))
    server.faults.add({ match: { path: /^\/reset/ }, fault: { reset: true } })
    server.faults.add({ match: { path: '/hang' }, fault: { hang: true } })
    server.faults.add({
      match: { method: 'GET', path: '/flaky' },
      times: 1,
      fault: { status: 503, contentType: 'text/html', body: '<html>busy</html>' }
    })
    server.faults.add({ match: { path: '/cut' }, fault: { truncate: true } })

    await expect(fetch(`${server.url}/reset`)).rejects.toThrow()
    await expect(
      fetch(`${server.url}/hang`, { signal: AbortSignal.timeout(100) })
    ).rejects.toThrow()

    const busy = await fetch(`${server.url}/flaky`)
    expect([busy.status, busy.headers.get('content-type'), await busy.text()]).toEqual([
      503,
      'text/html',
      '<html>busy</html>'
    ])
    expect((await fetch(`${server.url}/flaky`)).status).toBe(200)

    const cut = await fetch(`${server.url}/cut`)
    const text = await cut.text()
    expect(Number(cut.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    expect(() => JSON.parse(text)).toThrow()

    expect(server.timeline.map(entry => [entry.path, entry.status, entry.fault])).toEqual([
      ['/reset', 0, 'reset'],
      ['/hang', 0, 'hang'],
      ['/flaky', 503, 'status'],
      ['/flaky', 200, undefined],
      ['/cut', 200, 'truncate']
    ])
    const hung = fetch(`${server.url}/hang`).catch(() => 'closed')
    await new Promise(resolve => setTimeout(resolve, 20))
    await server.close()
    expect(await hung).toBe('closed')
  })
})

// ---------------------------------------------------------------- GitHub

describe('GitHub simulator', () => {
  const TOKEN = 'ghs_test'
  type GithubSimulator = Awaited<ReturnType<typeof startGithubSimulator>>
  let gh: GithubSimulator
  beforeAll(async () => {
    gh = await startGithubSimulator({ token: TOKEN })
  })
  afterAll(() => gh.close())

  const call = (method: string, pathOrUrl: string, body?: unknown, token = TOKEN) =>
    fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${gh.url}${pathOrUrl}`, {
      method,
      headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })

  /** Link header as { rel: url }. */
  function links(response: Response): Record<string, string> {
    const header = response.headers.get('link') ?? ''
    return Object.fromEntries(
      [...header.matchAll(/<([^>]+)>; rel="(\w+)"/g)].map(([, url, rel]) => [rel, url])
    )
  }

  it('pages comments with GitHub Link headers', async () => {
    for (let i = 1; i <= 5; i++)
      gh.seedComment(7, { body: `comment ${i}`, user: { login: 'octocat', type: 'User' } })
    const first = await call('GET', '/repos/acme/app/issues/7/comments?per_page=2')
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(first.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/)
    expect(Object.keys(links(first))).toEqual(['next', 'last'])
    const bodies = ((await first.json()) as Json[]).map(c => c.body)

    let next: string | undefined = links(first).next
    let lastRels: string[] = []
    while (next) {
      const page = await call('GET', next)
      bodies.push(...((await page.json()) as Json[]).map(c => c.body))
      lastRels = Object.keys(links(page))
      next = links(page).next
    }
    expect(bodies).toEqual(['comment 1', 'comment 2', 'comment 3', 'comment 4', 'comment 5'])
    expect(lastRels).toEqual(['prev', 'first'])
  })

  it('creates and updates bot comments', async () => {
    const created = await call('POST', '/repos/acme/app/issues/8/comments', { body: 'report v1' })
    expect(created.status).toBe(201)
    const comment = (await created.json()) as Json
    expect(comment).toMatchObject({
      body: 'report v1',
      user: { login: 'github-actions[bot]', type: 'Bot' },
      html_url: `https://github.com/acme/app/pull/8#issuecomment-${comment.id}`
    })

    const updated = await call('PATCH', `/repos/acme/app/issues/comments/${comment.id}`, {
      body: 'report v2'
    })
    expect(updated.status).toBe(200)
    expect(gh.comments(8).map(c => c.body)).toEqual(['report v2'])
    expect((await call('PATCH', '/repos/acme/app/issues/comments/1', { body: 'x' })).status).toBe(
      404
    )
  })

  it('rejects bodies over 65,536 characters', async () => {
    expect(
      (await call('POST', '/repos/acme/app/issues/9/comments', { body: 'x'.repeat(65536) })).status
    ).toBe(201)
    const tooLong = await call('POST', '/repos/acme/app/issues/9/comments', {
      body: 'x'.repeat(65537)
    })
    expect(tooLong.status).toBe(422)
    expect(await tooLong.json()).toMatchObject({
      message: 'Validation Failed',
      errors: [{ field: 'body', code: 'custom' }]
    })
  })

  it('refuses writes in forbidden mode but still reads', async () => {
    gh.setMode('forbidden')
    try {
      const refused = await call('POST', '/repos/acme/app/issues/7/comments', { body: 'nope' })
      expect(refused.status).toBe(403)
      expect(await refused.json()).toMatchObject({
        message: 'Resource not accessible by integration'
      })
      expect((await call('GET', '/repos/acme/app/issues/7/comments')).status).toBe(200)
    } finally {
      gh.setMode('normal')
    }
  })

  it('answers bad credentials and unknown repositories like GitHub', async () => {
    const unauthorized = await call('GET', '/repos/acme/app/issues/7/comments', undefined, 'wrong')
    expect(unauthorized.status).toBe(401)
    expect(await unauthorized.json()).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401'
    })
    expect((await call('GET', '/repos/acme/other/issues/7/comments')).status).toBe(404)
  })
})

// ---------------------------------------------------------------- power and performance metrics

describe('App Store Connect simulator: perfPowerMetrics and single builds', () => {
  let sim: AscSimulator
  beforeAll(async () => {
    sim = await startAsc()
    sim.state.apps[0].metrics = driftFixture({})
  })
  afterAll(() => sim.close())

  const metrics = (path: string) => ascGet(sim, path, { accept: METRICS_MEDIA_TYPE })

  it("serves every metrics fixture as Apple's xcodeMetrics schema says, with the vendor media type", async () => {
    for (const [name, fixture] of [
      ...Object.entries(METRIC_FIXTURES).map(([n, f]) => [n, f()] as const),
      ['drift off', driftFixture({})] as const
    ]) {
      sim.state.apps[0].metrics = fixture
      const response = await metrics('/v1/apps/1000000001/perfPowerMetrics')
      expect([name, response.status]).toEqual([name, 200])
      expect(response.headers.get('content-type')).toBe(METRICS_MEDIA_TYPE)
      expectSchema('xcodeMetrics', await response.json())
    }
    sim.state.apps[0].metrics = driftFixture({})
  })

  it('differs from the schema only where real payloads drift', async () => {
    const validate = schemaNamed('xcodeMetrics')
    const drifted = driftFixture({
      percentageBreakdown: true,
      referenceVersions: true,
      platform: true
    })
    expect(validate(drifted)).toBe(false)
    const paths = new Set((validate.errors ?? []).map(e => e.instancePath.replace(/\/\d+/g, '/N')))
    expect([...paths].sort()).toEqual([
      '/insights/regressions/N/referenceVersions',
      '/productData/N/metricCategories/N/metrics/N/datasets/N/points/N/percentageBreakdown'
    ])
    expect(drifted.productData[0].platform).toBe('iOS') // the schema types platform as any string
  })

  it('answers 406 in plain text to a plain JSON Accept', async () => {
    for (const accept of ['application/json', '*/*', '']) {
      const refused = await ascGet(sim, '/v1/apps/1000000001/perfPowerMetrics', { accept })
      expect(refused.status).toBe(406)
      expect(refused.headers.get('content-type')).toBe('text/plain')
    }
  })

  it('filters by metric type, device and platform, and rejects values outside the spec', async () => {
    const body = (await (
      await metrics(
        '/v1/apps/1000000001/perfPowerMetrics?filter[metricType]=HANG&filter[deviceType]=all_ipads&filter[platform]=IOS'
      )
    ).json()) as Json
    const [category] = body.productData[0].metricCategories
    expect(body.productData[0].metricCategories).toHaveLength(1)
    expect(category.identifier).toBe('HANG')
    const devices = category.metrics[0].datasets.map((d: Json) => d.filterCriteria.device)
    expect(new Set(devices)).toEqual(new Set(['all_ipads']))
    expect(body.insights.regressions[0].populations).toEqual([])
    const launch = (await (
      await metrics('/v1/apps/1000000001/perfPowerMetrics?filter[metricType]=LAUNCH')
    ).json()) as Json
    expect(launch.productData[0].metricCategories).toEqual([])
    expect(launch.insights.regressions).toEqual([])
    for (const bad of [
      'filter[metricType]=CRASH',
      'filter[platform]=ANDROID',
      'filter[version]=1'
    ]) {
      const response = await metrics(`/v1/apps/1000000001/perfPowerMetrics?${bad}`)
      expect([bad, response.status]).toEqual([bad, 400])
    }
  })

  it("serves one build's version, and 404 when there is no data", async () => {
    const build = (await (await metrics('/v1/builds/build-399/perfPowerMetrics')).json()) as Json
    const points = build.productData[0].metricCategories[0].metrics[0].datasets[0].points
    expect(points.map((p: Json) => p.version)).toEqual(['2.3.0'])
    expectSchema('xcodeMetrics', build)
    expect((await metrics('/v1/builds/build-mac/perfPowerMetrics')).status).toBe(200)
    sim.state.apps[0].metrics = METRIC_FIXTURES.versionMissing()
    const missing = await metrics('/v1/builds/build-412/perfPowerMetrics')
    expect(missing.status).toBe(404)
    expectSchema('ErrorResponse', await missing.json())
    sim.state.apps[0].metrics = undefined
    expect((await metrics('/v1/apps/1000000001/perfPowerMetrics')).status).toBe(404)
    expect((await metrics('/v1/apps/9999/perfPowerMetrics')).status).toBe(404)
    sim.state.apps[0].metrics = driftFixture({})
  })

  it('serves a single build with its app and prerelease version included', async () => {
    const body = await ascJson(
      sim,
      '/v1/builds/build-412?include=app,preReleaseVersion&fields[builds]=app,preReleaseVersion&fields[apps]=bundleId&fields[preReleaseVersions]=version'
    )
    expectSchema('BuildResponse', body)
    expect(body.data.relationships.app.data).toEqual({ type: 'apps', id: '1000000001' })
    const version = body.included.find((i: Json) => i.type === 'preReleaseVersions')
    expect(version.attributes).toEqual({ version: '2.4.0' })
    expect(body.data.relationships.preReleaseVersion.data.id).toBe(version.id)
    expect((await ascGet(sim, '/v1/builds/nope')).status).toBe(404)
    expect((await ascGet(sim, '/v1/builds/build-412?include=betaTesters')).status).toBe(400)
  })
})
