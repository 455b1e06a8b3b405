// The terminal report is the Markdown report, re-laid out for a terminal: the same sections in
// the same order with the same words, by construction, including any section the Markdown
// report gains later. It reads only the Markdown subset src/report/ writes. Everything from App
// Store Connect was sanitized on its way into the Markdown (no control characters, so no escape
// sequence can reach the terminal); this only removes Markdown's escaping and adds colour.

/** SGR colours; none unless the output is a terminal and NO_COLOR is unset. */
export interface Palette {
  bold: (text: string) => string
  dim: (text: string) => string
  red: (text: string) => string
  yellow: (text: string) => string
  green: (text: string) => string
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`

export const COLOURS: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39)
}

const same = (text: string): string => text
export const PLAIN: Palette = { bold: same, dim: same, red: same, yellow: same, green: same }

/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a non-terminal. */
export function paletteFor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): Palette {
  return isTTY && !env.NO_COLOR ? COLOURS : PLAIN
}

/** A table cell's longest shown width: signatures can be 400 characters long. */
const MAX_CELL = 100
const INDENT = '  '

/** The Markdown report as terminal text. */
export function terminalReport(markdown: string, palette: Palette): string {
  const lines = markdown.replace(/\n+$/, '').split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const fence = /^(`{3,})(\w*)$/.exec(line)
    if (fence) {
      const end = lines.indexOf(fence[1], i + 1)
      const body = lines.slice(i + 1, end < 0 ? undefined : end)
      if (fence[2] === 'mermaid') out.push(...chart(body, palette))
      else
        out.push(
          ...body.map(code => `${INDENT}${INDENT}${palette.dim(code.replace(/\u200b/g, ''))}`)
        )
      i = end < 0 ? lines.length : end
      continue
    }
    if (line.startsWith('|')) {
      let end = i
      while (end < lines.length && lines[end].startsWith('|')) end++
      out.push(...table(lines.slice(i, end), palette))
      i = end - 1
      continue
    }
    out.push(block(line, palette))
  }
  return `${collapseBlankLines(out).join('\n')}\n`
}

function block(line: string, palette: Palette): string {
  const heading = /^(#{1,6}) (.*)$/.exec(line)
  if (heading) {
    const text = inline(heading[2])
    return heading[1].length <= 3 ? tone(text, palette, palette.bold) : palette.bold(text)
  }
  const summary = /^<details><summary>(.*)<\/summary>$/.exec(line)
  if (summary) return palette.bold(inline(summary[1]))
  if (line === '</details>' || line === '<details>') return ''
  const small = /^<sub>(.*)<\/sub>$/.exec(line)
  if (small) return palette.dim(inline(small[1]))
  return line === '' ? '' : inline(line)
}

const BARS = '▁▂▃▄▅▆▇█'

/**
 * A Mermaid xychart (the report's metric charts) as its title and one sparkline bar per
 * x value with the value beside it; any other diagram is left to the Markdown report.
 */
function chart(body: string[], palette: Palette): string[] {
  const source = body.join('\n')
  const title = /^\s*title "(.*)"$/m.exec(source)?.[1]
  const list = (key: string): string[] =>
    (new RegExp(`^\\s*${key} \\[(.*)\\]$`, 'm').exec(source)?.[1] ?? '')
      .split(',')
      .map(item => item.trim().replace(/^"|"$/g, ''))
      .filter(Boolean)
  const labels = list('x-axis')
  const values = list('(?:line|bar)').map(Number)
  if (!/^\s*xychart/m.test(source) || labels.length !== values.length || values.some(isNaN)) {
    return [`${INDENT}${palette.dim('(a chart: --format markdown has it)')}`]
  }
  const low = Math.min(...values)
  const span = Math.max(...values) - low || 1
  const width = Math.max(...labels.map(label => label.length))
  return [
    `${INDENT}${title ?? ''}`,
    ...labels.map((label, index) => {
      const bar = BARS[Math.round(((values[index] - low) / span) * (BARS.length - 1))]
      return `${INDENT}${INDENT}${label.padEnd(width)}  ${bar} ${values[index]}`
    })
  ]
}

/** Red for a failure, yellow for a warning, green for a pass: the report's own emoji say which. */
function tone(text: string, palette: Palette, base: (text: string) => string = same): string {
  if (text.includes('❌')) return palette.red(base(text))
  if (text.includes('⚠️')) return palette.yellow(base(text))
  if (text.includes('✅')) return palette.green(base(text))
  return base(text)
}

function table(rows: string[], palette: Palette): string[] {
  const cells = rows.map(splitRow)
  const alignRow = cells.findIndex(row => row.every(cell => /^:?-+:?$/.test(cell)))
  const right = alignRow < 0 ? [] : cells[alignRow].map(cell => cell.endsWith(':'))
  const body = cells
    .filter((_, index) => index !== alignRow)
    .map(row => row.map(cell => clip(inline(cell))))
  const widths: number[] = []
  for (const row of body)
    row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, width(cell))))
  return body.map((row, r) => {
    const padded = row.map((cell, c) => {
      const gap = ' '.repeat((widths[c] ?? 0) - width(cell))
      return right[c] ? gap + cell : cell + gap
    })
    const line = `${INDENT}${padded.join('  ').trimEnd()}`
    return r === 0 && alignRow === 1 ? palette.dim(line) : tone(line, palette)
  })
}

