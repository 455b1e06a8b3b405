// Replays the `uses: ./` steps of .github/workflows/action.yml, with their `with:` as written,
// through dist/index.js against the same simulators, and checks each with the same table the
// workflow uses (scripts/check-action.mjs). .ci/run runs it, so what the runner would see on
// Node 24 is checked here too, on every CI run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { ROOT, runAction } from '../test-support/run-action.mjs'
import { startActionSimulators, stepOutputs } from './action-simulators.mjs'
import { checkOutputs } from './check-action.mjs'

export const WORKFLOW = join('.github', 'workflows', 'action.yml')

/** The workflow's steps that run this action, each with its id and `with:`. */
export function actionSteps(text = readFileSync(join(ROOT, WORKFLOW), 'utf8')) {
  /** @type {{ jobs: Record<string, { steps: { id?: string, uses?: string, with?: Record<string, unknown> }[] }> }} */
  const workflow = parse(text)
  return Object.values(workflow.jobs)
    .flatMap(job => job.steps)
    .filter(step => step.uses === './')
    .map(step => ({ id: step.id ?? '', with: step.with ?? {} }))
}

/** `${{ steps.sim.outputs.x }}` from the simulators' outputs; anything else as written. */
function resolve(/** @type {unknown} */ value, /** @type {Record<string, string>} */ sim) {
  return String(value).replace(/\$\{\{\s*steps\.sim\.outputs\.([\w-]+)\s*\}\}/g, (_, name) => {
    if (!(name in sim))
      throw new Error(
        `${WORKFLOW} reads steps.sim.outputs.${name}, which the simulators do not set.`
      )
    return sim[name]
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sims = await startActionSimulators()
  let failed = false
  try {
    const sim = stepOutputs(sims)
    for (const step of actionSteps()) {
      const inputs = Object.fromEntries(
        Object.entries(step.with).map(([k, v]) => [k, resolve(v, sim)])
      )
      const run = await runAction({ inputs })
      const problems = checkOutputs(step.id, run.outputs)
      console.log(
        `${step.id}: exit ${run.code}, result=${run.outputs.result}${problems.length ? '' : ', outputs as expected'}`
      )
      for (const problem of problems) console.error(problem)
      failed ||= problems.length > 0
    }
  } finally {
    await sims.close()
  }
  if (failed) process.exit(1)
}
