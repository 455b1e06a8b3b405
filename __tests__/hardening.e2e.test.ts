// Issue 9: one describe per defect of the adversarial review, each driving dist/index.js against
// the loopback simulators misbehaving on purpose.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { logFor } from '../test-support/logs.mjs'
import { baselineBuild, BASELINE_ID, sampleBuild } from '../test-support/scenarios.mjs'
import type { ActionRun } from '../test-support/run-action.mjs'
import {
  expectNoSecrets,
  GITHUB_TOKEN,
  startHarness,
  type GithubSim,
  type Harness
} from '../test-support/harness.js'
import { keyFragments } from '../test-support/keys.js'
import { reportValidator } from '../test-support/records.mjs'

const MARKER = '<!-- asc-diagnostics-gate: -->'
const SIGNATURES = /^\/v1\/builds\/[^/]+\/diagnosticSignatures$/
const LOGS = /^\/v1\/diagnosticSignatures\/[^/]+\/logs$/
const COMMENTS = /^\/repos\/acme\/app\/issues\/\d+\/comments$/
const calm = { threshold: '0.9', 'diagnostic-types': 'DISK_WRITES', 'include-logs': '0' }

let h: Harness
let gh: GithubSim
let nextPr = 900
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
  gh = h.github
})
afterAll(() => h.close())
beforeEach(() => {
  h.reset()
  h.asc.state.pageSize = 200
  gh.setLatency(0)
  h.asc.state.builds.splice(0, h.asc.state.builds.length, sampleBuild(), baselineBuild())
})

interface SigSpec {
  id?: string
  diagnosticType?: string
  signature: string
  weight: unknown
  insight?: unknown
}

/** Replaces the gated build's signatures (and optionally the baseline's). */
function setSignatures(current: SigSpec[], baseline?: SigSpec[]): void {
  const withType = (list: SigSpec[], prefix: string) =>
    list.map((s, i) => ({ id: `${prefix}-${i}`, diagnosticType: 'HANGS', ...s }))
  const build = withType(current, 'cur')
  h.asc.state.builds.splice(
    0,
    h.asc.state.builds.length,
    sampleBuild({ signatures: build, logs: Object.fromEntries(build.map(s => [s.id, logFor(s)])) }),
    baselineBuild(baseline ? { signatures: withType(baseline, 'base') } : {})
  )
}

const jsonReport = (run: ActionRun): Record<string, unknown> =>
  JSON.parse(readFileSync(run.outputs['report-path'], 'utf8')) as Record<string, unknown>
const reportText = (run: ActionRun): string => readFileSync(run.outputs['report-path'], 'utf8')

/** Everything a run published: logs, outputs, summary, the JSON report and the PR's comments. */
function published(run: ActionRun, pr?: number): string {
  return [
    run.everything,
    run.outputs['report-path'] ? reportText(run) : '',
    ...(pr === undefined ? [] : gh.comments(pr).map(c => c.body))
  ].join('\n')
}

function expectNothingLeaked(run: ActionRun, pr?: number): void {
  expectNoSecrets(run, h)
  const text = published(run, pr)
  const secrets = [...keyFragments(h.key.pem), ...h.requests().map(r => r.token), GITHUB_TOKEN]
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret && text.includes(secret))
      throw new Error(`a secret was published: ${secret.slice(0, 12)}…`)
  }
}

const appleError = (status: number, detail: string) => ({
  errors: [{ status: String(status), code: 'PARAMETER_ERROR.INVALID', title: 'Bad', detail }]
})

