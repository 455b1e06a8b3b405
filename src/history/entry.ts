import { HISTORY } from '../constants.js'
import { findingKey } from '../decision/findings.js'
import { METRIC_IDENTIFIER, metricIdentifier } from '../metrics/model.js'
import type { Judged } from '../outcome.js'
import { runFile, type IndexEntry, type RecordedValue } from './layout.js'
import { populationOf, rolloutDayNumber } from './remember.js'

/** The version index's line for a decided guard run: what later runs compare and draw with. */
export function indexEntryOf(outcome: Judged, generatedAt: string): IndexEntry {
  const { verdict, release, config, data } = outcome
  const rollout = release?.decidedOn
  const metrics: Record<string, RecordedValue | null> = {}
  for (const o of verdict.metrics?.outcomes ?? []) {
    // Keyed as the inputs spell it, which same-day looks up; Apple's own spelling may differ.
    const identifier = metricIdentifier(o.identifier)
    if (!METRIC_IDENTIFIER.test(identifier)) continue
    metrics[identifier] = o.point
      ? { value: o.point.value, errorMargin: o.point.errorMargin ?? 0 }
      : null
  }
  // What can pause first: a cut list must not lose the findings confirm-runs counts.
  const findings = [
    ...verdict.findings.filter(f => config.pauseOn.includes(f.kind)),
    ...verdict.findings.filter(f => !config.pauseOn.includes(f.kind))
  ].map(f => findingKey(f.kind, f.subject))
  return {
    file: runFile(generatedAt),
    generatedAt,
    // The day the decision read (as same-day did), and the state it was made on.
    day: rolloutDayNumber(data.current.build.appStoreVersion?.phasedRelease) ?? null,
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
