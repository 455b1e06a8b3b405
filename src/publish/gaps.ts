import type { Collected } from '../collect.js'
import type { Verdict } from '../gate.js'
import { metricNoDataLines } from '../metrics/outputs.js'
import type { NoDataPolicy } from '../model.js'
import { scrub } from '../secrets.js'
import { noDataYet } from '../wording.js'

/** Warnings for what the verdict could not look at: types without data, missing backtraces. */
export function gapWarnings(noData: NoDataPolicy, verdict: Verdict, data: Collected): string[] {
  const warnings: string[] = []
  if (noData === 'warn') {
    for (const type of verdict.emptyTypes) {
      warnings.push(
        `${noDataYet([type], data.current.build.id)}: Apple publishes them a few days after release, once enough users share analytics.`
      )
    }
    for (const line of metricNoDataLines(verdict.metrics)) warnings.push(scrub(line))
  }
  const unavailable = [...data.backtraces.values()].filter(result => !result.ok)
  if (unavailable.length) {
    warnings.push(
      scrub(
        `${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0].ok ? '' : unavailable[0].reason}`
      )
    )
  }
  if (data.baseline && data.baseline.build.id === data.current.build.id) {
    warnings.push('The baseline is the same build as the one gated, so nothing can regress.')
  }
  return warnings
}
