import { ACTION_NAME, GITHUB_LIMITS } from '../constants.js'
import { InputError, messageOf } from '../errors.js'
import { nextRetry, RetriesExhausted, sleep, type RetryPolicy } from '../http/retry.js'
import { NetworkError, type Transport } from '../http/transport.js'
import { scrub } from '../secrets.js'
import { describeValue, oneLine } from '../text.js'
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
/** Our comments on the pull request, oldest first. */
type Lookup = { ok: true; ours: Existing[] } | { ok: false; error: unknown }

/** A GitHub answer outside 2xx that Octokit returned instead of throwing (a redirect). */
class UnexpectedStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
  }
}

/** One page of the comment list as Octokit hands it back, before it is checked. */
interface ListPage {
  status: number
  headers: { link?: string; location?: string; 'content-type'?: string }
  data: unknown
}

interface ListedComment {
  id: number
  html_url?: string
  body?: string
  user?: { type?: string } | null
}

/** A comment list page that is not a 2xx JSON list: what GitHub answered, in a few words. */
class UnusableList extends Error {
  constructor(
    readonly answer: string,
    readonly redirected = false
  ) {
    super(answer)
  }
}

/** The page's comments, or UnusableList: Octokit hands back a 3xx, and any body it could not parse. */
function commentsIn(page: ListPage): ListedComment[] {
  const { status, headers, data } = page
  if (status < 200 || status > 299) {
    const location = headers.location ? `, a redirect to ${oneLine(headers.location, 200)}` : ''
    throw new UnusableList(`HTTP ${status}${location}`, status >= 300 && status < 400)
  }
  if (typeof data === 'string' || data instanceof ArrayBuffer) {
    const type = oneLine(headers['content-type'] ?? 'no content type', 80)
    throw new UnusableList(`HTTP ${status} and a body that is not JSON (${type})`)
  }
  if (!Array.isArray(data)) {
    throw new UnusableList(`HTTP ${status} and ${describeValue(data)} in JSON`)
  }
  return data.filter((c): c is ListedComment => typeof c?.id === 'number')
}

/** The `rel="next"` URL of a Link header. */
function nextPage(link: string | undefined): string | undefined {
  return /<([^<>]+)>;\s*rel="next"/.exec(link ?? '')?.[1]
}

