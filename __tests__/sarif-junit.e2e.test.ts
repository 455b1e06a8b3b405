import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as Sarif from 'sarif'
import { appRepository } from '../test-support/app-repo.mjs'
import { METRIC_FIXTURES } from '../test-support/metrics.mjs'
import {
  APP,
  APPLE_EXAMPLE,
  baselineBuild,
  BASELINE_ID,
  hangsBuild,
  logsFor,
  sampleBuild
} from '../test-support/scenarios.mjs'
import type { ActionRun } from '../test-support/run-action.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

// The SARIF log and the JUnit XML that dist/index.js writes, read back the way their consumers
// read them: SARIF against the official 2.1.0 schema, JUnit with a real XML parser.

const schema = JSON.parse(
  readFileSync(join(process.cwd(), '__tests__/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')
)
// Without the u flag: the schema's `language` pattern has a stray `]` that only non-Unicode
// regular expressions accept, as the JSON Schema validators SARIF was written against did.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
ajv.addFormat('uri', (value: string) => URL.canParse(value))
ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'file:///'))
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)))
const validateSarif = ajv.compile(schema)

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true, // character references: &#10; in an attribute is a line break
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: name => ['testsuite', 'testcase', 'property'].includes(name)
})

interface Case {
  name: string
  classname: string
  time: string
  file?: string
  failure?: { message: string; type: string; '#text': string }
  skipped?: { message: string }
}
interface Suite {
  name: string
  tests: string
  failures: string
  errors: string
  skipped: string
  testcase: Case[]
  properties?: { property: { name: string; value: string }[] }
}

function readJunit(path: string): { testsuites: Record<string, string> & { testsuite: Suite[] } } {
  const text = readFileSync(path, 'utf8')
  expect(XMLValidator.validate(text)).toBe(true)
  return xml.parse(text)
}

function readSarif(path: string): Sarif.Log {
  const log = JSON.parse(readFileSync(path, 'utf8')) as Sarif.Log
  const valid = validateSarif(log)
  if (!valid) throw new Error(JSON.stringify(validateSarif.errors, null, 2))
  return log
}

const report = (run: ActionRun) => JSON.parse(readFileSync(run.outputs['report-path'], 'utf8'))

// The same signature texts as the release candidate, under other IDs, in a later build.
const laterSignatures = sampleBuild().signatures.map(s => ({ ...s, id: `later-${s.id}` }))
const later = sampleBuild({
  id: 'later-build',
  signatures: laterSignatures,
  logs: logsFor(laterSignatures)
})

const HOSTILE = [
  `ExampleApp: ]]> <![CDATA[ x ]]> </testcase><testcase name="forged"/> &amp; & ' " <!-- -->`,
  'ExampleApp: \u0001\u0008\u000b\ufffe\uffff\ud800 lone surrogate \u{1F600} \u0085 tab\tend',
  'ExampleApp: line one\nline two\r\n<?xml version="1.0"?>'
]
const hostile = hangsBuild('hostile-build', HOSTILE)

let h: Harness
let repo: string
beforeAll(async () => {
  h = await startHarness({
    apps: [{ ...APP, metrics: METRIC_FIXTURES.releaseCandidate() }],
    builds: [sampleBuild(), baselineBuild(), later, hostile]
  })
  repo = appRepository()
})
afterAll(() => h.close())

/** The demo's pull-request run: 2.4.0 (412) against 2.3.0 (399), hangs limited to 40%. */
const gate = (inputs: Record<string, string> = {}) =>
  h.run(
    {
      'baseline-build-id': BASELINE_ID,
      'hangs-threshold': '40%',
      'sarif-path': 'reports/diagnostics.sarif',
      'junit-path': 'reports/junit.xml',
      ...inputs
    },
    { env: { GITHUB_WORKSPACE: repo } }
  )

