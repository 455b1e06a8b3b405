// Issue 19: the guard pauses on evidence that users got worse. Each scenario runs the README's
// phased-release guard exactly as written (its `with:` parsed out of the README), through
// dist/index.js against the simulator; "switched on" applies the one change the README tells
// a user to make, `phased-release: pause-on-failure`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { APP, baselineBuild, LIVE_VERSION_ID, sampleBuild } from '../test-support/scenarios.mjs'
import type { ActionRun } from '../test-support/run-action.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import {
  DAY_2_SHARE,
  HANG,
  hangRate,
  readmeGuard,
  setGuardScenario,
  type GuardScenario
} from '../test-support/guard-scenarios.js'

const PATCHES = () => h.requests().filter(r => r.method === 'PATCH')

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())

const setScenario = (scenario: GuardScenario) => setGuardScenario(h, scenario)

const guard = readmeGuard()
const asWritten = (extra: Record<string, string> = {}) =>
  h.run({ 'build-id': '', ...guard.inputs, ...extra })
const switchedOn = (extra: Record<string, string> = {}) =>
  asWritten({ 'phased-release': 'pause-on-failure', ...extra })

function report(run: ActionRun): {
  verdict: {
    findings: { kind: string; failsJob: boolean; pauses: boolean; pausesReason: string }[]
  }
} {
  return JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
}

