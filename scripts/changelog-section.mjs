// @ts-check
// Prints one version's section of CHANGELOG.md (Keep a Changelog), for the GitHub release's
// notes: `node scripts/changelog-section.mjs v1.2.3 [CHANGELOG.md]`. Fails when the section
// is missing or empty, so a release cannot go out without notes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The body of `## [version]` (or `## version`), without its heading and without the link
 * definitions Keep a Changelog puts at the end of the file.
 * @param {string} changelog @param {string} version `1.2.3` or `v1.2.3`
 * @returns {string}
 */
export function changelogSection(changelog, version) {
  const wanted = version.replace(/^v/, '')
  if (!/^\d+\.\d+\.\d+$/.test(wanted)) {
    throw new Error(`'${version}' is not a release version such as v1.2.3.`)
  }
  const lines = changelog.split(/\r?\n/)
  const start = lines.findIndex(line => headingVersion(line) === wanted)
  if (start === -1) throw new Error(`CHANGELOG.md has no section for ${wanted}.`)
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(line => line.startsWith('## ') || /^\[[^\]]+\]:\s/.test(line))
  const body = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim()
  if (!body) throw new Error(`The CHANGELOG.md section for ${wanted} is empty.`)
  return body
}

/** `## [1.2.3] - 2026-11-26` → `1.2.3`; anything else → undefined. @param {string} line */
function headingVersion(line) {
  return /^## \[?v?(\d+\.\d+\.\d+)\]?(?:\s|$)/.exec(line)?.[1]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [version, path = 'CHANGELOG.md'] = process.argv.slice(2)
  try {
    if (!version) throw new Error('usage: node scripts/changelog-section.mjs v1.2.3 [CHANGELOG.md]')
    process.stdout.write(`${changelogSection(readFileSync(path, 'utf8'), version)}\n`)
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
