// What the guard's memory decides with, pure.
import { describe, expect, it } from '@jest/globals'
import { HISTORY } from '../src/constants.js'
import { findingKey } from '../src/decision/findings.js'
import { indexEntryOf } from '../src/history/entry.js'
import { withRun } from '../src/history/layout.js'
import type { Judged } from '../src/outcome.js'
import { confirmation, decisiveRuns, sameDayValue } from '../src/history/remember.js'
import { indexEntry } from '../src/history/snapshot.js'
import { evaluateMetrics } from '../src/metrics/evaluate.js'
import { byDay } from '../src/report/rollout.js'
import type { MetricSettings, MetricsData } from '../src/metrics/model.js'
import { indexRun } from '../test-support/index-entries.js'

const entry = (day: number, at: string, hangRate: number | null, findings: string[] = []) =>
  indexRun(day, at, hangRate, { findings })

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

describe('same-day against what Apple has', () => {
  const settings: MetricSettings = {
    identifiers: ['hangRate'],
    percentile: 'p50',
    device: 'iPhone15,2',
    maxIncrease: 0.1,
    reference: 'same-day',
    appleRegressions: 'report',
    platform: 'IOS'
  }
  const data: MetricsData = {
    appId: '1',
    version: '2.5.0',
    payload: {
      series: new Map([
        [
          'hangrate',
          {
            identifier: 'hangRate',
            category: 'HANG',
            points: [
              { version: '2.3.0', value: 2.5, errorMargin: 0.1 },
              { version: '2.4.0', value: 2.5, errorMargin: 0.1 },
              { version: '2.5.0', value: 3.0, errorMargin: 0.1 }
            ]
          }
        ]
      ]),
      insights: []
    }
  }
  const figure = (version: string) => () => ({
    version,
    value: 3.0,
    errorMargin: 0.1,
    day: 2,
    run: 'runs/x.json'
  })

  it("compares with the previous version's day-2 figure, with its margin", () => {
    const [o] = evaluateMetrics(settings, data, false, figure('2.4.0')).outcomes
    expect(o.reference).toMatchObject({ mode: 'same-day', versions: ['2.4.0'], value: 3, day: 2 })
    expect(o.status).toBe('ok')
  })

  it('never compares with an older version the history happens to hold', () => {
    const [o] = evaluateMetrics(settings, data, false, figure('2.3.0')).outcomes
    expect(o.reference).toMatchObject({
      mode: 'previous',
      versions: ['2.4.0'],
      fallback: "the history's version before this one is 2.3.0, not 2.4.0"
    })
    expect(o.status).toBe('regressed')
  })

  it('keeps index entries of a device model such as iPhone15,2', () => {
    const run = {
      ...entry(2, '2026-11-02T08:00:00.000Z', 2.4),
      file: 'runs/2026-11-02T08-00-00.000Z.json'
    }
    expect(indexEntry({ ...run, population: 'p50 iPhone15,2' })).toBeDefined()
  })
})

describe('the index over a version that stays live', () => {
  it('keeps the first complete run as its last, so later runs do not push the rollout out', () => {
    const complete = (at: string) => ({ ...entry(7, at, 2.5), state: 'COMPLETE' })
    const index = withRun({ version: '2.5.0', runs: [entry(6, 'a', 2.6)] }, complete('b'))
    expect(withRun(index, complete('c'))).toBe(index)
    expect(index.runs.map(r => r.generatedAt)).toEqual(['a', 'b'])
  })

  it('gives a record only the runs that decide: each day’s last, per metric and population, and the last 9', () => {
    // Six runs a day; each day's last has no figure, and every third run is of another device.
    const runs = Array.from({ length: 42 }, (_, i) =>
      entry(
        Math.floor(i / 6) + 1,
        `2026-11-01T${String(i).padStart(2, '0')}`,
        i % 6 === 5 ? null : 2 + i / 100,
        []
      )
    ).map((run, i) => (i % 3 === 1 ? { ...run, population: 'p50 all_ipads' } : run))
    const kept = decisiveRuns(runs)
    expect(kept.length).toBeLessThan(runs.length)
    expect(kept.slice(-9)).toEqual(runs.slice(-9))
    // The same figure for every day and population as the whole index gives, and the same chart.
    for (const population of ['p50 all_iphones', 'p50 all_ipads']) {
      for (let day = 1; day <= 7; day++) {
        const figure = sameDayValue(kept, 'hangRate', population, day)
        expect(figure).toBeDefined()
        expect(figure).toEqual(sameDayValue(runs, 'hangRate', population, day))
      }
    }
    expect(byDay(kept)).toEqual(byDay(runs))
  })
})

describe("a run's index line", () => {
  it('names what pause-on acts on first, so a cut list keeps what confirm-runs counts', () => {
    const signature = (n: number) => ({
      signature: { diagnosticType: 'HANGS', signature: `ExampleApp: path #${n}` }
    })
    const findings = [
      ...Array.from({ length: 25 }, (_, n) => ({
        kind: 'signature-regression',
        subject: signature(n)
      })),
      { kind: 'breach', subject: signature(99) }
    ]
    const outcome = {
      verdict: { findings },
      config: { pauseOn: ['breach'], metrics: undefined },
      data: { current: { build: { appStoreVersion: { phasedRelease: { day: 9 } } } } }
    } as unknown as Judged
    const line = indexEntryOf(outcome, '2026-12-02T10:00:00.000Z')
    expect(line.findings).toHaveLength(HISTORY.maxFindingsPerRun)
    expect(line.findings[0]).toBe(findingKey('breach', signature(99) as never))
    expect(line.day).toBe(7) // a rollout's count stops at 7 days
    expect(indexEntry(line)).toEqual(line)
  })
})
