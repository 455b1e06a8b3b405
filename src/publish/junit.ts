import { ACTION_NAME, TYPE_LABELS, TYPE_SHARES } from '../constants.js'
import { changeText, withUnit } from '../metrics/format.js'
import { findingsOf, metricFindings, type Finding } from '../decision/findings.js'
import type { MetricOutcome, MetricsVerdict } from '../metrics/model.js'
import type { Evaluated, TypeOutcome } from '../model.js'
import { placeableSignatures } from '../source/locate.js'
import { limitPercent, percent, VIEWER_UNSAFE } from '../text.js'
import {
  consequenceText,
  deltaPoints,
  findingSentence,
  noDataSentence,
  sinceBaseline
} from '../wording.js'
import { findingText, type FindingsInput } from './ci-shared.js'

// JUnit XML in the shape Jenkins (junit plugin), GitLab (artifacts:reports:junit) and
// dorny/test-reporter (java-junit) read: <testsuites> of <testsuite> of <testcase>, each case
// with at most one <failure> or <skipped>. One suite per diagnostic type and one for the
// metrics, one case per reported signature or gated metric. A case fails when one of its findings
// fails the job; a finding that is only reported passes, and says so in <system-out>.

export interface TestCase {
  name: string
  classname: string
  /** A repository path, for GitLab's link to the file. */
  file?: string
  failure?: { message: string; type: string; details: string }
  skipped?: string
  /** What a passing case reports: a finding that does not fail the job, and why. */
  output?: string
}

export interface TestSuite {
  name: string
  properties: [string, string][]
  cases: TestCase[]
}

/** The JUnit XML as text: a suite per diagnostic type, then the metrics' when any is gated. */
export function buildJunit(input: FindingsInput): string {
  const { metrics } = input.verdict
  return renderJunit([
    ...input.verdict.outcomes.map(o => typeSuite(o, input)),
    ...(metrics ? [metricsSuite(metrics, input)] : [])
  ])
}

/** One case per gated metric: failed when it regressed, skipped without data or direction. */
function metricsSuite(metrics: MetricsVerdict, input: FindingsInput): TestSuite {
  const classname = `${ACTION_NAME}.METRICS`
  const { settings } = metrics
  return {
    name: 'Metrics',
    properties: [
      ['build', input.buildId],
      ...(metrics.version ? [['version', metrics.version] as [string, string]] : []),
      ['percentile', settings.percentile],
      ['device', settings.device],
      ['max-metric-increase', String(settings.maxIncrease)]
    ],
    cases: metrics.outcomes.map(o => {
      const name = `${o.label} (${o.identifier}, ${o.percentile}, ${o.device})`
      const findings = metricFindings(input.verdict.findings, o.identifier)
      const why = `${o.label}: ${o.reason ?? (o.status === 'no-data' ? 'no data yet' : 'not gated')}.`
      const details = o.status === 'regressed' ? metricFacts(o, settings.maxIncrease) : why
      const build = input.buildLabel ?? input.buildId
      return findingCase({ name, classname }, findings, build, {
        details,
        ...(o.status === 'ok' ? {} : { skipped: why })
      })
    })
  }
}

/**
 * A case from its findings: a failure when one fails the job, a passing case that reports the
 * others, or `skipped` (with its reason) when there was nothing to judge.
 */
