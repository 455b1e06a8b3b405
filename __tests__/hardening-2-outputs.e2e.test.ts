// Issue 22, the second adversarial review: what the gate prints and writes. One describe per
// defect, each driving dist/index.js or dist/cli.js as a process against the loopback simulators.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as Sarif from 'sarif'
import { appRepository } from '../test-support/app-repo.mjs'
import { BUILD_ID, sampleBuild } from '../test-support/scenarios.mjs'
import { CLI, runCli } from '../test-support/run-cli.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

const ISSUER = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const keyEnv = (): Record<string, string> => ({
  ASC_ISSUER_ID: ISSUER,
  ASC_KEY_ID: h.key.keyId,
  ASC_PRIVATE_KEY: h.key.pem
})

/**
 * What a terminal or a viewer acts on and JSON.stringify leaves raw: DEL, the C1 controls (CSI
 * U+009B that clears the screen, OSC U+009D that sets the title or reaches the clipboard, ST
 * U+009C), the line separators, and the bidi controls.
 */
const UNSAFE = /[\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
/** A title change, a screen clear, an OSC 52 clipboard write and every bidi control. */
const HOSTILE =
  'ci\u009d0;owned\u009c\u009b2J\u009d52;c;aGk=\u009c\u007f\u0085\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028end'

/**
 * The same through an input: inputs refuse DEL, U+200E, U+200F and the line separators as
 * invisible, but C1 and the other bidi controls reach the error that quotes the value.
 */
const HOSTILE_INPUT = HOSTILE.replace(/[\u007f\u200e\u200f\u2028]/g, '')

/** A channel's bytes hold none of those characters, raw. */
function expectNoRawControls(channel: string, text: string): void {
  const found = UNSAFE.exec(text)
  const seen = found
    ? `U+${found[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${found.index}`
    : 'none'
  expect({ channel, raw: seen }).toEqual({ channel, raw: 'none' })
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: name => ['testsuite', 'testcase'].includes(name)
})

describe('2. every JSON the tool prints or writes escapes C1 and bidi controls', () => {
  it("the action's JSON report of a run stopped by an input holds the input as escapes", async () => {
    const run = await h.run({ 'comment-header': HOSTILE_INPUT, 'report-path': 'report.json' })
    expect(run.code).toBe(1)
    const text = readFileSync(run.outputs['report-path'], 'utf8')
    expectNoRawControls('report file', text)
    // The text comes back whole: escaped, not dropped.
    expect(JSON.parse(text).error).toContain(HOSTILE_INPUT)
    expect(text).toContain('\\u009d52;c;aGk=\\u009c')
  })

  it('the command line: --format json on stdout and --report-path, after a bad flag', async () => {
    const run = await runCli(
      [
        '--build-id',
        HOSTILE_INPUT,
        '--api-base-url',
        h.asc.url,
        '--format',
        'json',
        '--report-path',
        'report.json'
      ],
      { env: keyEnv() }
    )
    expect(run.code).toBe(2)
    const file = readFileSync(join(run.cwd, 'report.json'), 'utf8')
    for (const [channel, text] of [
      ['stdout', run.stdout],
      ['report file', file],
      ['stderr', run.stderr]
    ]) {
      expectNoRawControls(channel, text)
    }
    expect(JSON.parse(run.stdout).error).toContain(HOSTILE_INPUT)
    expect(JSON.parse(file).error).toContain(HOSTILE_INPUT)
  })

  it('a blamed file whose path holds them: outputs, report, SARIF and JUnit carry them escaped', async () => {
    // A pull request's tree names the blamed file: its path reaches SARIF and JUnit as it is.
    const folder = `Feed${HOSTILE.replace(/\//g, '')}`
    const path = `ExampleApp/${folder}/FeedViewController.m`
    const repo = appRepository({
      files: ['ExampleApp/Database/DatabaseConnection.m', path, 'ExampleApp/AppDelegate.swift']
    })
    const run = await h.run(
      {
        'hangs-threshold': '40%',
        'report-path': 'report.json',
        'sarif-path': 'gate.sarif',
        'junit-path': 'gate.xml'
      },
      { env: { GITHUB_WORKSPACE: repo } }
    )
    expect(run.code).toBe(1)
    for (const output of ['signatures', 'breaches', 'findings', 'metrics']) {
      expectNoRawControls(`${output} output`, run.outputs[output])
      expect(() => JSON.parse(run.outputs[output])).not.toThrow()
    }
    const report = readFileSync(run.outputs['report-path'], 'utf8')
    const sarif = readFileSync(run.outputs['sarif-path'], 'utf8')
    const junit = readFileSync(run.outputs['junit-path'], 'utf8')
    expectNoRawControls('report file', report)
    expectNoRawControls('SARIF', sarif)
    expectNoRawControls('JUnit', junit)
    JSON.parse(report)

    // Both still point at the file, as their readers decode them.
    const log = JSON.parse(sarif) as Sarif.Log
    const uris = log.runs[0].results!.flatMap(r =>
      (r.locations ?? []).map(l => l.physicalLocation?.artifactLocation?.uri)
    )
    expect(uris.filter(Boolean).map(uri => decodeURIComponent(uri!))).toContain(path)
    expect(XMLValidator.validate(junit)).toBe(true)
    const cases = xml
      .parse(junit)
      .testsuites.testsuite.flatMap((s: { testcase: { file?: string }[] }) => s.testcase)
    expect(cases.map((c: { file?: string }) => c.file)).toContain(path)
    expectNoSecrets(run, h)
  })
})

