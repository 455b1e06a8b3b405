import { DIAGNOSTIC_TYPES, TYPE_LABELS, type DiagnosticType } from '../constants.js'
import { findingsOf, mark, type Finding } from '../decision/findings.js'
import type { Verdict } from '../decision/verdict.js'
import type { GuardOutcome } from '../release/decide.js'
import type { BacktraceResult, Evaluated, Insight, Signature, TypeOutcome } from '../model.js'
import { groupDigits, limitPercent, percent, plural } from '../text.js'
import { deltaPoints, typeList } from '../wording.js'
import { releaseSection } from './release.js'
import type { SourceLookup, SourcePlace } from '../source/locate.js'
import { code, codeBlock, codeCell, dataLink, html, link, row, text } from './markdown.js'
import { metricProblems, metricsSection } from './metrics.js'
import { historySection, type ReportHistory } from './history.js'

export interface ReportContext {
  buildId: string
  /** "2.4.0 (412)" when the build was looked up by version. */
  buildLabel?: string
  baseline?: { id: string; label?: string }
  runUrl?: string
  thresholds: Readonly<Record<DiagnosticType, number>>
  maxWeightIncrease: number
  rateLimit?: { limit?: number; remaining?: number }
  backtraces?: ReadonlyMap<string, BacktraceResult>
  /** The live version's rollout and what the release guard did to it. */
  release?: GuardOutcome
  /** Where the blamed frames are in the checkout, when the run looked. */
  sources?: SourceLookup
  /** The run reports on a pull request: a missing checkout is worth a hint there. */
  pullRequest?: boolean
  /** With `history: branch` on a guard run: the guard's memory and this run's line in it. */
  history?: ReportHistory
}

/** How much to show; each level drops more, in the order the design gives. */
export enum Detail {
  Full = 0,
  NoBacktraces = 1,
  TopTenRows = 2,
  NoTypeTables = 3
}

const TOP_ROWS = 10

/** The whole report as Markdown: a pure function of the verdict and its context. */
export function renderReport(
  verdict: Verdict,
  context: ReportContext,
  detail = Detail.Full
): string {
  const sections = [
    headline(verdict),
    context.release && releaseSection(context.release, verdict.findings),
    buildLine(context),
    metricProblems(verdict.metrics, verdict.findings),
    problems(verdict),
    verdict.metrics &&
      metricsSection(verdict.metrics, verdict.findings, detail < Detail.NoTypeTables),
    context.history && historySection(context.history, verdict.metrics),
    ...(detail < Detail.NoTypeTables
      ? verdict.outcomes.map(o => typeSection(o, verdict, context, detail))
      : []),
    noCheckoutLine(context),
    footer(verdict, context)
  ]
  return `${sections.filter(Boolean).join('\n\n')}\n`
}

function headline(verdict: Verdict): string {
  const failing = verdict.findings.filter(f => f.failsJob)
  if (verdict.result === 'no-data') {
    return `### ${failing.length ? '❌' : '⚠️'} App Store diagnostics gate: no data yet, nothing was checked`
  }
  const reported = verdict.findings.filter(f => !f.failsJob && f.kind !== 'no-data')
  if (failing.length) {
    const also = counts(reported)
    return `### ❌ App Store diagnostics gate: ${counts(failing).join(', ')}${also.length ? ` · reported only: ${also.join(', ')}` : ''}`
  }
  if (reported.length) {
    return `### ⚠️ App Store diagnostics gate: ${counts(reported).join(', ')}, reported only`
  }
  const gaps = gapNames(verdict.findings)
  if (gaps.length)
    return `### ⚠️ App Store diagnostics gate: passed, no data yet for ${gaps.join(', ')}`
  return '### ✅ App Store diagnostics gate: passed'
}

/** What the no-data findings are about: `hangs`, `hang rate`. */
function gapNames(findings: readonly Finding[]): string[] {
  return findings.flatMap(f => {
    if (f.kind !== 'no-data') return []
    if ('diagnosticType' in f.subject) return [typeList([f.subject.diagnosticType])]
    return 'metric' in f.subject ? [text(f.subject.metric.label.toLowerCase())] : []
  })
}

