import { HISTORY, PHASED_RELEASE } from '../constants.js'
import { isObject } from '../asc/jsonapi.js'
import { FINDING_KINDS } from '../decision/findings.js'
import { METRIC_DEVICE, METRIC_IDENTIFIER } from '../metrics/model.js'
import { compareVersions, isVersion } from '../versions.js'
import type { IndexEntry, RecordedValue, VersionIndex } from './layout.js'

// What the data branch holds for one app and version, read through the Git Data API: the head
// commit and its tree (a write builds on them), the version folders (for pruning and the
// previous version), and the indexes of this version and the previous one. Anyone who can push
// to the branch can write it, so every index entry is checked like App Store Connect's text.

/** One GitHub REST call: its status and parsed JSON body. */
export type GitHubCall = (
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown
) => Promise<{ status: number; body: unknown }>

export interface Snapshot {
  /** The branch's head commit, and its tree; undefined before the branch exists. */
  head?: string
  tree?: string
  /** The version folders under the app's folder. */
  versions: string[]
  current: VersionIndex
  previous?: VersionIndex
}

/** A GitHub answer the history could not use: which step, and what GitHub said. */
export interface Refusal {
  step: 'read' | 'write'
  status: number
  message?: string
}

export type SnapshotRead = { ok: true; snapshot: Snapshot } | { ok: false; refusal: Refusal }

/** The branch's head commit and root folder: what a run can read before it knows its version. */
export interface Head {
  head?: string
  tree?: string
  root: TreeEntry[]
}

export type HeadRead = { ok: true; at: Head } | { ok: false; refusal: Refusal }

/** The head and its root folder: 3 round trips, 1 when the branch does not exist yet. */
export async function readHead(call: GitHubCall, branch: string): Promise<HeadRead> {
  const ref = await call('GET', `git/ref/heads/${branch}`)
  // 404: no such branch yet; 409: a repository without a single commit.
  if (ref.status === 404 || ref.status === 409) return { ok: true, at: { root: [] } }
  if (ref.status !== 200) return { ok: false, refusal: refusalOf(ref) }
  const head = sha(object(object(ref.body).object).sha)
  const commit = head && (await call('GET', `git/commits/${head}`))
  if (!commit || commit.status !== 200) return { ok: false, refusal: refusalOf(commit || ref) }
  const tree = sha(object(object(commit.body).tree).sha)
  if (!tree) return { ok: false, refusal: refusalOf(commit) }
  const root = await entries(call, tree)
  if ('refusal' in root) return { ok: false, refusal: root.refusal }
  return { ok: true, at: { head, tree, root: root.list } }
}

/**
 * From the head, the app's version folders and the indexes of `version` and the one before it:
 * 3 round trips (the app's folder, the two version folders, their indexes), none for a new app.
 */
export async function readVersions(
  call: GitHubCall,
  at: Head,
  appFolder: string,
  version: string
): Promise<SnapshotRead> {
  const snapshot: Snapshot = {
    ...(at.head ? { head: at.head, tree: at.tree } : {}),
    versions: [],
    current: { version, runs: [] }
  }
  const app = at.root.find(e => e.path === appFolder && e.type === 'tree')
  if (!app) return { ok: true, snapshot }
  const folders = await entries(call, app.sha)
  if ('refusal' in folders) return { ok: false, refusal: folders.refusal }
  const versions = folders.list.filter(e => e.type === 'tree').map(e => e.path)
  const previousVersion = versions
    .filter(v => isVersion(v) && isVersion(version) && compareVersions(v, version) < 0)
    .sort(compareVersions)
    .at(-1)
  const byName = new Map(folders.list.map(e => [e.path, e.sha]))
  const [current, previous] = await Promise.all([
    versionIndex(call, byName.get(version), version),
    previousVersion ? versionIndex(call, byName.get(previousVersion), previousVersion) : undefined
  ])
  if ('refusal' in current) return { ok: false, refusal: current.refusal }
  if (previous && 'refusal' in previous) return { ok: false, refusal: previous.refusal }
  return {
    ok: true,
    snapshot: { ...snapshot, versions, current, ...(previous ? { previous } : {}) }
  }
}

/** The whole read, as a write that lost a race does it again. */
export async function readSnapshot(
  call: GitHubCall,
  branch: string,
  appFolder: string,
  version: string
): Promise<SnapshotRead> {
  const head = await readHead(call, branch)
  return head.ok ? readVersions(call, head.at, appFolder, version) : head
}