function findingCase(
  base: Pick<TestCase, 'name' | 'classname' | 'file'>,
  findings: readonly Finding[],
  build: string,
  text: { details: string; skipped?: string; failure?: string }
): TestCase {
  const { details, skipped } = text
  const failing = findings.filter(f => f.failsJob)
  if (failing.length) {
    return {
      ...base,
      failure: {
        message: text.failure ?? failing.map(f => findingSentence(f, build)).join(' '),
        type: failing.map(f => f.kind).join(','),
        details
      }
    }
  }
  const reported = findings.map(
    f => `${findingSentence(f, build)} ${capitalised(consequenceText(f))}.`
  )
  if (reported.length && !findings.every(f => f.kind === 'no-data')) {
    return { ...base, output: reported.join('\n') }
  }
  return skipped === undefined ? base : { ...base, skipped }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A regressed metric's failure body: value, limit and reference, one per line. */
function metricFacts(o: MetricOutcome, maxIncrease: number): string {
  const lines = [
    `value: ${o.point ? withUnit(o.point.value, o.unit) : 'none'}${o.version ? ` on ${o.version}` : ''}`,
    `limit: +${limitPercent(maxIncrease)} over the reference`
  ]
  if (o.reference) {
    lines.push(
      `reference: ${withUnit(o.reference.value, o.unit)} (${o.reference.mode}: ${o.reference.versions.join(', ')})${o.change !== undefined ? `, ${changeText(o.change, o.limit)}` : ''}`
    )
  }
  if (o.regressedByApple) lines.push("Apple's regression insight flags it")
  return lines.join('\n')
}

/** One diagnostic type: its reported signatures, and regressions below the reported top. */
function typeSuite(outcome: TypeOutcome, input: FindingsInput): TestSuite {
  const label = TYPE_LABELS[outcome.type]
  const classname = `${ACTION_NAME}.${outcome.type}`
  const properties: [string, string][] = [
    ['build', input.buildId],
    ...(input.baselineBuildId ? [['baseline', input.baselineBuildId] as [string, string]] : []),
    ['threshold', String(outcome.threshold)]
  ]
  if (outcome.fetched === 0) {
    const noData = input.verdict.findings.filter(
      f => 'diagnosticType' in f.subject && f.subject.diagnosticType === outcome.type
    )
    const message = noDataSentence(outcome.type, input.buildLabel ?? input.buildId)
    return {
      name: label,
      properties,
      cases: [
        findingCase(
          { name: `${label}: no data yet`, classname },
          noData,
          input.buildLabel ?? input.buildId,
          { details: message, skipped: message }
        )
      ]
    }
  }
  const signatures = placeableSignatures(
    [outcome],
    input.verdict.regressions.filter(s => s.diagnosticType === outcome.type)
  )
  return {
    name: label,
    properties,
    cases: signatures.map(s => signatureCase(s, classname, input))
  }
}

function signatureCase(s: Evaluated, classname: string, input: FindingsInput): TestCase {
  const place = input.sources?.places.get(s.id)
  const findings = findingsOf(input.verdict.findings, s.id)
  const base = { name: s.signature, classname, ...(place?.ok ? { file: place.path } : {}) }
  const details = facts(s, place?.ok ? `${place.path}:${place.line}` : undefined)
  return findingCase(base, findings, input.buildLabel ?? input.buildId, {
    details,
    failure: findingText(s)
  })
}

/** The failure's body: weight, limit and baseline, one per line. */
function facts(s: Evaluated, source: string | undefined): string {
  const lines = [
    `weight: ${percent(s.weight)} of ${TYPE_SHARES[s.diagnosticType]} (rank ${s.rank})`,
    `limit: ${limitPercent(s.threshold)}${s.breached ? ' (above it)' : ''}`
  ]
  if (s.change !== undefined) {
    const points = deltaPoints(s.delta ?? 0)
    lines.push(
      `baseline: ${s.change === 'new' ? 'not in the baseline' : sinceBaseline(s)} (${points})`
    )
  }
  if (source) lines.push(`blamed line: ${source}`)
  return lines.join('\n')
}

/** The document: counts on every suite and on the root, every value escaped. */
export function renderJunit(suites: readonly TestSuite[]): string {
  const count = (cases: TestCase[]) => ({
    tests: cases.length,
    failures: cases.filter(c => c.failure).length,
    errors: 0,
    skipped: cases.filter(c => c.skipped !== undefined).length
  })
  const all = suites.flatMap(s => s.cases)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'App Store diagnostics gate', ...count(all), time: 0 })}>`
  ]
  for (const suite of suites) {
    lines.push(`  <testsuite${attributes({ name: suite.name, ...count(suite.cases), time: 0 })}>`)
    if (suite.properties.length) {
      lines.push('    <properties>')
      for (const [name, value] of suite.properties)
        lines.push(`      <property${attributes({ name, value })}/>`)
      lines.push('    </properties>')
    }
    for (const c of suite.cases) {
      const head = `    <testcase${attributes({ name: c.name, classname: c.classname, time: 0, ...(c.file ? { file: c.file } : {}) })}`
      if (c.failure) {
        const { message, type, details } = c.failure
        lines.push(
          `${head}>`,
          `      <failure${attributes({ message, type })}>${escapeXml(details)}</failure>`,
          '    </testcase>'
        )
      } else if (c.output !== undefined) {
        lines.push(
          `${head}>`,
          `      <system-out>${escapeXml(c.output)}</system-out>`,
          '    </testcase>'
        )
      } else if (c.skipped !== undefined) {
        lines.push(
          `${head}>`,
          `      <skipped${attributes({ message: c.skipped })}/>`,
          '    </testcase>'
        )
      } else lines.push(`${head}/>`)
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value), true)}"`)
    .join('')
}

/** Characters XML 1.0 does not allow at all, lone surrogates included: removed. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu

/**
 * Text safe in XML content, or in a double-quoted attribute (every attribute here is), with line
 * breaks kept as character references.
 */
export function escapeXml(text: string, attribute = false): string {
  const escaped = text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Allowed in XML, but a terminal or viewer acts on them: kept, as references.
    .replace(VIEWER_UNSAFE, c => `&#x${c.charCodeAt(0).toString(16)};`)
  // A parser turns a raw line break in an attribute into a space; a reference survives.
  return attribute
    ? escaped.replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
    : escaped.replace(/\r/g, '&#13;')
}
