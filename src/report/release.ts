import type { Finding } from '../decision/findings.js'
import { describeRollout, evidenceOf, rolloutDay, type GuardOutcome } from '../release/decide.js'
import { consequenceText, subjectName } from '../wording.js'
import { text } from './markdown.js'

/**
 * The phased-release lines at the top of the report: the rollout's state, what this run did to
 * it (paused it, would have, or could not) and on which findings, and why the others did not.
 */
export function releaseSection(guard: GuardOutcome, findings: readonly Finding[]): string {
  const version = text(guard.version)
  if (!guard.release) return `**Phased release:** none for ${version}.`
  const lines: string[] = []
  const evidence = evidenceOf(guard.decision).map(text).join(', ')
  if (guard.hypothetical && guard.decision.action === 'pause') {
    const day = rolloutDay(guard.release)
    lines.push(
      `⏸️ **Under this policy the guard would pause the phased release of ${version}**${day ? ` at ${day}` : ''}, on ${evidence}. A replay changes nothing in App Store Connect.`
    )
  } else if (guard.paused) {
    const day = rolloutDay(guard.release)
    lines.push(
      `⏸️ **This run paused the phased release of ${version}**${day ? ` at ${day}` : ''}, on ${evidence}: users who already updated keep it, and anyone can still download it from the App Store. Resume it in App Store Connect once the cause is understood.`
    )
  } else if (guard.error) {
    lines.push(`⚠️ **The phased release was not paused.** ${text(guard.error)}`)
  } else if (guard.decision.action === 'would-pause') {
    lines.push(
      `⚠️ **\`phased-release: pause-on-failure\` would have paused this rollout**, on ${evidence}; this run only reports (\`phased-release: report\`).`
    )
  }
  const confirmed = guard.decision.because.filter(f => f.confirmation)
  if (confirmed.length) {
    lines.push(
      confirmed
        .map(f => `Confirmed: ${text(subjectName(f))} (${f.kind}) ${consequenceText(f)}.`)
        .join('\n')
    )
  }
  lines.push(`**Phased release** of ${version}: ${describeRollout(guard.release)}.`)
  // Read again just before the PATCH, the rollout was no longer one to pause.
  const stillToPause =
    !guard.hypothetical && !guard.paused && !guard.error && findings.some(f => f.pauses)
  if (stillToPause) lines.push(`Not paused now: ${text(guard.decision.reason)}.`)
  const others = findings.filter(f => !guard.decision.because.includes(f))
  if (others.length && guard.decision.reason !== "'phased-release' is off") {
    lines.push(
      [
        guard.paused || guard.decision.action !== 'none'
          ? 'The other findings do not pause it:'
          : 'Not paused:',
        ...others.map(
          f =>
            `- ${text(subjectName(f))} (${f.kind}): ${text(f.pauses ? `fails the job; not paused: ${guard.decision.reason}` : consequenceText(f))}.`
        )
      ].join('\n')
    )
  }
  return lines.join('\n\n')
}
