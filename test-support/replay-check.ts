// Every judged run of the action in the test suite is replayed from its decision record, in
// this process: the replay must give the job summary's Markdown byte for byte, the same exit
// status, and the record itself back (a record is a fixed point of replay). The harness calls
// this after each run, so every end-to-end scenario is a case of the property.
import { exitCode } from '../src/cli/exit-codes.js'
import type { Judged } from '../src/outcome.js'
import { jsonReportOf } from '../src/publish/json-report.js'
import { readRecord } from '../src/record/read.js'
import { reportContext } from '../src/report/context.js'
import { renderReport } from '../src/report/render.js'
import { replay } from '../src/replay/replay.js'
import { safeJson } from '../src/text.js'
import type { ActionRun } from './run-action.mjs'

/** A summary cut to fit GitHub's limit is not the whole report: only the rest compares. */
const FITTED =
  /Some detail was left out to fit GitHub's size limit|Report cut to fit GitHub's size limit/

export function expectReplayable(run: ActionRun): void {
  if (run.record === undefined) return
  const recorded = readRecord(run.record, 'the record')
  if (recorded.ending.kind !== 'judged') return
  const replayed = replay(recorded, new Map())
  if ('refused' in replayed) throw new Error(`replay refused its own record: ${replayed.refused}`)
  const outcome = replayed.outcome as Judged
  same('the decision record', `${safeJson(jsonReportOf(outcome), 2)}\n`, run.record)
  if (run.summary && !FITTED.test(run.summary)) {
    // Compared as the bytes a file gets: a lone surrogate is written as U+FFFD either way.
    const markdown = renderReport(outcome.verdict, reportContext(outcome))
    same('the Markdown report', Buffer.from(markdown).toString(), run.summary)
  }
  // The action fails the step (1) exactly when the command line's status says the gate failed.
  const status = exitCode(outcome)
  if (status !== run.code) {
    throw new Error(`replay exits ${status}, the run exited ${run.code}`)
  }
}

function same(what: string, replayed: string, original: string): void {
  if (replayed === original) return
  let at = 0
  while (at < replayed.length && replayed[at] === original[at]) at++
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 120), at + 120))
  throw new Error(
    `replay changed ${what} at character ${at}:\n  run:    ${around(original)}\n  replay: ${around(replayed)}`
  )
}
