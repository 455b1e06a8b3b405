import { resolve } from 'node:path'
import { ASC, DIAGNOSTIC_TYPES, RESOURCE_ID, type DiagnosticType } from '../constants.js'
import { InputError } from '../errors.js'
import type { CommentMode } from '../model.js'
import { oneLine } from '../text.js'
import { FINDING_KINDS, type FindingKind } from '../decision/findings.js'

// One parser per kind of value; each throws an InputError that names the input and what it takes.

/** A weight limit: a fraction (0.25) or a percentage (25%), within 0–1. */
export function fraction(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(value)
  // Shift the decimal point in the text: 0.7 / 100 would be 0.006999…, and 0.7% must equal 0.007.
  const number = match ? Number(match[2] ? `${match[1]}e-2` : match[1]) : NaN
  if (!Number.isFinite(number) || number < 0 || number > 1) {
    // `30` is almost always 30% written without its sign.
    const meant =
      match && !match[2] && number > 1 && number <= 100 ? ` Did you mean ${value}%?` : ''
    throw new InputError(
      `Input '${name}' is '${value}'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%).${meant}`
    )
  }
  return number
}

export function integer(name: string, value: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new InputError(`Input '${name}' is '${value}'; use a whole number from ${min} to ${max}.`)
  }
  return number
}

export function isBranchName(value: string): boolean {
  return (
    /^[A-Za-z0-9._/-]{1,100}$/.test(value) &&
    !/(^[-/.])|(\.\.)|(\/\/)|(\/\.)|([/.]$)|(\.lock$)|(\.lock\/)/.test(value)
  )
}

/** A branch name git and GitHub take as it is: no `..`, no leading `-` or `/`, no `.lock`. */
export function branchName(value: string): string {
  if (!isBranchName(value)) {
    throw new InputError(
      `Input 'history-branch' is '${value}'; use a branch name of letters, digits, '.', '_', '-' and '/' (up to 100), without '..' or a leading '-', '/' or '.'.`
    )
  }
  return value
}

