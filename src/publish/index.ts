import * as core from '@actions/core'
import { FORK_DOCS_URL } from '../constants.js'
import type { Verdict } from '../gate.js'
import { scrub } from '../secrets.js'
import { annotate, warnAboutGaps } from './annotations.js'
import { writeCiReports } from './ci-reports.js'
import { pullRequestComment } from './comment.js'
import { writeReportFile } from './json-report.js'
import type { Judged, Outcome } from './outcome.js'
import { setOutputs, setSkippedOutputs } from './outputs.js'
import { skippedSummary, summaryReport, writeSummary } from './summary.js'

export type { Judged, Outcome, RunState } from './outcome.js'
export { planComment } from './comment.js'

/** One destination for a run's outcome. A front door chooses its sinks. */
export type Sink = (outcome: Outcome) => Promise<void>

/** The GitHub Action's sinks, in order: outputs and reports first, the comment, the failure last. */
export const GITHUB_SINKS: readonly Sink[] = [
  jobReport,
  ciReportFiles,
  pullRequestComment,
  exitStatus
]

/** Publishes everything a run writes, whatever way it ended. */
export async function publish(outcome: Outcome, sinks = GITHUB_SINKS): Promise<void> {
  for (const sink of sinks) await sink(outcome)
}

/** Outputs, the JSON report, warnings and annotations, and the job summary. */
async function jobReport(outcome: Outcome): Promise<void> {
  switch (outcome.kind) {
    case 'skipped':
      core.warning(`App Store diagnostics gate skipped: ${outcome.reason}. See ${FORK_DOCS_URL}`)
      setSkippedOutputs()
      writeReportFile(outcome)
      return writeSummary(skippedSummary(outcome.reason))
    case 'failed':
      return writeReportFile(outcome)
    case 'judged':
      return core.group('Report', () => judgedReport(outcome))
  }
}

async function judgedReport(outcome: Judged): Promise<void> {
  const { config, data, verdict, failure } = outcome
  const report = summaryReport(outcome)
  setOutputs(verdict, {
    buildId: data.current.build.id,
    baselineBuildId: data.baseline?.build.id,
    report,
    release: outcome.release
  })
  writeReportFile(outcome)
  if (outcome.release?.error) core.error(scrub(outcome.release.error), { title: 'Phased release' })
  warnAboutGaps(config.noData, verdict, data)
  annotate(verdict, config, Boolean(failure), config.annotateSource ? outcome.sources : undefined)
  await writeSummary(report)
  core.info(verdictLine(verdict, failure))
}

/** The SARIF log and JUnit XML, for code scanning and any CI's test report. */
async function ciReportFiles(outcome: Outcome): Promise<void> {
  writeCiReports(outcome)
}

function verdictLine(verdict: Verdict, failure: string | undefined): string {
  if (verdict.result === 'no-data') {
    return `Verdict: no data yet, nothing was checked${failure ? " ('no-data' is 'fail')" : ''}.`
  }
  return verdict.passed
    ? 'Verdict: passed.'
    : `Verdict: failed${failure ? '' : ' (reported only: failing is turned off)'}.`
}

/** The job fails last, after everything else is written, with one sentence. */
async function exitStatus(outcome: Outcome): Promise<void> {
  if (outcome.kind === 'failed') core.setFailed(scrub(outcome.error))
  else if (outcome.kind === 'judged' && outcome.failure) core.setFailed(scrub(outcome.failure))
}
