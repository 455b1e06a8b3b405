// Issue 21: text from App Store Connect is sanitised and capped once, where it is read. The
// simulator poisons every string field of every answer (signatures, builds, versions, phased
// releases, logs, metrics, errors) with a right-to-left override, a C1 control and 100,000
// characters; then every channel a user reads is checked: the job summary, the pull-request
// comment, every output (`metrics` included), the JSON report, SARIF, JUnit, and the
// command-line tool's text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { FIELD_CAPS } from '../src/constants.js'
import { ascErrorFault } from '../test-support/asc-simulator.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  baselineBuild,
  BUILD_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { runCli } from '../test-support/run-cli.mjs'
import type { ActionRun } from '../test-support/run-action.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { FILL, KEEP_STATES, poison } from '../test-support/poison.js'

/** What a channel must never hold: the override, a C1 control, or more than a field's cap. */
function expectSafe(channel: string, text: string): void {
  const label = `${channel}: `
  expect(label + (/\u202e/.test(text) ? 'has U+202E' : 'ok')).toBe(`${label}ok`)
  expect(label + (/[\u0080-\u009f]/.test(text) ? 'has a C1 control' : 'ok')).toBe(`${label}ok`)
  const longest = Math.max(0, ...(text.match(new RegExp(`${FILL}+`, 'g')) ?? []).map(s => s.length))
  expect({ channel, longest: longest <= FIELD_CAPS.signature }).toEqual({ channel, longest: true })
  // The poisoned text did reach the channel, cut short: the test is not vacuous.
  expect({ channel, reached: longest >= 40 }).toEqual({ channel, reached: true })
}

let h: Harness
beforeAll(async () => {
  h = await startHarness({
    apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
    builds: [sampleBuild(), baselineBuild()],
    versions: appStoreVersions()
  })
  h.asc.state.rewrite = body => poison(body)
  h.asc.state.roles = {}
  // A logs request that fails, so Apple's (poisoned) error words reach the report too.
  const [first] = sampleBuild().signatures
  h.asc.faults.add({
    match: { path: `/v1/diagnosticSignatures/${first.id}/logs` },
    fault: {
      status: 404,
      body: poison({
        errors: [{ status: '404', code: 'NOT_FOUND', title: 'Gone', detail: 'x' }]
      }) as object
    }
  })
})
afterAll(() => h.close())

const files = (run: ActionRun) =>
  ['report-path', 'sarif-path', 'junit-path'].map(
    output => [output, readFileSync(run.outputs[output], 'utf8')] as const
  )

describe('hostile text from App Store Connect, in every channel', () => {
  it('a build by ID with a baseline, metrics, backtraces and a pull-request comment', async () => {
    const run = await h.onPullRequest(7, {
      'baseline-build-id': BASELINE_ID,
      metrics: 'hangRate, launchTime',
      'include-logs': '3',
      'report-path': 'report.json',
      'sarif-path': 'gate.sarif',
      'junit-path': 'gate.xml'
    })
    expect(run.code).toBe(1)
    expectSafe('summary', run.summary)
    expectSafe(
      'comment',
      h.github
        .comments(7)
        .map(c => c.body)
        .join('\n')
    )
    for (const [name, value] of Object.entries(run.outputs)) {
      if (
        !['report-path', 'sarif-path', 'junit-path', 'build-id', 'baseline-build-id'].includes(name)
      )
        expect(/\u202e|[\u0080-\u009f]/.test(value) ? `${name} unsafe` : name).toBe(name)
    }
    expectSafe('metrics output', run.outputs.metrics)
    expectSafe('signatures output', run.outputs.signatures)
    for (const [name, text] of files(run)) expectSafe(name, text)
    const report = JSON.parse(files(run)[0][1])
    // The fields the issue found unsanitised: the build's label, its processing state, and
    // the metrics' version.
    for (const value of [
      report.build.label,
      report.build.processingState,
      report.metrics.version,
      JSON.parse(run.outputs.metrics)[0].version
    ]) {
      expect(value).toMatch(new RegExp(`^[^\u202e\u0080-\u009f]*${FILL}{10}`))
    }
    // Each field within its own cap, not only the longest one's.
    expect(report.build.label.length).toBeLessThanOrEqual(2 * FIELD_CAPS.version + 3)
    expect(report.build.processingState.length).toBeLessThanOrEqual(FIELD_CAPS.identifier)
    expect(report.metrics.version.length).toBeLessThanOrEqual(FIELD_CAPS.version)
    expectSafe('log', run.stdout + run.stderr)
    expectNoSecrets(run, h)
  })

  it('the live version against the previous one, with its phased release', async () => {
    h.asc.state.rewrite = body => poison(body, KEEP_STATES)
    const run = await h.run({
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      'baseline-version': 'previous',
      'phased-release': 'report',
      'include-logs': '1',
      'report-path': 'report.json',
      'sarif-path': 'gate.sarif',
      'junit-path': 'gate.xml'
    })
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expectSafe('summary', run.summary)
    for (const [name, text] of files(run)) expectSafe(name, text)
    expectSafe('log', run.stdout + run.stderr)
  })

  it("Apple's words in a failed pause (a 409 with associated errors)", async () => {
    h.asc.state.rewrite = body => poison(body, KEEP_STATES)
    h.asc.faults.add({
      match: { method: 'PATCH', path: '/v1/appStoreVersionPhasedReleases/' },
      fault: { ...ascErrorFault('state'), body: poison(ascErrorFault('state').body) as object }
    })
    const run = await h.run({
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      'include-logs': '0',
      'phased-release': 'pause-on-failure',
      'pause-on': 'any',
      'report-path': 'report.json'
    })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toMatch(/HTTP 409/)
    expectSafe('errors', run.errors.join('\n'))
    expectSafe('summary', run.summary)
    expectSafe('report', readFileSync(run.outputs['report-path'], 'utf8'))
  })

  it("the command-line tool's text", async () => {
    h.asc.state.rewrite = body => poison(body)
    const run = await runCli(
      [
        '--build-id',
        BUILD_ID,
        '--baseline-build-id',
        BASELINE_ID,
        '--metrics',
        'hangRate',
        '--include-logs',
        '3',
        '--api-base-url',
        h.asc.url
      ],
      {
        env: {
          ASC_ISSUER_ID: '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
          ASC_KEY_ID: h.key.keyId,
          ASC_PRIVATE_KEY: h.key.pem
        }
      }
    )
    expect(run.code).toBe(1)
    expectSafe('cli', run.stdout + run.stderr)
  })
})
