import * as core from '@actions/core'
import { AscClient } from './asc/client.js'
import { TokenSource } from './asc/token.js'
import { collect } from './collect.js'
import { parseConfig } from './config.js'
import { GITHUB_LIMITS, TYPE_LABELS } from './constants.js'
import { InputError, messageOf, ServiceError, DataError } from './errors.js'
import { evaluate, failureLine } from './gate.js'
import { retryPolicy } from './http/retry.js'
import { createTransport } from './http/transport.js'
import { annotate, setOutputs } from './outputs.js'
import { fitReport, utf8Bytes } from './report/fit.js'
import { renderReport, type Detail, type ReportContext } from './report/render.js'
import { planComment, publishComment } from './github/sticky-step.js'

const readInput = (name: string): string => core.getInput(name, { trimWhitespace: false })

/** Orchestrates one run: inputs → App Store Connect → verdict → outputs, summary, exit status. */
export async function run(): Promise<void> {
  const transport = createTransport()
  try {
    // Mask before anything can be logged, even before the inputs are validated.
    for (const name of ['private-key', 'github-token']) maskValue(readInput(name))
    const config = parseConfig(readInput)
    for (const secret of config.keySecrets) core.setSecret(secret)

    const policy = retryPolicy(Number(process.env.ASC_GATE_TIME_SCALE ?? 1))
    const comment = planComment(config, transport.send, policy)
    const client = new AscClient({
      baseUrl: config.apiBaseUrl,
      send: transport.send,
      policy,
      log: line => core.info(line),
      tokens: new TokenSource({
        keyId: config.keyId,
        issuerId: config.issuerId,
        key: config.privateKey,
        onMint: token => core.setSecret(token)
      })
    })

    const data = await core.group('Fetch diagnostic signatures from App Store Connect', () =>
      collect(client, config, line => core.info(line))
    )
    if (client.rateLimit?.remaining !== undefined) {
      core.info(
        `App Store Connect budget: ${client.rateLimit.remaining} of ${client.rateLimit.limit ?? '?'} requests left this hour (${client.requests} used by this run).`
      )
    }

    const verdict = evaluate({
      types: config.types,
      current: data.current,
      limit: config.limit,
      thresholds: config.thresholds,
      noData: config.noData,
      maxWeightIncrease: config.maxWeightIncrease
    })
    const failure = failureLine(verdict, config, data.build.id)
    const context: ReportContext = {
      buildId: data.build.id,
      buildLabel: data.build.label,
      runUrl: runUrl(),
      thresholds: config.thresholds,
      maxWeightIncrease: config.maxWeightIncrease,
      rateLimit: client.rateLimit
    }
    const render = (detail: Detail): string => renderReport(verdict, context, detail)
    const report = fitReport(render, {
      measure: utf8Bytes,
      max: GITHUB_LIMITS.summaryBudgetBytes,
      elsewhere: 'the JSON report'
    })

    await core.group('Report', async () => {
      setOutputs(verdict, { buildId: data.build.id, report })
      if (config.noData === 'warn') {
        for (const type of verdict.emptyTypes) {
          core.warning(
            `No ${TYPE_LABELS[type].toLowerCase()} diagnostics for build ${data.build.id} yet: Apple publishes them a few days after release, once enough users share analytics.`
          )
        }
      }
      annotate(verdict, Boolean(failure))
      await writeSummary(report)
      core.info(
        verdict.passed
          ? 'Verdict: passed.'
          : `Verdict: failed${failure ? '' : ' (reported only: fail-on-breach is false)'}.`
      )
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

    if (failure) core.setFailed(failure)
  } catch (error) {
    core.setFailed(explain(error))
  } finally {
    transport.close()
  }
}

function maskValue(value: string): void {
  if (value.trim()) core.setSecret(value)
}

async function writeSummary(report: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(
      'GITHUB_STEP_SUMMARY is not set (not on a runner); the report is in the `report` output.'
    )
    return
  }
  await core.summary.addRaw(report).write()
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
