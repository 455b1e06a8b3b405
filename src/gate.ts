import type { DiagnosticType } from './constants.js'
import type { Change, Evaluated, Signature, SignatureList, TypeOutcome } from './model.js'
import { WEIGHT_EPSILON } from './constants.js'

export interface GateInput {
  types: readonly DiagnosticType[]
  current: ReadonlyMap<DiagnosticType, SignatureList>
  baseline?: ReadonlyMap<DiagnosticType, SignatureList>
  limit: number
  thresholds: Readonly<Record<DiagnosticType, number>>
  maxWeightIncrease: number
}

/** The signature gate's evaluation: every fetched signature judged against its limits. */
export interface SignatureEvaluation {
  outcomes: TypeOutcome[]
  /** Threshold breaches among the reported signatures, worst first. */
  breaches: Evaluated[]
  /** Rises over the baseline among all fetched signatures, worst first. */
  regressions: Evaluated[]
  /** Requested types that came back with no signatures at all. */
  emptyTypes: DiagnosticType[]
  maxWeight?: number
  hasBaseline: boolean
}

// Weights are shown with one decimal of a percent; smaller moves read as "same".
const SAME_EPSILON = 0.0005

/**
 * The gate itself, a pure function: breaches are weights strictly above the type's
 * threshold; regressions are new signatures or rises beyond the allowed increase.
 */
export function evaluate(input: GateInput): SignatureEvaluation {
  const outcomes: TypeOutcome[] = []
  const breaches: Evaluated[] = []
  const regressions: Evaluated[] = []
  const emptyTypes: DiagnosticType[] = []
  let maxWeight: number | undefined
  for (const type of input.types) {
    const list = input.current.get(type) ?? { type, signatures: [], complete: true }
    // A baseline without data for this type says nothing about it: nothing is "new" against it.
    const baselineList = input.baseline?.get(type)
    const baseline = baselineList?.signatures.length ? baselineList : undefined
    const threshold = input.thresholds[type]
    const previous = baseline && {
      byText: byText(baseline.signatures),
      // A cut baseline list: anything missing from it weighed at most its lightest entry.
      atMost:
        baseline.complete || baseline.signatures.length === 0
          ? undefined
          : Math.min(...baseline.signatures.map(s => s.weight))
    }
    const evaluated = list.signatures.map((signature, index) =>
      judge(signature, index + 1, threshold, index < input.limit, previous, input.maxWeightIncrease)
    )
    const shown = evaluated.slice(0, input.limit)
    breaches.push(...shown.filter(s => s.breached))
    regressions.push(...evaluated.filter(s => s.regressed))
    if (list.signatures.length === 0) emptyTypes.push(type)
    for (const s of list.signatures) maxWeight = Math.max(maxWeight ?? 0, s.weight)
    const currentTexts = new Set(list.signatures.map(s => s.signature))
    outcomes.push({
      type,
      threshold,
      shown,
      fetched: list.signatures.length,
      complete: list.complete,
      gone:
        baseline && list.complete
          ? baseline.signatures.filter(s => !currentTexts.has(s.signature))
          : [],
      goneUnknown: Boolean(baseline) && !list.complete
    })
  }
  breaches.sort((a, b) => b.weight - b.threshold - (a.weight - a.threshold))
  regressions.sort((a, b) => (b.delta ?? 0) - (a.delta ?? 0))
  return {
    outcomes,
    breaches,
    regressions,
    emptyTypes,
    maxWeight,
    hasBaseline: Boolean(input.baseline)
  }
}

function byText(signatures: Signature[]): Map<string, Signature> {
  const map = new Map<string, Signature>()
  // Lists are heaviest first, so a repeated text keeps its heaviest entry.
  for (const s of signatures) if (!map.has(s.signature)) map.set(s.signature, s)
  return map
}

interface Previous {
  byText: Map<string, Signature>
  /** The lightest fetched baseline weight when the baseline list was cut. */
  atMost?: number
}

function judge(
  signature: Signature,
  rank: number,
  threshold: number,
  reported: boolean,
  previous: Previous | undefined,
  maxIncrease: number
): Evaluated {
  const breached = reported && signature.weight > threshold + WEIGHT_EPSILON
  if (!previous) return { ...signature, rank, threshold, breached, regressed: false }
  const before = previous.byText.get(signature.signature)
  // Not in a cut baseline list is not "new": its rise is at least weight − the lightest fetched.
  const unlisted = !before && previous.atMost !== undefined
  const delta = signature.weight - (before?.weight ?? previous.atMost ?? 0)
  const change: Change = unlisted
    ? 'unlisted'
    : !before
      ? 'new'
      : Math.abs(delta) < SAME_EPSILON
        ? 'same'
        : delta > 0
          ? 'up'
          : 'down'
  return {
    ...signature,
    rank,
    threshold,
    breached,
    ...(before ? { baselineWeight: before.weight } : {}),
    ...(unlisted ? { baselineAtMost: previous.atMost } : {}),
    delta,
    change,
    regressed: delta > maxIncrease + WEIGHT_EPSILON
  }
}
