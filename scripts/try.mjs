// npm run try -- <workflow.yml> [--scenario regression|healthy|no-data]
// Runs the asc-diagnostics-gate step of a workflow copied from the README, as written, through
// dist/index.js against the embedded App Store Connect (and GitHub) simulators, with a
// throwaway key: no Apple account, nothing leaves this machine. It prints the job summary, the
// outputs and what the guard did or would do. The simulated app is com.example.app (app ID
// 1500000001): version 2.4.0 live on day 3 of its phased release, 2.3.0 before it.
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import { ROOT, runAction } from '../test-support/run-action.mjs'
import {
  APP,
  appStoreVersions,
  baselineBuild,
  BUILD_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'

const SCENARIOS = {
  /** 2.4.0's hang rate rose from 2.5 to 4.1 s/hr: the guard pauses (or would). */
  regression: { metrics: METRIC_FIXTURES.releaseCandidate(), noData: false },
  /** Nothing moved. */
  healthy: { metrics: METRIC_FIXTURES.steady(), noData: false },
  /** The first days of a release: Apple has nothing yet. */
  'no-data': { metrics: undefined, noData: true }
}
const USAGE = `usage: npm run try -- <workflow.yml> [--scenario ${Object.keys(SCENARIOS).join('|')}]`
const ACTION = /^(asc-diagnostics-gate\/asc-diagnostics-gate@|\.\/?$)/
const TOKEN = 'ghs_try0000000000000000000000000000000000'

/** @param {string[]} args @returns {{ file: string, scenario: keyof typeof SCENARIOS }} */
function parseArgs(args) {
  const at = args.indexOf('--scenario')
  const scenario = at >= 0 ? args[at + 1] : 'regression'
  const file = args.find((arg, i) => !arg.startsWith('--') && (at < 0 || i !== at + 1))
  if (!file || !(scenario in SCENARIOS)) throw new Error(USAGE)
  return { file, scenario: /** @type {keyof typeof SCENARIOS} */ (scenario) }
}

/**
 * What an expression (`${{ inputs.version }}`, `${{ matrix.app }}`) stands for in the simulated
 * app; any other expression is empty, as an unset variable is on a runner. The key comes from
 * the harness.
 */
const SIMULATED = {
  'bundle-id': APP.bundleId,
  'app-id': APP.id,
  'build-id': BUILD_ID,
  version: '2.4.0',
  'build-number': '412',
  'baseline-version': '2.3.0',
  'comment-header': 'try'
}

/**
 * The step's `with:` as the runner would pass it: what the workflow writes out is what runs,
 * and an expression becomes the simulated app's value for that input.
 * @param {string} text @returns {{ name: string, inputs: Record<string, string> }}
 */
export function gateStep(text) {
  /** @type {{ jobs?: Record<string, { steps?: { uses?: string, with?: Record<string, unknown>, name?: string, id?: string }[] }> }} */
  const workflow = parse(text)
  const steps = Object.values(workflow?.jobs ?? {}).flatMap(job => job.steps ?? [])
  const step = steps.find(s => ACTION.test(s.uses ?? ''))
  if (!step) throw new Error('The workflow has no asc-diagnostics-gate/asc-diagnostics-gate step.')
  const inputs = Object.fromEntries(
    Object.entries(step.with ?? {}).map(([name, value]) => [
      name,
      String(value).includes('${{')
        ? (SIMULATED[/** @type {keyof typeof SIMULATED} */ (name)] ?? '')
        : String(value)
    ])
  )
  return { name: step.name ?? step.id ?? 'asc-diagnostics-gate', inputs }
}

async function main() {
  const { file, scenario } = parseArgs(process.argv.slice(2))
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('Run `npm run build` first.')
  const { name, inputs } = gateStep(readFileSync(file, 'utf8'))
  const chosen = SCENARIOS[scenario]
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const keyId = 'TRYKEY0001'
  const asc = await startAscSimulator({
    keys: { [keyId]: publicKey },
    apps: [{ ...APP, ...(chosen.metrics ? { metrics: chosen.metrics } : {}) }],
    builds: [sampleBuild(chosen.noData ? { noData: true } : {}), baselineBuild()],
    versions: appStoreVersions()
  })
  const github = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
  try {
    const run = await runAction({
      inputs: {
        ...inputs,
        'issuer-id': '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
        'key-id': keyId,
        'private-key': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        // A workflow names a bundle ID, an app ID or a build ID of its own: the simulated
        // app answers to each.
        ...(inputs['bundle-id'] ? { 'bundle-id': APP.bundleId } : {}),
        ...(inputs['app-id'] ? { 'app-id': APP.id } : {}),
        ...(inputs['build-id'] ? { 'build-id': BUILD_ID } : {}),
        'api-base-url': asc.url,
        'github-token': TOKEN
      },
      env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/app' }
    })
    const rule = '─'.repeat(72)
    const guardLines = run.stdout
      .split('\n')
      .filter(line => /^(Paused|Would pause|Not pausing)/.test(line))
    console.log(`${rule}\n${name}, scenario '${scenario}': exit ${run.code}\n${rule}`)
    console.log(run.summary.trim() || '(no job summary)')
    console.log(`${rule}\nOutputs\n${rule}`)
    for (const [key, value] of Object.entries(run.outputs)) {
      if (key !== 'report')
        console.log(`${key}=${value.length > 200 ? `${value.slice(0, 200)}…` : value}`)
    }
    console.log(`${rule}\nThe guard\n${rule}`)
    console.log(
      guardLines.length ? guardLines.join('\n') : 'No phased-release decision (not a guard run).'
    )
    for (const error of run.errors) console.log(`error: ${error}`)
    return run.code
  } finally {
    await asc.close()
    await github.close()
  }
}

try {
  process.exitCode = await main()
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 2
}
