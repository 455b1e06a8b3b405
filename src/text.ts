/**
 * C0 and C1 controls, line and paragraph separators, and the bidi controls that can reorder
 * what a reader sees ("Trojan Source"): U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069.
 */
// One list of the bidi controls, as regex escapes, for the sanitizer and for JSON's escapes.
const BIDI_CHARS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069'
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g
const BIDI = new RegExp(`[${BIDI_CHARS}]`, 'g')
/** Half of a surrogate pair without its other half: no encoding can spell it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * The one sanitizer for text from App Store Connect, before it reaches Markdown, a log line,
 * an annotation or a backtrace: controls become a space, bidi controls are removed, and a lone
 * surrogate becomes U+FFFD (as any UTF-8 file would spell it; JSON would take 6 bytes for it).
 */
export function sanitize(text: string): string {
  return text.replace(BIDI, '').replace(CONTROLS, ' ').replace(LONE_SURROGATE, '\ufffd')
}

/**
 * What JSON.stringify leaves raw but a terminal or a viewer acts on: DEL and the C1 controls
 * (U+0085 NEL, U+009B CSI, U+009D OSC…, which set a window title or reach the clipboard), the
 * line and paragraph separators, and the bidi controls. JSON and XML spell them as escapes.
 */
export const VIEWER_UNSAFE = new RegExp(`[\\u007f-\\u009f\\u2028\\u2029${BIDI_CHARS}]`, 'g')

/**
 * JSON as every JSON the tool prints or writes spells it: JSON.stringify, with the characters
 * above as `\uXXXX` escapes, so the text parses back the same but its bytes carry none of them.
 * They can only stand inside strings, where an escape means the same character.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    VIEWER_UNSAFE,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/**
 * Untrusted text (from App Store Connect or a pull request) made safe for one log line or
 * error message: no control characters, so it cannot start a workflow command such as
 * `::add-mask::` on a new line, and bounded in length.
 */
export function oneLine(text: string, max = 200): string {
  return truncate(sanitize(text).replace(/::/g, ': :'), max)
}

/** At most `max` UTF-16 units, ending in … when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--
  return `${text.slice(0, end)}…`
}

/**
 * A bad value from a response, described in a few words without walking into it: a value
 * nested thousands of levels deep must not overflow the stack while an error is phrased.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  if (typeof value === 'string') return `"${oneLine(value, 40)}"`
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `a list of ${plural(value.length, 'item')}`
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

export function percent(weight: number): string {
  return `${(weight * 100).toFixed(1)}%`
}

/** A threshold as the user likely wrote it: 50%, 12.5%. */
export function limitPercent(weight: number): string {
  return `${Number((weight * 100).toFixed(2))}%`
}

/**
 * 3,400: thousands separated by commas, as en-US writes them. Not toLocaleString, which loads
 * ICU's number formatting (about 30 ms and 5 MB at start-up) for one footer line.
 */
export function groupDigits(count: number): string {
  const digits = String(Math.trunc(Math.abs(count)))
  return `${count < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}
