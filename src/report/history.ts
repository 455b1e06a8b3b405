import type { IndexEntry, RunHistory, VersionIndex } from '../history/layout.js'
import { withRun } from '../history/layout.js'
import type { AppendResult } from '../history/branch.js'
import { metricIdentifier, type MetricsVerdict } from '../metrics/model.js'
import { code, text } from './markdown.js'
import { rolloutChart, rolloutTable } from './rollout.js'

/** What the report shows of the guard's memory: what it read, and this run's own line. */
export interface ReportHistory {
  memory: RunHistory
  thisRun: IndexEntry
  /** The rollout is complete: the report gives all of it in one table. */
  complete: boolean
  /** `confirm-runs`, which a run without its history cannot apply. */
  confirmRuns: number
  /** What became of this run's record on the branch, when the run tried to write it. */
  written?: AppendResult
}

/** Only recorded runs count: until one is written, `confirm-runs` above 1 cannot pause. */
export function unconfirmableAfter(confirmRuns: number): string {
  return confirmRuns > 1
    ? ` Until runs are recorded, 'confirm-runs' ${confirmRuns} cannot count ${confirmRuns} in a row, and the guard does not pause.`
    : ''
}

/**
 * The rollout, run by run: what the history held, what `same-day` compared with, a chart per
 * gated metric by rollout day, and, once the rollout is complete, the whole of it in one table.
 */
export function historySection(
  history: ReportHistory,
  metrics: MetricsVerdict | undefined
): string {
  const { memory } = history
  const references = referenceLines(metrics)
  if ('unavailable' in memory) {
    const unconfirmed =
      history.confirmRuns > 1
        ? [
            `Without it this run cannot count runs in a row: it pauses on what it finds, as with \`confirm-runs: 1\`, rather than never.`
          ]
        : []
    return [`⚠️ **No history.** ${text(memory.unavailable)}`, ...unconfirmed, ...references].join(
      '\n'
    )
  }
  // Figures compare only within one percentile and device: runs under another are not drawn.
  const population = (index: VersionIndex): VersionIndex => ({
    ...index,
    runs: index.runs.filter(r => r.population === history.thisRun.population)
  })
  const current = population(withRun(memory.current, history.thisRun))
  const previous = memory.previous && population(memory.previous)
  const lines = [
    `**History** on ${code(memory.branch)}: the rollout of ${text(current.version)} so far${previous ? `, beside ${text(previous.version)}'s` : '; no earlier version is recorded'}.`,
    ...references
  ]
  const identifiers = (metrics?.outcomes ?? []).map(o => metricIdentifier(o.identifier))
  const charts = identifiers.flatMap(id => rolloutChart(id, current, previous) ?? [])
  if (history.written && !history.written.ok) {
    lines.push(
      `⚠️ **This run was not recorded.** ${text(`${history.written.warning}${unconfirmableAfter(history.confirmRuns)}`)}`
    )
  }
  const parts = [lines.join('\n')]
  if (charts.length) parts.push(charts.join('\n\n'))
  if (history.complete) {
    parts.push(
      `**The whole rollout of ${text(current.version)}**, each day's last run:\n\n${rolloutTable(identifiers, current.runs)}`
    )
  }
  return `#### The rollout, run by run\n\n${parts.join('\n\n')}`
}

/** What `same-day` compared each metric with, or why it fell back to `previous`. */
function referenceLines(metrics: MetricsVerdict | undefined): string[] {
  const lines: string[] = []
  for (const o of metrics?.outcomes ?? []) {
    const reference = o.reference
    if (reference?.mode === 'same-day') {
      lines.push(
        `${text(o.label)} is compared with ${text(reference.versions.join(', '))} at day ${reference.day} of its rollout (${code(reference.run ?? '')}), not with its final figure.`
      )
    } else if (reference?.fallback) {
      lines.push(
        `${text(o.label)}: no same-day figure (${text(reference.fallback)}), so it is compared with ${text(reference.versions.join(', '))}'s latest figure.`
      )
    }
  }
  return lines
}
