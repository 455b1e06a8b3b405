import * as http from 'node:http'
import * as https from 'node:https'
import { HttpClient } from '@actions/http-client'
import { MAX_RESPONSE_BYTES } from '../constants.js'

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface HttpRequest {
  method: Method
  url: string
  headers: Record<string, string>
  body?: string
  timeoutMs: number
  signal?: AbortSignal
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
 * One HTTP stack for both App Store Connect and GitHub: node:http(s) with the agent
 * @actions/http-client builds (it honours the runner's proxy variables), already loaded
 * by @actions/core. Unlike HttpClient itself, this bounds the whole exchange with one
 * deadline and fails on a cut body instead of waiting for it.
 */
export function createTransport(): { send: Transport; close: () => void } {
  // HttpClient caches one agent per instance, so keep one instance per origin.
  const clients = new Map<string, HttpClient>()
  const agentFor = (url: URL): http.Agent => {
    let client = clients.get(url.origin)
    if (!client) {
      client = new HttpClient('asc-diagnostics-gate', [], { keepAlive: true })
      clients.set(url.origin, client)
    }
    return client.getAgent(url.href)
  }
  const send: Transport = request =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url)
      const module = url.protocol === 'https:' ? https : http
      let settled = false
      const fail = (error: NetworkError): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req.destroy()
        reject(error)
      }
      const req = module.request(
        url,
        {
          method: request.method,
          headers: {
            ...request.headers,
            ...(request.body !== undefined
              ? { 'content-length': String(Buffer.byteLength(request.body)) }
              : {})
          },
          agent: agentFor(url)
        },
        res => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size > MAX_RESPONSE_BYTES)
              fail(
                new NetworkError(
                  `response body over the ${MAX_RESPONSE_BYTES / (1024 * 1024)} MB limit`,
                  'too-large'
                )
              )
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
    for (const client of clients.values()) client.dispose()
    clients.clear()
  }
  return { send, close }
}

function networkError(error: NodeJS.ErrnoException): NetworkError {
  switch (error.code) {
    case 'ECONNRESET':
      return new NetworkError('connection reset', 'reset')
    case 'ECONNREFUSED':
      return new NetworkError('connection refused', 'refused')
    default:
      return new NetworkError(error.code ?? 'network error', 'network')
  }
}

/** A response header as one string. */
export function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(', ') : value
}
