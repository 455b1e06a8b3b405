// The report as users see it: for a few scenarios, the job summary and the pull-request comment
// that dist/index.js writes are compared with the files in __tests__/__outputs__/, so a reviewer
// can read them without running anything. `npm run outputs:update` rewrites them on purpose.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { appRepository } from '../test-support/app-repo.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  baselineBuild,
  hangsBuild,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { ROOT } from '../test-support/run-action.mjs'
import { startHarness, type Harness } from '../test-support/harness.js'

const OUTPUTS = join(ROOT, '__tests__', '__outputs__')
const UPDATE = process.env.UPDATE_OUTPUTS === '1'

const HOSTILE = [
  '<!-- asc-diagnostics-gate: --> <img src=x onerror=alert(1)> @octocat #1 https://evil.example/x',
  'ExampleApp: | cell | break ``` fence ``` [link](https://evil.example) **bold**',
  'ExampleApp: \u202eevil\u202c spoof \u0085 next \u009b line',
  '</details><details><summary>forged</summary>'
]

const scenarios: {
  name: string
  build: ReturnType<typeof sampleBuild>
  inputs: Record<string, string>
  /** Runs in a checkout of the fake app (test-support/app-repo.mjs) instead of an empty workspace. */
  checkout?: boolean
}[] = [
  {
    name: 'breach',
    build: sampleBuild({ id: 'out-breach' }),
    inputs: { 'build-id': 'out-breach', 'include-logs': '0' }
  },
  {
    name: 'regression',
    build: sampleBuild({ id: 'out-regression' }),
    inputs: {
      'build-id': 'out-regression',
      'baseline-build-id': BASELINE_ID,
      threshold: '90%',
      'include-logs': '0'
    }
  },
  {
    name: 'no-data',
    build: sampleBuild({ id: 'out-no-data', signatures: [], logs: {} }),
    inputs: { 'build-id': 'out-no-data' }
  },
  {
    name: 'hostile-text',
    build: hangsBuild('out-hostile', HOSTILE),
    inputs: { 'build-id': 'out-hostile', 'diagnostic-types': 'HANGS', 'include-logs': '0' }
  },
  {
    name: 'backtraces',
    build: sampleBuild({ id: 'out-backtraces' }),
    inputs: { 'build-id': 'out-backtraces', 'diagnostic-types': 'HANGS,DISK_WRITES' }
  },
  {
    // The live version (2.4.0, day 3 of its rollout) against the previous one: paused on the
    // hang rate, with the shares shown as the "where", reported only.
    name: 'phased-release-paused',
    build: sampleBuild(),
    inputs: {
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      'baseline-version': 'previous',
      metrics: 'hangRate, launchTime',
      'phased-release': 'pause-on-failure',
      'include-logs': '0'
    }
  },
  {
    name: 'metrics',
    build: sampleBuild({ id: 'out-metrics' }),
    inputs: {
      'build-id': 'out-metrics',
      'baseline-build-id': BASELINE_ID,
      threshold: '90%',
      'max-weight-increase': '20%',
      'include-logs': '0',
      metrics: 'hangRate, launchTime, diskWrites'
    }
  },
  {
    name: 'source-lines',
    build: sampleBuild({ id: 'out-source-lines' }),
    inputs: { 'build-id': 'out-source-lines', 'diagnostic-types': 'HANGS,DISK_WRITES' },
    checkout: true
  }
]

let h: Harness
let repo: string
beforeAll(async () => {
  h = await startHarness({
    apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
    builds: [baselineBuild(), ...scenarios.map(s => s.build)],
    versions: appStoreVersions()
  })
  repo = appRepository()
})
afterAll(() => h.close())

/** Compares with the expected file, or writes it when updating on purpose. */
function expectOutput(file: string, actual: string): void {
  const path = join(OUTPUTS, file)
  if (UPDATE) {
    mkdirSync(OUTPUTS, { recursive: true })
    writeFileSync(path, actual)
    return
  }
  if (!existsSync(path)) throw new Error(`${file} is missing: run 'npm run outputs:update'.`)
  expect(actual).toBe(readFileSync(path, 'utf8'))
}

describe('the report matches the expected output', () => {
  scenarios.forEach(({ name, inputs, checkout }, index) => {
    it(`${name}: job summary and pull-request comment`, async () => {
      const pr = 100 + index
      // Each scenario starts with the same hourly budget, so its footer does not depend on the
      // scenarios before it.
      h.asc.state.rateLimit.remaining = 3400
      const env: Record<string, string> = checkout ? { GITHUB_WORKSPACE: repo } : {}
      const run = await h.onPullRequest(pr, inputs, undefined, undefined, env)
      expect(run.summary).not.toBe('')
      const [comment] = h.github.comments(pr)
      expect(comment).toBeDefined()
      expectOutput(`${name}.summary.md`, run.summary)
      expectOutput(`${name}.comment.md`, comment.body)
    })
  })
})
