import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { BUILD_ID, filler, sampleBuild } from '../test-support/scenarios.mjs'
import {
  expectNoSecrets,
  startHarness,
  type GithubSim,
  type Harness
} from '../test-support/harness.js'

// Every row runs dist/index.js against both simulators and states the exact outcome, at
// production timing: at most 4 attempts, at most 45 s of waiting, 30 s per attempt. Faults that
// are not about the backoff answer with Retry-After: 0, so the retries happen without the wait;
// a hung server is bounded by 'timeout-minutes'.
// The signature requests only: the build's own request (its label) is not what a row is about.
const SIGNATURES = `/v1/builds/${BUILD_ID}/diagnosticSignatures`
const GITHUB_WRITE = /^\/repos\/acme\/app\/issues\/\d+\/comments$/
// A breach-free build: any non-zero exit below comes from the fault, not from the gate.
const calm = { threshold: '0.9', 'diagnostic-types': 'DISK_WRITES', 'include-logs': '0' }

let h: Harness
let gh: GithubSim
let pr = 1
beforeAll(async () => {
  h = await startHarness()
  gh = h.github
})
afterAll(() => h.close())
beforeEach(() => {
  h.reset()
  h.asc.state.pageSize = 200
})

interface Row {
  name: string
  setup?: () => void
  inputs?: Record<string, string>
  onPullRequest?: boolean
  code: 0 | 1
  passed?: 'true' | 'false' | ''
  error?: RegExp
  warning?: RegExp
  /** Requests whose path starts with this (or matches it), and how many there must be. */
  attempts?: [string | RegExp, number]
  /** A generous bound that still catches a hang: the waits below add up to a few seconds. */
  withinMs?: number
}

const NOW = { 'retry-after': '0' }
const status = (
  code: number,
  times = Infinity,
  headers: Record<string, string> = {},
  body: string | object = { errors: [{ status: String(code), code: 'X', title: 'fault' }] }
) =>
  h.asc.faults.add({ match: { path: SIGNATURES }, times, fault: { status: code, headers, body } })
const weights = (...values: unknown[]) =>
  h.asc.state.builds.splice(
    0,
    h.asc.state.builds.length,
    sampleBuild({
      signatures: values.map((weight, i) => ({
        id: `w-${i}`,
        diagnosticType: 'DISK_WRITES',
        signature: `ExampleApp: writer ${i} + 4`,
        weight
      }))
    })
  )

