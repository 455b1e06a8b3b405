import { describe, expect, it } from '@jest/globals'
import { createPrivateKey } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AscClient } from '../src/asc/client.js'
import { TokenSource } from '../src/asc/token.js'
import { retryPolicy } from '../src/http/retry.js'
import { createTransport } from '../src/http/transport.js'
import { makeKey } from '../test-support/keys.js'

// The App Store Connect client over the real transport, with a policy injected to keep waits
// short: what the fault matrix cannot show end to end at production timing.

describe('App Store Connect client', () => {
  it('gives up on a server that never answers: a timeout per attempt, then one sentence', async () => {
    let requests = 0
    const server = createServer(() => void requests++) // accepts, never answers
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const transport = createTransport()
    const key = makeKey()
    const client = new AscClient({
      baseUrl: `http://127.0.0.1:${port}`,
      send: transport.send,
      policy: { ...retryPolicy(), requestTimeoutMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
      log: () => {},
      tokens: new TokenSource({
        keyId: key.keyId,
        key: createPrivateKey(key.pem),
        onMint: () => {}
      })
    })
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
})
