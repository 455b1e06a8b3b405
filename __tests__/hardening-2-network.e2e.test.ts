// Issue 22, the second adversarial review, the network's share: the comment lookup, the pause's
// deadline and answer, and the runner's proxy. Each describe drives dist/index.js as a process
// against the loopback simulators.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { proxyFor } from '../src/http/proxy.js'
import { startProxySimulator, startTlsFront } from '../test-support/proxy-simulator.mjs'
import {
  APP,
  appStoreVersions,
  baselineBuild,
  LIVE_VERSION_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

const TLS = join(process.cwd(), '__tests__', 'fixtures', 'tls')

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())

describe('7. a comment list that is not a 2xx JSON list fails the lookup, and no comment is created', () => {
  let nextPr = 7001
  const LIST = '/repos/acme/app/issues/'
  const posts = () => h.github.timeline.filter(r => r.method === 'POST')

  beforeEach(() => h.reset())

  it('a persistent 301 (a renamed repository) is a warning on every rerun, never a new comment', async () => {
    const clean = await h.onPullRequest(nextPr++)
    const pr = nextPr++
    const moved = `${h.github.url}/repositories/123456789/issues/${pr}/comments`
    for (let rerun = 1; rerun <= 3; rerun++) {
      h.reset()
      h.github.faults.add({
        match: { method: 'GET', path: LIST },
        fault: {
          status: 301,
          headers: { location: moved },
          body: {
            message: 'Moved Permanently',
            url: moved,
            documentation_url: 'https://docs.github.com/v3/#http-redirects'
          }
        }
      })
      const run = await h.onPullRequest(pr)
      expect(h.github.comments(pr)).toHaveLength(0)
      expect(posts()).toHaveLength(0)
      expect(run.warnings).toEqual([
        `Could not comment on pull request #${pr}: GitHub answered the list of its comments with HTTP 301, a redirect to ${moved}, which the action does not follow with its token: if acme/app was renamed or moved, run the workflow in the repository under its new name; the verdict stands and the job summary has the full report.`
      ])
      // The verdict is the run's, whatever GitHub answered.
      expect(run.code).toBe(clean.code)
      expect(run.outputs.result).toBe(clean.outputs.result)
      expect(run.outputs.passed).toBe(clean.outputs.passed)
      expect(run.outputs['comment-id']).toBe('')
      expectNoSecrets(run, h)
    }
  })

  it.each([
    ['a JSON object', { status: 200, body: { comments: [] } }, 'HTTP 200 and an object in JSON'],
    [
      'an HTML page',
      { status: 200, contentType: 'text/html', body: '<!DOCTYPE html><p>Unicorn!</p>' },
      'HTTP 200 and a body that is not JSON (text/html)'
    ],
    [
      'JSON that does not parse',
      { status: 200, contentType: 'application/json', body: '[{"id": 1,' },
      'HTTP 200 and a body that is not JSON (application/json)'
    ]
  ])('a 200 with %s names what GitHub answered, in one sentence', async (_, fault, answer) => {
    const pr = nextPr++
    h.github.faults.add({ match: { method: 'GET', path: LIST }, fault })
    const run = await h.onPullRequest(pr)
    expect(h.github.comments(pr)).toHaveLength(0)
    expect(posts()).toHaveLength(0)
    expect(run.warnings).toEqual([
      `Could not comment on pull request #${pr}: GitHub answered the list of its comments with ${answer} instead of a list of comments, so the action cannot tell whether it already commented; the verdict stands and the job summary has the full report.`
    ])
    expect(run.everything).not.toMatch(/is not iterable|Cannot use 'in' operator/)
    expect(run.code).toBe(1) // the sample build's breach, as without the fault
    expect(run.outputs.result).toBe('failed')
  })

  it('a later page that redirects fails the lookup too', async () => {
    const pr = nextPr++
    // More than one page of a person's comments (the action asks for 100 a page).
    for (let i = 0; i < 101; i++) {
      h.github.seedComment(pr, { body: `comment ${i}`, user: { login: 'someone', type: 'User' } })
    }
    // Page 2 is asked for on the repository-id path of GitHub's Link header.
    h.github.faults.add({
      match: { method: 'GET', path: '/repositories/' },
      fault: { status: 302, headers: { location: 'https://elsewhere.example/comments' } }
    })
    const run = await h.onPullRequest(pr)
    expect(h.github.timeline.map(r => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 302'])
    expect(h.github.comments(pr)).toHaveLength(101)
    expect(run.warnings).toEqual([
      expect.stringContaining(
        'GitHub answered the list of its comments with HTTP 302, a redirect to https://elsewhere.example/comments, which the action does not follow'
      )
    ])
  })
})

/** The live version 2.4.0 on day 3 of an active rollout, 2.3.0 before it (release-guard's). */
const guard = {
  'build-id': '',
  'bundle-id': APP.bundleId,
  version: 'live',
  'baseline-version': 'previous',
  'include-logs': '0',
  'pause-on': 'any',
  'phased-release': 'pause-on-failure'
}
const PATCH_PATH = `/v1/appStoreVersionPhasedReleases/${PHASED_RELEASE_ID}`
const READ_PATH = `/v1/appStoreVersions/${LIVE_VERSION_ID}/appStoreVersionPhasedRelease`
const patches = () => h.requests().filter(r => r.method === 'PATCH')

function liveScenario(): void {
  h.reset()
  h.asc.state.versions.splice(0, Infinity, ...appStoreVersions())
  h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
  h.asc.state.apps.splice(0, Infinity, { ...APP })
}

describe("8. the rollout's re-read and the pause run under 'timeout-minutes', like the rest", () => {
  beforeEach(liveScenario)

  it('a PATCH that never answers ends at the bound, with an error that names the pause', async () => {
    h.asc.faults.add({ match: { method: 'PATCH', path: PATCH_PATH }, fault: { hang: true } })
    // 6 s for the whole run: the diagnostics take a fraction of it, the hung pause the rest.
    const run = await h.run({ ...guard, 'timeout-minutes': '0.1' })
    expect(run.code).toBe(1)
    expect(patches()).toHaveLength(1) // cancelled at the deadline, not retried past it
    const pauseError = run.errors.find(e => e.startsWith('Could not pause'))
    expect(pauseError).toBe(
      "Could not pause the phased release of 2.4.0: App Store Connect did not answer the pause within 'timeout-minutes' (0.1 minutes), which bounds the pause too; check the rollout in App Store Connect, where the pause may still have landed, or raise 'timeout-minutes'."
    )
    expect(run.stdout).not.toContain('Paused the phased release')
    // The run's verdict, outputs and report are all there, with the failed pause said.
    expect(run.outputs).toMatchObject({
      result: 'failed',
      passed: 'false',
      'phased-release-state': 'ACTIVE',
      'phased-release-day': '3',
      paused: 'false'
    })
    expect(run.summary).toMatch(/^### ❌ App Store diagnostics gate: /)
    expect(run.summary).toContain('⚠️ **The phased release was not paused.**')
    expect(run.summary).toContain('#### Breaches')
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(report.phasedRelease).toMatchObject({ state: 'ACTIVE', paused: false })
    expect(report.phasedRelease.error).toContain("'timeout-minutes' (0.1 minutes)")
    expectNoSecrets(run, h)
  })

  it('a re-read that never answers ends at the bound too, and sends no PATCH', async () => {
    h.asc.faults.add({ match: { method: 'GET', path: READ_PATH }, fault: { hang: true } })
    const run = await h.run({ ...guard, 'timeout-minutes': '0.1' })
    expect(run.code).toBe(1)
    expect(patches()).toHaveLength(0)
    expect(run.errors).toContain(
      "Could not pause the phased release of 2.4.0: App Store Connect did not answer the rollout's re-read within 'timeout-minutes' (0.1 minutes), which bounds the pause too, so nothing was paused; rerun later, or raise 'timeout-minutes'."
    )
    expect(run.outputs).toMatchObject({ 'phased-release-state': 'ACTIVE', paused: 'false' })
    expect(run.summary).toContain('#### Breaches')
  })
})

describe("9. 'Paused' is logged only when App Store Connect's answer says PAUSED", () => {
  beforeEach(liveScenario)

  it('a PATCH answered 200 with the rollout still ACTIVE is an error, not a pause', async () => {
    h.asc.faults.add({
      match: { method: 'PATCH', path: PATCH_PATH },
      fault: {
        status: 200,
        body: {
          data: {
            type: 'appStoreVersionPhasedReleases',
            id: PHASED_RELEASE_ID,
            attributes: {
              phasedReleaseState: 'ACTIVE',
              currentDayNumber: 3,
              startDate: '2026-11-23T08:00:00Z',
              totalPauseDuration: 0
            },
            links: { self: `https://api.appstoreconnect.apple.com${PATCH_PATH}` }
          },
          links: { self: `https://api.appstoreconnect.apple.com${PATCH_PATH}` }
        }
      }
    })
    const run = await h.run(guard)
    expect(run.code).toBe(1)
    expect(patches()).toHaveLength(1)
    expect(run.errors).toContain(
      'App Store Connect accepted the pause of the phased release of 2.4.0, but the rollout is still ACTIVE.'
    )
    expect(run.stdout).not.toMatch(/^Paused /m)
    expect(run.stdout).not.toContain('Paused the phased release')
    expect(run.outputs).toMatchObject({ 'phased-release-state': 'ACTIVE', paused: 'false' })
    expect(run.summary).not.toContain('This run paused')
    expect(run.summary).toContain('⚠️ **The phased release was not paused.**')
  })
})

describe('11. the proxy: escapes as written, an unusable value is an error, only real loopback goes direct', () => {
  let proxy: Awaited<ReturnType<typeof startProxySimulator>>
  let front: Awaited<ReturnType<typeof startTlsFront>>
  beforeAll(async () => {
    front = await startTlsFront({
      key: readFileSync(join(TLS, 'proxy-test-key.pem'), 'utf8'),
      cert: readFileSync(join(TLS, 'proxy-test-cert.pem'), 'utf8'),
      to: h.asc.url
    })
    proxy = await startProxySimulator({
      routes: {
        'asc.proxy.test:443': front.address,
        '127.example.com:80': new URL(h.github.url).host
      }
    })
  })
  afterAll(async () => {
    await proxy.close()
    await front.close()
  })
  beforeEach(() => {
    h.reset()
    h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
    proxy.log.length = 0
  })
  const throughProxy = (env: Record<string, string>) =>
    h.run(
      { 'api-base-url': 'https://asc.proxy.test', 'include-logs': '0' },
      { env: { NODE_EXTRA_CA_CERTS: join(TLS, 'proxy-test-cert.pem'), ...env } }
    )

  it('a % that starts no escape in the password is sent as written; real escapes are decoded', async () => {
    const run = await throughProxy({
      HTTPS_PROXY: proxy.url.replace('http://', 'http://build%40ci:pa%ss@')
    })
    expect(run.stderr).toBe('')
    expect(run.errors.join('\n')).not.toContain('URI malformed')
    expect(run.code).toBe(1) // the sample build's breach: the verdict came through the tunnel
    expect(run.outputs.result).toBe('failed')
    const connects = proxy.log.filter(e => e.method === 'CONNECT')
    expect(connects.length).toBeGreaterThan(0)
    const basic = `Basic ${Buffer.from('build@ci:pa%ss').toString('base64')}`
    expect(connects.every(e => e.authorization === basic)).toBe(true)
    expectNoSecrets(run, h, ['pa%ss'])
  })

  it.each([['HTTPS_PROXY'], ['https_proxy']])(
    'an unparsable %s is an error naming it, and nothing goes direct',
    async name => {
      const run = await throughProxy({ [name]: '::not a url' })
      expect(run.code).toBe(1)
      expect(run.errors).toEqual([
        `The environment variable ${name} is not a proxy URL the action can use; set it to one such as http://proxy.example.com:3128 (http or https, credentials percent-encoded), or unset it.`
      ])
      expect(run.everything).not.toMatch(/getaddrinfo|ENOTFOUND|Unexpected error/)
      expect(proxy.log).toHaveLength(0)
      expect(h.requests()).toHaveLength(0)
    }
  )

  it('a host named 127.… is proxied like any other name, and a loopback literal goes direct', async () => {
    const pr = 7101
    const run = await h.onPullRequest(pr, {}, undefined, undefined, {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      GITHUB_API_URL: 'http://127.example.com'
    })
    expect(run.warnings).toEqual([])
    expect(run.outputs['comment-id']).toMatch(/^\d+$/)
    expect(h.github.comments(pr)).toHaveLength(1)
    // The comment went through the proxy; App Store Connect, at 127.0.0.1, did not.
    expect(proxy.log.length).toBeGreaterThan(0)
    expect(
      proxy.log.every(e => e.target.startsWith('http://127.example.com/repos/acme/app/'))
    ).toBe(true)
    expect(h.requests().length).toBeGreaterThan(0)
    expect(run.code).toBe(1)
  })

  it('only localhost, ::1 and 127.0.0.0/8 literals bypass the proxy', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' }
    const via = (url: string) => proxyFor(new URL(url), env)?.host
    expect(via('https://127.example.com/')).toBe('proxy.corp:3128')
    expect(via('https://127.0.0.1.example.com/')).toBe('proxy.corp:3128')
    expect(via('http://127.0.0.1:8080/')).toBeUndefined()
    expect(via('http://127.1.2.3/')).toBeUndefined()
    expect(via('http://127.1/')).toBeUndefined() // URL reads it as 127.0.0.1
    expect(via('http://localhost:8080/')).toBeUndefined()
    expect(via('http://[::1]:8080/')).toBeUndefined()
    expect(() => proxyFor(new URL('https://a.b/'), { HTTPS_PROXY: 'socks5://proxy:1080' })).toThrow(
      /HTTPS_PROXY is not a proxy URL the action can use/
    )
  })
})