describe('1. tokens echoed by a server never reach published text', () => {
  it('scrubs a bearer token a logs request echoes back, from comment, summary, outputs and report', async () => {
    h.asc.faults.add({
      match: { path: LOGS },
      fault: {
        status: 400,
        body: ctx => appleError(400, `You sent ${String(ctx.headers.authorization)}`)
      }
    })
    const pr = nextPr++
    const run = await h.onPullRequest(pr, { 'include-logs': '2' })
    expect(run.code).toBe(1) // the breach
    expect(run.summary).toContain('Backtrace unavailable')
    expect(run.summary).toContain('Bearer \\*\\*\\*') // Markdown-escaped
    expect(gh.comments(pr)).toHaveLength(1)
    expectNothingLeaked(run, pr)
  })

  it.each([400, 406, 409, 422])(
    'scrubs the token from the failure line and the JSON report on HTTP %i',
    async status => {
      h.asc.faults.add({
        match: { path: SIGNATURES },
        fault: { status, body: ctx => appleError(status, String(ctx.headers.authorization)) }
      })
      const run = await h.run(calm)
      expect(run.code).toBe(1)
      expect(run.errors.join('\n')).toMatch(new RegExp(`HTTP ${status}.*Bearer \\*\\*\\*`))
      expect(String(jsonReport(run).error)).toContain('Bearer ***')
      expectNothingLeaked(run)
    }
  )

  it('scrubs the GitHub token from a GitHub error message', async () => {
    gh.faults.add({
      match: { method: 'POST', path: COMMENTS },
      fault: {
        status: 422,
        body: ctx => ({ message: `bad credentials ${String(ctx.headers.authorization)}` })
      }
    })
    const run = await h.onPullRequest(nextPr++, calm)
    expect(run.warnings.join('\n')).toMatch(/HTTP 422: bad credentials/)
    expectNothingLeaked(run)
  })

  it('scrubs a slice of the key material quoted by the server', async () => {
    const slice = keyFragments(h.key.pem)[0].slice(40, 80)
    h.asc.faults.add({
      match: { path: SIGNATURES },
      fault: { status: 422, body: appleError(422, `key part ${slice} is wrong`) }
    })
    const run = await h.run(calm)
    expect(run.errors.join('\n')).toContain('key part *** is wrong')
    expect(published(run)).not.toContain(slice)
  })
})

describe('2. concurrent runs leave one sticky comment', () => {
  it('keeps the oldest of two racing creates and deletes the newer', async () => {
    // GitHub answers in 150 ms, and each create lands a second after it was sent, so both runs
    // find no comment and both create one, however their start-up is staggered.
    gh.setLatency(150)
    gh.faults.add({ match: { method: 'POST', path: COMMENTS }, times: 2, fault: { delayMs: 1000 } })
    const pr = nextPr++
    const race = () => h.onPullRequest(pr, calm)
    const [a, b] = await Promise.all([race(), race()])
    expect(gh.timeline.filter(r => r.method === 'POST')).toHaveLength(2) // both did create
    const comments = gh.comments(pr)
    expect(comments).toHaveLength(1)
    expect(comments[0].body.startsWith(MARKER)).toBe(true)
    expect(a.outputs['comment-id']).toBe(String(comments[0].id))
    expect(b.outputs['comment-id']).toBe(String(comments[0].id))
    // A third run finds the one comment and updates it.
    gh.setLatency(0)
    const c = await h.onPullRequest(pr, { ...calm, threshold: '0.95' })
    expect(gh.comments(pr)).toHaveLength(1)
    expect(c.outputs['comment-id']).toBe(String(comments[0].id))
    expect(gh.comments(pr)[0].body).toContain('limit 95%')
  })

  it('shows a concurrency group in the README’s recommended setup', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toMatch(/concurrency:\n\s+group: .*pull_request\.number/)
  })
})

