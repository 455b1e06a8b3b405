import { foldersToPrune, withRun, type IndexEntry, type VersionIndex } from './layout.js'

// The guard's history on a data branch, written through GitHub's Git Data API: each run adds
// its record and the version's index in one commit (blobs, a tree on the head's tree, a commit,
// the ref). A ref update that loses a race is read again and retried, a bounded number of times;
// a write that cannot be made is a warning, never the run's failure.

/** One GitHub REST call: its status and parsed JSON body. */
export type GitHubCall = (
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown
) => Promise<{ status: number; body: unknown }>

export interface AppendRun {
  branch: string
  /** `<app>-<platform>/<version>`, from layout.ts. */
  folder: string
  version: string
  /** The record's file under the folder, and its text. */
  file: string
  record: string
  entry: IndexEntry
  /** Version folders kept under the app's folder, this one included. */
  keepVersions: number
}

export type AppendResult =
  { ok: true; commit: string; attempts: number; pruned: string[] } | { ok: false; warning: string }

/** Tries a write this many times: one, then a retry per race lost. */
export const HISTORY_ATTEMPTS = 4

/** Appends one run's record to the branch; creates the branch with its first record. */
export async function appendRun(call: GitHubCall, run: AppendRun): Promise<AppendResult> {
  for (let attempt = 1; attempt <= HISTORY_ATTEMPTS; attempt++) {
    const outcome = await attemptAppend(call, run)
    if (outcome !== 'race') return outcome.ok ? { ...outcome, attempts: attempt } : outcome
  }
  return {
    ok: false,
    warning: `The run's record was not written to the '${run.branch}' branch: ${HISTORY_ATTEMPTS} other runs updated it first; the next run writes its own.`
  }
}

type Attempt =
  'race' | { ok: true; commit: string; pruned: string[] } | { ok: false; warning: string }

async function attemptAppend(call: GitHubCall, run: AppendRun): Promise<Attempt> {
  const ref = await call('GET', `git/ref/heads/${run.branch}`)
  const exists = ref.status === 200
  if (!exists && ref.status !== 404 && ref.status !== 409) return failure(run, 'read', ref)
  const head = exists ? string(object(object(ref.body).object).sha) : undefined
  const base = head ? await headTree(call, head) : undefined
  if (head && !base) return { ok: false, warning: unreadable(run) }

  const listing = base ? await call('GET', `git/trees/${base}?recursive=1`) : undefined
  const entries = listing?.status === 200 ? list(object(listing.body).tree) : []
  const index = await readIndex(call, entries, `${run.folder}/index.json`, run.version)
  const appFolder = run.folder.slice(0, run.folder.lastIndexOf('/'))
  const versions = [
    ...new Set(
      entries
        .map(e => string(object(e).path) ?? '')
        .filter(path => path.startsWith(`${appFolder}/`))
        .map(path => path.slice(appFolder.length + 1).split('/')[0])
    )
  ]
  const pruned = foldersToPrune(versions, run.version, run.keepVersions)
  const files = [
    { path: `${run.folder}/${run.file}`, content: run.record },
    {
      path: `${run.folder}/index.json`,
      content: `${JSON.stringify(withRun(index, run.entry), null, 2)}\n`
    }
  ]
  const tree = await call('POST', 'git/trees', {
    ...(base ? { base_tree: base } : {}),
    tree: [
      ...files.map(f => ({ path: f.path, mode: '100644', type: 'blob', content: f.content })),
      ...pruned.map(v => ({ path: `${appFolder}/${v}`, mode: '040000', type: 'tree', sha: null }))
    ]
  })
  if (tree.status !== 201) return failure(run, 'write', tree)
  const commit = await call('POST', 'git/commits', {
    message: `asc-diagnostics-gate: ${run.folder}/${run.file}`,
    tree: string(object(tree.body).sha),
    parents: head ? [head] : []
  })
  if (commit.status !== 201) return failure(run, 'write', commit)
  const sha = string(object(commit.body).sha) ?? ''
  const moved = head
    ? await call('PATCH', `git/refs/heads/${run.branch}`, { sha, force: false })
    : await call('POST', 'git/refs', { ref: `refs/heads/${run.branch}`, sha })
  // Another run moved the branch (or created it) since it was read: read it again.
  if (moved.status === 422 || moved.status === 409) return 'race'
  if (moved.status !== 200 && moved.status !== 201) return failure(run, 'write', moved)
  return { ok: true, commit: sha, pruned }
}

async function headTree(call: GitHubCall, head: string): Promise<string | undefined> {
  const commit = await call('GET', `git/commits/${head}`)
  return commit.status === 200 ? string(object(object(commit.body).tree).sha) : undefined
}

/** The version's index from the listing, or a new one. */
async function readIndex(
  call: GitHubCall,
  entries: unknown[],
  path: string,
  version: string
): Promise<VersionIndex> {
  const entry = entries.map(object).find(e => e.path === path)
  const sha = string(entry?.sha)
  if (!sha) return { version, runs: [] }
  const blob = await call('GET', `git/blobs/${sha}`)
  try {
    const text = Buffer.from(string(object(blob.body).content) ?? '', 'base64').toString('utf8')
    const parsed = object(JSON.parse(text))
    return { version, runs: list(parsed.runs) as IndexEntry[] }
  } catch {
    // A damaged index is started again: the records themselves are all still there.
    return { version, runs: [] }
  }
}

function failure(
  run: AppendRun,
  step: 'read' | 'write',
  answer: { status: number; body: unknown }
) {
  const message = string(object(answer.body).message)
  const permission =
    answer.status === 403 || answer.status === 404
      ? step === 'write'
        ? " The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history."
        : " The workflow's token needs 'contents: read' at least."
      : ''
  return {
    ok: false as const,
    warning: `The run's record was not written to the '${run.branch}' branch: GitHub answered HTTP ${answer.status}${message ? ` (${message.slice(0, 200)})` : ''}.${permission} The guard decided without history.`
  }
}

function unreadable(run: AppendRun): string {
  return `The run's record was not written to the '${run.branch}' branch: its head commit could not be read. The guard decided without history.`
}

function object(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