describe('SARIF for code scanning', () => {
  it('validates against the SARIF 2.1.0 schema, with a rule per type and a result per finding', async () => {
    const run = await gate()
    expect(run.outputs['sarif-path']).toBe(join(repo, 'reports/diagnostics.sarif'))
    const log = readSarif(run.outputs['sarif-path'])
    // The validator is not vacuous: a wrong version or a result without a message fails it.
    expect(validateSarif({ ...log, version: '2.0.0' })).toBe(false)
    const noMessage = structuredClone(log)
    delete (noMessage.runs[0].results![0] as Partial<Sarif.Result>).message
    expect(validateSarif(noMessage)).toBe(false)
    const [sarifRun] = log.runs
    const rules = sarifRun.tool.driver.rules ?? []
    expect(rules.map(r => r.id)).toEqual([
      'diagnostics/hangs',
      'diagnostics/disk-writes',
      'diagnostics/launches'
    ])
    const json = report(run)
    const findings = new Set([
      ...json.breaches,
      ...json.regressions.map((s: { id: string }) => s.id)
    ])
    const results = sarifRun.results ?? []
    expect(results.map(r => r.properties?.signatureId).sort()).toEqual([...findings].sort())
    for (const result of results) {
      expect(rules[result.ruleIndex!].id).toBe(result.ruleId)
      expect(result.level).toBe('error') // failing is on for both kinds
      expect(result.message.text).toContain(`${(result.properties!.weight * 100).toFixed(1)}%`)
    }
  })

  it('locates a finding on its source line when the file was found, by its signature otherwise', async () => {
    const run = await gate({ 'fail-on-regression': 'false' })
    const results = readSarif(run.outputs['sarif-path']).runs[0].results ?? []
    const bySignature = (text: string) => results.find(r => r.properties?.signature === text)!
    const database = bySignature(APPLE_EXAMPLE)
    expect(database).toMatchObject({
      ruleId: 'diagnostics/disk-writes',
      level: 'error',
      message: {
        text: `Disk writes signature '${APPLE_EXAMPLE}' is at 85.0%, above the 50% limit.`
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: {
              uri: 'ExampleApp/Database/DatabaseConnection.m',
              uriBaseId: '%SRCROOT%'
            },
            region: { startLine: 88 }
          }
        }
      ],
      properties: { weight: 0.85, threshold: 0.5, breached: true }
    })
    // A regression in a system library: nothing to point at but the signature itself.
    const kernel = bySignature('libsystem_kernel.dylib: mach_msg2_trap + 8')
    expect(kernel.level).toBe('warning') // fail-on-regression: false
    expect(kernel.locations).toEqual([
      {
        logicalLocations: [
          {
            name: 'libsystem_kernel.dylib: mach_msg2_trap + 8',
            fullyQualifiedName: 'HANGS/libsystem_kernel.dylib: mach_msg2_trap + 8'
          }
        ]
      }
    ])
  })

  it('still points at the line with annotate-source: false, which only silences the annotations', async () => {
    const run = await gate({ 'annotate-source': 'false' })
    const results = readSarif(run.outputs['sarif-path']).runs[0].results ?? []
    const database = results.find(r => r.properties?.signature === APPLE_EXAMPLE)!
    expect(database.locations?.[0].physicalLocation?.artifactLocation?.uri).toBe(
      'ExampleApp/Database/DatabaseConnection.m'
    )
    expect(run.stdout).not.toMatch(/^::(error|warning) [^:]*file=/m)
    expect(run.summary).not.toContain('Blamed line in this repository')
  })

  it('fingerprints a signature by type and text, so a later build keeps the same alert', async () => {
    const first = readSarif((await gate()).outputs['sarif-path']).runs[0].results ?? []
    const second = readSarif((await gate({ 'build-id': 'later-build' })).outputs['sarif-path'])
      .runs[0].results!
    const prints = (results: Sarif.Result[]) =>
      Object.fromEntries(
        results.map(r => [
          r.properties?.signature,
          r.partialFingerprints?.['ascDiagnosticSignature/v1']
        ])
      )
    expect(prints(first)[APPLE_EXAMPLE]).toMatch(/^[0-9a-f]{64}$/)
    expect(prints(second)).toEqual(prints(first)) // other signature IDs, same texts
    expect(new Set(Object.values(prints(first))).size).toBe(first.length)
  })
})

