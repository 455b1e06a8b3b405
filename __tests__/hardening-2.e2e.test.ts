// Issue 22, the second adversarial review: one describe per defect, each driving dist/index.js or
// dist/cli.js as a process against the loopback simulators.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { appendFileSync, chmodSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { addFiles, annotationsIn, appRepository } from '../test-support/app-repo.mjs'
import { BUILD_ID } from '../test-support/scenarios.mjs'
import { runCli } from '../test-support/run-cli.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

const FEED = 'ExampleApp/Feed/FeedViewController.m'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

/**
 * An app repository whose .git/config names a program for git to run on every index read
 * (core.fsmonitor), as an artifact unpacked into the workspace can plant. The program records
 * its environment in the returned file.
 */
function plantedRepository(): { repo: string; record: string } {
  const repo = appRepository()
  // An untracked copy: only a listing of the tracked files leaves the blamed file unique.
  addFiles(repo, ['Scratch/FeedViewController.m'])
  const record = join(temporaryDirectory('asc-gate-planted-'), 'environment')
  const program = join(repo, '.git', 'fsmonitor.sh')
  writeFileSync(program, `#!/bin/sh\nenv > '${record}'\n`)
  chmodSync(program, 0o755)
  appendFileSync(join(repo, '.git', 'config'), `[core]\n\tfsmonitor = ${program}\n`)
  // The plant works: git itself runs the program.
  execFileSync('git', ['-C', repo, 'ls-files'], { stdio: 'ignore' })
  expect(existsSync(record)).toBe(true)
  execFileSync('rm', [record])
  return { repo, record }
}

describe('1. git runs nothing from the workspace', () => {
  it('the action lists the tracked files without running the planted core.fsmonitor', async () => {
    const { repo, record } = plantedRepository()
    const run = await h.run({ 'hangs-threshold': '40%' }, { env: { GITHUB_WORKSPACE: repo } })
    expect(existsSync(record)).toBe(false)
    // The tracked files were still read: the blamed line is annotated, the untracked copy ignored.
    expect(annotationsIn(run.stdout).map(a => a.properties.file)).toContain(FEED)
    expectNoSecrets(run, h)
  })

  it('the command-line tool, with the key in ASC_PRIVATE_KEY, runs nothing either', async () => {
    const { repo, record } = plantedRepository()
    const sarif = join(temporaryDirectory('asc-gate-sarif-'), 'out.sarif')
    const run = await runCli(
      ['--build-id', BUILD_ID, '--api-base-url', h.asc.url, '--sarif-path', sarif],
      {
        cwd: repo,
        env: {
          ASC_ISSUER_ID: '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
          ASC_KEY_ID: h.key.keyId,
          ASC_PRIVATE_KEY: h.key.pem
        }
      }
    )
    expect(run.code).toBe(1)
    expect(existsSync(record)).toBe(false)
    expect(execFileSync('cat', [sarif], { encoding: 'utf8' })).toContain(
      'ExampleApp/Database/DatabaseConnection.m'
    )
  })

  it('reads a checkout owned by another user without any safe.directory override', async () => {
    const repo = appRepository()
    addFiles(repo, ['Scratch/FeedViewController.m'])
    execFileSync('chown', ['-R', '4321:4321', repo])
    // git refuses it (dubious ownership); reading the index as data needs no such trust.
    expect(() => execFileSync('git', ['-C', repo, 'ls-files'], { stdio: 'pipe' })).toThrow(
      /dubious ownership/
    )
    const run = await h.run({ 'hangs-threshold': '40%' }, { env: { GITHUB_WORKSPACE: repo } })
    expect(annotationsIn(run.stdout).map(a => a.properties.file)).toContain(FEED)
  })
})
