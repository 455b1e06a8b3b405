import * as http from 'node:http'
import * as https from 'node:https'
import { MAX_RESPONSE_BYTES } from '../constants.js'
import { ProxyError, proxyAuthorization, proxyFor, TunnelAgent } from './proxy.js'

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface HttpRequest {
  method: Method
  url: string
  headers: Record<string, string>
  body?: string
  timeoutMs: number
  signal?: AbortSignal
  /** A smaller cap than MAX_RESPONSE_BYTES for this request; over it is a `too-large` NetworkError. */
  maxBodyBytes?: number
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** The request never produced a complete response. */
export class NetworkError extends Error {
  constructor(
    message: string,
    /**
     * `refused`: the request never reached the server; `aborted`: the run cancelled it;
     * `too-large`: the body passed the size cap (the same request would only do it again).
     */
    readonly kind: 'timeout' | 'reset' | 'refused' | 'network' | 'aborted' | 'too-large'
  ) {
    super(message)
    this.name = 'NetworkError'
  }
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>

/**
 * One HTTP stack for both App Store Connect and GitHub: node:http(s) with keep-alive agents,
 * through the runner's proxy when HTTPS_PROXY / HTTP_PROXY say so (see proxy.ts). It bounds
 * the whole exchange with one deadline and fails on a cut body instead of waiting for it.
 */
export function createTransport(): { send: Transport; close: () => void } {
  const agents = new Agents()
  return { send: request => exchange(request, agents), close: () => agents.close() }
}

/** One keep-alive agent per scheme and proxy, so connections are reused across requests. */
class Agents {
  private readonly agents = new Map<string, http.Agent>()

  for(url: URL, proxy: URL | undefined): http.Agent {
    const key = `${url.protocol}${proxy?.href ?? ''}`
    let agent = this.agents.get(key)
    if (!agent) {
      agent =
        url.protocol !== 'https:'
          ? new http.Agent({ keepAlive: true })
          : proxy
            ? new TunnelAgent(proxy)
            : new https.Agent({ keepAlive: true })
      this.agents.set(key, agent)
    }
    return agent
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy()
    this.agents.clear()
  }
}

/** One request and its whole answer, within the request's deadline and size cap. */
function exchange(request: HttpRequest, agents: Agents): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false
    const settle = (outcome: HttpResponse | NetworkError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (outcome instanceof NetworkError) {
        req.destroy()
        reject(outcome)
      } else resolve(outcome)
    }
    const req = open(request, agents)
    const maxBodyBytes = Math.min(request.maxBodyBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES)
    req.on('response', res => readResponse(res, maxBodyBytes, settle))
    const timer = setTimeout(
      () =>
        settle(
          new NetworkError(`no answer within ${Math.round(request.timeoutMs / 1000)} s`, 'timeout')
        ),
      request.timeoutMs
    )
    req.on('error', (error: NodeJS.ErrnoException) => settle(networkError(error)))
    const { signal } = request
    if (signal) {
      const onAbort = (): void => settle(new NetworkError('request cancelled', 'aborted'))
      if (signal.aborted) onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      req.on('close', () => signal.removeEventListener('abort', onAbort))
    }
    req.end(request.body)
  })
}

/** The request, sent directly or through the proxy. */
function open(request: HttpRequest, agents: Agents): http.ClientRequest {
  const url = new URL(request.url)
  const proxy = proxyFor(url)
  // Plain http goes to the proxy as an absolute-form request; https through a tunnel.
  const viaProxy = proxy && url.protocol !== 'https:' ? proxy : undefined
  const module = url.protocol === 'https:' ? https : http
  const auth = viaProxy && proxyAuthorization(viaProxy)
  return module.request(viaProxy ?? url, {
    method: request.method,
    ...(viaProxy ? { path: url.href } : {}),
    headers: {
      ...request.headers,
      ...(viaProxy ? { host: url.host } : {}),
      ...(auth ? { 'proxy-authorization': auth } : {}),
      ...(request.body !== undefined
        ? { 'content-length': String(Buffer.byteLength(request.body)) }
        : {})
    },
    agent: agents.for(url, proxy)
  })
}

