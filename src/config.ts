import type { KeyObject } from 'node:crypto'
import { parsePrivateKey } from './asc/private-key.js'
import { InputError } from './errors.js'
import {
  ASC,
  DIAGNOSTIC_TYPES,
  type DiagnosticType,
  PLATFORMS,
  type Platform
} from './constants.js'

export type NoDataPolicy = 'pass' | 'warn' | 'fail'
export type CommentMode = 'always' | 'on-breach' | 'never'
/** `phased-release`: what the run may do to the live version's rollout. */
export type PhasedReleaseMode = 'report' | 'pause-on-failure'

type AppRef = { readonly appId: string } | { readonly bundleId: string }

/**
 * How to find a build: its resource ID, the app plus version and/or build number, or the app's
 * App Store version that is live now (`live`) or was live before it (`previous`).
 */
export type BuildRef =
  | { readonly kind: 'id'; readonly id: string }
  | {
      readonly kind: 'lookup'
      readonly app: AppRef
      readonly version?: string
      readonly buildNumber?: string
      readonly platform: Platform
    }
  | {
      readonly kind: 'released'
      readonly which: 'live' | 'previous'
      readonly app: AppRef
      readonly platform: Platform
    }

export interface Config {
  readonly issuerId?: string
  readonly keyId: string
  readonly privateKey: KeyObject
  /** Every form of the key as given, to mask in logs. */
  readonly keySecrets: readonly string[]
  readonly build: BuildRef
  readonly baseline?: BuildRef
  readonly types: readonly DiagnosticType[]
  readonly limit: number
  readonly thresholds: Readonly<Record<DiagnosticType, number>>
  readonly failOnBreach: boolean
  readonly noData: NoDataPolicy
  readonly apiBaseUrl: string
  readonly maxWeightIncrease: number
  readonly failOnRegression: boolean
  readonly comment: CommentMode
  readonly commentHeader: string
  readonly prNumber?: number
  readonly githubToken: string
  readonly includeLogs: number
  readonly reportPath?: string
  /** `timeout-minutes`: bounds the whole App Store Connect phase. */
  readonly timeoutMinutes: number
  readonly phasedRelease: PhasedReleaseMode
}

/** Reads an input as the runner passes it (untrimmed); empty when unset. */
export type InputReader = (name: string) => string

const ASCII_TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g
// Invisible or control characters that survive a copy-paste and silently change a value.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00a0\u200b-\u200f\u2028\u2029\u2060\ufeff]/

