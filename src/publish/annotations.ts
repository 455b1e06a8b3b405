import * as core from '@actions/core'
import { GITHUB_LIMITS } from '../constants.js'
import type { FailurePolicy, Verdict } from '../gate.js'
import { metricRegressionLines } from '../metrics/outputs.js'
import type { Evaluated } from '../model.js'
import { scrub } from '../secrets.js'
import { placeableSignatures, type SourceLookup } from '../source/locate.js'
import { failsJob } from './findings.js'
import { limitPercent } from '../text.js'
import {
  breachSentence,
  regressionSentence,
  shareTitle,
  signatureName,
  sinceBaseline
} from '../wording.js'

const TITLE = 'App Store diagnostics gate'

interface Annotation {
  level: 'error' | 'warning'
  message: string
  title: string
  file?: string
  line?: number
}

/**
 * The blamed source lines first, then one annotation per breach or regression not already on
 * a line: an error when that kind fails the job, a warning when it is only reported. Within
 * GitHub's 10 per level and step (one error is kept for the failure itself when the job will
 * fail, four warnings for the run's own warnings), then a warning that counts the rest.
 */
export function annotate(
  verdict: Verdict,
  policy: FailurePolicy,
  willFail: boolean,
  sources?: SourceLookup
): void {
  const onSource = sourceAnnotations(verdict, policy, sources)
  const placed = new Set(onSource.map(a => a.id))
  const level = (fails: boolean): Annotation['level'] => (fails ? 'error' : 'warning')
  const findings: Annotation[] = [
    ...verdict.breaches
      .filter(s => !placed.has(s.id))
      .map(s => ({ level: level(policy.failOnBreach), message: breachSentence(s), title: TITLE })),
    ...verdict.regressions
      .filter(s => !placed.has(s.id))
      .map(s => ({
        level: level(policy.failOnRegression),
        message: regressionSentence(s),
        title: TITLE
      })),
    ...metricRegressionLines(verdict.metrics).map(message => ({
      level: level(policy.failOnRegression),
      message,
      title: TITLE
    }))
  ]
  const room = {
    error: GITHUB_LIMITS.maxAnnotations - (willFail ? 1 : 0),
    // Leave warning slots for the no-data, backtrace and comment warnings, and for the count.
    warning: GITHUB_LIMITS.maxAnnotations - 4
  }
  let rest = 0
  for (const a of [...onSource, ...findings]) {
    if (room[a.level]-- <= 0) {
      rest++
      continue
    }
    const properties = { title: a.title, file: a.file, startLine: a.line }
    if (a.level === 'error') core.error(scrub(a.message), properties)
    else core.warning(scrub(a.message), properties)
  }
  if (rest > 0)
    core.warning(`${rest} more findings are listed in the job summary.`, { title: TITLE })
}

/**
 * One annotation on each reported signature's blamed line found in the repository: titled with
 * its share (`Hangs: 41.0% of hang time`), an error when it breached or regressed and that fails
 * the job. Findings first, heaviest first.
 */
function sourceAnnotations(
  verdict: Verdict,
  policy: FailurePolicy,
  sources: SourceLookup | undefined
): (Annotation & { id: string })[] {
  if (!sources) return []
  const finding = (s: Evaluated) => (s.breached || s.regressed ? 1 : 0)
  return placeableSignatures(verdict.outcomes, verdict.regressions)
    .flatMap(s => {
      const place = sources.places.get(s.id)
      return place?.ok ? [{ s, place }] : []
    })
    .sort((a, b) => finding(b.s) - finding(a.s) || b.s.weight - a.s.weight)
    .map(({ s, place }) => ({
      id: s.id,
      level: failsJob(s, policy) ? ('error' as const) : ('warning' as const),
      title: shareTitle(s),
      message: [
        `${signatureName(s, 200, 'signature')} is blamed on this line (rank ${s.rank}).`,
        ...(s.breached ? [`Above the ${limitPercent(s.threshold)} limit.`] : []),
        ...(s.regressed ? [`Regressed: ${sinceBaseline(s)}.`] : [])
      ].join(' '),
      file: place.path,
      line: place.line
    }))
}
