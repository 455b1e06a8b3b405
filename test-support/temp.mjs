// @ts-check
// Temporary folders for tests, the demo and the benchmark, removed at the end: thousands of
// runs would otherwise leave thousands of folders behind. Under Jest they live in one folder
// per test run (jest-temp.mjs makes it and removes it: a worker's exit handlers may not run);
// in a plain node process they go when the process exits.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TEST_TEMP_VARIABLE = 'ASC_GATE_TEST_TMP'

/** @type {string[]} */
const created = []
const root = process.env[TEST_TEMP_VARIABLE]

if (!root) {
  process.once('exit', () => {
    for (const dir of created) rmSync(dir, { recursive: true, force: true })
  })
}

/** A new empty folder, removed at the end of the test run or process. @param {string} prefix */
export function temporaryDirectory(prefix) {
  if (root) mkdirSync(root, { recursive: true })
  const dir = mkdtempSync(join(root ?? tmpdir(), prefix))
  created.push(dir)
  return dir
}
