import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { XMLValidator } from 'fast-xml-parser'
import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import {
  APP,
  APPLE_EXAMPLE,
  appStoreVersions,
  baselineBuild,
  BUILD_ID,
  LIVE_VERSION_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { keyFragments, makeKey } from '../test-support/keys.js'
import { startHarness, type Harness } from '../test-support/harness.js'
import { GITHUB_ONLY_INPUTS } from '../src/cli/flags.js'
import { CLI, hasScript, runCli } from '../test-support/run-cli.mjs'
import { spawnNode } from '../test-support/run-action.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { reportValidator } from '../test-support/records.mjs'

// The command-line tool (issue 16), run as a process (dist/cli.js) against the simulators.

const ROOT = process.cwd()
const validate = reportValidator()
const ESC = '\u001b['
const ISSUER = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
  h.asc.state.builds.push(sampleBuild({ id: 'empty-build', signatures: [], logs: {} }))
})
afterAll(() => h.close())

/** The key in the environment, as the README tells CI users to keep it. */
const keyEnv = (): Record<string, string> => ({
  ASC_ISSUER_ID: ISSUER,
  ASC_KEY_ID: h.key.keyId,
  ASC_PRIVATE_KEY: h.key.pem
})
const gate = (args: string[] = [], env: Record<string, string> = {}, tty = false) =>
  runCli(['--build-id', BUILD_ID, '--api-base-url', h.asc.url, ...args], {
    env: { ...keyEnv(), ...env },
    tty
  })

/** Nothing printed may hold the key or a token the tool sent. */
function expectNoSecrets(run: { stdout: string; stderr: string }): void {
  const everything = run.stdout + run.stderr
  const secrets = [...keyFragments(h.key.pem), ...h.requests().map(r => r.token)]
  for (const secret of secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))
    expect(everything.includes(secret)).toBe(false)
}

