import { PHASED_RELEASE } from '../constants.js'
import type { IndexEntry, VersionIndex } from '../history/layout.js'
import { byTime } from '../history/remember.js'
import { knownMetric } from '../metrics/model.js'
import { chartNumber } from './chart.js'
import { text } from './markdown.js'

// The rollout drawn from the guard's history (issue 24), pure: one chart per gated metric, value
// by rollout day for this version and the previous one, and the whole rollout in one table when
// it completes. Only validated numbers and the gate's own words reach the chart source.

const ACTION_WORDS: Record<IndexEntry['action'], string> = {
  paused: '⏸️ paused',
  'would-pause': 'would pause',
  none: '–'
}

/** `metric-regression hangRate`, `breach HANGS` (the digest only tells runs apart). */
function findingLabel(key: string): string {
  return text(key.replace(/:[0-9a-f]{16}$/, ''))
}

/** Each rollout day's last recorded run: the figure Apple had by the end of that day. */
export function byDay(runs: readonly IndexEntry[]): Map<number, IndexEntry> {
  const days = new Map<number, IndexEntry>()
  for (const run of [...runs].sort(byTime)) {
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
  current: VersionIndex,
  previous?: VersionIndex
): string | undefined {
  const known = knownMetric(metric)
  if (!known) return undefined
  const valueOn = (days: Map<number, IndexEntry>, day: number) => {
    const recorded = days.get(day)?.metrics[metric]
    return recorded ? chartNumber(recorded.value) : undefined
  }
  const mine = byDay(current.runs)
  const days = [...mine.keys()].filter(day => valueOn(mine, day) !== undefined)
  if (days.length < 2) return undefined
  const before = previous ? byDay(previous.runs) : undefined
  const earlier = before && days.map(day => valueOn(before, day))
  const both = previous && earlier?.every(Boolean)
  // Folder names are path segments ([A-Za-z0-9._-]): nothing in them can end the quoted title.
  const title = both
    ? `${known.label} by rollout day: ${current.version}, then ${previous.version} (second line)`
    : `${known.label} by rollout day: ${current.version}`
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis [${days.map(day => `"day ${day}"`).join(', ')}]`,
    `  y-axis "${known.unit}"`,
    `  line [${days.map(day => valueOn(mine, day)).join(', ')}]`,
    ...(both ? [`  line [${earlier!.join(', ')}]`] : []),
    '```'
  ]
  return lines.join('\n')
}

/** The whole rollout, one row per day: users, each metric, what failed, and what was done. */
export function rolloutTable(metrics: readonly string[], runs: readonly IndexEntry[]): string {
  const head = [
    'Day',
    'Users',
    ...metrics.map(m => {
      const known = knownMetric(m)
      return known ? `${known.label} (${known.unit})` : text(m)
    }),
    'Findings',
    'Action'
  ]
  const rows = [...byDay(runs)].map(([day, run]) => {
    const values = metrics.map(m => {
      const recorded = run.metrics[m]
      return recorded ? (chartNumber(recorded.value) ?? '–') : '–'
    })
    const users = `${PHASED_RELEASE.userPercentByDay[day - 1]}%`
    // What was found, not what Apple has yet to publish.
    const found = run.findings.filter(key => !key.startsWith('no-data '))
    const findings = found.length ? [...new Set(found.map(findingLabel))].join(', ') : 'none'
    return `| ${day} | ${users} | ${values.join(' | ')} | ${findings} | ${ACTION_WORDS[run.action]} |`
  })
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i < 2 + metrics.length && i > 0 ? '---:' : '---')).join('|')}|`,
    ...rows
  ].join('\n')
}
