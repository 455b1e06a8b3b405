// Issue 23: every decision can be replayed. A run's JSON report is its decision record;
// `asc-diagnostics-gate replay <record>` (dist/cli.js, as a process) derives the verdict again
// from it alone: the same report byte for byte and the same exit status, with no network and no
// key; or, under changed policy flags, what that policy would have decided, finding by finding.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { ascErrorFault } from '../test-support/asc-simulator.mjs'
import { metricsDocument } from '../test-support/metrics.mjs'
import { keyFragments } from '../test-support/keys.js'
import { runCli } from '../test-support/run-cli.mjs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  baselineBuild,
  BUILD_ID,
  hangsBuild,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { startHarness, type Harness } from '../test-support/harness.js'
import {
  DAY_2_SHARE,
  hangRate,
  readmeGuard,
  setGuardScenario
} from '../test-support/guard-scenarios.js'
import { KEEP_STATES, poison } from '../test-support/poison.js'

const ISSUER = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'
/** Fails any socket, DNS lookup or HTTP request the process tries, and says so on stderr. */
const NO_NETWORK = join(process.cwd(), 'test-support', 'no-network.mjs')

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())

const keyEnv = (): Record<string, string> => ({
  ASC_ISSUER_ID: ISSUER,
  ASC_KEY_ID: h.key.keyId,
  ASC_PRIVATE_KEY: h.key.pem
})

/** Nothing of the key or of a token the run sent is in `text`. */
function expectNoSecret(text: string): void {
  const secrets = [...keyFragments(h.key.pem), ...h.requests().map(r => r.token)]
  for (const secret of secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))
    expect(text.includes(secret)).toBe(false)
}

/** A gate run of the command-line tool that keeps its record; markdown on stdout. */
async function gate(args: string[], format = 'markdown') {
  const dir = temporaryDirectory('asc-gate-replay-')
  const run = await runCli(
    ['--api-base-url', h.asc.url, '--format', format, '--report-path', 'record.json', ...args],
    { env: keyEnv(), cwd: dir }
  )
  const record = join(dir, 'record.json')
  expectNoSecret(readFileSync(record, 'utf8') + run.stdout + run.stderr)
  return { ...run, record }
}

/** `replay` as a process, with no key and no network (test-support/no-network.mjs). */
const replay = (args: string[]) => runCli(['replay', ...args], { node: ['--import', NO_NETWORK] })

/** The guard as the README writes it, with the rollout paused or not by the action. */
async function guardRecord(extra: Record<string, string>) {
  const run = await h.run({ 'build-id': '', ...readmeGuard().inputs, ...extra })
  const dir = temporaryDirectory('asc-gate-replay-')
  const record = join(dir, 'record.json')
  writeFileSync(record, run.record ?? '')
  return { run, record }
}

