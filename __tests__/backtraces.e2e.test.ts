import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deepLogJson, longSymbolLog, sparseLog, stringyLog } from '../test-support/logs.mjs'
import { BASELINE_ID, baselineBuild, filler, sampleBuild } from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { reportValidator } from '../test-support/records.mjs'

const validate = reportValidator()

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const logsRequests = () => h.requests().filter(r => r.path.endsWith('/logs'))
const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8'))

describe('backtraces', () => {
  it('shows the blamed frame of each top signature, folded under its table', async () => {
    h.reset()
    const run = await h.run()
    expect(logsRequests()).toHaveLength(6) // top 3 of each type, fewer where a type has fewer
    for (const r of logsRequests())
      expect(r.headers.accept).toContain('application/vnd.apple.diagnostic-logs+json')
    expect(run.summary).toContain(
      '<details><summary>Backtrace (rank 1) · iPhone15,2 · iPhone OS 17.5 (21F79) · 2.4.0 (412) · 2.31 s</summary>'
    )
    expect(run.summary).toMatch(
      /```text\n(?:\S+ +\S+.*\n){2}libsystem_pthread\.dylib +_pthread_mutex_firstfit_lock_slow\nFoundation +-\[NSLock lock\]\nExampleApp +-\[FeedViewController reloadVisibleCells\] +FeedViewController\.m:88 +← blamed\n/
    )
    expect(run.summary).toContain(
      'Apple: The main thread waited on a lock held by a background thread.'
    )
    expect(run.warnings).toHaveLength(0)
    expectNoSecrets(run, h)
  })

  it('keeps the verdict when logs cannot be fetched or read', async () => {
    h.reset()
    const baseline = await h.run({ 'include-logs': '0' })
    h.asc.faults.add({
      match: { path: '/v1/diagnosticSignatures/rc-sig-3/logs' },
      // Retry-After: 0, so the four attempts take no real backoff.
      fault: { status: 500, headers: { 'retry-after': '0' }, body: 'oops' }
    })
    h.asc.faults.add({
      match: { path: '/v1/diagnosticSignatures/rc-sig-1/logs' },
      fault: { status: 406, headers: { 'content-type': 'text/plain' }, body: 'Not Acceptable' }
    })
    h.asc.faults.add({
      match: { path: '/v1/diagnosticSignatures/rc-sig-6/logs' },
      fault: {
        status: 200,
        headers: { 'content-type': 'application/vnd.apple.diagnostic-logs+json' },
        body: '{"productData": 42}'
      }
    })
    const run = await h.run()
    expect(run.code).toBe(baseline.code)
    expect(run.outputs.passed).toBe(baseline.outputs.passed)
    expect(run.outputs.breaches).toBe(baseline.outputs.breaches)
    expect(run.warnings.join('\n')).toMatch(
      /^3 of 6 backtraces are unavailable; the verdict does not depend on them\./m
    )
    expect(run.summary).toContain('<details><summary>Backtrace (rank 1): unavailable</summary>')
    expect(
      h.requests().filter(r => r.path === '/v1/diagnosticSignatures/rc-sig-3/logs')
    ).toHaveLength(4) // retried, bounded
    expect(
      h.requests().filter(r => r.path === '/v1/diagnosticSignatures/rc-sig-1/logs')
    ).toHaveLength(1) // 406 is final
  })

  it('reads logs that stray from the spec: deep nesting, strings for numbers, missing fields, huge symbols', async () => {
    h.reset()
    const signatures = filler(4, 'HANGS', 0.3).map((s, i) => ({ ...s, id: `odd-${i}` }))
    const logs = {
      'odd-0': deepLogJson(10_000),
      'odd-1': stringyLog(),
      'odd-2': sparseLog(),
      'odd-3': longSymbolLog()
    }
    h.asc.state.builds.push(sampleBuild({ id: 'odd-logs', signatures, logs }))
    const run = await h.run({
      'build-id': 'odd-logs',
      'diagnostic-types': 'HANGS',
      'include-logs': '4'
    })
    expect(run.code).toBe(0)
    expect(run.warnings).toHaveLength(0)
    const report = readReport(run.outputs['report-path'])
    for (const id of ['odd-0', 'odd-1', 'odd-2', 'odd-3'])
      expect(report.backtraces[id].ok).toBe(true)
    expect(report.backtraces['odd-2'].backtrace.basis).toBe('heaviest')
    expect(run.summary).toContain(
      'No frame is marked as blamed; this is the heaviest path by sample count.'
    )
    // Hostile symbol text cannot close the code block or open a comment.
    expect(run.summary.match(/<!--/g)).toBeNull()
    const fences = run.summary.match(/^`{3,}/gm) ?? []
    expect(fences.length % 2).toBe(0)
    expect(validate(report)).toBe(true)
  })

  it("fetches at most 4 logs at once, starting as soon as a type's signatures arrive", async () => {
    h.reset()
    const signatures = ['HANGS', 'DISK_WRITES', 'LAUNCHES'].flatMap(type =>
      filler(6, type, 0.3).map((s, i) => ({ ...s, id: `${type}-${i}` }))
    )
    h.asc.state.builds.push(sampleBuild({ id: 'many-logs', signatures, logs: {} }))
    h.asc.setLatency(40)
    h.asc.faults.add({
      match: { path: '/v1/builds/many-logs/diagnosticSignatures' },
      times: 1,
      fault: { delayMs: 200 }
    })
    try {
      await h.run({ 'build-id': 'many-logs', 'include-logs': '5', threshold: '0.9' })
    } finally {
      h.asc.setLatency(0)
    }
    const logs = logsRequests()
    expect(logs).toHaveLength(15)
    expect(h.requests().filter(r => r.path.endsWith('/diagnosticSignatures'))).toHaveLength(3)
    const maxInFlight = Math.max(
      ...logs.map(a => logs.filter(b => b.start <= a.start && a.start < b.end).length)
    )
    expect(maxInFlight).toBeLessThanOrEqual(4)
    const signaturesDone = Math.max(
      ...h
        .requests()
        .filter(r => r.path.endsWith('/diagnosticSignatures'))
        .map(r => r.end)
    )
    expect(Math.min(...logs.map(r => r.start))).toBeLessThan(signaturesDone)
  })

  it('turns logs off with include-logs: 0', async () => {
    h.reset()
    const run = await h.run({ 'include-logs': '0' })
    expect(logsRequests()).toHaveLength(0)
    expect(run.summary).not.toContain('Backtrace (rank')
  })
})

