import { describe, expect, it } from '@jest/globals'
import { parseConfig } from '../src/config/parse.js'
import { fraction } from '../src/config/values.js'
import { InputError } from '../src/errors.js'
import { makeKey } from '../test-support/keys.js'

const key = makeKey()
const base: Record<string, string> = {
  'key-id': 'ABC123DEF4',
  'private-key': key.pem,
  'build-id': 'build-1'
}
const parse = (inputs: Record<string, string>) =>
  parseConfig(name => ({ ...base, ...inputs })[name] ?? '')
const problem = (inputs: Record<string, string>): string => {
  try {
    parse(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}

describe('metric inputs', () => {
  it('are off by default, with the documented defaults for the rest', () => {
    expect(parse({}).metrics).toBeUndefined()
    expect(parse({ metrics: 'hangRate' }).metrics).toEqual({
      identifiers: ['hangRate'],
      percentile: 'p50',
      device: 'all_iphones',
      maxIncrease: 0.1,
      reference: 'auto',
      appleRegressions: 'report',
      platform: 'IOS'
    })
  })

  it('reads identifiers case-insensitively, comma- or newline-separated, once each', () => {
    const config = parse({ metrics: 'HANGRATE, diskwrites\nlaunchTime,hangrate\n\nfutureMetric' })
    expect(config.metrics?.identifiers).toEqual([
      'hangRate',
      'diskWrites',
      'launchTime',
      'futureMetric'
    ])
  })

  it('validates every metric input even when metrics is empty', () => {
    expect(problem({ 'metric-percentile': 'p99' })).toMatch(/'metric-percentile' is 'p99'/)
    expect(problem({ 'apple-regressions': 'yes' })).toMatch(/'apple-regressions' is 'yes'/)
    expect(parse({ metrics: 'hangRate', 'max-metric-increase': '0.25' }).metrics?.maxIncrease).toBe(
      0.25
    )
    expect(problem({ metrics: Array.from({ length: 21 }, (_, i) => `m${i}`).join(',') })).toMatch(
      /names 21 metrics; use at most 20/
    )
  })
})

describe('inputs', () => {
  it('applies the documented defaults', () => {
    const config = parse({})
    expect(config.types).toEqual(['HANGS', 'DISK_WRITES', 'LAUNCHES'])
    expect(config.limit).toBe(10)
    expect(config.thresholds).toEqual({ HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 })
    expect(config.failOnBreach).toBe(true)
    expect(config.noData).toBe('warn')
    expect(config.apiBaseUrl).toBe('https://api.appstoreconnect.apple.com')
    expect(config.issuerId).toBeUndefined()
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads thresholds as fractions or percentages, with per-type overrides', () => {
    const config = parse({
      threshold: '25%',
      'hangs-threshold': '0.1',
      'launches-threshold': '12.5%'
    })
    expect(config.thresholds).toEqual({ HANGS: 0.1, DISK_WRITES: 0.25, LAUNCHES: 0.125 })
    expect(fraction('threshold', '0')).toBe(0)
    expect(fraction('threshold', '100%')).toBe(1)
    expect(fraction('threshold', '.5')).toBe(0.5)
  })

  it.each(['-0.1', '1.5', '150%', 'NaN', 'abc', '50', '0.5 ', '5 %', ''])(
    'rejects threshold %j naming the input and the accepted forms',
    value => {
      expect(() => fraction('threshold', value)).toThrow(
        /'threshold'.*fraction from 0 to 1.*percentage/
      )
    }
  )

  it('splits diagnostic types on commas and newlines, case-insensitively, without duplicates', () => {
    expect(parse({ 'diagnostic-types': 'hangs,\nDisk_Writes, hangs' }).types).toEqual([
      'HANGS',
      'DISK_WRITES'
    ])
    expect(parse({ 'diagnostic-types': 'disk-writes' }).types).toEqual(['DISK_WRITES'])
    expect(problem({ 'diagnostic-types': 'HANGS,CRASHES' })).toMatch(
      /'diagnostic-types' has 'CRASHES'; use one or more of HANGS, DISK_WRITES, LAUNCHES/
    )
  })

  it.each([
    ['limit', '0', /'limit' is '0'; use a whole number from 1 to 200/],
    ['limit', '201', /'limit' is '201'/],
    ['limit', '1.5', /'limit' is '1.5'/],
    ['fail-on-breach', 'yes', /'fail-on-breach' is 'yes'; use true or false/],
    ['no-data', 'ignore', /'no-data' is 'ignore'; use one of: pass, warn, fail/],
    ['comment', 'sometimes', /'comment' is 'sometimes'; use one of: true, on-breach, false/],
    ['include-logs', '-1', /'include-logs' is '-1'/],
    ['api-base-url', 'http://api.example.com', /'api-base-url' must use https/],
    ['api-base-url', 'ftp://127.0.0.1', /'api-base-url' must use https/],
    ['api-base-url', 'https://user:pw@proxy.example.com', /must not carry credentials/],
    ['key-id', 'ABC 123', /'key-id' must be letters, digits and dashes/],
    ['build-id', 'build\u200b1', /'build-id' contains an invisible character \(U\+200B\)/],
    ['threshold', '\ufeff0.5', /'threshold' contains an invisible character \(U\+FEFF\)/]
  ])('rejects %s=%j', (name, value, message) => {
    expect(problem({ [name]: value })).toMatch(message)
  })

  it('accepts http only on a loopback address', () => {
    expect(parse({ 'api-base-url': 'http://127.0.0.1:8080/' }).apiBaseUrl).toBe(
      'http://127.0.0.1:8080'
    )
    expect(parse({ 'api-base-url': 'https://proxy.example.com/asc/' }).apiBaseUrl).toBe(
      'https://proxy.example.com/asc'
    )
  })

  it('trims surrounding whitespace the way YAML leaves it', () => {
    expect(parse({ limit: ' 25\n', 'key-id': '\tABC123DEF4 ' })).toMatchObject({
      limit: 25,
      keyId: 'ABC123DEF4'
    })
  })

  it('lists every problem at once', () => {
    const message = problem({ limit: '0', threshold: '2' })
    expect(message).toMatch(/'threshold'/)
    expect(message).toMatch(/'limit'/)
  })

  it("names the baseline's app the same way as the build's: exactly one of app-id and bundle-id", () => {
    const baseline = { 'baseline-version': '2.3.0' }
    expect(problem({ ...baseline, 'app-id': '1', 'bundle-id': 'com.x' })).toMatch(/give only one/)
    expect(problem({ ...baseline, 'bundle-id': 'com.x/../y' })).toMatch(/use a bundle ID such as/)
    expect(problem(baseline)).toMatch(/need 'app-id' or 'bundle-id' to find the baseline/)
    expect(parse({ ...baseline, 'bundle-id': 'com.x' }).baseline).toEqual({
      kind: 'lookup',
      app: { bundleId: 'com.x' },
      version: '2.3.0',
      buildNumber: undefined,
      platform: 'IOS'
    })
  })

  it('needs a build: an ID, or an app with a version or build number', () => {
    expect(problem({ 'build-id': '' })).toMatch(
      /'build-id' is required; or give 'app-id' \(or 'bundle-id'\)/
    )
    expect(problem({ 'build-id': '', 'app-id': '123' })).toMatch(
      /'build-number' \(or 'version'\) is required/
    )
    expect(problem({ 'build-id': '', 'app-id': '1', 'bundle-id': 'com.x' })).toMatch(
      /give only one/
    )
    expect(
      parse({
        'build-id': '',
        'bundle-id': 'com.example.app',
        'build-number': '412',
        version: '2.4.0'
      }).build
    ).toEqual({
      kind: 'lookup',
      app: { bundleId: 'com.example.app' },
      version: '2.4.0',
      buildNumber: '412',
      platform: 'IOS'
    })
  })

  it('resolves the baseline in the same app as the build', () => {
    const config = parse({
      'build-id': '',
      'app-id': '42',
      'build-number': '412',
      'baseline-version': '2.3.0',
      platform: 'tv_os'
    })
    expect(config.baseline).toEqual({
      kind: 'lookup',
      app: { appId: '42' },
      version: '2.3.0',
      buildNumber: undefined,
      platform: 'TV_OS'
    })
    expect(problem({ 'baseline-build-number': '399' })).toMatch(/need 'app-id' or 'bundle-id'/)
  })
})

describe('private-key', () => {
  const pemBody = key.pem
    .split('\n')
    .filter(l => l && !l.startsWith('-----'))
    .join('')

  it.each([
    ['a PEM', key.pem],
    ['a PEM with literal \\n escapes', key.pem.trim().replace(/\n/g, '\\n')],
    ['the base64 of the PEM', Buffer.from(key.pem).toString('base64')],
    ['a PEM with Windows line endings', key.pem.replace(/\n/g, '\r\n')],
    ['a PEM whose line breaks became spaces', key.pem.trim().replace(/\n/g, ' ')]
  ])('accepts %s', (_, value) => {
    const config = parse({ 'private-key': value })
    expect(config.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(config.keySecrets).toContain(pemBody)
  })

  it.each([
    ['an RSA key', () => makeRsa(), /holds an RSA key; App Store Connect API keys are EC P-256/],
    ['a P-384 key', () => makeEc('P-384'), /holds an EC key on secp384r1/],
    [
      'a truncated PEM',
      () => key.pem.slice(0, 120) + '\n-----END PRIVATE KEY-----',
      /truncated or damaged/
    ],
    [
      'a SEC1 EC key',
      () => makeSec1(),
      /holds an 'EC PRIVATE KEY' PEM block \(SEC1\).*`openssl pkcs8 -topk8 -nocrypt -in key\.pem`/
    ],
    [
      'a PEM without its END line',
      () => key.pem.replace(/-----END PRIVATE KEY-----\n?$/, ''),
      /the END PRIVATE KEY line is missing/
    ],
    [
      'a PEM with damaged bytes in the private part',
      () => {
        const lines = key.pem.split('\n')
        lines[1] = `${lines[1].slice(0, 50)}${lines[1][50] === 'A' ? 'B' : 'A'}${lines[1].slice(51)}`
        return lines.join('\n')
      },
      /is damaged: its private part does not match the public key/
    ],
    ['not a key', () => 'hello', /is not a PEM key/]
  ])('rejects %s without echoing it', (_, make, message) => {
    const value = make()
    const text = problem({ 'private-key': value })
    expect(text).toMatch(message)
    for (const line of value.split('\n').filter(l => l.length > 12 && !l.startsWith('-----'))) {
      expect(text).not.toContain(line)
    }
  })
})

import { generateKeyPairSync } from 'node:crypto'
function makeRsa(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
}
function makeEc(namedCurve: string): string {
  return generateKeyPairSync('ec', { namedCurve })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
}
function makeSec1(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'sec1', format: 'pem' })
    .toString()
}

import { compareVersions, sameVersion, versionSpellings } from '../src/versions.js'
describe('marketing versions', () => {
  it('orders and matches versions one way everywhere: numerically, 1.2 the same as 1.2.0', () => {
    expect(compareVersions('2.10', '2.9')).toBeGreaterThan(0)
    expect(compareVersions('1.2', '1.2.0')).toBe(0)
    expect(sameVersion('1.2', '1.2.0')).toBe(true)
    expect(sameVersion('10.0', '10')).toBe(true)
    expect(sameVersion('2.4.0-beta', '2.4.0')).toBe(false)
    // Text that is not a version never sorts before a version.
    expect(['beta', '1.0', '10.0', '9'].sort(compareVersions)).toEqual(['1.0', '9', '10.0', 'beta'])
  })

  it('asks for every spelling of a version, since Apple matches exact strings', () => {
    expect(versionSpellings('1.2')).toEqual(['1.2', '1.2.0'])
    expect(versionSpellings('1.2.0')).toEqual(['1.2.0', '1.2'])
    expect(versionSpellings('2')).toEqual(['2', '2.0', '2.0.0'])
    expect(versionSpellings('1.2.3')).toEqual(['1.2.3'])
    expect(versionSpellings('2.4.0-beta')).toEqual(['2.4.0-beta'])
  })
})

describe('the live version and its phased release', () => {
  const live = { 'build-id': '', 'bundle-id': 'com.example.app', version: 'live' }

  it("reads 'version: live' and 'baseline-version: previous' (any case) as App Store versions", () => {
    const config = parse({ ...live, version: 'Live', 'baseline-version': 'PREVIOUS' })
    expect(config.build).toEqual({
      kind: 'released',
      which: 'live',
      app: { bundleId: 'com.example.app' },
      platform: 'IOS'
    })
    expect(config.baseline).toMatchObject({ kind: 'released', which: 'previous' })
    expect(config.phasedRelease).toBe('off')
  })

  it("accepts 'baseline-version: live' to compare a candidate with the live version", () => {
    const config = parse({ 'build-id': 'b', 'app-id': '1500000001', 'baseline-version': 'live' })
    expect(config.baseline).toEqual({
      kind: 'released',
      which: 'live',
      app: { appId: '1500000001' },
      platform: 'IOS'
    })
  })

  it.each([
    [{ ...live, 'bundle-id': '' }, "'version: live' needs 'app-id' or 'bundle-id'"],
    [
      { 'baseline-version': 'previous' },
      "'baseline-version: previous' needs 'app-id' or 'bundle-id'"
    ],
    [
      { ...live, 'build-number': '412' },
      "Input 'build-number' cannot be combined with 'version: live'"
    ],
    [
      { 'phased-release': 'pause' },
      "Input 'phased-release' is 'pause'; use one of: off, report, pause-on-failure."
    ],
    [{ 'phased-release': 'pause-on-failure' }, "it needs 'version: live'"]
  ])('refuses %j', (inputs, message) => {
    expect(problem(inputs)).toContain(message)
  })

  it('pauses only with version: live', () => {
    expect(parse({ ...live, 'phased-release': 'Pause-On-Failure' }).phasedRelease).toBe(
      'pause-on-failure'
    )
  })
})

describe("the guard's memory: history, same-day and confirm-runs", () => {
  const guard = {
    'build-id': '',
    'bundle-id': 'com.example.app',
    version: 'live',
    'phased-release': 'report',
    metrics: 'hangRate'
  }

  it('is off by default, and confirms on the first run', () => {
    const config = parse(guard)
    expect(config.history).toBeUndefined()
    expect(config.confirmRuns).toBe(1)
  })

  it('keeps the history on asc-diagnostics-history, 10 versions, unless told otherwise', () => {
    expect(parse({ ...guard, history: 'Branch' }).history).toEqual({
      branch: 'asc-diagnostics-history',
      keepVersions: 10
    })
    expect(
      parse({
        ...guard,
        history: 'branch',
        'history-branch': 'data/guard',
        'history-keep-versions': '3',
        'metric-reference': 'same-day',
        'confirm-runs': '2'
      })
    ).toMatchObject({
      history: { branch: 'data/guard', keepVersions: 3 },
      confirmRuns: 2,
      metrics: { reference: 'same-day' }
    })
  })

  it.each<[Record<string, string>, string]>([
    [{ history: 'git' }, "Input 'history' is 'git'; use one of: off, branch."],
    [
      { history: 'branch', version: '', 'build-id': 'build-1' },
      "Input 'history' is 'branch', which keeps a guard's runs of the live version; it needs 'version: live'"
    ],
    [
      { 'metric-reference': 'same-day' },
      "Input 'metric-reference' is 'same-day', which compares with the previous version's recorded runs; it needs 'history: branch'."
    ],
    [
      { 'confirm-runs': '2' },
      "Input 'confirm-runs' is '2', which counts a guard's recorded runs; it needs 'history: branch' and 'phased-release' set to report or pause-on-failure."
    ],
    [
      { history: 'branch', 'phased-release': 'off', 'confirm-runs': '3' },
      "it needs 'history: branch' and 'phased-release' set to report or pause-on-failure."
    ],
    [
      { history: 'branch', 'metric-reference': 'same-day', 'history-keep-versions': '1' },
      "Input 'history-keep-versions' is '1', which keeps no previous version for 'metric-reference: same-day'; use 2 or more."
    ],
    [{ 'confirm-runs': '11' }, "Input 'confirm-runs' is '11'; use a whole number from 1 to 10."],
    [
      { 'history-keep-versions': '0' },
      "Input 'history-keep-versions' is '0'; use a whole number from 1 to 100."
    ],
    ...['../main', '-x', 'a..b', 'main.lock', 'a//b', 'refs/', 'with space'].map(
      (branch): [Record<string, string>, string] => [
        { history: 'branch', 'history-branch': branch },
        `Input 'history-branch' is '${branch}'; use a branch name of letters, digits`
      ]
    )
  ])('refuses %j', (inputs, message) => {
    expect(problem({ ...guard, ...inputs })).toContain(message)
  })
})
