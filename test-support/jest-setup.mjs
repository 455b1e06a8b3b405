// @ts-check
// Jest's globalSetup: one temporary folder for the whole test run, handed to the workers through
// the environment (see temp.mjs); jest-teardown.mjs removes it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TEST_TEMP_VARIABLE } from './temp.mjs'

export default function setup() {
  process.env[TEST_TEMP_VARIABLE] = mkdtempSync(join(tmpdir(), 'asc-gate-tests-'))
}