describe('replay gives the run back: the same Markdown report and exit status', () => {
  const setUp = {
    default: () => {
      h.reset()
      h.asc.state.rewrite = undefined
      h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
      h.asc.state.apps.splice(0, Infinity, { ...APP })
    },
    metrics: () => {
      setUp.default()
      h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: hangRate(3.5) })
    },
    guard: () => {
      setGuardScenario(h, { metrics: hangRate(3.5) })
    },
    numericIds: () => {
      setUp.default()
      // IDs a JSON object would reorder, and logs that fail for some: the warnings keep order.
      const signatures = sampleBuild().signatures.map((sig, i) => ({
        ...sig,
        id: String(900 - i * 7)
      }))
      h.asc.state.builds.push(sampleBuild({ id: 'numeric-build', signatures }))
      for (const sig of signatures.filter((_, i) => i % 2 === 1)) {
        h.asc.faults.add({
          match: { path: `/v1/diagnosticSignatures/${sig.id}/logs` },
          fault: {
            status: 404,
            body: { errors: [{ status: '404', code: 'NOT_FOUND', title: 'Gone', detail: sig.id }] }
          }
        })
      }
    },
    oddVersions: () => {
      setUp.default()
      const points = ['2.3.0 beta', '2.4.0 beta'].map(version => ({
        version,
        value: 3,
        errorMargin: 0.1
      }))
      h.asc.state.apps.splice(0, Infinity, {
        ...APP,
        metrics: metricsDocument({ series: { hangRate: points } })
      })
    },
    empty: () => {
      setUp.default()
      h.asc.state.builds.push(sampleBuild({ id: 'empty-build', signatures: [], logs: {} }))
    },
    hostile: () => {
      setGuardScenario(h, { metrics: hangRate(3.5) })
      h.asc.state.builds.push(
        hangsBuild('hostile-build', [
          '<!-- asc-diagnostics-gate --> @octocat #1 ::add-mask::x `code` | pipe',
          '\u202eevil\u0085 ](javascript:alert(1)) <img src=x> ${{ secrets.KEY }}'
        ])
      )
      h.asc.state.rewrite = body => poison(body, KEEP_STATES)
    }
  }
  const live = [
    '--bundle-id',
    APP.bundleId,
    '--app-version',
    'live',
    '--baseline-version',
    'previous'
  ]
  /** Each scenario, its gate flags, and the exit status (0 or 1 where either will do). */
  const scenarios: [string, () => void, string[], number | undefined][] = [
    ['a breach', setUp.default, ['--build-id', BUILD_ID], 1],
    [
      'a regression against the baseline',
      setUp.default,
      ['--build-id', BUILD_ID, '--baseline-build-id', BASELINE_ID, '--threshold', '90%'],
      1
    ],
    [
      'a metric regression',
      setUp.metrics,
      ['--build-id', BUILD_ID, '--metrics', 'hangRate,launchTime', '--threshold', '90%'],
      1
    ],
    [
      'the guard pausing the rollout',
      setUp.guard,
      [...live, '--metrics', 'hangRate', '--phased-release', 'pause-on-failure'],
      1
    ],
    [
      'metric points whose versions cannot be ordered',
      setUp.oddVersions,
      ['--build-id', BUILD_ID, '--metrics', 'hangRate', '--threshold', '90%'],
      0
    ],
    [
      'signature IDs that look like numbers, some logs unavailable',
      setUp.numericIds,
      ['--build-id', 'numeric-build'],
      1
    ],
    ['no data, warned', setUp.empty, ['--build-id', 'empty-build'], 0],
    ['no data, failed', setUp.empty, ['--build-id', 'empty-build', '--no-data', 'fail'], 1],
    [
      'hostile text everywhere',
      setUp.hostile,
      [...live, '--metrics', 'hangRate', '--phased-release', 'report'],
      undefined
    ],
    ['hostile signatures', setUp.hostile, ['--build-id', 'hostile-build'], 1]
  ]

  it.each(scenarios)('%s', async (_name, setUpScenario, args, status) => {
    setUpScenario()
    const run = await gate(args)
    if (status === undefined) expect([0, 1]).toContain(run.code)
    else expect(run.code).toBe(status)
    const again = await replay([run.record, '--format', 'markdown'])
    expect(again.stderr).toBe(run.stderr)
    expect(again.stdout).toBe(run.stdout)
    expect(again.code).toBe(run.code)
    // The record is a fixed point: replayed as JSON, it is the record.
    const json = await replay([run.record, '--format', 'json'])
    expect(json.stdout).toBe(readFileSync(run.record, 'utf8'))
    expect(json.code).toBe(run.code)
  })

  it('prints the terminal report by default, as the run does', async () => {
    setUp.default()
    const run = await gate(['--build-id', BUILD_ID], 'text')
    const again = await replay([run.record])
    expect(again.stdout).toBe(run.stdout)
    expect(again.stdout.split('\n')[0]).toBe('❌ App Store diagnostics gate: 1 breach')
  })

  it("gives the action's job summary back, from the action's record", async () => {
    setGuardScenario(h, { metrics: hangRate(3.5) })
    const { run, record } = await guardRecord({ 'phased-release': 'pause-on-failure' })
    expect(run.outputs.paused).toBe('true')
    const again = await replay([record, '--format', 'markdown'])
    expect(again.stdout).toBe(run.summary)
    expect(again.code).toBe(run.code)
  })

  it('replays a run that stopped on an error with its sentence and status', async () => {
    setUp.default()
    h.asc.faults.add({
      match: { path: `/v1/builds/${BUILD_ID}/diagnosticSignatures` },
      fault: ascErrorFault('agreement')
    })
    const run = await gate(['--build-id', BUILD_ID])
    expect(run.code).toBe(3)
    const again = await replay([run.record])
    expect(again.code).toBe(3)
    expect(again.stderr).toBe(run.stderr)
    expect(again.stdout).toBe('')
  })
})

