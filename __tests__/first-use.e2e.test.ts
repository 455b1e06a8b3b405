import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import {
  BASELINE_ID,
  BUILD_ID,
  baselineBuild,
  filler,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

// What a new user meets first, through dist/index.js: an honest `result`, forks, the README's
// version inputs, and messages that point the right way.
let h: Harness
let nextPr = 500
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
  h.asc.state.builds.push(
    sampleBuild({ id: 'no-data-yet', version: '413', signatures: [], logs: {} })
  )
})
afterAll(() => h.close())
beforeEach(() => h.reset())

const FORKS_URL =
  'https://github.com/asc-diagnostics-gate/asc-diagnostics-gate#pull-requests-from-forks'
const report = (run: { runnerTemp: string }) =>
  JSON.parse(readFileSync(`${run.runnerTemp}/asc-diagnostics-gate-report.json`, 'utf8')) as Record<
    string,
    unknown
  >

describe('the result output', () => {
  it('is passed or failed when signatures were checked', async () => {
    const failed = await h.run()
    expect(failed.outputs.result).toBe('failed')
    expect(failed.outputs.passed).toBe('false')
    expect(report(failed).result).toBe('failed')

    const passed = await h.run({ threshold: '90%' })
    expect(passed.outputs.result).toBe('passed')
    expect(passed.outputs.passed).toBe('true')
    expect(passed.summary).toMatch(/^### ✅ App Store diagnostics gate: passed$/m)
  })

  it('is no-data when no requested type had a signature, and says so in words', async () => {
    const warn = await h.run({ 'build-id': 'no-data-yet' })
    expect(warn.code).toBe(0)
    expect(warn.outputs.result).toBe('no-data')
    // Nothing was checked, so nothing passed: `if: passed == 'true'` must not go ahead.
    expect(warn.outputs.passed).toBe('false')
    expect(warn.summary).toMatch(
      /^### ⚠️ App Store diagnostics gate: no data yet, nothing was checked$/m
    )
    expect(warn.stdout).toContain('Verdict: no data yet, nothing was checked.')
    expect(report(warn)).toMatchObject({ result: 'no-data', skipReason: null })

    // Only no-data: pass says so explicitly.
    const pass = await h.run({ 'build-id': 'no-data-yet', 'no-data': 'pass' })
    expect(pass.outputs).toMatchObject({ result: 'no-data', passed: 'true' })

    // The no-data policy still decides the exit status.
    const fail = await h.run({ 'build-id': 'no-data-yet', 'no-data': 'fail' })
    expect(fail.code).toBe(1)
    expect(fail.outputs.result).toBe('no-data')
    expect(fail.outputs.passed).toBe('false')
    expect(fail.summary).toMatch(
      /^### ❌ App Store diagnostics gate: no data yet, nothing was checked$/m
    )
  })

  it('is not no-data when only some types are empty', async () => {
    h.asc.state.builds.push(
      sampleBuild({
        id: 'hangs-only',
        version: '414',
        signatures: sampleBuild().signatures.filter(s => s.diagnosticType === 'HANGS')
      })
    )
    const run = await h.run({ 'build-id': 'hangs-only', threshold: '90%' })
    expect(run.outputs.result).toBe('passed')
  })

  it('puts the same words in the pull-request comment', async () => {
    const pr = nextPr++
    await h.onPullRequest(pr, { 'build-id': 'no-data-yet' })
    const [comment] = h.github.comments(pr)
    expect(comment.body.split('\n')[1]).toBe(
      '### ⚠️ App Store diagnostics gate: no data yet, nothing was checked'
    )
  })
})

describe("a fork's pull request, which gets no secrets", () => {
  it.each([
    [{ 'key-id': '', 'private-key': '' }, "'key-id' and 'private-key' are empty"],
    [{ 'private-key': '' }, "'private-key' is empty"],
    [{ 'key-id': '  ' }, "'key-id' is empty"]
  ])('is skipped green with one warning and one summary line: %j', async (inputs, empty) => {
    const pr = nextPr++
    const run = await h.onPullRequest(pr, inputs, 'someone/app')
    expect(run.code).toBe(0)
    expect(run.errors).toEqual([])
    expect(run.outputs.result).toBe('skipped')
    expect(run.outputs.passed).toBe('')
    expect(run.warnings).toEqual([
      `App Store diagnostics gate skipped: pull request #${pr} comes from a fork, and GitHub passes no secrets to workflows run for forks, so ${empty}. See ${FORKS_URL}`
    ])
    const summary = run.summary.trim().split('\n')
    expect(summary).toHaveLength(1)
    expect(summary[0]).toContain(`pull request #${pr} comes from a fork`)
    expect(summary[0]).toContain(`([pull requests from forks](${FORKS_URL}))`)
    expect(h.requests()).toHaveLength(0)
    expect(h.github.timeline).toHaveLength(0)
    expect(report(run)).toMatchObject({
      result: 'skipped',
      skipReason: expect.stringContaining('comes from a fork'),
      error: null,
      verdict: null
    })
  })

  it('still treats an empty key as an input error anywhere else', async () => {
    const sameRepo = await h.onPullRequest(nextPr++, { 'key-id': '' })
    expect(sameRepo.code).toBe(1)
    expect(sameRepo.errors).toEqual(["Input 'key-id' is required."])
    expect(sameRepo.outputs.result).toBeUndefined()

    // pull_request_target runs with secrets, so an empty key there is a mistake.
    const target = await h.onPullRequest(
      nextPr++,
      { 'private-key': '' },
      'someone/app',
      'pull_request_target'
    )
    expect(target.code).toBe(1)
    expect(target.errors[0]).toMatch(/^Input 'private-key' is required/)
  })

  it('gates as usual when the fork run does have the key', async () => {
    const run = await h.onPullRequest(nextPr++, {}, 'someone/app')
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
    expectNoSecrets(run, h)
  })

  it('says why there is no comment once', async () => {
    const run = await h.onPullRequest(nextPr++, { threshold: '90%' }, 'someone/app')
    expect(run.warnings).toHaveLength(1)
    const [warning] = run.warnings
    expect(warning).toMatch(/comes from a fork/)
    expect(warning.match(/read-only token/g)).toHaveLength(1)
    expect(warning).toMatch(/pull_request_target.*workflow_run/)
  })
})

describe('version inputs as a release tag spells them', () => {
  it('finds 2.4.0 for v2.4.0 and 2.3 for the baseline V2.3', async () => {
    const run = await h.run({
      'build-id': '',
      'bundle-id': 'com.example.app',
      version: 'v2.4.0',
      'build-number': '412',
      'baseline-version': 'V2.3',
      'include-logs': '0'
    })
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.outputs['baseline-build-id']).toBe(BASELINE_ID)
    const versions = h
      .requests()
      .filter(r => r.path === '/v1/builds')
      .map(r => r.query['filter[preReleaseVersion.version]'])
    expect(versions.sort()).toEqual(['2.3,2.3.0', '2.4.0,2.4'])
  })

  it('keeps a v that is not followed by a digit', async () => {
    const run = await h.run({ 'build-id': '', 'bundle-id': 'com.example.app', version: 'vNext' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(/matches version vNext for the build/)
  })
})

describe('messages that point the right way', () => {
  it('does not call an unknown resource ID a build number', async () => {
    const run = await h.run({ 'build-id': 'ffffffff-0000-4000-8000-000000000000' })
    expect(run.code).toBe(1)
    const message = run.errors.at(-1)!
    expect(message).toMatch(
      /^Build 'ffffffff-0000-4000-8000-000000000000' was not found: no build with this resource ID is visible to this API key; check 'build-id'/
    )
    expect(message).not.toMatch(/build number/)
  })

  it('says a value of digits and dots looks like a build number', async () => {
    const run = await h.run({ 'build-id': '412' })
    expect(run.errors.at(-1)).toMatch(
      /^Build '412' was not found: 'build-id' must be the App Store Connect build resource ID .*'412' looks like a build number/
    )
  })

  it('names baseline-build-id when the baseline is the unknown one', async () => {
    const run = await h.run({ 'baseline-build-id': 'ffffffff-0000-4000-8000-000000000001' })
    expect(run.errors.at(-1)).toMatch(/check 'baseline-build-id'/)
  })

  it("says GitHub's API could not be reached, not HTTP 500", async () => {
    const closed = await unusedPort()
    const apiUrl = `http://127.0.0.1:${closed}`
    const run = await h.onPullRequest(nextPr++, { threshold: '90%' }, 'acme/app', 'pull_request', {
      GITHUB_API_URL: apiUrl
    })
    expect(run.code).toBe(0)
    expect(run.warnings).toEqual([
      `Could not comment on pull request #${nextPr - 1}: could not connect to GitHub's API at ${apiUrl} (connection refused, 4 attempts); the verdict stands and the job summary has the full report.`
    ])
    expect(run.everything).not.toMatch(/HTTP 500/)
  })

  it('reports breaches as warnings, not errors, with fail-on-breach: false', async () => {
    const run = await h.run({ 'fail-on-breach': 'false' })
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('failed')
    expect(run.errors).toEqual([])
    expect(run.warnings).toEqual([
      expect.stringMatching(/^Disk writes signature '.*' is at 85\.0%, above the 50% limit\.$/)
    ])
  })

  it('keeps reported-only findings within the warning limit, then counts the rest', async () => {
    h.asc.state.builds.push(
      sampleBuild({ id: 'fifteen-warnings', version: '415', signatures: filler(15, 'HANGS', 0.9) })
    )
    const run = await h.run({
      'build-id': 'fifteen-warnings',
      'diagnostic-types': 'HANGS',
      limit: '15',
      threshold: '0',
      'include-logs': '0',
      'fail-on-breach': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.errors).toEqual([])
    expect(run.warnings.length).toBeLessThanOrEqual(10)
    expect(run.warnings.at(-1)).toBe('9 more findings are listed in the job summary.')
  })

  it('reports regressions as warnings with fail-on-regression: false, breaches still as errors', async () => {
    const run = await h.run({
      'baseline-build-id': BASELINE_ID,
      'fail-on-regression': 'false',
      'include-logs': '0'
    })
    expect(run.code).toBe(1) // the breach still fails
    expect(run.errors).toHaveLength(2) // the breach and the failure line
    expect(run.errors.at(-1)).not.toMatch(/regression/)
    const regressions = run.warnings.filter(w => w.includes('regressed'))
    expect(regressions.length).toBeGreaterThan(0)
    expect(run.errors.join('\n')).not.toMatch(/regressed/)
  })
})

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
