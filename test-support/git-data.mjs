// @ts-check
// GitHub's Git Data API for the simulator (issue 24: the guard's history on a data branch):
// blobs, trees (nested, `base_tree`, deletion by `sha: null`), commits and refs, with GitHub's
// answers for a missing branch, an empty repository, a ref update that is not a fast forward
// (the race two guards run), a token without `contents: write`, and a truncated tree listing.
// Objects are content-addressed as git does it (SHA-1 of "type size\0body").
import { createHash } from 'node:crypto'

const DOCS = {
  refs: 'https://docs.github.com/rest/git/refs',
  commits: 'https://docs.github.com/rest/git/commits',
  trees: 'https://docs.github.com/rest/git/trees',
  blobs: 'https://docs.github.com/rest/git/blobs'
}

/**
 * @typedef {import('./sim-core.mjs').SimResponse} SimResponse
 * @typedef {import('./sim-core.mjs').SimContext} SimContext
 * @typedef {{ path: string, mode: string, type: 'blob' | 'tree', sha: string }} TreeEntry
 * @typedef {{ kind: 'blob', content: Buffer }
 *   | { kind: 'tree', entries: TreeEntry[] }
 *   | { kind: 'commit', tree: string, parents: string[], message: string }} GitObject
 * @typedef {{
 *   handle: (ctx: SimContext, rest: string, permission: 'write' | 'read' | 'none') => SimResponse | undefined,
 *   refs: Map<string, string>,
 *   files: (branch: string) => Map<string, string>,
 *   commits: (branch: string) => string[],
 *   seed: (branch: string, files: Record<string, string>, message?: string) => string,
 *   protect: (branch: string) => void
 * }} GitData
 *   protect: a protected branch, whose ref updates GitHub answers with 422.
 */

/**
 * The repository's objects and refs, and the routes under `/repos/{owner}/{repo}/git/`.
 * @param {{ origin: () => string, repo: string, maxTreeEntries?: number }} options
 *   maxTreeEntries: a recursive tree listing longer than this is cut and says `truncated`
 *   (GitHub's limit is 100,000 entries).
 * @returns {GitData}
 */
