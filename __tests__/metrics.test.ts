// The metrics gate's pure parts: the rule at its edges, the parser on hostile payloads, and the
// chart, whose source may hold nothing from App Store Connect but versions and numbers.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { parseMetrics } from '../src/asc/metrics.js'
import { evaluateMetrics } from '../src/metrics/evaluate.js'
import { changeText } from '../src/metrics/format.js'
import type { MetricPoint, MetricSettings, MetricsData } from '../src/metrics/model.js'
import { chartNumber, metricChart } from '../src/report/chart.js'
import { metricsDocument } from '../test-support/metrics.mjs'

const settings: MetricSettings = {
  identifiers: ['hangRate'],
  percentile: 'p50',
  device: 'all_iphones',
  maxIncrease: 0.1,
  reference: 'previous',
  appleRegressions: 'report',
  platform: 'IOS'
}

function data(points: MetricPoint[], version = '2.4.0'): MetricsData {
  return {
    appId: '1',
    version,
    payload: {
      series: new Map([['hangrate', { identifier: 'hangRate', category: 'HANG', points }]]),
      insights: []
    }
  }
}

const judge = (points: MetricPoint[], overrides: Partial<MetricSettings> = {}) =>
  evaluateMetrics({ ...settings, ...overrides }, data(points), false).outcomes[0]

describe('the metrics rule', () => {
  it('passes a rise of exactly max-metric-increase and fails one just above it', () => {
    const before = { version: '2.3.0', value: 2 }
    expect(judge([before, { version: '2.4.0', value: 2.2 }]).status).toBe('ok')
    expect(judge([before, { version: '2.4.0', value: 2.2001 }]).status).toBe('regressed')
  })

  it('needs the error-margin intervals apart: touching margins pass', () => {
    const before = { version: '2.3.0', value: 2, errorMargin: 0.25 }
    expect(judge([before, { version: '2.4.0', value: 3, errorMargin: 0.75 }]).status).toBe('ok')
    expect(judge([before, { version: '2.4.0', value: 3, errorMargin: 0.74 }]).status).toBe(
      'regressed'
    )
  })

  it('counts a rise from a reference of 0 as unbounded, and a fall never regresses', () => {
    const fromZero = judge([
      { version: '2.3.0', value: 0 },
      { version: '2.4.0', value: 0.5 }
    ])
    expect(fromZero).toMatchObject({ status: 'regressed', change: Infinity })
    expect(
      judge([
        { version: '2.3.0', value: 5 },
        { version: '2.4.0', value: 1 }
      ]).status
    ).toBe('ok')
  })

  it('orders versions numerically, matches 1.2 with 1.2.0, and averages at most 4', () => {
    const points = ['2.10', '2.9', '2.8.0', '2.7', '2.6', '2.5'].map((version, i) => ({
      version,
      value: 10 - i
    }))
    const outcome = evaluateMetrics(
      { ...settings, reference: 'average' },
      data([...points, { version: '2.11.0', value: 20 }], '2.11'),
      false
    ).outcomes[0]
    expect(outcome.point?.value).toBe(20)
    expect(outcome.reference?.versions).toEqual(['2.7', '2.8.0', '2.9', '2.10'])
    expect(outcome.reference?.value).toBe((7 + 8 + 9 + 10) / 4)
  })

  it('is no data, not a pass, without a point for the version or without an earlier one', () => {
    expect(judge([{ version: '2.3.0', value: 1 }]).status).toBe('no-data')
    expect(judge([{ version: '2.4.0', value: 1 }])).toMatchObject({
      status: 'no-data',
      reason: 'no data for a version before 2.4.0'
    })
    const noVersion = evaluateMetrics(settings, { ...data([]), version: undefined }, false)
    expect(noVersion.noData).toHaveLength(1)
  })
})

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('reading xcodeMetrics', () => {
  const hang = (value: unknown): Json =>
    metricsDocument({
      series: { hangRate: [{ version: '2.4.0', value: value as number, errorMargin: 0.1 }] }
    })

  it('drops points that are not measurements, and refuses a body that is not an object', () => {
    for (const bad of [NaN, -1, '4', null, Infinity]) {
      const document = hang(1)
      document.productData[0].metricCategories[0].metrics[0].datasets[0].points[0].value = bad
      expect(parseMetrics(document, settings).series.get('hangrate')?.points).toEqual([])
    }
    expect(() => parseMetrics([], settings)).toThrow(/xcodeMetrics/)
    expect(() => parseMetrics('{}', settings)).toThrow(/xcodeMetrics/)
  })

  it('ignores unknown metrics and fields, and caps and sanitizes every string', () => {
    const document = hang(2)
    const metric = document.productData[0].metricCategories[0].metrics[0]
    metric.surprise = { nested: true }
    metric.unit.displayName = `s/hr\u202e\u0000${'x'.repeat(500)}`
    metric.datasets[0].points[0].version = `2.4.0${'9'.repeat(100)}`
    document.productData[0].metricCategories[0].metrics.push({ identifier: 'newThing' })
    const series = parseMetrics(document, settings).series
    expect([...series.keys()]).toEqual(['hangrate'])
    const unit = series.get('hangrate')!.unit!
    expect(unit.length).toBeLessThanOrEqual(40)
    expect(unit).not.toMatch(/[\u202e\u0000]/)
    expect(series.get('hangrate')!.points[0].version.length).toBeLessThanOrEqual(64)
  })
})

