// Issue 14: the release guard. `version: live` and `baseline-version: previous` resolve through
// the app's App Store versions; `phased-release: pause-on-failure` pauses an active rollout when
// the run fails, and never touches one that is not active. Everything runs dist/index.js against
// the App Store Connect simulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import {
  APP,
  appStoreVersions,
  BASELINE_ID,
  baselineBuild,
  BUILD_ID,
  LIVE_VERSION_ID,
  PHASED_RELEASE_ID,
  sampleBuild
} from '../test-support/scenarios.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import type { ActionRun } from '../test-support/run-action.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'
import { reportValidator } from '../test-support/records.mjs'

const VERSIONS = `/v1/apps/${APP.id}/appStoreVersions`
const PATCH_PATH = `/v1/appStoreVersionPhasedReleases/${PHASED_RELEASE_ID}`
/**
 * The live version checked against the previous one. These tests are about the pause itself, on
 * the sample build's share breach, so every finding that fails the job pauses (`pause-on: any`);
 * what pauses by default is in decision.e2e.test.ts.
 */
const guard = {
  'build-id': '',
  'bundle-id': APP.bundleId,
  version: 'live',
  'baseline-version': 'previous',
  'include-logs': '0',
  'pause-on': 'any'
}
/** Thresholds the sample builds pass: nothing dominates, nothing rose by half. */
const lenient = { threshold: '0.9', 'max-weight-increase': '50%' }

let h: Harness
beforeAll(async () => {
  h = await startHarness({ builds: [sampleBuild(), baselineBuild()] })
})
afterAll(() => h.close())
beforeEach(() => setScenario())

/** Resets the simulator to the standard app: 2.4.0 live on day 3, 2.3.0 before it. */
function setScenario(
  phasedRelease: Parameters<typeof appStoreVersions>[0] = {},
  builds = [sampleBuild(), baselineBuild()]
): void {
  h.reset()
  h.asc.state.versions.splice(0, Infinity, ...appStoreVersions(phasedRelease))
  h.asc.state.builds.splice(0, Infinity, ...builds)
  h.asc.state.apps.splice(0, Infinity, { ...APP })
  for (const kid of Object.keys(h.asc.state.roles)) delete h.asc.state.roles[kid]
}

const patches = () => h.requests().filter(r => r.method === 'PATCH')
const liveRelease = () => h.asc.state.versions.find(v => v.id === LIVE_VERSION_ID)!.phasedRelease!
/** The line the step failed with: the last error annotation. */
const failureLine = (run: ActionRun) => run.errors.at(-1)

describe('version: live and baseline-version: previous', () => {
  it('resolve to the live version and the one before it, with one versions request', async () => {
    const run = await h.run({ ...guard, ...lenient })
    expect(run.code).toBe(0)
    expect(run.outputs['build-id']).toBe(BUILD_ID)
    expect(run.outputs['baseline-build-id']).toBe(BASELINE_ID)
    const versions = h.requests().filter(r => r.path === VERSIONS)
    expect(versions).toHaveLength(1)
    expect(versions[0].query).toMatchObject({
      'filter[platform]': 'IOS',
      'filter[appVersionState]': 'READY_FOR_DISTRIBUTION,REPLACED_WITH_NEW_VERSION',
      include: 'build,appStoreVersionPhasedRelease'
    })
    // No build lookup by number: the versions request includes each version's build.
    expect(h.requests().some(r => r.path === '/v1/builds')).toBe(false)
    expect(run.summary).toContain('**Build** 2.4.0 (412) · `' + BUILD_ID + '`')
    expect(run.summary).toContain('compared with 2.3.0 (399) · `' + BASELINE_ID + '`')
    expect(run.summary).toContain('**Phased release** of 2.4.0: day 3 of 7 (5% of users), active.')
    expect(run.outputs).toMatchObject({
      'phased-release-state': 'ACTIVE',
      'phased-release-day': '3',
      paused: 'false'
    })
    expectNoSecrets(run, h)
  })

  it('picks the newest live and replaced versions whatever order Apple lists them in', async () => {
    // A newer 2.3.5 replaced 2.3.0 and was itself replaced by 2.4.0: it is "previous".
    h.asc.state.builds.push(baselineBuild({ id: 'build-2-3-5', version: '405' }))
    h.asc.state.versions.push({
      id: 'asv-2-3-5',
      appId: APP.id,
      versionString: '2.3.5',
      appStoreState: 'REPLACED_WITH_NEW_VERSION',
      createdDate: '2026-10-20T09:00:00-07:00',
      buildId: 'build-2-3-5'
    })
    const run = await h.run({ ...guard, ...lenient })
    expect(run.outputs['baseline-build-id']).toBe('build-2-3-5')
    expect(run.summary).toContain('compared with 2.3.5 (405)')
  })

  it.each([
    [
      'no version is live',
      'READY_FOR_SALE',
      `No IOS version of app ${APP.id} is live on the App Store (appVersionState READY_FOR_DISTRIBUTION), so 'version: live' has nothing to check`
    ],
    [
      'the live version is the first release',
      'REPLACED_WITH_NEW_VERSION',
      `App ${APP.id} has no IOS version before the live 2.4.0 (none is REPLACED_WITH_NEW_VERSION), so 'baseline-version: previous' has nothing to compare with`
    ]
  ])('say plainly when %s', async (_, missing, message) => {
    const versions = appStoreVersions().filter(v => v.appStoreState !== missing)
    h.asc.state.versions.splice(0, Infinity, ...versions)
    const run = await h.run(guard)
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toContain(message)
    expect(patches()).toHaveLength(0)
  })

  it('look only at the requested platform', async () => {
    const run = await h.run({ ...guard, platform: 'MAC_OS' })
    expect(run.code).toBe(1)
    expect(h.requests().find(r => r.path === VERSIONS)?.query['filter[platform]']).toBe('MAC_OS')
    expect(run.errors.join('\n')).toContain('No MAC_OS version of app')
  })

  it('need app-id or bundle-id, and say so before any request', async () => {
    const run = await h.run({ ...guard, 'bundle-id': '' })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toContain(
      "'version: live' needs 'app-id' or 'bundle-id' to find the app's App Store versions."
    )
    expect(h.requests()).toHaveLength(0)
  })
})

