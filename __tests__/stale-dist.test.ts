import { describe, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SOURCE_HASH_FILE, sourceHash, staleDist } from '../scripts/source-hash.mjs'
import { E2E_PATTERN, refuseStaleDist } from '../test-support/jest-setup.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'

// `npm test` refuses to run end-to-end tests against a dist/ older than src/: Jest's global set-up
// (test-support/jest-setup.mjs) compares dist/source-hash.txt, which `npm run build` writes, with the sources.

/** A copy of what dist/ is built from, with dist/source-hash.txt as the build leaves it. */
function checkout(): string {
  const root = temporaryDirectory('asc-gate-stale-')
  for (const path of ['src', 'package-lock.json', 'tsconfig.json', 'action.yml', 'scripts'])
    cpSync(path, join(root, path), { recursive: true })
  mkdirSync(join(root, 'dist'))
  writeFileSync(join(root, SOURCE_HASH_FILE), `${sourceHash(root)}\n`)
  return root
}

const project = (rootDir: string, ignored: string[] = ['/node_modules/']) => ({
  rootDir,
  testPathIgnorePatterns: ignored
})

describe('the stale-dist guard', () => {
  it('the committed dist/ was built from the sources as they are', () => {
    expect(staleDist(process.cwd())).toBeUndefined()
  })

  it('refuses a run with end-to-end tests once a source file changed, and says what to run', () => {
    const root = checkout()
    expect(() => refuseStaleDist(project(root))).not.toThrow()
    writeFileSync(join(root, 'src', 'main.ts'), '// edited\n', { flag: 'a' })
    expect(() => refuseStaleDist(project(root))).toThrow(
      "dist/ was built from other sources than src/ holds now: run 'npm run build' (npm test does it first), or 'npm run test:unit' for the tests that do not run dist/."
    )
    // The lockfile counts too: a dependency bump changes the bundle.
    const again = checkout()
    writeFileSync(join(again, 'package-lock.json'), '{}\n')
    expect(staleDist(again)).toMatch(/^dist\/ was built from other sources/)
  })

  it('lets npm run test:unit through, which runs no dist/', () => {
    const root = checkout()
    writeFileSync(join(root, 'src', 'main.ts'), '// edited\n', { flag: 'a' })
    expect(() => refuseStaleDist(project(root, [E2E_PATTERN]))).not.toThrow()
  })
})
