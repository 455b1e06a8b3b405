// npm run bench: runs dist/index.js against the local App Store Connect and GitHub simulators with
// 0 ms and 200 ms of injected latency, and compares it with a sequential client that sends the same
// requests one after another. It prints figures; it asserts nothing.
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'
import { runAction } from '../test-support/run-action.mjs'
import { criticalPath } from '../test-support/sim-core.mjs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  BUILD_ID,
  baselineBuild,
  filler,
  logsFor,
  sampleBuild
} from '../test-support/scenarios.mjs'

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5)
const LATENCY_MS = 200
const TOKEN = 'ghs_bench000000000000000000000000000000000'
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyId = 'BENCHKEY01'
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const rssFile = join(tmpdir(), `asc-gate-bench-rss-${process.pid}`)
// Records the child's peak RSS at exit without touching the action's code.
const rssHook = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))`

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** 3 hangs, 3 disk writes and 1 launch signature: with include-logs 3, that is 7 logs. */
function fullRunBuild() {
  const build = sampleBuild()
  const signatures = [
    ...build.signatures,
    {
      id: 'rc-sig-extra',
      diagnosticType: 'DISK_WRITES',
      signature: 'ExampleApp: -[Journal flush] + 20',
      weight: 0.05
    }
  ]
  return { ...build, signatures, logs: logsFor(signatures) }
}

/** 200 signatures per type, the top 3 of each with logs: the memory case. */
function bigBuild() {
  const signatures = ['HANGS', 'DISK_WRITES', 'LAUNCHES'].flatMap(type =>
    filler(200, type, 0.4).map((s, i) => ({ ...s, id: `${type}-${i}` }))
  )
  return sampleBuild({
    signatures,
    logs: logsFor(signatures.filter(s => Number(s.id.split('-').at(-1)) < 3))
  })
}

const credentials = { 'key-id': keyId, 'issuer-id': 'bench-issuer', 'private-key': pem }
const scenarios = [
  {
    name: 'three types, top 10',
    builds: [sampleBuild()],
    inputs: { 'build-id': BUILD_ID, 'include-logs': '0', comment: 'false' }
  },
  {
    name: 'full run: baseline, 7 logs, PR comment',
    builds: [fullRunBuild(), baselineBuild()],
    inputs: {
      'build-id': BUILD_ID,
      'baseline-build-id': BASELINE_ID,
      'include-logs': '3',
      comment: 'true'
    },
    pullRequest: true
  },
  {
    name: 'full run, builds looked up by version',
    builds: [fullRunBuild(), baselineBuild()],
    inputs: {
      'bundle-id': APP.bundleId,
      version: '2.4.0',
      'build-number': '412',
      'baseline-version': '2.3.0',
      'baseline-build-number': '399',
      'include-logs': '3',
      comment: 'true'
    },
    pullRequest: true
  },
  {
    // The README's phased-release guard on a regressing live version: it pauses the rollout.
    name: 'phased-release guard: live vs. previous, pause',
    builds: [fullRunBuild(), baselineBuild()],
    versions: appStoreVersions,
    inputs: {
      'bundle-id': APP.bundleId,
      version: 'live',
      'baseline-version': 'previous',
      'phased-release': 'pause-on-failure',
      'include-logs': '3',
      comment: 'false'
    }
  },
  {
    name: '3 × 200 signatures, 9 logs, baseline',
    builds: [bigBuild(), baselineBuild()],
    inputs: {
      'build-id': BUILD_ID,
      'baseline-build-id': BASELINE_ID,
      limit: '200',
      'include-logs': '3',
      comment: 'false'
    }
  }
]

/** Runs one scenario REPEATS times at one latency; medians, and the last run's timeline. */
async function measure(scenario, latencyMs) {
  const asc = await startAscSimulator({
    keys: { [keyId]: publicKey },
    apps: [APP],
    builds: scenario.builds,
    latencyMs
  })
  const github = await startGithubSimulator({ token: TOKEN, latencyMs })
  const walls = []
  let rss = 0
  let timeline = []
  try {
    for (let i = 0; i < REPEATS; i++) {
      asc.timeline.length = 0
      github.timeline.length = 0
      // Each run finds the rollout active again, so each one pauses it.
      if (scenario.versions) asc.state.versions.splice(0, Infinity, ...scenario.versions())
      const run = await runAction({
        inputs: {
          ...credentials,
          'api-base-url': asc.url,
          'github-token': TOKEN,
          ...scenario.inputs
        },
        env: {
          ASC_GATE_TIME_SCALE: '1',
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'acme/app'
        },
        event: scenario.pullRequest
          ? // A new pull request each time, so every run creates its comment (a rerun would skip the write).
            {
              name: 'pull_request',
              payload: {
                pull_request: { number: 100 + i, head: { repo: { full_name: 'acme/app' } } }
              }
            }
          : undefined,
        node: [`--import=${rssHook}`]
      })
      // Breaches and regressions are the scenario; a failed request is a broken benchmark.
      const broken = [...run.errors, ...run.warnings].filter(line =>
        /unexpected|could not|not found|unavailable|answered/i.test(line)
      )
      if (broken.length) throw new Error(`bench run went wrong: ${broken.join(' | ')}`)
      walls.push(run.elapsedMs)
      rss = Math.max(rss, Number(readFileSync(rssFile, 'utf8')) / 1024)
      timeline = [
        ...asc.timeline.map(r => ({ ...r, origin: asc.url })),
        ...github.timeline.map(r => ({ ...r, origin: github.url }))
      ]
    }
    return {
      wallMs: median(walls),
      rssMb: rss,
      timeline,
      sequentialMs: await replaySequentially(timeline)
    }
  } finally {
    await asc.close()
    await github.close()
    rmSync(rssFile, { force: true })
  }
}

/** The sequential client: the very same requests, each sent after the previous one was answered. */
async function replaySequentially(timeline) {
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'JWT' })
    .setIssuer('bench-issuer')
    .setAudience('appstoreconnect-v1')
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(privateKey)
  const started = performance.now()
  for (const r of [...timeline].sort((a, b) => a.start - b.start)) {
    const github =
      r.origin.includes(String(r.headers.host)) && r.headers.authorization?.startsWith('token')
    const response = await fetch(`${r.origin}${r.path}?${new URLSearchParams(r.query)}`, {
      method: r.method,
      headers: {
        accept: r.headers.accept ?? 'application/json',
        authorization: github ? `token ${TOKEN}` : `Bearer ${jwt}`,
        'content-type': 'application/json'
      },
      body: r.method === 'GET' ? undefined : JSON.stringify({ body: 'sequential replay' })
    })
    await response.arrayBuffer()
  }
  return performance.now() - started
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

const bare = bareNode()
const rows = []
for (const scenario of scenarios) {
  const fast = await measure(scenario, 0)
  const slow = await measure(scenario, LATENCY_MS)
  rows.push({
    scenario: scenario.name,
    requests: slow.timeline.length,
    'round trips': criticalPath(slow.timeline),
    'round trips (wall)': ((slow.wallMs - fast.wallMs) / LATENCY_MS).toFixed(1),
    'sequential round trips (wall)': (slow.sequentialMs / LATENCY_MS).toFixed(1),
    'wall @0 ms': `${fast.wallMs.toFixed(0)} ms`,
    'over bare node': `${(fast.wallMs - bare).toFixed(0)} ms`,
    'wall @200 ms': `${slow.wallMs.toFixed(0)} ms`,
    'sequential @200 ms': `${slow.sequentialMs.toFixed(0)} ms`,
    'peak RSS': `${Math.max(fast.rssMb, slow.rssMb).toFixed(0)} MB`
  })
}
console.log(
  `node ${process.version}, ${REPEATS} runs per cell (median); bare \`node -e 0\`: ${bare.toFixed(0)} ms`
)
console.log(
  "round trips: the longest chain of requests in the simulators' timeline where each starts after the previous one was answered (at 200 ms)"
)
console.log('round trips (wall): (wall @200 ms − wall @0 ms) / 200 ms\n')
for (const row of rows) {
  console.log(`${row.scenario}`)
  for (const [key, value] of Object.entries(row).slice(1))
    console.log(`  ${key.padEnd(31)} ${value}`)
}