/**
 * Reads the body up to `maxBodyBytes`; a cut or oversized body is a NetworkError. A body over
 * the cap is refused at the first chunk past it: `settle` destroys the request, which closes
 * the connection, so the rest is never read.
 *
 * Memory: every byte from the socket arrives twice, in the socket's read buffer and in the
 * parser's copy handed to 'data', and V8 collects such buffers only once tens of MB of them
 * have piled up (9 refused 4 MB bodies left about 70 MB). So each read buffer is freed as soon
 * as the parser is done with it, and the body's chunks as soon as the body is refused or
 * decoded (see `release`).
 */
function readResponse(
  res: http.IncomingMessage,
  maxBodyBytes: number,
  settle: (outcome: HttpResponse | NetworkError) => void
): void {
  const tooLarge = (): NetworkError =>
    new NetworkError(`response over ${megabytes(maxBodyBytes)} MB`, 'too-large')
  // A declared length over the cap is refused before a byte of the body is read.
  if (Number(res.headers['content-length']) > maxBodyBytes) return settle(tooLarge())
  let chunks: Buffer[] = []
  let size = 0
  const { socket } = res
  // After the parser's own 'data' listener, which was there first: by then the read buffer is
  // parsed and its body bytes copied into a chunk. Kept when a chunk shares its memory.
  const releaseRead = (read: Buffer): void => {
    if (!chunks.some(chunk => chunk.buffer === read.buffer)) release(read)
  }
  socket?.on('data', releaseRead)
  let done = false
  const finish = (outcome: HttpResponse | NetworkError): void => {
    if (done) return
    done = true
    socket?.off('data', releaseRead)
    // On the next turn: a refusal comes while the parser is still reading the socket's buffer.
    const held = chunks
    chunks = []
    setImmediate(() => held.forEach(release))
    settle(outcome)
  }
  const cut = (): void => finish(new NetworkError('connection closed mid-response', 'reset'))
  res.on('data', (chunk: Buffer) => {
    if (done) return
    chunks.push(chunk)
    size += chunk.length
    if (size > maxBodyBytes) finish(tooLarge())
  })
  res.on('aborted', cut)
  res.on('error', cut)
  // However the exchange ended (a timeout, the run's cancellation), the socket is let go.
  res.on('close', () => socket?.off('data', releaseRead))
  res.on('end', () => {
    if (done) return
    if (!res.complete) return cut()
    // Here the parser is done with the socket's buffers: each copy goes as soon as it is copied
    // on, so the body is held at most twice (chunks and whole, then whole and text).
    const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
    if (whole !== chunks[0]) chunks.forEach(release)
    const text = whole.toString('utf8')
    release(whole)
    chunks = []
    finish({ status: res.statusCode ?? 0, headers: res.headers, body: text })
  })
}

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }

/**
 * Frees a buffer's memory now rather than at some later garbage collection, by detaching its
 * ArrayBuffer (`ArrayBuffer.prototype.transfer`, Node 22 and later; before, it waits for the
 * collector as any buffer does). Only a buffer that spans its whole ArrayBuffer, as a plain
 * socket's reads and the parser's copies do: never a view into memory other views share, such
 * as Node's pool or the TLS reads Node 24 packs four to a 64 KB buffer, which are left alone.
 */
function release(buffer: Buffer): void {
  const memory = buffer.buffer as Transferable
  if (
    typeof memory.transfer === 'function' &&
    buffer.byteOffset === 0 &&
    buffer.byteLength === memory.byteLength &&
    memory.byteLength > 0
  ) {
    try {
      memory.transfer(0)
    } catch {
      // Not detachable (a WebAssembly memory, say): the collector frees it as before.
    }
  }
}

function networkError(error: NodeJS.ErrnoException): NetworkError {
  if (error instanceof ProxyError) return new NetworkError(error.message, 'network')
  switch (error.code) {
    case 'ECONNRESET':
      return new NetworkError('connection reset', 'reset')
    case 'ECONNREFUSED':
      return new NetworkError('connection refused', 'refused')
    default:
      return new NetworkError(error.code ?? 'network error', 'network')
  }
}

function megabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 10) / 10)
}

/** A response header as one string. */
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}
