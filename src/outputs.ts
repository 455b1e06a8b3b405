import * as core from '@actions/core'
import { GITHUB_LIMITS, TYPE_LABELS } from './constants.js'
import type { FailurePolicy, Verdict } from './gate.js'
import type { Evaluated } from './model.js'
import type { GuardOutcome } from './release-guard.js'
import { scrub } from './secrets.js'
import { limitPercent, oneLine, percent, sinceBaseline } from './text.js'

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
          ...(s.baselineAtMost !== undefined ? { baselineAtMost: s.baselineAtMost } : {}),
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
  release?: GuardOutcome
}

/** Every output passes the scrubber: none may carry a token a server echoed. */
function setOutput(name: string, value: string): void {
  core.setOutput(name, scrub(value))
}

export function setOutputs(verdict: Verdict, values: OutputValues): void {
  const shown = verdict.outcomes.flatMap(o => o.shown)
  setOutput('build-id', values.buildId)
  setOutput('baseline-build-id', values.baselineBuildId ?? '')
  setOutput('result', verdict.result)
  setOutput('passed', String(verdict.passed))
  setOutput('breach-count', String(verdict.breaches.length))
  setOutput('regression-count', String(verdict.regressions.length))
  setOutput('max-weight', verdict.maxWeight === undefined ? '' : String(verdict.maxWeight))
  for (const [name, items] of [
    ['signatures', shown],
    ['breaches', verdict.breaches]
  ] as const) {
    const { json, omitted } = boundedRecords(items, GITHUB_LIMITS.outputMaxBytes)
    setOutput(name, json)
    setOutput(`${name}-omitted`, String(omitted))
  }
  setOutput('report', values.report)
  const rollout = values.release?.release
  setOutput('phased-release-state', rollout?.state ?? '')
  setOutput('phased-release-day', rollout?.day === undefined ? '' : String(rollout.day))
  setOutput('paused', String(values.release?.paused ?? false))
}

/**
 * The records as a JSON array of at most `maxBytes`: the heaviest that fit are kept, in their
 * original order, and `omitted` counts the rest (the JSON report keeps them all).
 */
function boundedRecords(
  items: readonly Evaluated[],
  maxBytes: number
): { json: string; omitted: number } {
  const texts = items.map(item => JSON.stringify(signatureRecord(item)))
  const byWeight = items.map((_, index) => index).sort((a, b) => items[b].weight - items[a].weight)
  const kept = new Set<number>()
  let size = 2 // []
  for (const index of byWeight) {
    const bytes = Buffer.byteLength(texts[index]) + (kept.size ? 1 : 0)
    if (size + bytes > maxBytes) break
    kept.add(index)
    size += bytes
  }
  return {
    json: `[${texts.filter((_, index) => kept.has(index)).join(',')}]`,
    omitted: items.length - kept.size
  }
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
      `${TYPE_LABELS[s.diagnosticType]} signature '${oneLine(s.signature, 200)}' regressed: ${percent(s.weight)}, ${sinceBaseline(s)}.`
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
  for (const line of shownErrors) core.error(scrub(line), { title })
  for (const line of shownWarnings) core.warning(scrub(line), { title })
  const rest = errors.length - shownErrors.length + warnings.length - shownWarnings.length
  if (rest > 0) core.warning(`${rest} more findings are listed in the job summary.`, { title })
}
