import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GITHUB_TOKEN, startHarness, type Harness } from './support/harness.js'

// What the action's process loads: the start-up path.

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

describe('start-up path', () => {
  // undici (bundled by @actions/http-client) loads these builtins when it is evaluated; the
  // action needs none of them, with or without the pull-request comment.
  const UNDICI_BUILTINS = ['http2', 'worker_threads', 'zlib', 'dns', 'child_process']

  it('never evaluates undici, @actions/exec or their builtins, even when it comments', async () => {
    h.reset()
    const dir = mkdtempSync(join(tmpdir(), 'asc-gate-modules-'))
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