describe('exit codes', () => {
  it('1: the gate failed, with the verdict first and the failure on stderr', async () => {
    h.reset()
    const run = await gate()
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n')[0]).toBe('❌ App Store diagnostics gate: 1 breach')
    expect(run.stdout).toContain(APPLE_EXAMPLE)
    expect(run.stderr).toContain(
      `asc-diagnostics-gate: gate failed: 1 diagnostic signature above the threshold; worst: Disk writes '${APPLE_EXAMPLE}' at 85.0% (limit 50%).`
    )
    expectNoSecrets(run)
  })

  it('3: scrubs key material that App Store Connect quotes back, as the action does', async () => {
    h.reset()
    const slice = keyFragments(h.key.pem)[0].slice(40, 80)
    h.asc.faults.add({
      match: { path: /diagnosticSignatures$/ },
      times: 1,
      fault: {
        status: 422,
        body: {
          errors: [
            {
              status: '422',
              code: 'ENTITY_ERROR',
              title: 'Bad',
              detail: `key part ${slice} is wrong`
            }
          ]
        }
      }
    })
    const run = await gate()
    expect(run.code).toBe(3)
    expect(run.stderr).toContain('key part *** is wrong')
    expectNoSecrets(run)
    expect(run.stdout + run.stderr).not.toContain(slice)
  })

  it('0: passed', async () => {
    const run = await gate(['--threshold', '90%'])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')[0]).toBe('✅ App Store diagnostics gate: passed')
    expect(run.stderr).toBe('')
  })

  it('0: no data under --no-data warn (the default) and pass; 1 under --no-data fail', async () => {
    const empty = ['--build-id', 'empty-build']
    const warn = await gate(empty)
    expect(warn.code).toBe(0)
    expect(warn.stdout.split('\n')[0]).toBe(
      '⚠️ App Store diagnostics gate: no data yet, nothing was checked'
    )
    expect(warn.stderr).toContain('warning: No hangs diagnostics for build 2.4.0 (412) yet')
    expect((await gate([...empty, '--no-data', 'pass'])).code).toBe(0)
    const fail = await gate([...empty, '--no-data', 'fail'])
    expect(fail.code).toBe(1)
    expect(fail.stdout.split('\n')[0]).toBe(
      '❌ App Store diagnostics gate: no data yet, nothing was checked'
    )
  })

  it('1: a metric regression (--metrics, an input added after the tool: a flag all the same)', async () => {
    h.asc.state.apps[0].metrics = METRIC_FIXTURES.clearRegression()
    try {
      const args = ['--metrics', 'hangRate', '--metric-reference', 'previous', '--threshold', '90%']
      const run = await gate([...args, '--include-logs', '0'])
      expect(run.code).toBe(1)
      const markdown = await gate([...args, '--include-logs', '0', '--format', 'markdown'])
      const heading = /^#+ (Metrics.*)$/m.exec(markdown.stdout)?.[1]
      expect(heading).toBeDefined()
      expect(run.stdout).toContain(heading!)
      // The Markdown report's chart, as a sparkline rather than Mermaid source.
      expect(markdown.stdout).toContain('xychart-beta')
      expect(run.stdout).not.toContain('xychart-beta')
      expect(run.stdout).toMatch(/Hang rate, p50, by version\n +2\.0\.0 +▁ 1\.9\n/)
      expect(run.stderr).toMatch(/gate failed: .*hangRate|gate failed: .*[Hh]ang rate/)
    } finally {
      h.asc.state.apps[0].metrics = undefined
    }
  })

  it('0 when failing is turned off: the breach is reported, not failed', async () => {
    const run = await gate(['--fail-on-breach', 'false'])
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')[0]).toBe('⚠️ App Store diagnostics gate: 1 breach, reported only')
  })

  it('2: a bad value, with the message of the action naming the flag', async () => {
    h.reset()
    const args = ['--app-id', APP.id, '--app-version', '2.4.0 beta', '--threshold', '2']
    const run = await runCli([...args, '--limit', '0'], { env: keyEnv() })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      "asc-diagnostics-gate: error: Option --limit is '0'; use a whole number from 1 to 200.",
      "asc-diagnostics-gate: error: Option --threshold is '2'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%). Did you mean 2%?",
      "asc-diagnostics-gate: error: Option --app-version is '2.4.0 beta'; use a version such as 2.4.0 or a build number such as 412."
    ])
    expect(h.requests()).toHaveLength(0)
  })

  it('2: an unknown flag, a missing value or a stray argument, not the parser default of 1', async () => {
    for (const args of [['--treshold', '0.3'], ['--threshold'], ['extra']]) {
      const run = await gate(args)
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/error: /)
      expect(run.stderr).toContain('asc-diagnostics-gate --help lists every flag')
    }
  })

  it('2: the key is never taken as a flag, and its value is not echoed', async () => {
    const secret = h.key.pem.split('\n')[1]
    for (const args of [['--private-key', secret], [`--private-key=${secret}`]]) {
      const run = await runCli([...args, '--build-id', BUILD_ID])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('the key is not taken as a flag')
      expect(run.stderr).toContain('ASC_PRIVATE_KEY_PATH')
      expect(run.stderr).not.toContain(secret)
    }
  })

  it('2: no key at all, or both ASC_PRIVATE_KEY and ASC_PRIVATE_KEY_PATH', async () => {
    const none = await runCli(['--build-id', BUILD_ID, '--key-id', h.key.keyId])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(
      'The API key is required: set ASC_PRIVATE_KEY to the contents of the AuthKey_<KEYID>.p8 file, or ASC_PRIVATE_KEY_PATH to its path.'
    )
    const both = await gate([], { ASC_PRIVATE_KEY_PATH: '/tmp/AuthKey.p8' })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('Both ASC_PRIVATE_KEY and ASC_PRIVATE_KEY_PATH are set')
  })

  it('3: App Store Connect refuses the key', async () => {
    h.reset()
    const stranger = makeKey('STRANGER01')
    const run = await gate([], { ASC_KEY_ID: stranger.keyId, ASC_PRIVATE_KEY: stranger.pem })
    expect(run.code).toBe(3)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^asc-diagnostics-gate: error: App Store Connect .*401/m)
    // In the tool's own words: the key comes from the environment, not an input.
    expect(run.stderr).toContain('that ASC_PRIVATE_KEY is the .p8 of key STRANGER01')
    expect(run.stderr).not.toContain(stranger.pem.split('\n')[1])
  })

  it('3: App Store Connect keeps failing (server)', async () => {
    h.reset()
    h.asc.faults.add({ fault: { status: 503, headers: { 'retry-after': '0' }, body: '' } })
    const run = await gate(['--format', 'json'])
    h.reset()
    expect(run.code).toBe(3)
    const report = JSON.parse(run.stdout)
    expect(validate(report)).toBe(true)
    expect(report.error).toMatch(/503/)
    expect(report.result).toBeNull()
  })

  it('3: App Store Connect cannot be reached (network)', async () => {
    const run = await runCli(['--build-id', BUILD_ID, '--api-base-url', 'http://127.0.0.1:9'], {
      env: { ...keyEnv(), ASC_GATE_TIMEOUT_MINUTES: '0.05' }
    })
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/^asc-diagnostics-gate: error: /m)
  })
})

