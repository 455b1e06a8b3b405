// The decision record is bounded by the caps the readers already apply. This builds the largest
// record a run can write (every list full, every string at its cap in 3-byte characters), and
// checks that it stays under RECORD_MAX_BYTES, that replay reads it back whole, and that the
// README states a worst case at least this large.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type { Collected } from '../src/collect.js'
import { parseSettings } from '../src/config/parse.js'
import {
  ASC,
  BACKTRACE,
  DIAGNOSTIC_TYPES,
  FIELD_CAPS,
  HISTORY,
  PHASED_RELEASE,
  RECORD_MAX_BYTES,
  type DiagnosticType
} from '../src/constants.js'
import { judge } from '../src/decision/verdict.js'
import type { IndexEntry } from '../src/history/layout.js'
import { decisiveRuns } from '../src/history/remember.js'
import type { Backtrace, BacktraceResult, Signature, SignatureList } from '../src/model.js'
import type { MetricSeries } from '../src/metrics/model.js'
import type { Judged } from '../src/outcome.js'
import { jsonReportOf } from '../src/publish/json-report.js'
import { readRecord } from '../src/record/read.js'
import { safeJson } from '../src/text.js'

/** One character that UTF-8 spells in 3 bytes and JSON leaves as it is. */
const WIDE = '€'
const wide = (length: number) => WIDE.repeat(length)
const id = (...parts: (string | number)[]) => parts.join('-').padEnd(128, 'x')
const LIMIT = ASC.maxPageSize
const METRICS = Array.from({ length: 20 }, (_, i) => `metric${i}`)

function signatures(build: string, type: DiagnosticType): SignatureList {
  return {
    type,
    complete: false,
    signatures: Array.from({ length: LIMIT }, (_, i): Signature => ({
      id: id(build, type, i),
      diagnosticType: type,
      signature: `${build}${i}${wide(FIELD_CAPS.signature - 10)}`,
      textDigest: 'a'.repeat(64),
      weight: 0.5 - i / 1000,
      insight: {
        direction: 'UP',
        referenceVersions: Array.from({ length: FIELD_CAPS.referenceVersions }, (_, v) => ({
          version: `${v}.${wide(FIELD_CAPS.version - 4)}`,
          value: 0.123456789
        }))
      }
    }))
  }
}

function backtrace(signatureId: string): BacktraceResult {
  const field = wide(200)
  const trace: Backtrace = {
    signatureId,
    basis: 'blamed',
    frames: Array.from({ length: BACKTRACE.maxFrames }, (_, i) => ({
      binary: field,
      symbol: field,
      file: field,
      line: '4120000',
      blamed: true,
      category: wide(64),
      skippedBefore: i + 1
    })),
    skippedAfter: 1_000_000,
    device: field,
    os: field,
    appVersion: field,
    buildVersion: field,
    event: field,
    eventDetail: field,
    writesCaused: field,
    insights: Array.from({ length: BACKTRACE.maxInsights }, () => ({
      text: wide(500),
      url: `https://developer.apple.com/${'a'.repeat(1970)}`,
      category: field
    }))
  }
  return { ok: true, backtrace: trace }
}

function series(identifier: string): MetricSeries {
  return {
    identifier,
    unit: wide(FIELD_CAPS.metricLabel),
    recommendedGoal: { value: 1.5, detail: wide(FIELD_CAPS.metricLabel) },
    points: Array.from({ length: 80 }, (_, i) => ({
      version: `${i + 1}.0`,
      value: 1 + i / 7,
      errorMargin: 0.1234567,
      goal: wide(FIELD_CAPS.metricLabel)
    }))
  }
}

/**
 * The most runs of a version a record keeps (decisiveRuns): on each day, the last run with a value
 * for each metric, then the day's last run, and on the last day the runs confirm-runs counts;
 * every member at its cap.
 */
function indexRuns(version: string): IndexEntry[] {
  const run = (day: number, n: number, valued?: number): IndexEntry => ({
    file: `runs/${String(day * 100 + n).padStart(64, '0')}.json`,
    generatedAt: `2026-12-0${day}T10:${String(n).padStart(2, '0')}:00.000Z`,
    day,
    state: 'ACTIVE',
    metrics: Object.fromEntries(
      METRICS.map((_, m) => [
        `m${m}${version}`.padEnd(64, 'x'),
        m === valued
          ? { value: -1.2345678901234567e300, errorMargin: 1.2345678901234567e300 }
          : null
      ])
    ),
    population: `p90 all_${'z'.repeat(20)}`,
    findings: Array.from(
      { length: HISTORY.maxFindingsPerRun },
      (_, f) => `signature-regression ${String(f).padStart(80, '0')}`
    ),
    action: 'would-pause'
  })
  const runs: IndexEntry[] = []
  for (let day = 1; day <= PHASED_RELEASE.days; day++) {
    METRICS.forEach((_, m) => runs.push(run(day, m, m)))
    const counted = day === PHASED_RELEASE.days ? HISTORY.maxConfirmRuns - 1 : 1
    for (let n = 0; n < counted; n++) runs.push(run(day, METRICS.length + n))
  }
  expect(decisiveRuns(runs)).toEqual(runs)
  return runs
}

