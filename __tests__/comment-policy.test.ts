import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { temporaryDirectory } from '../test-support/temp.mjs'
import type { StickyComment, CommentResult } from '../src/github/comment.js'
import type { HttpResponse, Transport } from '../src/http/transport.js'
import { makeKey } from '../test-support/keys.js'

// The comment policy (src/publish/comment.ts): whether to comment at all, and what to make of
// the sticky comment's answer. @actions/core is replaced so the test can read what it logs.
const logged: [string, string][] = []
const outputs: Record<string, string> = {}
jest.unstable_mockModule('@actions/core', () => ({
  info: (message: string) => logged.push(['info', message]),
  warning: (message: string) => logged.push(['warning', message]),
  setOutput: (name: string, value: string) => (outputs[name] = value),
  setSecret: () => {},
  group: async <T>(_name: string, fn: () => Promise<T>) => fn()
}))
const { planComment, publishComment } = await import('../src/publish/comment.js')
const { parseConfig } = await import('../src/config/parse.js')
const { GITHUB_LIMITS } = await import('../src/constants.js')
const { retryPolicy } = await import('../src/http/retry.js')
const { Detail } = await import('../src/report/render.js')

const key = makeKey()
const config = (inputs: Record<string, string> = {}) => {
  const all: Record<string, string> = {
    'key-id': key.keyId,
    'private-key': key.pem,
    'build-id': 'build-1',
    'github-token': 'ghs_test0000000000000000000000000000000000',
    ...inputs
  }
  return parseConfig(name => all[name] ?? '')
}
const answer: Transport = async (): Promise<HttpResponse> => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '[]'
})
const saved = { ...process.env }
/** A `pull_request` event for `number`, from `head` (a fork when it is not acme/app). */
function onPullRequest(number: number, head = 'acme/app', event = 'pull_request'): void {
  const path = join(temporaryDirectory('comment-policy-'), 'event.json')
  writeFileSync(
    path,
    JSON.stringify({ pull_request: { number, head: { repo: { full_name: head } } } })
  )
  Object.assign(process.env, {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: path,
    GITHUB_API_URL: 'https://api.github.test'
  })
}
afterEach(() => {
  process.env = { ...saved }
  logged.length = 0
  for (const name of Object.keys(outputs)) delete outputs[name]
})

describe('whether to comment', () => {
  it("does not comment when 'comment' is false, and says so quietly", () => {
    onPullRequest(7)
    expect(planComment(config({ comment: 'false' }), answer, retryPolicy())).toEqual({
      skip: "'comment' is false",
      warn: false
    })
  })

  it('does not comment without a pull request, quietly', () => {
    delete process.env.GITHUB_REPOSITORY
    expect(planComment(config(), answer, retryPolicy())).toEqual({
      skip: 'no pull request to comment on: GITHUB_REPOSITORY is not set (not on a runner)',
      warn: false
    })
  })

  it("warns instead of commenting on a fork's pull_request, which has a read-only token", () => {
    onPullRequest(7, 'someone/app')
    const plan = planComment(config(), answer, retryPolicy())
    expect(plan).toMatchObject({ warn: true })
    expect('skip' in plan && plan.skip).toMatch(
      /^Not commenting on pull request #7: it comes from a fork, .* 'pull_request_target'/
    )
  })

  it("warns when 'github-token' is empty", () => {
    onPullRequest(7)
    expect(planComment(config({ 'github-token': '' }), answer, retryPolicy())).toEqual({
      skip: "'github-token' is empty, so pull request #7 gets no comment.",
      warn: true
    })
  })

  it('starts looking for the sticky comment at once otherwise', () => {
    onPullRequest(7)
    const plan = planComment(config({ 'comment-header': 'ios' }), answer, retryPolicy())
    expect('sticky' in plan && plan.sticky.marker).toBe('<!-- asc-diagnostics-gate:ios -->')
    if ('sticky' in plan) plan.sticky.abort()
  })
})

describe("what is made of the comment's answer", () => {
  const sticky = (result: CommentResult) => {
    const publish = jest.fn(async (_report: string, _createIfMissing: boolean) => result)
    const comment = { marker: '<!-- asc-diagnostics-gate: -->', publish }
    return { plan: { sticky: comment as unknown as StickyComment }, publish }
  }
  const render = () => 'report\n'

  it('creates a comment in mode on-breach only when something was found', async () => {
    const found = sticky({ action: 'created', id: 5, url: 'https://github.test/c/5' })
    await publishComment(found.plan, render, true, true)
    expect(found.publish).toHaveBeenCalledWith('report\n', true)
    expect(outputs).toEqual({ 'comment-id': '5', 'comment-url': 'https://github.test/c/5' })

    const clean = sticky({ action: 'skipped', note: 'nothing breached or regressed' })
    await publishComment(clean.plan, render, false, true)
    expect(clean.publish).toHaveBeenCalledWith('report\n', false)
    expect(logged).toContainEqual([
      'info',
      'No pull-request comment: nothing breached or regressed.'
    ])
    expect(outputs).toEqual({ 'comment-id': '', 'comment-url': '' })
  })

  it('always creates it in mode true', async () => {
    const always = sticky({ action: 'unchanged', id: 5, url: 'u' })
    await publishComment(always.plan, render, false, false)
    expect(always.publish).toHaveBeenCalledWith('report\n', true)
  })

  it('fits the report under the comment limit with the marker, dropping detail first', async () => {
    const { plan, publish } = sticky({ action: 'created', id: 1, url: 'u' })
    const huge = (detail: number) => (detail === Detail.Full ? 'x'.repeat(70_000) : 'short\n')
    await publishComment(plan, huge, true, false)
    const [report] = publish.mock.calls[0]
    expect(report.startsWith('short\n')).toBe(true)
    expect(report.length + plan.sticky.marker.length + 1).toBeLessThanOrEqual(
      GITHUB_LIMITS.commentBudgetChars
    )
  })

  it('turns a failure into a warning, never a failed job', async () => {
    const { plan } = sticky({
      action: 'failed',
      note: 'Could not comment on pull request #7 (HTTP 403).'
    })
    await publishComment(plan, render, true, false)
    expect(logged).toEqual([['warning', 'Could not comment on pull request #7 (HTTP 403).']])
    expect(outputs['comment-id']).toBe('')
  })

  it('logs a planned skip as a warning or an info line', async () => {
    await publishComment({ skip: 'fork', warn: true }, render, true, false)
    await publishComment({ skip: "'comment' is false", warn: false }, render, true, false)
    expect(logged).toEqual([
      ['warning', 'fork'],
      ['info', "No pull-request comment: 'comment' is false."]
    ])
  })
})
