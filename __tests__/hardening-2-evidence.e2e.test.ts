// Issue 22, the second adversarial review: what the decision rests on. Metrics keep the points
// the decision needs, partial evidence still decides, and outsized answers are bounded. Each
// test drives dist/index.js as a process against the loopback simulators.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { ascErrorFault } from '../test-support/asc-simulator.mjs'
import { metricsDocument } from '../test-support/metrics.mjs'
import {
  APP,
  appStoreVersions,
  baselineBuild,
  BUILD_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { reportValidator } from '../test-support/records.mjs'

const validate = reportValidator()
const METRICS = `/v1/apps/${APP.id}/perfPowerMetrics`
const calm = { threshold: '0.9', 'include-logs': '0' }

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())
beforeEach(() => {
  h.reset()
  h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
  h.asc.state.apps.splice(0, Infinity, { ...APP })
  h.asc.state.versions.splice(0, Infinity, ...appStoreVersions())
})

/** The hang rate of `count` weekly versions, oldest first, ending at 2.4.0 with `last`. */
function longHistory(count: number, last: number) {
  const points = Array.from({ length: count - 1 }, (_, i) => ({
    version: `1.${i}`,
    value: 2.5,
    errorMargin: 0.1
  }))
  return metricsDocument({
    series: { hangRate: [...points, { version: '2.4.0', value: last, errorMargin: 0.1 }] }
  })
}

describe('3. metrics keep the points the decision needs', () => {
  it('finds the build’s version as the 60th point, oldest first, and fails the regression', async () => {
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: longHistory(60, 9.0) })
    const run = await h.run({ ...calm, metrics: 'hangRate', 'metric-reference': 'previous' })
    expect(run.code).toBe(1)
    const [hangRate] = JSON.parse(run.outputs.metrics)
    expect(hangRate).toMatchObject({ status: 'regressed', version: '2.4.0', value: 9 })
    expect(hangRate.referenceVersions).toEqual(['1.58'])
  })

  it('finds the gated dataset after 5,000 others', async () => {
    const document = longHistory(5, 9.0)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [hangRate] = (document.productData[0].metricCategories[0] as any).metrics
    const other = { filterCriteria: { percentile: 'percentile.seventy', device: 'all_iphones' } }
    hangRate.datasets = [
      ...Array.from({ length: 5_000 }, () => ({ ...other, points: [] })),
      ...hangRate.datasets
    ]
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: document })
    const run = await h.run({ ...calm, metrics: 'hangRate', 'metric-reference': 'previous' })
    expect(run.code).toBe(1)
    expect(JSON.parse(run.outputs.metrics)[0]).toMatchObject({ status: 'regressed', value: 9 })
  })
})

