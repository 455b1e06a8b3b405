// npm run demo: the action end to end, through dist/index.js, against the local App Store
// Connect and GitHub simulators, with a throwaway key. Nothing leaves this machine.
// The story: a pull request's release candidate breaches a threshold and regresses against
// the version live on the App Store, so the gate fails and comments; the fix lands, the
// workflow reruns, and the same comment is updated to a pass. A week after 2.4.0 (413) ships,
// the release gate reads Apple's absolute metrics: the hang rate rose from 2.5 to 4.1 s/hr,
// which the signatures' shares could not show, and the gate stops the rollout.
import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAscSimulator } from '../test-support/asc-simulator.mjs'
import { appRepository } from '../test-support/app-repo.mjs'
import { startGithubSimulator } from '../test-support/github-simulator.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import { ROOT, runAction } from '../test-support/run-action.mjs'
import {
  APP,
  APPLE_EXAMPLE,
  baselineBuild,
  logsFor,
  sampleBuild
} from '../test-support/scenarios.mjs'

if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.')
  process.exit(1)
}

const started = performance.now()
const FEED_HANG = 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412'
const PR = 42
const TOKEN = 'ghs_demo000000000000000000000000000000000'
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const keyId = 'DEMOKEY001'

// 2.4.0 (413): the live version's signatures, with the database write moved off the hot path
// and the feed's hang within the allowed rise.
const fixedWeights = { [APPLE_EXAMPLE]: 0.45, [FEED_HANG]: 0.31 }
const fixedSignatures = baselineBuild().signatures.map((s, i) => ({
  id: `fix-sig-${i + 1}`,
  ...s,
  weight: fixedWeights[s.signature] ?? s.weight
}))
const fixedBuild = sampleBuild({
  id: '5c1e9a77-2b4d-4f0e-8a63-0d9e7b21c413',
  version: '413',
  uploadedDate: '2026-11-22T09:00:00Z',
  signatures: fixedSignatures,
  logs: logsFor(fixedSignatures, { appVersion: '2.4.0', buildVersion: '413' })
})

const asc = await startAscSimulator({
  keys: { [keyId]: publicKey },
  apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
  builds: [sampleBuild(), baselineBuild(), fixedBuild]
})
const github = await startGithubSimulator({ token: TOKEN, repo: 'acme/app' })
// The pull request's checkout: the app's code, committed, as actions/checkout leaves it.
const workspace = appRepository()
const rule = '─'.repeat(72)
const section = title => console.log(`\n${rule}\n${title}\n${rule}`)

/** One run of the workflow step on the pull request, as the runner would start it. */
async function gate(buildNumber, extra = {}) {
  const before = asc.state.rateLimit.remaining
  const run = await runAction({
    inputs: {
      'issuer-id': '57246542-96fe-1a63-e053-0824d011072a',
      'key-id': keyId,
      'private-key': privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'bundle-id': APP.bundleId,
      version: 'v2.4.0',
      'build-number': buildNumber,
      'baseline-version': '2.3.0',
      'baseline-build-number': '399',
      'hangs-threshold': '40%',
      'api-base-url': asc.url,
      comment: 'true',
      'github-token': TOKEN,
      'sarif-path': 'reports/app-store-diagnostics.sarif',
      'junit-path': 'reports/app-store-diagnostics.xml',
      ...extra
    },
    event: {
      name: 'pull_request',
      payload: {
        pull_request: { number: PR, head: { repo: { full_name: 'acme/app' } } },
        repository: { full_name: 'acme/app' }
      }
    },
    env: {
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: buildNumber === '412' ? '4242' : '4243',
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: workspace
    }
  })
  const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
  return { run, budget: { before, used: report.requests, after: report.rateLimit?.remaining } }
}

/** The job summary's metrics part: the regressions, the table and the charts, as Markdown. */
function showMetrics(summary) {
  const lines = summary.split('\n')
  const start = lines.indexOf('#### Metric regressions')
  const end = lines.findIndex((line, i) => i > start && line.startsWith('<details>'))
  console.log(
    lines
      .slice(start, end)
      .filter(line => !line.startsWith('No signature'))
      .filter((line, i, kept) => line !== '' || kept[i - 1] !== '')
      .map(line => `  │ ${line}`)
      .join('\n')
      .replace(/(\n {2}│ )+$/, '')
  )
}

/** The action's log, roughly as the runner displays it. */
function showLog(stdout) {
  console.log(
    stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::') && line !== '::endgroup::')
      .map(line =>
        line.replace(/^::(error|warning)([^:]*)::/, (_, level, properties) => {
          const file = /file=([^,]*)/.exec(properties)?.[1]
          const at = file ? ` (${file}:${/line=(\d+)/.exec(properties)?.[1]})` : ''
          return `${level === 'error' ? 'Error' : 'Warning'}${at}: `
        })
      )
      .map(line => line.replace(/^::group::/, '▸ '))
      .map(line => line.replace(/%0A/g, '\n  ').replace(/%25/g, '%'))
      .join('\n')
      .trim()
  )
}

