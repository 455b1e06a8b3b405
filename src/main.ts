import * as core from '@actions/core'
import { AscClient } from './asc/client.js'
import { TokenSource } from './asc/token.js'
import { collect, type Collected } from './collect.js'
import { parseConfig, type Config } from './config.js'
import { FORK_DOCS_URL, GITHUB_LIMITS, TYPE_LABELS } from './constants.js'
import { DataError, InputError, messageOf, ServiceError } from './errors.js'
import { evaluate, failureLine, type Verdict } from './gate.js'
import { forkPullRequest } from './github/pull-request.js'
import { planComment, publishComment, type CommentPlan } from './github/sticky-step.js'
import { retryPolicy } from './http/retry.js'
import { createTransport } from './http/transport.js'
import { buildJsonReport, writeJsonReport } from './json-report.js'
import { annotate, setOutputs } from './outputs.js'
import { addSecret, scrub } from './secrets.js'
import { oneLine } from './text.js'
import { guardRelease, rolloutDay, type GuardOutcome } from './release-guard.js'
import { fitReport, utf8Bytes } from './report/fit.js'
import { renderReport, type ReportContext } from './report/render.js'

const readInput = (name: string): string => core.getInput(name, { trimWhitespace: false })
// Log lines may carry App Store Connect data: one line each, so none can start a workflow command.
const logLine = (line: string): void => core.info(oneLine(scrub(line), 2000))

/** What the error path needs from a run that got part of the way. */
interface Progress {
  config?: Config
  client?: AscClient
  comment?: CommentPlan
}

/** Orchestrates one run: inputs → App Store Connect → verdict → outputs, summary, comment, exit status. */
export async function run(): Promise<void> {
  const started = performance.now()
  const transport = createTransport()
  const progress: Progress = {}
  try {
    // Mask before anything can be logged, even before the inputs are validated.
    for (const name of ['private-key', 'github-token']) protect(readInput(name))
    const skipReason = forkWithoutKey()
    if (skipReason) return await skip(skipReason, started)
    const config = (progress.config = parseConfig(readInput))
    for (const secret of [...config.keySecrets, config.githubToken]) protect(secret)
    await gate(config, transport, progress, started)
  } catch (error) {
    // The comment lookup started early; nothing will read it now.
    if (progress.comment && 'sticky' in progress.comment) progress.comment.sticky.abort()
    const message = explain(error)
    writeReportFile(progress.config, { error: message }, progress.client, started)
    core.setFailed(scrub(message))
  } finally {
    transport.close()
  }
}

