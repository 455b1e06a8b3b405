import { describe, expect, it } from '@jest/globals'
import { pickVersion, type ReleasedVersion } from '../src/asc/app-store-versions.js'
import { readPhasedRelease, type PhasedRelease } from '../src/asc/phased-release.js'
import { resource } from '../src/asc/jsonapi.js'
import { finding, type RolloutState } from '../src/decision/findings.js'
import type { MetricOutcome } from '../src/metrics/model.js'
import { decideRollout, describeRollout } from '../src/release/decide.js'

const active: PhasedRelease = { id: 'p1', state: 'ACTIVE', day: 3 }
const hang: MetricOutcome = {
  identifier: 'hangRate',
  label: 'Hang rate',
  percentile: 'p50',
  device: 'all_iphones',
  status: 'regressed',
  regressedByRule: true,
  regressedByApple: false,
  points: []
}
const guardPolicy = (mode: 'report' | 'pause-on-failure', rollout: RolloutState = 'ACTIVE') => ({
  failOnBreach: true,
  failOnRegression: true,
  failOnMetricRegression: true,
  noData: 'warn' as const,
  guard: { mode, pauseOn: ['metric-regression' as const], failAfterRollout: false, rollout }
})
const regression = (mode: 'report' | 'pause-on-failure', rollout?: RolloutState) => [
  finding('metric-regression', { metric: hang }, guardPolicy(mode, rollout))
]

describe('the pause decision', () => {
  it('pauses an active rollout on a finding that pauses, in pause-on-failure mode', () => {
    const findings = regression('pause-on-failure')
    expect(decideRollout({ release: active, findings, mode: 'pause-on-failure' })).toEqual({
      action: 'pause',
      reason: 'the rollout is active',
      because: findings
    })
  })

  it('only says it would, in report mode', () => {
    const findings = regression('report')
    expect(decideRollout({ release: active, findings, mode: 'report' })).toEqual({
      action: 'would-pause',
      reason: "'phased-release' is 'report'",
      because: findings
    })
  })

  it.each(['report', 'pause-on-failure'] as const)(
    'does nothing when no finding pauses (%s)',
    mode => {
      expect(decideRollout({ release: active, findings: [], mode }).action).toBe('none')
    }
  )

  it.each([
    ['PAUSED', /already paused .* never resumes/],
    ['COMPLETE', /complete/],
    ['INACTIVE', /not started/],
    ['UNKNOWN', /does not know/]
  ] as const)('never touches a %s rollout, and says why', (state, reason) => {
    for (const mode of ['report', 'pause-on-failure'] as const) {
      const findings = regression(mode)
      const decision = decideRollout({ release: { ...active, state }, findings, mode })
      expect(decision.action).toBe('none')
      expect(decision.reason).toMatch(reason)
    }
  })

  it('does nothing for a version without a phased release, or with the guard off', () => {
    const findings = regression('pause-on-failure')
    expect(decideRollout({ findings, mode: 'pause-on-failure' })).toMatchObject({
      action: 'none',
      reason: 'the version has no phased release'
    })
    expect(decideRollout({ release: active, findings, mode: 'off' }).reason).toBe(
      "'phased-release' is off"
    )
  })
})

describe('the rollout in words', () => {
  it.each([
    [{ state: 'ACTIVE', day: 1 }, 'day 1 of 7 (1% of users), active'],
    [{ state: 'ACTIVE', day: 3 }, 'day 3 of 7 (5% of users), active'],
    [{ state: 'PAUSED', day: 6 }, 'day 6 of 7 (50% of users), paused'],
    [{ state: 'ACTIVE', day: 7 }, 'day 7 of 7 (100% of users), active'],
    [{ state: 'COMPLETE', day: 7 }, 'complete (100% of users)'],
    [{ state: 'INACTIVE' }, 'not started yet (inactive)'],
    [{ state: 'ACTIVE' }, 'active']
  ] as const)('%j reads "%s"', (release, words) => {
    expect(describeRollout({ id: 'p', ...release })).toBe(words)
  })
})

describe('reading a phased release', () => {
  it('keeps what the report needs and drops what is malformed', () => {
    expect(
      readPhasedRelease(
        resource(
          {
            type: 'appStoreVersionPhasedReleases',
            id: 'p-1',
            attributes: {
              phasedReleaseState: 'ACTIVE',
              currentDayNumber: 3,
              startDate: '2026-11-23T08:00:00Z',
              totalPauseDuration: 0
            }
          },
          'a phased release'
        )
      )
    ).toEqual({
      id: 'p-1',
      state: 'ACTIVE',
      day: 3,
      startDate: '2026-11-23T08:00:00Z',
      totalPauseDuration: 0
    })
    expect(
      readPhasedRelease(
        resource(
          {
            type: 'appStoreVersionPhasedReleases',
            id: 'p-2',
            attributes: { phasedReleaseState: 'SOMETHING_NEW', currentDayNumber: 'three' }
          },
          'a phased release'
        )
      )
    ).toEqual({ id: 'p-2', state: 'UNKNOWN' })
    expect(() =>
      resource({ type: 'appStoreVersionPhasedReleases', id: '../x' }, 'a phased release')
    ).toThrow(/unexpected ID/)
  })
})

describe('picking the live and the previous version', () => {
  const version = (
    versionString: string,
    status: ReleasedVersion['status'],
    createdDate?: string
  ): ReleasedVersion => ({
    id: `v-${versionString}`,
    versionString,
    status,
    decidedBy: 'appVersionState',
    createdDate
  })
  const context = { appId: '1', platform: 'IOS' as const, input: "'version: live'" }

  it('takes the live one, and the newest replaced one older than it', () => {
    const versions = [
      version('2.2.0', 'replaced', '2026-08-01T00:00:00Z'),
      version('2.4.0', 'live', '2026-11-18T09:00:00-08:00'),
      version('2.3.0', 'replaced', '2026-10-01T00:00:00Z')
    ]
    expect(pickVersion(versions, 'live', context).versionString).toBe('2.4.0')
    expect(pickVersion(versions, 'previous', context).versionString).toBe('2.3.0')
    expect(pickVersion([...versions].reverse(), 'previous', context).versionString).toBe('2.3.0')
  })

  it('never calls a replaced version newer than the live one "previous"', () => {
    // Only one version per platform is live: a replaced version created after it is not its predecessor.
    const versions = [
      version('9.9.9', 'replaced', '2026-12-01T00:00:00Z'),
      version('2.4.0', 'live', '2026-11-18T00:00:00Z')
    ]
    expect(() => pickVersion(versions, 'previous', context)).toThrow(
      /no IOS version before the live 2\.4\.0/
    )
  })

  it('compares version numbers when the dates are missing', () => {
    const versions = [version('2.9.0', 'replaced'), version('2.10.0', 'live')]
    expect(pickVersion(versions, 'previous', context).versionString).toBe('2.9.0')
  })

  it('says when nothing is live', () => {
    expect(() => pickVersion([version('2.3.0', 'replaced')], 'live', context)).toThrow(
      "No IOS version of app 1 is live on the App Store (appVersionState READY_FOR_DISTRIBUTION), so 'version: live' has nothing to check"
    )
  })
})
