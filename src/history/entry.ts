import { HISTORY, PHASED_RELEASE } from '../constants.js'
import { findingKey } from '../decision/findings.js'
import type { Judged } from '../outcome.js'
import { runFile, type IndexEntry, type RecordedValue } from './layout.js'
import { populationOf } from './remember.js'

/** The version index's line for a decided guard run: what later runs compare and draw with. */
export function indexEntryOf(outcome: Judged, generatedAt: string): IndexEntry {
  const { verdict, release, config } = outcome
  const rollout = release?.decidedOn
  const metrics: Record<string, RecordedValue | null> = {}
  for (const o of verdict.metrics?.outcomes ?? []) {
    // Apple's spelling of a known identifier; anything else is not a name an index holds.
    if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(o.identifier)) continue
    metrics[o.identifier] = o.point
      ? { value: o.point.value, errorMargin: o.point.errorMargin ?? 0 }
      : null
  }
  const findings = verdict.findings.map(f => findingKey(f.kind, f.subject))
  return {
    file: runFile(generatedAt),
    generatedAt,
    day: rollout?.day === undefined ? null : Math.min(rollout.day, PHASED_RELEASE.days),
    state: rollout?.state ?? null,
    metrics,
    population: config.metrics ? populationOf(config.metrics) : 'p50 all_iphones',
    findings: [...new Set(findings)].slice(0, HISTORY.maxFindingsPerRun),
    action: release?.paused
      ? 'paused'
      : release?.decision.action === 'would-pause'
        ? 'would-pause'
        : 'none'
  }
}
