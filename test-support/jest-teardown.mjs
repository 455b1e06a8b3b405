// @ts-check
// Jest's globalTeardown: removes the test run's temporary folder.
import { rmSync } from 'node:fs'
import { TEST_TEMP_VARIABLE } from './temp.mjs'

export default function teardown() {
  const root = process.env[TEST_TEMP_VARIABLE]
  if (root) rmSync(root, { recursive: true, force: true })
}
