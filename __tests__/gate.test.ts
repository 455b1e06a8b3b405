import { describe, expect, it } from '@jest/globals'
import type { DiagnosticType } from '../src/constants.js'
import { fraction } from '../src/config/values.js'
import { failureLine } from '../src/decision/verdict.js'
import type { GateInput } from '../src/gate.js'
import { verdictOf } from '../test-support/verdict.js'
import type { Signature, SignatureList } from '../src/model.js'

const sig = (
  type: DiagnosticType,
  signature: string,
  weight: number,
  id = signature
): Signature => ({
  id,
  diagnosticType: type,
  signature,
  weight
})
const list = (type: DiagnosticType, ...signatures: Signature[]): SignatureList => ({
  type,
  signatures,
  complete: true
})
const input = (over: Partial<GateInput> = {}): GateInput => ({
  types: ['HANGS', 'DISK_WRITES'],
  current: new Map([
    ['HANGS', list('HANGS', sig('HANGS', 'a', 0.3))],
    ['DISK_WRITES', list('DISK_WRITES', sig('DISK_WRITES', 'b', 0.2))]
  ]),
  limit: 10,
  thresholds: { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 },
  maxWeightIncrease: 0.05,
  ...over
})

describe('threshold', () => {
  it('passes a weight equal to the threshold and breaches one just above it', () => {
    const at = verdictOf(
      input({
        current: new Map([['HANGS', list('HANGS', sig('HANGS', 'x', 0.5))]]),
        types: ['HANGS']
      })
    )
    expect(at.passed).toBe(true)
    expect(at.breaches).toHaveLength(0)
    const above = verdictOf(
      input({
        current: new Map([['HANGS', list('HANGS', sig('HANGS', 'x', 0.5000001))]]),
        types: ['HANGS']
      })
    )
    expect(above.passed).toBe(false)
    expect(above.breaches.map(b => b.signature)).toEqual(['x'])
  })

  it('uses each type its own threshold', () => {
    const verdict = verdictOf(
      input({ thresholds: { HANGS: 0.25, DISK_WRITES: 0.5, LAUNCHES: 0.5 } })
    )
    expect(verdict.breaches.map(b => [b.diagnosticType, b.threshold])).toEqual([['HANGS', 0.25]])
  })

  it('names the worst breach and the count in the failure line', () => {
    const current = new Map([
      ['HANGS', list('HANGS', sig('HANGS', 'hang', 0.6))],
      [
        'DISK_WRITES',
        list(
          'DISK_WRITES',
          sig('DISK_WRITES', 'ExampleApp: -[DatabaseConnection executeSQL:]', 0.85)
        )
      ]
    ] as const)
    const verdict = verdictOf(input({ current: new Map(current) }))
    expect(failureLine(verdict, 'B')).toBe(
      "2 diagnostic signatures above the threshold; worst: Disk writes 'ExampleApp: -[DatabaseConnection executeSQL:]' at 85.0% (limit 50%)."
    )
    expect(verdict.passed).toBe(false)
    // fail-on-breach: false reports the same breaches, each saying why it does not fail the job.
    const reported = verdictOf(input({ current: new Map(current) }), { failOnBreach: false })
    expect(failureLine(reported, 'B')).toBeUndefined()
    expect(reported.result).toBe('failed')
    expect(reported.findings.map(f => [f.kind, f.failsJob, f.failsJobReason])).toEqual([
      ['breach', false, "'fail-on-breach' is false"],
      ['breach', false, "'fail-on-breach' is false"]
    ])
  })

  it('reports the highest weight fetched', () => {
    expect(verdictOf(input()).maxWeight).toBe(0.3)
    expect(verdictOf(input({ current: new Map() })).maxWeight).toBeUndefined()
  })
})

describe('no data', () => {
  const empty = input({ current: new Map([['HANGS', list('HANGS', sig('HANGS', 'a', 0.1))]]) })
  it('lists empty types and passes with warn or pass', () => {
    for (const noData of ['warn', 'pass'] as const) {
      const verdict = verdictOf({ ...empty, noData })
      expect(verdict.emptyTypes).toEqual(['DISK_WRITES'])
      expect(verdict.passed).toBe(true)
    }
  })
  it('fails with fail, even when fail-on-breach is false', () => {
    const verdict = verdictOf(
      { ...empty, noData: 'fail' },
      { failOnBreach: false, failOnRegression: false }
    )
    expect(verdict.passed).toBe(false)
    expect(failureLine(verdict, 'B1')).toMatch(
      /No disk writes diagnostics for build B1 yet, and 'no-data' is 'fail'/
    )
  })
})

