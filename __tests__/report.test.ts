import { describe, expect, it } from '@jest/globals'
import type { DiagnosticType } from '../src/constants.js'
import { verdictOf } from '../test-support/verdict.js'
import type { BacktraceResult, Signature } from '../src/model.js'
import { characters, fitReport, utf8Bytes } from '../src/report/fit.js'
import { Detail, renderReport, type ReportContext } from '../src/report/render.js'

const types: DiagnosticType[] = ['HANGS', 'DISK_WRITES', 'LAUNCHES']
const signatures = (type: DiagnosticType, n: number): Signature[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${type}-${i}`,
    diagnosticType: type,
    signature: `ExampleApp: ${type} ${'long_symbol_name_'.repeat(20)} ${i}`,
    weight: Number((0.9 / (i + 1)).toFixed(4))
  }))
const verdict = verdictOf({
  types,
  current: new Map(
    types.map(t => [t, { type: t, signatures: signatures(t, 200), complete: true }])
  ),
  limit: 200,
  thresholds: { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 },
  noData: 'warn',
  maxWeightIncrease: 0.05
})
const backtraces = new Map<string, BacktraceResult>(
  types.flatMap(t =>
    [0, 1, 2].map(i => [
      `${t}-${i}`,
      {
        ok: true,
        backtrace: {
          signatureId: `${t}-${i}`,
          basis: 'blamed',
          insights: [],
          frames: Array.from({ length: 8 }, (_, f) => ({
            binary: 'ExampleApp',
            symbol: `frame_${f}_${'x'.repeat(150)}`,
            blamed: f === 0
          }))
        }
      }
    ])
  )
)
const context: ReportContext = {
  buildId: 'build-1',
  thresholds: { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 },
  maxWeightIncrease: 0.05,
  backtraces
}
const render = (detail: Detail) => renderReport(verdict, context, detail)

describe("fitting the report to GitHub's limits", () => {
  it('drops backtraces first, then rows beyond the top 10, then the per-type tables', () => {
    const sizes = [Detail.Full, Detail.NoBacktraces, Detail.TopTenRows, Detail.NoTypeTables].map(
      d => render(d).length
    )
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a))
    expect(render(Detail.Full)).toContain('Backtrace (rank 1)')
    expect(render(Detail.NoBacktraces)).not.toContain('Backtrace (rank')
    expect(render(Detail.TopTenRows)).toContain(
      '190 more rows are in the job summary and the JSON report.'
    )
    expect(render(Detail.NoTypeTables)).not.toContain('<details>')
  })

  it('keeps the full report when it fits, with no note', () => {
    const full = render(Detail.Full)
    expect(fitReport(render, { measure: utf8Bytes, max: full.length * 4, elsewhere: 'x' })).toBe(
      full
    )
  })

  it('keeps the verdict and the problem table, and says where the rest is', () => {
    const budget = render(Detail.NoBacktraces).length - 1
    const fitted = fitReport(render, {
      measure: characters,
      max: budget,
      elsewhere: 'the job summary'
    })
    expect(fitted.length).toBeLessThanOrEqual(budget + 200)
    expect(fitted).toMatch(/^### ❌ App Store diagnostics gate: 3 breaches\n/)
    expect(fitted).toContain('#### Breaches')
    expect(fitted).toMatch(/the full report is in the job summary\.<\/sub>\n$/)
  })

  it('stays within the limit at any size, the verdict first and every block closed', () => {
    for (const max of [500, 2_000, 10_000, 100_000]) {
      const fitted = fitReport(render, { measure: characters, max, elsewhere: 'the job summary' })
      expect(fitted.length).toBeLessThanOrEqual(max)
      expect(fitted.startsWith('### ❌ App Store diagnostics gate: 3 breaches')).toBe(true)
      expect(fitted).toMatch(
        /The full report is in the job summary\.\n$|the full report is in the job summary\.<\/sub>\n$/
      )
      expect((fitted.match(/<details>/g) ?? []).length).toBe(
        (fitted.match(/<\/details>/g) ?? []).length
      )
      expect((fitted.match(/^```/gm) ?? []).length % 2).toBe(0)
    }
  })

  it('as a last resort cuts at a line boundary with a note', () => {
    const fitted = fitReport(render, {
      measure: characters,
      max: 500,
      elsewhere: 'the job summary'
    })
    expect(fitted).toMatch(
      /\n\n\*\*Report cut to fit GitHub's size limit\.\*\* The full report is in the job summary\.\n$/
    )
  })

  it('closes only the sections the renderer opened, and stays within the limit', () => {
    // Signature text in code spans holding the tag must not count as open sections.
    const rows = Array.from({ length: 300 }, (_, i) => `| ${i} | \`${'<details>'.repeat(40)}\` |`)
    const report = ['<details><summary>Hangs</summary>', '', ...rows, '', '</details>'].join('\n')
    const fitted = fitReport(() => report, { measure: characters, max: 20_000, elsewhere: 'x' })
    expect(fitted.length).toBeLessThanOrEqual(20_000)
    expect(fitted.match(/^<\/details>$/gm)).toHaveLength(1)
  })

  it('measures the summary in bytes, not characters', () => {
    expect(utf8Bytes('❌')).toBe(3)
    expect(characters('❌')).toBe(1)
  })
})