describe('JUnit XML for any CI', () => {
  it('has a suite per type and a case per reported signature, failures carrying weight, limit and baseline', async () => {
    const run = await gate()
    expect(run.outputs['junit-path']).toBe(join(repo, 'reports/junit.xml'))
    const { testsuites } = readJunit(run.outputs['junit-path'])
    const suites = testsuites.testsuite
    expect(suites.map(s => s.name)).toEqual(['Hangs', 'Disk writes', 'Launches'])
    const json = report(run)
    const cases = suites.flatMap(s => s.testcase)
    expect(cases.map(c => c.name).sort()).toEqual(
      json.signatures.map((s: { signature: string }) => s.signature).sort()
    )
    const failed = cases.filter(c => c.failure)
    expect(testsuites.failures).toBe(String(failed.length))
    expect(testsuites.tests).toBe(String(cases.length))
    for (const suite of suites) {
      expect(suite.tests).toBe(String(suite.testcase.length))
      expect(suite.failures).toBe(String(suite.testcase.filter(c => c.failure).length))
    }
    const breachedOrRegressed = json.signatures.filter(
      (s: { breached: boolean; regressed: boolean }) => s.breached || s.regressed
    )
    expect(failed).toHaveLength(breachedOrRegressed.length)
    const feed = cases.find(c => c.name.includes('FeedViewController'))!
    expect(feed).toMatchObject({
      classname: 'asc-diagnostics-gate.HANGS',
      file: 'ExampleApp/Feed/FeedViewController.m',
      failure: { type: 'breach,signature-regression' }
    })
    expect(feed.failure!['#text'].split('\n')).toEqual([
      'weight: 41.0% of hang time (rank 1)',
      'limit: 40% (above it)',
      'baseline: up from 29.0% (+12.0 pts)',
      'blamed line: ExampleApp/Feed/FeedViewController.m:88'
    ])
    expect(feed.failure!.message).toBe(
      "Hangs signature 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412' is at 41.0%, above the 40% limit, and regressed: up from 29.0%."
    )
    const passing = cases.find(c => c.name === 'ExampleApp: static Analytics.bootstrap() + 64')!
    expect(passing.failure).toBeUndefined()
  })

  it('marks a type without data as skipped, with a message', async () => {
    const run = await h.run(
      { 'build-id': 'hostile-build', 'diagnostic-types': 'HANGS,LAUNCHES', 'junit-path': 'j.xml' },
      { env: { GITHUB_WORKSPACE: repo } }
    )
    const launches = readJunit(run.outputs['junit-path']).testsuites.testsuite[1]
    expect(launches).toMatchObject({ name: 'Launches', tests: '1', skipped: '1', failures: '0' })
    expect(launches.testcase[0].skipped?.message).toBe(
      'No launches diagnostics for build 2.4.0 (412) yet: Apple publishes them a few days after release, once enough users share analytics.'
    )
  })

  it('escapes hostile signature text and drops what XML 1.0 cannot hold', async () => {
    const run = await h.run(
      {
        'build-id': 'hostile-build',
        'diagnostic-types': 'HANGS',
        'junit-path': 'hostile.xml',
        'sarif-path': 'hostile.sarif'
      },
      { env: { GITHUB_WORKSPACE: repo } }
    )
    const [suite] = readJunit(run.outputs['junit-path']).testsuites.testsuite
    // Controls were already spaces, and the lone surrogate U+FFFD, when App Store Connect's
    // text was read; XML then drops the noncharacters.
    expect(suite.testcase.map(c => c.name)).toEqual([
      HOSTILE[0],
      'ExampleApp:  \ufffd lone surrogate \u{1F600}   tab end',
      'ExampleApp: line one line two <?xml version="1.0"?>'
    ])
    expect(suite.testcase.every(c => c.classname === 'asc-diagnostics-gate.HANGS')).toBe(true)
    // The same texts in SARIF, which JSON escapes whole.
    const results = readSarif(run.outputs['sarif-path']).runs[0].results ?? []
    expect(results.map(r => r.properties?.signature)).toEqual([HOSTILE[0]])
    expectNoSecrets(run, h)
  })
})

