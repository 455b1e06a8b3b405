import { InputError } from '../errors.js'

/** Reads an input as the runner passes it (untrimmed); empty when unset. */
export type InputReader = (name: string) => string

const ASCII_TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g
// Invisible or control characters that survive a copy-paste and silently change a value.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00a0\u200b-\u200f\u2028\u2029\u2060\ufeff]/

/**
 * The inputs being parsed, and every problem found so far: each parser reports its input's
 * problem once, where it is parsed, and parsing goes on so that all of them are listed at once.
 */
export class Inputs {
  readonly problems: string[] = []

  constructor(private readonly read: InputReader) {}

  /** The value exactly as given (the key keeps its own whitespace rules). */
  raw(name: string): string {
    return this.read(name) ?? ''
  }

  /** The value without surrounding ASCII whitespace; refuses invisible characters. */
  text(name: string): string {
    const value = this.raw(name).replace(ASCII_TRIM, '')
    const bad = INVISIBLE.exec(value)
    if (bad) {
      const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
      throw new InputError(
        `Input '${name}' contains an invisible character (U+${code}); remove it.`
      )
    }
    return value
  }

  optional(name: string): string | undefined {
    return this.text(name) || undefined
  }

  /**
   * Runs one parser: an InputError becomes a listed problem and the result is `fallback`, which
   * never leaves parseConfig (it throws when any problem was listed).
   */
  attempt<T>(parse: () => T, fallback: T): T {
    try {
      return parse()
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      this.problems.push(error.message)
      return fallback
    }
  }

  /** The value of an input with a default, parsed; `fallback` when it has a problem. */
  parsed<T>(name: string, byDefault: string, parse: (value: string) => T, fallback: T): T {
    return this.attempt(() => parse(this.text(name) || byDefault), fallback)
  }
}