describe('the JSON report', () => {
  it('is written under RUNNER_TEMP by default and validates against the schema', async () => {
    h.reset()
    h.asc.state.builds.push(baselineBuild())
    const run = await h.run({ 'baseline-build-id': BASELINE_ID })
    expect(run.outputs['report-path']).toBe(
      join(run.runnerTemp, 'asc-diagnostics-gate-report.json')
    )
    const report = readReport(run.outputs['report-path'])
    expect(validate(report)).toBe(true)
    expect(report).toMatchObject({
      schemaVersion: 2,
      build: { id: sampleBuild().id },
      baseline: { id: BASELINE_ID },
      verdict: { passed: false, breachCount: 1, regressionCount: 4 },
      rateLimit: { limit: 3500 }
    })
    expect(report.requests).toBe(h.requests().length)
    expect(report.timings.total).toBeGreaterThan(0)
    expect(Object.keys(report.backtraces)).toHaveLength(6)
    expect(readFileSync(run.outputs['report-path'], 'utf8')).not.toContain(h.key.pem.split('\n')[1])
  })

  it('is written even when the inputs are invalid', async () => {
    const run = await h.run({ threshold: '2' })
    expect(run.code).toBe(1)
    const report = readReport(run.outputs['report-path'])
    expect(validate(report)).toBe(true)
    expect(report).toMatchObject({ settings: null, verdict: null, requests: 0 })
    expect(report.error).toMatch(/Input 'threshold' is '2'/)
  })

  it('is written to report-path, also when the run stops on an error', async () => {
    h.reset()
    const run = await h.run({ 'build-id': 'no-such-build', 'report-path': 'out/diagnostics.json' })
    expect(run.code).toBe(1)
    const report = readReport(run.outputs['report-path'])
    expect(run.outputs['report-path'].endsWith('out/diagnostics.json')).toBe(true)
    expect(validate(report)).toBe(true)
    expect(report.verdict).toBeNull()
    expect(report.error).toMatch(/Build 'no-such-build' was not found/)
  })
})
