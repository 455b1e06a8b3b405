// @ts-check
// Plumbing shared by the HTTP simulators: a loopback server that records every
// request on a timeline, delays answers by a configurable latency, and lets a
// test inject transport and HTTP faults ahead of the real handler.
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * One request as the server saw it. `start`/`end` come from performance.now();
 * `end` is when the last byte was handed to the socket (or the socket was
 * destroyed), so a client cannot have started a follow-up request before it.
 * `bodyBytesWritten`: the body bytes written so far, for a chunked answer only.
 * Simulators add their own fields (the ASC one adds token, claims, tokenHeader).
 * @typedef {{
 *   seq: number, method: string, path: string, query: Record<string, string>,
 *   headers: http.IncomingHttpHeaders, start: number, end: number, status: number,
 *   fault?: string, error?: string, bodyBytesWritten?: number, [extra: string]: unknown
 * }} TimelineEntry
 */

/**
 * What a handler (or a status fault) answers. An object body is sent as JSON. `chunked`: sent
 * without a Content-Length (chunked transfer encoding), in pieces, as a streaming server does.
 * @typedef {{ status: number, headers?: Record<string, string>, body?: string | Buffer | object,
 *   chunked?: boolean }} SimResponse
 */

/**
 * Everything a handler gets about one request; `body` is the raw request body.
 * @typedef {{ req: http.IncomingMessage, method: string, url: URL, path: string,
 *   query: Record<string, string>, headers: http.IncomingHttpHeaders, body: string,
 *   entry: TimelineEntry, origin: string }} SimContext
 */

/**
 * A status fault answers instead of the handler (`status` defaults to 200, so
 * `{ contentType: 'text/html', body }` serves an HTML page with a 200).
 *   A `body` function builds the answer from the request, e.g. to echo its Authorization header.
 * `{ chunked: true }` sends the handler's answer without a Content-Length (see SimResponse).
 * @typedef {{ status?: number, headers?: Record<string, string>,
 *   body?: string | object | ((ctx: SimContext) => string | object), contentType?: string }} StatusFault
 * @typedef {StatusFault | { reset: true } | { hang: true } | { delayMs: number } | { truncate: true } | { chunked: true }} Fault
 * @typedef {{ method?: string, path?: RegExp | string }} FaultMatch
 * @typedef {{ match?: FaultMatch, times?: number, fault: Fault }} FaultRule
 */

/**
 * @typedef {object} SimServer
 * @property {string} url origin, e.g. http://127.0.0.1:41234 (no trailing slash)
 * @property {() => Promise<void>} close resolves even while requests hang
 * @property {TimelineEntry[]} timeline
 * @property {{ add(rule: FaultRule): void, clear(): void }} faults
 * @property {(ms: number) => void} setLatency
 */

/**
 * @param {(ctx: SimContext) => SimResponse | Promise<SimResponse>} handler
 * @param {{ latencyMs?: number, host?: string,
 *   onRequest?: (ctx: SimContext) => Record<string, string> | void }} [options]
 *   `onRequest` sees every attempt, faulted ones included; the headers it
 *   returns are added to whatever answer is sent (e.g. rate-limit headers).
 * @returns {Promise<SimServer>}
 */
