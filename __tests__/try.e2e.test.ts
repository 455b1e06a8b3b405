import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { temporaryDirectory } from '../test-support/temp.mjs'

// "Try it without an Apple account": the README's quick start, copied into a file as a user
// would, run by `npm run try` (scripts/try.mjs) through dist/index.js against the simulators.

const readme = readFileSync('README.md', 'utf8')
const quickStart = /## Quick start\n[\s\S]*?```yaml\n([\s\S]*?)^```$/m.exec(readme)![1]

function tryIt(...args: string[]) {
  return spawnSync(process.execPath, ['scripts/try.mjs', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
  })
}
function saved(text: string): string {
  const file = join(temporaryDirectory('asc-gate-try-'), 'guard.yml')
  writeFileSync(file, text)
  return file
}

describe('npm run try', () => {
  it('runs the quick start as copied: the dry run says it would pause on the hang rate', () => {
    const run = tryIt(saved(quickStart))
    expect(run.stderr).toBe('')
    expect(run.status).toBe(1) // the dry run fails the job on the metric, as on a runner
    expect(run.stdout).toContain(
      '⚠️ **`phased-release: pause-on-failure` would have paused this rollout**, on Hang rate (hangRate)'
    )
    expect(run.stdout).toMatch(/^result=failed$/m)
    expect(run.stdout).toMatch(/^paused=false$/m)
    expect(run.stdout).toMatch(/^phased-release-state=ACTIVE$/m)
    expect(run.stdout).toContain(
      'Would pause the phased release of 2.4.0 (day 3 of 7 (5% of users), active) on Hang rate (hangRate)'
    )
  })

  it('with the one line switched to pause-on-failure, pauses the simulated rollout', () => {
    const run = tryIt(
      saved(quickStart.replace('phased-release: report', 'phased-release: pause-on-failure'))
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(/^paused=true$/m)
    expect(run.stdout).toMatch(/^Paused the phased release of 2\.4\.0 at day 3 of 7/m)
  })

  it('a healthy rollout passes, and no data yet is said as such', () => {
    const healthy = tryIt(saved(quickStart), '--scenario', 'healthy')
    expect(healthy.status).toBe(0)
    expect(healthy.stdout).not.toContain('Would pause')
    const none = tryIt(saved(quickStart), '--scenario', 'no-data')
    expect(none.status).toBe(0)
    expect(none.stdout).toMatch(/^result=no-data$/m)
  })

  it('runs every README workflow as copied: each reaches a verdict, none stops on an input', () => {
    const workflows = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
      .map(m => m[1])
      .filter(
        text => /^name: /m.test(text) && text.includes('asc-diagnostics-gate/asc-diagnostics-gate@')
      )
    expect(workflows.length).toBeGreaterThanOrEqual(5)
    for (const workflow of workflows) {
      const run = tryIt(saved(workflow))
      const name = /^name: (.*)$/m.exec(workflow)![1]
      expect([name, run.stderr]).toEqual([name, ''])
      expect([name, run.stdout]).not.toEqual([name, expect.stringMatching(/error: Input '/)])
      expect([name, run.stdout]).toEqual([
        name,
        expect.stringMatching(/^result=(passed|failed|no-data)$/m)
      ])
    }
  })

  it('says what it needs when the file has no gate step, or the arguments are wrong', () => {
    const other = tryIt(
      saved('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n')
    )
    expect(other.status).toBe(2)
    expect(other.stderr).toBe(
      'The workflow has no asc-diagnostics-gate/asc-diagnostics-gate step.\n'
    )
    const usage = tryIt(saved(quickStart), '--scenario', 'sunny')
    expect(usage.status).toBe(2)
    expect(usage.stderr).toMatch(/^usage: npm run try -- <workflow\.yml>/)
  })
})