/** Octokit throws on 4xx and 5xx but hands back a 3xx: nothing was written then. */
function written<T extends { id?: number; html_url?: string }>(response: {
  status: number
  data: T
}): { id: number; url: string } {
  const { status, data } = response
  if (status < 200 || status > 299 || typeof data?.id !== 'number')
    throw new UnexpectedStatus(status)
  return { id: data.id, url: String(data.html_url ?? '') }
}

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
      ours => ({ ok: true as const, ours }),
      error => ({ ok: false as const, error })
    )
  }

  /**
   * Pages through every comment. Only a bot's comment that starts with the exact marker is
   * ours: a person's, or another bot's that quotes the marker, never is. A page that is not a
   * 2xx JSON list fails the lookup: read as "no comment yet", it would add a comment every run.
   */
  private async find(): Promise<Existing[]> {
    const octokit = await this.octokit
    const { owner, repo, number } = this.options.target
    let response: ListPage = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: GITHUB_LIMITS.commentsPerPage
    })
    const ours: Existing[] = []
    for (;;) {
      for (const c of commentsIn(response)) {
        if (c.user?.type === 'Bot' && (c.body ?? '').startsWith(this.marker))
          ours.push({ id: c.id, url: String(c.html_url ?? ''), body: c.body ?? '' })
      }
      const next = nextPage(response.headers.link)
      if (!next) break
      response = await octokit.request({ method: 'GET', url: next })
    }
    return ours.sort((a, b) => a.id - b.id)
  }

  /**
   * Writes `report` under the marker. With `createIfMissing` false (mode on-breach and
   * nothing found), an existing comment is still updated so a fixed build shows as fixed.
   */
  async publish(report: string, createIfMissing: boolean): Promise<CommentResult> {
    const lookup = await this.lookup
    if (!lookup.ok) return failure(lookup.error, this.options.target, this.options.apiUrl)
    try {
      const [oldest, ...duplicates] = lookup.ours
      const result = await this.write(oldest, `${this.marker}\n${report}`, createIfMissing)
      await this.remove(duplicates)
      return result
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
      const comment = written(
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body })
      )
      return { ...comment, action: 'updated' }
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
      let created: { id: number; url: string }
      try {
        created = written(
          await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body })
        )
      } catch (error) {
        // A create that failed on the way back may have landed: look before trying again.
        const status = (error as { status?: number }).status
        const decision = nextRetry(policy, attempt, waitedMs, undefined)
        if ((status !== undefined && status < 500) || !decision.retry) throw error
        await sleep(decision.delayMs, this.controller.signal)
        waitedMs += decision.delayMs
        const [landed, ...duplicates] = await this.find()
        if (landed) {
          await this.remove(duplicates)
          return this.write(landed, body, false)
        }
        continue
      }
      return this.settle(created, body)
    }
  }

  /**
   * Another run on the same pull request may have created its comment at the same moment:
   * list again, keep the oldest of ours with this report in it, and delete the newer ones.
   */
  private async settle(created: { id: number; url: string }, body: string): Promise<CommentResult> {
    let ours: Existing[]
    try {
      ours = await this.find()
    } catch {
      return { ...created, action: 'created' } // written; only the check for a twin failed
    }
    const [oldest, ...newer] = ours
    if (!oldest || oldest.id === created.id) {
      await this.remove(newer)
      return { ...created, action: 'created' }
    }
    let result: CommentResult
    try {
      result = await this.write(oldest, body, false)
    } catch {
      return { ...created, action: 'created' } // the twin could not be written: keep ours
    }
    await this.remove(newer)
    return result
  }

  /**
   * Deletes our duplicate comments, best effort: one another run deleted first is already gone,
   * and one left behind is only stale (the next run tries again), never worth a warning.
   */
  private async remove(duplicates: Existing[]): Promise<void> {
    if (duplicates.length === 0) return
    const { owner, repo } = this.options.target
    const octokit = await this.octokit
    for (const duplicate of duplicates) {
      await octokit.rest.issues
        .deleteComment({ owner, repo, comment_id: duplicate.id })
        .catch(() => undefined)
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
  if (error instanceof UnusableList) {
    const why = error.redirected
      ? `, which the action does not follow with its token: if ${target.owner}/${target.repo} was renamed or moved, run the workflow in the repository under its new name`
      : ' instead of a list of comments, so the action cannot tell whether it already commented'
    return {
      action: 'failed',
      note: `Could not comment on pull request #${target.number}: GitHub answered the list of its comments with ${error.answer}${why}; the verdict stands and the job summary has the full report.`
    }
  }
  // Octokit reports a request that never got an answer as HTTP 500; say what happened instead.
  const cause = (error as { cause?: unknown }).cause
  // A setting of the runner's, such as an unusable HTTP_PROXY: it says what to change.
  if (cause instanceof InputError) {
    const setting = cause.message.replace(/\.$/, '')
    return {
      action: 'failed',
      note: `Could not comment on pull request #${target.number}: ${setting.charAt(0).toLowerCase()}${setting.slice(1)}; the verdict stands and the job summary has the full report.`
    }
  }
  if (cause instanceof RetriesExhausted && cause.last instanceof NetworkError) {
    return {
      action: 'failed',
      note: `Could not comment on pull request #${target.number}: could not connect to GitHub's API at ${oneLine(apiUrl, 200)} (${cause.last.message}, ${cause.attempts} attempt${cause.attempts === 1 ? '' : 's'}); the verdict stands and the job summary has the full report.`
    }
  }
  const status = (error as { status?: number }).status
  const apiMessage = (error as { response?: { data?: { message?: unknown } } }).response?.data
    ?.message
  const detail = typeof apiMessage === 'string' ? `: ${oneLine(scrub(apiMessage), 200)}` : ''
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
    note: `Could not comment on ${where} (${status ? `HTTP ${status}${detail}` : oneLine(scrub(messageOf(error)), 200)})${status && status >= 300 && status < 400 ? ': GitHub redirected the request, and the action follows no redirect with its token' : ''}; the verdict stands and the job summary has the full report.`
  }
}
