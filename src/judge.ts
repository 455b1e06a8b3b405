import type { Collected } from './collect.js'
import type { Config } from './config/parse.js'
import { evaluate, failureLine, type Verdict } from './gate.js'
import { metricsFailureLine, metricsVerdict, withMetrics } from './metrics/verdict.js'

export interface Judgement {
  /** Signatures and metrics together. */
  verdict: Verdict
  /** The one line the job fails with; undefined when it should not fail. */
  failure?: string
}

/** The run's verdict, a pure function of the settings and what App Store Connect sent. */
export function judge(config: Config, data: Collected): Judgement {
  const verdict = withMetrics(
    evaluate({ ...config, current: data.current.lists, baseline: data.baseline?.lists }),
    metricsVerdict(config, data.metrics),
    config.noData
  )
  const failure =
    [
      failureLine(verdict, config, data.current.build.id),
      metricsFailureLine(verdict.metrics, config)
    ]
      .filter(Boolean)
      .join(' ') || undefined
  return { verdict, failure }
}