/** Parses and validates every input; throws one InputError that lists each problem. */
export function parseConfig(read: InputReader): Config {
  const problems: string[] = []
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn()
    } catch (error) {
      if (error instanceof InputError) {
        problems.push(error.message)
        return undefined
      }
      throw error
    }
  }
  const text = (name: string): string => {
    const value = (read(name) ?? '').replace(ASCII_TRIM, '')
    const bad = INVISIBLE.exec(value)
    if (bad) {
      const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
      throw new InputError(
        `Input '${name}' contains an invisible character (U+${code}); remove it.`
      )
    }
    return value
  }
  // Throws on a bad value, so each input's problem is reported once, where it is parsed.
  const optional = (name: string): string | undefined => text(name) || undefined

  const keyId = attempt(() => identifier('key-id', text('key-id'), true))
  const issuerId = attempt(() => identifier('issuer-id', text('issuer-id'), false)) || undefined
  const keyInput = read('private-key') ?? ''
  const key = attempt(() => parsePrivateKey(keyInput))
  const limit = attempt(() => integer('limit', text('limit') || '10', 1, ASC.maxPageSize))
  const threshold = attempt(() => fraction('threshold', text('threshold') || '0.5'))
  const typeThreshold = (type: DiagnosticType): number | undefined => {
    const name = `${type.toLowerCase().replace('_', '-')}-threshold`
    const value = attempt(() => text(name))
    return value ? attempt(() => fraction(name, value)) : threshold
  }
  const thresholds = Object.fromEntries(
    DIAGNOSTIC_TYPES.map(type => [type, typeThreshold(type)])
  ) as Record<DiagnosticType, number>

  const types = attempt(() =>
    diagnosticTypes(text('diagnostic-types') || DIAGNOSTIC_TYPES.join(','))
  )
  const failOnBreach = attempt(() => boolean('fail-on-breach', text('fail-on-breach') || 'true'))
  const failOnRegression = attempt(() =>
    boolean('fail-on-regression', text('fail-on-regression') || 'true')
  )
  const noData = attempt(() =>
    oneOf<NoDataPolicy>('no-data', (text('no-data') || 'warn').toLowerCase(), [
      'pass',
      'warn',
      'fail'
    ])
  )
  const apiBaseUrl = attempt(() => baseUrl(text('api-base-url') || ASC.defaultBaseUrl))
  const maxWeightIncrease = attempt(() =>
    fraction('max-weight-increase', text('max-weight-increase') || '0.05')
  )
  const comment = attempt(() => commentMode(text('comment') || 'true'))
  const commentHeader = attempt(() => header(text('comment-header')))
  const prText = attempt(() => optional('pr-number'))
  const reportPath = attempt(() => optional('report-path'))
  const prNumber = prText ? attempt(() => integer('pr-number', prText, 1, 2 ** 31)) : undefined
  const includeLogs = attempt(() =>
    integer('include-logs', text('include-logs') || '3', 0, ASC.maxPageSize)
  )
  const timeoutMinutes = attempt(() =>
    minutes('timeout-minutes', text('timeout-minutes') || String(ASC.defaultTimeoutMinutes))
  )
  const platform = attempt(() =>
    oneOf('platform', (text('platform') || 'IOS').toUpperCase(), PLATFORMS)
  )
  const build = attempt(() => buildRef(optional, platform ?? 'IOS'))
  const baseline = attempt(() => baselineRef(optional, build, platform ?? 'IOS'))
  const phasedRelease = attempt(() =>
    oneOf<PhasedReleaseMode>('phased-release', (text('phased-release') || 'report').toLowerCase(), [
      'report',
      'pause-on-failure'
    ])
  )

  if (
    phasedRelease === 'pause-on-failure' &&
    build &&
    !(build.kind === 'released' && build.which === 'live')
  ) {
    problems.push(
      `Input 'phased-release' is 'pause-on-failure', which pauses the live version's rollout; it needs 'version: live' (with 'app-id' or 'bundle-id').`
    )
  }
  if (problems.length > 0) {
    throw new InputError([...new Set(problems)].join('\n'))
  }
  return Object.freeze({
    issuerId,
    keyId: keyId!,
    privateKey: key!.key,
    keySecrets: Object.freeze(key!.secrets),
    build: build!,
    baseline,
    types: Object.freeze(types!),
    limit: limit!,
    thresholds: Object.freeze(thresholds),
    failOnBreach: failOnBreach!,
    noData: noData!,
    apiBaseUrl: apiBaseUrl!,
    maxWeightIncrease: maxWeightIncrease!,
    failOnRegression: failOnRegression!,
    comment: comment!,
    commentHeader: commentHeader!,
    prNumber,
    githubToken: (read('github-token') ?? '').trim(),
    includeLogs: includeLogs!,
    reportPath,
    timeoutMinutes: timeoutMinutes!,
    phasedRelease: phasedRelease!
  })
}

function identifier(name: string, value: string, required: boolean): string {
  if (!value) {
    if (required) throw new InputError(`Input '${name}' is required.`)
    return ''
  }
  if (!/^[A-Za-z0-9-]{1,64}$/.test(value)) {
    throw new InputError(
      `Input '${name}' must be letters, digits and dashes as shown in App Store Connect (Users and Access → Integrations).`
    )
  }
  return value
}

/** A weight limit: a fraction (0.25) or a percentage (25%), within 0–1. */
export function fraction(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(value)
  // Shift the decimal point in the text: 0.7 / 100 would be 0.006999…, and 0.7% must equal 0.007.
  const number = match ? Number(match[2] ? `${match[1]}e-2` : match[1]) : NaN
  if (!Number.isFinite(number) || number < 0 || number > 1) {
    throw new InputError(
      `Input '${name}' is '${value}'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%).`
    )
  }
  return number
}

function integer(name: string, value: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new InputError(`Input '${name}' is '${value}'; use a whole number from ${min} to ${max}.`)
  }
  return number
}