describe('--phased-release, as in the action', () => {
  const live = () => [
    '--bundle-id',
    APP.bundleId,
    '--app-version',
    'live',
    '--include-logs',
    '0',
    '--pause-on',
    'any',
    '--api-base-url',
    h.asc.url
  ]
  const rollout = () => h.asc.state.versions.find(v => v.id === LIVE_VERSION_ID)!.phasedRelease!
  const patches = () => h.requests().filter(r => r.method === 'PATCH')
  const setScenario = () => {
    h.reset()
    h.asc.state.versions.splice(0, Infinity, ...appStoreVersions())
    if (!h.asc.state.builds.some(b => b.id === baselineBuild().id))
      h.asc.state.builds.push(baselineBuild())
  }

  it("pause-on-failure pauses the live version's active rollout when the gate fails, and says so first", async () => {
    setScenario()
    const run = await runCli([...live(), '--phased-release', 'pause-on-failure'], {
      env: keyEnv()
    })
    expect(run.code).toBe(1)
    expect(patches().map(p => [p.path, p.status])).toEqual([
      [`/v1/appStoreVersionPhasedReleases/${PHASED_RELEASE_ID}`, 200]
    ])
    expect(rollout().state).toBe('PAUSED')
    const [headline, , paused] = run.stdout.split('\n')
    expect(headline).toMatch(/^❌ App Store diagnostics gate: /)
    expect(paused).toContain(
      '⏸️ This run paused the phased release of 2.4.0 at day 3 of 7 (5% of users)'
    )
    expect(run.stderr).toMatch(
      /gate failed: Paused the phased release of 2\.4\.0 at day 3 of 7 \(5% of users\) on Disk writes signature '.*'\. /
    )
    expectNoSecrets(run)
  })

  it('report never pauses; on a terminal it says it would have', async () => {
    setScenario()
    const run = await runCli([...live(), '--phased-release', 'report'], {
      env: keyEnv(),
      tty: true
    })
    expect(run.code).toBe(1)
    expect(patches()).toEqual([])
    expect(rollout().state).toBe('ACTIVE')
    expect(run.stdout).toMatch(/[Ww]ould pause/)
  })
})

