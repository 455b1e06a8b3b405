// @ts-check
// Pulls the response schemas the simulators must honour out of Apple's OpenAPI
// document, so tests can validate against them without the 3.4 MB spec:
//   node test-support/extract-schemas.mjs ../shared/asc-openapi/openapi.json
// writes __tests__/fixtures/asc-schemas.json: { $id, components: { schemas } },
// the transitive closure of the roots below. `$ref`s keep their
// `#/components/schemas/X` form, which ajv resolves inside that document.
// It runs on a developer machine with shared/ beside the repo; tests read only the output.
import { readFileSync, writeFileSync } from 'node:fs'

const ROOTS = [
  'DiagnosticSignaturesResponse',
  'AppsResponse',
  'BuildsResponse',
  'ErrorResponse',
  'diagnosticLogs',
  'BuildResponse',
  'xcodeMetrics'
]
const PREFIX = '#/components/schemas/'
const OUTPUT = new URL('../__tests__/fixtures/asc-schemas.json', import.meta.url)

const specPath = process.argv[2]
if (!specPath) {
  console.error('usage: node test-support/extract-schemas.mjs <path to openapi.json>')
  process.exit(2)
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'))
const all = spec.components.schemas

/** @type {Record<string, unknown>} */
const picked = {}
const pending = [...ROOTS]
while (pending.length) {
  const name = /** @type {string} */ (pending.pop())
  if (name in picked) continue
  if (!(name in all)) throw new Error(`schema ${name} is not in ${specPath}`)
  picked[name] = JSON.parse(JSON.stringify(all[name]), dropNullFormat)
  pending.push(...refsIn(all[name]))
}

const document = {
  $id: 'asc-schemas.json',
  $comment: `Extracted from App Store Connect API OpenAPI ${spec.info.version} by test-support/extract-schemas.mjs; do not edit.`,
  components: {
    schemas: Object.fromEntries(
      Object.keys(picked)
        .sort()
        .map(name => [name, picked[name]])
    )
  }
}
writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`)
console.log(`wrote ${Object.keys(picked).length} schemas to ${OUTPUT.pathname}`)

/**
 * The SDK's patch of AppEvent.deepLink left `format: null`, which is not a
 * valid JSON Schema and stops ajv from compiling the document.
 * @param {string} key
 * @param {unknown} value
 */
function dropNullFormat(key, value) {
  return key === 'format' && value === null ? undefined : value
}

/**
 * Names of the component schemas `node` refers to directly.
 * @param {unknown} node
 * @returns {string[]}
 */
function refsIn(node) {
  if (Array.isArray(node)) return node.flatMap(refsIn)
  if (!node || typeof node !== 'object') return []
  return Object.entries(node).flatMap(([key, value]) => {
    if (key !== '$ref') return refsIn(value)
    if (typeof value !== 'string' || !value.startsWith(PREFIX))
      throw new Error(`unexpected $ref ${value}`)
    return [value.slice(PREFIX.length)]
  })
}
