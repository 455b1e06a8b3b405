import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RateLimit } from '../asc/client.js'
import type { Collected } from '../collect.js'
import { ACTION_NAME, JSON_REPORT_SCHEMA_VERSION } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import type { GuardOutcome } from '../release/decide.js'
import { metricsReport } from '../metrics/outputs.js'
import { scrub } from '../secrets.js'
import { safeJson } from '../text.js'
import { subjectName } from '../wording.js'
import { writeTextFile } from './files.js'
import type { FailureCause, Outcome } from '../outcome.js'
import { evidenceRecord } from '../record/evidence.js'
import { TOOL_VERSION } from '../cli/action-inputs.js'
import type { PhasedRelease } from '../asc/phased-release.js'
import type { AppendResult } from '../history/branch.js'
import { findingRecord, signatureRecord } from './records.js'

export interface JsonReportInput {
  verdict?: Verdict
  data?: Collected
  failure?: string
  release?: GuardOutcome
  /** A fatal error that stopped the run before a verdict, and what kind of problem it was. */
  error?: { message: string; cause: FailureCause }
  /** Why the gate did not run (a fork's pull request without the key). */
  skipped?: string
  /** Undefined when the inputs were invalid. */
  settings?: {
    inputs: Readonly<Record<string, string>>
    thresholds: Record<string, number>
    maxWeightIncrease: number
  }
  /** What the verdict was derived from; undefined without a verdict. */
  evidence?: Record<string, unknown>
  rateLimit?: RateLimit
  requests: number
  totalMs: number
  /** When the run happened: now, or the replayed record's time. */
  generatedAt: string
  /** What became of the record on the history branch; the branch's own copy has none. */
  historyWrite?: AppendResult
  /** What a replay under another policy changed; only a replay's record has it. */
  replay?: Record<string, unknown>
}

/** The full machine-readable report; its shape is `schema/report.schema.json`. */
export function buildJsonReport(input: JsonReportInput): Record<string, unknown> {
  const { verdict, data } = input
  const build = (b: Collected['current'] | undefined) =>
    b
      ? {
          id: b.build.id,
          label: b.build.label ?? null,
          processingState: b.build.processingState ?? null
        }
      : null
  const shown = verdict?.outcomes.flatMap(o => o.shown) ?? []
  return {
    schemaVersion: JSON_REPORT_SCHEMA_VERSION,
    tool: ACTION_NAME,
    toolVersion: TOOL_VERSION,
    generatedAt: input.generatedAt,
    build: build(data?.current),
    baseline: build(data?.baseline),
    error: input.error?.message ?? null,
    errorCause: input.error?.cause ?? null,
    result: input.skipped ? 'skipped' : (verdict?.result ?? null),
    skipReason: input.skipped ?? null,
    verdict: verdict
      ? {
          passed: verdict.passed,
          failure: input.failure ?? null,
          breachCount: verdict.breaches.length,
          regressionCount: verdict.regressions.length,
          maxWeight: verdict.maxWeight ?? null,
          emptyTypes: verdict.emptyTypes,
          metricRegressionCount: verdict.metrics?.regressions.length ?? 0,
          failsJob: verdict.findings.some(f => f.failsJob),
          pauses: verdict.findings.some(f => f.pauses),
          findings: verdict.findings.map(findingRecord)
        }
      : null,
    settings: input.settings ?? null,
    evidence: input.evidence ?? null,
    types: (verdict?.outcomes ?? []).map(o => ({
      type: o.type,
      threshold: o.threshold,
      fetched: o.fetched,
      complete: o.complete,
      gone: o.gone.map(s => ({ id: s.id, signature: s.signature, weight: s.weight })),
      goneUnknown: o.goneUnknown
    })),
    signatures: shown.map(s => ({ ...signatureRecord(s), rank: s.rank })),
    breaches: (verdict?.breaches ?? []).map(s => s.id),
    regressions: (verdict?.regressions ?? []).map(s => ({ ...signatureRecord(s), rank: s.rank })),
    backtraces: Object.fromEntries(data?.backtraces ?? []),
    phasedRelease: phasedReleaseRecord(input.release),
    metrics: metricsReport(verdict?.metrics, data?.metrics?.appId),
    rateLimit: input.rateLimit
      ? { limit: input.rateLimit.limit ?? null, remaining: input.rateLimit.remaining ?? null }
      : null,
    requests: input.requests,
    timings: {
      ...(data?.timings ?? { builds: 0, signatures: 0, logs: 0 }),
      total: Math.round(input.totalMs)
    },
    ...(input.historyWrite ? { historyWrite: input.historyWrite } : {}),
    ...(input.replay ? { replay: input.replay } : {})
  }
}

function phasedReleaseRecord(guard: GuardOutcome | undefined): Record<string, unknown> | null {
  if (!guard) return null
  const release = guard.release
  return {
    appStoreVersion: { id: guard.versionId, version: guard.version },
    ...rolloutRecord(release),
    decidedOn: guard.decidedOn ? rolloutRecord(guard.decidedOn) : null,
    action: guard.decision.action,
    reason: guard.decision.reason,
    paused: guard.paused,
    pausedOn: guard.decision.because.map(subjectName),
    error: guard.error ?? null
  }
}

/** A rollout as the record spells it: every field, null when unknown. */
function rolloutRecord(release: PhasedRelease | undefined): Record<string, unknown> {
  return {
    id: release?.id ?? null,
    state: release?.state ?? null,
    day: release?.day ?? null,
    startDate: release?.startDate ?? null,
    totalPauseDuration: release?.totalPauseDuration ?? null
  }
}

/** Writes the report to `report-path`, or under RUNNER_TEMP; returns the absolute path. */
export function writeJsonReport(report: Record<string, unknown>, path: string | undefined): string {
  return writeTextFile(
    path ?? join(process.env.RUNNER_TEMP || tmpdir(), `${ACTION_NAME}-report.json`),
    recordJson(report),
    'report-path'
  )
}

/** A record as its file holds it; writeTextFile scrubs what it writes. */
function recordJson(report: Record<string, unknown>): string {
  return `${safeJson(report, 2)}\n`
}

/** The record as the report file holds it, byte for byte, scrubbed: the history's copy. */
export function recordText(outcome: Outcome): string {
  return scrub(recordJson(jsonReportOf(outcome)))
}

/** The JSON report of a run, however it ended: its decision record. */
export function jsonReportOf(
  outcome: Outcome,
  replay?: Record<string, unknown>
): Record<string, unknown> {
  const { config, usage, recorded } = outcome
  return buildJsonReport({
    ...(outcome.kind === 'judged'
      ? {
          verdict: outcome.verdict,
          data: outcome.data,
          failure: outcome.failure,
          release: outcome.release,
          evidence: evidenceRecord(outcome),
          ...(outcome.historyWrite ? { historyWrite: outcome.historyWrite } : {})
        }
      : {}),
    ...(outcome.kind === 'failed'
      ? { error: { message: outcome.error, cause: outcome.cause } }
      : {}),
    ...(outcome.kind === 'skipped' ? { skipped: outcome.reason } : {}),
    settings: config && {
      inputs: config.inputs,
      thresholds: config.thresholds,
      maxWeightIncrease: config.maxWeightIncrease
    },
    rateLimit: usage?.rateLimit,
    requests: usage?.requests ?? 0,
    totalMs: recorded?.totalMs ?? performance.now() - outcome.started,
    generatedAt: recorded?.generatedAt ?? new Date().toISOString(),
    ...(replay ? { replay } : {})
  })
}