/** A positive number of minutes; decimals allowed (0.5 is 30 seconds). */
export function minutes(name: string, value: string): number {
  const number = /^(\d+(\.\d+)?|\.\d+)$/.test(value) ? Number(value) : NaN
  if (!(number > 0 && number <= ASC.maxTimeoutMinutes)) {
    throw new InputError(
      `Input '${name}' is '${value.slice(0, 40)}'; use a number of minutes above 0 and up to ${ASC.maxTimeoutMinutes}, such as 10 or 2.5.`
    )
  }
  return number
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

export function boolean(name: string, value: string): boolean {
  if (TRUE.includes(value)) return true
  if (FALSE.includes(value)) return false
  throw new InputError(`Input '${name}' is '${value}'; use true or false.`)
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(`Input '${name}' is '${value}'; use one of: ${allowed.join(', ')}.`)
}

export function commentMode(value: string): CommentMode {
  const mode = oneOf('comment', value.toLowerCase(), ['true', 'on-breach', 'false'])
  return mode === 'true' ? 'always' : mode === 'false' ? 'never' : 'on-breach'
}

/** `pause-on`: finding kinds, comma- or newline-separated, or `any` for every kind. */
export function pauseOn(value: string): FindingKind[] {
  const names = value
    .split(/[,\n]/)
    .map(part => part.trim().toLowerCase())
    .filter(Boolean)
  const accepted = `use a comma-separated list of ${FINDING_KINDS.join(', ')}, or any`
  if (names.length === 0) throw new InputError(`Input 'pause-on' is empty; ${accepted}.`)
  if (names.includes('any')) return [...FINDING_KINDS]
  const kinds: FindingKind[] = []
  for (const name of names) {
    const kind = FINDING_KINDS.find(known => known === name)
    if (!kind) throw new InputError(`Input 'pause-on' has '${name.slice(0, 40)}'; ${accepted}.`)
    if (!kinds.includes(kind)) kinds.push(kind)
  }
  return kinds
}

export function diagnosticTypes(value: string): DiagnosticType[] {
  const names = value
    .split(/[,\n]/)
    .map(part => part.trim())
    .filter(part => part.length > 0)
  const types: DiagnosticType[] = []
  for (const name of names) {
    const normalized = name.toUpperCase().replace(/[- ]/g, '_')
    const type = DIAGNOSTIC_TYPES.find(known => known === normalized)
    if (!type) {
      throw new InputError(
        `Input 'diagnostic-types' has '${name}'; use one or more of ${DIAGNOSTIC_TYPES.join(', ')}, separated by commas or newlines.`
      )
    }
    if (!types.includes(type)) types.push(type)
  }
  if (types.length === 0) {
    throw new InputError(
      `Input 'diagnostic-types' is empty; use one or more of ${DIAGNOSTIC_TYPES.join(', ')}.`
    )
  }
  return types
}

/** The key and issuer IDs as App Store Connect shows them. */
export function identifier(name: string, value: string, required: boolean): string {
  if (!value) {
    if (required) throw new InputError(`Input '${name}' is required.`)
    return ''
  }
  if (!RESOURCE_ID.test(value)) {
    throw new InputError(
      `Input '${name}' must be letters, digits and dashes as shown in App Store Connect (Users and Access → Integrations).`
    )
  }
  const swapped = swappedKeyInput(name, value)
  if (swapped) throw new InputError(swapped)
  return value
}

/** A key ID is 10 characters (ABC123DEF4); an issuer ID is a UUID. Each shape gives the other away. */
const KEY_ID_SHAPE = /^[A-Z0-9]{10}$/
const ISSUER_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function swappedKeyInput(name: string, value: string): string | undefined {
  const question = "did you swap 'key-id' and 'issuer-id'?"
  if (name === 'key-id' && ISSUER_ID_SHAPE.test(value)) {
    return `Input 'key-id' looks like an issuer ID (a UUID); ${question} A key ID is 10 characters, such as ABC123DEF4.`
  }
  if (name === 'issuer-id' && KEY_ID_SHAPE.test(value)) {
    return `Input 'issuer-id' looks like a key ID (10 characters); ${question} An issuer ID is a UUID, shown above the list of team keys.`
  }
  return undefined
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/

/** https anywhere; plain http only to this machine, where no token can be sniffed. */
export function baseUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(
      `Input 'api-base-url' is not a URL; use https://api.appstoreconnect.apple.com or your proxy's https URL.`
    )
  }
  const loopback = LOOPBACK_HOSTS.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      `Input 'api-base-url' must use https (plain http is accepted only for a loopback address such as 127.0.0.1).`
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(`Input 'api-base-url' must not carry credentials, a query or a fragment.`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

export function header(value: string): string {
  if (!/^[A-Za-z0-9 ._/:@()+-]{0,64}$/.test(value) || value.includes('--')) {
    throw new InputError(
      `Input 'comment-header' is '${value.slice(0, 80)}'; use up to 64 letters, digits, spaces or . _ / : @ ( ) + - (no '--').`
    )
  }
  return value
}

export function resourceId(name: string, value: string): string {
  if (!RESOURCE_ID.test(value)) {
    throw new InputError(
      `Input '${name}' is '${value.slice(0, 80)}'; use the App Store Connect resource ID (letters, digits and dashes).`
    )
  }
  return value
}

/**
 * The report-file inputs that name the same file, each pair as a problem: the later write would
 * replace the earlier (JUnit XML where code scanning expects SARIF). Paths are compared as the
 * files are written, resolved from the working directory (the workspace on a runner), and
 * without case where the file system usually ignores it (macOS, Windows).
 */
export function sharedReportFiles(paths: Readonly<Record<string, string | undefined>>): string[] {
  const ignoresCase = process.platform === 'darwin' || process.platform === 'win32'
  const owner = new Map<string, string>()
  const problems: string[] = []
  for (const [name, path] of Object.entries(paths)) {
    if (!path) continue
    const target = resolve(path)
    const key = ignoresCase ? target.toLowerCase() : target
    const first = owner.get(key)
    if (first) {
      problems.push(
        `Inputs '${first}' and '${name}' both name the file ${oneLine(target, 300)}; give each report a path of its own.`
      )
    } else owner.set(key, name)
  }
  return problems
}
