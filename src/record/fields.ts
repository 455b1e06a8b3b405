import { InputError } from '../errors.js'
import { describeValue } from '../text.js'

// Checked reads of a decision record. A record is a file anyone could have edited: each value
// is checked where it is read, and the first one out of shape ends the replay with one sentence
// that names where it is. Text from App Store Connect, which the run sanitised as it read it, is
// refused when it holds what no run writes (controls, bidi overrides, over its cap) rather than
// cleaned, so a replay never shows what the run did not. The run's own sentences, its inputs and
// paths in the checkout may hold anything a run does (`sentence`): every channel sanitises them
// as it shows them. A model object is refused with a member no run writes (`checked`); the
// record's own sections ignore members they do not read.

export type Json = Record<string, unknown>

/** C0 and C1 controls but the line feed (our sentences list problems a line each), and bidi. */
const UNWRITTEN =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

/** The longest text a run writes into a record: a signature (4,000) or one of our sentences. */
export const TEXT_CAP = 20_000

/** One position in the record, named the way `jq` would reach it. */
export class Field {
  constructor(
    readonly value: unknown,
    readonly path: string
  ) {}

  /** The member `key` of this object (absent members read as undefined). */
  get(key: string): Field {
    return new Field(this.object()[key], `${this.path}.${key}`)
  }

  damaged(problem: string): InputError {
    return new InputError(
      `The record is damaged: ${this.path.slice(0, 200)} ${problem}; replay reads a JSON report exactly as a run wrote it.`
    )
  }

  private not(what: string): InputError {
    return this.damaged(`is ${describeValue(this.value)}, not ${what}`)
  }

  get missing(): boolean {
    return this.value === undefined || this.value === null
  }

  object(): Json {
    const { value } = this
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.not('an object')
    }
    return value as Json
  }

  /** The items of a list of at most `max`. */
  list(max: number): Field[] {
    if (!Array.isArray(this.value)) throw this.not('a list')
    if (this.value.length > max) throw this.damaged(`holds ${this.value.length} items, over ${max}`)
    return this.value.map((item, index) => new Field(item, `${this.path}[${index}]`))
  }

  /** The members of an object of at most `max`, each with its key. */
  entries(max: number): [string, Field][] {
    const keys = Object.keys(this.object())
    if (keys.length > max) throw this.damaged(`holds ${keys.length} members, over ${max}`)
    return keys.map(key => [key, this.get(key)])
  }

  text(cap = TEXT_CAP): string {
    if (typeof this.value !== 'string') throw this.not('text')
    if (this.value.length > cap)
      throw this.damaged(`is ${this.value.length} characters long, over ${cap}`)
    if (UNWRITTEN.test(this.value)) {
      throw this.damaged('holds control or bidi characters, which a run never writes')
    }
    return this.value
  }

  /**
   * Our own sentence that may quote an input as given (controls and all: see safeJson); whoever
   * shows it sanitises it, as the run did.
   */
  sentence(): string {
    if (typeof this.value !== 'string') throw this.not('text')
    if (this.value.length > TEXT_CAP) throw this.damaged(`is over ${TEXT_CAP} characters long`)
    return this.value
  }

  /** Text that must match `shape` (an ID, a digest). */
  matching(shape: RegExp, what: string): string {
    const value = this.text(200)
    if (!shape.test(value)) throw this.not(what)
    return value
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) throw this.not('a number')
    return this.value
  }

  nonNegative(): number {
    const value = this.number()
    if (value < 0) throw this.not('a number of at least 0')
    return value
  }

  integer(min = 0): number {
    const value = this.number()
    if (!Number.isSafeInteger(value) || value < min)
      throw this.not(`a whole number of at least ${min}`)
    return value
  }

  boolean(): boolean {
    if (typeof this.value !== 'boolean') throw this.not('true or false')
    return this.value
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    const value = this.text(100)
    if (!(allowed as readonly string[]).includes(value))
      throw this.not(`one of ${allowed.join(', ')}`)
    return value as T
  }

  /** `read(this)`, or undefined when the value is absent or null. */
  optional<T>(read: (field: Field) => T): T | undefined {
    return this.missing ? undefined : read(this)
  }
}

/** How each member of an object is checked; the names in `required` must be there. */
export interface Shape {
  readonly members: Readonly<Record<string, (field: Field) => unknown>>
  readonly required: readonly string[]
}

/**
 * The object itself, once every member is checked and no other is there. A record's model
 * objects are checked, never rebuilt, so they serialise back to the very bytes they came from.
 */
export function checked<T>(field: Field, shape: Shape): T {
  const object = field.object()
  for (const key of Object.keys(object)) {
    const check = Object.hasOwn(shape.members, key) ? shape.members[key] : undefined
    if (!check) throw field.get(key).damaged('is not a member a run writes')
    check(field.get(key))
  }
  for (const key of shape.required) {
    if (object[key] === undefined) throw field.get(key).damaged('is missing')
  }
  return object as T
}

/** `{ key: value }` when the value is there, for building objects without undefined members. */
export function present<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T }
}
