import { TYPE_LABELS, TYPE_SHARES, type DiagnosticType } from './constants.js'
import type { Finding } from './decision/findings.js'
import { regressionSentence as metricRegressionSentence } from './metrics/verdict.js'
import type { Evaluated, Signature } from './model.js'
import { limitPercent, oneLine, percent } from './text.js'

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

/** The whole no-data warning for one type, as the log and the JUnit report give it. */
export function noDataSentence(type: DiagnosticType, buildId: string): string {
  return `${noDataYet([type], buildId)}: Apple publishes them a few days after release, once enough users share analytics.`
}

/** A change in percentage points, signed: +12.0 pts. */
export function deltaPoints(delta: number): string {
  return `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)} pts`
}

/** How a regressed signature compares with the baseline, for a sentence. */
export function sinceBaseline(s: { baselineWeight?: number; baselineAtMost?: number }): string {
  if (s.baselineWeight !== undefined) return `up from ${percent(s.baselineWeight)}`
  if (s.baselineAtMost !== undefined)
    return `up from at most ${percent(s.baselineAtMost)} (not in the baseline's fetched list)`
  return 'new since the baseline'
}

/** `Disk writes signature '…' is at 85.0%, above the 50% limit.` */
export function breachSentence(s: Evaluated): string {
  return `${signatureName(s, 200, 'signature')} is at ${percent(s.weight)}, above the ${limitPercent(s.threshold)} limit.`
}

/** `Hangs signature '…' regressed: 41.0%, up from 29.0%.` */
export function regressionSentence(s: Evaluated): string {
  return `${signatureName(s, 200, 'signature')} regressed: ${percent(s.weight)}, ${sinceBaseline(s)}.`
}

/** `Hangs: 41.0% of hang time`: a signature's weight in words, for a title. */
export function shareTitle(s: Signature): string {
  return `${TYPE_LABELS[s.diagnosticType]}: ${percent(s.weight)} of ${TYPE_SHARES[s.diagnosticType]}`
}

/** The subject of a finding in a few words: `Hangs signature '…'`, `Hang rate (hangRate)`. */
export function subjectName(f: Finding): string {
  const { subject } = f
  if ('signature' in subject) return signatureName(subject.signature, 120, 'signature')
  if ('metric' in subject) return `${subject.metric.label} (${subject.metric.identifier})`
  return `${TYPE_LABELS[subject.diagnosticType].toLowerCase()} diagnostics`
}

/** What a finding says, in one sentence that names its subject once. */
export function findingSentence(f: Finding, build: string): string {
  const { subject } = f
  if ('signature' in subject) {
    return f.kind === 'breach'
      ? breachSentence(subject.signature)
      : regressionSentence(subject.signature)
  }
  if ('diagnosticType' in subject) return noDataSentence(subject.diagnosticType, build)
  const o = subject.metric
  switch (f.kind) {
    case 'metric-regression':
      return `Metric regressed: ${metricRegressionSentence(o)}.`
    case 'apple-regression':
      return `Apple's regression insight flags ${o.label} (${o.identifier})${o.version ? ` on ${oneLine(o.version, 64)}` : ''}.`
    default:
      return `${o.label} (${o.identifier}): ${o.reason ?? 'no data yet'}. Apple publishes metrics a few days after a release, once enough users share analytics.`
  }
}

/** `❌ Hang rate (hangRate): fails the job and pauses` — a finding and what it did, for a list. */
export function consequenceText(f: Finding): string {
  const held = f.confirmation && f.confirmation.inARow >= f.confirmation.needed
  const verb = f.kind.endsWith('regression') ? 'regressed' : 'found'
  const confirmed = held ? `${verb} in ${f.confirmation!.inARow} runs in a row: ` : ''
  if (f.pauses)
    return `${confirmed ? `${confirmed}pausing; ` : ''}fails the job and pauses the rollout`
  if (confirmed && f.wouldPause) return `${confirmed}${f.pausesReason}; fails the job`
  if (f.failsJob) return `fails the job; does not pause: ${f.pausesReason}`
  return `reported only: ${f.failsJobReason}`
}
