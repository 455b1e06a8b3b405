import type { Finding } from '../decision/findings.js'
import type { Evaluated } from '../model.js'
import { safeJson } from '../text.js'
import { subjectName } from '../wording.js'

/** One signature as the `signatures` and `breaches` outputs and the JSON report carry it. */
export function signatureRecord(s: Evaluated): Record<string, unknown> {
  return {
    id: s.id,
    diagnosticType: s.diagnosticType,
    signature: s.signature,
    weight: s.weight,
    threshold: s.threshold,
    breached: s.breached,
    ...(s.insight ? { insight: s.insight } : {}),
    ...(s.change !== undefined
      ? {
          baselineWeight: s.baselineWeight ?? null,
          ...(s.baselineAtMost !== undefined ? { baselineAtMost: s.baselineAtMost } : {}),
          delta: s.delta,
          change: s.change,
          regressed: s.regressed
        }
      : {})
  }
}

/** A finding with its consequences, as the report's schema describes it. */
export function findingRecord(f: Finding): Record<string, unknown> {
  const { subject } = f
  return {
    kind: f.kind,
    evidence: f.evidence,
    subject: {
      name: subjectName(f),
      ...('signature' in subject
        ? { signatureId: subject.signature.id, diagnosticType: subject.signature.diagnosticType }
        : 'metric' in subject
          ? { metric: subject.metric.identifier }
          : { diagnosticType: subject.diagnosticType })
    },
    failsJob: f.failsJob,
    failsJobReason: f.failsJobReason ?? null,
    pauses: f.pauses,
    pausesReason: f.pausesReason ?? null,
    wouldPause: f.wouldPause,
    ...(f.confirmation ? { confirmation: { ...f.confirmation } } : {})
  }
}

/**
 * The records as a JSON array of at most `maxBytes`: the heaviest that fit are kept, in their
 * original order, and `omitted` counts the rest (the JSON report keeps them all).
 */
export function boundedRecords(
  items: readonly Evaluated[],
  maxBytes: number
): { json: string; omitted: number } {
  const texts = items.map(item => safeJson(signatureRecord(item)))
  const byWeight = items.map((_, index) => index).sort((a, b) => items[b].weight - items[a].weight)
  const kept = new Set<number>()
  let size = 2 // []
  for (const index of byWeight) {
    const bytes = Buffer.byteLength(texts[index]) + (kept.size ? 1 : 0)
    if (size + bytes > maxBytes) break
    kept.add(index)
    size += bytes
  }
  return {
    json: `[${texts.filter((_, index) => kept.has(index)).join(',')}]`,
    omitted: items.length - kept.size
  }
}

/** The findings as a JSON array of at most `maxBytes`, most decisive first; the rest are cut. */
export function boundedFindings(findings: readonly Finding[], maxBytes: number): string {
  const texts: string[] = []
  let size = 2
  for (const f of findings) {
    const text = safeJson(findingRecord(f))
    size += Buffer.byteLength(text) + (texts.length ? 1 : 0)
    if (size > maxBytes) break
    texts.push(text)
  }
  return `[${texts.join(',')}]`
}
