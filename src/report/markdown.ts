// Untrusted text in Markdown: everything from App Store Connect must display literally,
// never as HTML, links, mentions, table structure, or a forged sticky-comment marker.
import { LINK_ORIGINS } from '../constants.js'
import { sanitize, truncate } from '../text.js'

const ZWSP = '\u200b'

/** The shared sanitizer: controls and line breaks become spaces (one cell, one line), bidi goes. */
const flatten = sanitize

/** Breaks `<!--` and `-->` so no data can open, close or imitate an HTML comment marker. */
function defuseComments(text: string): string {
  return text
    .replace(/<!--/g, `<!${ZWSP}--`)
    .replace(/--(?=>)/g, `--${ZWSP}`)
    .replace(/--!>/g, `--!${ZWSP}>`)
}

/**
 * Breaks @mentions, #references and autolinked URLs, so data can't notify people, link
 * issues, or become a link.
 */
function defuseReferences(text: string): string {
  return text
    .replace(/([@#])(?=\S)/g, `$1${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, match => `${match.slice(0, 3)}${ZWSP}.`)
}

/**
 * An inline code span: the fence is longer than any backtick run inside. In a table cell every
 * `|` is escaped too, since GitHub splits table cells on pipes even inside code spans.
 */
export function code(text: string, { inTable = false, maxLength = 400 } = {}): string {
  const value = truncate(defuseComments(flatten(text)), maxLength)
  if (value.trim() === '') return '*(empty)*'
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${inTable ? value.replace(/\|/g, '\\|') : value}${pad}${fence}`
}

/** A code span for a table cell. */
export function codeCell(text: string): string {
  return code(text, { inTable: true })
}

// Only the characters that act mid-line (our text never starts a line, where - + . would);
// with [ and ] escaped no link can form, so parentheses stay as they are.
const MARKDOWN_SPECIALS = /[\\`*_[\]#!|~]/g

/** Plain text inside Markdown (also safe inside a table cell). */
export function text(value: string): string {
  return defuseReferences(
    flatten(value)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(MARKDOWN_SPECIALS, char => `\\${char}`)
  )
}

/** Text inside raw HTML such as `<summary>`, where Markdown is not parsed. */
export function html(value: string): string {
  return defuseReferences(
    flatten(value)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  )
}

/**
 * A fenced code block that its content cannot close: the fence is longer than any
 * backtick run in the lines.
 */
export function codeBlock(lines: string[]): string {
  const body = lines.map(line => defuseComments(flatten(line))).join('\n')
  const longestRun = Math.max(2, ...(body.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longestRun + 1)
  return `${fence}text\n${body}\n${fence}`
}

/** A link only to an https URL, with its text escaped; otherwise the text alone. */
export function link(label: string, url: string | undefined): string {
  const parsed = httpsUrl(url)
  if (!parsed) return text(label)
  const href = parsed.href.replace(/[()<>\s"]/g, c => encodeURIComponent(c))
  return `[${text(label)}](${href})`
}

/**
 * A link from App Store Connect data: live only to Apple's documentation hosts; any other URL
 * is shown as escaped text (with `://` defused, so GitHub cannot autolink it either).
 */
export function dataLink(label: string, url: string): string {
  const parsed = httpsUrl(url)
  if (parsed && (LINK_ORIGINS as readonly string[]).includes(parsed.origin)) return link(label, url)
  return `${text(label)}: ${text(truncate(url, 200))}`
}

function httpsUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' ? parsed : undefined
  } catch {
    return undefined
  }
}

/** One table row of cells that are already escaped. */
export function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}
