import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { DiagnosticType } from '../src/constants.js'
import { terminalReport, PLAIN } from '../src/cli/terminal.js'
import type { Finding } from '../src/decision/findings.js'
import { failureLine, type Verdict } from '../src/decision/verdict.js'
import type { Signature, SignatureList } from '../src/model.js'
import { annotate } from '../src/publish/annotations.js'
import { buildJsonReport } from '../src/publish/json-report.js'
import { buildJunit } from '../src/publish/junit.js'
import { setOutputs } from '../src/publish/outputs.js'
import { buildSarif } from '../src/publish/sarif.js'
import { renderReport } from '../src/report/render.js'
import { verdictOf } from '../test-support/verdict.js'

// Every sink reads a finding's consequences and works nothing out again: flip one finding from
// "fails the job" to "reported only", change nothing else, and every sink's output changes.

const sig = (type: DiagnosticType, id: string, weight: number): Signature => ({
  id,
  diagnosticType: type,
  signature: `ExampleApp: ${id} + 4`,
  weight
})
const current = new Map<DiagnosticType, SignatureList>([
  ['HANGS', { type: 'HANGS', signatures: [sig('HANGS', 'feed', 0.6)], complete: true }]
])
const failing = verdictOf({
  types: ['HANGS'],
  current,
  limit: 10,
  thresholds: { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 },
  maxWeightIncrease: 0.05
})

/** The same verdict, its one finding only reported: the settings never reach a sink. */
function reportedOnly(verdict: Verdict): Verdict {
  const flip = (f: Finding): Finding => ({
    ...f,
    failsJob: false,
    failsJobReason: 'a reason no sink could work out',
    pauses: false,
    pausesReason: 'a reason no sink could work out'
  })
  return { ...verdict, findings: verdict.findings.map(flip) }
}

const sinks: Record<string, (verdict: Verdict) => string> = {
  'Markdown report': v =>
    renderReport(v, { buildId: 'B1', thresholds: THRESHOLDS, maxWeightIncrease: 0.05 }),
  'terminal report': v =>
    terminalReport(
      renderReport(v, { buildId: 'B1', thresholds: THRESHOLDS, maxWeightIncrease: 0.05 }),
      PLAIN
    ),
  JUnit: v => buildJunit({ verdict: v, buildId: 'B1' }),
  SARIF: v => buildSarif({ verdict: v, buildId: 'B1' }),
  'JSON report': v =>
    JSON.stringify(buildJsonReport({ verdict: v, requests: 1, totalMs: 1, generatedAt: '' })),
  'failure line (and so the exit status)': v => String(failureLine(v, 'B1')),
  annotations: v => captured(() => annotate(v, 'B1', false)),
  outputs: v => captured(() => setOutputs(v, { buildId: 'B1', report: '' }))
}
const THRESHOLDS = { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 }

let written: string[] = []
beforeEach(() => {
  written = []
  delete process.env.GITHUB_OUTPUT
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
})

function captured(sink: () => void): string {
  written = []
  sink()
  return written.join('')
}

describe('every sink reads the findings', () => {
  it('the fixture fails the job on one breach', () => {
    expect(failing.findings.map(f => [f.kind, f.failsJob])).toEqual([['breach', true]])
  })

  it.each(Object.keys(sinks))('%s changes when the finding only reports', name => {
    const before = sinks[name](failing)
    const after = sinks[name](reportedOnly(failing))
    expect(after).not.toEqual(before)
  })

  it('the Markdown report marks ❌ what fails the job and ⚠️ what is only reported', () => {
    const render = (v: Verdict) =>
      renderReport(v, { buildId: 'B1', thresholds: THRESHOLDS, maxWeightIncrease: 0.05 })
    expect(render(failing)).toMatch(/^### ❌ App Store diagnostics gate: 1 breach$/m)
    expect(render(failing)).toContain('| ❌ | Hangs |')
    expect(render(reportedOnly(failing))).toMatch(
      /^### ⚠️ App Store diagnostics gate: 1 breach, reported only$/m
    )
    expect(render(reportedOnly(failing))).toContain('| ⚠️ | Hangs |')
  })
})
