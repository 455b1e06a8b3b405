// Issue 24's data branch is written through GitHub's Git Data API; the simulator answers as
// GitHub does: one commit per write (blobs, a tree on a base tree, a commit, the ref), a lost
// race as 422 "not a fast forward", a token without contents: write as 403, a branch that does
// not exist yet as 404, an empty repository as 409, and a long listing as truncated.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'

const TOKEN = 'ghs_git0000000000000000000000000000000000'
type Sim = Awaited<ReturnType<typeof startGithubSimulator>>
let gh: Sim

beforeAll(async () => {
  gh = await startGithubSimulator({ token: TOKEN, repo: 'acme/app', maxTreeEntries: 5 })
})
afterAll(() => gh.close())

/** GitHub's JSON, as loose as the API's own documentation describes it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type GitJson = Record<string, any>

async function api(method: string, path: string, body?: unknown, sim: Sim = gh) {
  const response = await fetch(`${sim.url}/repos/acme/app/git/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: response.status, body: (await response.json()) as GitJson }
}

/** One commit on `branch` adding `files`, the way the history writer makes it. */
async function commit(branch: string, files: Record<string, string | null>, parent?: string) {
  const base = parent ? (await api('GET', `commits/${parent}`)).body.tree.sha : undefined
  const tree = await api('POST', 'trees', {
    ...(base ? { base_tree: base } : {}),
    tree: Object.entries(files).map(([path, content]) =>
      content === null
        ? { path, mode: '100644', type: 'blob', sha: null }
        : { path, mode: '100644', type: 'blob', content }
    )
  })
  return api('POST', 'commits', {
    message: `history: ${branch}`,
    tree: tree.body.sha,
    parents: parent ? [parent] : []
  })
}

describe('the Git Data API', () => {
  it('a branch that does not exist yet is 404, and is created from a first commit', async () => {
    expect((await api('GET', 'ref/heads/asc-diagnostics-history')).status).toBe(404)
    const first = await commit('asc-diagnostics-history', { 'app/2.4.0/index.json': '[]' })
    expect(first.status).toBe(201)
    const created = await api('POST', 'refs', {
      ref: 'refs/heads/asc-diagnostics-history',
      sha: first.body.sha
    })
    expect(created.status).toBe(201)
    expect(gh.git.files('asc-diagnostics-history')).toEqual(
      new Map([['app/2.4.0/index.json', '[]']])
    )
  })

  it('a commit on a base tree keeps the rest, and sha: null removes a folder', async () => {
    const head = (await api('GET', 'ref/heads/asc-diagnostics-history')).body.object.sha
    const next = await commit(
      'asc-diagnostics-history',
      { 'app/2.5.0/runs/a.json': '{}', 'app/2.4.0': null },
      head
    )
    const moved = await api('PATCH', 'refs/heads/asc-diagnostics-history', {
      sha: next.body.sha
    })
    expect(moved.status).toBe(200)
    expect([...gh.git.files('asc-diagnostics-history').keys()]).toEqual(['app/2.5.0/runs/a.json'])
    expect(gh.git.commits('asc-diagnostics-history')).toHaveLength(2)
  })

  it('the loser of a race gets 422 "Update is not a fast forward"', async () => {
    const head = (await api('GET', 'ref/heads/asc-diagnostics-history')).body.object.sha
    const [one, two] = await Promise.all([
      commit('asc-diagnostics-history', { 'app/2.5.0/runs/b.json': '{}' }, head),
      commit('asc-diagnostics-history', { 'app/2.5.0/runs/c.json': '{}' }, head)
    ])
    const won = await api('PATCH', 'refs/heads/asc-diagnostics-history', { sha: one.body.sha })
    const lost = await api('PATCH', 'refs/heads/asc-diagnostics-history', { sha: two.body.sha })
    expect(won.status).toBe(200)
    expect(lost).toEqual({
      status: 422,
      body: expect.objectContaining({ message: 'Update is not a fast forward' })
    })
  })

  it('reads a file back through the tree and its blob, and truncates a long listing', async () => {
    const head = (await api('GET', 'ref/heads/asc-diagnostics-history')).body.object.sha
    const files = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`app/2.5.0/runs/${i}.json`, `{"n":${i}}`])
    )
    const next = await commit('asc-diagnostics-history', files, head)
    await api('PATCH', 'refs/heads/asc-diagnostics-history', { sha: next.body.sha })
    const tree = await api('GET', `trees/${next.body.tree.sha}?recursive=1`)
    expect(tree.body.truncated).toBe(true)
    expect(tree.body.tree).toHaveLength(5)
    const entry = tree.body.tree.find((e: { path: string }) => e.path === 'app/2.5.0/runs/0.json')
    const blob = await api('GET', `blobs/${entry.sha}`)
    expect(Buffer.from(blob.body.content, 'base64').toString()).toBe('{"n":0}')
  })

  it('a token without contents: write gets 403 on every write, and may still read', async () => {
    gh.setContents('read')
    try {
      const denied = await api('POST', 'blobs', { content: 'x' })
      expect(denied).toEqual({
        status: 403,
        body: expect.objectContaining({ message: 'Resource not accessible by integration' })
      })
      expect((await api('GET', 'ref/heads/asc-diagnostics-history')).status).toBe(200)
    } finally {
      gh.setContents('write')
    }
  })

  it('an empty repository answers a ref lookup with 409', async () => {
    const empty = await startGithubSimulator({
      token: TOKEN,
      repo: 'acme/app',
      emptyRepository: true
    })
    try {
      const answer = await api('GET', 'ref/heads/asc-diagnostics-history', undefined, empty)
      expect(answer).toEqual({
        status: 409,
        body: expect.objectContaining({ message: 'Git Repository is empty.' })
      })
    } finally {
      await empty.close()
    }
  })
})