/** The cells of `| a | b |`; a pipe escaped as `\|` stays in its cell. */
function splitRow(row: string): string[] {
  const cells: string[] = []
  let cell = ''
  for (let i = 1; i < row.length; i++) {
    const char = row[i]
    if (char === '\\' && row[i + 1] === '|') {
      cell += '\\|'
      i++
    } else if (char === '|') {
      cells.push(cell.trim())
      cell = ''
    } else {
      cell += char
    }
  }
  return cells
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' }

/** Markdown inline text as plain text: code spans, escapes, emphasis, links, entities. */
export function inline(markdown: string): string {
  let out = ''
  for (let i = 0; i < markdown.length;) {
    const char = markdown[i]
    if (char === '`') {
      const run = /^`+/.exec(markdown.slice(i))![0]
      const close = findRun(markdown, run.length, i + run.length)
      if (close >= 0) {
        let content = markdown.slice(i + run.length, close)
        if (content.length > 1 && content.startsWith(' ') && content.endsWith(' '))
          content = content.slice(1, -1)
        out += content.replace(/\\\|/g, '|')
        i = close + run.length
        continue
      }
      out += run
      i += run.length
      continue
    }
    if (char === '\\' && i + 1 < markdown.length) {
      out += markdown[i + 1]
      i += 2
      continue
    }
    if (char === '*') {
      i++
      continue
    }
    if (char === '[') {
      const link = /^\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)/.exec(markdown.slice(i))
      if (link) {
        // The address as the Markdown holds it (percent-encoded): decoding could bring back control bytes.
        out += `${inline(link[1])} (${link[2]})`
        i += link[0].length
        continue
      }
    }
    if (char === '&') {
      const entity = /^&[a-z]+;/.exec(markdown.slice(i))
      if (entity && ENTITIES[entity[0]]) {
        out += ENTITIES[entity[0]]
        i += entity[0].length
        continue
      }
    }
    out += char
    i++
  }
  // The zero-width spaces that keep GitHub from linking or mentioning have no use here.
  return out.replace(/\u200b/g, '')
}

/** Where the next run of exactly `length` backticks starts, or -1. */
function findRun(text: string, length: number, from: number): number {
  const pattern = /`+/g
  pattern.lastIndex = from
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].length === length) return match.index
  }
  return -1
}

function clip(text: string): string {
  if (width(text) <= MAX_CELL) return text
  let out = ''
  for (const char of text) {
    if (width(out + char) > MAX_CELL - 1) break
    out += char
  }
  return `${out}…`
}

/** Columns a text takes in a terminal: wide for emoji and East Asian characters. */
export function width(text: string): number {
  let columns = 0
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (code === 0xfe0f || code === 0x200d || (code >= 0x300 && code <= 0x36f)) continue
    columns += isWide(code) ? 2 : 1
  }
  return columns
}

function isWide(code: number): boolean {
  return (
    [0x231a, 0x231b, 0x23f3, 0x2705, 0x274c, 0x26a0, 0x26d4, 0x2b50, 0x23ed].includes(code) ||
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
}

function collapseBlankLines(lines: string[]): string[] {
  return lines.filter((line, i) => line !== '' || (i > 0 && lines[i - 1] !== ''))
}
