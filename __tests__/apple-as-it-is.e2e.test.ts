// Issue 21: Apple as it is. Every test runs dist/index.js against the App Store Connect
// simulator, which writes its links on Apple's origin, sends signature IDs of 66 hex
// characters, and answers in the shapes of the payloads Apple and others have published.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { ascErrorFault } from '../test-support/asc-simulator.mjs'
import { appleShapedMetrics } from '../test-support/metrics.mjs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  baselineBuild,
  BUILD_ID,
  LIVE_VERSION_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

const SIGNATURES = `/v1/builds/${BUILD_ID}/diagnosticSignatures`
const live = {
  'build-id': '',
  'bundle-id': APP.bundleId,
  version: 'live',
  'include-logs': '0',
  threshold: '0.9'
}
type Version = ReturnType<typeof appStoreVersions>[number] & Record<string, unknown>

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())
beforeEach(() => {
  h.reset()
  h.asc.state.pageSize = 200
  h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
  h.asc.state.apps.splice(0, Infinity, { ...APP })
  h.asc.state.rateLimit = { limit: 3500, remaining: 3400 }
  setVersions()
})

/** The standard app (2.4.0 live on day 3, 2.3.0 before it), each version changed by `change`. */
function setVersions(change: (v: Version) => Version = v => v): void {
  h.asc.state.versions.splice(0, Infinity, ...appStoreVersions().map(v => change(v as Version)))
}
const paths = () => h.requests().map(r => r.path)
const report = (run: { outputs: Record<string, string> }) =>
  JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))

describe("today's fields: the live version by appVersionState", () => {
  it('finds the live version by appVersionState, and says so in the debug log', async () => {
    setVersions(v => ({ ...v, states: 'current' }))
    const run = await h.run(live)
    expect(run.code).toBe(0)
    const [versions] = h.requests().filter(r => r.path.endsWith('/appStoreVersions'))
    expect(versions.query['filter[appVersionState]']).toBe(
      'READY_FOR_DISTRIBUTION,REPLACED_WITH_NEW_VERSION'
    )
    expect(versions.query['filter[appStoreState]']).toBeUndefined()
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.stdout).toContain(
      `::debug::App Store version 2.4.0 (${LIVE_VERSION_ID}) is live, by its appVersionState.`
    )
  })

  it('still reads a response that carries only the deprecated appStoreState', async () => {
    setVersions(v => ({ ...v, states: 'deprecated' }))
    const run = await h.run(live)
    expect(run.code).toBe(0)
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.stdout).toContain(`is live, by its appStoreState.`)
  })

  it('does not take a version removed from sale for the live one', async () => {
    setVersions(v =>
      v.id === LIVE_VERSION_ID ? { ...v, appStoreState: 'DEVELOPER_REMOVED_FROM_SALE' } : v
    )
    const run = await h.run(live)
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /^No IOS version of app \d+ is live on the App Store \(appVersionState READY_FOR_DISTRIBUTION\)/
    )
  })

  it('reads the build of a version whose response did not include it', async () => {
    setVersions(v => ({ ...v, buildNotIncluded: true }))
    const run = await h.run({
      ...live,
      'baseline-version': 'previous',
      'max-weight-increase': '50%',
      'fail-on-regression': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.outputs['baseline-build-id']).toBe(BASELINE_ID)
    expect(paths()).toContain(`/v1/appStoreVersions/${LIVE_VERSION_ID}/build`)
    expect(run.summary).toContain('**Build** 2.4.0 (412)')
  })

  it('reads a phased release as Apple dates it, paused days and all', async () => {
    setVersions(v =>
      v.id === LIVE_VERSION_ID
        ? {
            ...v,
            phasedRelease: {
              ...v.phasedRelease!,
              startDate: '2026-11-23T08:00:00.000+0000',
              totalPauseDuration: 3
            }
          }
        : v
    )
    const run = await h.run({ ...live, 'phased-release': 'report', 'report-path': 'r.json' })
    expect(run.code).toBe(0)
    expect(report(run).phasedRelease).toMatchObject({
      state: 'ACTIVE',
      day: 3,
      startDate: '2026-11-23T08:00:00.000+0000',
      totalPauseDuration: 3
    })
  })
})

