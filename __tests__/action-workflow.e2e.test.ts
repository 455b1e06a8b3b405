import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { checkOutputs, EXPECTED } from '../scripts/check-action.mjs'
import { actionSteps, WORKFLOW } from '../scripts/replay-action-workflow.mjs'

// .github/workflows/action.yml runs the action with `uses: ./` on Node 24, which cannot run
// here; .ci/run replays the same steps through dist/index.js against the same simulators. This
// keeps the two in step: same steps, same inputs, same expectations.

type Step = {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
const text = readFileSync(WORKFLOW, 'utf8')
const workflow = parse(text) as { jobs: Record<string, { steps: Step[] }> }
const steps = Object.values(workflow.jobs).flatMap(job => job.steps)

describe("the action's own workflow", () => {
  it('runs the action from the checkout on Node 24, against the simulators', () => {
    const node = steps.find(s => s.uses?.startsWith('actions/setup-node@'))
    expect(node?.with?.['node-version']).toBe(24)
    expect(steps.find(s => s.id === 'sim')?.run).toBe('node scripts/action-simulators.mjs start')
    expect(actionSteps().map(s => s.id)).toEqual(Object.keys(EXPECTED))
  })

  it('checks every action step with the table .ci/run replays it against', () => {
    for (const { id } of actionSteps()) {
      const at = steps.findIndex(s => s.id === id)
      expect(steps[at + 1]).toEqual({
        run: `node scripts/check-action.mjs ${id}`,
        env: { OUTPUTS: `\${{ toJSON(steps.${id}.outputs) }}` }
      })
    }
    expect(readFileSync('.ci/run', 'utf8')).toContain('\nnode scripts/replay-action-workflow.mjs\n')
  })

  it('replays as .ci/run does: every step gives the outputs the workflow expects', () => {
    const run = spawnSync(process.execPath, ['scripts/replay-action-workflow.mjs'], {
      encoding: 'utf8'
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(
      'gate: exit 1, result=failed, outputs as expected\nguard: exit 1, result=failed, outputs as expected\n'
    )
  })

  it('the expectations can fail: a guard that paused, or did not fail, is caught', () => {
    expect(checkOutputs('guard', { result: 'passed', paused: 'true', findings: '[]' })).toEqual(
      expect.arrayContaining([
        "guard: output 'result' is 'passed'",
        "guard: output 'paused' is 'true'",
        "guard: output 'findings' is '[]'"
      ])
    )
    expect(checkOutputs('other', {})).toEqual(["no expectations for step 'other'"])
  })
})
