// Apple's power and performance metrics, gated through dist/index.js against the simulator:
// each rule of the metrics gate, the requests it makes and how many round trips they take.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { ascErrorFault } from '../test-support/asc-simulator.mjs'
import { criticalPath } from '../test-support/sim-core.mjs'
import {
  driftFixture,
  metricsDocument,
  METRIC_FIXTURES,
  METRICS_MEDIA_TYPE
} from '../test-support/metrics.mjs'
import {
  APP,
  BASELINE_ID,
  BUILD_ID,
  baselineBuild,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { reportValidator } from '../test-support/records.mjs'

const validate = reportValidator()

interface MetricItem {
  identifier: string
  value: number | null
  errorMargin: number | null
  referenceVersions: string[]
  referenceValue: number | null
  change: number | null
  regressed: boolean
  status: string
  reason?: string
  goal: string | null
  unit: string | null
  appleInsight?: { kind: string; latestVersion: string; referenceVersions: string[] }
}

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())

/** Serves `document` as the app's metrics (undefined: no data, 404). */
function serve(document: object | undefined): void {
  h.asc.state.apps[0].metrics = document
}

// Signatures stay under their thresholds, so the metrics decide the verdict.
const calm = { threshold: '90%', 'include-logs': '0' }
const gate = (inputs: Record<string, string> = {}) =>
  h.run({ ...calm, metrics: 'hangRate', ...inputs })
const items = (run: { outputs: Record<string, string> }): MetricItem[] =>
  JSON.parse(run.outputs.metrics)
const metricRequests = () => h.requests().filter(r => r.path.endsWith('/perfPowerMetrics'))

