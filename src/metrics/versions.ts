// Marketing versions as App Store Connect spells them: 1.2 and 1.2.0 are the same version.

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

/** Numeric order; 1.2 equals 1.2.0. Both must be valid versions. */
export function compareVersions(a: string, b: string): number {
  const x = parts(a)
  const y = parts(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

/** Whether two version strings name the same version (`1.2` and `1.2.0` do). */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false
  if (isVersion(a) && isVersion(b)) return compareVersions(a, b) === 0
  return a === b
}
