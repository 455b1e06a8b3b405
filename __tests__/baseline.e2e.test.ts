import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  APP,
  BASELINE_ID,
  BUILD_ID,
  baselineBuild,
  filler,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { startHarness, type Harness } from '../test-support/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness({
    // A near match listed first: Apple's bundle ID filter returns it too.
    apps: [{ id: '1500000099', bundleId: 'com.example.app.widget', name: 'Widget' }, APP],
    builds: [
      sampleBuild(),
      baselineBuild(),
      sampleBuild({ id: 'short-version', version: '7', marketingVersion: '1.2', signatures: [] }),
      sampleBuild({ id: 'long-version', version: '8', marketingVersion: '1.3.0', signatures: [] }),
      sampleBuild({
        id: 'twin-a',
        version: '500',
        marketingVersion: '3.0.0',
        uploadedDate: '2026-11-21T09:00:00Z'
      }),
      sampleBuild({
        id: 'twin-b',
        version: '501',
        marketingVersion: '3.0.0',
        uploadedDate: '2026-11-22T09:00:00Z',
        processingState: 'PROCESSING'
      })
    ]
  })
})
afterAll(() => h.close())

const lookup = { 'build-id': '', 'bundle-id': 'com.example.app', 'include-logs': '0' }
const fresh = () => (h.asc.timeline.length = 0)

