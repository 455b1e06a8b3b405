import * as core from '@actions/core'
import { FORK_DOCS_URL, GITHUB_LIMITS } from '../constants.js'
import { fitReport, utf8Bytes } from '../report/fit.js'
import { renderReport } from '../report/render.js'
import { text } from '../report/markdown.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import type { Judged } from '../outcome.js'
import { reportContext } from '../report/context.js'

/** The report at the most detail that fits the job summary (and the `report` output). */
export function summaryReport(outcome: Judged): string {
  const context = reportContext(outcome)
  return fitReport(detail => renderReport(outcome.verdict, context, detail), {
    measure: utf8Bytes,
    max: GITHUB_LIMITS.summaryBudgetBytes,
    elsewhere: 'the JSON report (see the report-path output)'
  })
}

/** The one line a skipped run's summary holds. */
export function skippedSummary(reason: string): string {
  return `⏭️ App Store diagnostics gate skipped: ${reason} ([pull requests from forks](${FORK_DOCS_URL})).\n`
}

/** The one line a run that stopped on an error gets, instead of an empty summary. */
export function failedSummary(error: string): string {
  return `❌ App Store diagnostics gate could not run: ${text(oneLine(error, 1000))}\n`
}

export async function writeSummary(report: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(
      'GITHUB_STEP_SUMMARY is not set (not on a runner); the report is in the `report` output.'
    )
    return
  }
  await core.summary.addRaw(scrub(report)).write()
}