describe("the README's guard, as written", () => {
  it('is a dry run that decides on rates, with the line to switch on commented', () => {
    expect(guard.inputs).toMatchObject({
      version: 'live',
      'baseline-version': 'previous',
      'phased-release': 'report'
    })
    expect(guard.inputs.metrics).toMatch(/hangRate/)
    expect(guard.inputs['pause-on']).toBeUndefined() // the default: rates
    const line = guard.lines.find(l => l.includes('phased-release:'))!
    expect(line).toMatch(/# .*switch to pause-on-failure/)
  })
})

beforeEach(() => setScenario({}))

describe('day 2, one hang signature at 100% of few reports, hang rate flat', () => {
  const day2 = DAY_2_SHARE

  it('does not pause: the share is reported only, with the reason', async () => {
    for (const run of [asWritten, switchedOn]) {
      setScenario(day2)
      const result = await run()
      expect(result.code).toBe(0)
      expect(PATCHES()).toHaveLength(0)
      expect(result.outputs.paused).toBe('false')
      expect(result.summary).toMatch(
        /^### ⚠️ App Store diagnostics gate: 1 breach, 1 regression, reported only$/m
      )
      expect(result.summary).toContain("shares never pause unless 'pause-on' names them")
      expect(result.summary).toContain(`| 1 | \`${HANG}\` | 100.0% | 50% | ⚠️ over |`)
      // The other types have no data yet: reported too, never pausing.
      const findings = report(result).verdict.findings.filter(f => f.kind !== 'no-data')
      expect(findings.map(f => [f.kind, f.failsJob, f.pauses])).toEqual([
        ['breach', false, false],
        ['signature-regression', false, false]
      ])
      expectNoSecrets(result, h)
    }
  })

  it('pause-on: any brings back the old behaviour: the lone share pauses', async () => {
    setScenario(day2)
    const run = await switchedOn({ 'pause-on': 'any' })
    expect(run.code).toBe(1)
    expect(PATCHES()).toHaveLength(1)
    expect(run.summary).toContain("on Hangs signature 'ExampleApp: -\\[FeedViewController")
  })
})

describe('an unchanged 85% disk-write signature', () => {
  it('does not pause the README guard', async () => {
    setScenario({ metrics: hangRate(2.5) })
    const run = await switchedOn()
    expect(run.code).toBe(0)
    expect(PATCHES()).toHaveLength(0)
    expect(run.summary).toContain(
      '| ⚠️ | Disk writes | `ExampleApp: -[DatabaseConnection executeSQL:enumerateRowsWithBlock:] + 23` | 85.0% | 50% | = 85.0% |'
    )
  })

  it('pauses with pause-on: any, as before', async () => {
    setScenario({ metrics: hangRate(2.5) })
    const run = await switchedOn({ 'pause-on': 'any' })
    expect(run.code).toBe(1)
    expect(PATCHES()).toHaveLength(1)
  })
})

describe('hang rate up 40%, margins apart', () => {
  it('pauses, and the banner names the metric', async () => {
    setScenario({ metrics: hangRate(3.5) })
    const run = await switchedOn()
    expect(run.code).toBe(1)
    expect(PATCHES()).toHaveLength(1)
    expect(h.asc.state.versions.find(v => v.id === LIVE_VERSION_ID)!.phasedRelease!.state).toBe(
      'PAUSED'
    )
    expect(run.outputs.paused).toBe('true')
    expect(run.summary).toMatch(
      /^⏸️ \*\*This run paused the phased release of 2\.4\.0\*\* at day 3 of 7 \(5% of users\), on Hang rate \(hangRate\):/m
    )
    expect(run.errors.at(-1)).toMatch(
      /^Paused the phased release of 2\.4\.0 at day 3 of 7 \(5% of users\) on Hang rate \(hangRate\)\. 1 metric regressed: Hang rate/
    )
    const findings = report(run).verdict.findings
    expect(findings[0]).toMatchObject({ kind: 'metric-regression', failsJob: true, pauses: true })
  })

  it('as written (the dry run) says it would pause, and why the shares do not', async () => {
    setScenario({ metrics: hangRate(3.5) })
    const run = await asWritten()
    expect(run.code).toBe(1)
    expect(PATCHES()).toHaveLength(0)
    expect(run.stdout).toContain(
      "Would pause the phased release of 2.4.0 (day 3 of 7 (5% of users), active) on Hang rate (hangRate); 'phased-release' is 'report'"
    )
    expect(run.stdout).toContain(
      "Not pausing on Disk writes signature 'ExampleApp: -[DatabaseConnection executeSQL:enumerateRowsWithBlock:] + 23': reported only: shares never pause unless 'pause-on' names them."
    )
  })

  it('pause-on: any pauses on it too', async () => {
    setScenario({ metrics: hangRate(3.5) })
    const run = await switchedOn({ 'pause-on': 'any' })
    expect(PATCHES()).toHaveLength(1)
    expect(run.summary).toContain('on Hang rate (hangRate), ')
  })
})

describe('fail-on-regression: false with a metric regression', () => {
  it('still fails the job on the metric; the share regression is reported only', async () => {
    setScenario({ metrics: hangRate(3.5) })
    const run = await h.run({
      'build-id': '',
      'bundle-id': APP.bundleId,
      version: 'live',
      'baseline-version': 'previous',
      metrics: 'hangRate',
      threshold: '90%',
      'fail-on-regression': 'false',
      'include-logs': '0'
    })
    expect(run.code).toBe(1)
    expect(run.errors.at(-1)).toMatch(/^1 metric regressed: Hang rate/)
    expect(run.summary).toContain(`| ⚠️ up | Hangs | \`${HANG}\` | 41.0% | 29.0% | +12.0 pts |`)
    const findings = report(run).verdict.findings
    expect(findings.filter(f => f.kind === 'signature-regression').every(f => !f.failsJob)).toBe(
      true
    )
    // And the README guard, so told, behaves the same.
    setScenario({ metrics: hangRate(3.5) })
    const guarded = await switchedOn({ 'fail-on-regression': 'false' })
    expect(guarded.code).toBe(1)
    expect(PATCHES()).toHaveLength(1)
  })
})

describe('after the rollout (COMPLETE)', () => {
  it('says so in one line and does not fail the job; fail-after-rollout brings the failure back', async () => {
    setScenario({ state: 'COMPLETE', day: 7, metrics: hangRate(3.5) })
    const run = await switchedOn()
    expect(run.code).toBe(0)
    expect(PATCHES()).toHaveLength(0)
    const lines = run.stdout.split('\n').filter(l => l.startsWith('Not pausing'))
    expect(lines).toEqual([
      'Not pausing: the rollout is complete; the findings are reported, not failed.'
    ])
    expect(run.summary).toContain(
      "the rollout is complete (COMPLETE): nothing is left to protect, and 'fail-after-rollout' is false"
    )

    setScenario({ state: 'COMPLETE', day: 7, metrics: hangRate(3.5) })
    const kept = await switchedOn({ 'fail-after-rollout': 'true' })
    expect(kept.code).toBe(1)
    expect(kept.errors.at(-1)).toMatch(/^1 metric regressed: Hang rate/)
    expect(kept.stdout).toContain(
      "Not pausing: the rollout is complete; 1 finding still fails the job ('fail-after-rollout' is true)."
    )
    expect(PATCHES()).toHaveLength(0)
  })

  it('does the same for a version released without a phased release', async () => {
    setScenario({ state: 'NONE', metrics: hangRate(3.5) })
    const run = await switchedOn()
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Not pausing: the version has no phased release;')
  })
})

describe('no data yet', () => {
  it('passed is false, and true only with no-data: pass', async () => {
    setScenario({ metrics: null })
    h.asc.state.builds.splice(0, Infinity, sampleBuild({ noData: true }), baselineBuild())
    const run = await asWritten()
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ result: 'no-data', passed: 'false' })
    const pass = await asWritten({ 'no-data': 'pass' })
    expect(pass.outputs).toMatchObject({ result: 'no-data', passed: 'true' })
  })
})

describe('a run that stops on an error', () => {
  it('writes a one-line job summary, and the result output is empty', async () => {
    const run = await asWritten({ 'key-id': 'WRONGKEY12' })
    expect(run.code).toBe(1)
    expect(run.outputs.result ?? '').toBe('')
    expect(run.summary.trim().split('\n')).toHaveLength(1)
    expect(run.summary).toMatch(/^❌ App Store diagnostics gate could not run: App Store Connect/)
    expectNoSecrets(run, h)
  })
})
