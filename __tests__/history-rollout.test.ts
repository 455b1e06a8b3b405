// The rollout drawn from the guard's history.
import { describe, expect, it } from '@jest/globals'
import { indexRun } from '../test-support/index-entries.js'
import { rolloutChart, rolloutTable } from '../src/report/rollout.js'

const run = indexRun

const current = [
  run(1, '2026-12-01T08', null),
  run(2, '2026-12-02T08', 2.4),
  run(2, '2026-12-02T20', 2.6),
  run(3, '2026-12-03T08', 3.1)
]
const previous = [
  run(1, '2026-11-01T08', 2.2),
  run(2, '2026-11-02T08', 2.3),
  run(3, '2026-11-03T08', 2.4)
]

describe('the rollout, drawn', () => {
  it("draws this version's value by day, each day's last run, beside the previous version's", () => {
    expect(
      rolloutChart(
        'hangRate',
        { version: '2.5.0', runs: current },
        { version: '2.4.0', runs: previous }
      )
    ).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Hang rate by rollout day: 2.5.0, then 2.4.0 (second line)"',
        '  x-axis ["day 2", "day 3"]',
        '  y-axis "s/hr"',
        '  line [2.6, 3.1]',
        '  line [2.3, 2.4]',
        '```'
      ].join('\n')
    )
  })

  it('draws nothing from one day, and nothing for a metric the gate does not know', () => {
    expect(
      rolloutChart('hangRate', { version: '2.5.0', runs: current.slice(0, 2) })
    ).toBeUndefined()
    expect(rolloutChart('madeUpMetric', { version: '2.5.0', runs: current })).toBeUndefined()
  })

  it('tables the whole rollout: users, the metric, what would pause, what was done', () => {
    const done = [
      ...current,
      run(4, '2026-12-04T08', 3.9, { findings: ['metric-regression hangRate'], action: 'paused' })
    ]
    expect(rolloutTable(['hangRate'], done)).toBe(
      [
        '| Day | Users | Hang rate (s/hr) | Findings | Action |',
        '|---|---:|---:|---|---|',
        '| 1 | 1% | – | none | – |',
        '| 2 | 2% | 2.6 | none | – |',
        '| 3 | 5% | 3.1 | none | – |',
        '| 4 | 10% | 3.9 | metric-regression hangRate | ⏸️ paused |'
      ].join('\n')
    )
  })
})
