import { mark, metricFindings, type Finding } from '../decision/findings.js'
import { changeText, withUnit } from '../metrics/format.js'
import { referenceName } from '../metrics/verdict.js'
import { limitPercent } from '../text.js'
import type { AppleInsight, MetricOutcome, MetricsVerdict } from '../metrics/model.js'
import { metricChart } from './chart.js'
import { code, codeCell, row, text } from './markdown.js'

/** The metric regressions, for the top of the report with the other problems. */
export function metricProblems(
  metrics: MetricsVerdict | undefined,
  findings: readonly Finding[]
): string {
  if (!metrics?.regressions.length) return ''
  return [
    '#### Metric regressions',
    '',
    '| | Metric | This version | Reference | Change | Found by |',
    '|---|---|---:|---|---:|---|',
    ...metrics.regressions.map(o =>
      row([
        mark(metricFindings(findings, o.identifier)) ?? '',
        metricName(o),
        valueCell(o),
        referenceCell(o),
        changeCell(o),
        [o.regressedByRule ? 'the rule' : '', o.regressedByApple ? "Apple's insight" : '']
          .filter(Boolean)
          .join(', ')
      ])
    )
  ].join('\n')
}

/** The Metrics section: the table (the numbers, wherever Mermaid does not render), then charts. */
export function metricsSection(
  metrics: MetricsVerdict,
  findings: readonly Finding[],
  charts: boolean
): string {
  const { settings } = metrics
  const version = metrics.version ? text(metrics.version) : 'this build'
  const parts = [
    '#### Metrics',
    '',
    `Apple's power and performance metrics for version ${version}, ${settings.percentile} on ${code(settings.device)}. A metric regresses when it rose more than ${limitPercent(settings.maxIncrease)} over the reference and the error margins do not overlap.`,
    '',
    "| Metric | This version | Reference | Change | Apple's goal | Verdict |",
    '|---|---:|---|---:|---|---|',
    ...metrics.outcomes.map(o =>
      row([
        metricName(o),
        valueCell(o),
        referenceCell(o),
        changeCell(o),
        goalCell(o),
        verdictCell(o, metricFindings(findings, o.identifier))
      ])
    )
  ]
  const insights = metrics.outcomes.filter(o => o.appleInsight)
  if (insights.length) {
    parts.push('', ...insights.map(o => `- ${insightLine(o, o.appleInsight!)}`))
  }
  if (charts) {
    for (const o of metrics.outcomes) {
      const chart = metricChart(o)
      if (chart) parts.push('', chart)
    }
  }
  return parts.join('\n')
}

function metricName(o: MetricOutcome): string {
  return o.label.toLowerCase() === o.identifier.toLowerCase()
    ? codeCell(o.identifier)
    : `${text(o.label)} ${codeCell(o.identifier)}`
}

function valueCell(o: MetricOutcome): string {
  if (!o.point) return 'no data yet'
  const margin = o.point.errorMargin ? ` ± ${withUnit(o.point.errorMargin, undefined)}` : ''
  return text(`${withUnit(o.point.value, o.unit)}${margin}`)
}

function referenceCell(o: MetricOutcome): string {
  if (!o.reference) return ''
  const { value, errorMargin } = o.reference
  const margin = errorMargin ? ` ± ${withUnit(errorMargin, undefined)}` : ''
  return text(`${withUnit(value, o.unit)}${margin} (${referenceName(o.reference)})`)
}

function changeCell(o: MetricOutcome): string {
  return o.change === undefined ? '' : changeText(o.change, o.limit)
}

function goalCell(o: MetricOutcome): string {
  const parts = [
    o.point?.goal,
    o.recommendedGoal && `recommended ${withUnit(o.recommendedGoal.value, o.unit)}`
  ].filter((part): part is string => Boolean(part))
  return parts.length ? text(parts.join(', ')) : ''
}

function verdictCell(o: MetricOutcome, findings: readonly Finding[]): string {
  const marked = mark(findings) ?? '⚠️'
  switch (o.status) {
    case 'regressed':
      return o.regressedByRule ? `${marked} regressed` : `${marked} regressed (Apple's insight)`
    case 'no-data':
      return `${marked} ${text(o.reason ?? 'no data yet')}`
    case 'not-gated':
      return 'ℹ️ reported, not gated (direction unknown)'
    default:
      if (o.appleInsight?.kind === 'regression') return '✅ (Apple flags a regression; see below)'
      return '✅'
  }
}

function insightLine(o: MetricOutcome, insight: AppleInsight): string {
  const what = insight.kind === 'regression' ? 'a regression' : 'a rising trend'
  const population = insight.populations[0]
  const figures =
    population?.latestVersionValue !== undefined && population.referenceAverageValue !== undefined
      ? `: ${withUnit(population.latestVersionValue, o.unit)} against an average of ${withUnit(population.referenceAverageValue, o.unit)}${population.deltaPercentage !== undefined ? ` (${population.deltaPercentage > 0 ? '+' : ''}${Number(population.deltaPercentage.toFixed(1))}%)` : ''}`
      : ''
  const versions = insight.referenceVersions.length
    ? ` compared with ${insight.referenceVersions.join(', ')}`
    : ''
  const impact = insight.highImpact ? ', high impact' : ''
  const summary = insight.summary ? ` ${code(insight.summary)}` : ''
  return `Apple's insight on ${text(o.label)}: ${what}${text(versions + figures + impact)}.${summary}`
}
