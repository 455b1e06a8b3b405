import { createHash } from 'node:crypto'
import { lstatSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { SOURCE_LOOKUP } from '../constants.js'

// The tracked files of a checkout, read from git's index file (`.git/index`) as data. No git
// process runs: a workspace's `.git/config` can name programs for git to run (core.fsmonitor,
// and others), and those would inherit the key from this process. Reading a file runs nothing,
// so a checkout owned by another user (a container job) needs no safe.directory either.
// Format: https://git-scm.com/docs/index-format (versions 2, 3 and 4, SHA-1 or SHA-256).

/** The tracked paths, or why the index cannot be read (the caller walks the folder instead). */
export type IndexListing = { files: string[] } | { unreadable: string }

const SIGNATURE = 'DIRC'
/** ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each). */
const STAT_BYTES = 40
const EXTENDED_FLAG = 0x4000
const NAME_LENGTH_MASK = 0x0fff
/** A version-4 path is rebuilt from the one before it: cap each, and all of them together. */
const MAX_NAME_BYTES = 16 * 1024
const MAX_NAMES_PER_INDEX_BYTE = 8
const MODE_TYPE_MASK = 0o170000
const SPARSE_DIRECTORY = 0o040000
/** Extensions whose index lists only part of the entries: the rest live elsewhere. */
const PARTIAL_EXTENSIONS: Record<string, string> = {
  link: 'it is a split index (core.splitIndex)',
  sdir: 'it is a sparse index (index.sparse)'
}

/** Reads the index of the checkout at `root` (its `.git` a folder, or a `gitdir:` file). */
export function readGitIndex(root: string): IndexListing {
  const gitDir = findGitDir(root)
  if (typeof gitDir !== 'string') return gitDir
  const path = join(gitDir, 'index')
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return { unreadable: `${path} does not exist` }
  }
  if (!stat.isFile()) return { unreadable: `${path} is not a regular file` }
  if (stat.size > SOURCE_LOOKUP.maxGitIndexBytes) {
    return { unreadable: `${path} is larger than ${SOURCE_LOOKUP.maxGitIndexBytes} bytes` }
  }
  return parseGitIndex(readFileSync(path))
}

function findGitDir(root: string): string | { unreadable: string } {
  const dotGit = join(root, '.git')
  let stat
  try {
    stat = lstatSync(dotGit)
  } catch {
    return { unreadable: `${root} has no .git` }
  }
  if (stat.isDirectory()) return dotGit
  if (!stat.isFile() || stat.size > 4096) return { unreadable: `${dotGit} is not a git folder` }
  // A worktree or a submodule: `gitdir: <path>`, relative to the checkout.
  const match = /^gitdir: ?(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))
  if (!match) return { unreadable: `${dotGit} names no gitdir` }
  return isAbsolute(match[1]) ? match[1] : resolve(root, match[1])
}

/** The paths of an index file's entries; every length is checked against the buffer. */
export function parseGitIndex(data: Buffer): IndexListing {
  if (data.length < 12 || data.toString('latin1', 0, 4) !== SIGNATURE) {
    return { unreadable: 'the index does not start with DIRC' }
  }
  const version = data.readUInt32BE(4)
  if (version < 2 || version > 4) return { unreadable: `index version ${version} is unknown` }
  // The file ends with its own checksum, whose length says SHA-1 or SHA-256.
  let reason = 'its checksum matches neither SHA-1 nor SHA-256'
  for (const [algorithm, hashBytes] of [
    ['sha1', 20],
    ['sha256', 32]
  ] as const) {
    if (data.length < 12 + hashBytes || !checksumMatches(data, algorithm, hashBytes)) continue
    const entries = readEntries(data, version, hashBytes)
    if ('files' in entries) return entries
    reason = entries.unreadable
  }
  return { unreadable: reason }
}

function checksumMatches(data: Buffer, algorithm: string, hashBytes: number): boolean {
  const body = data.subarray(0, data.length - hashBytes)
  const stored = data.subarray(data.length - hashBytes)
  // index.skipHash writes zeros instead of the checksum.
  if (stored.every(byte => byte === 0)) return true
  return createHash(algorithm).update(body).digest().equals(stored)
}

function readEntries(data: Buffer, version: number, hashBytes: number): IndexListing {
  const end = data.length - hashBytes
  const count = data.readUInt32BE(8)
  const broken = { unreadable: 'an entry runs past the end of the index' }
  const files = new Set<string>()
  let offset = 12
  let previous: Buffer = Buffer.alloc(0)
  let nameBytes = 0
  for (let i = 0; i < count; i++) {
    const start = offset
    const flagsAt = start + STAT_BYTES + hashBytes
    if (flagsAt + 2 > end) return broken
    const mode = data.readUInt32BE(start + 24)
    const flags = data.readUInt16BE(flagsAt)
    offset = flagsAt + 2 + (version >= 3 && flags & EXTENDED_FLAG ? 2 : 0)
    let name: Buffer
    if (version === 4) {
      // The path is the previous one, less `strip` bytes at its end, plus a NUL-ended suffix.
      const strip = readVarint(data, offset, end)
      if (!strip || strip.value > previous.length) return broken
      const nul = data.indexOf(0, strip.next)
      if (nul < 0 || nul >= end) return broken
      name = Buffer.concat([
        previous.subarray(0, previous.length - strip.value),
        data.subarray(strip.next, nul)
      ])
      offset = nul + 1
    } else {
      const length = flags & NAME_LENGTH_MASK
      const nul = data.indexOf(0, offset + (length === NAME_LENGTH_MASK ? length : 0))
      if (nul < 0 || nul >= end || (length < NAME_LENGTH_MASK && nul !== offset + length)) {
        return broken
      }
      name = data.subarray(offset, nul)
      // Each entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
      offset = start + ((nul - start + 8) & ~7)
      if (offset > end) return broken
    }
    nameBytes += name.length
    // A hostile version-4 index can make each path one byte longer than the last.
    if (name.length > MAX_NAME_BYTES || nameBytes > MAX_NAMES_PER_INDEX_BYTE * data.length) {
      return { unreadable: 'its paths are longer than any checkout holds' }
    }
    previous = name
    if ((mode & MODE_TYPE_MASK) !== SPARSE_DIRECTORY) files.add(name.toString('utf8'))
  }
  // Extensions: a 4-byte signature and a 4-byte length each, up to the checksum.
  while (offset + 8 <= end) {
    const signature = data.toString('latin1', offset, offset + 4)
    if (PARTIAL_EXTENSIONS[signature]) return { unreadable: PARTIAL_EXTENSIONS[signature] }
    offset += 8 + data.readUInt32BE(offset + 4)
  }
  if (offset !== end) return { unreadable: 'its extensions do not end at the checksum' }
  return { files: [...files] }
}

/** git's offset varint: each continuation adds one before shifting, so encodings are unique. */
function readVarint(data: Buffer, at: number, end: number): { value: number; next: number } | null {
  if (at >= end) return null
  let byte = data[at++]
  let value = byte & 0x7f
  while (byte & 0x80) {
    if (at >= end || value > MAX_NAME_BYTES) return null
    byte = data[at++]
    value = (value + 1) * 128 + (byte & 0x7f)
  }
  return { value, next: at }
}
