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
  // One keep-alive agent per scheme and proxy, so connections are reused across requests.
  const agents = new Map<string, http.Agent>()
  const agentFor = (url: URL, proxy: URL | undefined): http.Agent => {
    const key = `${url.protocol}${proxy?.href ?? ''}`
    let agent = agents.get(key)
    if (!agent) {
      agent =
        url.protocol !== 'https:'
          ? new http.Agent({ keepAlive: true })
          : proxy
            ? new TunnelAgent(proxy)
            : new https.Agent({ keepAlive: true })
      agents.set(key, agent)
    }
    return agent
  }
  const send: Transport = request =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url)
      const proxy = proxyFor(url)
      // Plain http goes to the proxy as an absolute-form request; https through a tunnel.
      const viaProxy = proxy && url.protocol !== 'https:' ? proxy : undefined
      const module = url.protocol === 'https:' ? https : http
      const maxBodyBytes = Math.min(request.maxBodyBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES)
      let settled = false
      const fail = (error: NetworkError): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req.destroy()
        reject(error)
      }
      const auth = viaProxy && proxyAuthorization(viaProxy)
      const req = module.request(
        viaProxy ?? url,
        {
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
          agent: agentFor(url, proxy)
        },
        res => {
          const chunks: Buffer[] = []
          let size = 0
          const tooLarge = (): void =>
            fail(new NetworkError(`response over ${megabytes(maxBodyBytes)} MB`, 'too-large'))
          // A declared length over the cap is refused before a byte of the body is read.
          if (Number(res.headers['content-length']) > maxBodyBytes) return tooLarge()
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBodyBytes) tooLarge()
            else chunks.push(chunk)
          })
          res.on('aborted', () => fail(new NetworkError('connection closed mid-response', 'reset')))
          res.on('error', () => fail(new NetworkError('connection closed mid-response', 'reset')))
          res.on('end', () => {
            if (settled) return
            if (!res.complete)
              return fail(new NetworkError('connection closed mid-response', 'reset'))
            settled = true
            clearTimeout(timer)
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8')
            })
          })
        }
      )
      const timer = setTimeout(
        () =>
          fail(
            new NetworkError(
              `no answer within ${Math.round(request.timeoutMs / 1000)} s`,
              'timeout'
            )
          ),
        request.timeoutMs
      )
      req.on('error', (error: NodeJS.ErrnoException) => fail(networkError(error)))
      const { signal } = request
      if (signal) {
        const onAbort = (): void => fail(new NetworkError('request cancelled', 'aborted'))
        if (signal.aborted) onAbort()
        signal.addEventListener('abort', onAbort, { once: true })
        req.on('close', () => signal.removeEventListener('abort', onAbort))
      }
      req.end(request.body)
    })
  const close = (): void => {
    for (const agent of agents.values()) agent.destroy()
    agents.clear()
  }
  return { send, close }
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
