import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { startHarness, type Harness } from '../test-support/harness.js'

// The README's Contributing steps, as written: `npx @github/local-action run . src/main.ts .env`
// runs src/main.ts (not dist/) without a prompt or a download, here against the simulator.
let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const ROOT = process.cwd()

function localAction(envFile: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['@github/local-action', 'run', '.', 'src/main.ts', envFile], {
      cwd: ROOT,
      // No terminal: a missing package would make npx ask, or fail, instead of running.
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        npm_config_offline: 'true'
      }
    })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, output }))
  })
}

/** The NAME="value" lines of a .env file (all .env.example uses). */
function readDotenv(path: string): Record<string, string> {
  const pairs = readFileSync(path, 'utf8')
    .split('\n')
    .map(line => /^([A-Za-z_][\w-]*)="(.*)"$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
  return Object.fromEntries(pairs.map(([, name, value]) => [name, value]))
}

/** A row of local-action's printed outputs table: │ n │ 'name' │ 'value' │. */
function printedOutput(output: string, name: string): string | undefined {
  const rows = [...output.matchAll(new RegExp(`│ \\d+ +│ '${name}' +│ '([^']*)' +│`, 'g'))]
  return rows.at(-1)?.[1]
}

describe('@github/local-action', () => {
  it('runs src/main.ts from a .env file like .env.example', async () => {
    const example = readDotenv(join(ROOT, '.env.example'))
    expect(Object.keys(example)).toEqual(
      expect.arrayContaining(['INPUT_KEY-ID', 'INPUT_PRIVATE-KEY', 'INPUT_COMMENT'])
    )
    const dir = temporaryDirectory('local-action-')
    const values: Record<string, string> = {
      ...example,
      'INPUT_ISSUER-ID': '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
      'INPUT_KEY-ID': h.key.keyId,
      'INPUT_PRIVATE-KEY': h.key.pem.trim().replace(/\n/g, '\\n'),
      'INPUT_BUNDLE-ID': 'com.example.app',
      INPUT_VERSION: 'v2.4.0',
      'INPUT_API-BASE-URL': h.asc.url,
      RUNNER_TEMP: dir
    }
    const envFile = join(dir, '.env')
    writeFileSync(
      envFile,
      Object.entries(values)
        .map(([name, value]) => `${name}="${value}"`)
        .join('\n')
    )
    const run = await localAction(envFile)
    expect(run.output).not.toMatch(/Need to install|Ok to proceed|ERR!/)
    expect(run.output).toContain(
      "::error::1 diagnostic signature above the threshold; worst: Disk writes 'ExampleApp: -[DatabaseConnection executeSQL:enumerateRowsWithBlock:] + 23' at 85.0% (limit 50%)."
    )
    expect(printedOutput(run.output, 'result')).toBe('failed')
    expect(printedOutput(run.output, 'build-id')).toBe('1a254ec1-8e3d-48e7-bbd6-6b9a30072b29')
    expect(h.requests().length).toBeGreaterThan(0)
  })
})
