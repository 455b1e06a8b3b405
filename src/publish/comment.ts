import * as core from '@actions/core'
import type { Config } from '../config/parse.js'
import { GITHUB_LIMITS } from '../constants.js'
import type { RetryPolicy } from '../http/retry.js'
import type { Transport } from '../http/transport.js'
import { characters, fitReport } from '../report/fit.js'
import { renderReport, type Detail } from '../report/render.js'
import { FORK_REMEDY, StickyComment } from '../github/comment.js'
import { findPullRequest } from '../github/pull-request.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import type { Outcome } from '../outcome.js'
import { reportContext } from '../report/context.js'

/** Why no comment will be written, or the comment whose lookup is already running. */
export type CommentPlan = { sticky: StickyComment } | { skip: string; warn: boolean }

/** Decides on the comment up front and starts its lookup, before App Store Connect answers. */
export function planComment(config: Config, send: Transport, policy: RetryPolicy): CommentPlan {
  if (config.comment === 'never') return { skip: "'comment' is false", warn: false }
  const found = findPullRequest(config.prNumber)
  if ('none' in found) return { skip: `no pull request to comment on: ${found.none}`, warn: false }
  const { target } = found
  if (target.fromFork) {
    return {
      skip: `Not commenting on pull request #${target.number}: it comes from a fork, and GitHub gives fork pull requests a read-only token; to comment, ${FORK_REMEDY} The job summary has the full report.`,
      warn: true
    }
  }
  if (!config.githubToken) {
    return {
      skip: `'github-token' is empty, so pull request #${target.number} gets no comment.`,
      warn: true
    }
  }
  const apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com'
  return {
    sticky: new StickyComment({
      token: config.githubToken,
      apiUrl,
      target,
      header: config.commentHeader,
      send,
      policy
    })
  }
}

/** Posts or updates the comment and sets its outputs; every problem is a warning. */
export async function publishComment(
  plan: CommentPlan,
  render: (detail: Detail) => string,
  somethingFound: boolean,
  onBreachOnly: boolean
): Promise<void> {
  if ('skip' in plan) {
    if (plan.warn) core.warning(plan.skip)
    else core.info(`No pull-request comment: ${plan.skip}.`)
    return
  }
  // Scrubbing only shortens a text, so what fits still fits.
  const report = fitReport(detail => scrub(render(detail)), {
    measure: characters,
    max: GITHUB_LIMITS.commentBudgetChars - plan.sticky.marker.length - 1,
    elsewhere: 'the job summary of this workflow run'
  })
  const result = await plan.sticky.publish(report, somethingFound || !onBreachOnly)
  if (result.action === 'failed')
    core.warning(scrub(result.note ?? 'Could not write the pull-request comment.'))
  else if (result.action === 'skipped') core.info(`No pull-request comment: ${result.note}.`)
  else core.info(oneLine(`Pull-request comment ${result.action}: ${result.url}`, 300))
  core.setOutput('comment-id', result.id === undefined ? '' : String(result.id))
  core.setOutput('comment-url', result.url ?? '')
}

/**
 * The comment's sink: a judged run writes it; a failed run only stops the lookup, which nothing
 * will read now.
 */
export async function pullRequestComment(outcome: Outcome): Promise<void> {
  const plan = outcome.comment
  if (!plan) return
  if (outcome.kind === 'failed' && 'sticky' in plan) plan.sticky.abort()
  if (outcome.kind !== 'judged') return
  const { verdict, config } = outcome
  // Without the hourly budget, which changes every run: an identical rerun then skips the write.
  const context = { ...reportContext(outcome), rateLimit: undefined }
  await core.group('Pull request comment', () =>
    publishComment(
      plan,
      detail => renderReport(verdict, context, detail),
      verdict.findings.some(f => f.kind !== 'no-data'),
      config.comment === 'on-breach'
    )
  )
}
