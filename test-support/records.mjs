// @ts-check
// Every decision record the test suite produces is checked against schema/report.schema.json:
// runAction and runCli hand each record they find (the report file, or --format json on
// stdout) to checkRecord, which throws when it does not validate, so the test that made it
// fails and names the problem.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** @type {import('ajv').ValidateFunction | undefined} */
let compiled

/** The schema's validator, compiled once per test file: every test that checks a record uses it. */
export function reportValidator() {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8'))
    compiled = new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(schema)
  }
  return compiled
}

/** Throws when `record` (parsed JSON) does not match the schema. @param {unknown} record @param {string} where */
export function checkRecord(record, where) {
  const validate = reportValidator()
  if (!validate(record)) {
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map(e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    throw new Error(`the decision record ${where} does not match the schema: ${errors.join('; ')}`)
  }
}

/**
 * The record file a run left at `path` (relative to `cwd`), checked; undefined when there is
 * none or it is not JSON (tests that make the file unwritable, or write something else there).
 * @param {string} path @param {string} cwd @returns {string | undefined} the record's text
 */
export function recordAt(path, cwd) {
  const file = resolve(cwd, path)
  if (!existsSync(file)) return undefined
  let text
  let record
  try {
    text = readFileSync(file, 'utf8')
    record = JSON.parse(text)
  } catch {
    return undefined
  }
  if (record?.tool !== 'asc-diagnostics-gate') return undefined
  checkRecord(record, `at ${file}`)
  return text
}
