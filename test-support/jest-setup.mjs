// @ts-check
// Jest's globalSetup: one temporary folder for the whole test run, handed to the workers through
// the environment (see temp.mjs); jest-teardown.mjs removes it. And no end-to-end test runs
// against a dist/ built from other sources: `npx jest one.e2e.test.ts` after editing src/
// would otherwise test the old bundle and pass (see scripts/source-hash.mjs).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { staleDist } from '../scripts/source-hash.mjs'
import { TEST_TEMP_VARIABLE } from './temp.mjs'

/** The pattern `npm run test:unit` leaves out: the tests that run dist/ as a process. */
export const E2E_PATTERN = '\\.e2e\\.test\\.ts$'

/**
 * Throws when the run includes end-to-end tests and dist/ is stale.
 * @param {{ rootDir: string, testPathIgnorePatterns: string[] }} project
 */
export function refuseStaleDist(project) {
  if (project.testPathIgnorePatterns.includes(E2E_PATTERN)) return
  const stale = staleDist(project.rootDir)
  if (stale) throw new Error(stale)
}

/** @param {unknown} _global @param {{ rootDir: string, testPathIgnorePatterns: string[] }} project */
export default function setup(_global, project) {
  refuseStaleDist(project)
  process.env[TEST_TEMP_VARIABLE] = mkdtempSync(join(tmpdir(), 'asc-gate-tests-'))
}
