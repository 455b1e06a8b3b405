import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { APPLE_EXAMPLE, BUILD_ID, filler, sampleBuild } from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { runAction } from '../test-support/run-action.mjs'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

describe('the gate, through dist/index.js', () => {
  it("fails the job on Apple's 85% disk-write example and explains it", async () => {
    h.reset()
    const run = await h.run()
    expect(run.code).toBe(1)
    expect(run.outputs.passed).toBe('false')
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.outputs['breach-count']).toBe('1')
    expect(run.outputs['max-weight']).toBe('0.85')
    const breaches = JSON.parse(run.outputs.breaches)
    expect(breaches).toEqual([
      {
        id: expect.any(String),
        diagnosticType: 'DISK_WRITES',
        signature: APPLE_EXAMPLE,
        weight: 0.85,
        threshold: 0.5,
        breached: true
      }
    ])
    const signatures = JSON.parse(run.outputs.signatures)
    expect(signatures).toHaveLength(6)
    expect(
      signatures.find((s: { diagnosticType: string }) => s.diagnosticType === 'HANGS').insight
    ).toEqual({
      direction: 'UP',
      referenceVersions: [{ version: '2.3.0', value: 0.29 }]
    })
    const failure = run.errors.at(-1)
    expect(failure).toBe(
      `1 diagnostic signature above the threshold; worst: Disk writes '${APPLE_EXAMPLE}' at 85.0% (limit 50%).`
    )
    expect(run.errors).toHaveLength(2) // one annotation for the breach, one for the failure
    expect(run.summary).toMatch(/^### ❌ App Store diagnostics gate: 1 breach$/m)
    expect(run.summary).toContain(`| ❌ | Disk writes | \`${APPLE_EXAMPLE}\` | 85.0% | 50% |`)
    expect(run.outputs.report).toBe(run.summary)
    // Thousands grouped as en-US writes them (without loading ICU for it).
    expect(run.summary).toMatch(
      /App Store Connect budget left: 3,\d{3} of 3,500 requests this hour/
    )
    expectNoSecrets(run, h)
  })

  it('makes one request per type, all at once, with only the fields it reads', async () => {
    h.reset()
    h.asc.setLatency(50) // so the timeline tells parallel requests from sequential ones
    await h.run({ limit: '25', 'include-logs': '0' }).finally(() => h.asc.setLatency(0))
    // The build's own request (its label, "2.4.0 (412)") rides along with the signatures.
    const label = h.requests().filter(r => r.path === `/v1/builds/${BUILD_ID}`)
    expect(label).toHaveLength(1)
    expect(label[0].query).toMatchObject({
      'fields[builds]': 'version,processingState,app,preReleaseVersion'
    })
    const requests = h.requests().filter(r => r !== label[0])
    expect(requests).toHaveLength(3)
    expect(h.asc.criticalPath()).toBe(1)
    for (const r of requests) {
      expect(r.path).toBe(`/v1/builds/${BUILD_ID}/diagnosticSignatures`)
      expect(r.query).toMatchObject({
        'fields[diagnosticSignatures]': 'diagnosticType,signature,weight,insight',
        limit: '25'
      })
    }
    expect(requests.map(r => r.query['filter[diagnosticType]']).sort()).toEqual([
      'DISK_WRITES',
      'HANGS',
      'LAUNCHES'
    ])
  })

  it('signs one ES256 token per run as Apple requires, team key and individual key', async () => {
    h.reset()
    await h.run()
    const team = h.requests()
    expect(new Set(team.map(r => r.token)).size).toBe(1)
    const { tokenHeader, claims } = team[0] as unknown as {
      tokenHeader: Record<string, unknown>
      claims: Record<string, number | string>
    }
    expect(tokenHeader).toEqual({ alg: 'ES256', kid: h.key.keyId, typ: 'JWT' })
    expect(claims).toMatchObject({
      aud: 'appstoreconnect-v1',
      iss: '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'
    })
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(20 * 60)
    expect(claims.sub).toBeUndefined()

    h.reset()
    const run = await h.run({ 'issuer-id': '' })
    expect(run.code).toBe(1) // still gated: the individual key was accepted
    const individual = h.requests()[0] as unknown as { claims: Record<string, unknown> }
    expect(individual.claims.sub).toBe('user')
    expect(individual.claims.iss).toBeUndefined()
  })

  it('masks the key and the token before anything else is printed', async () => {
    h.reset()
    const run = await h.run()
    const firstOther = run.stdout
      .split('\n')
      .findIndex(line => line && !line.startsWith('::add-mask::'))
    const masksBefore = run.stdout
      .split('\n')
      .slice(0, firstOther)
      .filter(line => line.startsWith('::add-mask::'))
    expect(masksBefore.length).toBeGreaterThan(0)
    expect(run.masked).toContain(h.requests()[0].token)
    expect(run.masked.some(m => m.includes('BEGIN PRIVATE KEY'))).toBe(true)
  })

  it('passes a build under its thresholds, and only reports with fail-on-breach: false', async () => {
    h.reset()
    const pass = await h.run({ threshold: '90%' })
    expect(pass.code).toBe(0)
    expect(pass.outputs.passed).toBe('true')
    expect(pass.outputs['breach-count']).toBe('0')
    expect(pass.summary).toMatch(/^### ✅ App Store diagnostics gate: passed$/m)

    const reportOnly = await h.run({ 'fail-on-breach': 'false' })
    expect(reportOnly.code).toBe(0)
    expect(reportOnly.outputs.passed).toBe('false')
    expect(reportOnly.errors).toHaveLength(0) // reported only: the breach is a warning
    expect(reportOnly.warnings).toHaveLength(1)
  })

  it('passes a weight equal to the threshold and fails one just above it', async () => {
    h.reset()
    expect((await h.run({ 'disk-writes-threshold': '85%', 'hangs-threshold': '0.41' })).code).toBe(
      0
    )
    expect(
      (await h.run({ 'disk-writes-threshold': '84.9%', 'hangs-threshold': '0.41' })).code
    ).toBe(1)
  })

  it('warns, passes or fails on a type with no data, as no-data says', async () => {
    const noLaunches = sampleBuild({
      id: 'no-launches',
      signatures: sampleBuild().signatures.filter(s => s.diagnosticType !== 'LAUNCHES')
    })
    h.asc.state.builds.push(noLaunches)
    const inputs = { 'build-id': 'no-launches', threshold: '0.9' }
    const warn = await h.run(inputs)
    expect(warn.code).toBe(0)
    expect(warn.warnings.join('\n')).toMatch(
      /No launches diagnostics for build 2\.4\.0 \(412\) yet/
    )
    expect(warn.summary).toMatch(/⚠️ App Store diagnostics gate: passed, no data yet for launches/)
    expect(warn.summary).toContain('Launches: no data yet')

    const pass = await h.run({ ...inputs, 'no-data': 'pass' })
    expect(pass.code).toBe(0)
    expect(pass.warnings).toHaveLength(0)

    const fail = await h.run({ ...inputs, 'no-data': 'fail', 'fail-on-breach': 'false' })
    expect(fail.code).toBe(1)
    expect(fail.outputs.passed).toBe('false')
    expect(fail.errors.at(-1)).toMatch(
      /No launches diagnostics for build 2\.4\.0 \(412\) yet, and 'no-data' is 'fail'/
    )
  })

  it('follows links.next while pages come back short, up to limit', async () => {
    const many = sampleBuild({ id: 'many', signatures: filler(60, 'HANGS') })
    h.asc.state.builds.push(many)
    h.asc.state.pageSize = 20
    h.reset()
    try {
      h.asc.setLatency(50)
      const run = await h.run({
        'build-id': 'many',
        'diagnostic-types': 'hangs',
        limit: '50',
        'include-logs': '0'
      })
      expect(JSON.parse(run.outputs.signatures)).toHaveLength(50)
      expect(h.requests().filter(r => r.path.endsWith('/diagnosticSignatures'))).toHaveLength(3)
      expect(h.asc.criticalPath()).toBe(3)
    } finally {
      h.asc.setLatency(0)
      h.asc.state.pageSize = 200
    }
  })

  it('annotates at most 10 errors per step, the failure included, then counts the rest', async () => {
    h.asc.state.builds.push(sampleBuild({ id: 'fifteen', signatures: filler(15, 'HANGS', 0.9) }))
    const run = await h.run({
      'build-id': 'fifteen',
      'diagnostic-types': 'HANGS',
      limit: '15',
      threshold: '0',
      'include-logs': '0'
    })
    expect(run.outputs['breach-count']).toBe('15')
    expect(run.errors).toHaveLength(10)
    expect(run.errors.at(-1)).toMatch(/^15 diagnostic signatures above the threshold/)
    expect(run.warnings).toEqual(['6 more findings are listed in the job summary.'])
  })

  it('shows hostile signature text literally in the job summary', async () => {
    const hostile = sampleBuild({
      id: 'hostile',
      signatures: [
        {
          diagnosticType: 'HANGS',
          signature: '<img src=x onerror=alert(1)> | @octocat #1 `tick` <!-- x -->',
          weight: 0.9
        }
      ]
    })
    h.asc.state.builds.push(hostile)
    const run = await h.run({ 'build-id': 'hostile', 'diagnostic-types': 'HANGS' })
    const row = run.summary.split('\n').find(line => line.includes('onerror'))!
    expect(row).toContain(
      '``<img src=x onerror=alert(1)> \\| @octocat #1 `tick` <!\u200b-- x --\u200b>``'
    )
    expect(run.errors.at(-1)).toContain(
      "'<img src=x onerror=alert(1)> | @octocat #1 `tick` <!-- x -->'"
    )
  })
})

describe('failures are one actionable sentence', () => {
  it.each([
    [
      401,
      /did not accept the API token \(HTTP 401 on GET \/v1\/builds\/.*\): check 'key-id', 'issuer-id'.*that 'private-key' is the \.p8 of key TESTKEY123 .*clock/
    ],
    [403, /refused GET .* \(HTTP 403\): the API key's role/]
  ])('explains HTTP %i', async (status, message) => {
    h.reset()
    h.asc.faults.add({
      fault: { status, body: { errors: [{ status: String(status), code: 'X', title: 'nope' }] } }
    })
    const run = await h.run()
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(message)
    expect(run.stdout).not.toMatch(/\n\s+at /) // no stack trace
    expectNoSecrets(run, h)
  })

  it('explains a build that does not exist: the resource ID, not the build number', async () => {
    h.reset()
    const run = await h.run({ 'build-id': '412' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /Build '412' was not found: 'build-id' must be the App Store Connect build resource ID .* '412' looks like a build number/
    )
    // 404 is not retried; one GET /v1/builds/412 tells a wrong ID from a build without data.
    expect(
      h
        .requests()
        .map(r => r.path)
        .sort()
    ).toEqual(['/v1/builds/412', ...Array(3).fill('/v1/builds/412/diagnosticSignatures')])
  })

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    h.reset()
    h.asc.faults.add({
      match: { path: /\/diagnosticSignatures$/ },
      times: 2,
      fault: {
        status: 429,
        headers: { 'retry-after': '1' },
        body: {
          errors: [
            {
              status: '429',
              code: 'RATE_LIMIT_EXCEEDED',
              title: 'The request rate limit has been reached.'
            }
          ]
        }
      }
    })
    const run = await h.run({ 'include-logs': '0' })
    expect(run.code).toBe(1) // the real verdict: the breach
    expect(run.outputs['breach-count']).toBe('1')
    expect(h.requests().filter(r => r.path.endsWith('/diagnosticSignatures'))).toHaveLength(5)
  })

  it('gives up on a persistent 503 after a bounded number of attempts', async () => {
    h.reset()
    h.asc.faults.add({
      match: { path: '/v1/builds' },
      // Retry-After: 0, so the attempts happen without the backoff's real waits.
      fault: { status: 503, headers: { 'retry-after': '0' }, body: 'Service Unavailable' }
    })
    const run = await h.run({ 'diagnostic-types': 'HANGS' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(
      /App Store Connect failed with HTTP 503 on GET \/v1\/builds\/.*\/diagnosticSignatures after 4 attempts; .*rerun/
    )
    expect(h.requests().filter(r => r.path.endsWith('/diagnosticSignatures'))).toHaveLength(4)
  })

  it('names the endpoint and status for a body that is not JSON', async () => {
    h.reset()
    h.asc.faults.add({
      fault: {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html>maintenance</html>'
      }
    })
    const run = await h.run({ 'diagnostic-types': 'HANGS' })
    expect(run.errors.at(-1)).toMatch(
      /answered GET \/v1\/builds\/.*\/diagnosticSignatures with text\/html instead of JSON \(HTTP 200\)/
    )
  })

  it('refuses a weight outside 0–1, naming the signature and the value', async () => {
    h.reset()
    h.asc.state.builds.push(
      sampleBuild({
        id: 'percent-scale',
        signatures: [
          { id: 'sig-x', diagnosticType: 'HANGS', signature: 'ExampleApp: main + 1', weight: 85 }
        ]
      })
    )
    const run = await h.run({ 'build-id': 'percent-scale', 'diagnostic-types': 'HANGS' })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toBe(
      "Signature sig-x ('ExampleApp: main + 1') has weight 85; the gate expects a share from 0 to 1 and does not guess another scale."
    )
  })

  it('fails bad inputs before any request, naming the input', async () => {
    h.reset()
    const run = await h.run({ threshold: '150%' })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      "Input 'threshold' is '150%'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%)."
    ])
    expect(h.requests()).toHaveLength(0)
  })

  it('fails with the input error, not a module error, when run with no inputs at all', async () => {
    const run = await runAction({ inputs: {} })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toMatch(/^Input 'key-id' is required\./)
    expect(run.stderr).toBe('')
  })
})