describe('6. report files are never written through a link', () => {
  /**
   * A workspace as a pull request's tree can lay it out: `reports` links to a folder outside,
   * and `junit.xml` links to a file outside.
   */
  function plantedWorkspace() {
    const workspace = appRepository({ git: false })
    const elsewhere = temporaryDirectory('asc-gate-elsewhere-')
    const victim = join(elsewhere, 'victim.txt')
    writeFileSync(victim, 'untouched\n')
    symlinkSync(elsewhere, join(workspace, 'reports'))
    symlinkSync(victim, join(workspace, 'junit.xml'))
    const untouched = () => {
      expect(readdirSync(elsewhere)).toEqual(['victim.txt'])
      expect(readFileSync(victim, 'utf8')).toBe('untouched\n')
    }
    return { workspace, elsewhere, untouched }
  }

  it('the action refuses a linked folder and a linked file, names each input, and keeps its verdict', async () => {
    const { workspace, untouched } = plantedWorkspace()
    const run = await h.run(
      {
        'report-path': 'reports/report.json',
        'sarif-path': `${workspace}/reports/gate.sarif`,
        'junit-path': 'junit.xml'
      },
      { env: { GITHUB_WORKSPACE: workspace } }
    )
    untouched()
    // The verdict stands: the gate failed on its breach, not on the files.
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
    expect(run.errors.at(-1)).toMatch(/above the threshold/)
    for (const output of ['report-path', 'sarif-path', 'junit-path']) {
      expect({ output, value: run.outputs[output] }).toEqual({ output, value: '' })
      const warning = run.warnings.find(w => w.includes(`set '${output}'`))
      expect({ output, warning }).toEqual({
        output,
        warning: expect.stringMatching(/is a symbolic link, and a report file is never written/)
      })
    }
    expect(run.warnings.join('\n')).toContain("'reports' is a symbolic link")
    expect(run.warnings.join('\n')).toContain("'junit.xml' is a symbolic link")
  })

  it('the command line refuses them too, naming each flag; a plain new folder is still made', async () => {
    const { workspace, untouched } = plantedWorkspace()
    const run = await runCli(
      [
        '--build-id',
        BUILD_ID,
        '--api-base-url',
        h.asc.url,
        '--report-path',
        'reports/report.json',
        '--sarif-path',
        'out/sarif/gate.sarif',
        '--junit-path',
        'junit.xml'
      ],
      { env: keyEnv(), cwd: workspace }
    )
    untouched()
    expect(run.code).toBe(1)
    const warnings = run.stderr.split('\n').filter(line => line.includes('symbolic link'))
    expect(warnings).toHaveLength(2)
    expect(warnings.join('\n')).toContain('set --report-path')
    expect(warnings.join('\n')).toContain('set --junit-path')
    expect(run.stderr).toMatch(/gate failed: /)
    // Folders that are not links are created as before.
    expect(readFileSync(join(workspace, 'out/sarif/gate.sarif'), 'utf8')).toContain('"2.1.0"')
  })
})