describe('configuration', () => {
  it('comes from the environment alone: ASC_* for the key, ASC_GATE_<FLAG> for the rest', async () => {
    h.reset()
    const run = await runCli([], {
      env: {
        ...keyEnv(),
        ASC_GATE_BUILD_ID: BUILD_ID,
        ASC_GATE_API_BASE_URL: h.asc.url,
        ASC_GATE_THRESHOLD: '90%',
        ASC_GATE_INCLUDE_LOGS: '0',
        ASC_GATE_FORMAT: 'json'
      }
    })
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.build.id).toBe(BUILD_ID)
    expect(report.settings.thresholds.DISK_WRITES).toBe(0.9)
    expect(h.requests().some(r => r.path.endsWith('/logs'))).toBe(false)
    expectNoSecrets(run)
  })

  it('a flag wins over its environment variable', async () => {
    const run = await gate(['--threshold', '0.5'], { ASC_GATE_THRESHOLD: '90%' })
    expect(run.code).toBe(1)
  })

  it('reads the key from the file ASC_PRIVATE_KEY_PATH names', async () => {
    const dir = temporaryDirectory('asc-gate-key-')
    const path = join(dir, `AuthKey_${h.key.keyId}.p8`)
    writeFileSync(path, h.key.pem)
    const env = { ASC_ISSUER_ID: ISSUER, ASC_KEY_ID: h.key.keyId, ASC_PRIVATE_KEY_PATH: path }
    const args = ['--build-id', BUILD_ID, '--api-base-url', h.asc.url, '--threshold', '90%']
    const run = await runCli(args, { env })
    expect(run.code).toBe(0)
    expectNoSecrets(run)

    const missing = await runCli(args, { env: { ...env, ASC_PRIVATE_KEY_PATH: `${path}.gone` } })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(
      `ASC_PRIVATE_KEY_PATH names '${path}.gone', which cannot be read (ENOENT); point it at the AuthKey_<KEYID>.p8 file.`
    )
    writeFileSync(path, 'not a key')
    const damaged = await runCli(args, { env })
    expect(damaged.code).toBe(2)
    expect(damaged.stderr).toMatch(/error: The key in ASC_PRIVATE_KEY_PATH /)
  })
})

