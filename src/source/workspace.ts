import { existsSync, opendirSync, statSync, type Dir } from 'node:fs'
import { join } from 'node:path'
import { SOURCE_LOOKUP } from '../constants.js'
import type { Verdict } from '../decision/verdict.js'
import type { BacktraceResult } from '../model.js'
import { groupDigits } from '../text.js'
import { readGitIndex } from './git-index.js'
import {
  placeableSignatures,
  placeSignatures,
  type SourceLookup,
  type WorkspaceFiles
} from './locate.js'

/** How the workspace is listed: where debug lines go, and when a walk must stop (performance.now()). */
export interface ListingOptions {
  debug?: (line: string) => void
  until?: number
}

/**
 * The checked-out files under `root`: the tracked ones, read from git's index, in a git checkout;
 * else every file found by a bounded walk. Vendored folders are left to the matcher, which skips
 * them whichever way the files were listed. No program runs (see ./git-index.ts).
 */
function listWorkspaceFiles(root: string, options: ListingOptions = {}): WorkspaceFiles {
  const debug = options.debug ?? (() => {})
  if (!isDirectory(root)) return { none: `the workspace ${root} does not exist` }
  if (existsSync(join(root, '.git'))) {
    const listing = readGitIndex(root)
    if ('files' in listing && listing.files.length) return { files: listing.files }
    debug(
      `The git index in ${root} was not read, so the workspace is walked instead: ${'unreadable' in listing ? listing.unreadable : 'it lists no file'}.`
    )
  }
  const budget = performance.now() + SOURCE_LOOKUP.walkBudgetMs
  const walked = walkWorkspace(
    root,
    options.until !== undefined && options.until < budget
      ? { at: options.until, what: `when 'timeout-minutes' ran out` }
      : { at: budget, what: `after ${SOURCE_LOOKUP.walkBudgetMs / 1000} s, its time limit` }
  )
  if (walked.stopped) {
    debug(`The walk of ${root} listed ${walked.files.length} files, then ${walked.stopped}.`)
    return { files: walked.files, incomplete: walked.stopped }
  }
  return walked.files.length ? { files: walked.files } : { none: `the workspace ${root} is empty` }
}

/** The files a walk found, and why it stopped before the end, if it did. */
export interface Walked {
  files: string[]
  stopped?: string
}

/**
 * Breadth-first, without following links or entering .git and vendored folders; bounded by files,
 * by folders and by `deadline.at` (a performance.now() time). Each folder is read an entry at a time,
 * so one folder of a million entries stops at the bound too, and the queue is an array read by
 * index: taking from its front would make a wide tree cost the square of its folders.
 */
export function walkWorkspace(root: string, deadline: { at: number; what: string }): Walked {
  const skip = new Set<string>(['.git', ...SOURCE_LOOKUP.excludedDirs])
  const { maxWalkedFiles, maxWalkedFolders } = SOURCE_LOOKUP
  const files: string[] = []
  const folders = [''] // the root, then every folder found; `next` is the one to read
  const stop = (why: string): Walked => ({
    files,
    stopped: `the walk of the workspace (it has no git index) stopped ${why}`
  })
  const late = (): boolean => performance.now() >= deadline.at
  const outOfTime = (): Walked => stop(deadline.what)
  let entries = 0
  for (let next = 0; next < folders.length; next++) {
    if (late()) return outOfTime()
    const dir = folders[next]
    let handle: Dir
    try {
      handle = opendirSync(join(root, dir))
    } catch {
      continue // unreadable: nothing of ours to find there
    }
    try {
      for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
        if (++entries % 1024 === 0 && late()) return outOfTime()
        const path = dir ? `${dir}/${entry.name}` : entry.name
        if (entry.isDirectory() && !skip.has(entry.name)) {
          if (folders.length > maxWalkedFolders) {
            return stop(`at its limit of ${groupDigits(maxWalkedFolders)} folders`)
          }
          folders.push(path)
        } else if (entry.isFile()) {
          if (files.length >= maxWalkedFiles) {
            return stop(`at its limit of ${groupDigits(maxWalkedFiles)} files`)
          }
          files.push(path)
        }
      }
    } catch {
      // A folder that fails midway: keep what it gave.
    } finally {
      handle.closeSync()
    }
  }
  return { files }
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
  options: ListingOptions = {}
): Promise<SourceLookup> {
  return placeSignatures(
    placeableSignatures(verdict.outcomes, verdict.regressions),
    backtraces,
    async () => listWorkspaceFiles(root, options)
  )
}