describe('3. a signature missing from an incomplete baseline is "unlisted", not new', () => {
  const baseline = [
    ...Array.from({ length: 200 }, (_, i) => ({
      signature: `ExampleApp: old path #${i} + 4`,
      weight: Number((0.004 - i * 0.00001).toFixed(5))
    })),
    { signature: 'ExampleApp: rare path + 8', weight: 0.002 }
  ]
  const floor = baseline[199].weight // 0.00201
  /** The gate's run with the rare signature now at `weight`, against that cut baseline. */
  const gateAt = (weight: number) => {
    setSignatures([{ signature: 'ExampleApp: rare path + 8', weight }], baseline)
    return h.run({
      'baseline-build-id': BASELINE_ID,
      threshold: '0.9',
      'diagnostic-types': 'HANGS',
      'include-logs': '0'
    })
  }

  it('passes a rise of at most 5 points from the lowest fetched baseline weight', async () => {
    const run = await gateAt(0.0515)
    expect(run.code).toBe(0)
    expect(run.outputs['regression-count']).toBe('0')
    const [record] = JSON.parse(run.outputs.signatures) as Record<string, unknown>[]
    expect(record.change).toBe('unlisted')
    expect(record.regressed).toBe(false)
    expect(record.delta).toBeCloseTo(0.0515 - floor, 9)
    expect(record.baselineAtMost).toBe(floor)
    expect(run.summary).toContain("unlisted: below the baseline's fetched list")
    expect(reportValidator()(jsonReport(run))).toBe(true)
  })

  it('still fails when even the lowest fetched baseline weight leaves a rise over 5 points', async () => {
    const run = await gateAt(0.06)
    expect(run.code).toBe(1)
    expect(run.outputs['regression-count']).toBe('1')
    expect(run.errors.join('\n')).toMatch(
      /up from at most 0\.2% \(not in the baseline's fetched list\)/
    )
  })
})

describe('4. the last-resort cut keeps the comment within GitHub’s limit', () => {
  it('does not close sections that signature text only seems to open', async () => {
    setSignatures(
      Array.from({ length: 200 }, (_, i) => ({
        signature: `${'<details>'.repeat(60)} #${i}`,
        weight: 0.01
      }))
    )
    const pr = nextPr++
    const run = await h.onPullRequest(pr, {
      threshold: '0.001',
      limit: '200',
      'diagnostic-types': 'HANGS',
      'include-logs': '0'
    })
    expect(run.code).toBe(1)
    const [comment] = gh.comments(pr)
    expect(comment).toBeDefined()
    expect(comment.body.length).toBeLessThanOrEqual(65_536)
    expect(comment.body).toContain('Report cut to fit')
    expect(comment.body.match(/^<\/details>$/gm)?.length ?? 0).toBeLessThanOrEqual(2)
  })
})

describe('5. bidi and C1 controls never reach the summary, comment, logs or annotations', () => {
  const controls = ['\u202e', '\u202c', '\u2066', '\u2069', '\u200f', '\u0085', '\u009b', '\u061c']
  it('removes them from signatures everywhere', async () => {
    setSignatures([{ signature: `ExampleApp: ${controls.join('x')} evil() + 1`, weight: 0.8 }])
    const pr = nextPr++
    const run = await h.onPullRequest(pr, {
      threshold: '0.5',
      'diagnostic-types': 'HANGS',
      'include-logs': '1'
    })
    expect(run.code).toBe(1)
    expect(run.summary).toContain('evil()')
    const places = [run.summary, run.stdout, gh.comments(pr)[0].body, run.errors.join('\n')]
    for (const place of places) for (const c of controls) expect(place).not.toContain(c)
  })
})

describe('6. outputs and fields from App Store Connect are bounded', () => {
  it('caps a huge signature at parse time', async () => {
    // A megabyte of text: under the 2 MB page cap, far over the 4,000-character field cap.
    setSignatures([{ signature: `ExampleApp: ${'x'.repeat(1_000_000)}`, weight: 0.8 }])
    const run = await h.run({ threshold: '0.5', 'diagnostic-types': 'HANGS', 'include-logs': '0' })
    expect(run.code).toBe(1)
    const [record] = JSON.parse(run.outputs.signatures) as { signature: string }[]
    expect(record.signature.length).toBeLessThanOrEqual(4_000)
    expect(record.signature.endsWith('…')).toBe(true)
    expect(run.outputs.breaches.length).toBeLessThan(10_000)
  })

  it('keeps each output within 1 MB, heaviest first, and counts what was left out', async () => {
    const types = ['HANGS', 'DISK_WRITES', 'LAUNCHES']
    setSignatures(
      types.flatMap(type =>
        Array.from({ length: 200 }, (_, i) => ({
          id: `${type}-${i}`,
          diagnosticType: type,
          signature: `${type} ${i} ${'y'.repeat(4_500)}`,
          weight: Number((0.9 - i * 0.001).toFixed(4))
        }))
      )
    )
    const run = await h.run({ threshold: '0.5', limit: '200', 'include-logs': '0' })
    expect(run.code).toBe(1)
    for (const name of ['signatures', 'breaches']) {
      expect(Buffer.byteLength(run.outputs[name])).toBeLessThanOrEqual(1024 * 1024)
      const kept = JSON.parse(run.outputs[name]) as { weight: number }[]
      const omitted = Number(run.outputs[`${name}-omitted`])
      expect(omitted).toBeGreaterThan(0)
      expect(kept.length + omitted).toBe(600)
      // The heaviest are kept: nothing left out is heavier than anything kept.
      expect(Math.min(...kept.map(k => k.weight))).toBeGreaterThanOrEqual(0.9 - 199 * 0.001 - 1e-9)
      expect(kept.some(k => k.weight === 0.9)).toBe(true)
    }
    expect((jsonReport(run).signatures as unknown[]).length).toBe(600)
  })
})

describe('7. a huge trend version does not blow up the report', () => {
  it('caps reference versions, so the comment keeps its type tables', async () => {
    setSignatures([
      {
        signature: 'ExampleApp: trend() + 1',
        weight: 0.3,
        insight: {
          insightType: 'TREND',
          direction: 'UP',
          referenceVersions: [{ version: '9'.repeat(100_000), value: 0.2 }]
        }
      }
    ])
    const pr = nextPr++
    const run = await h.onPullRequest(pr, { 'diagnostic-types': 'HANGS', 'include-logs': '0' })
    expect(run.code).toBe(0)
    for (const line of run.summary.split('\n')) expect(line.length).toBeLessThan(2_000)
    const body = gh.comments(pr)[0].body
    expect(body).toContain('<details><summary>Hangs: top 1 of 1')
    expect(body).not.toContain('9'.repeat(65))
  })
})

describe('8. another bot’s comment is never taken over', () => {
  it('ignores a bot comment that quotes the marker', async () => {
    const pr = nextPr++
    const quoted = `> ${MARKER}\n> quoting the gate's report`
    const other = gh.seedComment(pr, {
      body: quoted,
      user: { login: 'some-review-bot[bot]', type: 'Bot' }
    })
    await h.onPullRequest(pr, calm)
    const comments = gh.comments(pr)
    expect(comments).toHaveLength(2)
    expect(comments.find(c => c.id === other.id)!.body).toBe(quoted)
  })
})

describe('9. links from data render only to Apple’s documentation', () => {
  it('shows any other URL as escaped text', async () => {
    setSignatures([{ signature: 'ExampleApp: -[Feed reload] + 1', weight: 0.3 }])
    const sig = h.asc.state.builds[0].signatures[0] as Parameters<typeof logFor>[0]
    const logs = logFor(sig) as unknown as {
      productData: { diagnosticInsights: { insightsURL: string; insightsString: string }[] }[]
    }
    logs.productData[0].diagnosticInsights = [
      { insightsURL: 'https://evil.example/phish', insightsString: 'Read this' },
      { insightsURL: 'https://developer.apple.com.evil.example/x', insightsString: 'And this' },
      { insightsURL: 'https://help.apple.com/xcode/hangs', insightsString: 'Apple help' }
    ]
    h.asc.state.builds[0].logs = { [String(sig.id)]: logs }
    const pr = nextPr++
    const run = await h.onPullRequest(pr, { 'diagnostic-types': 'HANGS', 'include-logs': '1' })
    expect(run.code).toBe(0)
    for (const text of [run.summary, gh.comments(pr)[0].body]) {
      expect(text).not.toMatch(/\]\(https:\/\/evil/)
      expect(text).not.toMatch(/\]\(https:\/\/developer\.apple\.com\.evil/)
      expect(text).not.toContain('https://evil.example')
      expect(text).toContain('evil.example/phish')
      expect(text).toContain('](https://help.apple.com/xcode/hangs)')
    }
  })
})

describe('10. an oversized response is refused at once', () => {
  it('does not retry a body over the cap, and names the endpoint and the limit', async () => {
    h.asc.faults.add({
      match: { path: SIGNATURES },
      fault: { status: 200, contentType: 'application/json', body: 'x'.repeat(33 * 1024 * 1024) }
    })
    const run = await h.run(calm)
    expect(run.code).toBe(1)
    expect(h.requests().filter(r => SIGNATURES.test(r.path))).toHaveLength(1)
    const error = run.errors.join('\n')
    expect(error).toMatch(/GET \/v1\/builds\/[^ ]+\/diagnosticSignatures/)
    // A signature page is held to the 2 MB page cap, well under the 32 MB of any response.
    expect(error).toContain('response over 2 MB')
    expect(error).not.toMatch(/network or proxy/)
  })
})

describe('11. deeply nested data gives the intended data error', () => {
  it('describes a weight nested 100k levels deep without overflowing', async () => {
    const depth = 100_000
    const body = `{"data":[{"type":"diagnosticSignatures","id":"deep","attributes":{"diagnosticType":"DISK_WRITES","signature":"ExampleApp: x","weight":${'['.repeat(depth)}${']'.repeat(depth)}}}],"links":{"self":"x"}}`
    h.asc.faults.add({
      match: { path: SIGNATURES },
      fault: { status: 200, contentType: 'application/json', body }
    })
    const run = await h.run(calm)
    expect(run.code).toBe(1)
    const error = run.errors.join('\n')
    expect(error).toMatch(/has weight .*list.*the gate expects a share from 0 to 1/)
    expect(error).not.toMatch(/Unexpected error|call stack/)
  })
})

describe('12. a junk Retry-After falls back to exponential backoff', () => {
  it.each(['-5', '1.5'])('does not retry at once on Retry-After: %s', async value => {
    h.asc.faults.add({
      match: { path: SIGNATURES },
      times: 1,
      fault: {
        status: 429,
        headers: { 'retry-after': value },
        body: appleError(429, 'slow down')
      }
    })
    const run = await h.run(calm) // the first backoff is then 0.5–1 s
    expect(run.code).toBe(0)
    const attempts = h.requests().filter(r => SIGNATURES.test(r.path))
    expect(attempts).toHaveLength(2)
    expect(attempts[1].start - attempts[0].end).toBeGreaterThanOrEqual(450)
    expect(run.stdout).toMatch(/HTTP 429; attempt 1 of 4, retrying in (0\.[5-9]|1\.0) s/)
  })
})

describe('13. paging and the whole App Store Connect phase are bounded', () => {
  const endless = (data: (n: number) => unknown[]) => {
    let n = 0
    h.asc.faults.add({
      match: { path: SIGNATURES },
      fault: {
        status: 200,
        body: ctx => ({
          data: data(n),
          links: {
            self: ctx.url.href,
            next: `${ctx.origin}${ctx.path}?limit=10&cursor=${Buffer.from(String(++n)).toString('base64url')}`
          }
        })
      }
    })
  }
  const resource = (id: string) => ({
    type: 'diagnosticSignatures',
    id,
    attributes: { diagnosticType: 'DISK_WRITES', signature: 'ExampleApp: same + 1', weight: 0.1 }
  })

  it('stops at an empty page', async () => {
    endless(() => [])
    const run = await h.run({ ...calm, 'no-data': 'pass' })
    expect(run.code).toBe(0)
    expect(h.requests().filter(r => SIGNATURES.test(r.path))).toHaveLength(1)
  })

  it('fetches at most ceil(limit / page size) + 1 pages of one type', async () => {
    endless(() => [resource('same')])
    const run = await h.run({ ...calm, limit: '10' })
    expect(run.code).toBe(0)
    expect(h.requests().filter(r => SIGNATURES.test(r.path))).toHaveLength(11)
    expect(run.stdout).toContain('(more exist)')
  })

  it("fails past 'timeout-minutes' with a sentence that says so, and still writes the JSON report", async () => {
    h.asc.state.pageSize = 1
    setSignatures(
      Array.from({ length: 200 }, (_, i) => ({
        diagnosticType: 'DISK_WRITES',
        signature: `ExampleApp: w${i} + 1`,
        weight: 0.001
      }))
    )
    h.asc.faults.add({ match: { path: SIGNATURES }, fault: { delayMs: 150 } })
    const run = await h.run({ ...calm, limit: '200', 'timeout-minutes': '0.02' })
    expect(run.code).toBe(1)
    const error = run.errors.join('\n')
    expect(error).toMatch(/within 'timeout-minutes' \(0\.02 minutes\)/)
    expect(jsonReport(run).error).toBe(error)
    expect(h.requests().filter(r => SIGNATURES.test(r.path)).length).toBeLessThan(20)
  })

  it("rejects a 'timeout-minutes' that is not a positive number", async () => {
    const run = await h.run({ ...calm, 'timeout-minutes': '0' })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toMatch(/Input 'timeout-minutes' is '0'/)
  })
})

describe('14. key errors say what is wrong with the key', () => {
  const lines = () => h.key.pem.trim().split('\n')
  const damaged = () => {
    const l = lines()
    const ch = l[1][50]
    l[1] = `${l[1].slice(0, 50)}${ch === 'A' ? 'B' : 'A'}${l[1].slice(51)}`
    return l.join('\n')
  }

  it('names damaged bytes in the private part as a key error', async () => {
    const run = await h.run({ ...calm, 'private-key': damaged() })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toMatch(/^Input 'private-key' .*damaged/)
    expect(run.errors.join('\n')).not.toMatch(/Unexpected error|keyData/)
  })

  it('says the END line is missing', async () => {
    const run = await h.run({ ...calm, 'private-key': lines().slice(0, -1).join('\n') })
    expect(run.errors.join('\n')).toMatch(
      /^Input 'private-key' .*the END PRIVATE KEY line is missing/
    )
    expect(run.errors.join('\n')).not.toMatch(/PKCS#8 \('BEGIN PRIVATE KEY'\)/)
  })

  it('accepts a PEM whose line breaks became spaces', async () => {
    const run = await h.run({ ...calm, 'private-key': lines().join(' ') })
    expect(run.code).toBe(0)
    expect(run.errors).toEqual([])
  })

  it('gives the conversion command for an EC PRIVATE KEY', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString()
    const run = await h.run({ ...calm, 'private-key': sec1 })
    const error = run.errors.join('\n')
    expect(error).toMatch(/holds an 'EC PRIVATE KEY' PEM block/)
    expect(error).toContain('openssl pkcs8 -topk8 -nocrypt -in key.pem')
  })
})

describe('15. a redirect on comment create is not a success', () => {
  it('warns with the status and leaves the comment outputs empty', async () => {
    gh.faults.add({
      match: { method: 'POST', path: COMMENTS },
      fault: { status: 307, headers: { location: 'https://elsewhere.example/' } }
    })
    const pr = nextPr++
    const run = await h.onPullRequest(pr, calm)
    expect(run.code).toBe(0)
    expect(run.warnings.join('\n')).toMatch(/Could not comment on pull request #\d+ \(HTTP 307/)
    expect(run.stdout).not.toMatch(/Pull-request comment created/)
    expect(run.outputs['comment-id']).toBe('')
    expect(run.outputs['comment-url']).toBe('')
  })
})
