// The README's phased-release guard and the rollouts it meets, shared by the tests that run it
// (decision.e2e) and those that replay its records (replay.e2e).
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { metricsDocument } from './metrics.mjs'
import { logFor } from './logs.mjs'
import { APP, appStoreVersions, baselineBuild, sampleBuild } from './scenarios.mjs'
import type { Harness } from './harness.js'

interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}

/** The inputs that give the guard its memory: history.e2e runs them, the rest decide alone. */
const MEMORY_INPUTS = ['history', 'metric-reference', 'confirm-runs']

/**
 * The README's guard workflow, parsed as GitHub would: its inputs but the secrets, and its
 * lines. Without `memory` its history inputs are left out, so each run decides alone.
 */
export function readmeGuard({ memory = false } = {}): {
  inputs: Record<string, string>
  lines: string[]
} {
  return documentedGuard('README.md', 'Phased-release guard', memory)
}

/** A documented workflow named `name` in `file`, parsed as GitHub would: see readmeGuard. */
export function documentedGuard(
  file: string,
  name: string,
  memory = true
): { inputs: Record<string, string>; lines: string[] } {
  const readme = readFileSync(file, 'utf8')
  const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map(m => m[1])
  const text = blocks.find(b => parse(b)?.name === name)!
  const workflow = parse(text) as { jobs: Record<string, { steps: Step[] }> }
  const step = Object.values(workflow.jobs)
    .flatMap(job => job.steps)
    .find(s => s.uses?.startsWith('asc-diagnostics-gate/asc-diagnostics-gate@'))!
  const inputs = Object.fromEntries(
    Object.entries(step.with ?? {})
      .filter(([, value]) => !String(value).includes('${{')) // the key comes from the harness
      .filter(([key]) => memory || !MEMORY_INPUTS.includes(key))
      .map(([key, value]) => [key, String(value)])
  )
  return { inputs, lines: text.split('\n') }
}

export const HANG = 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412'

/** The hang rate of 2.0.0–2.3.0, then 2.4.0's: margins of 0.1 s/hr. */
export function hangRate(current: number, previous = 2.5) {
  const values = [2.3, 2.4, 2.4, previous, current]
  return metricsDocument({
    series: {
      hangRate: values.map((value, i) => ({
        version: ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0'][i],
        value,
        errorMargin: 0.1
      })),
      launchTime: ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0'].map(version => ({
        version,
        value: 900,
        errorMargin: 5
      }))
    }
  })
}

export interface GuardScenario {
  day?: number
  state?: string
  /** 2.4.0's hang signatures (weights), and 2.3.0's. */
  hangs?: { current: number; baseline?: number }
  metrics?: object | null
}

/** Day 2 of the rollout: one hang signature at 100% of few reports, the hang rate flat. */
export const DAY_2_SHARE: GuardScenario = {
  day: 2,
  hangs: { current: 1, baseline: 0.29 },
  metrics: hangRate(2.5)
}

/** Sets the simulator to a rollout, 2.4.0's signatures and the app's metrics. */
export function setGuardScenario(
  h: Harness,
  { day = 3, state = 'ACTIVE', hangs, metrics }: GuardScenario
): void {
  h.reset()
  h.asc.state.versions.splice(
    0,
    Infinity,
    ...appStoreVersions(state === 'NONE' ? null : { state, currentDayNumber: day })
  )
  const lone = (id: string, weight: number) => {
    const signature = { id, diagnosticType: 'HANGS', signature: HANG, weight }
    return { signatures: [signature], logs: { [id]: logFor(signature) } }
  }
  h.asc.state.builds.splice(
    0,
    Infinity,
    hangs ? sampleBuild(lone('day2-hang', hangs.current)) : sampleBuild(),
    hangs?.baseline !== undefined
      ? baselineBuild({ signatures: lone('base-hang', hangs.baseline).signatures })
      : baselineBuild()
  )
  h.asc.state.apps.splice(0, Infinity, {
    ...APP,
    ...(metrics === null ? {} : { metrics: metrics ?? hangRate(2.5) })
  })
}
