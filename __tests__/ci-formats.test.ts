import { describe, expect, it } from '@jest/globals'
import { Ajv } from 'ajv'
import fc from 'fast-check'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as Sarif from 'sarif'
import type { DiagnosticType } from '../src/constants.js'
import { verdictOf } from '../test-support/verdict.js'
import type { Signature, SignatureList } from '../src/model.js'
import type { FindingsInput } from '../src/publish/ci-shared.js'
import { buildJunit, escapeXml, renderJunit } from '../src/publish/junit.js'
import { buildSarif, TYPE_RULES } from '../src/publish/sarif.js'

// The SARIF and JUnit builders alone: pure functions any front door can call. The metrics'
// rules and suite are shown end to end in sarif-junit.e2e.test.ts.

const schema = JSON.parse(
  readFileSync(join(process.cwd(), '__tests__/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')
)
const validateSarif = new Ajv({
  strict: false,
  unicodeRegExp: false,
  validateFormats: false
}).compile(schema)
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false
})

const sig = (type: DiagnosticType, id: string, weight: number): Signature => ({
  id,
  diagnosticType: type,
  signature: `ExampleApp: ${id} + 4`,
  weight
})
const lists = (...signatures: Signature[]): Map<DiagnosticType, SignatureList> =>
  new Map(
    (['HANGS', 'LAUNCHES'] as const).map(type => [
      type,
      { type, signatures: signatures.filter(s => s.diagnosticType === type), complete: true }
    ])
  )
const input: FindingsInput = {
  verdict: verdictOf({
    types: ['HANGS', 'LAUNCHES'],
    current: lists(sig('HANGS', 'feed', 0.6), sig('HANGS', 'cache', 0.1)),
    limit: 10,
    thresholds: { HANGS: 0.5, DISK_WRITES: 0.5, LAUNCHES: 0.5 },
    noData: 'warn',
    maxWeightIncrease: 0.05
  }),
  buildId: 'B1',
  sources: {
    noCheckout: false,
    places: new Map([['feed', { ok: true, path: 'Sources/Feed View.swift', line: 12 }]])
  }
}

describe('buildSarif', () => {
  it('validates, with a rule per diagnostic type and the blamed line as a relative URI', () => {
    const log = JSON.parse(buildSarif(input)) as Sarif.Log
    expect(validateSarif(log)).toBe(true)
    const [run] = log.runs
    expect(run.tool.driver.rules?.map(r => r.id)).toEqual(TYPE_RULES.map(r => r.id))
    expect(run.results).toHaveLength(1)
    expect(run.results?.[0]).toMatchObject({
      ruleId: 'diagnostics/hangs',
      ruleIndex: 0,
      level: 'error',
      locations: [
        {
          physicalLocation: {
            // A URI: the space is percent-encoded.
            artifactLocation: { uri: 'Sources/Feed%20View.swift', uriBaseId: '%SRCROOT%' },
            region: { startLine: 12 }
          }
        }
      ]
    })
  })
})

describe('JUnit', () => {
  it('has a suite per type, counted at the root; more suites render the same way', () => {
    const text = buildJunit(input)
    expect(XMLValidator.validate(text)).toBe(true)
    const { testsuites } = xml.parse(text)
    expect(testsuites.testsuite.map((s: { name: string }) => s.name)).toEqual(['Hangs', 'Launches'])
    expect(testsuites).toMatchObject({ tests: '3', failures: '1', skipped: '1', errors: '0' })
    const more = xml.parse(
      renderJunit([{ name: 'Metrics', properties: [], cases: [{ name: 'm', classname: 'c' }] }])
    ).testsuites
    expect(more).toMatchObject({ tests: '1', failures: '0', testsuite: { name: 'Metrics' } })
  })

  it('gives back any text it was given, less what XML 1.0 cannot hold', () => {
    const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), text => {
        const document = renderJunit([
          {
            name: text,
            properties: [[text, text]],
            cases: [
              { name: text, classname: text, failure: { message: text, type: text, details: text } }
            ]
          }
        ])
        expect(XMLValidator.validate(document)).toBe(true)
        const suite = xml.parse(document).testsuites.testsuite
        const expected = text.replace(NOT_XML, '')
        expect(suite.name).toBe(expected)
        expect(suite.testcase.name).toBe(expected)
        expect(suite.testcase.failure.message).toBe(expected)
        // Element text: a parser turns \r\n into \n, so the builder writes \r as a reference.
        expect(suite.testcase.failure['#text'] ?? '').toBe(expected)
      }),
      { numRuns: 300 }
    )
    expect(escapeXml('a"b<c>&d')).toBe('a&quot;b&lt;c&gt;&amp;d')
  })
})
