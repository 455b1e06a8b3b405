import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { temporaryDirectory } from '../test-support/temp.mjs'

// scripts/release.mjs, as the release workflow runs it after a push to main, against a local
// bare repository standing in for GitHub: it tags package.json's version and moves the major
// tag, once, and refuses a commit whose CHANGELOG, package.json or dist/ do not agree.

const FILES = ['package.json', 'package-lock.json', 'CHANGELOG.md', 'action.yml', 'tsconfig.json']
const env = {
  PATH: process.env.PATH ?? '',
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com'
}

/** A commit of this project's release inputs, pushed to a new bare "origin". */
function repository(): { work: string; origin: string; git: (...args: string[]) => string } {
  const work = temporaryDirectory('asc-gate-release-')
  const origin = temporaryDirectory('asc-gate-origin-')
  for (const path of [...FILES, 'src', 'dist', 'scripts'])
    cpSync(path, join(work, path), { recursive: true })
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, env: { ...env, HOME: work }, encoding: 'utf8' }).trim()
  execFileSync('git', ['init', '-q', '--bare', origin])
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'release')
  git('remote', 'add', 'origin', origin)
  git('push', '-q', 'origin', 'HEAD:refs/heads/main')
  return { work, origin, git }
}

const release = (work: string) =>
  spawnSync(process.execPath, ['scripts/release.mjs', 'origin'], {
    cwd: work,
    // As on a runner: no git identity at all, so the tagger must be the script's own.
    env: {
      PATH: env.PATH,
      HOME: temporaryDirectory('asc-gate-home-'),
      GIT_CONFIG_NOSYSTEM: '1',
      GITHUB_OUTPUT: join(work, 'output')
    },
    encoding: 'utf8'
  })
/** The bare repository's tags, as `<commit> refs/tags/<name>` lines ('' when none). */
const tags = (origin: string) =>
  spawnSync('git', ['--git-dir', origin, 'show-ref', '--tags', '--dereference'], {
    encoding: 'utf8'
  }).stdout
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
const major = `v${version.split('.')[0]}`

describe('scripts/release.mjs', () => {
  it("tags package.json's version and moves the major tag to the same commit, once", () => {
    const { work, origin, git } = repository()
    const head = git('rev-parse', 'HEAD')
    const first = release(work)
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(first.stdout).toBe(`Released v${version}, and moved ${major} to it.\n`)
    expect(tags(origin)).toContain(`${head} refs/tags/v${version}^{}`)
    expect(tags(origin)).toContain(`${head} refs/tags/${major}\n`)
    expect(readFileSync(join(work, 'output'), 'utf8')).toBe(`released=true\ntag=v${version}\n`)
    // A later push with the same version releases nothing.
    const again = release(work)
    expect(again.status).toBe(0)
    expect(again.stdout).toBe(`v${version} is already released.\n`)
  })

  it('finishes a release a failed run left half done: the tag pushed, the major tag not moved', () => {
    const { work, origin, git } = repository()
    const head = git('rev-parse', 'HEAD')
    git('tag', '-a', `v${version}`, '-m', 'half done')
    git('push', '-q', 'origin', `refs/tags/v${version}`)
    expect(tags(origin)).not.toContain(`refs/tags/${major}\n`)
    const rerun = release(work)
    expect(rerun.status).toBe(0)
    expect(rerun.stdout).toBe(`v${version} was already tagged; moved ${major} to it.\n`)
    expect(tags(origin)).toContain(`${head} refs/tags/${major}\n`)
    // The workflow's next step creates the GitHub release whenever it is missing.
    expect(readFileSync('.github/workflows/release.yml', 'utf8')).toMatch(
      /if gh release view "\$TAG" .*; then[\s\S]*gh release create "\$TAG"/
    )
  })

  it('moves a major tag that pointed at an older release', () => {
    const { work, origin, git } = repository()
    const head = git('rev-parse', 'HEAD')
    git('commit', '-q', '--allow-empty', '-m', 'an older release')
    const older = git('rev-parse', 'HEAD')
    git('push', '-q', 'origin', `${older}:refs/tags/${major}`)
    git('reset', '-q', '--hard', head)
    expect(tags(origin)).toContain(`${older} refs/tags/${major}\n`)
    expect(release(work).status).toBe(0)
    expect(tags(origin)).toContain(`${head} refs/tags/${major}\n`)
  })

  it.each([
    [
      'a version without a CHANGELOG section',
      (work: string) =>
        writeFileSync(join(work, 'CHANGELOG.md'), '# Changelog\n\n## [Unreleased]\n'),
      `CHANGELOG.md has no section for ${version}.`
    ],
    [
      'a section without a date',
      (work: string) => {
        const path = join(work, 'CHANGELOG.md')
        writeFileSync(
          path,
          readFileSync(path, 'utf8').replace(/^(## \[\d+\.\d+\.\d+\]) - .*$/m, '$1')
        )
      },
      "has no release date ('## ["
    ],
    [
      'a version bump whose dist/ was not rebuilt',
      (work: string) => {
        const path = join(work, 'package.json')
        writeFileSync(
          path,
          readFileSync(path, 'utf8').replace(`"version": "${version}"`, '"version": "9.9.9"')
        )
        const changelog = join(work, 'CHANGELOG.md')
        writeFileSync(
          changelog,
          readFileSync(changelog, 'utf8').replace(
            '## [Unreleased]\n',
            '## [Unreleased]\n\n## [9.9.9] - 2026-12-24\n\n- A fix.\n'
          )
        )
      },
      `dist/cli.js --version prints ${version}, not package.json's 9.9.9: run 'npm run build'.`
    ],
    [
      'a dist/ built from other sources',
      (work: string) => writeFileSync(join(work, 'src', 'main.ts'), '// edited\n', { flag: 'a' }),
      "dist/ was built from other sources than src/ holds now: run 'npm run build'"
    ]
  ])('refuses %s, and tags nothing', (_, spoil, message) => {
    const { work, origin, git } = repository()
    spoil(work)
    git('commit', '-qam', 'spoilt')
    const run = release(work)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^Not releasing v\d+\.\d+\.\d+: /)
    expect(run.stderr).toContain(message)
    expect(tags(origin)).toBe('')
  })
})