describe('output', () => {
  it('--format json prints the JSON report, valid against the schema, and --report-path writes it', async () => {
    h.reset()
    const dir = temporaryDirectory('asc-gate-out-')
    const path = join(dir, 'nested', 'report.json')
    const run = await gate(['--format', 'json', '--report-path', path])
    expect(run.code).toBe(1)
    const printed = JSON.parse(run.stdout)
    expect(validate(printed)).toBe(true)
    expect(validate.errors ?? []).toEqual([])
    expect(printed).toMatchObject({
      result: 'failed',
      build: { id: BUILD_ID },
      verdict: { passed: false, breachCount: 1 }
    })
    const written = JSON.parse(readFileSync(path, 'utf8'))
    expect(validate(written)).toBe(true)
    expect(written.signatures).toEqual(printed.signatures)
    expectNoSecrets(run)
  })

  it('writes the same JSON report and Markdown report as the action for the same build', async () => {
    h.reset()
    const dir = temporaryDirectory('asc-gate-same-')
    // The tool writes no annotations, so the report has no line about them either.
    const action = await h.run({
      'report-path': join(dir, 'action.json'),
      'annotate-source': 'false'
    })
    const cli = await gate(['--report-path', join(dir, 'cli.json')])
    const markdown = await gate(['--format', 'markdown'])
    const comparable = (file: string) => {
      const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
      delete report.generatedAt
      delete report.timings
      delete report.rateLimit
      delete report.requests
      // Each names the file it was written to.
      delete report.settings.inputs['report-path']
      return report
    }
    expect(comparable('cli.json')).toEqual(comparable('action.json'))
    const withoutBudget = (text: string) => text.replace(/ · App Store Connect budget left.*</, '<')
    expect(withoutBudget(markdown.stdout)).toBe(withoutBudget(action.summary))
    expect(action.code).toBe(cli.code)
  })

  it('--junit-path and --sarif-path write the same JUnit XML and SARIF log as the action', async () => {
    h.reset()
    const dir = temporaryDirectory('asc-gate-ci-files-')
    const files = (who: string) => ({
      junit: join(dir, who, 'junit.xml'),
      sarif: join(dir, who, 'diagnostics.sarif')
    })
    const action = await h.run({
      'junit-path': files('action').junit,
      'sarif-path': files('action').sarif
    })
    const cli = await gate(['--junit-path', files('cli').junit, '--sarif-path', files('cli').sarif])
    expect(cli.code).toBe(1)
    expect(action.code).toBe(1)
    // Only the clock differs.
    const junit = (who: string) =>
      readFileSync(files(who).junit, 'utf8').replace(/ (timestamp|time)="[^"]*"/g, '')
    expect(XMLValidator.validate(junit('cli'))).toBe(true)
    expect(junit('cli')).toContain(`<failure message="`)
    expect(junit('cli')).toBe(junit('action'))
    const sarif = (who: string) =>
      JSON.parse(readFileSync(files(who).sarif, 'utf8')).runs[0].results
    expect(sarif('cli').length).toBeGreaterThan(0)
    expect(sarif('cli')).toEqual(sarif('action'))
    expectNoSecrets(cli)
  })

  it('the terminal report has the Markdown report’s sections, in its order, in its words', async () => {
    const markdown = (await gate(['--format', 'markdown'])).stdout
    const text = (await gate()).stdout
    const landmarks = [
      'App Store diagnostics gate: 1 breach',
      'Breaches',
      'Hangs: top 3 of 3 · limit 50%',
      'Disk writes: top 2 of 2 · 1 above 50%',
      'Launches: top 1 of 1 · limit 50%',
      'Thresholds: hangs 50%, disk writes 50%'
    ]
    const order = (report: string) => landmarks.map(l => report.indexOf(l))
    expect(order(text).every(i => i >= 0)).toBe(true)
    expect(order(text)).toEqual([...order(text)].sort((a, b) => a - b))
    expect(order(markdown).every(i => i >= 0)).toBe(true)
    expect(order(markdown)).toEqual([...order(markdown)].sort((a, b) => a - b))
    // A table, laid out: no Markdown pipes or escapes left.
    expect(text).toMatch(new RegExp(`❌ +Disk writes +${escape(APPLE_EXAMPLE)} +85\\.0% +50%`))
    expect(text).not.toMatch(/^\|/m)
    expect(text).not.toContain('<details>')
  })

  it('no text from App Store Connect can send a terminal escape sequence', async () => {
    const hostile = 'Evil: \u001b[2J\u001b]0;owned\u0007 -[A b] + 1 \u202eReversed'
    h.asc.state.builds.push(
      sampleBuild({
        id: 'hostile-build',
        signatures: [{ id: 'evil-1', diagnosticType: 'HANGS', signature: hostile, weight: 0.9 }],
        logs: {}
      })
    )
    for (const tty of [false, true]) {
      const run = await gate(['--build-id', 'hostile-build', '--include-logs', '0'], {}, tty)
      expect(run.code).toBe(1)
      const text = run.stdout + run.stderr
      expect(text).toContain('-[A b] + 1')
      // Our own colours are SGR sequences (ESC [ digits m); nothing else may reach the terminal.
      expect(text.replace(/\u001b\[\d+m/g, '')).not.toMatch(
        /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/
      )
    }
  })

  it('a non-terminal run: no colour, no progress on stderr', async () => {
    const run = await gate(['--threshold', '90%'])
    expect(run.stdout).not.toContain(ESC)
    expect(run.stderr).toBe('')
  })

  it.each([['a pseudo-terminal', true]])(
    'a TTY run (%s): colour, progress on stderr; NO_COLOR and --quiet turn each off',
    async () => {
      expect(hasScript()).toBe(true)
      h.reset()
      const run = await gate([], {}, true)
      expect(run.code).toBe(1)
      expect(run.stdout).toContain(`${ESC}31m`) // red, for the failure
      expect(run.stdout).toMatch(/Build HANGS: 3 signatures\./)
      expect(run.stdout).toMatch(/Backtraces: \d of \d fetched\./)
      expect(run.stdout).toMatch(/❌ App Store diagnostics gate: 1 breach/)
      expectNoSecrets(run)

      const plain = await gate([], { NO_COLOR: '1' }, true)
      expect(plain.code).toBe(1)
      expect(plain.stdout).not.toContain(ESC)
      expect(plain.stdout).toMatch(/Build HANGS: 3 signatures\./)

      const quiet = await gate(['--quiet'], {}, true)
      expect(quiet.stdout).not.toMatch(/Build DISK_WRITES/)
      expect(quiet.stdout).toContain('App Store diagnostics gate: 1 breach')
    }
  )
})

describe('--help and --version', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  const githubOnly = [...GITHUB_ONLY_INPUTS, 'private-key']

  it('--help lists every action input as a flag with its default, the exit codes and the environment', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    const help = run.stdout.replace(/\n +/g, ' ')
    for (const [name, input] of Object.entries(action.inputs)) {
      if (githubOnly.includes(name)) {
        expect(help).not.toMatch(new RegExp(`--${name} <`))
        continue
      }
      const flag = name === 'version' ? 'app-version' : name
      expect(help).toContain(`--${flag} <value>`)
      if (input.default) expect(help).toContain(`default: "${input.default}"`)
    }
    for (const code of ['0  passed', '1  the gate failed', '2  bad input', '3  App Store Connect'])
      expect(run.stdout).toContain(code)
    for (const name of ['ASC_ISSUER_ID', 'ASC_KEY_ID', 'ASC_PRIVATE_KEY', 'ASC_PRIVATE_KEY_PATH'])
      expect(run.stdout).toContain(name)
    expect(run.stdout).toContain('ASC_GATE_BUILD_ID')
  })

  it("--version prints the tool's version from package.json", async () => {
    const run = await runCli(['--version'])
    expect(run.code).toBe(0)
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(run.stdout).toBe(`${version}\n`)
  })

  it('--version beside a gate flag is refused: it would print a version and check nothing', async () => {
    h.reset()
    const run = await runCli(['--version', '2.4.0', '--bundle-id', APP.bundleId], {
      env: keyEnv()
    })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      "asc-diagnostics-gate: error: '--version' prints the tool's version; for the App Store version use '--app-version' ('--app-version live' for the version live now).\n"
    )
    expect(h.requests()).toEqual([])
  })

  it("--help beside --version still helps, and a flag's value may read --version", async () => {
    expect((await runCli(['--help', '--version'])).code).toBe(0)
    h.reset()
    const run = await runCli(
      [
        '--build-id',
        BUILD_ID,
        '--api-base-url',
        h.asc.url,
        '--report-path',
        '--version',
        '--threshold',
        '90%'
      ],
      { env: keyEnv() }
    )
    expect(run.stderr).not.toContain("'--version' prints the tool's version")
  })

  it.each(['comment', 'comment-header', 'pr-number', 'github-token', 'annotate-source'])(
    '--%s is refused as GitHub-only',
    async flag => {
      const run = await runCli(['--build-id', BUILD_ID, `--${flag}`, 'x'], { env: keyEnv() })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`error: '--${flag}' is GitHub-only:`)
    }
  )

  it('--help names its own flags, lists the metric identifiers and shows three examples', async () => {
    const { stdout } = await runCli(['--help'])
    const help = stdout.replace(/\n +/g, ' ')
    expect(help).toContain('The release guard, with --app-version live.')
    expect(help).not.toMatch(/with version live/)
    expect(stdout).toMatch(/Examples:\n( {2}# .*\n {2}asc-diagnostics-gate .*\n( {4}.*\n)?){3}/)
    expect(stdout).toContain('--phased-release pause-on-failure')
    for (const id of ['hangRate', 'launchTime', 'scrollHitchRate', 'diskWrites'])
      expect(stdout).toMatch(new RegExp(`^  ${id} +\\S`, 'm'))
  })
})

