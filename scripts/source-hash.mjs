// @ts-check
// One hash of everything dist/ is built from: src/, the lockfile, the TypeScript settings and
// the build script. `npm run build` writes it to dist/source-hash.txt; the tests' global set-up
// compares it, so an end-to-end run never tests a bundle older than the sources.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export const SOURCE_HASH_FILE = join('dist', 'source-hash.txt')
const INPUTS = ['package-lock.json', 'tsconfig.json', 'action.yml', join('scripts', 'build.mjs')]

/** @param {string} dir @returns {string[]} */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]
  )
}

/** @param {string} root the repository @returns {string} */
export function sourceHash(root) {
  const hash = createHash('sha256')
  const files = [...filesUnder(join(root, 'src')), ...INPUTS.map(file => join(root, file))]
  for (const file of files.map(f => relative(root, f).split('\\').join('/')).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0')
  }
  return hash.digest('hex')
}

/**
 * Why dist/ cannot be trusted for end-to-end tests, or undefined when it was built from the
 * sources as they are. @param {string} root @returns {string | undefined}
 */
export function staleDist(root) {
  let built
  try {
    built = readFileSync(join(root, SOURCE_HASH_FILE), 'utf8').trim()
  } catch {
    return `dist/ has no ${SOURCE_HASH_FILE.replace('dist/', '')}: run 'npm run build' first (npm test does).`
  }
  return built === sourceHash(root)
    ? undefined
    : "dist/ was built from other sources than src/ holds now: run 'npm run build' (npm test does it first), or 'npm run test:unit' for the tests that do not run dist/."
}