describe('the Mermaid chart', () => {
  const LINE = [
    /^```mermaid$/,
    /^xychart-beta$/,
    /^ {2}title "[A-Za-z ]+, p[59]0, by version"$/,
    /^ {2}x-axis \["\d+(\.\d+)*"(, "\d+(\.\d+)*")*\]$/,
    /^ {2}line \[-?\d+(\.\d+)?(, -?\d+(\.\d+)?)*\]$/,
    /^```$/
  ]

  it('holds only validated versions and plain numbers, whatever the payload', () => {
    const version = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('2.4.0', '2.4.0"]', '1.0\n  line [9', '3', '2.4.0 %%{init}%%')
    )
    const value = fc.oneof(fc.double(), fc.constantFrom(1e300, 5e-324, -0, 1e21, 0.1 + 0.2))
    fc.assert(
      fc.property(fc.array(fc.record({ version, value }), { maxLength: 20 }), points => {
        const chart = metricChart({
          identifier: 'hangRate',
          label: 'Hang rate',
          percentile: 'p50',
          device: 'all_iphones',
          status: 'ok',
          regressedByRule: false,
          regressedByApple: false,
          points
        })
        if (chart === undefined) return
        const lines = chart.split('\n')
        expect(lines).toHaveLength(LINE.length)
        lines.forEach((line, i) => expect(line).toMatch(LINE[i]))
      })
    )
  })

  it('writes numbers without exponents, or leaves them out', () => {
    expect(chartNumber(0.1 + 0.2)).toBe('0.3')
    expect(chartNumber(4.1)).toBe('4.1')
    expect(chartNumber(1e300)).toBeUndefined()
    expect(chartNumber(NaN)).toBeUndefined()
    expect(chartNumber(4e-6)).toBe('0.000004')
    expect(chartNumber(1e-9)).toBe('0')
  })
})

describe('a change shown at the precision that decided it', () => {
  it('never rounds across the limit: +9.95% under 10% and +10.04% over it keep their digits', () => {
    expect(changeText(0.0995, 0.1)).toBe('+9.95%')
    expect(changeText(0.1004, 0.1)).toBe('+10.04%')
    expect(changeText(0.0999999, 0.1)).toBe('+9.9999%')
    // Away from the limit, and without one, one decimal as before.
    expect(changeText(0.64, 0.1)).toBe('+64.0%')
    expect(changeText(0.0995)).toBe('+10.0%')
    expect(changeText(-0.032, 0.1)).toBe('−3.2%')
    expect(changeText(0.1, 0.1)).toBe('+10.0%')
  })
})
