import { indexEntryOf } from '../history/entry.js'
import type { Judged } from '../outcome.js'
import type { ReportContext } from './render.js'

/** What the report renders besides the verdict. */
export function reportContext(outcome: Judged): ReportContext {
  const { config, data } = outcome
  return {
    buildId: data.current.build.id,
    buildLabel: data.current.build.label,
    baseline: data.baseline && { id: data.baseline.build.id, label: data.baseline.build.label },
    runUrl: outcome.runUrl,
    thresholds: config.thresholds,
    maxWeightIncrease: config.maxWeightIncrease,
    rateLimit: outcome.usage?.rateLimit,
    backtraces: data.backtraces,
    release: outcome.release,
    // The report speaks of annotations; SARIF and JUnit alone may also have looked.
    sources: config.annotateSource ? outcome.sources : undefined,
    pullRequest: outcome.pullRequest ?? false,
    ...(data.history && outcome.release && outcome.recorded
      ? {
          history: {
            memory: data.history,
            thisRun: indexEntryOf(outcome, outcome.recorded.generatedAt),
            complete: outcome.release.decidedOn?.state === 'COMPLETE',
            confirmRuns: config.confirmRuns,
            ...(outcome.historyWrite ? { written: outcome.historyWrite } : {})
          }
        }
      : {})
  }
}