const rows: Row[] = [
  {
    name: '429 with Retry-After, then success',
    setup: () => status(429, 2, NOW),
    code: 0,
    passed: 'true',
    attempts: [SIGNATURES, 3]
  },
  {
    name: '429 without Retry-After, then success',
    setup: () => status(429, 1), // the backoff: 0.5–1 s
    code: 0,
    passed: 'true',
    attempts: [SIGNATURES, 2]
  },
  {
    name: '429 with a Retry-After beyond the cap fails at once',
    setup: () => status(429, Infinity, { 'retry-after': '3600' }),
    code: 1,
    passed: '',
    error:
      /^App Store Connect asked to wait 3600 s before retrying GET \/v1\/builds\/.*\/diagnosticSignatures \(HTTP 429\), longer than this action holds a runner; rerun the job later\.$/,
    attempts: [SIGNATURES, 1]
  },
  {
    name: '429 that never ends',
    setup: () => status(429, Infinity, NOW),
    code: 1,
    error:
      /kept rate-limiting GET .* \(HTTP 429\) after 4 attempts, with \d+ of 3500 requests left this hour; other jobs may share this API key: rerun later or use a separate key\. Apple: X "fault"\.$/,
    attempts: [SIGNATURES, 4]
  },
  ...[500, 502, 503].flatMap<Row>(code => [
    {
      name: `${code} once, then success`,
      setup: () => status(code, 1, NOW),
      code: 0,
      passed: 'true',
      attempts: [SIGNATURES, 2]
    },
    {
      name: `${code} every time`,
      setup: () => status(code, Infinity, NOW),
      code: 1,
      error: new RegExp(
        `^App Store Connect failed with HTTP ${code} on GET /v1/builds/.*/diagnosticSignatures after 4 attempts; Apple's service may be degraded: rerun the job later\\. Apple: X "fault"\\.$`
      ),
      attempts: [SIGNATURES, 4]
    }
  ]),
  {
    name: 'a connection reset, then success',
    setup: () =>
      h.asc.faults.add({ match: { path: SIGNATURES }, times: 1, fault: { reset: true } }),
    code: 0,
    passed: 'true',
    attempts: [SIGNATURES, 2]
  },
  {
    name: 'connection resets every time',
    setup: () => h.asc.faults.add({ fault: { reset: true } }),
    code: 1,
    error:
      /^Could not get an answer from App Store Connect at http:\/\/127\.0\.0\.1:\d+ for GET .* \(connection reset\) after 4 attempts; check the runner's network or proxy, or rerun later\.$/,
    attempts: [SIGNATURES, 4]
  },
  {
    name: 'a server that never answers',
    setup: () => h.asc.faults.add({ fault: { hang: true } }),
    inputs: { 'timeout-minutes': '0.02' },
    code: 1,
    error:
      /^App Store Connect did not finish within 'timeout-minutes' \(0\.02 minutes\); Apple may be slow or throttling/,
    attempts: [SIGNATURES, 1]
  },
  {
    name: 'truncated JSON',
    setup: () => h.asc.faults.add({ fault: { truncate: true } }),
    code: 1,
    error:
      /^App Store Connect answered GET \/v1\/builds\/.*\/diagnosticSignatures with malformed JSON \(HTTP 200, \d+ bytes, cut short\?\); rerun later\.$/,
    attempts: [SIGNATURES, 1]
  },
  {
    name: 'an HTML error page',
    setup: () =>
      status(
        502,
        Infinity,
        { 'content-type': 'text/html', ...NOW },
        '<html><body><h1>502 Bad Gateway</h1></body></html>'
      ),
    code: 1,
    error: /failed with HTTP 502 on GET .* after 4 attempts/,
    attempts: [SIGNATURES, 4]
  },
  {
    name: 'an HTML page with status 200',
    setup: () => status(200, Infinity, { 'content-type': 'text/html' }, '<html>Maintenance</html>'),
    code: 1,
    error:
      /answered GET .* with text\/html instead of JSON \(HTTP 200\); a proxy or an outage page may be in the way/,
    attempts: [SIGNATURES, 1]
  },
  {
    name: 'a wrong content type',
    setup: () =>
      status(200, Infinity, { 'content-type': 'application/octet-stream' }, '{"data":[]}'),
    code: 1,
    error: /with application\/octet-stream instead of JSON \(HTTP 200\)/
  },
  {
    name: 'an empty body',
    setup: () => status(200, Infinity, { 'content-type': 'application/json' }, ''),
    code: 1,
    error: /answered GET .* with an empty body \(HTTP 200\); rerun later\./
  },
  {
    name: 'a weight above 1',
    setup: () => weights(0.2, 1.5),
    code: 1,
    error:
      /^Signature w-1 \('ExampleApp: writer 1 \+ 4'\) has weight 1\.5; the gate expects a share from 0 to 1/
  },
  {
    name: 'a negative weight',
    setup: () => weights(-0.1),
    code: 1,
    error: /^Signature w-0 .* has weight -0\.1;/
  },
  {
    name: 'a missing weight',
    setup: () => weights(0.2, undefined),
    code: 1,
    error: /^Signature w-1 .* has weight missing;/
  },
  {
    name: 'a weight as a string',
    setup: () => weights('0.85'),
    code: 1,
    error: /^Signature w-0 .* has weight "0\.85";/
  },
  {
    name: 'duplicate signatures across pages count once',
    setup: () => {
      h.asc.state.pageSize = 2
      weights(0.3, 0.2, 0.1)
      const [build] = h.asc.state.builds
      build.signatures.push({ ...build.signatures[0] })
    },
    inputs: { threshold: '0.25' },
    code: 1,
    passed: 'false',
    error:
      /^1 diagnostic signature above the threshold; worst: Disk writes 'ExampleApp: writer 0 \+ 4' at 30\.0%/
  },
  {
    name: 'links.next to another origin is refused',
    setup: () => {
      h.asc.state.pageSize = 1
      h.asc.state.builds[0].nextLinkOrigin = 'http://127.0.0.2:9'
    },
    code: 1,
    error:
      /^App Store Connect sent a paging link to another origin \(http:\/\/127\.0\.0\.2:9\); the gate does not send the API token there\.$/,
    attempts: [SIGNATURES, 1]
  },
  {
    name: 'a links.next loop stops',
    setup: () => {
      h.asc.state.pageSize = 1
      h.asc.state.builds[0].nextLinkLoop = true
    },
    code: 0,
    passed: 'true',
    attempts: [SIGNATURES, 1] // the next link is the page already read
  },
  {
    name: '10,000 signatures across pages: only the pages the limit needs',
    setup: () => {
      h.asc.state.pageSize = 50
      h.asc.state.builds.splice(
        0,
        h.asc.state.builds.length,
        sampleBuild({ signatures: filler(10_000, 'DISK_WRITES', 0.3) })
      )
    },
    inputs: { limit: '200' },
    code: 0,
    passed: 'true',
    attempts: [SIGNATURES, 4]
  },
  ...(
    [
      [
        403,
        /Could not comment on pull request #\d+ \(HTTP 403: Resource not accessible by integration\)\. The workflow needs 'permissions: pull-requests: write'/
      ],
      [404, /Could not comment on pull request #\d+ \(HTTP 404: Not Found\): check 'pr-number'/],
      [
        422,
        /Could not comment on pull request #\d+ \(HTTP 422: Validation Failed\); the verdict stands/
      ],
      [500, /Could not comment on pull request #\d+ \(HTTP 500.*\); the verdict stands/]
    ] as const
  ).map<Row>(([code, warning]) => ({
    name: `GitHub ${code} on the comment is a warning`,
    setup: () =>
      gh.faults.add({
        match: { method: 'POST' },
        fault: {
          status: code,
          body: {
            message: {
              403: 'Resource not accessible by integration',
              404: 'Not Found',
              422: 'Validation Failed',
              500: 'Server Error'
            }[code]
          }
        }
      }),
    onPullRequest: true,
    code: 0,
    passed: 'true',
    warning,
    attempts: [GITHUB_WRITE, code === 500 ? 4 : 1]
  }))
]

describe('fault matrix', () => {
  it.each(rows.map(row => [row.name, row] as const))('%s', async (_, row) => {
    h.asc.state.builds.splice(0, h.asc.state.builds.length, sampleBuild())
    row.setup?.()
    const inputs = { ...calm, ...row.inputs }
    const run = await (row.onPullRequest ? h.onPullRequest(pr++, inputs) : h.run(inputs))
    expect(run.code).toBe(row.code)
    if (row.passed !== undefined) expect(run.outputs.passed ?? '').toBe(row.passed)
    if (row.error) expect(run.errors.at(-1)).toMatch(row.error)
    if (row.code === 0) expect(run.errors).toEqual([])
    if (row.warning) expect(run.warnings.join('\n')).toMatch(row.warning)
    else expect(run.warnings).toEqual([])
    if (row.attempts) {
      const [path, count] = row.attempts
      const matches = (p: string) => (typeof path === 'string' ? p.startsWith(path) : path.test(p))
      // GitHub rows count the writes: the lookup shares the path.
      const timeline =
        typeof path === 'string' ? h.asc.timeline : gh.timeline.filter(r => r.method !== 'GET')
      expect(timeline.filter(r => matches(r.path))).toHaveLength(count)
    }
    expect(run.elapsedMs).toBeLessThan(row.withinMs ?? 10_000)
    expect(run.stdout).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/) // no stack trace
    expectNoSecrets(run, h)
  })
})
