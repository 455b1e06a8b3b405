// The simulated App Store Connect that .github/workflows/action.yml runs the action against (with
// `uses: ./`), and that .ci/run replays the same steps against (scripts/replay-action-workflow.mjs).
// com.example.app: 2.4.0 live on day 3 of its phased release, 2.3.0 before it, the hang rate
// up from 2.5 to 4.1 s/hr; a throwaway key. On loopback only.
//   node scripts/action-simulators.mjs start   serves in the background, prints the step outputs
import { spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import { APP, appStoreVersions, baselineBuild, sampleBuild } from '../test-support/scenarios.mjs'

export const ISSUER_ID = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'
const KEY_ID = 'ACTIONCI01'

/** @returns {Promise<{ url: string, issuerId: string, keyId: string, privateKey: string, close: () => Promise<void> }>} */
export async function startActionSimulators() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const asc = await startAscSimulator({
    keys: { [KEY_ID]: publicKey },
    apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
    builds: [sampleBuild(), baselineBuild()],
    versions: appStoreVersions()
  })
  return {
    url: asc.url,
    issuerId: ISSUER_ID,
    keyId: KEY_ID,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    close: () => asc.close()
  }
}

/** The step outputs the workflow reads: `steps.sim.outputs.<name>`. */
export function stepOutputs(/** @type {Awaited<ReturnType<typeof startActionSimulators>>} */ sims) {
  return {
    'api-base-url': sims.url,
    'issuer-id': sims.issuerId,
    'key-id': sims.keyId,
    'private-key': sims.privateKey
  }
}

const self = fileURLToPath(import.meta.url)
if (process.argv[1] === self) {
  const [mode, ready] = process.argv.slice(2)
  if (mode === 'serve') {
    const sims = await startActionSimulators()
    // Whole or not at all: the starter polls for the file and reads it at once.
    writeFileSync(`${ready}.partial`, JSON.stringify(stepOutputs(sims)))
    renameSync(`${ready}.partial`, ready)
  } else if (mode === 'start') {
    // Detached, so the step ends and the simulator serves the steps after it.
    const file = join(tmpdir(), `asc-gate-simulators-${process.pid}.json`)
    spawn(process.execPath, [self, 'serve', file], { detached: true, stdio: 'ignore' }).unref()
    const deadline = Date.now() + 15_000
    while (!existsSync(file) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50))
    if (!existsSync(file)) {
      console.error('The simulators did not start within 15 s.')
      process.exit(1)
    }
    const outputs = JSON.parse(readFileSync(file, 'utf8'))
    const lines = Object.entries(outputs).map(
      ([name, value]) => `${name}<<SIMULATOR_EOF\n${value}\nSIMULATOR_EOF\n`
    )
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, lines.join(''))
    console.log(`App Store Connect simulator at ${outputs['api-base-url']}`)
  } else {
    console.error('usage: node scripts/action-simulators.mjs start')
    process.exit(2)
  }
}