describe('what is not a change of policy replays the run itself', () => {
  it('a report file, or a flag at its recorded value, keeps the run as it was', async () => {
    setGuardScenario(h, { metrics: hangRate(3.5) })
    const { run, record } = await guardRecord({ 'phased-release': 'pause-on-failure' })
    const dir = temporaryDirectory('asc-gate-replay-files-')
    const out = join(dir, 'again.json')
    const again = await replay([
      record,
      '--report-path',
      out,
      '--max-metric-increase',
      '10%',
      '--format',
      'markdown'
    ])
    expect(again.stdout).toBe(run.summary)
    expect(again.code).toBe(1)
    const written = JSON.parse(readFileSync(out, 'utf8'))
    const original = JSON.parse(readFileSync(record, 'utf8'))
    expect(written.settings.inputs['report-path']).toBe(out)
    expect({ ...written, settings: null }).toEqual({ ...original, settings: null })
  })

  it('inputs with a tab and a CRLF, as a YAML block can give them, replay', async () => {
    setUp()
    const run = await h.run({ 'diagnostic-types': 'HANGS,\tDISK_WRITES\r\nLAUNCHES' })
    expect(run.code).toBe(1)
    const dir = temporaryDirectory('asc-gate-replay-')
    writeFileSync(join(dir, 'record.json'), run.record ?? '')
    const again = await replay([join(dir, 'record.json'), '--format', 'markdown'])
    expect(again.stdout).toBe(run.summary)
  })
})

describe('a lower --limit or --include-logs replays as a run with it would have gone', () => {
  const withoutBudget = (text: string) =>
    text.replace(/ · App Store Connect budget left: [\d,]+ of [\d,]+ requests this hour/, '')
  it.each([
    [
      ['--limit', '1'],
      ['--limit', '1']
    ],
    [
      ['--include-logs', '1'],
      ['--include-logs', '1']
    ],
    [
      ['--limit', '2', '--include-logs', '1'],
      ['--limit', '2', '--include-logs', '1']
    ]
  ])('%j', async (flags, runFlags) => {
    setUp()
    const wide = await gate(['--build-id', BUILD_ID])
    const narrow = await gate(['--build-id', BUILD_ID, ...runFlags])
    const again = await replay([wide.record, ...flags, '--format', 'markdown'])
    const report = again.stdout.slice(again.stdout.indexOf('\n---\n') + 5).replace(/^\n/, '')
    expect(withoutBudget(report)).toBe(withoutBudget(narrow.stdout))
    expect(again.code).toBe(narrow.code)
  })

  it('a baseline run read 200 of each type, so a higher --limit replays too', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID, '--baseline-build-id', BASELINE_ID])
    const again = await replay([run.record, '--limit', '50'])
    expect(again.code).toBe(run.code)
    expect(again.stderr).not.toContain('error:')
  })
})

