// @ts-check
// Sample App Store Connect data shared by the tests, the demo and the benchmark.
import { logFor } from './logs.mjs'

export const APP = { id: '1500000001', bundleId: 'com.example.app', name: 'ExampleApp' }
export const BUILD_ID = '1a254ec1-8e3d-48e7-bbd6-6b9a30072b29'
export const BASELINE_ID = '0f3c7d52-11aa-4b6e-9d2e-3c5be1f0a399'

/** Apple's own documentation example: one signature holds 85% of disk writes. */
export const APPLE_EXAMPLE =
  'ExampleApp: -[DatabaseConnection executeSQL:enumerateRowsWithBlock:] + 23'

/** @param {number} n @param {string} type @param {number} [top] */
export function filler(n, type, top = 0.2) {
  return Array.from({ length: n }, (_, i) => ({
    diagnosticType: type,
    signature: `ExampleApp: ${type.toLowerCase()} path #${i + 1} + ${16 * (i + 1)}`,
    weight: Number((top / (i + 1)).toFixed(4))
  }))
}

/**
 * Realistic logs for each signature, keyed by ID as the simulator serves them.
 * @param {{ id?: string, signature: string, diagnosticType: string }[]} signatures
 */
export function logsFor(signatures, context = { appVersion: '2.4.0', buildVersion: '412' }) {
  return Object.fromEntries(
    signatures.filter(s => s.id).map(s => [s.id, logFor(/** @type {any} */ (s), context)])
  )
}

/** The release candidate: disk writes dominated by Apple's example, a hang that rose. */
export function sampleBuild(overrides = {}) {
  const signatures = sampleSignatures()
  return {
    id: BUILD_ID,
    appId: APP.id,
    version: '412',
    marketingVersion: '2.4.0',
    uploadedDate: '2026-11-20T10:00:00Z',
    signatures,
    logs: logsFor(signatures),
    ...overrides
  }
}

function sampleSignatures() {
  return [
    { diagnosticType: 'DISK_WRITES', signature: APPLE_EXAMPLE, weight: 0.85 },
    {
      diagnosticType: 'DISK_WRITES',
      signature: 'ExampleApp: -[ImageCache persist:] + 112',
      weight: 0.07
    },
    {
      diagnosticType: 'HANGS',
      signature: 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412',
      weight: 0.41,
      insight: {
        insightType: 'TREND',
        direction: 'UP',
        referenceVersions: [{ version: '2.3.0', value: 0.29 }]
      }
    },
    {
      diagnosticType: 'HANGS',
      signature: 'ExampleApp: closure #1 in ImageCache.load(url:) + 88',
      weight: 0.2
    },
    {
      diagnosticType: 'HANGS',
      signature: 'libsystem_kernel.dylib: mach_msg2_trap + 8',
      weight: 0.1
    },
    {
      diagnosticType: 'LAUNCHES',
      signature: 'ExampleApp: static Analytics.bootstrap() + 64',
      weight: 0.25
    }
  ].map((s, i) => ({ id: `rc-sig-${i + 1}`, ...s }))
}

/** The version live on the App Store, for baseline comparisons. */
export function baselineBuild(overrides = {}) {
  return {
    id: BASELINE_ID,
    appId: APP.id,
    version: '399',
    marketingVersion: '2.3.0',
    uploadedDate: '2026-10-01T10:00:00Z',
    signatures: [
      { diagnosticType: 'DISK_WRITES', signature: APPLE_EXAMPLE, weight: 0.85 },
      {
        diagnosticType: 'HANGS',
        signature: 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412',
        weight: 0.29
      },
      { diagnosticType: 'HANGS', signature: 'ExampleApp: -[LegacySync run] + 40', weight: 0.3 },
      {
        diagnosticType: 'LAUNCHES',
        signature: 'ExampleApp: static Analytics.bootstrap() + 64',
        weight: 0.25
      }
    ],
    ...overrides
  }
}

export const LIVE_VERSION_ID = 'asv-2-4-0'
export const PHASED_RELEASE_ID = 'phased-2-4-0'

/**
 * The app's App Store versions: 2.4.0 (the sample build) live on day 3 of its phased release,
 * 2.3.0 (the baseline build) before it, an older 2.2.0, and 2.5.0 in preparation. Listed in no
 * particular order, as Apple documents none.
 * @param {{ state?: string, currentDayNumber?: number, totalPauseDuration?: number } | null} [phasedRelease]
 *   the live version's rollout; null for a version released without one
 */
export function appStoreVersions(phasedRelease = {}) {
  return [
    {
      id: 'asv-2-3-0',
      appId: APP.id,
      versionString: '2.3.0',
      appStoreState: 'REPLACED_WITH_NEW_VERSION',
      createdDate: '2026-09-28T09:00:00-07:00',
      buildId: BASELINE_ID,
      phasedRelease: {
        id: 'phased-2-3-0',
        state: 'COMPLETE',
        startDate: '2026-10-03T07:00:00Z',
        currentDayNumber: 7,
        totalPauseDuration: 0
      }
    },
    {
      id: 'asv-2-5-0',
      appId: APP.id,
      versionString: '2.5.0',
      appStoreState: 'PREPARE_FOR_SUBMISSION',
      createdDate: '2026-11-24T09:00:00-08:00'
    },
    {
      id: LIVE_VERSION_ID,
      appId: APP.id,
      versionString: '2.4.0',
      appStoreState: 'READY_FOR_SALE',
      createdDate: '2026-11-18T09:00:00-08:00',
      buildId: BUILD_ID,
      ...(phasedRelease === null
        ? {}
        : {
            phasedRelease: {
              id: PHASED_RELEASE_ID,
              state: 'ACTIVE',
              startDate: '2026-11-23T08:00:00Z',
              currentDayNumber: 3,
              totalPauseDuration: 0,
              ...phasedRelease
            }
          })
    },
    {
      id: 'asv-2-2-0',
      appId: APP.id,
      versionString: '2.2.0',
      appStoreState: 'REPLACED_WITH_NEW_VERSION',
      createdDate: '2026-08-30T09:00:00-07:00',
      buildId: 'build-2-2-0'
    }
  ]
}

/**
 * A build whose only signatures are hangs with the given texts, 60%, 50%, … of hang time, and
 * no logs: for hostile text.
 * @param {string} id @param {string[]} texts
 */
export function hangsBuild(id, texts) {
  return sampleBuild({
    id,
    signatures: texts.map((signature, i) => ({
      id: `${id}-${i + 1}`,
      diagnosticType: 'HANGS',
      signature,
      weight: 0.6 - i * 0.1
    })),
    logs: {}
  })
}
