// npm run bench: runs dist/index.js against the local simulators with injected latency and
// prints requests, critical-path round trips, wall time and peak memory. A benchmark, not a test.
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { criticalPath } from '../test-support/sim-core.mjs'
import { runAction } from '../test-support/run-action.mjs'
import { APP, BUILD_ID, sampleBuild } from '../test-support/scenarios.mjs'

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5)
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyId = 'BENCHKEY01'
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const rssFile = join(tmpdir(), `asc-gate-bench-rss-${process.pid}`)
// Records the child's peak RSS at exit without touching the action's code.
const rssHook = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))`

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** One scenario at one latency: the median of REPEATS runs. */
async function measure(scenario, latencyMs) {
  const asc = await startAscSimulator({
    keys: { [keyId]: publicKey },
    apps: [APP],
    builds: scenario.builds,
    latencyMs
  })
  const walls = []
  let requests = 0
  let trips = 0
  let rss = 0
  try {
    for (let i = 0; i < REPEATS; i++) {
      asc.timeline.length = 0
      const run = await runAction({
        inputs: {
          'key-id': keyId,
          'issuer-id': 'bench-issuer',
          'private-key': pem,
          'api-base-url': asc.url,
          comment: 'false',
          ...scenario.inputs
        },
        env: { ASC_GATE_TIME_SCALE: '1' },
        node: [`--import=${rssHook}`]
      })
      if (run.errors.some(e => /Unexpected|Could not/.test(e)))
        throw new Error(`bench run failed: ${run.errors.join(' | ')}`)
      walls.push(run.elapsedMs)
      requests = asc.timeline.length
      trips = criticalPath(asc.timeline)
      rss = Math.max(rss, Number(readFileSync(rssFile, 'utf8')) / 1024)
    }
  } finally {
    await asc.close()
    rmSync(rssFile, { force: true })
  }
  return { requests, trips, wallMs: median(walls), rssMb: rss }
}

function bareNode() {
  const walls = []
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now()
    spawnSync(process.execPath, ['-e', '0'])
    walls.push(performance.now() - started)
  }
  return median(walls)
}

const scenarios = [
  {
    name: 'three types, top 10',
    builds: [sampleBuild()],
    inputs: { 'build-id': BUILD_ID }
  }
]

const bare = bareNode()
const rows = []
for (const scenario of scenarios) {
  const fast = await measure(scenario, 0)
  const slow = await measure(scenario, 200)
  rows.push({
    scenario: scenario.name,
    requests: fast.requests,
    'round trips (timeline)': fast.trips,
    'round trips (wall)': ((slow.wallMs - fast.wallMs) / 200).toFixed(2),
    'wall @0 ms': `${fast.wallMs.toFixed(0)} ms`,
    'over bare node': `${(fast.wallMs - bare).toFixed(0)} ms`,
    'wall @200 ms': `${slow.wallMs.toFixed(0)} ms`,
    'peak RSS': `${Math.max(fast.rssMb, slow.rssMb).toFixed(0)} MB`
  })
}
console.log(
  `node ${process.version}, median of ${REPEATS} runs; bare \`node -e 0\`: ${bare.toFixed(0)} ms`
)
console.table(rows)