describe('baseline', () => {
  const withBaseline = (current: Signature[], baseline: Signature[], complete = true) =>
    verdictOf(
      input({
        types: ['HANGS'],
        current: new Map([['HANGS', { type: 'HANGS', signatures: current, complete }]]),
        baseline: new Map([['HANGS', list('HANGS', ...baseline)]])
      })
    )

  it('matches signatures by text, not ID, and classifies the change', () => {
    const verdict = withBaseline(
      [
        sig('HANGS', 'up', 0.3, 'n1'),
        sig('HANGS', 'same', 0.2, 'n2'),
        sig('HANGS', 'down', 0.1, 'n3'),
        sig('HANGS', 'new', 0.04, 'n4')
      ],
      [
        sig('HANGS', 'up', 0.2, 'o1'),
        sig('HANGS', 'same', 0.2, 'o2'),
        sig('HANGS', 'down', 0.3, 'o3'),
        sig('HANGS', 'gone', 0.1, 'o4')
      ]
    )
    const changes = verdict.outcomes[0].shown.map(s => [s.signature, s.change, s.baselineWeight])
    expect(changes).toEqual([
      ['up', 'up', 0.2],
      ['same', 'same', 0.2],
      ['down', 'down', 0.3],
      ['new', 'new', undefined]
    ])
    expect(verdict.regressions.map(s => s.signature)).toEqual(['up'])
    expect(verdict.outcomes[0].gone.map(s => s.signature)).toEqual(['gone'])
  })

  it('allows a rise of exactly max-weight-increase and flags a new signature above it', () => {
    const verdict = withBaseline(
      [sig('HANGS', 'a', 0.25), sig('HANGS', 'b', 0.06)],
      [sig('HANGS', 'a', 0.2)]
    )
    expect(verdict.regressions.map(s => [s.signature, s.change])).toEqual([['b', 'new']])
    expect(failureLine(verdict, 'B')).toMatch(
      /^1 regression against the baseline build; worst: Hangs 'b' at 6\.0% \(new\)\.$/
    )
  })

  it('calls nothing gone when the current list was cut', () => {
    const verdict = withBaseline([sig('HANGS', 'a', 0.25)], [sig('HANGS', 'z', 0.2)], false)
    expect(verdict.outcomes[0].gone).toEqual([])
    expect(verdict.outcomes[0].goneUnknown).toBe(true)
  })
})

describe('decimal edges', () => {
  it('treats a weight equal to a percentage threshold as equal, whatever binary rounding does', () => {
    for (let tenths = 1; tenths < 1000; tenths++) {
      const threshold = fraction('threshold', `${tenths / 10}%`)
      const weight = Number((tenths / 1000).toFixed(4))
      const verdict = verdictOf(
        input({
          types: ['HANGS'],
          current: new Map([['HANGS', list('HANGS', sig('HANGS', 'x', weight))]]),
          thresholds: { HANGS: threshold, DISK_WRITES: 1, LAUNCHES: 1 }
        })
      )
      expect(verdict.breaches).toHaveLength(0)
    }
  })

  it('allows a rise of exactly max-weight-increase however the subtraction rounds', () => {
    for (let from = 0; from <= 95; from++) {
      const before = from / 100
      const after = Number((before + 0.05).toFixed(2))
      const verdict = verdictOf(
        input({
          types: ['HANGS'],
          current: new Map([['HANGS', list('HANGS', sig('HANGS', 'x', after))]]),
          baseline: new Map([['HANGS', list('HANGS', sig('HANGS', 'x', before))]]),
          thresholds: { HANGS: 1, DISK_WRITES: 1, LAUNCHES: 1 }
        })
      )
      expect(verdict.regressions).toHaveLength(0)
    }
  })
})

describe('a baseline list that was cut', () => {
  const cut = (type: DiagnosticType, ...signatures: Signature[]): SignatureList => ({
    type,
    signatures,
    complete: false
  })
  const withBaseline = (weight: number) =>
    verdictOf(
      input({
        types: ['HANGS'],
        current: new Map([['HANGS', list('HANGS', sig('HANGS', 'rare', weight))]]),
        baseline: new Map([
          ['HANGS', cut('HANGS', sig('HANGS', 'x', 0.3), sig('HANGS', 'y', 0.01))]
        ])
      })
    )

  it('calls a missing signature unlisted and measures its rise from the lightest fetched', () => {
    const [s] = withBaseline(0.06).outcomes[0].shown
    expect(s).toMatchObject({ change: 'unlisted', baselineAtMost: 0.01, regressed: false })
    expect(s.delta).toBeCloseTo(0.05, 12)
    expect(s.baselineWeight).toBeUndefined()
  })

  it('regresses only when the rise from that bound is over the limit', () => {
    const verdict = withBaseline(0.0601)
    expect(verdict.regressions.map(s => s.change)).toEqual(['unlisted'])
    expect(failureLine(verdict, 'B')).toContain(
      "up from at most 1.0% (not in the baseline's fetched list)"
    )
  })
})