describe('resolving the build from version and build number', () => {
  it('finds the build by bundle ID, marketing version and build number', async () => {
    fresh()
    const run = await h.run({
      ...lookup,
      version: '2.4.0',
      'build-number': '412',
      'diagnostic-types': 'HANGS'
    })
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    const [apps, builds, signatures] = h.requests()
    expect(apps.path).toBe('/v1/apps')
    expect(apps.query['filter[bundleId]']).toBe('com.example.app')
    expect(builds.path).toBe('/v1/builds')
    expect(builds.query).toMatchObject({
      'filter[app]': APP.id,
      'filter[version]': '412',
      'filter[preReleaseVersion.platform]': 'IOS'
    })
    expect(builds.query['filter[preReleaseVersion.version]'].split(',')).toContain('2.4.0')
    expect(signatures.path).toBe(`/v1/builds/${BUILD_ID}/diagnosticSignatures`)
    expect(run.summary).toContain('**Build** 2.4.0 (412) · `1a254ec1-8e3d-48e7-bbd6-6b9a30072b29`')
  })

  it.each([
    ['1.2.0', 'short-version'],
    ['1.2', 'short-version'],
    ['1.3', 'long-version']
  ])('finds version %s however it was uploaded', async (version, id) => {
    const run = await h.run({ ...lookup, 'app-id': APP.id, 'bundle-id': '', version })
    expect(run.outputs['build-id']).toBe(id)
  })

  it('keeps data from App Store Connect out of workflow commands and code spans', async () => {
    h.asc.state.builds.push(
      sampleBuild({
        id: 'odd-label',
        version: '77',
        marketingVersion: '9.9.9\n::warning::INJECTED`<b>`',
        signatures: []
      })
    )
    const run = await h.run({ ...lookup, 'build-number': '77' })
    expect(run.outputs['build-id']).toBe('odd-label')
    expect(run.stdout).not.toMatch(/^::warning::INJECTED/m)
    // The label names the build in the warnings, as one line that cannot start a command.
    for (const warning of run.warnings) expect(warning.split('\n')).toHaveLength(1)
    expect(run.summary).not.toContain('<b>')
  })

  it('lists what it found when several builds match', async () => {
    const run = await h.run({ ...lookup, version: '3.0.0' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /^Several IOS builds of app 1500000001 match version 3\.0\.0 for the build: 3\.0\.0 \(501\) uploaded 2026-11-22, PROCESSING; 3\.0\.0 \(500\) uploaded 2026-11-21, VALID; narrow it with 'version' and 'build-number', or give the build ID\.$/
    )
  })

  it('lists the latest builds when none matches', async () => {
    const run = await h.run({ ...lookup, version: '9.9.9', 'build-number': '1' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /^No IOS build of app 1500000001 matches version 9\.9\.9 and build number 1 for the build; the latest are 3\.0\.0 \(501\) uploaded 2026-11-22, PROCESSING; .*Check 'version' and 'build-number'\.$/
    )
  })

  it('insists on the exact bundle ID', async () => {
    const run = await h.run({ ...lookup, 'bundle-id': 'com.example', 'build-number': '412' })
    expect(run.errors.at(-1)).toMatch(
      /^No app with bundle ID 'com\.example' is visible to this API key \(similar: com\.example\.app\.widget, com\.example\.app\)/
    )
  })

  it("suggests the bundle ID that differs only in case, which Apple's filter does not find", async () => {
    const run = await h.run({ ...lookup, 'bundle-id': 'com.Example.app', 'build-number': '412' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /^No app with bundle ID 'com\.Example\.app' is visible to this API key \(similar: com\.example\.app\); check 'bundle-id'/
    )
  })
})

describe('regressions against a baseline', () => {
  it('resolves both builds with one app lookup and fetches them concurrently', async () => {
    fresh()
    // Latency makes the request timeline show what ran in parallel and what waited.
    h.asc.setLatency(50)
    const run = await h
      .run({
        ...lookup,
        version: '2.4.0',
        'build-number': '412',
        'baseline-version': '2.3',
        'baseline-build-number': '399'
      })
      .finally(() => h.asc.setLatency(0))
    expect(run.outputs['baseline-build-id']).toBe(BASELINE_ID)
    const paths = h.requests().map(r => r.path)
    expect(paths.filter(p => p === '/v1/apps')).toHaveLength(1)
    expect(paths.filter(p => p === '/v1/builds')).toHaveLength(2)
    expect(paths.filter(p => p.endsWith('/diagnosticSignatures'))).toHaveLength(6)
    expect(h.asc.criticalPath()).toBe(3) // apps → builds → signatures
    for (const r of h.requests().filter(r => r.path.endsWith('/diagnosticSignatures')))
      expect(r.query.limit).toBe('200')
  })

  it('flags a new signature and a rise beyond max-weight-increase, as regressions apart from breaches', async () => {
    const run = await h.run({
      'baseline-build-id': BASELINE_ID,
      'include-logs': '0',
      threshold: '0.9'
    })
    expect(run.code).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs['breach-count']).toBe('0')
    expect(run.outputs['regression-count']).toBe('4')
    const byText = Object.fromEntries(
      JSON.parse(run.outputs.signatures).map((s: { signature: string }) => [s.signature, s])
    )
    expect(byText['ExampleApp: -[FeedViewController reloadVisibleCells] + 412']).toMatchObject({
      weight: 0.41,
      baselineWeight: 0.29,
      change: 'up',
      regressed: true
    })
    expect(byText['ExampleApp: -[FeedViewController reloadVisibleCells] + 412'].delta).toBeCloseTo(
      0.12
    )
    expect(byText['ExampleApp: closure #1 in ImageCache.load(url:) + 88']).toMatchObject({
      change: 'new',
      baselineWeight: null,
      regressed: true
    })
    expect(byText['ExampleApp: static Analytics.bootstrap() + 64']).toMatchObject({
      change: 'same',
      delta: 0,
      regressed: false
    })
    expect(run.errors.at(-1)).toBe(
      "4 regressions against the baseline build; worst: Hangs 'ExampleApp: closure #1 in ImageCache.load(url:) + 88' at 20.0% (new)."
    )
    expect(run.summary.indexOf('#### Regressions')).toBeGreaterThan(0)
    expect(run.summary).toContain(
      '| ❌ up | Hangs | `ExampleApp: -[FeedViewController reloadVisibleCells] + 412` | 41.0% | 29.0% | +12.0 pts |'
    )
    expect(run.summary).toContain(
      'Gone since the baseline: `ExampleApp: -[LegacySync run] + 40` (30.0%)'
    )
  })

  it('reports both kinds in one failure line, naming each', async () => {
    const run = await h.run({ 'baseline-build-id': BASELINE_ID, 'include-logs': '0' })
    expect(run.errors.at(-1)).toMatch(
      /^1 diagnostic signature above the threshold; worst: Disk writes .* 4 regressions against the baseline build; worst: /
    )
  })

  it('passes a rise of exactly max-weight-increase, and reports without failing when told to', async () => {
    const within = await h.run({
      'baseline-build-id': BASELINE_ID,
      'include-logs': '0',
      threshold: '0.9',
      'max-weight-increase': '21%'
    })
    expect(within.outputs['regression-count']).toBe('0')
    expect(within.code).toBe(0)
    const reportOnly = await h.run({
      'baseline-build-id': BASELINE_ID,
      'include-logs': '0',
      threshold: '0.9',
      'fail-on-regression': 'false'
    })
    expect(reportOnly.code).toBe(0)
    expect(reportOnly.outputs.passed).toBe('false')
  })

  it('calls nothing gone when the current list was cut at 200', async () => {
    h.asc.state.builds.push(sampleBuild({ id: 'huge', signatures: filler(230, 'HANGS', 0.3) }))
    const run = await h.run({
      'build-id': 'huge',
      'baseline-build-id': BASELINE_ID,
      'diagnostic-types': 'HANGS',
      'include-logs': '0',
      threshold: '0.9'
    })
    expect(run.summary).toContain(
      'This build has more than 200 hangs signatures, so none of the baseline'
    )
    expect(run.summary).not.toContain('Gone since the baseline')
  })

  it("shows Apple's trend insight without a baseline, and does not gate on it", async () => {
    const run = await h.run({ 'include-logs': '0', threshold: '0.9' })
    expect(run.code).toBe(0)
    expect(run.summary).toContain('↑ 2.3.0: 29.0%')
  })
})