describe('replay under another policy', () => {
  it('--max-metric-increase 50% of a paused guard: it would not have paused', async () => {
    setGuardScenario(h, { metrics: hangRate(3.5) })
    const { run, record } = await guardRecord({ 'phased-release': 'pause-on-failure' })
    expect(run.outputs.paused).toBe('true')
    const again = await replay([record, '--max-metric-increase', '50%', '--format', 'markdown'])
    expect(again.code).toBe(0)
    const lines = again.stdout.split('\n')
    expect(lines[0]).toBe(
      '### ↺ Replay under another policy: the guard would not have paused the rollout'
    )
    expect(again.stdout).toContain('Changed: `--max-metric-increase` `10%` → `50%`.')
    expect(again.stdout).toContain(
      '- Hang rate (hangRate), metric-regression (no longer a finding): fails the job: yes → no · would pause: yes → no'
    )
    expect(again.stdout).toContain('**Phased release:** paused → not paused.')
    expect(again.stdout).toContain('**Job:** fails → passes (exit status 1 → 0).')
    // The findings that decide as before are counted, not listed.
    expect(again.stdout).toContain('The other 5 findings decide as the run decided.')
    // Then the report the new policy derives.
    expect(again.stdout).toMatch(
      /^### ⚠️ App Store diagnostics gate: 1 breach, 4 regressions, reported only$/m
    )
    const json = await replay([record, '--max-metric-increase', '50%', '--format', 'json'])
    const replayed = JSON.parse(json.stdout)
    expect(replayed.replay.changed).toEqual([
      { input: 'max-metric-increase', before: '10%', after: '50%' }
    ])
    expect(replayed.replay.guard).toEqual({ before: 'paused', after: 'not-paused' })
    expect(replayed.settings.inputs['max-metric-increase']).toBe('50%')
  })

  it("prints what the README's walkthrough shows", async () => {
    setGuardScenario(h, { metrics: hangRate(3.5) })
    const { record } = await guardRecord({ 'phased-release': 'pause-on-failure' })
    const readme = readFileSync('README.md', 'utf8')
    const shown = /```markdown\n(### ↺ Replay[\s\S]*?)```/.exec(readme)![1]
    const again = await replay([record, '--max-metric-increase', '50%', '--format', 'markdown'])
    for (const line of shown.split('\n').filter(Boolean)) expect(again.stdout).toContain(line)
    // And the summary's first line, as the walkthrough quotes it.
    const original = await replay([record, '--format', 'markdown'])
    expect(original.stdout).toContain(
      '⏸️ **This run paused the phased release of 2.4.0** at day 3 of 7 (5% of users), on Hang rate (hangRate)'
    )
    expect(readme).toContain(
      '`⏸️ This run paused the phased release of 2.4.0 at day 3 of 7 (5% of users), on Hang rate (hangRate)`'
    )
  })

  it('--pause-on any of the day-2 share: it would have paused', async () => {
    setGuardScenario(h, DAY_2_SHARE)
    const { run, record } = await guardRecord({ 'phased-release': 'pause-on-failure' })
    expect(run.outputs.paused).toBe('false')
    expect(run.code).toBe(0)
    const again = await replay([record, '--pause-on', 'any', '--format', 'markdown'])
    expect(again.code).toBe(1)
    expect(again.stdout.split('\n')[0]).toBe(
      '### ↺ Replay under another policy: the guard would have paused the rollout'
    )
    expect(again.stdout).toMatch(
      /^- Hangs signature 'ExampleApp: -\\\[FeedViewController reloadVisibleCells\\\] \+ 412', breach: fails the job: no → yes · would pause: no → yes$/m
    )
    expect(again.stdout).toContain('**Phased release:** not paused → would pause.')
    expect(again.stdout).toContain(
      '⏸️ **Under this policy the guard would pause the phased release of 2.4.0** at day 2 of 7 (2% of users)'
    )
    expect(again.stdout).toContain('A replay changes nothing in App Store Connect.')
    expect(again.stderr).toContain('asc-diagnostics-gate: gate failed: ')
  })

  it('a flag that needs App Store Connect is refused with the reason', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID, '--metrics', 'hangRate'])
    const cases: [string[], string | RegExp][] = [
      [
        ['--build-id', 'other'],
        '--build-id chooses which build App Store Connect is asked about, and replay asks nothing: it derives the verdict of build 2.4.0 (412) from the record alone; run the gate for another build.'
      ],
      [
        ['--app-version', 'live'],
        '--app-version chooses which build App Store Connect is asked about'
      ],
      [
        ['--metrics', 'hangRate,peakMemory'],
        '--metrics names peakMemory, which the run did not read (the record holds hangRate); replay can gate fewer metrics, not other ones.'
      ],
      [
        ['--metric-device', 'all_ipads'],
        '--metric-device chooses which metric datasets App Store Connect sends, and the record holds only those for p50 on all_iphones'
      ],
      [
        ['--timeout-minutes', '5'],
        '--timeout-minutes only shapes the requests to App Store Connect, and replay makes none.'
      ]
    ]
    for (const [flags, sentence] of cases) {
      const again = await replay([run.record, ...flags])
      expect({ flags, code: again.code }).toEqual({ flags, code: 2 })
      if (typeof sentence === 'string') {
        expect(again.stderr).toContain(`asc-diagnostics-gate: error: ${sentence}`)
      } else expect(again.stderr).toMatch(sentence)
      expect(again.stderr.trim().split('\n')).toHaveLength(1)
      expect(again.stdout).toBe('')
    }
  })

  it('more backtraces than the run fetched are refused', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID, '--include-logs', '1'])
    const again = await replay([run.record, '--include-logs', '3'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(
      /^asc-diagnostics-gate: error: --include-logs 3 with --limit 10 asks for \d+ backtraces, and the record holds 3 of them; replay can show fewer backtraces, not more\.\n$/
    )
  })

  it('a higher --limit is replayed only when every list was read whole', async () => {
    setUp()
    const whole = await gate(['--build-id', BUILD_ID])
    expect((await replay([whole.record, '--limit', '50'])).code).toBe(1)
    const cut = await gate(['--build-id', BUILD_ID, '--limit', '1'])
    const again = await replay([cut.record, '--limit', '5'])
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(
      'asc-diagnostics-gate: error: --limit is 5, and a run would read 5 signatures of each type, but the record holds 1 signature of HANGS (more exist); replay can report fewer, not more.\n'
    )
  })

  it('a bad policy value names the flag and what it takes', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID])
    const again = await replay([run.record, '--threshold', '30'])
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(
      "asc-diagnostics-gate: error: Option --threshold is '30'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%). Did you mean 30%?\n"
    )
  })

  it('fewer types and a lower threshold are replayed', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID, '--threshold', '90%'])
    expect(run.code).toBe(0)
    const again = await replay([run.record, '--threshold', '20%', '--diagnostic-types', 'HANGS'])
    expect(again.code).toBe(1)
    expect(again.stdout).toContain('fails the job: no → yes')
  })
})

