import { describe, expect, it } from '@jest/globals'
import { parseBacktrace } from '../src/asc/backtrace.js'
import type { Collected } from '../src/collect.js'
import type { DiagnosticType } from '../src/constants.js'
import { failureLine } from '../src/decision/verdict.js'
import { verdictOf } from '../test-support/verdict.js'
import type { BacktraceResult, Signature, SignatureList } from '../src/model.js'
import { buildJsonReport } from '../src/publish/json-report.js'
import { logFor } from '../test-support/logs.mjs'
import { reportValidator } from '../test-support/records.mjs'

const validate = reportValidator()
const valid = (report: unknown): boolean => {
  const ok = validate(report)
  if (!ok) throw new Error(JSON.stringify(validate.errors, null, 2))
  return ok
}

const thresholds = { HANGS: 0.3, DISK_WRITES: 0.5, LAUNCHES: 0.5 }
const sig = (type: DiagnosticType, id: string, weight: number, text = id): Signature => ({
  id,
  diagnosticType: type,
  signature: `ExampleApp: ${text} + 4`,
  weight
})
const lists = (...signatures: Signature[]): Map<DiagnosticType, SignatureList> =>
  new Map(
    (['HANGS', 'DISK_WRITES'] as const).map(type => [
      type,
      { type, signatures: signatures.filter(s => s.diagnosticType === type), complete: true }
    ])
  )

const current = lists(sig('HANGS', 'h1', 0.41, 'feed'), sig('HANGS', 'h2', 0.1, 'cache'))
const baseline = lists(sig('HANGS', 'b1', 0.29, 'feed'), sig('HANGS', 'b2', 0.2, 'legacy'))
const verdict = verdictOf({
  types: ['HANGS', 'DISK_WRITES'],
  current,
  baseline,
  limit: 10,
  thresholds,
  noData: 'warn',
  maxWeightIncrease: 0.05
})
const backtraces = new Map<string, BacktraceResult>([
  ['h1', { ok: true, backtrace: parseBacktrace(logFor(sig('HANGS', 'h1', 0.41, 'feed')), 'h1') }],
  ['h2', { ok: false, reason: 'Backtrace unavailable: HTTP 404.' }]
])
const data: Collected = {
  current: {
    build: { id: 'build-1', label: '2.4.0 (412)', processingState: 'VALID' },
    lists: current
  },
  baseline: { build: { id: 'base-1' }, lists: baseline },
  backtraces,
  timings: { builds: 3, signatures: 12, logs: 20 }
}

describe('JSON report', () => {
  it('carries the whole verdict, and validates against the schema', () => {
    const failure = failureLine(verdict, 'build-1')
    const report = buildJsonReport({
      verdict,
      data,
      failure,
      settings: { inputs: { threshold: '0.4' }, thresholds, maxWeightIncrease: 0.05 },
      rateLimit: { limit: 3500, remaining: 3400 },
      requests: 9,
      totalMs: 123.4,
      generatedAt: '2026-12-02T10:00:00.000Z'
    })
    expect(valid(report)).toBe(true)
    expect(report).toMatchObject({
      build: { id: 'build-1', label: '2.4.0 (412)', processingState: 'VALID' },
      baseline: { id: 'base-1', label: null, processingState: null },
      error: null,
      result: 'failed',
      skipReason: null,
      verdict: {
        passed: false,
        failure,
        breachCount: 1,
        regressionCount: 2,
        maxWeight: 0.41,
        emptyTypes: ['DISK_WRITES']
      },
      breaches: ['h1'],
      rateLimit: { limit: 3500, remaining: 3400 },
      requests: 9,
      timings: { builds: 3, signatures: 12, logs: 20, total: 123 }
    })
    // Every reported signature, with its rank and its comparison with the baseline.
    expect(report.signatures).toEqual([
      expect.objectContaining({
        id: 'h1',
        rank: 1,
        breached: true,
        baselineWeight: 0.29,
        change: 'up'
      }),
      expect.objectContaining({
        id: 'h2',
        rank: 2,
        breached: false,
        baselineWeight: null,
        change: 'new'
      })
    ])
    // New since the baseline counts as a rise of its whole weight: worst first.
    expect(report.regressions).toEqual([
      expect.objectContaining({ id: 'h1', regressed: true, rank: 1 }),
      expect.objectContaining({ id: 'h2', regressed: true, rank: 2, change: 'new' })
    ])
    expect(report.types).toEqual([
      expect.objectContaining({
        type: 'HANGS',
        fetched: 2,
        gone: [{ id: 'b2', signature: 'ExampleApp: legacy + 4', weight: 0.2 }],
        goneUnknown: false
      }),
      expect.objectContaining({ type: 'DISK_WRITES', fetched: 0 })
    ])
    expect(Object.keys(report.backtraces as object)).toEqual(['h1', 'h2'])
  })

  it('reports a run that stopped on an error, with no settings before the inputs were valid', () => {
    const report = buildJsonReport({
      error: { message: "Input 'key-id' is required.", cause: 'input' },
      requests: 0,
      totalMs: 5,
      generatedAt: '2026-12-02T10:00:00.000Z'
    })
    expect(valid(report)).toBe(true)
    expect(report).toMatchObject({
      error: "Input 'key-id' is required.",
      errorCause: 'input',
      result: null,
      verdict: null,
      settings: null,
      build: null,
      signatures: [],
      backtraces: {},
      rateLimit: null,
      timings: { builds: 0, signatures: 0, logs: 0, total: 5 }
    })
  })

  it('reports a skipped run as skipped, with its reason', () => {
    const report = buildJsonReport({
      skipped: 'pull request #7 comes from a fork',
      requests: 0,
      totalMs: 1,
      generatedAt: '2026-12-02T10:00:00.000Z'
    })
    expect(valid(report)).toBe(true)
    expect(report).toMatchObject({
      result: 'skipped',
      skipReason: 'pull request #7 comes from a fork',
      error: null,
      verdict: null
    })
  })
})
