import { setTimeout as delay } from 'node:timers/promises'
import { HISTORY } from '../constants.js'
import { oneLine } from '../text.js'
import { foldersToPrune, withRun, type IndexEntry } from './layout.js'
import {
  object,
  readSnapshot,
  refusalOf,
  type GitHubCall,
  type Refusal,
  type Snapshot
} from './snapshot.js'

// The guard's history on a data branch, written through GitHub's Git Data API: each run adds
// its record and the version's index in one commit (a tree on the head's tree, a commit, the
// ref). A ref update that loses a race is read again and retried, a bounded number of times;
// a write that cannot be made is a warning, never the run's failure.

export interface AppendRun {
  branch: string
  /** `<app>-<platform>`, and the version's folder under it, from layout.ts. */
  appFolder: string
  version: string
  /** The record's file under the version's folder, and its text. */
  file: string
  record: string
  entry: IndexEntry
  /** Version folders kept under the app's folder, this one included. */
  keepVersions: number
}

export type AppendResult =
  { ok: true; commit: string; attempts: number; pruned: string[] } | { ok: false; warning: string }

/**
 * Appends one run's record to the branch, creating the branch with its first record. `first` is
 * the branch as the run read it: the first attempt builds on it, a retry reads it again.
 */
export async function appendRun(
  call: GitHubCall,
  run: AppendRun,
  first?: Snapshot
): Promise<AppendResult> {
  let snapshot = first
  for (let attempt = 1; attempt <= HISTORY.attempts; attempt++) {
    if (!snapshot) {
      const read = await readSnapshot(call, run.branch, run.appFolder, run.version)
      if (!read.ok) return { ok: false, warning: notWritten(run.branch, read.refusal) }
      snapshot = read.snapshot
    }
    const outcome = await attemptAppend(call, run, snapshot)
    if (outcome !== 'race') return outcome.ok ? { ...outcome, attempts: attempt } : outcome
    snapshot = undefined
    // Guards that started together would meet again at once: a short random wait apart.
    if (attempt < HISTORY.attempts) await delay(HISTORY.retryDelayMs * (1 + Math.random()))
  }
  return {
    ok: false,
    warning: `The run's record was not written to the '${run.branch}' branch: other runs updated it first ${HISTORY.attempts} times; the next run writes its own.`
  }
}

type Attempt =
  'race' | { ok: true; commit: string; pruned: string[] } | { ok: false; warning: string }

async function attemptAppend(call: GitHubCall, run: AppendRun, at: Snapshot): Promise<Attempt> {
  const folder = `${run.appFolder}/${run.version}`
  const pruned = foldersToPrune(at.versions, run.version, run.keepVersions)
  const index = withRun(at.current, run.entry)
  const files = [
    { path: `${folder}/${run.file}`, content: run.record },
    { path: `${folder}/index.json`, content: `${JSON.stringify(index, null, 2)}\n` }
  ]
  const tree = await call('POST', 'git/trees', {
    ...(at.tree ? { base_tree: at.tree } : {}),
    tree: [
      ...files.map(f => ({ path: f.path, mode: '100644', type: 'blob', content: f.content })),
      ...pruned.map(v => ({
        path: `${run.appFolder}/${v}`,
        mode: '040000',
        type: 'tree',
        sha: null
      }))
    ]
  })
  if (tree.status !== 201) return written(run, tree)
  const commit = await call('POST', 'git/commits', {
    message: `asc-diagnostics-gate: ${folder}/${run.file}`,
    tree: object(tree.body).sha,
    parents: at.head ? [at.head] : []
  })
  if (commit.status !== 201) return written(run, commit)
  const sha = String(object(commit.body).sha ?? '')
  const moved = at.head
    ? await call('PATCH', `git/refs/heads/${run.branch}`, { sha, force: false })
    : await call('POST', 'git/refs', { ref: `refs/heads/${run.branch}`, sha })
  if (moved.status !== 200 && moved.status !== 201) {
    // A lost race, only when another run did move the branch (or create it) since it was read;
    // a protected branch or a ruleset also answers 422, and that is GitHub's answer to give.
    const lost = (moved.status === 422 || moved.status === 409) && (await movedSince(call, run, at))
    return lost ? 'race' : written(run, moved)
  }
  return { ok: true, commit: sha, pruned }
}

async function movedSince(call: GitHubCall, run: AppendRun, at: Snapshot): Promise<boolean> {
  const ref = await call('GET', `git/ref/heads/${run.branch}`)
  if (ref.status !== 200) return false
  return object(object(ref.body).object).sha !== at.head
}

function written(run: AppendRun, answer: { status: number; body: unknown }) {
  return { ok: false as const, warning: notWritten(run.branch, refusalOf(answer, 'write')) }
}

/** The warning for a write that did not land, naming the permission when GitHub refused it. */
export function notWritten(branch: string, refusal: Refusal): string {
  return `The run's record was not written to the '${branch}' branch: ${github(refusal)}.${permissionHint(refusal)}`
}

/** "GitHub answered HTTP 403 (Resource not accessible by integration)". */
export function github(refusal: Refusal): string {
  const message = refusal.message ? ` (${oneLine(refusal.message, 200)})` : ''
  return `GitHub answered HTTP ${refusal.status}${message}`
}

/** GitHub answers a token without the permission with 403 (404 for a private repository). */
export function permissionHint(refusal: Refusal): string {
  if (refusal.status !== 403 && refusal.status !== 404) return ''
  return " The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history."
}