/** A positive number of minutes; decimals allowed (0.5 is 30 seconds). */
function minutes(name: string, value: string): number {
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

function boolean(name: string, value: string): boolean {
  if (TRUE.includes(value)) return true
  if (FALSE.includes(value)) return false
  throw new InputError(`Input '${name}' is '${value}'; use true or false.`)
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(`Input '${name}' is '${value}'; use one of: ${allowed.join(', ')}.`)
}

function commentMode(value: string): CommentMode {
  const mode = oneOf('comment', value.toLowerCase(), ['true', 'on-breach', 'false'])
  return mode === 'true' ? 'always' : mode === 'false' ? 'never' : 'on-breach'
}

function diagnosticTypes(value: string): DiagnosticType[] {
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

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/

/** https anywhere; plain http only to this machine, where no token can be sniffed. */
function baseUrl(value: string): string {
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

function header(value: string): string {
  if (!/^[A-Za-z0-9 ._/:@()+-]{0,64}$/.test(value) || value.includes('--')) {
    throw new InputError(
      `Input 'comment-header' is '${value.slice(0, 80)}'; use up to 64 letters, digits, spaces or . _ / : @ ( ) + - (no '--').`
    )
  }
  return value
}

const RESOURCE_ID = /^[A-Za-z0-9-]{1,64}$/

function resourceId(name: string, value: string): string {
  if (!RESOURCE_ID.test(value)) {
    throw new InputError(
      `Input '${name}' is '${value.slice(0, 80)}'; use the App Store Connect resource ID (letters, digits and dashes).`
    )
  }
  return value
}

function versionString(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new InputError(
      `Input '${name}' is '${value.slice(0, 80)}'; use a version such as 2.4.0 or a build number such as 412.`
    )
  }
  return value
}

/** A marketing version as a tag names it: `v2.4.0` is version 2.4.0. */
function marketingVersion(name: string, value: string | undefined): string | undefined {
  return versionString(name, value)?.replace(/^[vV](?=\d)/, '')
}

function buildRef(optional: (name: string) => string | undefined, platform: Platform): BuildRef {
  const id = optional('build-id')
  if (id) return { kind: 'id', id: resourceId('build-id', id) }
  const appId = optional('app-id')
  const bundleId = optional('bundle-id')
  const versionText = optional('version')
  if (versionText?.toLowerCase() === 'live') {
    if (optional('build-number')) {
      throw new InputError(
        `Input 'build-number' cannot be combined with 'version: live', which picks the live version's build.`
      )
    }
    return { kind: 'released', which: 'live', app: appRef(optional, "'version: live'"), platform }
  }
  const version = marketingVersion('version', versionText)
  const buildNumber = versionString('build-number', optional('build-number'))
  if (!appId && !bundleId) {
    throw new InputError(
      `Input 'build-id' is required; or give 'app-id' (or 'bundle-id') with 'build-number' and/or 'version' to look the build up.`
    )
  }
  if (appId && bundleId) {
    throw new InputError(`Inputs 'app-id' and 'bundle-id' both name the app; give only one.`)
  }
  if (!version && !buildNumber) {
    throw new InputError(
      `Input 'build-number' (or 'version') is required to look up the build when 'build-id' is not given.`
    )
  }
  return {
    kind: 'lookup',
    app: appId ? { appId: resourceId('app-id', appId) } : { bundleId: bundleIdentifier(bundleId!) },
    version,
    buildNumber,
    platform
  }
}

/** The app named by 'app-id' or 'bundle-id', which an App Store version lookup needs. */
function appRef(optional: (name: string) => string | undefined, needs: string): AppRef {
  const appId = optional('app-id')
  const bundleId = optional('bundle-id')
  if (appId && bundleId) {
    throw new InputError(`Inputs 'app-id' and 'bundle-id' both name the app; give only one.`)
  }
  if (appId) return { appId: resourceId('app-id', appId) }
  if (bundleId) return { bundleId: bundleIdentifier(bundleId) }
  throw new InputError(
    `${needs} needs 'app-id' or 'bundle-id' to find the app's App Store versions.`
  )
}

function bundleIdentifier(bundleId: string): string {
  if (!/^[A-Za-z0-9.-]{1,155}$/.test(bundleId)) {
    throw new InputError(
      `Input 'bundle-id' is '${bundleId.slice(0, 80)}'; use a bundle ID such as com.example.app.`
    )
  }
  return bundleId
}

function baselineRef(
  optional: (name: string) => string | undefined,
  build: BuildRef | undefined,
  platform: Platform
): BuildRef | undefined {
  const id = optional('baseline-build-id')
  if (id) return { kind: 'id', id: resourceId('baseline-build-id', id) }
  const versionText = optional('baseline-version')
  const which = versionText?.toLowerCase()
  if (which === 'live' || which === 'previous') {
    if (optional('baseline-build-number')) {
      throw new InputError(
        `Input 'baseline-build-number' cannot be combined with 'baseline-version: ${which}', which picks that version's build.`
      )
    }
    const app = appRef(optional, `'baseline-version: ${which}'`)
    return { kind: 'released', which, app, platform }
  }
  const version = marketingVersion('baseline-version', versionText)
  const buildNumber = versionString('baseline-build-number', optional('baseline-build-number'))
  if (!version && !buildNumber) return undefined
  const appId = optional('app-id')
  const bundleId = optional('bundle-id')
  if (!appId && !bundleId) {
    throw new InputError(
      `Inputs 'baseline-version' and 'baseline-build-number' need 'app-id' or 'bundle-id' to find the baseline; or give 'baseline-build-id'.`
    )
  }
  if (build?.kind === 'lookup') return { ...build, version, buildNumber }
  return {
    kind: 'lookup',
    app: appId ? { appId: resourceId('app-id', appId) } : { bundleId: bundleId! },
    version,
    buildNumber,
    platform
  }
}
