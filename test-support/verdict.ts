// A verdict straight from signature lists, for unit tests of the gate and of the sinks: the
// same path as a run (evaluate, then the findings with their consequences).
import type { ConsequencePolicy } from '../src/decision/findings.js'
import { verdictFrom, type Verdict } from '../src/decision/verdict.js'
import { evaluate, type GateInput } from '../src/gate.js'
import type { MetricsVerdict } from '../src/metrics/model.js'

export const DEFAULT_POLICY: ConsequencePolicy = {
  failOnBreach: true,
  failOnRegression: true,
  failOnMetricRegression: true,
  noData: 'warn'
}

export function verdictOf(
  input: GateInput & { noData?: ConsequencePolicy['noData'] },
  policy: Partial<ConsequencePolicy> = {},
  metrics?: MetricsVerdict
): Verdict {
  return verdictFrom(evaluate(input), metrics, {
    ...DEFAULT_POLICY,
    ...(input.noData ? { noData: input.noData } : {}),
    ...policy
  })
}
