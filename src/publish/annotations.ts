import * as core from '@actions/core'
import { GITHUB_LIMITS } from '../constants.js'
import type { FailurePolicy, Verdict } from '../gate.js'
import { metricRegressionLines } from '../metrics/outputs.js'
import { scrub } from '../secrets.js'
import { limitPercent, percent } from '../text.js'
import { signatureName, sinceBaseline } from '../wording.js'

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
