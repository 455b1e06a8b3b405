// Simulated phased releases for the guard's memory (history.e2e and the bench): the app on one
// day of one version's rollout, with the hang rate Apple has for each version by then.
import { logFor } from './logs.mjs'
import { metricsDocument } from './metrics.mjs'
import { APP, sampleBuild } from './scenarios.mjs'
import { GITHUB_TOKEN, type Harness } from './harness.js'
import { HANG, readmeGuard } from './guard-scenarios.js'

const ORDER = ['2.3.0', '2.4.0', '2.5.0']

export interface RolloutDay {
  /** The live version; the ones before it in ORDER were live before. */
  live: '2.4.0' | '2.5.0'
  day: number
  state?: 'ACTIVE' | 'PAUSED' | 'COMPLETE'
  /** Apple's p50 hang rate (s/hr, margin 0.1) per version by this day; absent: no data yet. */
  hangRate: Record<string, number | undefined>
}

const id = (version: string) => version.replace(/\./g, '-')

/** Sets the App Store Connect simulator to `day` of `live`'s rollout. */
export function setRollout(
  h: Harness,
  { live, day, state = 'ACTIVE', hangRate }: RolloutDay
): void {
  const versions = ORDER.slice(0, ORDER.indexOf(live) + 1)
  h.asc.state.versions.splice(
    0,
    Infinity,
    ...versions.map((version, i) => ({
      id: `asv-${id(version)}`,
      appId: APP.id,
      versionString: version,
      appStoreState: version === live ? 'READY_FOR_SALE' : 'REPLACED_WITH_NEW_VERSION',
      createdDate: `2026-${String(9 + i).padStart(2, '0')}-10T09:00:00-07:00`,
      buildId: `build-${id(version)}`,
      phasedRelease: {
        id: `phased-${id(version)}`,
        state: version === live ? state : 'COMPLETE',
        startDate: `2026-${String(9 + i).padStart(2, '0')}-12T07:00:00Z`,
        currentDayNumber: version === live ? day : 7,
        totalPauseDuration: 0
      }
    }))
  )
  h.asc.state.builds.splice(
    0,
    Infinity,
    ...versions.map((version, i) => {
      const signature = {
        id: `hang-${id(version)}`,
        diagnosticType: 'HANGS',
        signature: HANG,
        weight: 0.4
      }
      return sampleBuild({
        id: `build-${id(version)}`,
        marketingVersion: version,
        version: String(400 + i),
        signatures: [signature],
        logs: { [signature.id]: logFor(signature) }
      })
    })
  )
  const points = ORDER.flatMap(version => {
    const value = hangRate[version]
    return value === undefined ? [] : [{ version, value, errorMargin: 0.1 }]
  })
  h.asc.state.apps.splice(0, Infinity, {
    ...APP,
    metrics: metricsDocument({ series: { hangRate: points } })
  })
}

/** The README's guard with its memory, on the GitHub simulator's repository. */
export function guardWithMemory(h: Harness, inputs: Record<string, string> = {}) {
  return {
    inputs: {
      ...readmeGuard({ memory: true }).inputs,
      'build-id': '',
      metrics: 'hangRate',
      'include-logs': '0',
      'github-token': GITHUB_TOKEN,
      ...inputs
    },
    env: githubEnv(h)
  }
}

/** What the runner sets for a scheduled run of acme/app, with the API on the simulator. */
export function githubEnv(h: Harness, runId = '4242'): Record<string, string> {
  return {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: runId,
    GITHUB_API_URL: h.github.url,
    GITHUB_EVENT_NAME: 'schedule'
  }
}