function setUp(): void {
  h.reset()
  h.asc.state.rewrite = undefined
  h.asc.state.builds.splice(0, Infinity, sampleBuild(), baselineBuild())
  h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: hangRate(2.5) })
  h.asc.state.versions.splice(0, Infinity, ...appStoreVersions())
}

describe('replay is offline', () => {
  it('opens no socket: the no-network guard catches a gate run, and the replay passes it', async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID])
    // The control: the same guard stops a gate run at its first connection.
    const online = await runCli(['--build-id', BUILD_ID, '--api-base-url', h.asc.url], {
      env: keyEnv(),
      node: ['--import', NO_NETWORK]
    })
    expect(online.stderr).toContain('no-network: ')
    expect(online.code).not.toBe(0)
    const again = await replay([run.record, '--format', 'markdown'])
    expect(again.stderr).not.toContain('no-network: ')
    expect(again.stdout).toBe(run.stdout)
  })
})

describe('a bad record gets one sentence and exit status 2', () => {
  let good: Record<string, unknown>
  let dir: string
  beforeAll(async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID])
    good = JSON.parse(readFileSync(run.record, 'utf8'))
    dir = temporaryDirectory('asc-gate-bad-records-')
  })

  const write = (name: string, text: string): string => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  /** A record as JSON parses it: any member may be edited. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Editable = any
  const edit = (change: (record: Editable) => void): string => {
    const record = structuredClone(good)
    change(record)
    return JSON.stringify(record)
  }

  const cases: [string, () => string, RegExp][] = [
    [
      'cut short',
      () => JSON.stringify(good).slice(0, 3000),
      /^The record '.*cut\.json' is not complete JSON \(.*\); the file may have been cut short: download the record again, or give replay the JSON report a run wrote \(--report-path\)\.$/
    ],
    ['empty', () => '', /^The record '.*' is empty; the file may have been cut short/],
    [
      'from a newer schema',
      () => edit(r => ((r.schemaVersion = 3), (r.toolVersion = '9.0.0'))),
      /^The record '.*' is a schema version 3 record, written by 9\.0\.0; this asc-diagnostics-gate reads version 2: replay it with the version that wrote it, or a newer one\.$/
    ],
    [
      'from before the decision record',
      () => edit(r => (r.schemaVersion = 1)),
      /is a schema version 1 report by 1\.0\.0, which holds no evidence to replay; records from schema version 2 on can be replayed\.$/
    ],
    [
      'not a record',
      () => '{"hello": "world"}',
      /is not a decision record of asc-diagnostics-gate \(its 'tool' is "missing"\)/
    ],
    [
      'a bidi override in a signature',
      () => edit(r => (r.evidence.current.lists[0].signatures[0].signature += '\u202e')),
      /^The record is damaged: \$\.evidence\.current\.lists\[0\]\.signatures\[0\]\.signature holds control or bidi characters, which a run never writes; replay reads a JSON report exactly as a run wrote it\.$/
    ],
    [
      'an escape sequence in a backtrace',
      () =>
        edit(r => {
          const [first] = Object.values(r.backtraces) as Editable[]
          first.backtrace.frames[0].symbol = '\u001b]0;owned\u0007'
        }),
      /^The record is damaged: \$\.backtraces\..*\.backtrace\.frames\[0\]\.symbol holds control or bidi characters/
    ],
    [
      'a signature longer than any run writes',
      () => edit(r => (r.evidence.current.lists[0].signatures[0].signature = 'x'.repeat(5000))),
      /signatures\[0\]\.signature is 5000 characters long, over 4000;/
    ],
    [
      'a weight that is not a number',
      () => edit(r => (r.evidence.current.lists[0].signatures[0].weight = '0.9')),
      /signatures\[0\]\.weight is "0\.9", not a number;/
    ],
    [
      'a member no run writes',
      () =>
        JSON.stringify(good).replace(
          '"evidence":{"current":{"build":{',
          '"evidence":{"current":{"build":{"__proto__":{"id":"x"},'
        ),
      /\$\.evidence\.current\.build\.__proto__ is not a member a run writes;/
    ],
    [
      'the key smuggled into the inputs',
      () => edit(r => (r.settings.inputs['private-key'] = 'x')),
      /^The record is damaged: \$\.settings\.inputs\.private-key is an input a run never records;/
    ],
    [
      'a list far longer than a run writes',
      () =>
        edit(
          r =>
            (r.evidence.current.lists[0].signatures = Array(201).fill(
              r.evidence.current.lists[0].signatures[0]
            ))
        ),
      /signatures holds 201 items, over 200;/
    ],
    [
      'a nesting bomb',
      () => {
        const text = JSON.stringify(good)
        const at = text.indexOf('"weight":', text.indexOf('"evidence"'))
        const bomb = `${'['.repeat(5000)}${']'.repeat(5000)}`
        return `${text.slice(0, at)}"weight":${bomb},"was":${text.slice(at + 9)}`
      },
      /signatures\[0\]\.weight is a list of 1 item, not a number;/
    ],
    [
      'a link to somewhere else as the workflow run',
      () => edit(r => (r.evidence.runUrl = 'https://phish.example/login')),
      /^The record is damaged: \$\.evidence\.runUrl is "https:\/\/phish\.example\/login", not a workflow run's URL;/
    ],
    [
      'a verdict nested too deep to compare',
      () => {
        const text = JSON.stringify(good)
        const bomb = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
        return text.replace('"verdict":{', `"verdict":{"deep":${bomb},`)
      },
      /^The record is damaged: \$\.verdict is nested deeper than any run writes;|is not complete JSON/
    ]
  ]

  it("a replay's own output is not a run's record", async () => {
    setUp()
    const run = await gate(['--build-id', BUILD_ID])
    const hypothetical = join(dir, 'hypothetical.json')
    const first = await replay([run.record, '--threshold', '90%', '--report-path', hypothetical])
    expect(first.code).toBe(0)
    const again = await replay([hypothetical])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(
      /^asc-diagnostics-gate: error: The record '.*hypothetical\.json' is what a replay under another policy printed, not a run's record; replay the run's own record with those flags instead\.\n$/
    )
  })

  it.each(cases)('%s', async (name, text, sentence) => {
    const path = write(`${name.replace(/\W+/g, '-')}.json`.replace(/^cut-short/, 'cut'), text())
    const again = await replay([path])
    expect(again.code).toBe(2)
    expect(again.stdout).toBe('')
    const lines = again.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0].replace('asc-diagnostics-gate: error: ', '')).toMatch(sentence)
    expect(again.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('a directory, a FIFO and a missing file are refused unread', async () => {
    const folder = join(dir, 'folder')
    mkdirSync(folder)
    const fifo = join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    for (const [path, reason] of [
      [folder, 'is a directory, not a file'],
      [fifo, 'is a FIFO, not a file'],
      [join(dir, 'missing.json'), 'cannot be read (ENOENT)']
    ]) {
      const again = await replay([path])
      expect(again.code).toBe(2)
      expect(again.stderr).toContain(
        `${reason}; give replay the JSON report a run wrote (--report-path).`
      )
    }
  })
})
