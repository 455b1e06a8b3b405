import { createHash } from 'node:crypto'
import type { Verdict } from '../decision/verdict.js'
import type { Evaluated } from '../model.js'
import type { SourceLookup } from '../source/locate.js'
import { breachSentence, regressionSentence, sinceBaseline } from '../wording.js'

// What the SARIF and JUnit builders share. They are pure (data in, document text out) and free
// of @actions/core, so that every front door (the Action, the CLI) writes the same files. They
// read the verdict's findings for what failed the job, and decide nothing again.

/** Everything a CI report file is built from. */
export interface FindingsInput {
  verdict: Verdict
  buildId: string
  /** "2.4.0 (412)", when known. */
  buildLabel?: string
  baselineBuildId?: string
  /** Blamed source lines in the checkout, when the run looked for them. */
  sources?: SourceLookup
}

/** What is wrong with a signature, in one sentence that names it once. */
export function findingText(s: Evaluated): string {
  if (!(s.breached && s.regressed)) return s.breached ? breachSentence(s) : regressionSentence(s)
  return `${breachSentence(s).slice(0, -1)}, and regressed: ${sinceBaseline(s)}.`
}

/**
 * The same 64 hex digits for the same type and signature text, as App Store Connect sent it, in
 * every run and on every machine, so code scanning keeps one alert per signature. A text kept
 * whole hashes as it always has (its alerts keep their fingerprint); one that was cut or cleaned
 * adds the digest of all it was, after a line break, which a kept text never holds.
 */
export function signatureFingerprint(
  s: Pick<Evaluated, 'diagnosticType' | 'signature' | 'textDigest'>
): string {
  const received = s.textDigest === undefined ? '' : `\n${s.textDigest}`
  return sha256(`${s.diagnosticType}\n${s.signature}${received}`)
}

/** The same for a metric's population: identifier, percentile and device. */
export function metricFingerprint(population: string): string {
  return sha256(`METRIC\n${population}`)
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
