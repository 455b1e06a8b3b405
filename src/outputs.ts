import * as core from '@actions/core'
import { GITHUB_LIMITS, TYPE_LABELS } from './constants.js'
import type { FailurePolicy, Verdict } from './gate.js'
import type { Evaluated } from './model.js'
import { limitPercent, oneLine, percent } from './text.js'

/** One signature as the `signatures` and `breaches` outputs and the JSON report carry it. */
export function signatureRecord(s: Evaluated): Record<string, unknown> {
  return {
    id: s.id,
    diagnosticType: s.diagnosticType,
    signature: s.signature,
    weight: s.weight,
    threshold: s.threshold,
    breached: s.breached,
    ...(s.insight ? { insight: s.insight } : {}),
    ...(s.change !== undefined
      ? {
          baselineWeight: s.baselineWeight ?? null,
          delta: s.delta,
          change: s.change,
          regressed: s.regressed
        }
      : {})
  }
}

export interface OutputValues {
  buildId: string
  baselineBuildId?: string
  report: string
}

export function setOutputs(verdict: Verdict, values: OutputValues): void {
  const shown = verdict.outcomes.flatMap(o => o.shown)
  core.setOutput('build-id', values.buildId)
  core.setOutput('baseline-build-id', values.baselineBuildId ?? '')
  core.setOutput('result', verdict.result)
  core.setOutput('passed', String(verdict.passed))
  core.setOutput('breach-count', String(verdict.breaches.length))
  core.setOutput('regression-count', String(verdict.regressions.length))
  core.setOutput('max-weight', verdict.maxWeight === undefined ? '' : String(verdict.maxWeight))
  core.setOutput('signatures', JSON.stringify(shown.map(signatureRecord)))
  core.setOutput('breaches', JSON.stringify(verdict.breaches.map(signatureRecord)))
  core.setOutput('report', values.report)
}

/**
 * One annotation per breach or regression: an error when that kind fails the job, a warning
 * when it is only reported. Within GitHub's 10 per level and step (one error is kept for the
 * failure itself when the job will fail), then a warning that counts the rest.
 */
export function annotate(verdict: Verdict, policy: FailurePolicy, willFail: boolean): void {
  const breaches = verdict.breaches.map(
    s =>
      `${TYPE_LABELS[s.diagnosticType]} signature '${oneLine(s.signature, 200)}' is at ${percent(s.weight)}, above the ${limitPercent(s.threshold)} limit.`
  )
  const regressions = verdict.regressions.map(
    s =>
      `${TYPE_LABELS[s.diagnosticType]} signature '${oneLine(s.signature, 200)}' regressed: ${percent(s.weight)}, ${s.baselineWeight === undefined ? 'new since the baseline' : `up from ${percent(s.baselineWeight)}`}.`
  )
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
  for (const line of shownErrors) core.error(line, { title })
  for (const line of shownWarnings) core.warning(line, { title })
  const rest = errors.length - shownErrors.length + warnings.length - shownWarnings.length
  if (rest > 0) core.warning(`${rest} more findings are listed in the job summary.`, { title })
}
