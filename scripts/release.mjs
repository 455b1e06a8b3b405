// @ts-check
// Tags a release from the checked-out commit: `node scripts/release.mjs [remote]`. The release
// workflow runs it on every push to main, so merging a version bump releases it:
// - package.json's version names the release (v1.2.3); when that tag exists, nothing happens;
// - CHANGELOG.md must have a dated section for it, dist/ must be the build of these sources,
//   and dist/cli.js --version must print the same version; otherwise it refuses, tagging nothing;
// - it creates the annotated tag v1.2.3, moves the major tag (v1) to the same commit, and pushes
//   both. The workflow then creates the GitHub release from the changelog section.
// With GITHUB_OUTPUT set it writes `released` (true or false) and `tag` there; the workflow creates
// the GitHub release for `tag` whenever it is missing, so a failed run is repaired by the next.
import { execFileSync } from 'node:child_process'
import { appendFileSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { changelogSection } from './changelog-section.mjs'
import { staleDist } from './source-hash.mjs'

/** @param {string[]} args */
const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).trim()

/**
 * Why this commit cannot be released as `version`, or undefined.
 * @param {string} version @returns {string | undefined}
 */
export function releaseProblem(version) {
  const changelog = readFileSync('CHANGELOG.md', 'utf8')
  try {
    changelogSection(changelog, version)
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  const heading = new RegExp(
    `^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`,
    'm'
  )
  if (!heading.test(changelog)) {
    return `CHANGELOG.md's section for ${version} has no release date ('## [${version}] - YYYY-MM-DD').`
  }
  const stale = staleDist('.')
  if (stale) return stale
  const printed = execFileSync(process.execPath, ['dist/cli.js', '--version'], {
    encoding: 'utf8'
  }).trim()
  if (printed !== version) {
    return `dist/cli.js --version prints ${printed}, not package.json's ${version}: run 'npm run build'.`
  }
  return undefined
}

/** The runner has no git identity: the annotated tag is the workflow's bot's. */
const TAGGER = [
  '-c',
  'user.name=github-actions[bot]',
  '-c',
  'user.email=41898282+github-actions[bot]@users.noreply.github.com'
]

/** The commit a remote tag names (peeled), or '' when the remote has no such tag. */
function remoteCommit(/** @type {string} */ remote, /** @type {string} */ tag) {
  const lines = git('ls-remote', '--tags', remote, `refs/tags/${tag}`, `refs/tags/${tag}^{}`)
  const peeled = lines.split('\n').find(line => line.endsWith('^{}')) ?? lines.split('\n')[0]
  return peeled ? peeled.split(/\s/)[0] : ''
}

/**
 * Tags the release, or finishes one a failed run left half done: when the version's tag exists,
 * only the major tag is moved to it (if it is not there yet), so a rerun repairs it.
 * @param {string} remote @returns {{ released: boolean, tag: string, message: string }}
 */
export function release(remote) {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'))
  const tag = `v${version}`
  const major = tag.split('.')[0]
  const tagged = remoteCommit(remote, tag)
  if (tagged) {
    if (remoteCommit(remote, major) === tagged) {
      return { released: false, tag, message: `${tag} is already released.` }
    }
    git('push', '--quiet', '--force', remote, `${tagged}:refs/tags/${major}`)
    return { released: false, tag, message: `${tag} was already tagged; moved ${major} to it.` }
  }
  const problem = releaseProblem(version)
  if (problem) throw new Error(`Not releasing ${tag}: ${problem}`)
  git(...TAGGER, 'tag', '--annotate', tag, '--message', tag, 'HEAD')
  git('tag', '--force', major, 'HEAD')
  git('push', '--quiet', remote, `refs/tags/${tag}`)
  git('push', '--quiet', '--force', remote, `refs/tags/${major}`)
  return { released: true, tag, message: `Released ${tag}, and moved ${major} to it.` }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = release(process.argv[2] ?? 'origin')
    console.log(result.message)
    if (process.env.GITHUB_OUTPUT) {
      appendFileSync(process.env.GITHUB_OUTPUT, `released=${result.released}\ntag=${result.tag}\n`)
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}
