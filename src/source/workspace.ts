import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { SOURCE_LOOKUP } from '../constants.js'
import { messageOf } from '../errors.js'
import type { Verdict } from '../gate.js'
import type { BacktraceResult } from '../model.js'
import {
  placeableSignatures,
  placeSignatures,
  type SourceLookup,
  type WorkspaceFiles
} from './locate.js'

/**
 * The checked-out files under `root`: the tracked ones (`git ls-files`) in a git checkout, else
 * every file found by a bounded walk. Vendored folders are left to the matcher, which skips them
 * whichever way the files were listed.
 */
async function listWorkspaceFiles(
  root: string,
  debug: (line: string) => void = () => {}
): Promise<WorkspaceFiles> {
  if (!isDirectory(root)) return { none: `the workspace ${root} does not exist` }
  if (existsSync(join(root, '.git'))) {
    try {
      const files = await gitLsFiles(root)
      if (files.length) return { files }
    } catch (error) {
      debug(
        `git ls-files failed in ${root}, so the workspace is walked instead: ${messageOf(error)}`
      )
    }
  }
  const files = walk(root)
  return files.length ? { files } : { none: `the workspace ${root} is empty` }
}

async function gitLsFiles(root: string): Promise<string[]> {
  // Loaded here, not at start-up: only a run with a blamed source frame needs a child process.
  const { execFile } = await import('node:child_process')
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      'git',
      // The runner's checkout may belong to another user (a container job): listing is safe.
      ['-c', `safe.directory=${root}`, '-C', root, 'ls-files', '-z', '--cached'],
      {
        encoding: 'utf8',
        maxBuffer: SOURCE_LOOKUP.maxGitOutputBytes,
        timeout: SOURCE_LOOKUP.gitTimeoutMs,
        windowsHide: true
      },
      (error, out) => (error ? reject(error) : resolve(out))
    )
  )
  return stdout.split('\0').filter(Boolean)
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
    () => listWorkspaceFiles(root, debug)
  )
}
