import { describe, expect, it } from '@jest/globals'
import { pickVersion, type ReleasedVersion } from '../src/asc/app-store-versions.js'
import { readPhasedRelease, type PhasedRelease } from '../src/asc/phased-release.js'
import { decidePhasedRelease, describeRollout } from '../src/release-guard.js'

const active: PhasedRelease = { id: 'p1', state: 'ACTIVE', day: 3 }
const failure = '1 diagnostic signature above the threshold; …'

describe('the pause decision', () => {
  it('pauses an active rollout when the run fails, in pause-on-failure mode', () => {
    expect(decidePhasedRelease({ release: active, failure, mode: 'pause-on-failure' })).toEqual({
      action: 'pause',
      reason: 'the verdict failed and the rollout is active'
    })
  })

  it('only says it would, in report mode', () => {
    expect(decidePhasedRelease({ release: active, failure, mode: 'report' })).toEqual({
      action: 'would-pause',
      reason: "'phased-release' is 'report'"
    })
  })

  it.each(['report', 'pause-on-failure'] as const)(
    'does nothing when the run does not fail (%s)',
    mode => {
      expect(decidePhasedRelease({ release: active, mode }).action).toBe('none')
    }
  )

  it.each([
    ['PAUSED', /already paused .* never resumes/],
    ['COMPLETE', /complete/],
    ['INACTIVE', /not started/],
    ['UNKNOWN', /does not know/]
  ] as const)('never touches a %s rollout, and says why', (state, reason) => {
    for (const mode of ['report', 'pause-on-failure'] as const) {
      const decision = decidePhasedRelease({ release: { ...active, state }, failure, mode })
      expect(decision.action).toBe('none')
      expect(decision.reason).toMatch(reason)
    }
  })

  it('does nothing for a version without a phased release', () => {
    expect(decidePhasedRelease({ failure, mode: 'pause-on-failure' })).toEqual({
      action: 'none',
      reason: 'the version has no phased release'
    })
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
      readPhasedRelease({
        type: 'appStoreVersionPhasedReleases',
        id: 'p-1',
        attributes: {
          phasedReleaseState: 'ACTIVE',
          currentDayNumber: 3,
          startDate: '2026-11-23T08:00:00Z',
          totalPauseDuration: 0
        }
      })
    ).toEqual({
      id: 'p-1',
      state: 'ACTIVE',
      day: 3,
      startDate: '2026-11-23T08:00:00Z',
      totalPauseDuration: 0
    })
    expect(
      readPhasedRelease({
        type: 'appStoreVersionPhasedReleases',
        id: 'p-2',
        attributes: { phasedReleaseState: 'SOMETHING_NEW', currentDayNumber: '3' }
      })
    ).toEqual({ id: 'p-2', state: 'UNKNOWN' })
    expect(readPhasedRelease({ type: 'builds', id: 'b' })).toBeUndefined()
    expect(() => readPhasedRelease({ type: 'appStoreVersionPhasedReleases', id: '../x' })).toThrow(
      /unexpected ID/
    )
  })
})

describe('picking the live and the previous version', () => {
  const version = (
    versionString: string,
    status: ReleasedVersion['status'],
    createdDate?: string
  ): ReleasedVersion => ({ id: `v-${versionString}`, versionString, status, createdDate })
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
      "No IOS version of app 1 is live on the App Store (appStoreState READY_FOR_SALE), so 'version: live' has nothing to check"
    )
  })
})
