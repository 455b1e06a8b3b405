import { ACTION_NAME, GITHUB_LIMITS } from '../constants.js'
import { messageOf } from '../errors.js'
import { nextRetry, RetriesExhausted, sleep, type RetryPolicy } from '../http/retry.js'
import { NetworkError, type Transport } from '../http/transport.js'
import { oneLine } from '../text.js'
import { fetchOverTransport } from './fetch.js'
import type { PullRequestTarget } from './pull-request.js'

/** The hidden line that makes the comment sticky; the header tells several apart. */
function commentMarker(header: string): string {
  return `<!-- ${ACTION_NAME}:${header} -->`
}

interface Existing {
  id: number
  url: string
  body: string
}

export interface CommentResult {
  id?: number
  url?: string
  action: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed'
  /** Why nothing was written, for a warning or an info line. */
  note?: string
}

export interface StickyOptions {
  token: string
  apiUrl: string
  target: PullRequestTarget
  header: string
  send: Transport
  policy: RetryPolicy
}

type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>
type Lookup = { ok: true; existing?: Existing } | { ok: false; error: unknown }

/**
 * The pull request's sticky comment. The lookup starts at once, so it overlaps the App Store
 * Connect requests; `publish` then creates, updates, or skips an identical write.
 */
export class StickyComment {
  readonly marker: string
  private readonly octokit: Promise<Octokit>
  private readonly lookup: Promise<Lookup>
  private readonly controller = new AbortController()

  constructor(private readonly options: StickyOptions) {
    this.marker = commentMarker(options.header)
    this.octokit = loadOctokit(options, this.controller.signal)
    this.lookup = this.find().then(
      existing => ({ ok: true as const, existing }),
      error => ({ ok: false as const, error })
    )
  }

  /** Pages through every comment: only a bot's comment with the exact marker is ours. */
  private async find(): Promise<Existing | undefined> {
    const octokit = await this.octokit
    const { owner, repo, number } = this.options.target
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: number,
      per_page: GITHUB_LIMITS.commentsPerPage
    })
    for await (const page of pages) {
      const mine = page.data.find(
        c => c.user?.type === 'Bot' && (c.body ?? '').includes(this.marker)
      )
      if (mine) return { id: mine.id, url: mine.html_url, body: mine.body ?? '' }
    }
    return undefined
  }

  /**
   * Writes `report` under the marker. With `createIfMissing` false (mode on-breach and
   * nothing found), an existing comment is still updated so a fixed build shows as fixed.
   */
  async publish(report: string, createIfMissing: boolean): Promise<CommentResult> {
    const lookup = await this.lookup
    if (!lookup.ok) return failure(lookup.error, this.options.target, this.options.apiUrl)
    try {
      return await this.write(lookup.existing, `${this.marker}\n${report}`, createIfMissing)
    } catch (error) {
      return failure(error, this.options.target, this.options.apiUrl)
    }
  }

  /** Stops the lookup, and any retry wait, when the run ends before it needs the comment. */
  abort(): void {
    this.controller.abort()
  }

  private async write(
    existing: Existing | undefined,
    body: string,
    createIfMissing: boolean
  ): Promise<CommentResult> {
    const { owner, repo, number } = this.options.target
    const octokit = await this.octokit
    if (existing?.body === body) return { id: existing.id, url: existing.url, action: 'unchanged' }
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body
      })
      return { id: data.id, url: data.html_url, action: 'updated' }
    }
    if (!createIfMissing) {
      return {
        action: 'skipped',
        note: 'nothing breached or regressed, and there is no earlier comment to update'
      }
    }
    const { policy } = this.options
    let waitedMs = 0
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: number,
          body
        })
        return { id: data.id, url: data.html_url, action: 'created' }
      } catch (error) {
        // A create that failed on the way back may have landed: look before trying again.
        const status = (error as { status?: number }).status
        const decision = nextRetry(policy, attempt, waitedMs, undefined)
        if ((status !== undefined && status < 500) || !decision.retry) throw error
        await sleep(decision.delayMs, this.controller.signal)
        waitedMs += decision.delayMs
        const landed = await this.find()
        if (landed) return this.write(landed, body, false)
      }
    }
  }
}

async function loadOctokit(options: StickyOptions, signal: AbortSignal): Promise<Octokit> {
  // Loaded only when a comment is due: it costs start-up time every other run would pay.
  const { getOctokit } = await import('@actions/github')
  const baseUrl = options.apiUrl.replace(/\/+$/, '')
  return getOctokit(options.token, {
    baseUrl,
    request: {
      fetch: fetchOverTransport(options.send, options.policy, new URL(baseUrl).origin),
      signal
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
  })
}

/** How to comment on a fork's pull request anyway. */
export const FORK_REMEDY =
  "run the gate on 'pull_request_target' (safe here, the action checks out and runs no pull-request code) or pass 'pr-number' from a 'workflow_run' follow-up."
const FORK_ADVICE = `Pull requests from forks get a read-only token: ${FORK_REMEDY}`

/** A comment failure is a warning, never the reason the job fails. */
function failure(error: unknown, target: PullRequestTarget, apiUrl: string): CommentResult {
  // Octokit reports a request that never got an answer as HTTP 500; say what happened instead.
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof RetriesExhausted && cause.last instanceof NetworkError) {
    return {
      action: 'failed',
      note: `Could not comment on pull request #${target.number}: could not connect to GitHub's API at ${oneLine(apiUrl, 200)} (${cause.last.message}, ${cause.attempts} attempt${cause.attempts === 1 ? '' : 's'}); the verdict stands and the job summary has the full report.`
    }
  }
  const status = (error as { status?: number }).status
  const apiMessage = (error as { response?: { data?: { message?: unknown } } }).response?.data
    ?.message
  const detail = typeof apiMessage === 'string' ? `: ${oneLine(apiMessage, 200)}` : ''
  const where = `pull request #${target.number}`
  if (status === 403) {
    return {
      action: 'failed',
      note: `Could not comment on ${where} (HTTP 403${detail}). The workflow needs 'permissions: pull-requests: write'. ${FORK_ADVICE} The job summary has the full report.`
    }
  }
  if (status === 404) {
    return {
      action: 'failed',
      note: `Could not comment on ${where} (HTTP 404${detail}): check 'pr-number' and that the token can see ${target.owner}/${target.repo}. The job summary has the full report.`
    }
  }
  return {
    action: 'failed',
    note: `Could not comment on ${where} (${status ? `HTTP ${status}${detail}` : oneLine(messageOf(error), 200)}); the verdict stands and the job summary has the full report.`
  }
}