export async function createServer(handler, { latencyMs = 0, host = '127.0.0.1', onRequest } = {}) {
  /** @type {TimelineEntry[]} */
  const timeline = []
  /** @type {Required<FaultRule>[]} */
  let rules = []
  let latency = latencyMs
  let origin = ''

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin)
    /** @type {TimelineEntry} */
    const entry = {
      seq: timeline.length + 1,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      start: performance.now(),
      end: NaN,
      status: 0
    }
    timeline.push(entry)
    res.on('close', () => {
      if (Number.isNaN(entry.end)) entry.end = performance.now()
    })
    serve(req, res, url, entry).catch(error => {
      // The client went away mid-request, or an onRequest hook threw: drop the connection.
      entry.error = error instanceof Error ? error.message : String(error)
      res.destroy()
    })
  })

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {URL} url
   * @param {TimelineEntry} entry
   */
  async function serve(req, res, url, entry) {
    /** @type {SimContext} */
    const ctx = {
      req,
      method: entry.method,
      url,
      path: url.pathname,
      query: entry.query,
      headers: req.headers,
      body: await readBody(req),
      entry,
      origin
    }
    const extraHeaders = onRequest?.(ctx) ?? {}
    const fault = takeFault(rules, entry)
    const kind = fault && faultKind(fault)
    if (kind) entry.fault = kind
    if (kind === 'hang') return
    await sleep(latency)
    if (kind === 'reset') {
      entry.end = performance.now()
      req.socket.destroy()
      return
    }
    if (fault && 'delayMs' in fault) await sleep(fault.delayMs)
    const response =
      kind === 'status'
        ? statusFault(/** @type {StatusFault} */ (fault), ctx)
        : await runHandler(handler, ctx)
    const answer = withHeaders(response, extraHeaders)
    await send(res, entry, kind === 'chunked' ? { ...answer, chunked: true } : answer, {
      truncate: kind === 'truncate'
    })
  }

  await new Promise(resolve => server.listen(0, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  origin = `http://${host}:${address.port}`

  return {
    url: origin,
    timeline,
    faults: {
      add: ({ match = {}, times = Infinity, fault }) => void rules.push({ match, times, fault }),
      clear: () => void (rules = [])
    },
    setLatency: ms => void (latency = ms),
    close: () =>
      new Promise((resolve, reject) => {
        server.close(error => (error ? reject(error) : resolve()))
        // Hung requests and idle keep-alive sockets would keep close() pending.
        server.closeAllConnections()
      })
  }
}

/**
 * Number of sequential round trips: the longest chain r1, r2, … in which every
 * request started no earlier than the previous one ended. Requests that never
 * ended (hung) can only be the last link of a chain.
 * @param {Pick<TimelineEntry, 'start' | 'end'>[]} timeline
 * @returns {number}
 */
export function criticalPath(timeline) {
  const byStart = [...timeline].sort((a, b) => a.start - b.start)
  /** @type {number[]} chain[i] = longest chain ending with byStart[i] */
  const chain = []
  byStart.forEach((request, i) => {
    let best = 0
    for (let j = 0; j < i; j++) {
      if (byStart[j].end <= request.start) best = Math.max(best, chain[j])
    }
    chain.push(best + 1)
  })
  return Math.max(0, ...chain)
}

/**
 * First rule that matches and still has uses left; consumes one use.
 * @param {Required<FaultRule>[]} rules
 * @param {TimelineEntry} entry
 */
function takeFault(rules, entry) {
  const rule = rules.find(r => r.times > 0 && matches(r.match, entry))
  if (!rule) return undefined
  rule.times -= 1
  return rule.fault
}

/**
 * @param {Fault} fault
 * @returns {'hang' | 'reset' | 'delay' | 'truncate' | 'chunked' | 'status'}
 */
function faultKind(fault) {
  if ('hang' in fault) return 'hang'
  if ('reset' in fault) return 'reset'
  if ('delayMs' in fault) return 'delay'
  if ('truncate' in fault) return 'truncate'
  if ('chunked' in fault) return 'chunked'
  return 'status'
}

/**
 * @param {FaultMatch} match
 * @param {TimelineEntry} entry
 */
function matches({ method, path }, entry) {
  if (method && method.toUpperCase() !== entry.method) return false
  if (path instanceof RegExp) return path.test(entry.path)
  return path === undefined || entry.path.startsWith(path)
}

/**
 * @param {StatusFault} fault
 * @param {SimContext} ctx
 * @returns {SimResponse}
 */
function statusFault({ status = 200, headers = {}, body, contentType }, ctx) {
  return {
    status,
    headers: contentType ? { 'content-type': contentType, ...headers } : headers,
    body: typeof body === 'function' ? body(ctx) : body
  }
}

/**
 * @param {SimResponse} response
 * @param {Record<string, string>} extra
 * @returns {SimResponse}
 */
function withHeaders(response, extra) {
  return { ...response, headers: { ...extra, ...response.headers } }
}

/**
 * A throwing handler is a simulator bug: answer 500 and keep the message on
 * the timeline so the failing test can show it.
 * @param {(ctx: SimContext) => SimResponse | Promise<SimResponse>} handler
 * @param {SimContext} ctx
 * @returns {Promise<SimResponse>}
 */
async function runHandler(handler, ctx) {
  try {
    return await handler(ctx)
  } catch (error) {
    ctx.entry.error = error instanceof Error ? (error.stack ?? error.message) : String(error)
    return { status: 500, body: { simulatorError: ctx.entry.error } }
  }
}

/**
 * @param {http.ServerResponse} res
 * @param {TimelineEntry} entry
 * @param {SimResponse} response
 * @param {{ truncate?: boolean }} [options] truncate: send only the first half
 *   of the body, with a Content-Length that matches the cut body.
 * @returns {Promise<void>} once the body is handed to the socket, or the client closed it
 */
async function send(
  res,
  entry,
  { status, headers = {}, body, chunked = false },
  { truncate = false } = {}
) {
  if (res.destroyed) return
  const isJson = body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)
  let bytes =
    body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(isJson ? JSON.stringify(body) : /** @type {string | Buffer} */ (body))
  if (truncate) bytes = bytes.subarray(0, Math.floor(bytes.length / 2))
  const hasType = Object.keys(headers).some(name => name.toLowerCase() === 'content-type')
  const contentType =
    hasType || bytes.length === 0
      ? {}
      : { 'content-type': isJson ? 'application/json' : 'text/plain; charset=utf-8' }
  if (chunked) {
    const rest = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length')
    )
    res.writeHead(status, { ...contentType, ...rest })
    entry.status = status
    return writeChunked(res, entry, bytes)
  }
  res.writeHead(status, { ...contentType, ...headers, 'content-length': String(bytes.length) })
  entry.status = status
  entry.end = performance.now()
  res.end(bytes)
}

const CHUNK_BYTES = 64 * 1024

/**
 * The body in 64 KB chunks, each written once the socket has taken the previous ones: a client
 * that closes the connection stops the writes. `entry.bodyBytesWritten` counts what was written.
 * @param {http.ServerResponse} res
 * @param {TimelineEntry} entry
 * @param {Buffer} bytes
 */
async function writeChunked(res, entry, bytes) {
  let written = 0
  for (let at = 0; at < bytes.length && !res.destroyed; at += CHUNK_BYTES) {
    const piece = bytes.subarray(at, at + CHUNK_BYTES)
    written += piece.length
    entry.bodyBytesWritten = written
    if (!res.write(piece)) {
      await new Promise(resolve => {
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve(undefined)
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
  }
  if (res.destroyed) return
  entry.end = performance.now()
  res.end()
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}
