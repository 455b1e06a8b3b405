import { PHASED_RELEASE } from '../constants.js'
import type { IndexEntry } from '../history/layout.js'
import { knownMetric } from '../metrics/model.js'
import { chartNumber } from './chart.js'
import { text } from './markdown.js'

// The rollout drawn from the guard's history (issue 24), pure: one chart per gated metric, value
// by rollout day for this version and the previous one, and the whole rollout in one table when
// it completes. Only validated numbers and the gate's own words reach the chart source.

/** Each rollout day's last recorded run: the figure Apple had by the end of that day. */
export function byDay(runs: readonly IndexEntry[]): Map<number, IndexEntry> {
  const days = new Map<number, IndexEntry>()
  for (const run of [...runs].sort((a, b) => (a.generatedAt < b.generatedAt ? -1 : 1))) {
    if (run.day !== null && run.day >= 1 && run.day <= PHASED_RELEASE.days) days.set(run.day, run)
  }
  return new Map([...days].sort(([a], [b]) => a - b))
}

/**
 * A line chart of `metric` by rollout day: this version's line, and the previous version's
 * when it was recorded on each of those days. Undefined with fewer than two days of data.
 */
export function rolloutChart(
  metric: string,
  current: readonly IndexEntry[],
  previous?: readonly IndexEntry[]
): string | undefined {
  const known = knownMetric(metric)
  if (!known) return undefined
  const valueOn = (days: Map<number, IndexEntry>, day: number) => {
    const value = days.get(day)?.metrics[metric]
    return typeof value === 'number' ? chartNumber(value) : undefined
  }
  const mine = byDay(current)
  const days = [...mine.keys()].filter(day => valueOn(mine, day) !== undefined)
  if (days.length < 2) return undefined
  const before = previous ? byDay(previous) : undefined
  const earlier = before && days.map(day => valueOn(before, day))
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${known.label} by rollout day${earlier?.every(Boolean) ? ', this version and the previous' : ''}"`,
    `  x-axis [${days.map(day => `"day ${day}"`).join(', ')}]`,
    `  line [${days.map(day => valueOn(mine, day)).join(', ')}]`,
    ...(earlier?.every(Boolean) ? [`  line [${earlier.join(', ')}]`] : []),
    '```'
  ]
  return lines.join('\n')
}

/** The whole rollout, one row per day: users, each metric, what failed, and what was done. */
export function rolloutTable(metrics: readonly string[], runs: readonly IndexEntry[]): string {
  const head = [
    'Day',
    'Users',
    ...metrics.map(m => knownMetric(m)?.label ?? m),
    'Pausing findings',
    'Action'
  ]
  const rows = [...byDay(runs)].map(([day, run]) => {
    const values = metrics.map(m => {
      const value = run.metrics[m]
      return typeof value === 'number' ? (chartNumber(value) ?? '–') : '–'
    })
    const users = `${PHASED_RELEASE.userPercentByDay[day - 1]}%`
    const findings = run.pausing.length ? run.pausing.map(text).join(', ') : 'none'
    return `| ${day} | ${users} | ${values.join(' | ')} | ${findings} | ${run.paused ? '⏸️ paused' : '–'} |`
  })
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 + metrics.length && i > 0 ? '---:' : '---')).join('|')}|`,
    ...rows
  ].join('\n')
}