/** `1 breach`, `2 metric regressions`, `no data for hangs, hang rate`: findings counted by kind. */
function counts(findings: readonly Finding[]): string[] {
  const signatures = (kind: Finding['kind']) => findings.filter(f => f.kind === kind).length
  const metrics = new Set(
    findings.flatMap(f => (f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []))
  ).size
  const gaps = gapNames(findings)
  return [
    signatures('breach') ? plural(signatures('breach'), 'breach', 'breaches') : '',
    signatures('signature-regression')
      ? plural(signatures('signature-regression'), 'regression')
      : '',
    metrics ? plural(metrics, 'metric regression') : '',
    gaps.length ? `no data for ${gaps.join(', ')}` : ''
  ].filter(Boolean)
}

function buildLine(context: ReportContext): string {
  const parts = [
    `**Build** ${context.buildLabel ? `${text(context.buildLabel)} · ` : ''}${code(context.buildId)}`
  ]
  if (context.baseline) {
    const { id, label } = context.baseline
    parts.push(`compared with ${label ? `${text(label)} · ` : ''}${code(id)}`)
  }
  if (context.runUrl) parts.push(link('workflow run', context.runUrl))
  return parts.join(' · ')
}

/** Regressions first, then threshold breaches: two kinds of finding, two tables. */
function problems(verdict: Verdict): string {
  if (verdict.breaches.length + verdict.regressions.length === 0) {
    const fetched = verdict.outcomes.reduce((n, o) => n + o.fetched, 0)
    return fetched
      ? 'No signature is above its threshold' +
          (verdict.hasBaseline ? ' or regressed against the baseline.' : '.')
      : 'App Store Connect has no diagnostic signatures for this build yet.'
  }
  const sections: string[] = []
  if (verdict.regressions.length) {
    const rows = verdict.regressions.map(s =>
      row([
        `${markOf(verdict, s, 'signature-regression')} ${s.change === 'new' || s.change === 'unlisted' ? s.change : 'up'}`,
        TYPE_LABELS[s.diagnosticType],
        codeCell(s.signature),
        percent(s.weight),
        baselineCell(s),
        deltaCell(s)
      ])
    )
    sections.push(
      [
        '#### Regressions',
        '',
        '| | Type | Signature | Weight | Baseline | Δ |',
        '|---|---|---|---:|---:|---:|',
        ...rows
      ].join('\n')
    )
  }
  if (verdict.breaches.length) {
    const rows = verdict.breaches.map(s => {
      const cells = [
        markOf(verdict, s, 'breach'),
        TYPE_LABELS[s.diagnosticType],
        codeCell(s.signature),
        percent(s.weight),
        limitPercent(s.threshold)
      ]
      return row(verdict.hasBaseline ? [...cells, changeCell(s)] : cells)
    })
    const header = verdict.hasBaseline
      ? '| | Type | Signature | Weight | Limit | Change |\n|---|---|---|---:|---:|---|'
      : '| | Type | Signature | Weight | Limit |\n|---|---|---|---:|---:|'
    sections.push(['#### Breaches', '', header, ...rows].join('\n'))
  }
  return sections.join('\n\n')
}

/** ❌ when this finding fails the job, ⚠️ when it is only reported. */
function markOf(verdict: Verdict, s: Evaluated, kind: Finding['kind']): string {
  return mark(findingsOf(verdict.findings, s.id).filter(f => f.kind === kind)) ?? ''
}

/** The baseline weight, or its bound for a signature the cut baseline list did not reach. */
function baselineCell(s: Evaluated): string {
  if (s.baselineWeight !== undefined) return percent(s.baselineWeight)
  return s.baselineAtMost === undefined ? '' : `≤ ${percent(s.baselineAtMost)}`
}

/** The rise in percentage points, signed; at least this much for an unlisted signature. */
function deltaCell(s: Evaluated): string {
  if (s.delta === undefined) return ''
  return `${s.change === 'unlisted' ? '≥ ' : ''}${deltaPoints(s.delta)}`
}

