// The guard's memory, as the README promises it: every run of dist/index.js keeps its decision
// record on the repository's history branch (the GitHub simulator's Git Data API). A recorded
// 7-day rollout of 2.4.0, then 2.5.0's, both made by running the guard: `same-day` compares with
// 2.4.0 at the same day, `confirm-runs: 2` waits for a second run in a row, and the summary
// draws the rollout. `npm run outputs:update` rewrites the expected chart and table on purpose.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  startHarness,
  type Harness
} from '../test-support/harness.js'
import type { ActionRun } from '../test-support/run-action.mjs'
import { ROOT } from '../test-support/run-action.mjs'
import { documentedGuard } from '../test-support/guard-scenarios.js'
import {
  githubEnv,
  guardWithMemory,
  setRollout,
  type RolloutDay
} from '../test-support/rollouts.js'

const BRANCH = 'asc-diagnostics-history'
const APP_FOLDER = '1500000001-ios'
const OUTPUTS = join(ROOT, '__tests__', '__outputs__')
const UPDATE = process.env.UPDATE_OUTPUTS === '1'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

/**
 * One scheduled guard run on `day`, with the README's guard and its memory, and a token with
 * `contents` permission on the repository.
 */
async function guard(
  day: RolloutDay,
  inputs: Record<string, string> = {},
  contents: 'write' | 'read' | 'none' = 'write'
): Promise<ActionRun> {
  h.reset()
  setRollout(h, day)
  h.github.setContents(contents)
  const run = guardWithMemory(h, inputs)
  const result = await h.run(run.inputs, { env: run.env })
  expectNoSecrets(result, h)
  return result
}

const index = (version: string) =>
  JSON.parse(h.github.git.files(BRANCH).get(`${APP_FOLDER}/${version}/index.json`) ?? '{"runs":[]}')