describe('the metrics gate, through dist/index.js', () => {
  it('fails on a clear hang-rate regression and says which metric, how much, and against what', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    h.reset()
    const run = await gate({ 'metric-reference': 'previous' })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs['metric-regression-count']).toBe('1')
    expect(run.outputs['breach-count']).toBe('0')
    const [hang] = items(run)
    expect(hang).toEqual({
      identifier: 'hangRate',
      category: 'HANG',
      unit: 's/hr',
      percentile: 'p50',
      device: 'all_iphones',
      version: '2.4.0',
      value: 4.1,
      errorMargin: 0.1,
      goal: 'poor',
      referenceVersions: ['2.3.0'],
      referenceValue: 2.5,
      change: expect.closeTo(0.64, 6),
      regressed: true,
      status: 'regressed'
    })
    expect(run.errors.at(-1)).toBe(
      '1 metric regressed: Hang rate (p50, all_iphones) 4.1 s/hr on 2.4.0 +64.0% over 2.5 s/hr (2.3.0).'
    )
    expect(run.summary).toMatch(/^### ❌ App Store diagnostics gate: 1 metric regression$/m)
    // Regressed metrics come first, with the other problems, then the Metrics table.
    const top = run.summary.indexOf('#### Metric regressions')
    expect(top).toBeGreaterThan(0)
    expect(top).toBeLessThan(run.summary.indexOf('#### Metrics\n'))
    expect(run.summary).toContain(
      '| Hang rate `hangRate` | 4.1 s/hr ± 0.1 | 2.5 s/hr ± 0.1 (2.3.0) | +64.0% | poor | ❌ regressed |'
    )
    expect(run.summary).toContain(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Hang rate, p50, by version"',
        '  x-axis ["2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0"]',
        '  line [1.9, 2.1, 2.3, 2.5, 4.1]',
        '```'
      ].join('\n')
    )
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(validate(report) ? [] : validate.errors).toEqual([])
    expect(report.verdict.metricRegressionCount).toBe(1)
    expect(report.metrics.version).toBe('2.4.0')
    expect(report.metrics.items[0].reference).toEqual({
      mode: 'previous',
      versions: ['2.3.0'],
      value: 2.5,
      errorMargin: 0.1
    })
    expect(report.metrics.items[0].points).toHaveLength(5)
    expectNoSecrets(run, h)
  })

  it('reads the version from the build and the metrics from the app: 2 round trips, with the signatures alongside', async () => {
    serve(METRIC_FIXTURES.steady())
    h.reset()
    h.asc.setLatency(50) // so the timeline tells parallel requests from sequential ones
    const run = await gate({ metrics: 'hangRate, launchTime' }).finally(() => h.asc.setLatency(0))
    expect(run.code).toBe(0)
    const requests = h.requests()
    expect(requests.map(r => r.path).sort()).toEqual([
      `/v1/apps/${APP.id}/perfPowerMetrics`,
      `/v1/builds/${BUILD_ID}`,
      ...Array(3).fill(`/v1/builds/${BUILD_ID}/diagnosticSignatures`)
    ])
    expect(h.asc.criticalPath()).toBe(2)
    const build = requests.find(r => r.path === `/v1/builds/${BUILD_ID}`)!
    expect(build.query.include).toBe('app,preReleaseVersion')
    const [metrics] = metricRequests()
    expect(metrics.headers.accept).toBe(METRICS_MEDIA_TYPE)
    expect(metrics.query).toEqual({
      'filter[deviceType]': 'all_iphones',
      'filter[metricType]': 'HANG,LAUNCH',
      'filter[platform]': 'IOS'
    })
  })

  it('skips the build request when the lookup inputs give the app and the version', async () => {
    serve(METRIC_FIXTURES.steady())
    h.reset()
    h.asc.setLatency(50)
    const run = await gate({
      'build-id': '',
      'app-id': APP.id,
      version: '2.4',
      'build-number': '412'
    }).finally(() => h.asc.setLatency(0))
    expect(run.code).toBe(0)
    expect(h.requests().some(r => /^\/v1\/builds\/[^/]+$/.test(r.path))).toBe(false)
    expect(metricRequests()).toHaveLength(1)
    expect(h.asc.criticalPath()).toBe(2) // builds lookup → signatures; the metrics at once
    expect(items(run)[0]).toMatchObject({ version: '2.4', value: 2.5, status: 'ok' }) // 2.4 is 2.4.0
  })

  it('keeps the full run at its critical path: metrics ride along with the signatures and logs', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    const full = { 'baseline-build-id': BASELINE_ID, threshold: '90%' }
    const measure = async (pr: number, inputs: Record<string, string>) => {
      h.reset()
      h.asc.setLatency(50)
      h.github.setLatency(50)
      const run = await h.onPullRequest(pr, inputs).finally(() => {
        h.asc.setLatency(0)
        h.github.setLatency(0)
      })
      return {
        run,
        requests: h.requests().length + h.github.timeline.length,
        roundTrips: criticalPath([...h.requests(), ...h.github.timeline])
      }
    }
    const without = await measure(301, full)
    const withMetrics = await measure(302, { ...full, metrics: 'hangRate' })
    expect(withMetrics.run.outputs['metric-regression-count']).toBe('1')
    expect(withMetrics.roundTrips).toBe(without.roundTrips)
    // Only the metrics: the build's and the baseline's versions come from the requests their
    // labels already make.
    expect(withMetrics.requests).toBe(without.requests + 1)
    expect(items(withMetrics.run)[0]).toMatchObject({
      referenceVersions: ['2.3.0'],
      referenceValue: 2.5
    })
  })

  it('does not fail on a rise inside the error margins', async () => {
    serve(METRIC_FIXTURES.withinMargin())
    const run = await gate({ 'metric-reference': 'previous' })
    expect(run.code).toBe(0)
    expect(run.outputs.passed).toBe('true')
    const [hang] = items(run)
    // +20%, above the 10% allowed, but 3.0 − 0.4 does not clear 2.5 + 0.2.
    expect(hang).toMatchObject({
      value: 3,
      errorMargin: 0.4,
      referenceValue: 2.5,
      regressed: false
    })
    expect(hang.change).toBeCloseTo(0.2, 6)
    expect(run.summary).toMatch(/\| \+20\.0% \| {2}\| ✅ \|$/m)
  })

  it('allows a rise up to max-metric-increase, as a fraction or a percentage', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    for (const [limit, code] of [
      ['65%', 0],
      ['0.63', 1],
      ['63%', 1]
    ] as const) {
      const run = await gate({ 'metric-reference': 'previous', 'max-metric-increase': limit })
      expect([limit, run.code]).toEqual([limit, code])
    }
  })

  it('compares with the baseline, the previous version or the average of up to 4, as metric-reference says', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    const reference = async (inputs: Record<string, string>) => {
      const run = await gate(inputs)
      const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
      return report.metrics.items[0].reference
    }
    // auto, without a baseline: the average, as Apple's insights do.
    expect(await reference({})).toEqual({
      mode: 'average',
      versions: ['2.0.0', '2.1.0', '2.2.0', '2.3.0'],
      value: expect.closeTo(2.2, 9),
      errorMargin: expect.closeTo(0.1, 9)
    })
    // auto, with a baseline: the baseline's version, read from the baseline build.
    h.reset()
    expect(await reference({ 'baseline-build-id': BASELINE_ID })).toMatchObject({
      mode: 'baseline',
      versions: ['2.3.0'],
      value: 2.5
    })
    expect(h.requests().some(r => r.path === `/v1/builds/${BASELINE_ID}`)).toBe(true)
    expect(await reference({ 'metric-reference': 'previous' })).toMatchObject({
      mode: 'previous',
      versions: ['2.3.0']
    })
    // The baseline's build is read once, for its label and for the reference alike.
    h.reset()
    await reference({ 'metric-reference': 'average', 'baseline-build-id': BASELINE_ID })
    expect(h.requests().filter(r => r.path === `/v1/builds/${BASELINE_ID}`)).toHaveLength(1)
  })

  it('reports a version missing from the points as no data yet, never a green check', async () => {
    serve(METRIC_FIXTURES.versionMissing())
    const warn = await gate()
    expect(warn.code).toBe(0)
    expect(warn.outputs.result).toBe('passed') // the signatures were checked
    expect(items(warn)[0]).toMatchObject({
      value: null,
      status: 'no-data',
      regressed: false,
      reason: 'no data yet for version 2.4.0'
    })
    expect(warn.warnings.join('\n')).toMatch(
      /Hang rate \(hangRate\): no data yet for version 2\.4\.0/
    )
    expect(warn.summary).toMatch(
      /^### ⚠️ App Store diagnostics gate: passed, no data yet for hang rate$/m
    )
    const row = warn.summary.split('\n').find(line => line.startsWith('| Hang rate'))!
    expect(row).toContain('no data yet')
    expect(row).not.toContain('✅')

    const pass = await gate({ 'no-data': 'pass' })
    expect(pass.code).toBe(0)
    expect(pass.warnings).toHaveLength(0)

    const fail = await gate({ 'no-data': 'fail' })
    expect(fail.code).toBe(1)
    expect(fail.outputs.passed).toBe('false')
    expect(fail.errors.at(-1)).toBe(
      "No data yet for hangRate on version 2.4.0, and 'no-data' is 'fail'."
    )
    expect(fail.summary).toMatch(/^### ❌ App Store diagnostics gate: no data for hang rate$/m)
    const both = await gate({ 'no-data': 'fail', threshold: '50%' })
    expect(both.summary).toMatch(
      /^### ❌ App Store diagnostics gate: 1 breach, no data for hang rate$/m
    )
  })

  it('treats a 404 as no data, and says no-data when neither signatures nor metrics had any', async () => {
    serve(undefined)
    const run = await gate()
    expect(metricRequests().at(-1)?.status).toBe(404)
    expect(items(run)[0]).toMatchObject({ status: 'no-data', reason: expect.stringMatching(/404/) })
    expect(run.outputs.result).toBe('passed')

    h.asc.state.builds.push(sampleBuild({ id: 'too-new', signatures: [], logs: {} }))
    const nothing = await gate({ 'build-id': 'too-new' })
    expect(nothing.outputs.result).toBe('no-data')
    expect(nothing.summary).toMatch(
      /^### ⚠️ App Store diagnostics gate: no data yet, nothing was checked$/m
    )

    // Metrics alone are something checked.
    serve(METRIC_FIXTURES.steady())
    const metricsOnly = await gate({ 'build-id': 'too-new' })
    expect(metricsOnly.outputs.result).toBe('passed')
  })

  it("shows, counts or drops Apple's own regression insight, as apple-regressions says", async () => {
    serve(METRIC_FIXTURES.appleOnly())
    const inputs = { metrics: 'launchTime', 'metric-reference': 'previous' }
    const report = await gate(inputs)
    expect(report.code).toBe(0)
    const [launch] = items(report)
    expect(launch).toMatchObject({ regressed: false, status: 'ok' })
    expect(launch.change).toBeCloseTo(45 / 915, 6) // +4.9%: under 10%
    expect(launch.appleInsight).toMatchObject({
      kind: 'regression',
      latestVersion: '2.4.0',
      referenceVersions: ['2.0.0', '2.1.0', '2.2.0', '2.3.0']
    })
    expect(report.summary).toContain('✅ (Apple flags a regression; see below)')
    expect(report.summary).toContain(
      "- Apple's insight on Launch time: a regression compared with 2.0.0, 2.1.0, 2.2.0, 2.3.0: 960 ms against an average of 908 ms (+5.8%)."
    )

    const fail = await gate({ ...inputs, 'apple-regressions': 'fail' })
    expect(fail.code).toBe(1)
    expect(fail.outputs['metric-regression-count']).toBe('1')
    expect(fail.errors.at(-1)).toMatch(
      /^1 metric regressed: Launch time .*, flagged by Apple's regression insight\.$/
    )
    expect(fail.summary).toContain("❌ regressed (Apple's insight)")

    const ignore = await gate({ ...inputs, 'apple-regressions': 'ignore' })
    expect(ignore.code).toBe(0)
    expect(items(ignore)[0].appleInsight).toBeUndefined()
    expect(ignore.summary).not.toContain("Apple's insight")
  })

  it('reads the percentile and device it was asked for', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    h.reset()
    const run = await gate({ 'metric-percentile': 'P90', 'metric-device': 'all_ipads' })
    expect(metricRequests()[0].query['filter[deviceType]']).toBe('all_ipads')
    // The fixture's p90 on iPads is the p50-on-iPhones value × 1.6.
    expect(items(run)[0]).toMatchObject({ percentile: 'p90', device: 'all_ipads', value: 6.56 })
    expect(run.summary).toContain('title "Hang rate, p90, by version"')

    const model = await gate({ 'metric-device': 'iPhone15,2' })
    expect(metricRequests().at(-1)?.query['filter[deviceType]']).toBe('iPhone15,2')
    expect(items(model)[0]).toMatchObject({ status: 'no-data' }) // the fixture has no such model
  })

  it('accepts the three known drifts from the spec and reads the same figures', async () => {
    serve(driftFixture({}))
    const spec = items(await gate())
    expect(spec[0].appleInsight?.referenceVersions).toEqual(['2.0.0', '2.1.0', '2.2.0', '2.3.0'])
    for (const drift of [
      { percentageBreakdown: true },
      { referenceVersions: true },
      { platform: true }
    ]) {
      serve(driftFixture(drift))
      const run = await gate()
      expect([drift, items(run)]).toEqual([drift, spec])
    }
  })

  it('reports an identifier whose direction it does not know, without gating it', async () => {
    serve(
      metricsDocument({
        series: {
          onScreenBatteryDrain: [
            { version: '2.3.0', value: 1 },
            { version: '2.4.0', value: 5 }
          ]
        }
      })
    )
    const run = await gate({ metrics: 'onScreenBatteryDrain', 'metric-reference': 'previous' })
    expect(run.code).toBe(0)
    expect(items(run)[0]).toMatchObject({ status: 'not-gated', regressed: false, change: 4 })
    expect(run.summary).toContain('ℹ️ reported, not gated (direction unknown)')
    expect(run.summary).not.toContain('```mermaid')
    expect(metricRequests().at(-1)?.query['filter[metricType]']).toBeUndefined()
  })

  it('keeps hostile payload text out of the chart and escaped in the table', async () => {
    const document = METRIC_FIXTURES.clearRegression()
    const metric = document.productData[0].metricCategories[0].metrics[0] as {
      unit: { displayName: string }
      datasets: { points: { version: string; value: number; goal?: string }[] }[]
    }
    metric.unit.displayName = 's/hr"]\nline [1] <img src=x> @octocat'
    const points = metric.datasets[0].points
    points[0].goal = '| cell | ``` [link](https://evil.example) <!-- -->'
    points.splice(1, 0, { version: '2.0.5"]\n  line [9', value: 9 })
    points.splice(2, 0, { version: '2.0.7', value: 1e300 })
    serve(document)
    const run = await gate({ 'metric-reference': 'previous' })
    expect(run.code).toBe(1)
    const chart = /```mermaid\n([\s\S]*?)```/.exec(run.summary)![1]
    expect(chart).toBe(
      [
        'xychart-beta',
        '  title "Hang rate, p50, by version"',
        '  x-axis ["2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0"]',
        '  line [1.9, 2.1, 2.3, 2.5, 4.1]',
        ''
      ].join('\n')
    )
    expect(run.summary).not.toContain('<img')
    expect(run.summary).not.toContain('@octocat')
    expect(run.summary).not.toContain('](https://evil.example)')
    expect(run.summary).toContain('&lt;img src=x&gt;')
  })

  it('creates the on-breach comment for a metric regression alone', async () => {
    serve(METRIC_FIXTURES.steady())
    const quiet = await h.onPullRequest(401, { ...calm, metrics: 'hangRate', comment: 'on-breach' })
    expect(quiet.code).toBe(0)
    expect(h.github.comments(401)).toHaveLength(0)
    serve(METRIC_FIXTURES.clearRegression())
    const loud = await h.onPullRequest(402, { ...calm, metrics: 'hangRate', comment: 'on-breach' })
    expect(loud.code).toBe(1)
    const [comment] = h.github.comments(402)
    expect(comment.body).toContain('#### Metric regressions')
    expect(comment.body).toContain('```mermaid\nxychart-beta\n')
  })

  it('reports metrics App Store Connect refuses or fails as unavailable, in one sentence, and the signatures still decide', async () => {
    serve(METRIC_FIXTURES.steady())
    for (const status of [403, 500] as const) {
      h.reset()
      h.asc.faults.add({ match: { path: /perfPowerMetrics$/ }, fault: ascErrorFault(status) })
      const run = await gate()
      // The sample build's signatures pass here; the metrics are no data, which warns.
      expect(run.code).toBe(0)
      expect(run.outputs.result).toBe('passed')
      const [metric] = JSON.parse(run.outputs.metrics)
      expect(metric.status).toBe('no-data')
      expect(metric.reason).toMatch(
        status === 403
          ? /^metrics unavailable: App Store Connect refused GET \/v1\/apps\/1500000001\/perfPowerMetrics \(HTTP 403\): the API key's role/
          : /^metrics unavailable: App Store Connect failed with HTTP 500 on GET \/v1\/apps\/1500000001\/perfPowerMetrics after 4 attempts/
      )
      expect(run.warnings.join('\n')).toMatch(/metrics unavailable/)
      expect(run.stdout).not.toMatch(/\n\s+at /)
    }
    h.asc.faults.clear()
  })

  it('stays off without metrics: no metrics request, empty outputs', async () => {
    serve(METRIC_FIXTURES.clearRegression())
    h.reset()
    const run = await h.run(calm)
    expect(metricRequests()).toHaveLength(0)
    expect(run.outputs.metrics).toBe('[]')
    expect(run.outputs['metric-regression-count']).toBe('0')
    expect(run.summary).not.toContain('#### Metrics')
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(report.metrics).toBeNull()
    expect(validate(report) ? [] : validate.errors).toEqual([])
  })
})
