import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startProxySimulator, startTlsFront } from '../test-support/proxy-simulator.mjs'
import { proxyFor } from '../src/http/proxy.js'
import { startHarness, type Harness } from '../test-support/harness.js'

// The runner's HTTPS_PROXY / HTTP_PROXY / NO_PROXY, through a loopback proxy. The action is given
// host names that are not loopback (so it must use the proxy); the proxy routes them to the
// simulators, so nothing leaves the machine.

const TLS = join(process.cwd(), '__tests__', 'fixtures', 'tls')
const cert = readFileSync(join(TLS, 'proxy-test-cert.pem'), 'utf8')
const key = readFileSync(join(TLS, 'proxy-test-key.pem'), 'utf8')

let h: Harness
let proxy: Awaited<ReturnType<typeof startProxySimulator>>
let front: Awaited<ReturnType<typeof startTlsFront>>
beforeAll(async () => {
  h = await startHarness()
  front = await startTlsFront({ key, cert, to: h.asc.url })
  proxy = await startProxySimulator({
    routes: {
      'asc.proxy.test:443': front.address,
      'github.proxy.test:80': new URL(h.github.url).host,
      'silent.proxy.test:443': 'hang'
    }
  })
})
afterAll(async () => {
  await proxy.close()
  await front.close()
  await h.close()
})

describe('behind the runner’s proxy', () => {
  it('tunnels App Store Connect (https, CONNECT) and GitHub (http) through the proxy, with its credentials', async () => {
    h.reset()
    proxy.log.length = 0
    const proxyUrl = proxy.url.replace('http://', 'http://build%40ci:s3cret@')
    const run = await h.onPullRequest(
      8101,
      { 'api-base-url': 'https://asc.proxy.test', 'include-logs': '1' },
      undefined,
      undefined,
      {
        HTTPS_PROXY: proxyUrl,
        HTTP_PROXY: proxyUrl,
        GITHUB_API_URL: 'http://github.proxy.test',
        // The test certificate of asc.proxy.test, as a runner would trust a corporate CA.
        NODE_EXTRA_CA_CERTS: join(TLS, 'proxy-test-cert.pem')
      }
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1) // the sample build breaches: the verdict came through the tunnel
    expect(run.outputs['comment-id']).toMatch(/^\d+$/)
    const basic = `Basic ${Buffer.from('build@ci:s3cret').toString('base64')}`
    const connects = proxy.log.filter(e => e.method === 'CONNECT')
    expect(connects.length).toBeGreaterThan(0)
    expect(connects.every(e => e.target === 'asc.proxy.test:443')).toBe(true)
    expect(proxy.log.every(e => e.authorization === basic)).toBe(true)
    const github = proxy.log.filter(e => e.method !== 'CONNECT')
    // Lookup, create, then the lookup that settles a concurrent create (issue 9).
    expect(github.map(e => e.method)).toEqual(['GET', 'POST', 'GET'])
    expect(github.every(e => e.target.startsWith('http://github.proxy.test/repos/acme/app/'))).toBe(
      true
    )
    // Every App Store Connect request arrived, through the tunnel: signatures and logs.
    expect(h.requests().length).toBeGreaterThanOrEqual(4)
    expect(h.github.comments(8101)).toHaveLength(1)
  })
})

describe('a proxy that fails', () => {
  const runThrough = (apiBaseUrl: string, inputs: Record<string, string> = {}) =>
    h.run(
      { 'api-base-url': apiBaseUrl, 'include-logs': '0', ...inputs },
      { env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: join(TLS, 'proxy-test-cert.pem') } }
    )

  it('that refuses the tunnel fails the run with one sentence that points at the proxy', async () => {
    h.reset()
    const run = await runThrough('https://nowhere.proxy.test')
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      expect.stringMatching(
        /^Could not get an answer from App Store Connect at https:\/\/nowhere\.proxy\.test .*\(the proxy refused the tunnel \(HTTP 502\)\) after 4 attempts; check the runner's network or proxy/
      )
    ])
    expect(h.requests()).toHaveLength(0)
  })

  it('that never answers the CONNECT times out instead of holding the runner', async () => {
    h.reset()
    // Bounded by 'timeout-minutes' here; client.test.ts shows the per-attempt timeout.
    const run = await runThrough('https://silent.proxy.test', { 'timeout-minutes': '0.02' })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toMatch(
      /did not finish within 'timeout-minutes' \(0\.02 minutes\)/
    )
  })
})

describe('which requests use the proxy', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy.corp:3128',
    HTTP_PROXY: 'http://plain.corp:3128',
    NO_PROXY: 'internal.corp, .apple.example,ghe.corp:8443'
  }
  const via = (url: string, extra: Record<string, string> = {}) =>
    proxyFor(new URL(url), { ...env, ...extra })?.host

  it('picks the proxy by scheme, lower-case variables first', () => {
    expect(via('https://api.appstoreconnect.apple.com/v1')).toBe('proxy.corp:3128')
    expect(via('http://ghe.corp/api')).toBe('plain.corp:3128')
    expect(via('https://a.b/', { https_proxy: 'http://lower:1' })).toBe('lower:1')
    expect(via('https://a.b/', { HTTPS_PROXY: 'squid:8080' })).toBe('squid:8080')
  })

  it('honours NO_PROXY by host, subdomain, host:port and *, and never proxies loopback', () => {
    expect(via('https://internal.corp/')).toBeUndefined()
    expect(via('https://api.internal.corp/')).toBeUndefined()
    expect(via('https://x.apple.example/')).toBeUndefined()
    expect(via('https://ghe.corp:8443/')).toBeUndefined()
    expect(via('https://ghe.corp/')).toBe('proxy.corp:3128')
    expect(via('https://anything.example/', { NO_PROXY: '*' })).toBeUndefined()
    expect(via('http://127.0.0.1:8080/')).toBeUndefined()
    expect(via('http://localhost:8080/')).toBeUndefined()
    expect(proxyFor(new URL('https://a.b/'), {})).toBeUndefined()
  })
})
