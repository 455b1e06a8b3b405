// @ts-check
// Apple's schemas, as copied into the repository by extract-schemas.mjs, compiled with ajv:
// the simulator validates request bodies with them, the tests validate responses.
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'

export const SCHEMA_DOCUMENT = JSON.parse(
  readFileSync(new URL('../__tests__/fixtures/asc-schemas.json', import.meta.url), 'utf8')
)

/**
 * Apple's schemas allow any extra property; closing every object that lists its properties
 * makes a body fail on fields Apple does not define.
 * @template T
 * @param {T} node
 * @returns {T}
 */
export function closed(node) {
  if (Array.isArray(node)) return /** @type {T} */ (node.map(closed))
  if (!node || typeof node !== 'object') return node
  const copy = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'properties'
        ? Object.fromEntries(Object.entries(v).map(([name, schema]) => [name, closed(schema)]))
        : closed(v)
    ])
  )
  return /** @type {T} */ (
    'properties' in copy && !('additionalProperties' in copy)
      ? { ...copy, additionalProperties: false }
      : copy
  )
}

/** An ajv instance holding the closed schema document, with the formats Apple's schemas use. */
export function schemaValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true })
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  ajv.addFormat('uri', (/** @type {string} */ value) => URL.canParse(value))
  ajv.addFormat('uri-reference', true)
  ajv.addFormat('email', /@/)
  ajv.addSchema(closed(SCHEMA_DOCUMENT))
  /** @param {string} name a component schema */
  return name => {
    const validate = ajv.getSchema(`asc-schemas.json#/components/schemas/${name}`)
    if (!validate) throw new Error(`no schema ${name}`)
    return validate
  }
}
