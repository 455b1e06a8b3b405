import * as core from '@actions/core'
import type { Collected } from '../collect.js'
import { GITHUB_LIMITS, TYPE_LABELS } from '../constants.js'
import type { FailurePolicy, Verdict } from '../gate.js'
import { metricNoDataLines, metricRegressionLines } from '../metrics/outputs.js'
import type { Evaluated, NoDataPolicy } from '../model.js'
import { scrub } from '../secrets.js'
import { placeableSignatures, type SourceLookup } from '../source/locate.js'
import { failsJob } from './findings.js'
import { limitPercent } from '../text.js'
import {
  breachSentence,
  noDataYet,
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

/** Warnings for what the verdict could not look at: types without data, missing backtraces. */
export function warnAboutGaps(noData: NoDataPolicy, verdict: Verdict, data: Collected): void {
  if (noData === 'warn') {
    for (const type of verdict.emptyTypes) {
      core.warning(
        `${noDataYet([type], data.current.build.id)}: Apple publishes them a few days after release, once enough users share analytics.`
      )
    }
    for (const line of metricNoDataLines(verdict.metrics)) core.warning(scrub(line))
  }
  const unavailable = [...data.backtraces.values()].filter(result => !result.ok)
  if (unavailable.length) {
    core.warning(
      scrub(
        `${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0].ok ? '' : unavailable[0].reason}`
      )
    )
  }
  const baselineEmpty = [...(data.baseline?.lists.values() ?? [])]
    .filter(list => list.signatures.length === 0)
    .map(list => TYPE_LABELS[list.type].toLowerCase())
  if (data.baseline && baselineEmpty.length) {
    core.warning(
      `The baseline build ${data.baseline.build.id} has no ${baselineEmpty.join(', ')} diagnostics, so ${baselineEmpty.length === 1 ? 'that type was' : 'those types were'} not compared with it.`
    )
  }
  if (data.baseline && data.baseline.build.id === data.current.build.id) {
    core.warning('The baseline is the same build as the one gated, so nothing can regress.')
  }
}
