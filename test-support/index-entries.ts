// One run as a version's index.json lists it, for the tests of the guard's memory.
import type { IndexEntry } from '../src/history/layout.js'

/** A run on rollout `day` at time `at`, with its hang rate (margin 0.1), or none. */
export function indexRun(
  day: number,
  at: string,
  hangRate: number | null,
  extra: Partial<IndexEntry> = {}
): IndexEntry {
  return {
    file: `runs/${at}.json`,
    generatedAt: at,
    day,
    state: 'ACTIVE',
    metrics: { hangRate: hangRate === null ? null : { value: hangRate, errorMargin: 0.1 } },
    population: 'p50 all_iphones',
    findings: [],
    action: 'none',
    ...extra
  }
}
