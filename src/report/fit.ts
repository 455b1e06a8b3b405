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

/** Keeps whole lines, then closes any open code fence and `<details>` so the rest renders. */
function cutAtLine(report: string, budget: Budget): string {
  const note = `\n\n**Report cut to fit GitHub's size limit.** The full report is in ${budget.elsewhere}.\n`
  const lines = report.split('\n')
  const kept: string[] = []
  let size = budget.measure(note) + 200 // room for closing tags
  let fence: string | undefined
  let openDetails = 0
  for (const line of lines) {
    const lineSize = budget.measure(line) + 1
    if (size + lineSize > budget.max) break
    kept.push(line)
    size += lineSize
    const fenceMatch = /^(`{3,})/.exec(line)
    if (fenceMatch) fence = fence && fenceMatch[1] === fence ? undefined : (fence ?? fenceMatch[1])
    else if (!fence)
      openDetails +=
        (line.match(/<details>/g)?.length ?? 0) - (line.match(/<\/details>/g)?.length ?? 0)
  }
  const closing = [
    ...(fence ? [fence] : []),
    '',
    ...Array.from({ length: Math.max(0, openDetails) }, () => '</details>')
  ]
  return `${[...kept, ...closing].join('\n')}${note}`
}
