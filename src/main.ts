import * as core from '@actions/core'
import { readInputs } from './config/read.js'
import { findPullRequest } from './github/pull-request.js'
import { GITHUB_SINKS, historyStore, planComment, writeHistory } from './publish/index.js'
import { runGate } from './run-gate.js'
import { maskSecretsWith, scrub } from './secrets.js'
import { oneLine } from './text.js'

// Log lines may carry App Store Connect data: one line each, so none can start a workflow command.
const log = (line: string): void => core.info(oneLine(scrub(line), 2000))

/**
 * The GitHub Action's front door: inputs from the runner, and the GitHub sinks (outputs, job
 * summary, annotations, the pull-request comment, the job's status). The run itself is runGate,
 * which the command-line tool shares.
 */
export async function run(): Promise<void> {
  maskSecretsWith(core.setSecret)
  await runGate({
    readInputs,
    log,
    phase: (title, work) => core.group(title, work),
    // The comment's lookup starts as soon as the inputs are read.
    prepare: (config, send, policy) => ({
      comment: planComment(config, send, policy),
      pullRequest: 'target' in findPullRequest(config.prNumber),
      ...(config.history ? { history: historyStore(config, send, policy) } : {})
    }),
    debug: text => core.debug(text),
    remember: writeHistory,
    sinks: GITHUB_SINKS
  })
}