async function gate(
  config: Config,
  transport: ReturnType<typeof createTransport>,
  progress: Progress,
  started: number
): Promise<void> {
  const policy = retryPolicy(Number(process.env.ASC_GATE_TIME_SCALE ?? 1))
  const comment = (progress.comment = planComment(config, transport.send, policy))
  const deadline = new AbortController()
  const client = (progress.client = new AscClient({
    baseUrl: config.apiBaseUrl,
    send: transport.send,
    policy,
    log: logLine,
    signal: deadline.signal,
    tokens: new TokenSource({
      keyId: config.keyId,
      issuerId: config.issuerId,
      key: config.privateKey,
      onMint: protect
    })
  }))

  const data = await core.group('Fetch diagnostics from App Store Connect', async () => {
    const collected = await withDeadline(config, deadline, () => collect(client, config, logLine))
    const { remaining, limit } = client.rateLimit ?? {}
    if (remaining !== undefined) {
      core.info(
        `App Store Connect budget: ${remaining} of ${limit ?? '?'} requests left this hour (${client.requests} used by this run).`
      )
    }
    return collected
  })

  const verdict = evaluate({
    types: config.types,
    current: data.current.lists,
    baseline: data.baseline?.lists,
    limit: config.limit,
    thresholds: config.thresholds,
    noData: config.noData,
    maxWeightIncrease: config.maxWeightIncrease
  })
  const verdictFailure = failureLine(verdict, config, data.current.build.id)
  const release = await act(client, config, data, verdictFailure)
  const failure = withPause(verdictFailure, release)
  const context: ReportContext = {
    buildId: data.current.build.id,
    buildLabel: data.current.build.label,
    baseline: data.baseline && { id: data.baseline.build.id, label: data.baseline.build.label },
    runUrl: runUrl(),
    thresholds: config.thresholds,
    maxWeightIncrease: config.maxWeightIncrease,
    rateLimit: client.rateLimit,
    backtraces: data.backtraces,
    release
  }
  const report = fitReport(detail => renderReport(verdict, context, detail), {
    measure: utf8Bytes,
    max: GITHUB_LIMITS.summaryBudgetBytes,
    elsewhere: 'the JSON report (see the report-path output)'
  })

  // Outputs first, then the summary and the comment, and the failure last.
  await core.group('Report', async () => {
    setOutputs(verdict, {
      buildId: data.current.build.id,
      baselineBuildId: data.baseline?.build.id,
      report,
      release
    })
    writeReportFile(config, { verdict, data, failure, release }, client, started)
    if (release?.error) core.error(scrub(release.error), { title: 'Phased release' })
    warnAboutGaps(config, verdict, data)
    annotate(verdict, config, Boolean(failure))
    await writeSummary(report)
    core.info(verdictLine(verdict, failure))
  })

  await core.group('Pull request comment', () =>
    publishComment(
      comment,
      // Without the hourly budget, which changes every run: an identical rerun then skips the write.
      detail => renderReport(verdict, { ...context, rateLimit: undefined }, detail),
      verdict.breaches.length + verdict.regressions.length > 0,
      config.comment === 'on-breach'
    )
  )

  if (failure) core.setFailed(scrub(failure))
}

/**
 * The "act" step: with `version: live`, the release guard looks at the live version's phased
 * release and, in pause-on-failure mode, pauses it when the run fails.
 */
async function act(
  client: AscClient,
  config: Config,
  data: Collected,
  failure: string | undefined
): Promise<GuardOutcome | undefined> {
  const version = data.current.build.appStoreVersion
  if (version?.status !== 'live') return undefined
  return core.group('Phased release', () =>
    guardRelease(client, version, failure, config.phasedRelease, logLine)
  )
}

/** The failure line starts with the pause, the one thing this run changed. */
function withPause(
  failure: string | undefined,
  release: GuardOutcome | undefined
): string | undefined {
  if (!failure || !release?.paused || !release.release) return failure
  const day = rolloutDay(release.release)
  return `Paused the phased release of ${release.version}${day ? ` at ${day}` : ''}. ${failure}`
}

function verdictLine(verdict: Verdict, failure: string | undefined): string {
  if (verdict.result === 'no-data') {
    return `Verdict: no data yet, nothing was checked${failure ? " ('no-data' is 'fail')" : ''}.`
  }
  return verdict.passed
    ? 'Verdict: passed.'
    : `Verdict: failed${failure ? '' : ' (reported only: failing is turned off)'}.`
}

/**
 * GitHub runs a fork's `pull_request` workflow without the repository's secrets, so the key is
 * empty: an expected reason not to gate, not an input error. Any other empty key still is one.
 */
function forkWithoutKey(): string | undefined {
  const empty = ['key-id', 'private-key'].filter(name => !readInput(name).trim())
  const pull = empty.length ? forkPullRequest() : undefined
  if (pull === undefined) return undefined
  const inputs = empty.map(name => `'${name}'`).join(' and ')
  return `pull request #${pull} comes from a fork, and GitHub passes no secrets to workflows run for forks, so ${inputs} ${empty.length === 1 ? 'is' : 'are'} empty`
}

/** Ends the step green with result=skipped: one warning, one summary line, the JSON report. */
async function skip(reason: string, started: number): Promise<void> {
  core.warning(`App Store diagnostics gate skipped: ${reason}. See ${FORK_DOCS_URL}`)
  core.setOutput('result', 'skipped')
  core.setOutput('passed', '')
  writeReportFile(undefined, { skipped: reason }, undefined, started)
  await writeSummary(
    `⏭️ App Store diagnostics gate skipped: ${reason} ([pull requests from forks](${FORK_DOCS_URL})).\n`
  )
}