function changeCell(s: Evaluated): string {
  switch (s.change) {
    case 'new':
      return 'new'
    case 'unlisted':
      return "unlisted: below the baseline's fetched list"
    case 'same':
      return `= ${percent(s.weight)}`
    case 'up':
      return `↑ from ${percent(s.baselineWeight ?? 0)}`
    case 'down':
      return `↓ from ${percent(s.baselineWeight ?? 0)}`
    default:
      return ''
  }
}

const ARROWS = { UP: '↑', DOWN: '↓', UNDEFINED: '·' } as const

function trendCell(insight: Insight | undefined): string {
  if (!insight) return ''
  const arrow = insight.direction ? ARROWS[insight.direction] : ''
  const refs = insight.referenceVersions
    .slice(0, 3)
    .map(
      r =>
        `${text(r.version)}: ${r.value >= 0 && r.value <= 1 ? percent(r.value) : text(String(r.value))}`
    )
  return [arrow, refs.join(', ')].filter(Boolean).join(' ')
}

function typeSection(
  outcome: TypeOutcome,
  verdict: Verdict,
  context: ReportContext,
  detail: Detail
): string {
  const label = TYPE_LABELS[outcome.type]
  if (outcome.fetched === 0) {
    return `<details><summary>${label}: no data yet</summary>\n\nApp Store Connect has no ${label.toLowerCase()} signatures for this build. Apple publishes diagnostics a few days after release, once enough users have opted in to share them.\n\n</details>`
  }
  const rows = detail >= Detail.TopTenRows ? outcome.shown.slice(0, TOP_ROWS) : outcome.shown
  const parts = [
    `<details><summary>${html(typeSummary(outcome, rows.length))}</summary>`,
    '',
    ...signatureTable(rows, verdict)
  ]
  if (rows.length < outcome.shown.length) {
    parts.push(
      '',
      `${outcome.shown.length - rows.length} more rows are in the job summary and the JSON report.`
    )
  }
  if (detail < Detail.NoBacktraces && context.backtraces) {
    for (const s of rows) {
      const result = context.backtraces.get(s.id)
      if (result) parts.push('', backtraceBlock(s, result, context.sources?.places.get(s.id)))
    }
  }
  const gone = goneLine(outcome)
  if (gone) parts.push('', gone)
  parts.push('', '</details>')
  return parts.join('\n')
}

/** `Hangs: top 10 of 24 · 1 above 50%`: the line a type's section folds under. */
function typeSummary(outcome: TypeOutcome, rows: number): string {
  const breached = outcome.shown.filter(s => s.breached).length
  return [
    `${TYPE_LABELS[outcome.type]}: top ${rows}${outcome.complete ? ` of ${outcome.fetched}` : ''}`,
    breached
      ? `${breached} above ${limitPercent(outcome.threshold)}`
      : `limit ${limitPercent(outcome.threshold)}`
  ].join(' · ')
}

/** A type's signatures: against the baseline when there is one, else with Apple's trend. */
function signatureTable(rows: Evaluated[], verdict: Verdict): string[] {
  const withBaseline = verdict.hasBaseline
  const head = withBaseline
    ? '| # | Signature | Weight | Limit | Status | Baseline | Δ | Change |\n|---:|---|---:|---:|---|---:|---:|---|'
    : '| # | Signature | Weight | Limit | Status | Apple trend |\n|---:|---|---:|---:|---|---|'
  const body = rows.map(s => {
    const status = s.breached
      ? `${markOf(verdict, s, 'breach')} over`
      : s.regressed
        ? `${markOf(verdict, s, 'signature-regression')} regressed`
        : '✅'
    const cells = [
      String(s.rank),
      codeCell(s.signature),
      percent(s.weight),
      limitPercent(s.threshold),
      status
    ]
    const compared = withBaseline
      ? [baselineCell(s), deltaCell(s), changeCell(s)]
      : [trendCell(s.insight)]
    return row([...cells, ...compared])
  })
  return [head, ...body]
}