describe('installing', () => {
  const gateArgs = () => ['--build-id', BUILD_ID, '--api-base-url', h.asc.url, '--threshold', '90%']
  const env = () => ({ PATH: process.env.PATH ?? '', ...keyEnv() })

  it('runs as one downloaded file (the CI recipes), with nothing beside it', async () => {
    const dir = temporaryDirectory('asc-gate-download-')
    const file = join(dir, 'asc-diagnostics-gate.mjs')
    copyFileSync(CLI, file)
    const run = await spawnNode(process.execPath, [file, ...gateArgs()], { env: env(), cwd: dir })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^✅ App Store diagnostics gate: passed/)
  })

  it("npm pack's tarball holds the bin, whose dist/cli.js runs without node_modules", async () => {
    const dir = temporaryDirectory('asc-gate-pack-')
    const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8'
    }).trim()
    execFileSync('tar', ['-xzf', join(dir, name.split('\n').at(-1)!), '-C', dir])
    const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'))
    expect(manifest.bin).toEqual({ 'asc-diagnostics-gate': 'dist/cli.js' })
    const bin = join(dir, 'package', 'dist', 'cli.js')
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const run = await spawnNode(bin, gateArgs(), { env: env(), cwd: dir })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^✅ App Store diagnostics gate: passed/)
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
