// The guard's history on a data branch, against the GitHub simulator's
// Git Data API. One commit per run; two guards at once keep both records; a token without
// contents: write is a warning that names the permission; old versions are pruned.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { appendRun } from '../src/history/branch.js'
import { appFolder, runFile, type IndexEntry } from '../src/history/layout.js'
import { readSnapshot, type GitHubCall } from '../src/history/snapshot.js'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'

const TOKEN = 'ghs_hist0000000000000000000000000000000000'
const BRANCH = 'asc-diagnostics-history'
type Sim = Awaited<ReturnType<typeof startGithubSimulator>>
let gh: Sim

beforeAll(async () => {
  gh = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
})
afterAll(() => gh.close())

const callOn =
  (sim: Sim): GitHubCall =>
  async (method, path, body) => {
    const response = await fetch(`${sim.url}/repos/acme/app/${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, body: await response.json() }
  }

function run(version: string, generatedAt: string, day: number) {
  const entry: IndexEntry = {
    file: runFile(generatedAt),
    generatedAt,
    day,
    state: 'ACTIVE',
    metrics: { hangRate: { value: 2.5 + day / 10, errorMargin: 0.1 } },
    population: 'p50 all_iphones',
    findings: [],
    action: 'none'
  }
  return {
    branch: BRANCH,
    appFolder: appFolder('1500000001', 'IOS'),
    version,
    file: entry.file,
    record: `{"generatedAt":"${generatedAt}"}\n`,
    entry,
    keepVersions: 10
  }
}

const index = (sim: Sim, version: string) =>
  JSON.parse(sim.git.files(BRANCH).get(`1500000001-ios/${version}/index.json`) ?? '{}')

describe('the history branch', () => {
  it('is created by the first run, with its record and the version index, in one commit', async () => {
    const result = await appendRun(callOn(gh), run('2.5.0', '2026-12-01T08:00:00.000Z', 1))
    expect(result).toMatchObject({ ok: true, attempts: 1, pruned: [] })
    expect([...gh.git.files(BRANCH).keys()].sort()).toEqual([
      '1500000001-ios/2.5.0/index.json',
      '1500000001-ios/2.5.0/runs/2026-12-01T08-00-00.000Z.json'
    ])
    expect(gh.git.commits(BRANCH)).toHaveLength(1)
  })

  it('adds each run in one more commit, the index in time order', async () => {
    await appendRun(callOn(gh), run('2.5.0', '2026-12-01T20:00:00.000Z', 1))
    await appendRun(callOn(gh), run('2.5.0', '2026-12-01T14:00:00.000Z', 1))
    expect(gh.git.commits(BRANCH)).toHaveLength(3)
    expect(index(gh, '2.5.0').runs.map((r: IndexEntry) => r.generatedAt)).toEqual([
      '2026-12-01T08:00:00.000Z',
      '2026-12-01T14:00:00.000Z',
      '2026-12-01T20:00:00.000Z'
    ])
  })

  it('keeps both records when two guards write at once: the loser reads again and retries', async () => {
    const [a, b] = await Promise.all([
      appendRun(callOn(gh), run('2.5.0', '2026-12-02T02:00:00.000Z', 2)),
      appendRun(callOn(gh), run('2.5.0', '2026-12-02T02:00:01.000Z', 2))
    ])
    expect([a.ok, b.ok]).toEqual([true, true])
    expect([a, b].map(r => (r.ok ? r.attempts : 0)).sort()).toEqual([1, 2])
    const files = gh.git.files(BRANCH)
    expect(files.has('1500000001-ios/2.5.0/runs/2026-12-02T02-00-00.000Z.json')).toBe(true)
    expect(files.has('1500000001-ios/2.5.0/runs/2026-12-02T02-00-01.000Z.json')).toBe(true)
    expect(index(gh, '2.5.0').runs).toHaveLength(5)
  })

  it('keeps 10 versions: the oldest folder goes in the same commit', async () => {
    const sim = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
    try {
      for (let minor = 0; minor < 11; minor++) {
        const result = await appendRun(
          callOn(sim),
          run(`2.${minor}.0`, `2026-11-${String(10 + minor).padStart(2, '0')}T08:00:00.000Z`, 7)
        )
        expect(result.ok).toBe(true)
        if (minor === 10) expect(result).toMatchObject({ pruned: ['2.0.0'] })
      }
      const versions = new Set([...sim.git.files(BRANCH).keys()].map(p => p.split('/')[1]))
      expect(versions.size).toBe(10)
      expect(versions.has('2.0.0')).toBe(false)
      expect(sim.git.commits(BRANCH)).toHaveLength(11)
    } finally {
      await sim.close()
    }
  })

  it('without contents: write, warns with the permission and writes nothing', async () => {
    gh.setContents('read')
    try {
      const commits = gh.git.commits(BRANCH).length
      const result = await appendRun(callOn(gh), run('2.5.0', '2026-12-03T08:00:00.000Z', 3))
      expect(result).toEqual({
        ok: false,
        warning:
          "The run's record was not written to the 'asc-diagnostics-history' branch: GitHub answered HTTP 403 (Resource not accessible by integration). The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history."
      })
      expect(gh.git.commits(BRANCH)).toHaveLength(commits)
    } finally {
      gh.setContents('write')
    }
  })

  it('two first runs at once both land: the one that loses the new ref reads it and builds on it', async () => {
    const sim = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
    try {
      const results = await Promise.all([
        appendRun(callOn(sim), run('2.5.0', '2026-12-01T08:00:00.000Z', 1)),
        appendRun(callOn(sim), run('2.5.0', '2026-12-01T08:00:01.000Z', 1))
      ])
      expect(results.map(r => r.ok)).toEqual([true, true])
      expect(
        JSON.parse(sim.git.files(BRANCH).get('1500000001-ios/2.5.0/index.json')!).runs
      ).toHaveLength(2)
    } finally {
      await sim.close()
    }
  })

  it('an empty repository gets the branch as its first commit', async () => {
    const empty = await startGithubSimulator({
      token: TOKEN,
      repo: 'acme/app',
      emptyRepository: true
    })
    try {
      const result = await appendRun(callOn(empty), run('2.5.0', '2026-12-01T08:00:00.000Z', 1))
      expect(result.ok).toBe(true)
      expect(empty.git.files(BRANCH).size).toBe(2)
    } finally {
      await empty.close()
    }
  })
})

describe('reading the history', () => {
  const entry = (day: number, i: number): IndexEntry => ({
    file: `runs/2026-11-0${day}T${String(i).padStart(2, '0')}-00-00.000Z.json`,
    generatedAt: `2026-11-0${day}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
    day,
    state: 'ACTIVE',
    metrics: { hangRate: { value: 2.5, errorMargin: 0.1 } },
    population: 'p50 all_iphones',
    findings: ['metric-regression hangRate'],
    action: 'none'
  })
  const indexOf = (version: string, runs: unknown[]) =>
    `${JSON.stringify({ version, runs }, null, 2)}\n`

  it('reads a large history (10 versions of 1,000 runs) in 8 requests, whatever its size', async () => {
    const sim = await startGithubSimulator({ token: TOKEN, repo: 'acme/app', maxTreeEntries: 50 })
    try {
      const files: Record<string, string> = {}
      for (let minor = 0; minor < 10; minor++) {
        const runs = Array.from({ length: 1000 }, (_, i) => entry((i % 7) + 1, i))
        files[`1500000001-ios/2.${minor}.0/index.json`] = indexOf(`2.${minor}.0`, runs)
        for (const run of runs.slice(0, 60)) {
          files[`1500000001-ios/2.${minor}.0/${run.file}`] = '{}\n'
        }
      }
      sim.git.seed(BRANCH, files)
      const read = await readSnapshot(callOn(sim), BRANCH, '1500000001-ios', '2.9.0')
      expect(read.ok && read.snapshot.current.runs).toHaveLength(1000)
      expect(read.ok && read.snapshot.previous?.version).toBe('2.8.0')
      expect(read.ok && read.snapshot.versions).toHaveLength(10)
      expect(sim.timeline).toHaveLength(8)
    } finally {
      await sim.close()
    }
  })

  it('leaves out index entries a run does not write: anyone who can push can edit the branch', async () => {
    const sim = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
    try {
      const good = entry(2, 1)
      sim.git.seed(BRANCH, {
        '1500000001-ios/2.5.0/index.json': indexOf('2.5.0', [
          good,
          { ...good, file: '../../main/evil.json' },
          { ...good, population: 'p50 all_iphones\u202e' },
          { ...good, metrics: { hangRate: { value: 'NaN', errorMargin: 0 } } },
          { ...good, findings: ['breach <img src=x>'] },
          { ...good, day: 9 },
          'not an entry'
        ])
      })
      const read = await readSnapshot(callOn(sim), BRANCH, '1500000001-ios', '2.5.0')
      expect(read.ok && read.snapshot.current.runs).toEqual([good])
    } finally {
      await sim.close()
    }
  })
})

describe('a branch GitHub will not move', () => {
  it("a protected branch's 422 is GitHub's answer, given after one attempt, not a lost race", async () => {
    const sim = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
    try {
      await appendRun(callOn(sim), run('2.5.0', '2026-12-01T08:00:00.000Z', 1))
      sim.git.protect(BRANCH)
      sim.timeline.length = 0
      const result = await appendRun(callOn(sim), run('2.5.0', '2026-12-01T14:00:00.000Z', 1))
      expect(result).toEqual({
        ok: false,
        warning:
          "The run's record was not written to the 'asc-diagnostics-history' branch: GitHub answered HTTP 422 (Protected branch update failed for refs/heads/asc-diagnostics-history.)."
      })
      // One read, one write, and the ref read again to tell a protected branch from a race.
      expect(sim.timeline.filter(r => r.method === 'PATCH')).toHaveLength(1)
    } finally {
      await sim.close()
    }
  })
})
