/**
 * Untrusted text (from App Store Connect or a pull request) made safe for one log line or
 * error message: no control characters, so it cannot start a workflow command such as
 * `::add-mask::` on a new line, and bounded in length.
 */
export function oneLine(text: string, max = 200): string {
  return truncate(
    text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/::/g, ': :'),
    max
  )
}

/** At most `max` UTF-16 units, ending in … when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--
  return `${text.slice(0, end)}…`
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
