import * as core from '@actions/core'
import { FORK_DOCS_URL } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import { messageOf } from '../errors.js'
import { scrub } from '../secrets.js'
import { annotate } from './annotations.js'
import { ciReportFiles as ciReports } from './ci-reports.js'
import { writeTextFile } from './files.js'
import { gapWarnings } from './gaps.js'
import { pullRequestComment } from './comment.js'
import { jsonReportOf, writeJsonReport } from './json-report.js'
import type { Judged, Outcome, Sink } from '../outcome.js'
import { setOutputs, setSkippedOutputs } from './outputs.js'
import { failedSummary, skippedSummary, summaryReport, writeSummary } from './summary.js'

export type { Judged, Outcome, RunState, Sink } from '../outcome.js'
export { planComment } from './comment.js'
export { historyStore, writeHistory } from './history.js'

/** The GitHub Action's sinks, in order: outputs and reports first, the comment, the failure last. */
export const GITHUB_SINKS: readonly Sink[] = [
  jobReport,
  ciReportFiles,
  pullRequestComment,
  exitStatus
]

/** Outputs, the JSON report, warnings and annotations, and the job summary. */
async function jobReport(outcome: Outcome): Promise<void> {
  switch (outcome.kind) {
    case 'skipped':
      core.warning(`App Store diagnostics gate skipped: ${outcome.reason}. See ${FORK_DOCS_URL}`)
      setSkippedOutputs()
      writeReportFile(outcome)
      return writeSummary(skippedSummary(outcome.reason))
    case 'failed':
      writeReportFile(outcome)
      return writeSummary(failedSummary(outcome.error))
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
  for (const warning of gapWarnings(verdict, data)) core.warning(warning)
  const build = data.current.build.label ?? data.current.build.id
  annotate(verdict, build, Boolean(failure), config.annotateSource ? outcome.sources : undefined)
  await writeSummary(report)
  core.info(verdictLine(verdict, failure))
}

/** The JSON report is written on every run; before the inputs are valid, at the default path. */
function writeReportFile(outcome: Outcome): void {
  let written = ''
  try {
    written = writeJsonReport(jsonReportOf(outcome), outcome.config?.reportPath)
  } catch (error) {
    core.warning(`Could not write the JSON report: ${messageOf(error)}`)
  }
  core.setOutput('report-path', written)
}

/**
 * The SARIF log and the JUnit XML, each when its path input is set; the outputs name the files
 * written, and stay empty when nothing was judged or a file could not be written (a warning).
 */
async function ciReportFiles(outcome: Outcome): Promise<void> {
  for (const { output, what, path, text } of ciReports(outcome)) {
    let written = ''
    if (path && text !== undefined) {
      try {
        written = writeTextFile(path, text, output)
        core.info(`Wrote the ${what} to ${written}.`)
      } catch (error) {
        core.warning(`Could not write the ${what} to '${path}': ${messageOf(error)}`)
      }
    }
    core.setOutput(output, written)
  }
}

function verdictLine(verdict: Verdict, failure: string | undefined): string {
  if (verdict.result === 'no-data') {
    return `Verdict: no data yet, nothing was checked${failure ? " ('no-data' is 'fail')" : ''}.`
  }
  if (verdict.result === 'passed') return 'Verdict: passed.'
  if (failure) return 'Verdict: failed.'
  const reason = verdict.findings.find(f => f.kind !== 'no-data')?.failsJobReason
  return `Verdict: failed, reported only${reason ? `: ${reason}` : ''}.`
}

/** The job fails last, after everything else is written, with one sentence. */
async function exitStatus(outcome: Outcome): Promise<void> {
  if (outcome.kind === 'failed') core.setFailed(scrub(outcome.error))
  else if (outcome.kind === 'judged' && outcome.failure) core.setFailed(scrub(outcome.failure))
}
