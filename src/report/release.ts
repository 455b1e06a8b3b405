import { describeRollout, rolloutDay, type GuardOutcome } from '../release-guard.js'
import { text } from './markdown.js'

/**
 * The phased-release lines at the top of the report: the rollout's state, and what this run
 * did to it (paused it, would have, or could not).
 */
export function releaseSection(guard: GuardOutcome): string {
  const version = text(guard.version)
  if (!guard.release) return `**Phased release:** none for ${version}.`
  const lines: string[] = []
  if (guard.paused) {
    const day = rolloutDay(guard.release)
    lines.push(
      `⏸️ **This run paused the phased release of ${version}**${day ? ` at ${day}` : ''}: users who already updated keep it, and anyone can still download it from the App Store. Resume it in App Store Connect once the cause is understood.`
    )
  } else if (guard.error) {
    lines.push(`⚠️ **The phased release was not paused.** ${text(guard.error)}`)
  } else if (guard.decision.action === 'would-pause') {
    lines.push(
      `⚠️ **\`phased-release: pause-on-failure\` would have paused this rollout**; this run only reports (\`phased-release: report\`).`
    )
  }
  lines.push(`**Phased release** of ${version}: ${describeRollout(guard.release)}.`)
  return lines.join('\n\n')
}