export function gitData({ origin, repo, maxTreeEntries = 100_000 }) {
  /** @type {Map<string, GitObject>} */
  const objects = new Map()
  /** @type {Map<string, string>} refs/heads/… → commit sha */
  const refs = new Map()
  /** @type {Set<string>} refs a branch protection rule covers */
  const protectedRefs = new Set()

  /** @param {GitObject} object */
  function store(object) {
    const body =
      object.kind === 'blob'
        ? object.content
        : Buffer.from(
            object.kind === 'tree'
              ? JSON.stringify(object.entries)
              : JSON.stringify([object.tree, object.parents, object.message])
          )
    const sha = createHash('sha1')
      .update(`${object.kind} ${body.length}\0`)
      .update(body)
      .digest('hex')
    objects.set(sha, object)
    return sha
  }

  /** A tree from `paths` (path → blob sha), nested by folder. @param {Map<string, string>} paths */
  function buildTree(paths) {
    /** @type {Map<string, Map<string, string>>} */
    const folders = new Map()
    /** @type {TreeEntry[]} */
    const entries = []
    for (const [path, sha] of paths) {
      const slash = path.indexOf('/')
      if (slash < 0) {
        entries.push({ path, mode: '100644', type: 'blob', sha })
        continue
      }
      const folder = path.slice(0, slash)
      let inner = folders.get(folder)
      if (!inner) folders.set(folder, (inner = new Map()))
      inner.set(path.slice(slash + 1), sha)
    }
    for (const [folder, inner] of folders) {
      entries.push({ path: folder, mode: '040000', type: 'tree', sha: buildTree(inner) })
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    return store({ kind: 'tree', entries })
  }

  /** Every blob under a tree, by path. @param {string} sha @param {string} [prefix] */
  function flatten(sha, prefix = '') {
    /** @type {Map<string, string>} */
    const paths = new Map()
    const tree = objects.get(sha)
    if (tree?.kind !== 'tree') return paths
    for (const entry of tree.entries) {
      const path = `${prefix}${entry.path}`
      if (entry.type === 'tree')
        for (const [p, s] of flatten(entry.sha, `${path}/`)) paths.set(p, s)
      else paths.set(path, entry.sha)
    }
    return paths
  }

  /** Every entry under a tree, folders too, as GitHub's recursive listing gives them. @param {string} sha */
  function listing(sha, prefix = '') {
    /** @type {(TreeEntry & { size?: number })[]} */
    const out = []
    const tree = objects.get(sha)
    if (tree?.kind !== 'tree') return out
    for (const entry of tree.entries) {
      const path = `${prefix}${entry.path}`
      const object = objects.get(entry.sha)
      out.push({
        ...entry,
        path,
        ...(object?.kind === 'blob' ? { size: object.content.length } : {})
      })
      if (entry.type === 'tree') out.push(...listing(entry.sha, `${path}/`))
    }
    return out
  }

  const url = (/** @type {string} */ kind, /** @type {string} */ sha) =>
    `${origin()}/repos/${repo}/git/${kind}/${sha}`

  /** @param {string} sha */
  function commitJson(sha) {
    const commit = /** @type {Extract<GitObject, { kind: 'commit' }>} */ (objects.get(sha))
    return {
      sha,
      url: url('commits', sha),
      message: commit.message,
      tree: { sha: commit.tree, url: url('trees', commit.tree) },
      parents: commit.parents.map(p => ({ sha: p, url: url('commits', p) }))
    }
  }

  /** @param {string} ref */
  function refJson(ref) {
    const sha = /** @type {string} */ (refs.get(ref))
    return {
      ref,
      url: `${origin()}/repos/${repo}/git/${ref}`,
      object: { sha, type: 'commit', url: url('commits', sha) }
    }
  }

  /** @type {GitData['handle']} */
  function handle(ctx, rest, permission) {
    const write = ctx.method !== 'GET'
    if (permission === 'none' || (write && permission !== 'write')) {
      return error(403, 'Resource not accessible by integration', docsFor(rest))
    }
    const body = write ? parseBody(ctx.body) : {}
    if (body === undefined) return error(400, 'Problems parsing JSON', docsFor(rest))

    let match = /^ref\/(heads\/.+)$/.exec(rest)
    if (match && ctx.method === 'GET') {
      const ref = `refs/${match[1]}`
      if (refs.size === 0) return error(409, 'Git Repository is empty.', DOCS.refs)
      return refs.has(ref) ? json(200, refJson(ref)) : error(404, 'Not Found', DOCS.refs)
    }
    if (rest === 'refs' && ctx.method === 'POST') {
      const { ref, sha } = body
      if (typeof ref !== 'string' || !/^refs\/heads\/.+/.test(ref) || typeof sha !== 'string') {
        return error(422, 'Reference name is not valid', DOCS.refs)
      }
      if (objects.get(sha)?.kind !== 'commit') return error(422, 'Object does not exist', DOCS.refs)
      if (refs.has(ref)) return error(422, 'Reference already exists', DOCS.refs)
      refs.set(ref, sha)
      return json(201, refJson(ref))
    }
    match = /^refs\/(heads\/.+)$/.exec(rest)
    if (match && ctx.method === 'PATCH') {
      const ref = `refs/${match[1]}`
      const current = refs.get(ref)
      if (!current) return error(422, 'Reference does not exist', DOCS.refs)
      const { sha, force } = body
      if (typeof sha !== 'string' || objects.get(sha)?.kind !== 'commit') {
        return error(422, 'Object does not exist', DOCS.refs)
      }
      if (protectedRefs.has(ref)) {
        return error(422, `Protected branch update failed for ${ref}.`, DOCS.refs)
      }
      if (!force && !isAncestor(current, sha)) {
        return error(422, 'Update is not a fast forward', DOCS.refs)
      }
      refs.set(ref, sha)
      return json(200, refJson(ref))
    }
    match = /^commits\/([0-9a-f]{40})$/.exec(rest)
    if (match && ctx.method === 'GET') {
      return objects.get(match[1])?.kind === 'commit'
        ? json(200, commitJson(match[1]))
        : error(404, 'Not Found', DOCS.commits)
    }
    if (rest === 'commits' && ctx.method === 'POST') {
      const { message, tree, parents = [] } = body
      if (typeof message !== 'string' || typeof tree !== 'string' || !Array.isArray(parents)) {
        return error(422, 'Invalid request.', DOCS.commits)
      }
      if (objects.get(tree)?.kind !== 'tree')
        return error(422, 'Tree SHA does not exist', DOCS.commits)
      if (parents.some(p => objects.get(p)?.kind !== 'commit')) {
        return error(422, 'Parent SHA does not exist or is not a commit object', DOCS.commits)
      }
      const sha = store({ kind: 'commit', tree, parents, message })
      return json(201, commitJson(sha))
    }
    match = /^trees\/([0-9a-f]{40})$/.exec(rest)
    if (match && ctx.method === 'GET') {
      if (objects.get(match[1])?.kind !== 'tree') return error(404, 'Not Found', DOCS.trees)
      const all =
        ctx.query.recursive !== undefined
          ? listing(match[1])
          : /** @type {Extract<GitObject, { kind: 'tree' }>} */ (objects.get(match[1])).entries
      return json(200, {
        sha: match[1],
        url: url('trees', match[1]),
        tree: all.slice(0, maxTreeEntries),
        truncated: all.length > maxTreeEntries
      })
    }
    if (rest === 'trees' && ctx.method === 'POST') return createTree(body)
    if (rest === 'blobs' && ctx.method === 'POST') {
      const { content, encoding = 'utf-8' } = body
      if (typeof content !== 'string' || !['utf-8', 'base64'].includes(encoding)) {
        return error(422, 'Invalid request.', DOCS.blobs)
      }
      const sha = store({
        kind: 'blob',
        content: Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8')
      })
      return json(201, { sha, url: url('blobs', sha) })
    }
    match = /^blobs\/([0-9a-f]{40})$/.exec(rest)
    if (match && ctx.method === 'GET') {
      const blob = objects.get(match[1])
      if (blob?.kind !== 'blob') return error(404, 'Not Found', DOCS.blobs)
      return json(200, {
        sha: match[1],
        size: blob.content.length,
        url: url('blobs', match[1]),
        content: blob.content.toString('base64').replace(/(.{60})/g, '$1\n'),
        encoding: 'base64'
      })
    }
    return undefined
  }

  /** `POST …/git/trees`: `base_tree`, then each entry by path; `sha: null` deletes. @param {any} body */
  function createTree(body) {
    const { base_tree: base, tree } = body
    if (!Array.isArray(tree)) return error(422, 'Invalid tree info', DOCS.trees)
    if (base !== undefined && objects.get(base)?.kind !== 'tree') {
      return error(422, 'base_tree is not a valid tree oid', DOCS.trees)
    }
    const paths = base ? flatten(base) : new Map()
    for (const entry of tree) {
      if (
        typeof entry?.path !== 'string' ||
        entry.path.startsWith('/') ||
        entry.path.includes('//')
      ) {
        return error(422, 'tree.path contains a malformed path component', DOCS.trees)
      }
      if (entry.sha === null) {
        // A deleted folder takes everything under it.
        for (const path of [...paths.keys()]) {
          if (path === entry.path || path.startsWith(`${entry.path}/`)) paths.delete(path)
        }
        continue
      }
      if (typeof entry.content === 'string') {
        paths.set(entry.path, store({ kind: 'blob', content: Buffer.from(entry.content) }))
      } else if (typeof entry.sha === 'string' && objects.get(entry.sha)?.kind === 'blob') {
        paths.set(entry.path, entry.sha)
      } else {
        return error(422, `tree.sha ${String(entry.sha)} is not a valid blob`, DOCS.trees)
      }
    }
    const sha = buildTree(paths)
    return json(201, { sha, url: url('trees', sha), tree: listing(sha), truncated: false })
  }

  /** Whether `ancestor` is `sha` or reachable from it through parents. */
  function isAncestor(/** @type {string} */ ancestor, /** @type {string} */ sha) {
    const seen = new Set()
    const stack = [sha]
    while (stack.length) {
      const next = /** @type {string} */ (stack.pop())
      if (next === ancestor) return true
      if (seen.has(next)) continue
      seen.add(next)
      const commit = objects.get(next)
      if (commit?.kind === 'commit') stack.push(...commit.parents)
    }
    return false
  }

  return {
    handle,
    refs,
    files: branch => {
      const head = refs.get(`refs/heads/${branch}`)
      const commit = head ? objects.get(head) : undefined
      /** @type {Map<string, string>} */
      const out = new Map()
      if (commit?.kind !== 'commit') return out
      for (const [path, sha] of flatten(commit.tree)) {
        const blob = objects.get(sha)
        if (blob?.kind === 'blob') out.set(path, blob.content.toString('utf8'))
      }
      return out
    },
    commits: branch => {
      const out = []
      let sha = refs.get(`refs/heads/${branch}`)
      while (sha) {
        out.push(sha)
        const commit = objects.get(sha)
        sha = commit?.kind === 'commit' ? commit.parents[0] : undefined
      }
      return out
    },
    protect: branch => void protectedRefs.add(`refs/heads/${branch}`),
    seed: (branch, files, message = 'seed') => {
      const paths = new Map(
        Object.entries(files).map(([path, text]) => [
          path,
          store({ kind: 'blob', content: Buffer.from(text) })
        ])
      )
      const head = refs.get(`refs/heads/${branch}`)
      const tree = buildTree(paths)
      const sha = store({ kind: 'commit', tree, parents: head ? [head] : [], message })
      refs.set(`refs/heads/${branch}`, sha)
      return sha
    }
  }
}

/** @param {string} rest */
function docsFor(rest) {
  const kind = rest.split('/')[0]
  return kind === 'ref' || kind === 'refs'
    ? DOCS.refs
    : (/** @type {Record<string, string>} */ (DOCS)[kind] ?? 'https://docs.github.com/rest/git')
}

/** @param {string} raw */
function parseBody(raw) {
  try {
    const parsed = JSON.parse(raw || '{}')
    return parsed && typeof parsed === 'object' ? parsed : undefined
  } catch {
    return undefined
  }
}

/** @param {number} status @param {unknown} body @returns {SimResponse} */
function json(status, body) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body)
  }
}

/** @param {number} status @param {string} message @param {string} documentation */
function error(status, message, documentation) {
  return json(status, { message, documentation_url: documentation, status: String(status) })
}
