import { describe, expect, it } from '@jest/globals'
import { AscClient } from '../src/asc/client.js'
import { TokenSource } from '../src/asc/token.js'
import { collect } from '../src/collect.js'
import { parseConfig, type Config } from '../src/config/parse.js'
import { ASC, LOGS_CONCURRENCY, type DiagnosticType } from '../src/constants.js'
import { retryPolicy } from '../src/http/retry.js'
import type { HttpRequest, HttpResponse, Transport } from '../src/http/transport.js'
import { logFor } from '../test-support/logs.mjs'
import { makeKey } from '../test-support/keys.js'

// collect() with the real client and token source over a fake Transport: what it asks App Store
// Connect for, and in what order, without a server.

const BASE = 'https://asc.example'
const key = makeKey()

function config(inputs: Record<string, string> = {}): Config {
  const all: Record<string, string> = {
    'key-id': key.keyId,
    'private-key': key.pem,
    'build-id': 'build-1',
    'api-base-url': BASE,
    ...inputs
  }
  return parseConfig(name => all[name] ?? '')
}

interface Sent {
  path: string
  query: URLSearchParams
  /** When the answer was handed back; undefined while in flight. */
  answered?: number
}

/** A fake App Store Connect: `n` signatures per type and build, logs for each, with delays. */
function fakeAsc({
  perType = 20,
  delayMs = (_url: URL): number => 0,
  fail = (_url: URL): boolean => false
} = {}) {
  const sent: Sent[] = []
  let inFlight = 0
  let maxLogsInFlight = 0
  let logsInFlight = 0
  const send: Transport = async (request: HttpRequest): Promise<HttpResponse> => {
    const url = new URL(request.url)
    const entry: Sent = { path: url.pathname, query: url.searchParams }
    sent.push(entry)
    const isLogs = url.pathname.endsWith('/logs')
    inFlight++
    if (isLogs) maxLogsInFlight = Math.max(maxLogsInFlight, ++logsInFlight)
    await new Promise(resolve => setTimeout(resolve, delayMs(url)))
    inFlight--
    if (isLogs) logsInFlight--
    entry.answered = performance.now()
    if (fail(url)) return json(400, { errors: [{ status: '400', title: 'Bad' }] })
    const signatures = /^\/v1\/builds\/([^/]+)\/diagnosticSignatures$/.exec(url.pathname)
    if (signatures) {
      const type = url.searchParams.get('filter[diagnosticType]') as DiagnosticType
      const limit = Number(url.searchParams.get('limit'))
      return json(200, {
        data: Array.from({ length: Math.min(limit, perType) }, (_, i) => ({
          type: 'diagnosticSignatures',
          id: `${signatures[1]}-${type}-${i}`,
          attributes: {
            diagnosticType: type,
            signature: `ExampleApp: ${type} ${i} + 4`,
            weight: Number((0.5 / (i + 1)).toFixed(4))
          }
        }))
      })
    }
    const logs = /^\/v1\/diagnosticSignatures\/([^/]+)\/logs$/.exec(url.pathname)
    if (logs) {
      const [, id] = logs
      return json(200, logFor({ id, diagnosticType: 'HANGS', signature: `ExampleApp: ${id} + 4` }))
    }
    return json(404, { errors: [{ status: '404', title: 'Not found' }] })
  }
  return {
    send,
    sent,
    inFlight: () => inFlight,
    maxLogsInFlight: () => maxLogsInFlight,
    logs: () => sent.filter(s => s.path.endsWith('/logs')).map(s => s.path.split('/')[3])
  }
}

function json(status: number, body: unknown): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

function client(send: Transport, config: Config): AscClient {
  return new AscClient({
    baseUrl: config.apiBaseUrl,
    send,
    policy: retryPolicy(),
    log: () => {},
    tokens: new TokenSource({ keyId: config.keyId, key: config.privateKey, onMint: () => {} })
  })
}

describe('collect', () => {
  it('fetches the top `limit` of each type for the build alone', async () => {
    const asc = fakeAsc()
    const settings = config({ limit: '10', 'include-logs': '0' })
    const data = await collect(client(asc.send, settings), settings, () => {})
    const pages = asc.sent.filter(s => s.path.endsWith('/diagnosticSignatures'))
    expect(pages.map(s => s.query.get('filter[diagnosticType]')).sort()).toEqual([
      'DISK_WRITES',
      'HANGS',
      'LAUNCHES'
    ])
    expect(pages.every(s => s.query.get('limit') === '10')).toBe(true)
    expect(data.baseline).toBeUndefined()
    expect(data.current.lists.get('HANGS')?.signatures).toHaveLength(10)
  })

  it('with a baseline, fetches the whole list of both builds, not only the reported top', async () => {
    const asc = fakeAsc()
    const settings = config({ limit: '10', 'include-logs': '0', 'baseline-build-id': 'base-1' })
    const data = await collect(client(asc.send, settings), settings, () => {})
    const pages = asc.sent.filter(s => s.path.endsWith('/diagnosticSignatures'))
    expect(pages).toHaveLength(6)
    expect(pages.map(s => s.query.get('limit'))).toEqual(
      Array(6).fill(String(ASC.baselineFetchLimit))
    )
    expect(new Set(pages.map(s => s.path.split('/')[3]))).toEqual(new Set(['build-1', 'base-1']))
    expect(data.baseline?.lists.get('HANGS')?.signatures).toHaveLength(20)
  })

  it("fetches logs only for the build's top signatures, never the baseline's", async () => {
    const asc = fakeAsc()
    const settings = config({
      limit: '10',
      'include-logs': '2',
      'baseline-build-id': 'base-1',
      'diagnostic-types': 'HANGS,LAUNCHES'
    })
    const data = await collect(client(asc.send, settings), settings, () => {})
    expect(asc.logs().sort()).toEqual([
      'build-1-HANGS-0',
      'build-1-HANGS-1',
      'build-1-LAUNCHES-0',
      'build-1-LAUNCHES-1'
    ])
    expect([...data.backtraces.keys()].sort()).toEqual(asc.logs().sort())
    expect([...data.backtraces.values()].every(result => result.ok)).toBe(true)
  })

  it('keeps at most 4 logs requests in flight, and none once it returns', async () => {
    const asc = fakeAsc({ delayMs: url => (url.pathname.endsWith('/logs') ? 20 : 0) })
    const settings = config({ limit: '10', 'include-logs': '10' })
    await collect(client(asc.send, settings), settings, () => {})
    expect(asc.logs()).toHaveLength(30)
    expect(asc.maxLogsInFlight()).toBe(LOGS_CONCURRENCY)
    expect(asc.inFlight()).toBe(0)
  })

  it('waits for the other types before it throws for a failing one', async () => {
    // Hangs fail at once; the other types answer later, and then fetch their logs.
    const hangs = (url: URL): boolean => url.searchParams.get('filter[diagnosticType]') === 'HANGS'
    const asc = fakeAsc({ delayMs: url => (hangs(url) ? 0 : 30), fail: hangs })
    const settings = config({ 'include-logs': '3' })
    await expect(collect(client(asc.send, settings), settings, () => {})).rejects.toThrow(
      /HTTP 400/
    )
    expect(asc.inFlight()).toBe(0)
    expect(asc.sent.every(s => s.answered !== undefined)).toBe(true)
    // The types that succeeded still had their logs fetched before the error surfaced.
    expect(asc.logs()).toHaveLength(6)
  })
})
