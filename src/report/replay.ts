import type { Comparison, FindingChange, GuardStep } from '../replay/replay.js'
import { plural } from '../text.js'
import { code, text } from './markdown.js'

// The section a replay under another policy puts above the report it derives: what changed in
// the policy, then finding by finding what the run decided and what the new policy decides.

const yesNo = (value: boolean | undefined): string => (value ? 'yes' : 'no')

const GUARD_WORDS: Readonly<Record<GuardStep, string>> = {
  paused: 'paused',
  'would-pause': 'would pause',
  'not-paused': 'not paused',
  'could-not-pause': 'could not be paused'
}

/** A finding whose consequences differ, or that is a finding on one side only. */
function decidesOtherwise({ before, after }: FindingChange): boolean {
  return (
    !before ||
    !after ||
    before.failsJob !== after.failsJob ||
    before.wouldPause !== after.wouldPause
  )
}

/** The comparison as Markdown, with the command line's flag names. */
export function comparisonSection(comparison: Comparison): string {
  const changed = comparison.changed
    .map(c => `${code(`--${c.input}`)} ${code(c.before)} → ${code(c.after)}`)
    .join(', ')
  const lines = [
    `### ↺ Replay under another policy: ${headline(comparison)}`,
    '',
    `Changed: ${changed}. Nothing was asked of App Store Connect; the evidence is the record's.`
  ]
  const changes = comparison.findings.filter(decidesOtherwise)
  const same = comparison.findings.length - changes.length
  if (changes.length) {
    lines.push('', 'Finding by finding, as the run decided → as this policy decides:', '')
    lines.push(...changes.map(changeLine))
  }
  if (same || !changes.length) {
    lines.push(
      '',
      comparison.findings.length
        ? `${changes.length ? 'The other' : 'Each of the'} ${plural(same, 'finding')} ${same === 1 ? 'decides' : 'decide'} as the run decided.`
        : 'No finding under either policy.'
    )
  }
  const { guard, failsJob } = comparison
  const summary = [
    guard && `**Phased release:** ${GUARD_WORDS[guard.before]} → ${GUARD_WORDS[guard.after]}.`,
    `**Job:** ${failsJob.before ? 'fails' : 'passes'} → ${failsJob.after ? 'fails' : 'passes'} (exit status ${Number(failsJob.before)} → ${Number(failsJob.after)}).`
  ].filter(Boolean)
  lines.push('', summary.join(' '), '', '---')
  return lines.join('\n')
}

/** Whether the guard decided to pause: it did, would have, or tried and could not. */
const acts = (step: GuardStep): boolean => step !== 'not-paused'

function headline({ guard, failsJob }: Comparison): string {
  if (guard && acts(guard.before) !== acts(guard.after)) {
    return guard.after === 'would-pause'
      ? 'the guard would have paused the rollout'
      : 'the guard would not have paused the rollout'
  }
  if (failsJob.before !== failsJob.after) {
    return failsJob.after ? 'the job would have failed' : 'the job would have passed'
  }
  return 'the same decision'
}

/** `- Hang rate (hangRate), metric-regression: fails the job: yes → no · would pause: yes → no`. */
function changeLine(change: FindingChange): string {
  const state = !change.after
    ? ' (no longer a finding)'
    : !change.before
      ? ' (a finding only under this policy)'
      : ''
  return `- ${text(change.name)}, ${change.kind}${state}: fails the job: ${yesNo(change.before?.failsJob)} → ${yesNo(change.after?.failsJob)} · would pause: ${yesNo(change.before?.wouldPause)} → ${yesNo(change.after?.wouldPause)}`
}