describe("every error keeps Apple's words", () => {
  it.each([
    ['agreement', 'FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED "A required agreement'],
    ['access-unavailable', 'FORBIDDEN "Access Unavailable"']
  ] as const)(
    'a 403 about agreements (%s) says the Account Holder must accept it',
    async (fault, apple) => {
      h.asc.faults.add({ match: { path: SIGNATURES }, fault: ascErrorFault(fault) })
      const run = await h.run({ 'include-logs': '0' })
      expect(run.code).toBe(1)
      const error = run.errors.at(-1) ?? ''
      expect(error).toMatch(
        /^App Store Connect refused GET \/v1\/builds\/[^ ]+\/diagnosticSignatures \(HTTP 403\) because an agreement is missing or has expired: the Account Holder must accept the latest agreements in App Store Connect \(Business\) or on the Apple Developer website; until then no API key of this team can read its data\. Apple: /
      )
      expect(error).toContain(apple)
      if (fault === 'agreement')
        expect(error).toContain('(see https://appstoreconnect.apple.com/agreements)')
      expect(error).not.toMatch(/role may not allow/)
      expectNoSecrets(run, h)
    }
  )

  it('a plain 403 still names the key, with what Apple said', async () => {
    h.asc.faults.add({ match: { path: SIGNATURES }, fault: ascErrorFault(403) })
    const run = await h.run({ 'include-logs': '0' })
    expect(run.errors.at(-1)).toMatch(
      /check the key in Users and Access → Integrations\. Apple: FORBIDDEN_ERROR "This request is forbidden for security reasons" The API key in use does not allow this request\.$/
    )
  })

  it('a 404 says what was not found and what Apple said, in one sentence', async () => {
    const run = await h.run({ 'build-id': 'no-such-build', 'include-logs': '0' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /\(HTTP 404 on GET \/v1\/builds\/no-such-build\/diagnosticSignatures\)\. Apple: NOT_FOUND "The specified resource does not exist" There is no resource of type 'builds' with id 'no-such-build'\.$/
    )
  })

  it("a 409 on the pause lists Apple's associated errors, without '.:' or '..'", async () => {
    h.asc.faults.add({
      match: { path: `/v1/appStoreVersionPhasedReleases/${PHASED_RELEASE_ID}` },
      fault: ascErrorFault('state')
    })
    const run = await h.run({
      ...live,
      threshold: '0.5',
      'phased-release': 'pause-on-failure',
      'pause-on': 'any'
    })
    expect(run.code).toBe(1)
    const error = run.errors.find(e => /HTTP 409/.test(e)) ?? ''
    expect(error).toContain(
      'Apple: STATE_ERROR.ENTITY_STATE_INVALID "appStoreVersionPhasedReleases with id \'p-1\' is not in valid state" This resource cannot be changed, please check associated errors to see why; related errors: ENTITY_ERROR.ATTRIBUTE.INVALID "An attribute value is invalid" The version is being reviewed again and its rollout cannot change.'
    )
    expect(error).not.toMatch(/\.:|\.\./)
  })
})

describe('paging through a proxy', () => {
  it("follows Apple-origin links on the configured base, not on Apple's host", async () => {
    h.asc.state.pageSize = 2
    const run = await h.run({ 'diagnostic-types': 'HANGS', limit: '3', 'include-logs': '0' })
    expect(run.code).toBe(0)
    const pages = h.requests().filter(r => r.path === SIGNATURES)
    // The simulator's links point at https://api.appstoreconnect.apple.com, which this machine
    // cannot reach: both pages still came here, so the link was followed on the base.
    expect(pages).toHaveLength(2)
    expect(pages[1].query.cursor).toBeTruthy()
    expect(JSON.parse(run.outputs.signatures)).toHaveLength(3)
  })

  it('asks for no next page once limit signatures have arrived', async () => {
    h.asc.state.pageSize = 2
    const run = await h.run({ 'diagnostic-types': 'HANGS', limit: '2', 'include-logs': '0' })
    expect(run.code).toBe(0)
    expect(h.requests().filter(r => r.path === SIGNATURES)).toHaveLength(1)
    expect(JSON.parse(run.outputs.signatures)).toHaveLength(2)
    expect(run.outputs['signatures-omitted']).toBe('0')
  })
})

describe('the 429 message names the window that ran out', () => {
  it('the minute window: requests came too fast', async () => {
    h.asc.state.rateLimit = {
      limit: 3600,
      remaining: 3390,
      minute: { limit: 150, remaining: 1 }
    }
    const run = await h.run({ 'diagnostic-types': 'HANGS', 'include-logs': '0' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /kept rate-limiting GET .* \(HTTP 429\) after 4 attempts, with 0 of 150 requests left this minute \(\d+ left this hour\); requests came too fast: rerun in a minute/
    )
  })

  it('the hourly budget: other jobs may share the key', async () => {
    h.asc.state.rateLimit = { limit: 3500, remaining: 1, minute: { limit: 150, remaining: 100 } }
    const run = await h.run({ 'diagnostic-types': 'HANGS', 'include-logs': '0' })
    expect(run.errors.at(-1)).toMatch(
      /with 0 of 3500 requests left this hour; other jobs may share this API key/
    )
  })
})

describe('backtraces keep what Apple blames', () => {
  // A build without stored logs gets the simulator's disk-writes log in the shape of Apple's
  // example: a sampled tree with six blamed frames, a SQLite frame tagged SQLiteSpill, a doc://
  // insight link, and another signature's ID in productData.
  beforeEach(() => {
    // Without IDs of their own, signatures get IDs as Apple writes them: 66 hex characters.
    const signatures = sampleBuild().signatures.map(({ id: _, ...s }: { id: string }) => s)
    h.asc.state.builds.splice(0, Infinity, sampleBuild({ logs: undefined, signatures }))
  })

  it('keeps all six blamed frames, the SQLite frames below them, and the frame category', async () => {
    const run = await h.run({
      'diagnostic-types': 'DISK_WRITES',
      'include-logs': '1',
      'report-path': 'r.json'
    })
    const [signature] = JSON.parse(run.outputs.signatures)
    const { backtrace } = report(run).backtraces[signature.id]
    expect(signature.id).toMatch(/^[0-9a-f]{66}$/)
    expect(backtrace.frames.filter((f: { blamed: boolean }) => f.blamed)).toHaveLength(6)
    expect(backtrace.frames.map((f: { symbol: string }) => f.symbol)).toEqual(
      expect.arrayContaining(['sqlite3_step', 'vdbeSorterFlushPMA', 'pwrite'])
    )
    expect(backtrace).toMatchObject({
      device: 'iPhone13_3',
      event: 'disk writes',
      writesCaused: '1073.76 MB'
    })
    expect(run.summary).toMatch(/libsqlite3\.dylib +vdbeSorterFlushPMA {3}SQLiteSpill\n/)
  })

  it('maps the doc:// insight link to its page on developer.apple.com', async () => {
    const run = await h.run({ 'diagnostic-types': 'DISK_WRITES', 'include-logs': '1' })
    expect(run.summary).toContain(
      '([guide](https://developer.apple.com/documentation/xcode/reducing-disk-writes#Use-Appropriate-Indices))'
    )
    expect(run.summary).not.toContain('doc://')
  })
})

describe('metrics in Apple’s shape', () => {
  beforeEach(() => {
    h.asc.state.builds.splice(0, Infinity, sampleBuild({ marketingVersion: '2.0' }))
  })

  it('shows +9.95% under a 10% limit as +9.95%, in Apple’s units', async () => {
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: appleShapedMetrics({ rise: 0.0995 }) })
    const run = await h.run({
      metrics: 'launchTime, scrollHitchRate',
      'metric-reference': 'previous',
      'max-metric-increase': '10%',
      threshold: '0.9',
      'include-logs': '0'
    })
    expect(run.code).toBe(0)
    const row = run.summary.split('\n').find(line => line.includes('`launchTime`')) ?? ''
    expect(row).toContain('+9.95%')
    expect(row).not.toContain('+10.0%')
    expect(row).toContain('✅')
    const metrics = JSON.parse(run.outputs.metrics)
    expect(
      metrics.find((m: { identifier: string }) => m.identifier === 'scrollHitchRate')
    ).toMatchObject({ unit: '%', version: '2.0', value: 6.5, goal: 'fair' })
  })

  it('reads an insight with both percentiles, and a body without insights', async () => {
    h.asc.state.apps.splice(0, Infinity, {
      ...APP,
      metrics: appleShapedMetrics({ rise: 0.25, insight: true })
    })
    const flagged = await h.run({ metrics: 'launchTime', threshold: '0.9', 'include-logs': '0' })
    expect(JSON.parse(flagged.outputs.metrics)[0].appleInsight).toBeDefined()
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: appleShapedMetrics({ rise: 0 }) })
    const quiet = await h.run({
      metrics: 'launchTime',
      'metric-reference': 'previous',
      threshold: '0.9',
      'include-logs': '0'
    })
    expect(quiet.code).toBe(0)
    expect(JSON.parse(quiet.outputs.metrics)[0]).toMatchObject({ version: '2.0', status: 'ok' })
  })

  it('with build-id and metrics, a build whose signatures answer 404 is read once', async () => {
    h.asc.state.builds.splice(0, Infinity, sampleBuild({ marketingVersion: '2.0', noData: true }))
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: appleShapedMetrics({ rise: 0 }) })
    const run = await h.run({
      metrics: 'launchTime',
      'metric-reference': 'previous',
      'include-logs': '0'
    })
    expect(run.code).toBe(0)
    expect(paths().filter(p => p === `/v1/builds/${BUILD_ID}`)).toHaveLength(1)
  })
})