interface TreeEntry {
  path: string
  type: string
  sha: string
}

async function entries(
  call: GitHubCall,
  tree: string
): Promise<{ list: TreeEntry[] } | { refusal: Refusal }> {
  const answer = await call('GET', `git/trees/${tree}`)
  if (answer.status !== 200) return { refusal: refusalOf(answer) }
  const list = array(object(answer.body).tree).flatMap(value => {
    const e = object(value)
    const path = typeof e.path === 'string' ? e.path : undefined
    const id = sha(e.sha)
    return path && id && typeof e.type === 'string' ? [{ path, type: e.type, sha: id }] : []
  })
  return { list }
}

/** A version's index, or an empty one when it has none (or one that is not an index). */
async function versionIndex(
  call: GitHubCall,
  folder: string | undefined,
  version: string
): Promise<VersionIndex | { refusal: Refusal }> {
  const none: VersionIndex = { version, runs: [] }
  if (!folder) return none
  const listed = await entries(call, folder)
  if ('refusal' in listed) return listed
  const index = listed.list.find(e => e.path === 'index.json' && e.type === 'blob')
  if (!index) return none
  const blob = await call('GET', `git/blobs/${index.sha}`)
  if (blob.status !== 200) return { refusal: refusalOf(blob) }
  const content = object(blob.body).content
  try {
    const text = Buffer.from(typeof content === 'string' ? content : '', 'base64').toString('utf8')
    return { version, runs: indexEntries(JSON.parse(text)) }
  } catch {
    // A damaged index reads as none: the records themselves are still on the branch.
    return none
  }
}

/** The entries of an index file that are what a run writes; anything else is left out. */
export function indexEntries(parsed: unknown): IndexEntry[] {
  const runs = array(object(parsed).runs).slice(-HISTORY.maxRunsPerVersion)
  return runs.flatMap(value => {
    const entry = indexEntry(value)
    return entry ? [entry] : []
  })
}

const FILE = /^runs\/[0-9TZ._-]{1,64}\.json$/
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/
const POPULATION = new RegExp(`^p(50|90) ${METRIC_DEVICE.source.slice(1)}`)
const FINDING = new RegExp(`^(${FINDING_KINDS.join('|')}) [A-Za-z0-9_:.-]{1,80}$`)
const STATES = ['INACTIVE', 'ACTIVE', 'PAUSED', 'COMPLETE', 'UNKNOWN']
const ACTIONS = ['paused', 'would-pause', 'none']

/** One index entry, checked member by member; undefined when any member is not a run's. */
export function indexEntry(value: unknown): IndexEntry | undefined {
  const e = object(value)
  const text = (v: unknown, pattern: RegExp) => typeof v === 'string' && pattern.test(v)
  if (!text(e.file, FILE) || !text(e.generatedAt, TIME) || !text(e.population, POPULATION)) {
    return undefined
  }
  const day = e.day
  const dayOk =
    day === null ||
    (Number.isInteger(day) && (day as number) >= 1 && (day as number) <= PHASED_RELEASE.days)
  const stateOk = e.state === null || (typeof e.state === 'string' && STATES.includes(e.state))
  if (!dayOk || !stateOk || !ACTIONS.includes(e.action as string)) return undefined
  const findings = array(e.findings)
  if (findings.length > HISTORY.maxFindingsPerRun || !findings.every(f => text(f, FINDING)))
    return undefined
  const metrics = Object.entries(object(e.metrics))
  if (metrics.length > 20) return undefined
  const values: Record<string, RecordedValue | null> = {}
  for (const [name, raw] of metrics) {
    if (!METRIC_IDENTIFIER.test(name)) return undefined
    if (raw === null) {
      values[name] = null
      continue
    }
    const { value, errorMargin } = object(raw)
    if (!finite(value) || !finite(errorMargin) || errorMargin < 0) return undefined
    values[name] = { value, errorMargin }
  }
  return {
    file: e.file as string,
    generatedAt: e.generatedAt as string,
    day: day as number | null,
    state: e.state as string | null,
    metrics: values,
    population: e.population as string,
    findings: findings as string[],
    action: e.action as IndexEntry['action']
  }
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

export function refusalOf(
  answer: { status: number; body: unknown },
  step: Refusal['step'] = 'read'
) {
  const message = object(answer.body).message
  return {
    step,
    status: answer.status,
    ...(typeof message === 'string' ? { message } : {})
  }
}

/** An object's members, or none for anything else: GitHub's bodies are read member by member. */
export function object(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function sha(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value) ? value : undefined
}