/** The comment as GitHub shows it: the marker is hidden and each <details> is folded. */
function showComment(body) {
  const folded = []
  let depth = 0
  for (const line of body.split('\n').slice(1)) {
    const opens = line.match(/<details>/g)?.length ?? 0
    const closes = line.match(/<\/details>/g)?.length ?? 0
    if (depth === 0 && opens) {
      const summary = /<summary>(.*?)<\/summary>/.exec(line)?.[1] ?? 'details'
      folded.push(`▶ ${summary.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')}`)
    } else if (depth === 0 && line.trim() !== '') folded.push(line)
    depth += opens - closes
  }
  console.log(folded.map(line => `  │ ${line}`).join('\n'))
}

/** What the runner, code scanning and a CI's test report each read about the worst breach. */
function showInCode(run) {
  const line = run.stdout
    .split('\n')
    .find(l => l.startsWith('::error title=') && l.includes('file='))
  console.log(`The runner reads:\n  ${line}`)
  const sarif = JSON.parse(readFileSync(run.outputs['sarif-path'], 'utf8'))
  const result = sarif.runs[0].results.find(r => r.locations[0].physicalLocation)
  const { ruleId, level, message, locations, partialFingerprints, properties } = result
  const trimmed = {
    ruleId,
    level,
    message,
    locations,
    partialFingerprints,
    properties: { weight: properties.weight, threshold: properties.threshold }
  }
  console.log(
    `Code scanning reads (${run.outputs['sarif-path'].slice(workspace.length + 1)}, one result):`
  )
  console.log(JSON.stringify(trimmed, null, 2).replace(/^/gm, '  '))
  const junit = readFileSync(run.outputs['junit-path'], 'utf8')
  const testcase = /^ *<testcase name="ExampleApp: -\[FeedViewController[\s\S]*?<\/testcase>/m.exec(
    junit
  )?.[0]
  console.log(
    `A CI's test report reads (${run.outputs['junit-path'].slice(workspace.length + 1)}, one test case):`
  )
  console.log(`  ${testcase?.trim()}`)
}

function budgetLine({ before, used, after }) {
  const adds = before - used === after
  return `App Store Connect budget: ${before} requests left before the run, ${used} used, ${after} left after (${before} − ${used} = ${before - used}${adds ? ' ✓' : `, but Apple reports ${after} ✗`}).`
}

try {
  section(
    `Run 1 · pull request #${PR}: release candidate 2.4.0 (412) against 2.3.0 (399), live on the App Store`
  )
  const first = await gate('412')
  showLog(first.run.stdout)
  const [created] = github.comments(PR)
  section(
    `The sticky comment on #${PR}, as created (comment ${created.id}; folded as GitHub shows it)`
  )
  showComment(created.body)

  section('Run 1 · in the code: an annotation line, a SARIF result, a JUnit test case')
  showInCode(first.run)

  section('Run 2 · the fix lands as 2.4.0 (413) and the workflow reruns on the same pull request')
  const second = await gate('413')
  showLog(second.run.stdout)
  const comments = github.comments(PR)
  section(
    `The same comment, updated in place (comment ${comments[0].id}; still ${comments.length} on #${PR})`
  )
  showComment(comments[0].body)

  section(
    "Run 3 · a week after 2.4.0 (413) shipped: its hang rate per hour of use, from Apple's metrics"
  )
  const third = await gate('413', {
    metrics: 'hangRate, launchTime',
    comment: 'false',
    'github-token': ''
  })
  showLog(third.run.stdout)
  section("The job summary's metrics: the rates that the shares could not show")
  showMetrics(third.run.summary)

  section('Verdict')
  for (const [name, { run, budget }] of [
    ['Run 1 · 2.4.0 (412)', first],
    ['Run 2 · 2.4.0 (413)', second],
    ['Run 3 · 2.4.0 (413), metrics', third]
  ]) {
    const o = run.outputs
    console.log(
      `${name}: result=${o.result} passed=${o.passed} breach-count=${o['breach-count']} regression-count=${o['regression-count']}${o.metrics === '[]' ? '' : ` metric-regression-count=${o['metric-regression-count']}`} → exit ${run.code} (${run.code === 0 ? 'the release may go on' : 'the job fails: the gate stopped the release'})`
    )
    console.log(`  ${budgetLine(budget)}`)
  }
  console.log(
    `Pull request #${PR}: ${comments.length} comment, created by run 1 and updated by run 2 (${created.id === comments[0].id ? 'same ID' : 'a second comment!'}).`
  )
  // The demo is also a check (__tests__/demo.test.ts): a story that no longer holds fails it.
  const holds =
    first.run.code === 1 &&
    second.run.code === 0 &&
    third.run.code === 1 &&
    third.run.outputs['metric-regression-count'] === '1' &&
    comments.length === 1 &&
    created.id === comments[0].id &&
    [first, second, third].every(({ budget }) => budget.before - budget.used === budget.after)
  if (!holds) {
    console.error('The demo did not go as told above.')
    process.exitCode = 1
  }
  console.log(`Demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
} finally {
  await asc.close()
  await github.close()
}
