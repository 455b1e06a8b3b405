import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseGitIndex, readGitIndex } from '../src/source/git-index.js'
import { temporaryDirectory } from '../test-support/temp.mjs'

// The tracked files, read from .git/index without running git, agree with `git ls-files` for
// every index layout git writes; an index this reader cannot vouch for is refused, never guessed.

const FILES = [
  'ExampleApp/Feed/FeedViewController.m',
  'ExampleApp/Feed/FeedViewController.swift',
  'ExampleApp/Feed/Feed.swift',
  'ExampleApp/Résumé/Über.swift',
  'ExampleApp/a b/with space.m',
  'README.md',
  `deep/${'d'.repeat(200)}/${'e'.repeat(200)}/x.swift`
]

function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: root,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.com'
    }
  })
}

function repository(files = FILES, init: string[] = []): string {
  const root = temporaryDirectory('asc-gate-index-')
  for (const path of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), `${path}\n`)
  }
  git(root, 'init', '-q', ...init)
  git(root, 'add', '.')
  git(root, 'commit', '-qm', 'files')
  return root
}

const lsFiles = (root: string) =>
  [...new Set(git(root, 'ls-files', '-z', '--cached').split('\0').filter(Boolean))].sort()
const listed = (root: string) => {
  const listing = readGitIndex(root)
  if (!('files' in listing)) throw new Error(listing.unreadable)
  return [...listing.files].sort()
}

describe('the tracked files, read from .git/index', () => {
  it('version 2 (git’s default): the same files as git ls-files, names in UTF-8', () => {
    const root = repository()
    expect(readFileSync(join(root, '.git', 'index')).readUInt32BE(4)).toBe(2)
    expect(listed(root)).toEqual(lsFiles(root))
    expect(listed(root)).toContain('ExampleApp/Résumé/Über.swift')
  })

  it('version 3: an intent-to-add entry carries extended flags', () => {
    const root = repository()
    writeFileSync(join(root, 'Later.swift'), '')
    git(root, 'add', '-N', 'Later.swift')
    expect(readFileSync(join(root, '.git', 'index')).readUInt32BE(4)).toBe(3)
    expect(listed(root)).toEqual(lsFiles(root))
    expect(listed(root)).toContain('Later.swift')
  })

  it('version 4: paths compressed against the previous one', () => {
    const root = repository()
    git(root, 'update-index', '--index-version', '4')
    expect(readFileSync(join(root, '.git', 'index')).readUInt32BE(4)).toBe(4)
    expect(listed(root)).toEqual(lsFiles(root))
  })

  it('a path longer than the 12-bit name length (4,095 bytes)', () => {
    // Too long for the file system, so it is added to the index alone, as git allows.
    const long = `${Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(220, 'x')).join('/')}/Long.swift`
    const root = repository(['A.swift'])
    const blob = git(root, 'hash-object', '-w', 'A.swift').trim()
    git(root, 'update-index', '--add', '--cacheinfo', `100644,${blob},${long}`)
    expect(listed(root)).toEqual(['A.swift', long].sort())
    expect(listed(root)).toEqual(lsFiles(root))
  })

  it('a SHA-256 repository', () => {
    const root = repository(FILES, ['--object-format=sha256'])
    expect(listed(root)).toEqual(lsFiles(root))
  })

  it('a linked worktree, whose .git is a gitdir: file', () => {
    const root = repository()
    const tree = join(temporaryDirectory('asc-gate-worktree-'), 'tree')
    git(root, 'worktree', 'add', '-q', tree)
    expect(readFileSync(join(tree, '.git'), 'utf8')).toMatch(/^gitdir: /)
    expect(listed(tree)).toEqual(lsFiles(root))
  })

  it('merge conflicts list a path once', () => {
    const root = repository(['Conflict.swift'])
    git(root, 'checkout', '-qb', 'other')
    writeFileSync(join(root, 'Conflict.swift'), 'other\n')
    git(root, 'commit', '-qam', 'other')
    git(root, 'checkout', '-q', '-')
    writeFileSync(join(root, 'Conflict.swift'), 'main\n')
    git(root, 'commit', '-qam', 'main')
    try {
      git(root, 'merge', '-q', 'other')
    } catch {
      // the conflict is the point
    }
    expect(git(root, 'ls-files', '--stage')).toMatch(/ 2\tConflict\.swift/)
    expect(listed(root)).toEqual(['Conflict.swift'])
  })

  it('refuses a split or sparse index, whose entries live elsewhere', () => {
    const split = repository()
    git(split, 'update-index', '--split-index')
    expect(readGitIndex(split)).toEqual({ unreadable: 'it is a split index (core.splitIndex)' })
    const sparse = repository()
    git(sparse, 'sparse-checkout', 'set', '--sparse-index', 'ExampleApp')
    expect(readGitIndex(sparse)).toEqual({ unreadable: 'it is a sparse index (index.sparse)' })
  })

  it('refuses a damaged index, a link in place of it, or no index', () => {
    const root = repository()
    const index = join(root, '.git', 'index')
    const data = readFileSync(index)
    expect(parseGitIndex(data.subarray(0, 200))).toEqual({
      unreadable: 'its checksum matches neither SHA-1 nor SHA-256'
    })
    const flipped = Buffer.from(data)
    flipped[100] ^= 1
    expect('unreadable' in parseGitIndex(flipped)).toBe(true)
    expect(parseGitIndex(Buffer.from('PACK'))).toEqual({
      unreadable: 'the index does not start with DIRC'
    })
    const linked = repository()
    execFileSync('ln', ['-sf', '/dev/zero', join(linked, '.git', 'index')])
    expect(readGitIndex(linked)).toEqual({
      unreadable: `${join(linked, '.git', 'index')} is not a regular file`
    })
    expect(readGitIndex(temporaryDirectory('asc-gate-nogit-'))).toEqual({
      unreadable: expect.stringMatching(/has no \.git$/)
    })
  })

  it('refuses a version-4 index whose paths grow by a byte each, before the copying adds up', () => {
    const count = 40_000
    const entry = (): Buffer => {
      const fixed = Buffer.alloc(40 + 20 + 2)
      fixed.writeUInt32BE(0o100644, 24)
      fixed.writeUInt16BE(0xfff, 60)
      return Buffer.concat([fixed, Buffer.from([0]), Buffer.from('a\0')]) // strip 0, suffix "a"
    }
    const header = Buffer.alloc(12)
    header.write('DIRC', 0, 'latin1')
    header.writeUInt32BE(4, 4)
    header.writeUInt32BE(count, 8)
    const one = entry()
    const index = Buffer.concat([header, ...Array(count).fill(one), Buffer.alloc(20)])
    expect(parseGitIndex(index)).toEqual({
      unreadable: 'its paths are longer than any checkout holds'
    })
  })

  it('never throws, whatever the bytes after a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 2, max: 4 }), (tail, v) => {
        const header = Buffer.alloc(12)
        header.write('DIRC', 0, 'latin1')
        header.writeUInt32BE(v, 4)
        header.writeUInt32BE(tail.length % 7, 8)
        const body = Buffer.concat([header, Buffer.from(tail)])
        // A zero checksum is accepted (index.skipHash), so the entries are parsed for real.
        const listing = parseGitIndex(Buffer.concat([body, Buffer.alloc(20)]))
        expect('files' in listing || typeof listing.unreadable === 'string').toBe(true)
      })
    )
  })
})