/** Runs dist/cli.js with stdout on /dev/full; resolves to its status and stderr. */
function cliOnFullDisk(
  args: string[],
  env: Record<string, string> = {}
): Promise<{ code: number | null; stderr: string }> {
  const full = openSync('/dev/full', 'w')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', full, 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      cwd: temporaryDirectory('asc-gate-full-')
    })
    closeSync(full)
    let stderr = ''
    child.stderr!.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stderr }))
  })
}

describe('10. a write error on stdout is exit status 4 and one line, never "the gate failed"', () => {
  const expectOneLine = (stderr: string) => {
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'asc-diagnostics-gate: error: could not write to stdout (ENOSPC: no space left on device, write); send stdout to a file or pipe that can take it.'
    ])
    expect(stderr).not.toMatch(/^\s+at /m)
  }

  it('--help on /dev/full', async () => {
    const { code, stderr } = await cliOnFullDisk(['--help'])
    expect(code).toBe(4)
    expectOneLine(stderr)
  })

  it('a gate that fails, on /dev/full: 4, not 1', async () => {
    const { code, stderr } = await cliOnFullDisk(
      ['--build-id', BUILD_ID, '--api-base-url', h.asc.url],
      keyEnv()
    )
    expect(code).toBe(4)
    expectOneLine(stderr)
  })

  it('--format json on /dev/full', async () => {
    const { code, stderr } = await cliOnFullDisk(
      ['--build-id', BUILD_ID, '--api-base-url', h.asc.url, '--format', 'json'],
      keyEnv()
    )
    expect(code).toBe(4)
    expectOneLine(stderr)
  })
})

describe('14. SARIF fingerprints hash the signature text as received, before any cap', () => {
  // Two signatures alike for their first 5,000 characters: past the 4,000-character cap.
  const common = `ExampleApp: -[FeedViewController ${'layoutSubview'.repeat(400)}`
  const long = (tail: string) => `${common}${tail}] + 412`
  const ordinary = 'ExampleApp: -[ImageCache persist:] + 112'
  const signatures = (prefix: string) =>
    [
      { diagnosticType: 'HANGS', signature: long('A'), weight: 0.45 },
      { diagnosticType: 'HANGS', signature: long('B'), weight: 0.42 },
      { diagnosticType: 'HANGS', signature: ordinary, weight: 0.41 }
    ].map((s, i) => ({ id: `${prefix}-${i + 1}`, ...s }))

  /** The fingerprint of each result, by the signature ID its properties name. */
  async function fingerprints(buildId: string): Promise<Map<string, string>> {
    const run = await h.run({
      'build-id': buildId,
      'hangs-threshold': '40%',
      'diagnostic-types': 'HANGS',
      'sarif-path': 'gate.sarif'
    })
    expect(run.code).toBe(1)
    const log = JSON.parse(readFileSync(run.outputs['sarif-path'], 'utf8')) as Sarif.Log
    return new Map(
      log.runs[0].results!.map(r => [
        String(r.properties!.signatureId).replace(/^.*-/, ''),
        r.partialFingerprints!['ascDiagnosticSignature/v1']
      ])
    )
  }

  beforeAll(() => {
    expect(common.length).toBeGreaterThan(5_000)
    for (const id of ['first-run', 'second-run']) {
      h.asc.state.builds.push(sampleBuild({ id, signatures: signatures(id), logs: {} }))
    }
  })

  it('two signatures that differ only after character 5,000 get two fingerprints', async () => {
    const first = await fingerprints('first-run')
    expect(first.size).toBe(3)
    expect(first.get('1')).toMatch(/^[0-9a-f]{64}$/)
    expect(first.get('1')).not.toBe(first.get('2'))
  })

  it('one signature keeps its fingerprint from run to run, and an ordinary one the same as before', async () => {
    const first = await fingerprints('first-run')
    const second = await fingerprints('second-run')
    expect(second).toEqual(first)
    // A text kept whole hashes as it did before this change: its alerts keep their fingerprint.
    const before = createHash('sha256').update(`HANGS\n${ordinary}`).digest('hex')
    expect(first.get('3')).toBe(before)
  })
})