function worstRecord(): string {
  const inputs: Record<string, string> = {
    'build-id': id('build'),
    'baseline-build-id': id('baseline'),
    limit: String(LIMIT),
    'include-logs': String(LIMIT),
    metrics: METRICS.join(','),
    threshold: '0'
  }
  const config = parseSettings(name => inputs[name] ?? '')
  const lists = (build: string) =>
    new Map(DIAGNOSTIC_TYPES.map(type => [type, signatures(build, type)]))
  const current = lists('b')
  const backtraces = new Map(
    [...current.values()].flatMap(list =>
      list.signatures.map(s => [s.id, backtrace(s.id)] as const)
    )
  )
  const insight = (kind: 'regression' | 'trendingUp', i: number) => ({
    kind,
    metric: METRICS[i % METRICS.length],
    latestVersion: '80.0',
    referenceVersions: Array.from({ length: FIELD_CAPS.referenceVersions }, () =>
      wide(FIELD_CAPS.version)
    ),
    highImpact: true,
    summary: wide(FIELD_CAPS.insightSummary),
    populations: Array.from({ length: FIELD_CAPS.insightPopulations }, () => ({
      percentile: wide(FIELD_CAPS.identifier),
      device: wide(FIELD_CAPS.identifier),
      latestVersionValue: 1.23456789,
      referenceAverageValue: 1.23456789,
      deltaPercentage: 12.3456789
    }))
  })
  const data: Collected = {
    current: { build: { id: id('build'), version: '80.0', buildNumber: wide(64) }, lists: current },
    baseline: {
      build: { id: id('baseline'), version: '79.0', buildNumber: wide(64) },
      lists: lists('a')
    },
    backtraces,
    metrics: {
      appId: id('app'),
      version: '80.0',
      baselineVersion: '1.0',
      payload: {
        series: new Map(METRICS.map(m => [m.toLowerCase(), series(m)])),
        insights: Array.from({ length: 2 * FIELD_CAPS.metricListItems }, (_, i) =>
          insight(i % 2 ? 'trendingUp' : 'regression', i)
        )
      }
    },
    timings: { builds: 1, signatures: 1, logs: 1 },
    history: {
      branch: 'h'.repeat(100),
      current: { version: 'v'.repeat(64), runs: indexRuns('b') },
      previous: { version: 'w'.repeat(64), runs: indexRuns('a') }
    }
  }
  const { verdict, failure } = judge(config, data)
  const outcome: Judged = {
    kind: 'judged',
    started: 0,
    recorded: { generatedAt: '2026-12-02T10:00:00.000Z', totalMs: 1 },
    config,
    data,
    verdict,
    failure,
    sources: {
      noCheckout: false,
      places: new Map(
        [...backtraces.keys()].map(key => [key, { ok: false, reason: wide(600) }] as const)
      )
    }
  }
  return `${safeJson(jsonReportOf(outcome), 2)}\n`
}

describe('the decision record is bounded', () => {
  const record = worstRecord()
  const bytes = Buffer.byteLength(record)

  it('stays under the size replay reads, and replay reads the largest one back whole', () => {
    expect(bytes).toBeLessThan(RECORD_MAX_BYTES)
    const run = readRecord(record, 'the record')
    expect(run.ending.kind).toBe('judged')
  })

  it('is at most what the README says', () => {
    console.log(`worst-case decision record: ${(bytes / 1024 / 1024).toFixed(1)} MB`)
    const readme = readFileSync('README.md', 'utf8')
    const stated = /decision record is at most (\d+) MB/.exec(readme)
    expect(stated).not.toBeNull()
    expect(bytes / 1024 / 1024).toBeLessThanOrEqual(Number(stated![1]))
    // Not a loose bound either: within a fifth of the truth.
    expect(bytes / 1024 / 1024).toBeGreaterThan(Number(stated![1]) * 0.8)
  })
})
