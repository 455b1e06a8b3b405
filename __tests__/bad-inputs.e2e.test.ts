import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

// Every input, given malformed values through dist/index.js: each run fails with one clear line
// that names the input and what it accepts, and App Store Connect never sees a request.
let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

const BOM = '\ufeff'
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()

const number = /use a whole number from/
const fraction = /use a fraction from 0 to 1 \(0\.25\) or a percentage from 0% to 100% \(25%\)/
const invisible = /contains an invisible character \(U\+FEFF\); remove it/

const matrix: [input: string, value: () => string, message: RegExp][] = [
  ['limit', () => '-1', number],
  ['limit', () => 'NaN', number],
  ['limit', () => '0', number],
  ['limit', () => '201', number],
  ['limit', () => '1 0', number],
  ['limit', () => `${BOM}10`, invisible],
  ['threshold', () => '-0.1', fraction],
  ['threshold', () => 'NaN', fraction],
  ['threshold', () => '150%', fraction],
  ['threshold', () => '50', fraction],
  ['threshold', () => '0. 5', fraction],
  ['threshold', () => `${BOM}0.5`, invisible],
  ['hangs-threshold', () => '150%', fraction],
  ['disk-writes-threshold', () => '-5%', fraction],
  ['launches-threshold', () => 'NaN', fraction],
  ['max-weight-increase', () => '150%', fraction],
  ['max-weight-increase', () => '-1', fraction],
  [
    'diagnostic-types',
    () => 'CRASHES',
    /has 'CRASHES'; use one or more of HANGS, DISK_WRITES, LAUNCHES/
  ],
  ['diagnostic-types', () => 'HANGS;DISK_WRITES', /has 'HANGS;DISK_WRITES'; use one or more of/],
  ['diagnostic-types', () => `${BOM}HANGS`, invisible],
  ['metrics', () => 'hang rate', /has 'hang rate'; use metric identifiers such as hangRate, /],
  ['metrics', () => 'hangRate;launchTime', /has 'hangRate;launchTime'; use metric identifiers/],
  ['metric-percentile', () => 'p75', /is 'p75'; use one of: p50, p90/],
  ['metric-device', () => 'iPhone 15', /use all_iphones, all_ipads or a model identifier/],
  ['max-metric-increase', () => '150%', fraction],
  ['max-metric-increase', () => '10', fraction],
  ['metric-reference', () => 'baseline', /use one of: auto, previous, average/],
  ['apple-regressions', () => 'warn', /use one of: report, fail, ignore/],
  ['fail-on-breach', () => 'yes', /is 'yes'; use true or false/],
  ['fail-on-regression', () => '0', /is '0'; use true or false/],
  ['annotate-source', () => 'maybe', /'annotate-source' is 'maybe'; use true or false/],
  ['no-data', () => 'ignore', /use one of: pass, warn, fail/],
  ['comment', () => 'sometimes', /use one of: true, on-breach, false/],
  ['include-logs', () => '-1', number],
  ['include-logs', () => 'NaN', number],
  ['pr-number', () => '#12', number],
  ['pr-number', () => '0', number],
  ['platform', () => 'ANDROID', /use one of: IOS, MAC_OS, TV_OS, VISION_OS/],
  ['api-base-url', () => 'http://api.example.com', /must use https/],
  ['api-base-url', () => 'not a url', /is not a URL/],
  ['api-base-url', () => 'https://user:secret@proxy.example.com', /must not carry credentials/],
  ['key-id', () => 'ABC 123', /must be letters, digits and dashes/],
  ['key-id', () => `${BOM}ABC123`, invisible],
  ['issuer-id', () => 'not an issuer', /must be letters, digits and dashes/],
  ['build-id', () => 'a/b', /use the App Store Connect resource ID/],
  ['build-id', () => `${BOM}1a254ec1`, invisible],
  ['comment-header', () => 'a--b', /no '--'/],
  ['comment-header', () => '<!-- x -->', /use up to 64 letters/],
  ['private-key', () => rsaPem, /holds an RSA key; App Store Connect API keys are EC P-256/],
  [
    'private-key',
    () => h.key.pem.slice(0, 100) + '\n-----END PRIVATE KEY-----\n',
    /truncated or damaged/
  ],
  ['private-key', () => 'MIGTAgEAMBMGByqGSM49', /is not a PEM key/],
  ['private-key', () => '', /is required: paste the contents of the AuthKey_<KEYID>\.p8 file/],
  ['key-id', () => '', /^Input 'key-id' is required\.$/],
  // The mistakes newcomers make, named before any request (issue 20).
  [
    'key-id',
    () => '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
    /^Input 'key-id' looks like an issuer ID \(a UUID\); did you swap 'key-id' and 'issuer-id'\?/
  ],
  [
    'issuer-id',
    () => 'ABC123DEF4',
    /^Input 'issuer-id' looks like a key ID \(10 characters\); did you swap 'key-id' and 'issuer-id'\?/
  ],
  [
    'private-key',
    () => './AuthKey_ABC123DEF4.p8',
    /looks like a file path; pass the file's contents/
  ],
  ['private-key', () => '/home/runner/keys/key', /looks like a file path/],
  ['threshold', () => '30', /\(25%\)\. Did you mean 30%\?$/]
]

describe('bad inputs', () => {
  it.each(
    matrix.map(
      ([input, value, message]) => [input, value.toString().slice(6, 50), value, message] as const
    )
  )('%s = %s', async (input, _, value, message) => {
    h.asc.timeline.length = 0
    const run = await h.run({ [input]: value() })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    const lines = run.errors[0].split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`'${input}'`)
    expect(lines[0]).toMatch(message)
    expect(h.asc.timeline).toHaveLength(0)
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expectNoSecrets(run, h, [rsaPem.split('\n')[1]])
  })

  it('accepts the key with Windows line endings, as a .p8 saved on Windows is', async () => {
    const run = await h.run({
      'private-key': h.key.pem.replace(/\n/g, '\r\n'),
      threshold: '0.9',
      'include-logs': '0'
    })
    expect(run.code).toBe(0)
    expect(h.asc.timeline.at(-1)?.status).toBe(200)
  })

  it('accepts surrounding whitespace, as YAML block scalars leave it', async () => {
    const run = await h.run({
      threshold: ' 0.9\n',
      limit: '\t5 ',
      'diagnostic-types': ' hangs ,\n disk_writes \n',
      'include-logs': '0'
    })
    expect(run.code).toBe(0)
  })
})
