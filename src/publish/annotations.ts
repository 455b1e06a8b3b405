import * as core from '@actions/core'
import type { Collected } from '../collect.js'
import { GITHUB_LIMITS, TYPE_LABELS } from '../constants.js'
import type { FailurePolicy, Verdict } from '../gate.js'
import { metricNoDataLines, metricRegressionLines } from '../metrics/outputs.js'
import type { NoDataPolicy } from '../model.js'
import { scrub } from '../secrets.js'
import { limitPercent, percent } from '../text.js'
import { noDataYet, signatureName, sinceBaseline } from '../wording.js'

/**
 * One annotation per breach or regression: an error when that kind fails the job, a warning
 * when it is only reported. Within GitHub's 10 per level and step (one error is kept for the
 * failure itself when the job will fail), then a warning that counts the rest.
 */
export function annotate(verdict: Verdict, policy: FailurePolicy, willFail: boolean): void {
  const breaches = verdict.breaches.map(
    s =>
      `${signatureName(s, 200, 'signature')} is at ${percent(s.weight)}, above the ${limitPercent(s.threshold)} limit.`
  )
  const regressions = [
    ...verdict.regressions.map(
      s =>
        `${signatureName(s, 200, 'signature')} regressed: ${percent(s.weight)}, ${sinceBaseline(s)}.`
    ),
    ...metricRegressionLines(verdict.metrics)
  ]
  const errors = [
    ...(policy.failOnBreach ? breaches : []),
    ...(policy.failOnRegression ? regressions : [])
  ]
  const warnings = [
    ...(policy.failOnBreach ? [] : breaches),
    ...(policy.failOnRegression ? [] : regressions)
  ]
  const shownErrors = errors.slice(0, GITHUB_LIMITS.maxAnnotations - (willFail ? 1 : 0))
  // Leave warning slots for the no-data, backtrace and comment warnings, and for the count.
  const shownWarnings = warnings.slice(0, GITHUB_LIMITS.maxAnnotations - 4)
  const title = 'App Store diagnostics gate'
  for (const line of shownErrors) core.error(scrub(line), { title })
  for (const line of shownWarnings) core.warning(scrub(line), { title })
  const rest = errors.length - shownErrors.length + warnings.length - shownWarnings.length
  if (rest > 0) core.warning(`${rest} more findings are listed in the job summary.`, { title })
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
