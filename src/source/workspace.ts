import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SOURCE_LOOKUP } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import type { BacktraceResult } from '../model.js'
import { readGitIndex } from './git-index.js'
import {
  placeableSignatures,
  placeSignatures,
  type SourceLookup,
  type WorkspaceFiles
} from './locate.js'

/**
 * The checked-out files under `root`: the tracked ones, read from git's index, in a git checkout;
 * else every file found by a bounded walk. Vendored folders are left to the matcher, which skips
 * them whichever way the files were listed. No program runs (see ./git-index.ts).
 */
function listWorkspaceFiles(
  root: string,
  debug: (line: string) => void = () => {}
): WorkspaceFiles {
  if (!isDirectory(root)) return { none: `the workspace ${root} does not exist` }
  if (existsSync(join(root, '.git'))) {
    const listing = readGitIndex(root)
    if ('files' in listing && listing.files.length) return { files: listing.files }
    debug(
      `The git index in ${root} was not read, so the workspace is walked instead: ${'unreadable' in listing ? listing.unreadable : 'it lists no file'}.`
    )
  }
  const files = walk(root)
  return files.length ? { files } : { none: `the workspace ${root} is empty` }
}

/** Breadth-first, without following links or entering .git and vendored folders. */
function walk(root: string): string[] {
  const skip = new Set<string>(['.git', ...SOURCE_LOOKUP.excludedDirs])
  const files: string[] = []
  const pending = ['']
  for (let dir = pending.shift(); dir !== undefined; dir = pending.shift()) {
    let entries
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true })
    } catch {
      continue // unreadable: nothing of ours to find there
    }
    for (const entry of entries) {
      const path = dir ? `${dir}/${entry.name}` : entry.name
      if (entry.isDirectory() && !skip.has(entry.name)) pending.push(path)
      else if (entry.isFile()) files.push(path)
      if (files.length >= SOURCE_LOOKUP.maxWalkedFiles) return files
    }
  }
  return files
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Places the verdict's signatures in the checkout at `root` (GITHUB_WORKSPACE on a runner). */
export function locateInWorkspace(
  verdict: Verdict,
  backtraces: ReadonlyMap<string, BacktraceResult>,
  root: string,
  debug?: (line: string) => void
): Promise<SourceLookup> {
  return placeSignatures(
    placeableSignatures(verdict.outcomes, verdict.regressions),
    backtraces,
    async () => listWorkspaceFiles(root, debug)
  )
}
