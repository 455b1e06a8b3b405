import { describe, expect, it } from '@jest/globals'
import { createPrivateKey } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AscClient } from '../src/asc/client.js'
import { TokenSource } from '../src/asc/token.js'
import { retryPolicy } from '../src/http/retry.js'
import { createTransport, type Transport } from '../src/http/transport.js'
import { makeKey } from '../test-support/keys.js'
import { startProxySimulator } from '../test-support/proxy-simulator.mjs'

// The App Store Connect client over the real transport, with a policy injected to keep waits
// short: what the fault matrix cannot show end to end at production timing.

describe('App Store Connect client', () => {
  it('gives up on a server that never answers: a timeout per attempt, then one sentence', async () => {
    let requests = 0
    const server = createServer(() => void requests++) // accepts, never answers
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const transport = createTransport()
    const client = quickClient(`http://127.0.0.1:${port}`, transport.send)
    try {
      await expect(client.getJson('/v1/apps')).rejects.toThrow(
        /^Could not get an answer from App Store Connect at http:\/\/127\.0\.0\.1:\d+ for GET \/v1\/apps \(no answer within 0 s\) after 4 attempts; check the runner's network or proxy, or rerun later\.$/
      )
      expect(requests).toBe(4)
    } finally {
      transport.close()
      server.closeAllConnections()
      server.close()
    }
  })

  it('times out a CONNECT the proxy never answers, per attempt', async () => {
    const proxy = await startProxySimulator({ routes: { 'silent.proxy.test:443': 'hang' } })
    const saved = process.env.HTTPS_PROXY
    process.env.HTTPS_PROXY = proxy.url
    const transport = createTransport()
    try {
      await expect(
        quickClient('https://silent.proxy.test', transport.send).getJson('/v1/apps')
      ).rejects.toThrow(
        /^Could not get an answer from App Store Connect at https:\/\/silent\.proxy\.test for GET \/v1\/apps \(no answer within 0 s\) after 4 attempts/
      )
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY
      else process.env.HTTPS_PROXY = saved
      transport.close()
      await proxy.close()
    }
  })
})

/** A client whose attempts time out after 100 ms, with 1 ms between them. */
function quickClient(baseUrl: string, send: Transport): AscClient {
  const key = makeKey()
  return new AscClient({
    baseUrl,
    send,
    policy: { ...retryPolicy(), requestTimeoutMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    log: () => {},
    tokens: new TokenSource({ keyId: key.keyId, key: createPrivateKey(key.pem), onMint: () => {} })
  })
}