function goneLine(outcome: TypeOutcome): string {
  if (outcome.goneUnknown) {
    return `This build has more than ${outcome.fetched} ${TYPE_LABELS[outcome.type].toLowerCase()} signatures, so none of the baseline's can be called gone.`
  }
  if (outcome.gone.length === 0) return ''
  const items = outcome.gone
    .slice(0, TOP_ROWS)
    .map((s: Signature) => `${code(s.signature)} (${percent(s.weight)})`)
  const more = outcome.gone.length > TOP_ROWS ? `, and ${outcome.gone.length - TOP_ROWS} more` : ''
  return `Gone since the baseline: ${items.join(', ')}${more}.`
}

/** The one line a run without a checkout gets, when a blamed frame named a file. */
function noCheckoutLine(context: ReportContext): string {
  return context.sources?.noCheckout && context.pullRequest
    ? 'The blamed source lines are not annotated: the workspace has no checkout of the code. Add `actions/checkout` before this step to see them in the pull request’s changed files.'
    : ''
}

/** Where the blamed frame is in the repository, or why it is not annotated there. */
function placeLine(place: SourcePlace): string {
  return place.ok
    ? `Blamed line in this repository: ${code(`${place.path}:${place.line}`)}.`
    : `Not annotated on the source: ${text(place.reason)}.`
}

function backtraceBlock(s: Evaluated, result: BacktraceResult, place?: SourcePlace): string {
  if (!result.ok)
    return `<details><summary>Backtrace (rank ${s.rank}): unavailable</summary>\n\n${text(result.reason)}\n\n</details>`
  const b = result.backtrace
  const facts = [
    b.device,
    b.os,
    b.appVersion && `${b.appVersion}${b.buildVersion ? ` (${b.buildVersion})` : ''}`,
    b.eventDetail,
    b.writesCaused && `writes ${b.writesCaused}`
  ].filter((fact): fact is string => Boolean(fact))
  const summary = [`Backtrace (rank ${s.rank})`, ...facts.map(html)].join(' · ')
  const width = Math.max(0, ...b.frames.map(f => f.binary.length))
  const elided = (n: number) => `… ${plural(n, 'frame')} …`
  const lines = b.frames.flatMap(f => {
    const location = f.file ? `  ${f.file}${f.line ? `:${f.line}` : ''}` : ''
    const marks = [f.blamed && '← blamed', f.category].filter(Boolean).join(' · ')
    const line = `${f.binary.padEnd(width)}  ${f.symbol}${location}${marks ? `   ${marks}` : ''}`
    return f.skippedBefore ? [elided(f.skippedBefore), line] : [line]
  })
  if (b.skippedAfter) lines.push(elided(b.skippedAfter))
  const parts = [
    `<details><summary>${summary}</summary>`,
    '',
    codeBlock(lines.length ? lines : ['(no frames)'])
  ]
  if (b.basis === 'heaviest')
    parts.push('', 'No frame is marked as blamed; this is the heaviest path by sample count.')
  if (place) parts.push('', placeLine(place))
  for (const insight of b.insights) {
    parts.push(
      '',
      `Apple: ${text(insight.text)}${insight.url ? ` (${dataLink('guide', insight.url)})` : ''}`
    )
  }
  parts.push('', '</details>')
  return parts.join('\n')
}

function footer(verdict: Verdict, context: ReportContext): string {
  const thresholds = DIAGNOSTIC_TYPES.filter(t => verdict.outcomes.some(o => o.type === t))
    .map(t => `${TYPE_LABELS[t].toLowerCase()} ${limitPercent(context.thresholds[t])}`)
    .join(', ')
  const parts = [`Thresholds: ${thresholds}`]
  if (verdict.hasBaseline)
    parts.push(
      `max rise over baseline ${Number((context.maxWeightIncrease * 100).toFixed(2))} points`
    )
  const { remaining, limit } = context.rateLimit ?? {}
  if (remaining !== undefined) {
    parts.push(
      `App Store Connect budget left: ${groupDigits(remaining)}${limit ? ` of ${groupDigits(limit)}` : ''} requests this hour`
    )
  }
  return `<sub>${parts.join(' · ')}</sub>`
}