const section = (summary: string) => {
  const start = summary.indexOf('#### The rollout, run by run')
  return start < 0
    ? ''
    : summary
        .slice(start)
        .split(/\n(?=#### |### |<details>|<sub>)/)[0]
        .trimEnd() + '\n'
}

/** Compared with its file; the run files are named by the time they ran, so that is left out. */
function expectOutput(name: string, output: string): void {
  const actual = output.replace(/runs\/[0-9TZ._-]+\.json/g, 'runs/<time>.json')
  const file = join(OUTPUTS, name)
  if (UPDATE || !existsSync(file)) writeFileSync(file, actual)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

// 2.4.0's rollout, as a guard in report mode saw it: Apple's figure for it settles from 3.0 on
// day 2 (early adopters) to 2.5 on day 7; 2.3.0 ended at 2.5.
const ROLLOUT_2_4_0 = [undefined, 3.0, 2.9, 2.8, 2.7, 2.6, 2.5]
const PAUSE_ON_FAILURE = { 'phased-release': 'pause-on-failure' }

describe("the guard's memory over two rollouts", () => {
  const runs2_5_0: Record<string, ActionRun> = {}

  it('records 2.4.0 day by day: one commit per run, the record and the index on the branch', async () => {
    for (let day = 1; day <= 7; day++) {
      const run = await guard({
        live: '2.4.0',
        day,
        state: day === 7 ? 'COMPLETE' : 'ACTIVE',
        hangRate: { '2.3.0': 2.5, '2.4.0': ROLLOUT_2_4_0[day - 1] }
      })
      expect(run.stdout).toMatch(
        /Recorded this run on 'asc-diagnostics-history': 1500000001-ios\/2\.4\.0\/runs\/\S+\.json \(commit [0-9a-f]{7}\)/
      )
    }
    const recorded = index('2.4.0')
    expect(recorded.runs.map((r: { day: number }) => r.day)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(recorded.runs[1].metrics.hangRate).toEqual({ value: 3, errorMargin: 0.1 })
    expect(h.github.git.commits(BRANCH)).toHaveLength(7)
    // Each run's record is the decision record the run wrote, byte for byte.
    const file = `${APP_FOLDER}/2.4.0/${recorded.runs[6].file}`
    const stored = JSON.parse(h.github.git.files(BRANCH).get(file)!)
    expect(stored.evidence.history.current.runs).toHaveLength(6)
    expect(stored.phasedRelease.state).toBe('COMPLETE')
  })

  it("same-day on day 2 compares with 2.4.0's day-2 record, not its final figure", async () => {
    runs2_5_0.day1 = await guard(
      { live: '2.5.0', day: 1, hangRate: { '2.3.0': 2.5, '2.4.0': 2.5 } },
      PAUSE_ON_FAILURE
    )
    const day2 = {
      live: '2.5.0',
      day: 2,
      hangRate: { '2.3.0': 2.5, '2.4.0': 2.5, '2.5.0': 3.0 }
    } as const
    const sameDay = await guard(day2, PAUSE_ON_FAILURE)
    runs2_5_0.day2 = sameDay
    expect(sameDay.code).toBe(0)
    expect(sameDay.outputs.result).toBe('passed')
    expect(sameDay.summary).toMatch(
      /Hang rate is compared with 2\.4\.0 at day 2 of its rollout \(`runs\/\S+\.json`\), not with its final figure\./
    )
    // The same day against 2.4.0's final 2.5 s/hr: a regression the early adopters explain.
    const previous = await guard(day2, {
      'metric-reference': 'previous',
      'confirm-runs': '1',
      history: 'off',
      'phased-release': 'report'
    })
    expect(previous.code).toBe(1)
    expect(previous.outputs.result).toBe('failed')
    expect(previous.summary).toContain('would have paused this rollout')
    expect(index('2.5.0').runs).toHaveLength(2)
  })

  it('confirm-runs 2: one noisy run does not pause; two in a row do', async () => {
    const at = (day: number, value: number) =>
      guard(
        { live: '2.5.0', day, hangRate: { '2.3.0': 2.5, '2.4.0': 2.5, '2.5.0': value } },
        PAUSE_ON_FAILURE
      )
    runs2_5_0.day3 = await at(3, 2.9)
    expect(runs2_5_0.day3.code).toBe(0)

    const noisy = await at(4, 3.6)
    expect(noisy.code).toBe(1) // a failing job does not wait for confirmation
    expect(noisy.outputs.paused).toBe('false')
    expect(noisy.summary).toContain('1 of 2 runs in a row: not pausing yet')
    const quiet = await at(4, 2.8)
    expect(quiet.code).toBe(0)

    const first = await at(5, 3.6)
    expect(first.outputs.paused).toBe('false')
    expect(first.summary).toContain('1 of 2 runs in a row: not pausing yet')
    const second = await at(5, 3.7)
    expect(second.code).toBe(1)
    expect(second.outputs.paused).toBe('true')
    expect(second.summary).toContain('regressed in 2 runs in a row: pausing')
    expect(second.summary).toContain(
      '⏸️ **This run paused the phased release of 2.5.0** at day 5 of 7 (20% of users)'
    )
    expect(h.asc.state.versions.find(v => v.versionString === '2.5.0')?.phasedRelease?.state).toBe(
      'PAUSED'
    )
    const findings = JSON.parse(second.outputs.findings)
    expect(findings.find((f: { kind: string }) => f.kind === 'metric-regression')).toMatchObject({
      pauses: true,
      confirmation: { inARow: 2, needed: 2 }
    })
  })

  it('two guards at once keep both records', async () => {
    h.reset()
    setRollout(h, { live: '2.5.0', day: 6, hangRate: { '2.3.0': 2.5, '2.4.0': 2.5, '2.5.0': 2.6 } })
    const before = index('2.5.0').runs.length
    // Slow answers, so both read the branch before either writes: one of them loses the race.
    h.github.setLatency(150)
    try {
      const run = guardWithMemory(h, PAUSE_ON_FAILURE)
      const both = await Promise.all([
        h.run(run.inputs, { env: run.env }),
        h.run(run.inputs, { env: { ...run.env, GITHUB_RUN_ID: '4243' } })
      ])
      for (const r of both)
        expect(r.stdout).toContain("Recorded this run on 'asc-diagnostics-history'")
    } finally {
      h.github.setLatency(0)
    }
    expect(index('2.5.0').runs).toHaveLength(before + 2)
  })

  it('draws the rollout beside 2.4.0 and, once complete, tables all of it', async () => {
    const last = await guard(
      {
        live: '2.5.0',
        day: 7,
        state: 'COMPLETE',
        hangRate: { '2.3.0': 2.5, '2.4.0': 2.5, '2.5.0': 2.5 }
      },
      PAUSE_ON_FAILURE
    )
    expect(last.code).toBe(0)
    const shown = section(last.summary)
    expect(shown).toContain('```mermaid')
    expect(shown).toContain('**The whole rollout of 2.5.0**')
    expectOutput('history-rollout.summary.md', shown)
    // The record lists the points the chart was drawn from.
    const record = JSON.parse(readFileSync(last.outputs['report-path'], 'utf8'))
    expect(record.evidence.history.previous.runs).toHaveLength(7)
  })

  it('writes no secret to the branch: every record and index on it is free of the key and the token', () => {
    const files = h.github.git.files(BRANCH)
    // 7 runs of 2.4.0, 10 of 2.5.0 (the history-off comparison wrote none), and two indexes.
    expect(files.size).toBe(19)
    expectNoSecrets({ everything: [...files.values()].join('\n') } as ActionRun, h)
  })
})

describe("docs/history.md's guard", () => {
  it('runs as written: it reads the history, decides with same-day, and records the run', async () => {
    h.reset()
    setRollout(h, { live: '2.5.0', day: 6, hangRate: { '2.4.0': 2.5, '2.5.0': 2.6 } })
    const { inputs } = documentedGuard('docs/history.md', 'Phased-release guard with memory')
    expect(inputs).toMatchObject({ history: 'branch', 'metric-reference': 'same-day' })
    const result = await h.run(
      { ...inputs, 'build-id': '', 'github-token': GITHUB_TOKEN },
      { env: githubEnv(h) }
    )
    expect(result.stdout).toContain("Recorded this run on 'asc-diagnostics-history'")
    expect(result.summary).toContain('Hang rate is compared with 2.4.0 at day 6 of its rollout')
  })
})

describe('when the history cannot be kept', () => {
  it('a token without contents permission: the guard decides without history, and says why', async () => {
    const commits = h.github.git.commits(BRANCH).length
    const day3 = { live: '2.5.0', day: 3, hangRate: { '2.4.0': 2.5, '2.5.0': 2.9 } } as const
    const result = await guard(day3, PAUSE_ON_FAILURE, 'none')
    const why =
      "The guard's history on the 'asc-diagnostics-history' branch could not be read: GitHub answered HTTP 403 (Resource not accessible by integration). The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history. The guard decided as if there were no history."
    expect(result.summary).toContain(`⚠️ **No history.** ${why}`)
    // confirm-runs 2 cannot count without it: the guard pauses on what it finds, rather than never.
    expect(result.summary).toContain('it pauses on what it finds, as with `confirm-runs: 1`')
    expect(result.outputs.paused).toBe('true')
    expect(result.stdout).toContain(`::warning::${why}`)
    // same-day falls back to the previous version's latest figure, and says so.
    expect(result.summary).toContain(
      'Hang rate: no same-day figure (the history could not be read)'
    )
    expect(result.stdout).toContain(
      "::warning title=History::The run's record was not written to the 'asc-diagnostics-history' branch either, for the same reason."
    )
    expect(h.github.git.commits(BRANCH)).toHaveLength(commits)
  })

  it('a token that may read but not write: the report says the run was not recorded, and why that matters', async () => {
    const commits = h.github.git.commits(BRANCH).length
    const day4 = { live: '2.5.0', day: 4, hangRate: { '2.4.0': 2.5, '2.5.0': 2.6 } } as const
    const result = await guard(day4, PAUSE_ON_FAILURE, 'read')
    const why =
      "The run's record was not written to the 'asc-diagnostics-history' branch: GitHub answered HTTP 403 (Resource not accessible by integration). The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history. Until runs are recorded, 'confirm-runs' 2 cannot count 2 in a row, and the guard does not pause."
    expect(result.summary).toContain(`⚠️ **This run was not recorded.** ${why}`)
    expect(result.stdout).toContain(`::warning title=History::${why}`)
    expect(h.github.git.commits(BRANCH)).toHaveLength(commits)
    // The run's report file says what became of its record; the branch's copy could not.
    const record = JSON.parse(readFileSync(result.outputs['report-path'], 'utf8'))
    expect(record.historyWrite).toEqual({ ok: false, warning: why.slice(0, why.indexOf(' Until')) })
  })

  it('keeps 10 versions: the 11th removes the oldest folder in the same commit', async () => {
    const sim = h.github.git
    const older = Array.from({ length: 10 }, (_, minor) => [
      `${APP_FOLDER}/1.${minor}.0/index.json`,
      '{"version":"x","runs":[]}\n'
    ])
    sim.seed(BRANCH, { ...Object.fromEntries(sim.files(BRANCH)), ...Object.fromEntries(older) })
    const day6 = { live: '2.5.0', day: 6, hangRate: { '2.4.0': 2.5, '2.5.0': 2.6 } } as const
    const result = await guard(day6, PAUSE_ON_FAILURE)
    // 1.0.0–1.9.0, 2.4.0 and 2.5.0 are 12: the two oldest go.
    expect(result.stdout).toMatch(/; removed 1\.0\.0, 1\.1\.0\./)
    const versions = new Set(
      [...sim.files(BRANCH).keys()].filter(p => p.startsWith(APP_FOLDER)).map(p => p.split('/')[1])
    )
    expect(versions.size).toBe(10)
    expect(versions.has('2.5.0') && versions.has('2.4.0')).toBe(true)
  })
})
