// Marketing versions as App Store Connect spells them: 1.2 and 1.2.0 are the same version.
// The one comparison of versions for the whole code base: ordering, equality and lookups.

/** Digits and dots only: the only version text allowed into a chart or an ordering. */
const VERSION = /^\d{1,9}(\.\d{1,9}){0,5}$/

export function isVersion(text: string): boolean {
  return VERSION.test(text)
}

function parts(version: string): number[] {
  const numbers = version.split('.').map(Number)
  while (numbers.length > 1 && numbers[numbers.length - 1] === 0) numbers.pop()
  return numbers
}

/**
 * The one order of versions: numeric, so 2.10 follows 2.9 and 1.2 equals 1.2.0. Text that is
 * not a version sorts after every version, in plain string order.
 */
export function compareVersions(a: string, b: string): number {
  const [validA, validB] = [isVersion(a), isVersion(b)]
  if (!validA || !validB) {
    if (validA !== validB) return validA ? -1 : 1
    return a < b ? -1 : a > b ? 1 : 0
  }
  const x = parts(a)
  const y = parts(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

/** One key per version, whatever its spelling: `1.2` and `1.2.0` give `1.2`. */
export function versionKey(version: string): string {
  return isVersion(version) ? parts(version).join('.') : version
}

/** Whether two version strings name the same version (`1.2` and `1.2.0` do). */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false
  return compareVersions(a, b) === 0
}

/**
 * `1.2` and `1.2.0` name the same version, but Apple's filter matches exact strings: every
 * spelling, to ask for at once (the filter takes a comma list).
 */
export function versionSpellings(version: string): string[] {
  if (!isVersion(version)) return [version]
  const numbers = parts(version)
  const spellings = new Set([version])
  for (let length = numbers.length; length <= 3; length++) {
    spellings.add([...numbers, ...Array(length - numbers.length).fill(0)].join('.'))
  }
  return [...spellings]
}
