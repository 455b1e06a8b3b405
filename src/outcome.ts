import type { AscClient } from './asc/client.js'
import type { Collected } from './collect.js'
import type { Settings } from './config/parse.js'
import type { Verdict } from './decision/verdict.js'
import type { CommentPlan } from './publish/comment.js'
import type { AppendResult } from './history/branch.js'
import type { HistoryStore } from './history/store.js'
import type { GuardOutcome } from './release/decide.js'
import type { SourceLookup } from './source/locate.js'

// How a run ended: what every front door's sinks read. The core does not depend on a sink.

/** What a run has so far; each phase adds to it, and the error path publishes what is there. */
export interface RunState {
  /** performance.now() when the run started. */
  started: number
  config?: Settings
  /** App Store Connect's counters, read when the run is published. */
  usage?: Pick<AscClient, 'rateLimit' | 'requests'>
  /** The pull-request comment, planned (its lookup running) as soon as the inputs are read. */
  comment?: CommentPlan
  /** The run reports on a pull request, so a missing checkout is worth a hint. */
  pullRequest?: boolean
  /** The workflow run's page, on a runner. */
  runUrl?: string
  /** With `history: branch`: the data branch the guard reads its memory from and writes to. */
  history?: HistoryStore
  /** What a replay takes from its record rather than from the clock. */
  recorded?: { generatedAt: string; totalMs: number }
}

/**
 * What stopped a run: an input (or configuration) problem, App Store Connect (authentication,
 * network, server, or data it sent that the gate refuses to read), or a bug.
 */
export type FailureCause = 'input' | 'service' | 'unexpected'

/** One destination for a run's outcome. A front door chooses its sinks. */
export type Sink = (outcome: Outcome) => Promise<void>

/** How a run ended, which is everything the sinks publish. */
export type Outcome =
  /** The gate did not run (a fork's pull request without the key): the step stays green. */
  | (RunState & { kind: 'skipped'; reason: string })
  /** The run stopped before a verdict, with one actionable sentence. */
  | (RunState & { kind: 'failed'; error: string; cause: FailureCause })
  | Judged

export interface Judged extends RunState {
  kind: 'judged'
  config: Settings
  data: Collected
  verdict: Verdict
  /** The line the job fails with; undefined when it passes or failing is turned off. */
  failure?: string
  /** With `version: live`: the live version's rollout and what the release guard did to it. */
  release?: GuardOutcome
  /** Blamed source lines in the checkout; undefined when nothing asked for them. */
  sources?: SourceLookup
  /**
   * With `history: branch`: what became of this run's record on the data branch, written before
   * anything is published so that the report can say so (the branch's copy cannot hold it).
   */
  historyWrite?: AppendResult
}
