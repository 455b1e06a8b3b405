import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { inflateLog } from '../test-support/logs.mjs'
import { sampleBuild } from '../test-support/scenarios.mjs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isRetryable } from '../src/http/retry.js'
import { createTransport, NetworkError } from '../src/http/transport.js'
import { GITHUB_TOKEN, startHarness, type Harness } from '../test-support/harness.js'

// What the action's process loads and holds: the start-up path and the memory bound on logs.

const MB = 1024 * 1024
const build = sampleBuild()
const logs = build.logs as Record<string, Record<string, unknown>>
const hugeBuild = sampleBuild({
  logs: {
    ...logs,
    // Far over the cap: refused as it streams in, not buffered whole.
    'rc-sig-1': inflateLog(logs['rc-sig-1'], 20 * MB),
    // Large but under the cap: read and parsed as usual.
    'rc-sig-3': inflateLog(logs['rc-sig-3'], 3 * MB)
  }
})

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [hugeBuild] })
})
afterAll(() => h.close())

describe('memory is bounded whatever App Store Connect sends', () => {
  it('a logs body over the cap becomes "Backtrace unavailable: response over 4 MB", asked for once', async () => {
    h.reset()
    const run = await h.run()
    const logsOf = (id: string) =>
      h.requests().filter(r => r.path === `/v1/diagnosticSignatures/${id}/logs`)
    expect(logsOf('rc-sig-1')).toHaveLength(1) // not retried: the same request would be as large
    expect(run.warnings.join('\n')).toMatch(
      /1 of 6 backtraces are unavailable.*Backtrace unavailable: response over 4 MB to GET \/v1\/diagnosticSignatures\/rc-sig-1\/logs/
    )
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(JSON.stringify(report)).toContain('Backtrace unavailable: response over 4 MB')
    // The 3 MB body under the cap still gives its backtrace, and the verdict stands.
    expect(logsOf('rc-sig-3')).toHaveLength(1)
    expect(run.summary).toMatch(
      /ExampleApp +-\[FeedViewController reloadVisibleCells\] +FeedViewController\.m:88 +← blamed/
    )
    expect(run.code).toBe(1)
    expect(JSON.parse(run.outputs.breaches)).toHaveLength(1)
  })
})

describe('the transport’s cap without a Content-Length', () => {
  it('stops reading a chunked body as soon as it passes the cap, and does not retry it', async () => {
    let written = 0
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }) // chunked: no length up front
      const piece = Buffer.alloc(64 * 1024, 32)
      const pump = (): void => {
        while (written < 20 * MB) {
          written += piece.length
          if (!res.write(piece)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const transport = createTransport()
    try {
      const request = {
        method: 'GET' as const,
        url: `http://127.0.0.1:${port}/logs`,
        headers: {},
        timeoutMs: 10_000,
        maxBodyBytes: 4 * MB
      }
      const error = await transport.send(request).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as NetworkError).kind).toBe('too-large')
      expect((error as NetworkError).message).toBe('response over 4 MB')
      expect(isRetryable(error as NetworkError)).toBe(false)
      expect(written).toBeLessThan(20 * MB) // the connection was dropped, not drained
    } finally {
      transport.close()
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
})

describe('start-up path', () => {
  // undici (bundled by @actions/http-client) loads these builtins when it is evaluated; the
  // action needs none of them, with or without the pull-request comment.
  const UNDICI_BUILTINS = ['http2', 'worker_threads', 'zlib', 'dns', 'child_process']

  it('never evaluates undici, @actions/exec or their builtins, even when it comments', async () => {
    h.reset()
    const dir = temporaryDirectory('asc-gate-modules-')
    const file = join(dir, 'modules.txt')
    const hook = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(file)},process.moduleLoadList.join('\\n')))`
    const run = await h.run(
      { comment: 'true', 'github-token': GITHUB_TOKEN, 'include-logs': '0' },
      {
        node: [`--import=${hook}`],
        event: {
          name: 'pull_request',
          payload: { pull_request: { number: 7001, head: { repo: { full_name: 'acme/app' } } } }
        },
        env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_API_URL: h.github.url }
      }
    )
    expect(run.outputs['comment-id']).toMatch(/^\d+$/) // the comment chunk was loaded and used
    const loaded = readFileSync(file, 'utf8').split('\n')
    expect(loaded).toContain('NativeModule http') // the hook works: the transport's own module
    for (const name of UNDICI_BUILTINS) expect(loaded).not.toContain(`NativeModule ${name}`)
  })

  it('ships no undici code in the bundle', () => {
    const dist = join(process.cwd(), 'dist')
    for (const file of readdirSync(dist).filter(name => name.endsWith('.js'))) {
      const text = readFileSync(join(dist, file), 'utf8')
      // Strings only undici's own sources contain.
      expect(text).not.toContain('UND_ERR_')
      expect(text).not.toContain('kHttpsProxyAgent')
    }
  })
})