describe('4. partial evidence still decides', () => {
  it('metrics that fail after retries are a finding of their own; the guard still pauses on the breach', async () => {
    h.asc.faults.add({
      match: { path: METRICS },
      fault: { ...ascErrorFault(500), headers: { 'retry-after': '0' } }
    })
    const run = await h.run({
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      metrics: 'hangRate',
      'include-logs': '0',
      'phased-release': 'pause-on-failure',
      'pause-on': 'any'
    })
    expect(run.code).toBe(1)
    expect(h.requests().filter(r => r.path === METRICS)).toHaveLength(4)
    expect(run.outputs['phased-release-state']).toBe('PAUSED')
    const findings = JSON.parse(run.outputs.findings)
    expect(findings.map((f: { kind: string }) => f.kind)).toEqual(
      expect.arrayContaining(['breach', 'no-data'])
    )
    const [hangRate] = JSON.parse(run.outputs.metrics)
    expect(hangRate.status).toBe('no-data')
    expect(hangRate.reason).toMatch(
      /^metrics unavailable: App Store Connect failed with HTTP 500 on GET \/v1\/apps\/\d+\/perfPowerMetrics after 4 attempts/
    )
    expect(run.summary).toContain('metrics unavailable')
    expect(h.requests().some(r => r.method === 'PATCH' && r.path.endsWith(PHASED_RELEASE_ID))).toBe(
      true
    )
    expectNoSecrets(run, h)
  })

  it('with no-data: fail, metrics that cannot be read fail the job', async () => {
    h.asc.faults.add({
      match: { path: METRICS },
      fault: { ...ascErrorFault(500), headers: { 'retry-after': '0' } }
    })
    const run = await h.run({ ...calm, metrics: 'hangRate', 'no-data': 'fail' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /The metrics \(hangRate\) could not be read, and 'no-data' is 'fail': App Store Connect failed with HTTP 500 on GET \/v1\/apps\/\d+\/perfPowerMetrics after 4 attempts/
    )
  })

  it('logs that never answer are given up at the deadline; the verdict stands', async () => {
    h.asc.faults.add({ match: { path: '/v1/diagnosticSignatures/' }, fault: { hang: true } })
    const run = await h.run({
      'diagnostic-types': 'DISK_WRITES',
      'include-logs': '1',
      'timeout-minutes': '0.05',
      'report-path': 'report.json'
    })
    // The sample build's 85% disk-writes breach fails the job, not the timeout.
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
    expect(run.outputs['breach-count']).toBe('1')
    expect(run.errors.at(-1)).toMatch(/1 diagnostic signature above the threshold/)
    expect(run.errors.join('\n')).not.toMatch(/did not finish within 'timeout-minutes'/)
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(Object.values(report.backtraces)).toEqual([
      {
        ok: false,
        reason:
          "Backtrace unavailable: its logs had not arrived when 'timeout-minutes' ran short, and the run went on without them."
      }
    ])
  })
})

describe('13. bounds', () => {
  it('refuses a signature page over 2 MB, naming the endpoint and the limit', async () => {
    const huge = {
      data: Array.from({ length: 200 }, (_, i) => ({
        type: 'diagnosticSignatures',
        id: `s${i}`,
        attributes: { diagnosticType: 'HANGS', signature: 'x'.repeat(25_000), weight: 0.001 }
      }))
    }
    h.asc.faults.add({
      match: { path: `/v1/builds/${BUILD_ID}/diagnosticSignatures` },
      fault: { status: 200, body: huge }
    })
    const run = await h.run({ ...calm, 'diagnostic-types': 'HANGS' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /^Response over 2 MB to GET \/v1\/builds\/[^ ]+\/diagnosticSignatures, more than this action reads from App Store Connect \(not retried\)/i
    )
    expect(h.requests().filter(r => r.path.endsWith('/diagnosticSignatures'))).toHaveLength(1)
  })

  it('earlier values near the largest double are "no reference", and the report keeps its schema', async () => {
    const document = metricsDocument({
      series: {
        hangRate: [
          ...['2.0.0', '2.1.0', '2.2.0', '2.3.0'].map(version => ({ version, value: 1e308 })),
          { version: '2.4.0', value: 3 }
        ]
      }
    })
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: document })
    const run = await h.run({
      ...calm,
      metrics: 'hangRate',
      'metric-reference': 'average',
      'report-path': 'report.json'
    })
    const [hangRate] = JSON.parse(run.outputs.metrics)
    expect(hangRate).toMatchObject({ status: 'no-data' })
    expect(hangRate.reason).toBe('no reference: the earlier values are too large to average')
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(validate(report) ? [] : validate.errors).toEqual([])
  })
})

describe('4. partial evidence still decides, when the deadline runs out', () => {
  it('metrics that never answer are unavailable at the deadline; the verdict stands', async () => {
    h.asc.faults.add({ match: { path: METRICS }, fault: { hang: true } })
    const run = await h.run({ ...calm, metrics: 'hangRate', 'timeout-minutes': '0.05' })
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('passed')
    const [hangRate] = JSON.parse(run.outputs.metrics)
    expect(hangRate).toMatchObject({ status: 'no-data' })
    expect(hangRate.reason).toBe(
      "metrics unavailable: 'timeout-minutes' passed before App Store Connect answered for the metrics"
    )
  })

  // 12 s of budget, 3 s kept for the guard: signatures that take 4 s, longer than that reserve,
  // must not push the wait for the logs past the deadline.
  it('logs that never answer leave the guard time to pause, after slow signatures', async () => {
    h.asc.faults.add({ match: { path: '/v1/diagnosticSignatures/' }, fault: { hang: true } })
    h.asc.faults.add({
      match: { path: `/v1/builds/${BUILD_ID}/diagnosticSignatures` },
      fault: { delayMs: 4_000 }
    })
    const run = await h.run({
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      'diagnostic-types': 'DISK_WRITES',
      'include-logs': '1',
      'phased-release': 'pause-on-failure',
      'pause-on': 'any',
      'timeout-minutes': '0.2'
    })
    expect(run.code).toBe(1)
    expect(run.outputs['phased-release-state']).toBe('PAUSED')
    expect(run.warnings.join('\n')).toMatch(
      /its logs had not arrived when 'timeout-minutes' ran short/
    )
  })
})
