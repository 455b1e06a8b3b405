// what the guard's memory decides with, pure.
import { describe, expect, it } from '@jest/globals'
import type { IndexEntry } from '../src/history/layout.js'
import { confirmation, sameDayValue } from '../src/history/remember.js'

const entry = (
  day: number,
  at: string,
  hangRate: number | null,
  findings: string[] = []
): IndexEntry => ({
  file: `runs/${at}.json`,
  generatedAt: at,
  day,
  state: 'ACTIVE',
  metrics: { hangRate: hangRate === null ? null : { value: hangRate, errorMargin: 0.1 } },
  population: 'p50 all_iphones',
  findings,
  action: 'none'
})

describe('same-day', () => {
  const rollout = [
    entry(1, '2026-11-01T08', null),
    entry(2, '2026-11-02T08', 2.4),
    entry(2, '2026-11-02T20', 2.5),
    entry(4, '2026-11-04T08', 2.9),
    entry(7, '2026-11-07T08', 3.8)
  ]

  it("takes the previous version's figure on the same day, the day's latest run", () => {
    expect(sameDayValue(rollout, 'hangRate', 'p50 all_iphones', 2)).toEqual({
      value: 2.5,
      errorMargin: 0.1,
      day: 2,
      file: 'runs/2026-11-02T20.json'
    })
  })

  it('takes the nearest day within one, and none further: the caller falls back to previous', () => {
    expect(sameDayValue(rollout, 'hangRate', 'p50 all_iphones', 3)?.day).toBe(2)
    expect(sameDayValue(rollout, 'hangRate', 'p50 all_iphones', 6)?.day).toBe(7)
    expect(sameDayValue([rollout[4]], 'hangRate', 'p50 all_iphones', 2)).toBeUndefined()
  })

  it('never compares another percentile or device', () => {
    expect(sameDayValue(rollout, 'hangRate', 'p90 all_iphones', 2)).toBeUndefined()
  })
})

describe('confirm-runs', () => {
  const key = 'metric-regression hangRate'
  it('1 confirms at once, as today', () => {
    expect(confirmation([], key, 1)).toEqual({ inARow: 1, needed: 1, confirmed: true })
  })

  it('2 needs the run before to have had the same finding', () => {
    expect(confirmation([entry(2, 'a', 3, [])], key, 2)).toEqual({
      inARow: 1,
      needed: 2,
      confirmed: false
    })
    expect(confirmation([entry(2, 'a', 3, [key])], key, 2)).toEqual({
      inARow: 2,
      needed: 2,
      confirmed: true
    })
  })

  it('counts runs in a row only: a quiet run in between starts again', () => {
    const runs = [entry(1, 'a', 3, [key]), entry(2, 'b', 3, []), entry(2, 'c', 3, [key])]
    expect(confirmation(runs, key, 3)).toEqual({ inARow: 2, needed: 3, confirmed: false })
  })
})