/** Masks a secret in log lines, and registers it with the scrubber for everything published. */
function protect(value: string): void {
  if (!value.trim()) return
  core.setSecret(value)
  addSecret(value)
}

/**
 * Runs the App Store Connect phase within `timeout-minutes`: past it every request and wait is
 * aborted, and the run fails with a sentence that says so.
 */
async function withDeadline<T>(
  config: Config,
  deadline: AbortController,
  phase: () => Promise<T>
): Promise<T> {
  const timer = setTimeout(() => deadline.abort(), config.timeoutMinutes * 60_000)
  const expired = (): ServiceError =>
    new ServiceError(
      `App Store Connect did not finish within 'timeout-minutes' (${config.timeoutMinutes} minute${config.timeoutMinutes === 1 ? '' : 's'}); Apple may be slow or throttling: rerun later, or raise 'timeout-minutes'.`
    )
  try {
    const result = await phase()
    if (deadline.signal.aborted) throw expired()
    return result
  } catch (error) {
    throw deadline.signal.aborted ? expired() : error
  } finally {
    clearTimeout(timer)
  }
}

/** The JSON report is written on every run; before the inputs are valid, at the default path. */
function writeReportFile(
  config: Config | undefined,
  outcome: {
    verdict?: Verdict
    data?: Collected
    failure?: string
    release?: GuardOutcome
    error?: string
    skipped?: string
  },
  client: AscClient | undefined,
  started: number
): void {
  try {
    const path = writeJsonReport(
      buildJsonReport({
        ...outcome,
        settings: config && {
          thresholds: config.thresholds,
          maxWeightIncrease: config.maxWeightIncrease
        },
        rateLimit: client?.rateLimit,
        requests: client?.requests ?? 0,
        totalMs: performance.now() - started
      }),
      config?.reportPath
    )
    core.setOutput('report-path', path)
  } catch (error) {
    core.warning(`Could not write the JSON report: ${messageOf(error)}`)
  }
}

function warnAboutGaps(config: Config, verdict: Verdict, data: Collected): void {
  if (config.noData === 'warn') {
    for (const type of verdict.emptyTypes) {
      core.warning(
        `No ${TYPE_LABELS[type].toLowerCase()} diagnostics for build ${data.current.build.id} yet: Apple publishes them a few days after release, once enough users share analytics.`
      )
    }
  }
  const unavailable = [...data.backtraces.values()].filter(result => !result.ok)
  if (unavailable.length) {
    core.warning(
      scrub(
        `${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0].ok ? '' : unavailable[0].reason}`
      )
    )
  }
  const baselineEmpty = [...(data.baseline?.lists.values() ?? [])]
    .filter(list => list.signatures.length === 0 && config.types.includes(list.type))
    .map(list => TYPE_LABELS[list.type].toLowerCase())
  if (baselineEmpty.length) {
    core.warning(
      `The baseline build ${data.baseline!.build.id} has no ${baselineEmpty.join(', ')} diagnostics, so ${baselineEmpty.length === 1 ? 'that type was' : 'those types were'} not compared with it.`
    )
  }
  if (data.baseline && data.baseline.build.id === data.current.build.id) {
    core.warning('The baseline is the same build as the one gated, so nothing can regress.')
  }
}

async function writeSummary(report: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(
      'GITHUB_STEP_SUMMARY is not set (not on a runner); the report is in the `report` output.'
    )
    return
  }
  await core.summary.addRaw(scrub(report)).write()
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined
}

/** Our own errors are already one actionable sentence; anything else is a bug to report. */
function explain(error: unknown): string {
  if (error instanceof InputError || error instanceof ServiceError || error instanceof DataError) {
    return error.message
  }
  if (error instanceof Error && error.stack) core.debug(error.stack)
  return `Unexpected error: ${messageOf(error)}. Please report it with the debug log (re-run with debug logging enabled).`
}
