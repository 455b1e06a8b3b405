import { TYPE_LABELS, type DiagnosticType } from './constants.js'
import type { Signature } from './model.js'
import { oneLine, percent } from './text.js'

// The words for findings, shared by the failure line, the annotations, the warnings and the
// report wherever they say the same thing.

/** `hangs, disk writes`: types in running text. */
export function typeList(types: readonly DiagnosticType[]): string {
  return types.map(t => TYPE_LABELS[t].toLowerCase()).join(', ')
}

/** `Hangs 'ExampleApp: …'`, or `Hangs signature '…'`: a signature named in one line. */
export function signatureName(s: Signature, max: number, noun = ''): string {
  return `${TYPE_LABELS[s.diagnosticType]}${noun ? ` ${noun}` : ''} '${oneLine(s.signature, max)}'`
}

/** The start of every no-data sentence: `No hangs diagnostics for build … yet`. */
export function noDataYet(types: readonly DiagnosticType[], buildId: string): string {
  return `No ${typeList(types)} diagnostics for build ${buildId} yet`
}

/** How a regressed signature compares with the baseline, for a sentence. */
export function sinceBaseline(s: { baselineWeight?: number; baselineAtMost?: number }): string {
  if (s.baselineWeight !== undefined) return `up from ${percent(s.baselineWeight)}`
  if (s.baselineAtMost !== undefined)
    return `up from at most ${percent(s.baselineAtMost)} (not in the baseline's fetched list)`
  return 'new since the baseline'
}
