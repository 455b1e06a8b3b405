import * as core from '@actions/core'
import { GITHUB_LIMITS } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import { metricsOutput } from '../metrics/outputs.js'
import type { GuardOutcome } from '../release/decide.js'
import { scrub } from '../secrets.js'
import { boundedFindings, boundedRecords } from './records.js'

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
  setOutput('findings', boundedFindings(verdict.findings, GITHUB_LIMITS.outputMaxBytes))
  setOutput('metrics', metricsOutput(verdict.metrics))
  setOutput('metric-regression-count', String(verdict.metrics?.regressions.length ?? 0))
  setOutput('report', values.report)
  const rollout = values.release?.release
  setOutput('phased-release-state', rollout?.state ?? '')
  setOutput('phased-release-day', rollout?.day === undefined ? '' : String(rollout.day))
  setOutput('paused', String(values.release?.paused ?? false))
}

/** A skipped run: `result` says so and `passed` is empty, since nothing was judged. */
export function setSkippedOutputs(): void {
  core.setOutput('result', 'skipped')
  core.setOutput('passed', '')
}
