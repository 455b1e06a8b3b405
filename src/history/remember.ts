import { HISTORY, PHASED_RELEASE } from '../constants.js'
import type { MetricSettings, SameDayFigure } from '../metrics/model.js'
import type { IndexEntry, RunHistory } from './layout.js'

// What the history decides with, pure: the previous version's value at the same rollout day
// (`metric-reference: same-day`), and whether a finding has held for `confirm-runs` runs.

/** The previous version's recorded value nearest to `day`, in the same population. */
export interface SameDayValue {
  value: number
  errorMargin: number
  /** The recorded run's rollout day, and its record's file. */
  day: number
  file: string
}

/**
 * The run of the previous version whose rollout day is nearest to `day`, with a value for
 * `metric` in `population`: between two days as near, the earlier (fewer users, as now); within
 * a day, its latest run (the figure Apple had by then). Undefined when none is within
 * `maxDistance` days, so the caller falls back to `previous` and says so.
 */
export function sameDayValue(
  previous: readonly IndexEntry[],
  metric: string,
  population: string,
  day: number,
  maxDistance: number = HISTORY.sameDayDistance
): SameDayValue | undefined {
  let best: (SameDayValue & { distance: number; at: string }) | undefined
  const nearer = (distance: number, runDay: number, at: string): boolean =>
    !best ||
    distance < best.distance ||
    (distance === best.distance && (runDay < best.day || (runDay === best.day && at > best.at)))
  for (const run of previous) {
    const recorded = run.metrics[metric]
    if (run.day === null || !recorded) continue
    if (run.population !== population) continue
    const distance = Math.abs(run.day - day)
    if (distance > maxDistance) continue
    if (nearer(distance, run.day, run.generatedAt)) {
      best = { ...recorded, day: run.day, file: run.file, distance, at: run.generatedAt }
    }
  }
  return (
    best && { value: best.value, errorMargin: best.errorMargin, day: best.day, file: best.file }
  )
}

/**
 * The runs of an index that a decision or the report can read: each rollout day's last run (the
 * charts, the end-of-rollout table), each day's last run with a value for a metric (`same-day`),
 * and the last runs `confirm-runs` can count. The run and its record keep these alone, so the
 * record's size does not grow with the guard's schedule.
 */
export function decisiveRuns(runs: readonly IndexEntry[]): IndexEntry[] {
  const inOrder = [...runs].sort(byTime)
  const keep = new Set(inOrder.slice(-(HISTORY.maxConfirmRuns - 1)))
  const last = new Map<string, IndexEntry>()
  for (const run of inOrder) {
    if (run.day === null) continue
    last.set(`${run.day}`, run)
    for (const [metric, value] of Object.entries(run.metrics)) {
      if (value) last.set(`${run.day} ${run.population} ${metric}`, run)
    }
  }
  for (const run of last.values()) keep.add(run)
  return inOrder.filter(run => keep.has(run))
}

/** Oldest first, by the time each run decided. */
export function byTime(a: IndexEntry, b: IndexEntry): number {
  return a.generatedAt < b.generatedAt ? -1 : a.generatedAt > b.generatedAt ? 1 : 0
}

/** The rollout's day as the history counts it: 1 to 7 (a paused rollout's count stops at 7). */
export function rolloutDayNumber(release: { day?: number } | undefined): number | undefined {
  return release?.day === undefined ? undefined : Math.min(release.day, PHASED_RELEASE.days)
}

/** The metrics' population as the index writes it: `p50 all_iphones`. */
export function populationOf(settings: Pick<MetricSettings, 'percentile' | 'device'>): string {
  return `${settings.percentile} ${settings.device}`
}

/**
 * `same-day`'s lookup for a run on rollout `day`: the previous version's figure nearest that
 * day, or why there is none.
 */
export function sameDayFigures(
  history: RunHistory | undefined,
  settings: Pick<MetricSettings, 'percentile' | 'device'>,
  day: number | undefined
): (identifier: string) => SameDayFigure {
  return identifier => {
    if (!history) return { missing: 'the guard read no history' }
    if ('unavailable' in history) return { missing: 'the history could not be read' }
    const previous = history.previous
    if (!previous) return { missing: 'no earlier version is recorded' }
    if (day === undefined) return { missing: 'the rollout has no day yet' }
    const found = sameDayValue(previous.runs, identifier, populationOf(settings), day)
    if (!found) {
      return {
        missing: `${previous.version} has no run recorded within ${HISTORY.sameDayDistance} day of day ${day}`
      }
    }
    return {
      version: previous.version,
      value: found.value,
      errorMargin: found.errorMargin,
      day: found.day,
      run: found.file
    }
  }
}

/** How a finding stands against `confirm-runs`: how many runs in a row, this one included. */
export interface Confirmation {
  inARow: number
  needed: number
  confirmed: boolean
}

/**
 * Whether the finding `key` (`metric-regression hangRate`) held in the `needed − 1` runs of this
 * version just before this one, in a row. With `needed` 1 every finding is confirmed.
 */
export function confirmation(
  earlier: readonly IndexEntry[],
  key: string,
  needed: number
): Confirmation {
  let inARow = 1
  for (const run of [...earlier].reverse()) {
    if (inARow >= needed || !run.findings.includes(key)) break
    inARow++
  }
  return { inARow, needed, confirmed: inARow >= needed }
}
