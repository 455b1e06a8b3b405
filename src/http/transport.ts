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

/** Reads the body up to `maxBodyBytes`; a cut or oversized body is a NetworkError. */
function readResponse(
  res: http.IncomingMessage,
  maxBodyBytes: number,
  settle: (outcome: HttpResponse | NetworkError) => void
): void {
  const chunks: Buffer[] = []
  let size = 0
  const tooLarge = (): void =>
    settle(new NetworkError(`response over ${megabytes(maxBodyBytes)} MB`, 'too-large'))
  const cut = (): void => settle(new NetworkError('connection closed mid-response', 'reset'))
  // A declared length over the cap is refused before a byte of the body is read.
  if (Number(res.headers['content-length']) > maxBodyBytes) return tooLarge()
  res.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > maxBodyBytes) tooLarge()
    else chunks.push(chunk)
  })
  res.on('aborted', cut)
  res.on('error', cut)
  res.on('end', () => {
    if (!res.complete) return cut()
    settle({
      status: res.statusCode ?? 0,
      headers: res.headers,
      body: Buffer.concat(chunks).toString('utf8')
    })
  })
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