describe('phased-release: pause-on-failure', () => {
  it('pauses an active rollout when the verdict fails, and says so first', async () => {
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(1)
    const [patch] = patches()
    expect(patch.path).toBe(PATCH_PATH)
    expect(patch.status).toBe(200)
    expect(patch.requestBody).toEqual({
      data: {
        type: 'appStoreVersionPhasedReleases',
        id: PHASED_RELEASE_ID,
        attributes: { phasedReleaseState: 'PAUSED' }
      }
    })
    expect(liveRelease().state).toBe('PAUSED')
    expect(run.outputs).toMatchObject({
      result: 'failed',
      passed: 'false',
      'phased-release-state': 'PAUSED',
      'phased-release-day': '3',
      paused: 'true'
    })
    // At the top of the report, right under the verdict, and first in the failure line.
    const [headline, pausedLine] = run.summary.split('\n\n')
    expect(headline).toMatch(/^### ❌ App Store diagnostics gate: /)
    expect(pausedLine).toContain(
      '⏸️ **This run paused the phased release of 2.4.0** at day 3 of 7 (5% of users)'
    )
    expect(run.summary).toContain('**Phased release** of 2.4.0: day 3 of 7 (5% of users), paused.')
    expect(failureLine(run)).toMatch(
      /^Paused the phased release of 2\.4\.0 at day 3 of 7 \(5% of users\) on Disk writes signature .*\. \d+ diagnostic signatures? above the threshold/
    )
    expect(run.stdout).toContain('Paused the phased release of 2.4.0 at day 3 of 7')
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(report.phasedRelease).toMatchObject({
      appStoreVersion: { id: LIVE_VERSION_ID, version: '2.4.0' },
      id: PHASED_RELEASE_ID,
      state: 'PAUSED',
      day: 3,
      action: 'pause',
      paused: true,
      error: null
    })
    expectValidReport(report)
    expectNoSecrets(run, h)
  })

  it('reads the rollout again just before pausing, and leaves it alone if no longer active', async () => {
    // Someone paused it in App Store Connect while the run fetched diagnostics.
    h.asc.faults.add({
      match: {
        method: 'GET',
        path: `/v1/appStoreVersions/${LIVE_VERSION_ID}/appStoreVersionPhasedRelease`
      },
      fault: {
        body: {
          data: {
            type: 'appStoreVersionPhasedReleases',
            id: PHASED_RELEASE_ID,
            attributes: { phasedReleaseState: 'PAUSED', currentDayNumber: 3 }
          },
          links: { self: 'x' }
        }
      }
    })
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    expect(h.requests().filter(r => r.path.endsWith('/appStoreVersionPhasedRelease'))).toHaveLength(
      1
    )
    expect(patches()).toHaveLength(0)
    expect(run.outputs).toMatchObject({ 'phased-release-state': 'PAUSED', paused: 'false' })
    expect(run.stdout).toContain(
      'Not pausing the phased release of 2.4.0: the rollout is already paused'
    )
  })

  it('pauses when no-data is fail and the live version has no data yet', async () => {
    setScenario({}, [sampleBuild({ noData: true }), baselineBuild()])
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure', 'no-data': 'fail' })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('no-data')
    expect(run.outputs.paused).toBe('true')
    expect(patches()).toHaveLength(1)
  })

  it('pauses when only a metric regressed: whatever fails the run counts', async () => {
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: METRIC_FIXTURES.clearRegression() })
    const run = await h.run({
      ...guard,
      ...lenient,
      metrics: 'hangRate',
      'phased-release': 'pause-on-failure'
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({
      'breach-count': '0',
      'regression-count': '0',
      'metric-regression-count': '1',
      paused: 'true'
    })
    expect(failureLine(run)).toMatch(
      /^Paused the phased release of 2\.4\.0 at day 3 of 7 \(5% of users\) on Hang rate \(hangRate\)\. 1 metric regressed: Hang rate/
    )
  })

  it('leaves the rollout alone when the metrics are steady', async () => {
    h.asc.state.apps.splice(0, Infinity, { ...APP, metrics: METRIC_FIXTURES.steady() })
    const run = await h.run({
      ...guard,
      ...lenient,
      metrics: 'hangRate',
      'phased-release': 'pause-on-failure'
    })
    expect(run.code).toBe(0)
    expect(patches()).toHaveLength(0)
  })

  it('sends no PATCH when the verdict passes', async () => {
    const run = await h.run({ ...guard, ...lenient, 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(0)
    expect(patches()).toHaveLength(0)
    expect(h.requests().some(r => r.path.endsWith('/appStoreVersionPhasedRelease'))).toBe(false)
    expect(liveRelease().state).toBe('ACTIVE')
    expect(run.outputs).toMatchObject({ 'phased-release-state': 'ACTIVE', paused: 'false' })
  })

  it('sends no PATCH when failing is turned off: findings are reported, not acted on', async () => {
    const run = await h.run({
      ...guard,
      'phased-release': 'pause-on-failure',
      'fail-on-breach': 'false',
      'fail-on-regression': 'false'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.passed).toBe('false')
    expect(patches()).toHaveLength(0)
  })

  it.each([
    ['PAUSED', 'paused', 'already paused (PAUSED); the guard never resumes one'],
    ['COMPLETE', 'complete (100% of users)', 'complete (COMPLETE)'],
    ['INACTIVE', 'not started yet (inactive)', 'not started (INACTIVE)']
  ])('never touches a rollout that is %s', async (state, shown, reason) => {
    setScenario({ state, ...(state === 'INACTIVE' ? { currentDayNumber: undefined } : {}) })
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    // After the rollout nothing is left to protect: reported, not failed (fail-after-rollout).
    expect(run.code).toBe(state === 'COMPLETE' ? 0 : 1)
    expect(patches()).toHaveLength(0)
    expect(liveRelease().state).toBe(state)
    expect(run.outputs).toMatchObject({ 'phased-release-state': state, paused: 'false' })
    expect(run.summary).toContain(`**Phased release** of 2.4.0: `)
    expect(run.summary).toContain(shown)
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(report.phasedRelease.action).toBe('none')
    expect(report.phasedRelease.reason).toContain(reason)
  })

  it('reports a version released without a phased release, and has nothing to pause', async () => {
    setScenario(null)
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(0) // nothing to protect: reported, not failed
    expect(patches()).toHaveLength(0)
    expect(run.outputs).toMatchObject({
      'phased-release-state': '',
      'phased-release-day': '',
      paused: 'false'
    })
    expect(run.summary).toContain('**Phased release:** none for 2.4.0.')
  })

  it('is refused without version: live, before any request', async () => {
    const run = await h.run({ 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(1)
    expect(run.errors.join('\n')).toContain(
      "Input 'phased-release' is 'pause-on-failure', which watches the live version's rollout; it needs 'version: live'"
    )
    expect(h.requests()).toHaveLength(0)
  })

  it('names the role needed when the key may not pause, and keeps the verdict and report', async () => {
    h.asc.state.roles[h.key.keyId] = 'DEVELOPER'
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(1)
    expect(patches().map(p => p.status)).toEqual([403])
    expect(liveRelease().state).toBe('ACTIVE')
    const roleError = run.errors.find(e => e.includes('HTTP 403'))
    expect(roleError).toContain(
      'Could not pause the phased release of 2.4.0: The API key may not pause the phased release: its role cannot change releases; use a key with the Admin or App Manager role'
    )
    // The verdict and the report are those of the run, with the failed pause said at the top.
    expect(run.outputs).toMatchObject({
      result: 'failed',
      passed: 'false',
      'phased-release-state': 'ACTIVE',
      paused: 'false'
    })
    expect(run.summary).toMatch(/^### ❌ App Store diagnostics gate: /)
    expect(run.summary).toContain('⚠️ **The phased release was not paused.**')
    expect(run.summary).toContain('#### Breaches')
    expect(failureLine(run)).toMatch(/^\d+ diagnostic signatures? above the threshold/)
    const report = JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))
    expect(report.verdict.passed).toBe(false)
    expect(report.phasedRelease).toMatchObject({ state: 'ACTIVE', paused: false })
    expect(report.phasedRelease.error).toContain('Admin or App Manager')
    expectNoSecrets(run, h)
  })
})

describe('hostile version strings', () => {
  it('reach the log, the annotations and the report as one escaped line', async () => {
    const live = h.asc.state.versions.find(v => v.id === LIVE_VERSION_ID)!
    live.versionString = '2.4.0\n::add-mask::leak <img src=x> \u202e'
    const run = await h.run({ ...guard, 'phased-release': 'pause-on-failure' })
    expect(run.outputs.paused).toBe('true')
    expect(run.stdout.split('\n').filter(line => line.startsWith('::add-mask::leak'))).toEqual([])
    expect(run.everything).not.toContain('\u202e')
    expect(run.summary).not.toContain('<img')
    expect(run.summary).toContain('This run paused the phased release of 2.4.0 : :add-mask: :leak')
  })
})

describe('phased-release: report, a dry run', () => {
  it('logs "would pause" where pause-on-failure would act, and sends no PATCH', async () => {
    const run = await h.run({ ...guard, 'phased-release': 'report' })
    expect(run.code).toBe(1)
    expect(patches()).toHaveLength(0)
    expect(liveRelease().state).toBe('ACTIVE')
    expect(run.stdout).toContain(
      "Would pause the phased release of 2.4.0 (day 3 of 7 (5% of users), active) on Disk writes signature 'ExampleApp: -[DatabaseConnection executeSQL:enumerateRowsWithBlock:] + 23', "
    )
    expect(run.summary).toContain(
      '**`phased-release: pause-on-failure` would have paused this rollout**'
    )
    expect(run.outputs).toMatchObject({ 'phased-release-state': 'ACTIVE', paused: 'false' })
  })

  it('says nothing of pausing when the verdict passes', async () => {
    const run = await h.run({ ...guard, ...lenient, 'phased-release': 'report' })
    expect(run.stdout).not.toContain('Would pause')
    expect(run.summary).not.toContain('would have paused')
  })
})

describe('a 404 on the diagnostics of a build that exists', () => {
  it('counts as no data for a build found through a lookup, with no extra request', async () => {
    setScenario({}, [sampleBuild({ noData: true }), baselineBuild()])
    const run = await h.run({ ...guard, ...lenient })
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('no-data')
    expect(run.summary).toContain('no data yet')
    expect(h.requests().some(r => r.path === `/v1/builds/${BUILD_ID}`)).toBe(false)
    expect(run.stdout).toContain('no data yet (HTTP 404 for a build that exists)')
  })

  it('counts as no data for a build ID that GET /v1/builds/{id} confirms, asked once', async () => {
    setScenario({}, [sampleBuild({ noData: true })])
    const run = await h.run({ 'build-id': BUILD_ID, 'no-data': 'warn' })
    expect(run.code).toBe(0)
    expect(run.outputs.result).toBe('no-data')
    expect(h.requests().filter(r => r.path === `/v1/builds/${BUILD_ID}`)).toHaveLength(1)
    expect(run.warnings.join('\n')).toContain('No hangs diagnostics for build')
  })

  it('follows no-data: fail', async () => {
    setScenario({}, [sampleBuild({ noData: true })])
    const run = await h.run({ 'build-id': BUILD_ID, 'no-data': 'fail' })
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('no-data')
    expect(failureLine(run)).toContain("and 'no-data' is 'fail'")
  })

  it('keeps "not found, check the ID" for a build that does not exist', async () => {
    const run = await h.run({ 'build-id': 'no-such-build' })
    expect(run.code).toBe(1)
    expect(h.requests().filter(r => r.path === '/v1/builds/no-such-build')).toHaveLength(1)
    expect(run.errors.join('\n')).toContain(
      "Build 'no-such-build' was not found: no build with this resource ID is visible to this API key; check 'build-id'"
    )
  })

  it('leaves a baseline without data out of the comparison instead of calling everything new', async () => {
    setScenario({}, [sampleBuild(), baselineBuild({ noData: true })])
    const run = await h.run({ ...guard, threshold: '0.9', 'phased-release': 'pause-on-failure' })
    expect(run.code).toBe(0)
    expect(run.outputs['regression-count']).toBe('0')
    expect(patches()).toHaveLength(0)
    expect(run.warnings.join('\n')).toContain(
      `The baseline build ${BASELINE_ID} has no hangs, disk writes, launches diagnostics, so those types were not compared with it.`
    )
  })
})

function expectValidReport(report: unknown): void {
  const validate = reportValidator()
  expect(validate(report) ? [] : validate.errors).toEqual([])
}
