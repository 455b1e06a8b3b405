import { afterEach, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { isRetryable } from '../src/http/retry.js'
import { createTransport, NetworkError, type HttpRequest } from '../src/http/transport.js'

// The transport's size cap against a loopback server: a body over it is refused by closing the
// connection, and every body under it still arrives whole, over a reused connection too.

const MB = 1024 * 1024
const CAP = 4 * MB

interface Loopback {
  url: string
  /** Every connection the server accepted, in order. */
  connections: Socket[]
  close: () => Promise<void>
}

let servers: Loopback[] = []
let transports: ReturnType<typeof createTransport>[] = []
afterEach(async () => {
  for (const transport of transports) transport.close()
  await Promise.all(servers.map(server => server.close()))
  servers = []
  transports = []
})

async function loopback(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer(handler)
  const connections: Socket[] = []
  server.on('connection', socket => connections.push(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const sim: Loopback = {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: async () => {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
  servers.push(sim)
  return sim
}

function transport() {
  const made = createTransport()
  transports.push(made)
  return made.send
}

const get = (url: string, maxBodyBytes = CAP): HttpRequest => ({
  method: 'GET',
  url,
  headers: {},
  timeoutMs: 20_000,
  maxBodyBytes
})

/** Writes `piece` until the client goes away, waiting for the socket to take each one. */
function streamForever(res: ServerResponse, piece: Buffer, written: { bytes: number }): void {
  const pump = (): void => {
    while (!res.destroyed) {
      written.bytes += piece.length
      if (!res.write(piece)) return void res.once('drain', pump)
    }
  }
  pump()
}

/** A body in uneven pieces, so multi-byte characters straddle the chunk boundaries. */
function streamBody(res: ServerResponse, body: Buffer, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'content-type': 'application/json', ...headers })
  let at = 0
  const pump = (): void => {
    while (at < body.length) {
      const piece = body.subarray(at, at + 65_537)
      at += piece.length
      if (!res.write(piece)) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

describe('a body over the cap', () => {
  it('without a Content-Length: refused by closing the connection, not read to its end', async () => {
    const written = { bytes: 0 }
    let closed: Promise<boolean> | undefined
    const server = await loopback((req, res) => {
      if (req.url === '/next') return void res.end('{"ok":true}')
      res.writeHead(200, { 'content-type': 'application/json' }) // chunked: no length up front
      closed = once(res, 'close').then(() => res.writableEnded)
      // A body without an end: a client that drained it instead of closing would never settle.
      streamForever(res, Buffer.alloc(64 * 1024, 0x20), written)
    })
    const send = transport()

    const error = await send(get(`${server.url}/logs`)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NetworkError)
    expect((error as NetworkError).kind).toBe('too-large')
    expect((error as NetworkError).message).toBe('response over 4 MB')
    expect(isRetryable(error as NetworkError)).toBe(false)

    // The client closed the connection: the server sees it go, with the body unfinished.
    expect(await closed).toBe(false)
    expect(server.connections[0].destroyed).toBe(true)
    const stopped = written.bytes
    expect(stopped).toBeGreaterThan(CAP) // it read up to the cap…
    await new Promise(resolve => setImmediate(resolve))
    expect(written.bytes).toBe(stopped) // …and nothing is written once the connection is gone

    // The closed connection is not handed to the next request.
    expect(await send(get(`${server.url}/next`))).toMatchObject({
      status: 200,
      body: '{"ok":true}'
    })
    expect(server.connections).toHaveLength(2)
  })

  it('with a Content-Length over the cap: refused before its body, by closing the connection', async () => {
    const written = { bytes: 0 }
    let closed: Promise<boolean> | undefined
    const server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(20 * MB) })
      closed = once(res, 'close').then(() => res.writableEnded)
      streamForever(res, Buffer.alloc(64 * 1024, 0x20), written)
    })
    const error = await transport()(get(`${server.url}/logs`)).catch((e: unknown) => e)
    expect((error as NetworkError).kind).toBe('too-large')
    expect((error as NetworkError).message).toBe('response over 4 MB')
    expect(await closed).toBe(false)
    expect(server.connections[0].destroyed).toBe(true)
    expect(written.bytes).toBeLessThan(20 * MB)
  })

  it('is one byte over: a body of exactly the cap is read, one more byte is refused', async () => {
    const server = await loopback((req, res) =>
      streamBody(res, Buffer.alloc(req.url === '/at' ? CAP : CAP + 1, 0x61))
    )
    const send = transport()
    const at = await send(get(`${server.url}/at`))
    expect(at.body).toHaveLength(CAP)
    await expect(send(get(`${server.url}/over`))).rejects.toMatchObject({ kind: 'too-large' })
  })
})

describe('a body under the cap', () => {
  // 2.4 MB of JSON, two characters in three of 2 or 3 bytes in UTF-8.
  const text = JSON.stringify({ frames: 'é€a'.repeat(400_000) })
  const bytes = Buffer.from(text)

  it('arrives whole, with or without a Content-Length, over one reused connection', async () => {
    const server = await loopback((req, res) =>
      streamBody(res, bytes, req.url === '/sized' ? { 'content-length': String(bytes.length) } : {})
    )
    const send = transport()
    for (const path of ['/chunked', '/sized', '/chunked', '/sized', '/chunked']) {
      const response = await send(get(`${server.url}${path}`))
      expect(response.status).toBe(200)
      expect(response.body.length).toBe(text.length)
      expect(response.body === text).toBe(true)
    }
    // Keep-alive: one connection carried all five.
    expect(server.connections).toHaveLength(1)
  })

  it('arrives whole when several are read at once', async () => {
    const server = await loopback((_req, res) => streamBody(res, bytes))
    const send = transport()
    const bodies = await Promise.all([1, 2, 3, 4].map(() => send(get(`${server.url}/logs`))))
    for (const { body } of bodies) expect(body === text).toBe(true)
  })

  it('keeps a small body and an empty one as they are', async () => {
    const server = await loopback((req, res) => {
      if (req.url === '/empty') return void res.writeHead(204).end()
      res.end('{"data":[]}')
    })
    const send = transport()
    expect(await send(get(`${server.url}/small`))).toMatchObject({ body: '{"data":[]}' })
    expect(await send(get(`${server.url}/empty`))).toMatchObject({ status: 204, body: '' })
    expect(await send(get(`${server.url}/small`))).toMatchObject({ body: '{"data":[]}' })
  })
})
