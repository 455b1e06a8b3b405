import * as core from '@actions/core'
import { appStoreClient, collectWithin } from './collect.js'
import { readInputs } from './config/read.js'
import { Deadline } from './deadline.js'
import { DataError, InputError, messageOf, ServiceError } from './errors.js'
import { evaluate, failureLine } from './gate.js'
import { retryPolicy } from './http/retry.js'
import { createTransport } from './http/transport.js'
import { metricsFailureLine, metricsVerdict, withMetrics } from './metrics/verdict.js'
import { planComment, publish, type RunState } from './publish/index.js'
import { act, withPause } from './release-guard.js'
import { scrub } from './secrets.js'
import { locateInWorkspace } from './source/workspace.js'
import { oneLine } from './text.js'

// Log lines may carry App Store Connect data: one line each, so none can start a workflow command.
const log = (line: string): void => core.info(oneLine(scrub(line), 2000))

/** One run, as the README tells it: inputs → collect → evaluate → act → publish. */
export async function run(): Promise<void> {
  const transport = createTransport()
  let state: RunState = { started: performance.now() }
  try {
    const inputs = readInputs()
    if ('skip' in inputs) return await publish({ ...state, kind: 'skipped', reason: inputs.skip })
    const { config } = inputs
    const policy = retryPolicy()
    const deadline = new Deadline(config.timeoutMinutes)
    const client = appStoreClient(config, {
      send: transport.send,
      policy,
      log,
      signal: deadline.signal
    })
    // The comment's lookup starts now, so it overlaps the App Store Connect requests.
    const comment = planComment(config, transport.send, policy)
    state = { ...state, config, usage: client, comment }

    const data = await core.group('Fetch diagnostics from App Store Connect', () =>
      collectWithin(deadline, client, config, log)
    )
    const current = data.current.lists
    const verdict = withMetrics(
      evaluate({ ...config, current, baseline: data.baseline?.lists }),
      metricsVerdict(config, data.metrics),
      config.noData
    )
    const judged = [
      failureLine(verdict, config, data.current.build.id),
      metricsFailureLine(verdict.metrics, config)
    ]
      .filter(Boolean)
      .join(' ')
    // Point at the code: each blamed frame's line in the checked-out repository.
    const sources =
      config.annotateSource || config.sarifPath || config.junitPath
        ? await locateInWorkspace(verdict, data.backtraces, workspace(), core.debug)
        : undefined
    // The release guard acts on the verdict before it is published: a pause leads the report.
    const release = await act(client, config, data, judged || undefined, log)
    const failure = withPause(judged || undefined, release)
    await publish({ ...state, kind: 'judged', config, data, verdict, failure, release, sources })
  } catch (error) {
    await publish({ ...state, kind: 'failed', error: explain(error) })
  } finally {
    transport.close()
  }
}

/** The checkout: GITHUB_WORKSPACE on a runner, where the step also starts. */
function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd()
}

/** Our own errors are already one actionable sentence; anything else is a bug to report. */
function explain(error: unknown): string {
  if (error instanceof InputError || error instanceof ServiceError || error instanceof DataError) {
    return error.message
  }
  if (error instanceof Error && error.stack) core.debug(error.stack)
  return `Unexpected error: ${messageOf(error)}. Please report it with the debug log (re-run with debug logging enabled).`
}
