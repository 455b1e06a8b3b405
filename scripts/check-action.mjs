// What each `uses: ./` step of .github/workflows/action.yml must output against the simulators
// (scripts/action-simulators.mjs). The workflow checks its steps with it, and .ci/run replays
// the same steps through dist/index.js and checks them with the same table.
//   OUTPUTS='${{ toJSON(steps.gate.outputs) }}' node scripts/check-action.mjs gate
import { fileURLToPath } from 'node:url'

/** @type {Record<string, Record<string, (value: string) => boolean>>} */
export const EXPECTED = {
  // The sample build's 85% disk-write signature breaches the default 50% threshold.
  gate: {
    result: v => v === 'failed',
    passed: v => v === 'false',
    'breach-count': v => Number(v) >= 1,
    'build-id': v => v.length > 0
  },
  // The guard's dry run: the hang rate regressed, so pause-on-failure would have paused.
  guard: {
    result: v => v === 'failed',
    'phased-release-state': v => v === 'ACTIVE',
    'phased-release-day': v => v === '3',
    paused: v => v === 'false',
    'metric-regression-count': v => v === '1',
    findings: v =>
      JSON.parse(v).some(
        (/** @type {{ kind: string, wouldPause: boolean }} */ f) =>
          f.kind === 'metric-regression' && f.wouldPause
      )
  }
}

/** @param {string} step @param {Record<string, string>} outputs @returns {string[]} */
export function checkOutputs(step, outputs) {
  const expected = EXPECTED[step]
  if (!expected) return [`no expectations for step '${step}'`]
  return Object.entries(expected)
    .filter(([name, ok]) => !ok(outputs[name] ?? ''))
    .map(([name]) => `${step}: output '${name}' is '${String(outputs[name] ?? '').slice(0, 200)}'`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const step = process.argv[2] ?? ''
  const problems = checkOutputs(step, JSON.parse(process.env.OUTPUTS || '{}'))
  for (const problem of problems) console.error(problem)
  if (problems.length) process.exit(1)
  console.log(`${step}: the outputs are as expected.`)
}
