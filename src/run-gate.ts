import { appStoreClient, collectWithin, type Collected } from './collect.js'
import type { Config } from './config/parse.js'
import { Deadline } from './deadline.js'
import { DataError, InputError, messageOf, ServiceError } from './errors.js'
import { retryPolicy, type RetryPolicy } from './http/retry.js'
import { createTransport, type Transport } from './http/transport.js'
import { judge } from './decision/verdict.js'
import type { AppendResult } from './history/branch.js'
import type { FailureCause, Judged, Outcome, RunState, Sink } from './outcome.js'
import { act } from './release/act.js'
import { withPause } from './release/decide.js'
import { protect } from './secrets.js'
import { locateInWorkspace } from './source/workspace.js'
import { historyPlace, type HistoryStore } from './history/store.js'
import { plural } from './text.js'

/** The inputs, or why the gate does not run at all. */
export type ReadInputs = { config: Config } | { skip: string }

/**
 * What differs between the GitHub Action and the command-line tool: how the inputs are read and
 * where the run's words go. Everything else is this one core.
 */
export interface FrontDoor {
  /** Reads and validates the inputs (throws an InputError that lists every problem). */
  readInputs: () => ReadInputs
  /** One progress line (already free of secrets and controls: see `logLine`). */
  log: (line: string) => void
  /** Runs a phase under a title (a log group in the action). */
  phase: <T>(title: string, work: () => Promise<T>) => Promise<T>
  /** Starts what a sink needs early (the action's comment lookup), once the inputs are valid. */
  prepare?: (config: Config, send: Transport, policy: RetryPolicy) => Partial<RunState>
  /** Where the stack of an unexpected error goes (the action's debug log). */
  debug?: (text: string) => void
  /**
   * Keeps a guard run's record on the history branch (`history: branch`), before the sinks
   * publish it: what became of it is part of the report.
   */
  remember?: (outcome: Judged) => Promise<AppendResult | undefined>
  /** Where the outcome goes, in order. */
  sinks: readonly Sink[]
}

/** One run, as the README tells it: inputs → collect → evaluate → act → publish. */
export async function runGate(door: FrontDoor): Promise<Outcome> {
  const transport = createTransport()
  let state: RunState = { started: performance.now(), ...runUrl() }
  let outcome: Outcome
  try {
    const inputs = door.readInputs()
    if ('skip' in inputs) {
      outcome = { ...state, kind: 'skipped', reason: inputs.skip }
    } else {
      const { config } = inputs
      // Every spelling of the key, and the token: masked in logs, scrubbed from everything published.
      for (const secret of [...config.keySecrets, config.githubToken]) protect(secret)
      const policy = retryPolicy()
      const deadline = new Deadline(config.timeoutMinutes)
      const client = appStoreClient(config, {
        send: transport.send,
        policy,
        log: door.log,
        ...(door.debug ? { debug: door.debug } : {}),
        signal: deadline.signal
      })
      // Whatever a sink starts now overlaps the App Store Connect requests.
      state = { ...state, config, usage: client, ...door.prepare?.(config, transport.send, policy) }

      const collected = await door.phase('Fetch diagnostics from App Store Connect', () =>
        collectWithin(deadline, client, config, door.log)
      )
      const data = await remembered(state.history, config, collected, door)
      const { verdict, failure: judged } = judge(config, data)
      const [sources, release] = await Promise.all([
        // Point at the code: each blamed frame's line in the checked-out repository.
        config.annotateSource || config.sarifPath || config.junitPath
          ? locateInWorkspace(verdict, data.backtraces, workspace(), {
              debug: door.debug ?? noDebug,
              // A walk of a workspace without git stops when the run's 'timeout-minutes' is up.
              until: state.started + config.timeoutMinutes * 60_000
            })
          : undefined,
        // The release guard acts on the verdict before it is published: a pause leads the report.
        act(client, deadline, config, data, verdict, door.log, door.phase)
      ])
      const failure = withPause(judged, release)
      outcome = { ...state, kind: 'judged', config, data, verdict, failure, release, sources }
    }
  } catch (error) {
    outcome = { ...state, kind: 'failed', ...explain(error, door.debug) }
  }
  // One time and duration for everything published, the history's copy of the record included.
  outcome.recorded ??= {
    generatedAt: new Date().toISOString(),
    totalMs: performance.now() - outcome.started
  }
  if (outcome.kind === 'judged' && door.remember) {
    const judged = outcome
    // Never the run's failure: a bug here is one more warning, and the run is still published.
    const written = await door
      .phase('Record this run', () => door.remember!(judged))
      .catch((error: unknown): AppendResult => {
        if (error instanceof Error && error.stack) door.debug?.(error.stack)
        return { ok: false, warning: `The run's record was not written: ${messageOf(error)}` }
      })
    if (written) outcome = { ...judged, historyWrite: written }
  }
  try {
    for (const sink of door.sinks) await sink(outcome)
  } finally {
    state.history?.close()
    transport.close()
  }
  return outcome
}

const noDebug = (): void => {}

/** The data with the guard's history, on a guard run with `history: branch`. */
async function remembered(
  store: HistoryStore | undefined,
  config: Config,
  data: Collected,
  door: FrontDoor
): Promise<Collected> {
  const place = store && historyPlace(config, data)
  if (!store || !place) return data
  const history = await door.phase("Read the guard's history", () => store.read(place))
  const recorded = store.recorded()
  if ('current' in history && recorded) {
    const { previous } = recorded
    door.log(
      `History on '${history.branch}': ${plural(recorded.current, 'earlier run')} of ${history.current.version}${previous ? `, ${plural(previous.runs, 'run')} of ${previous.version}` : ', no earlier version'}.`
    )
  }
  return { ...data, history }
}

/** The workflow run's page, when the run is on a runner. */
function runUrl(): Pick<RunState, 'runUrl'> {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env
  return server && repo && id ? { runUrl: `${server}/${repo}/actions/runs/${id}` } : {}
}

/** The checkout: GITHUB_WORKSPACE on a runner, where the step also starts; else the folder. */
function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd()
}

/** Our own errors are already one actionable sentence; anything else is a bug to report. */
function explain(
  error: unknown,
  debug: FrontDoor['debug']
): { error: string; cause: FailureCause } {
  if (error instanceof InputError) return { error: error.message, cause: 'input' }
  if (error instanceof ServiceError || error instanceof DataError) {
    return { error: error.message, cause: 'service' }
  }
  if (error instanceof Error && error.stack) debug?.(error.stack)
  return {
    error: `Unexpected error: ${messageOf(error)}. Please report it with the debug log (re-run with debug logging enabled).`,
    cause: 'unexpected'
  }
}
