import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { filler, sampleBuild } from '../test-support/scenarios.mjs'
import {
  expectNoSecrets,
  GITHUB_TOKEN as TOKEN,
  startHarness,
  type GithubSim,
  type Harness
} from '../test-support/harness.js'

const MARKER = '<!-- asc-diagnostics-gate: -->'

let h: Harness
let gh: GithubSim
let nextPr = 1
beforeAll(async () => {
  h = await startHarness()
  gh = h.github
})
afterAll(() => h.close())
beforeEach(() => h.reset())

const onPr = (
  number: number,
  inputs: Record<string, string> = {},
  headRepo?: string,
  event?: string
) => h.onPullRequest(number, inputs, headRepo, event)
const writes = () => gh.timeline.filter(r => r.method !== 'GET')

describe('the sticky pull-request comment', () => {
  it('leaves one comment over two runs, updated in place, and skips an identical write', async () => {
    const pr = nextPr++
    const first = await onPr(pr)
    expect(first.code).toBe(1) // the breach still fails the job
    const [comment] = gh.comments(pr)
    expect(gh.comments(pr)).toHaveLength(1)
    expect(comment.body.startsWith(`${MARKER}\n### ❌ App Store diagnostics gate: 1 breach`)).toBe(
      true
    )
    expect(comment.body).toContain('[workflow run](https://github.com/acme/app/actions/runs/4242)')
    expect(comment.body).toContain('`1a254ec1-8e3d-48e7-bbd6-6b9a30072b29`')
    expect(first.outputs['comment-id']).toBe(String(comment.id))
    expect(first.outputs['comment-url']).toBe(comment.html_url)

    const second = await onPr(pr, { threshold: '90%' })
    expect(second.code).toBe(0)
    expect(gh.comments(pr)).toHaveLength(1)
    expect(gh.comments(pr)[0].body).toContain('✅ App Store diagnostics gate: passed')
    expect(second.outputs['comment-id']).toBe(String(comment.id))

    gh.timeline.length = 0
    const rerun = await onPr(pr, { threshold: '90%' })
    expect(writes()).toHaveLength(0)
    expect(rerun.outputs['comment-id']).toBe(String(comment.id))
    expect(rerun.outputs['comment-url']).toBe(comment.html_url)
    expectNoSecrets(rerun, h)
  })

  it("never overwrites a person's comment that carries the marker", async () => {
    const pr = nextPr++
    const human = gh.seedComment(pr, {
      body: `${MARKER}\nI pasted this`,
      user: { login: 'mona', type: 'User' }
    })
    await onPr(pr)
    const comments = gh.comments(pr)
    expect(comments).toHaveLength(2)
    expect(comments.find(c => c.id === human.id)!.body).toBe(`${MARKER}\nI pasted this`)
  })

  it('finds its comment on a later page of a long discussion', async () => {
    const pr = nextPr++
    for (let i = 0; i < 130; i++)
      gh.seedComment(pr, { body: `comment ${i}`, user: { login: 'mona', type: 'User' } })
    const ours = gh.seedComment(pr, {
      body: `${MARKER}\nold report`,
      user: { login: 'github-actions[bot]', type: 'Bot' }
    })
    const run = await onPr(pr)
    expect(gh.comments(pr)).toHaveLength(131)
    expect(run.outputs['comment-id']).toBe(String(ours.id))
    expect(gh.timeline.filter(r => r.method === 'GET')).toHaveLength(2)
  })

  it('keeps one comment per comment-header', async () => {
    const pr = nextPr++
    await onPr(pr, { 'comment-header': 'ios-app' })
    await onPr(pr, { 'comment-header': 'ios' })
    await onPr(pr, { 'comment-header': 'ios-app' })
    const bodies = gh.comments(pr).map(c => c.body.split('\n')[0])
    expect(bodies.sort()).toEqual([
      '<!-- asc-diagnostics-gate:ios -->',
      '<!-- asc-diagnostics-gate:ios-app -->'
    ])
  })

  it('on-breach creates a comment only when something breaches, but updates an existing one', async () => {
    const pr = nextPr++
    await onPr(pr, { comment: 'on-breach', threshold: '90%' })
    expect(gh.comments(pr)).toHaveLength(0)
    await onPr(pr, { comment: 'on-breach' })
    expect(gh.comments(pr)).toHaveLength(1)
    const fixed = await onPr(pr, { comment: 'on-breach', threshold: '90%' })
    expect(gh.comments(pr)[0].body).toContain('✅ App Store diagnostics gate: passed')
    expect(fixed.outputs['comment-id']).toBe(String(gh.comments(pr)[0].id))
  })

  it('fits a hostile build of 1,000 signatures into one valid comment', async () => {
    const pr = nextPr++
    const nasty = [
      '<img src=x onerror=alert(1)>',
      '@octocat',
      '#123',
      '| a || b |',
      '```',
      '<!-- asc-diagnostics-gate: -->',
      '-->',
      'std::map<K, V>::find',
      '`tick`'
    ]
    const signatures = ['HANGS', 'DISK_WRITES', 'LAUNCHES'].flatMap(type =>
      filler(334, type, 0.99).map((s, i) => ({
        ...s,
        signature: `${nasty[i % nasty.length]} ${s.signature} ${'x'.repeat(150)}`
      }))
    )
    h.asc.state.builds.push(sampleBuild({ id: 'hostile-1000', signatures }))
    const run = await onPr(pr, { 'build-id': 'hostile-1000', limit: '200', threshold: '0' })
    expect(run.warnings.join('\n')).not.toMatch(/comment/i)
    const [comment] = gh.comments(pr)
    expect(comment.body.length).toBeLessThanOrEqual(65_536)
    expect(
      comment.body.startsWith(`${MARKER}\n### ❌ App Store diagnostics gate: 600 breaches`)
    ).toBe(true)
    expect(comment.body.match(/<!--/g)).toHaveLength(1) // only the real marker
    expect(comment.body).toMatch(/full report is in the job summary of this workflow run/)
    for (const line of comment.body
      .split('\n')
      .filter(l => l.startsWith('| ') && !l.startsWith('|---'))) {
      expect(line.split(/(?<!\\)\|/).length).toBe(7) // 5 cells: nothing broke out of a cell
    }
    expect(run.summary.length).toBeGreaterThan(comment.body.length) // the summary keeps more
  })

  it('warns on a 403 and keeps the verdict', async () => {
    const pr = nextPr++
    gh.setMode('forbidden')
    const run = await onPr(pr)
    expect(run.code).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.warnings.join('\n')).toMatch(
      /Could not comment on pull request #\d+ \(HTTP 403: Resource not accessible by integration\)\. The workflow needs 'permissions: pull-requests: write'\. Pull requests from forks get a read-only token/
    )
    expect(run.summary).toContain('App Store diagnostics gate: 1 breach')
    expect(run.outputs['comment-id']).toBe('')

    const passing = await onPr(pr, { threshold: '90%' })
    expect(passing.code).toBe(0)
    expectNoSecrets(passing, h)
  })

  it('does not try to comment on a pull request from a fork, and says why', async () => {
    const run = await onPr(nextPr++, {}, 'someone/app')
    expect(gh.timeline).toHaveLength(0)
    expect(run.warnings.join('\n')).toMatch(/comes from a fork.*pull_request_target.*workflow_run/)
    expect(run.code).toBe(1)
  })

  it("comments on a fork's pull request under pull_request_target, which has a write token", async () => {
    const pr = nextPr++
    const run = await onPr(pr, {}, 'someone/app', 'pull_request_target')
    expect(gh.comments(pr)).toHaveLength(1)
    expect(run.warnings).toHaveLength(0)
  })

  it('retries a create that failed with a 5xx only after checking it did not land', async () => {
    const pr = nextPr++
    gh.faults.add({
      match: { method: 'POST' },
      times: 1,
      fault: { status: 502, body: { message: 'Bad Gateway' } }
    })
    const run = await onPr(pr)
    expect(gh.comments(pr)).toHaveLength(1)
    // Lookup, failed create, look again, create, then the re-list that settles a racing run.
    expect(gh.timeline.map(r => r.method)).toEqual(['GET', 'POST', 'GET', 'POST', 'GET'])
    expect(run.outputs['comment-id']).toBe(String(gh.comments(pr)[0].id))
  })

  it('does not hold the runner on the comment lookup when App Store Connect fails', async () => {
    const pr = nextPr++
    gh.faults.add({ match: { method: 'GET' }, fault: { hang: true } })
    h.asc.faults.add({
      fault: {
        status: 401,
        body: { errors: [{ status: '401', code: 'NOT_AUTHORIZED', title: 'no' }] }
      }
    })
    // Waiting out the hung lookup would take its 30 s timeout and retries.
    const run = await h.onPullRequest(pr)
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(/HTTP 401/)
    expect(run.elapsedMs).toBeLessThan(5_000) // the lookup was cancelled, not waited for
  })

  it('comments on pr-number outside a pull_request event, and stays quiet with no pull request', async () => {
    const pr = nextPr++
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_API_URL: gh.url }
    await h.run(
      { comment: 'true', 'github-token': TOKEN, 'pr-number': String(pr) },
      { event: { name: 'workflow_run', payload: {} }, env }
    )
    expect(gh.comments(pr)).toHaveLength(1)

    gh.timeline.length = 0
    const none = await h.run(
      { comment: 'true', 'github-token': TOKEN },
      { event: { name: 'release', payload: {} }, env }
    )
    expect(gh.timeline).toHaveLength(0)
    expect(none.stdout).toMatch(
      /No pull-request comment: no pull request to comment on: the 'release' event has no pull request/
    )
    expect(none.warnings).toHaveLength(0)
  })

  it('never fails the job over a GitHub outage', async () => {
    const pr = nextPr++
    gh.faults.add({ fault: { status: 502, headers: { 'retry-after': '0' }, body: 'Bad Gateway' } })
    const run = await onPr(pr, { threshold: '90%' })
    expect(run.code).toBe(0)
    expect(run.warnings.join('\n')).toMatch(/Could not comment on pull request #\d+ \(HTTP 502\)/)
    expect(gh.timeline.length).toBe(4) // bounded retries
  })
})