describe('the gated metrics', () => {
  it('are one more SARIF rule each, a result when regressed, and a Metrics suite in JUnit', async () => {
    const run = await gate({
      metrics: 'hangRate, launchTime, diskWrites',
      threshold: '90%',
      'hangs-threshold': '',
      'max-weight-increase': '90%'
    })
    const items: { identifier: string; status: string }[] = report(run).metrics.items
    const regressed = items.filter(i => i.status === 'regressed').map(i => i.identifier)
    expect(regressed.length).toBeGreaterThan(0) // the scenario has something to show
    expect(report(run).breaches).toEqual([])

    const [sarifRun] = readSarif(run.outputs['sarif-path']).runs
    const rules = sarifRun.tool.driver.rules ?? []
    expect(rules.map(r => r.id)).toEqual([
      'diagnostics/hangs',
      'diagnostics/disk-writes',
      'diagnostics/launches',
      ...items.filter(i => i.status !== 'not-gated').map(i => `metrics/${i.identifier}`)
    ])
    const metricResults = (sarifRun.results ?? []).filter(r => r.ruleId?.startsWith('metrics/'))
    expect(metricResults.map(r => r.ruleId)).toEqual(regressed.map(id => `metrics/${id}`))
    for (const r of metricResults) {
      expect(rules[r.ruleIndex!].id).toBe(r.ruleId)
      expect(r.level).toBe('error')
      expect(r.message.text).toMatch(/^Metric regressed: /)
      expect(r.locations?.[0].logicalLocations?.[0].fullyQualifiedName).toMatch(
        /^metrics\/\w+\/p50\/all_iphones$/
      )
      expect(r.partialFingerprints?.['ascMetric/v1']).toMatch(/^[0-9a-f]{64}$/)
    }

    const suites = readJunit(run.outputs['junit-path']).testsuites.testsuite
    const metrics = suites.at(-1)!
    expect(metrics.name).toBe('Metrics')
    expect(metrics.testcase).toHaveLength(items.length)
    expect(metrics.failures).toBe(String(regressed.length))
    const hang = metrics.testcase.find(c => c.name.startsWith('Hang rate (hangRate, p50'))!
    expect(hang.classname).toBe('asc-diagnostics-gate.METRICS')
    expect(hang.failure?.message).toMatch(/^Metric regressed: Hang rate .*4\.1 s\/hr/)
    expect(hang.failure?.['#text']).toBe(
      [
        'value: 4.1 s/hr on 2.4.0',
        'limit: +10% over the reference', // max-metric-increase
        'reference: 2.5 s/hr (baseline: 2.3.0), +64.0%'
      ].join('\n')
    )
  })
})

describe('the sarif-path and junit-path outputs', () => {
  it('are empty when the paths are not set, and when the run stops before a verdict', async () => {
    const plain = await h.run({}, { env: { GITHUB_WORKSPACE: repo } })
    expect(plain.outputs['sarif-path']).toBe('')
    expect(plain.outputs['junit-path']).toBe('')
    const failed = await h.run(
      { 'build-id': 'no-such-build', 'sarif-path': 'x.sarif', 'junit-path': 'x.xml' },
      { env: { GITHUB_WORKSPACE: repo } }
    )
    expect(failed.code).toBe(1)
    expect(failed.outputs['sarif-path']).toBe('')
    expect(failed.outputs['junit-path']).toBe('')
    expect(existsSync(join(repo, 'x.sarif'))).toBe(false)
  })

  it('stay empty with a warning when the file cannot be written; the verdict stands', async () => {
    // The workspace's README.md is a file, so no folder can be made under it.
    const run = await gate({ 'sarif-path': 'README.md/gate.sarif', 'junit-path': '' })
    expect(run.outputs['sarif-path']).toBe('')
    expect(run.warnings).toContainEqual(
      expect.stringMatching(/^Could not write the SARIF log to 'README\.md\/gate\.sarif': /)
    )
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
  })
})
