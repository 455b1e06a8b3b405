import * as core from '@actions/core'
import { GITHUB_LIMITS } from '../constants.js'
import { findingsOf } from '../decision/findings.js'
import type { Verdict } from '../decision/verdict.js'
import type { Evaluated } from '../model.js'
import { scrub } from '../secrets.js'
import { placeableSignatures, type SourceLookup } from '../source/locate.js'
import { limitPercent } from '../text.js'
import { findingSentence, shareTitle, signatureName, sinceBaseline } from '../wording.js'

const TITLE = 'App Store diagnostics gate'

interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  title: string
  file?: string
  line?: number
}

/**
 * The blamed source lines first, then one annotation per finding (other than no data, which the
 * warnings cover) not already on a line: an error when it fails the job, a warning when it is
 * only reported. Within GitHub's 10 per level and step (one error is kept for the failure
 * itself when the job will fail, four warnings for the run's own warnings), then a warning that
 * counts the rest.
 */
export function annotate(
  verdict: Verdict,
  build: string,
  willFail: boolean,
  sources?: SourceLookup
): void {
  const onSource = sourceAnnotations(verdict, sources)
  const placed = new Set(onSource.map(a => a.id))
  const findings: Annotation[] = verdict.findings
    .filter(f => f.kind !== 'no-data')
    .filter(f => !('signature' in f.subject && placed.has(f.subject.signature.id)))
    .map(f => ({
      level: f.failsJob ? 'error' : 'warning',
      message: findingSentence(f, build),
      title: TITLE
    }))
  const room = {
    error: GITHUB_LIMITS.maxAnnotations - (willFail ? 1 : 0),
    // Leave warning slots for the no-data, backtrace and comment warnings, and for the count.
    warning: GITHUB_LIMITS.maxAnnotations - 4,
    notice: GITHUB_LIMITS.maxAnnotations
  }
  let rest = 0
  for (const a of [...onSource, ...findings]) {
    if (room[a.level]-- <= 0) {
      if (a.level !== 'notice') rest++
      continue
    }
    const properties = { title: a.title, file: a.file, startLine: a.line }
    if (a.level === 'error') core.error(scrub(a.message), properties)
    else if (a.level === 'warning') core.warning(scrub(a.message), properties)
    else core.notice(scrub(a.message), properties)
  }
  if (rest > 0)
    core.warning(`${rest} more findings are listed in the job summary.`, { title: TITLE })
}

/**
 * One annotation on each reported signature's blamed line found in the repository: titled with
 * its share (`Hangs: 41.0% of hang time`); an error when one of its findings fails the job, a
 * warning when they are only reported, and a notice for a signature without a finding. Findings
 * first, heaviest first.
 */
function sourceAnnotations(
  verdict: Verdict,
  sources: SourceLookup | undefined
): (Annotation & { id: string })[] {
  if (!sources) return []
  const finding = (s: Evaluated) => (findingsOf(verdict.findings, s.id).length ? 1 : 0)
  const level = (s: Evaluated): Annotation['level'] => {
    const findings = findingsOf(verdict.findings, s.id)
    if (findings.length === 0) return 'notice'
    return findings.some(f => f.failsJob) ? 'error' : 'warning'
  }
  return placeableSignatures(verdict.outcomes, verdict.regressions)
    .flatMap(s => {
      const place = sources.places.get(s.id)
      return place?.ok ? [{ s, place }] : []
    })
    .sort((a, b) => finding(b.s) - finding(a.s) || b.s.weight - a.s.weight)
    .map(({ s, place }) => ({
      id: s.id,
      level: level(s),
      title: shareTitle(s),
      message: [
        `${signatureName(s, 200, 'signature')} is blamed on this line (rank ${s.rank}).`,
        ...(s.breached ? [`Above the ${limitPercent(s.threshold)} limit.`] : []),
        ...(s.regressed ? [`Regressed: ${sinceBaseline(s)}.`] : [])
      ].join(' '),
      file: place.path,
      line: place.line
    }))
}
