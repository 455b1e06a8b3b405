import { Detail } from './render.js'

export interface Budget {
  /** Size of a text in the unit the limit is counted in. */
  measure: (text: string) => number
  max: number
  /** Where the reader finds what was left out. */
  elsewhere: string
}

export const characters = (text: string): number => text.length
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

/**
 * The most detailed rendering that fits: drop backtraces, then long tables, then the
 * per-type tables; as a last resort cut at a line boundary. The verdict line comes first,
 * so it always survives.
 */
export function fitReport(render: (detail: Detail) => string, budget: Budget): string {
  const levels = [Detail.Full, Detail.NoBacktraces, Detail.TopTenRows, Detail.NoTypeTables]
  let report = ''
  for (const level of levels) {
    report = render(level)
    const fitted = level === Detail.Full ? report : `${report}\n${omissionNote(budget.elsewhere)}\n`
    if (budget.measure(fitted) <= budget.max) return fitted
  }
  return cutAtLine(report, budget)
}

function omissionNote(elsewhere: string): string {
  return `<sub>Some detail was left out to fit GitHub's size limit; the full report is in ${elsewhere}.</sub>`
}

/**
 * Cuts at a line boundary, closing a fence and the `<details>` sections the renderer opened, so
 * the rest renders. Only sections the renderer opens count: they start a line with `<details>`
 * and end with a line `</details>`; signature text never starts a line, so text that merely
 * contains the tag cannot inflate the closing. The result is measured again with its closing.
 */
function cutAtLine(report: string, budget: Budget): string {
  const note = `\n\n**Report cut to fit GitHub's size limit.** The full report is in ${budget.elsewhere}.\n`
  const lines = report.split('\n')
  let keep = lines.length
  for (;;) {
    const cut = closeSections(lines.slice(0, keep))
    const result = `${cut}${note}`
    if (budget.measure(result) <= budget.max || keep === 0) return result
    // Drop at least the overflow's worth of lines, then measure again.
    keep = Math.max(0, Math.min(keep - 1, shrinkTo(lines, keep, budget, result)))
  }
}

/** How many lines to keep so the text loses roughly what it is over the budget. */
function shrinkTo(lines: string[], keep: number, budget: Budget, result: string): number {
  let excess = budget.measure(result) - budget.max
  let count = keep
  while (count > 0 && excess > 0) {
    count--
    excess -= budget.measure(lines[count]) + 1
  }
  return count
}

/** The lines with a fence and the renderer's open `<details>` sections closed. */
function closeSections(kept: string[]): string {
  let fence: string | undefined
  let openDetails = 0
  for (const line of kept) {
    const fenceMatch = /^(`{3,})/.exec(line)
    if (fenceMatch) fence = fence && fenceMatch[1] === fence ? undefined : (fence ?? fenceMatch[1])
    else if (!fence && line.startsWith('<details>')) openDetails++
    else if (!fence && line === '</details>') openDetails = Math.max(0, openDetails - 1)
  }
  const closing = [
    ...(fence ? [fence] : []),
    '',
    ...Array.from({ length: openDetails }, () => '</details>')
  ]
  return [...kept, ...closing].join('\n')
}
