import type { Collected } from '../collect.js'
import { TYPE_LABELS } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import { scrub } from '../secrets.js'
import { findingSentence } from '../wording.js'

/**
 * Warnings for what the verdict could not look at: each no-data finding that does not fail the
 * job (one that does is in the failure line), missing backtraces, an unusable baseline.
 */
export function gapWarnings(verdict: Verdict, data: Collected): string[] {
  const warnings: string[] = []
  if (data.history && 'unavailable' in data.history) warnings.push(scrub(data.history.unavailable))
  const build = data.current.build.label ?? data.current.build.id
  for (const f of verdict.findings) {
    if (f.kind === 'no-data' && !f.failsJob) warnings.push(scrub(findingSentence(f, build)))
  }
  // The first in the report's order (type by type, heaviest first), not in the order they arrived.
  const unavailable = verdict.outcomes
    .flatMap(o => o.shown)
    .flatMap(s => {
      const result = data.backtraces.get(s.id)
      return result && !result.ok ? [result.reason] : []
    })
  if (unavailable.length) {
    warnings.push(
      scrub(
        `${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0]}`
      )
    )
  }
  const baselineEmpty = [...(data.baseline?.lists.values() ?? [])]
    .filter(list => list.signatures.length === 0)
    .map(list => TYPE_LABELS[list.type].toLowerCase())
  if (data.baseline && baselineEmpty.length) {
    warnings.push(
      `The baseline build ${data.baseline.build.id} has no ${baselineEmpty.join(', ')} diagnostics, so ${baselineEmpty.length === 1 ? 'that type was' : 'those types were'} not compared with it.`
    )
  }
  if (data.baseline && data.baseline.build.id === data.current.build.id) {
    warnings.push('The baseline is the same build as the one gated, so nothing can regress.')
  }
  return warnings
}
