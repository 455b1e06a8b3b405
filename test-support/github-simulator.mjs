// @ts-check
// GitHub REST simulator for the issue-comment endpoints a sticky PR comment
// uses: list (paged with Link headers), create, update and delete, with GitHub's
// error bodies, the 65,536-character body limit and a read-only token mode; and the Git Data
// API a data branch is written with (./git-data.mjs), where a token may lack `contents: write`.
import { randomBytes } from 'node:crypto'
import { gitData } from './git-data.mjs'
import { createServer, criticalPath } from './sim-core.mjs'

const REPOSITORY_ID = 123456789
const MAX_BODY_LENGTH = 65536
const MAX_PER_PAGE = 100
const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
const DOCS = {
  list: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
  create: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  update: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
  delete: 'https://docs.github.com/rest/issues/comments#delete-an-issue-comment'
}

/**
 * @typedef {import('./sim-core.mjs').SimResponse} SimResponse
 * @typedef {import('./sim-core.mjs').SimContext} SimContext
 * @typedef {import('./sim-core.mjs').TimelineEntry} TimelineEntry
 * @typedef {'normal' | 'forbidden'} GithubMode forbidden: writes get 403, like a fork PR's read-only token
 * @typedef {{ login: string, type: string, id?: number }} GithubUser
 * @typedef {{
 *   id: number, node_id: string, url: string, html_url: string, issue_url: string, body: string,
 *   user: { login: string, id: number, type: string }, created_at: string, updated_at: string,
 *   author_association: string
 * }} IssueComment
 * @typedef {{
 *   token: string, repo?: string, perPage?: number, latencyMs?: number, mode?: GithubMode,
 *   contents?: 'write' | 'read' | 'none', emptyRepository?: boolean, maxTreeEntries?: number
 * }} GithubSimulatorOptions
 *   perPage: page size when the client sends no per_page (GitHub's is 30).
 *   contents: the token's `contents` permission; `read` answers Git Data writes with 403, and
 *   `none` (a job's `permissions: {}`) every Git Data request.
 *   emptyRepository: no commit at all (GitHub answers a ref lookup with 409); else `main` exists.
 * @typedef {{
 *   url: string, close: () => Promise<void>, timeline: TimelineEntry[],
 *   faults: import('./sim-core.mjs').SimServer['faults'], criticalPath: () => number,
 *   setLatency: (ms: number) => void,
 *   comments: (prNumber: number) => IssueComment[],
 *   seedComment: (prNumber: number, comment: { body: string, user: GithubUser }) => IssueComment,
 *   setMode: (mode: GithubMode) => void,
 *   git: import('./git-data.mjs').GitData,
 *   setContents: (permission: 'write' | 'read' | 'none') => void
 * }} GithubSimulator
 */

/**
 * @param {GithubSimulatorOptions} options
 * @returns {Promise<GithubSimulator>}
 */
export async function startGithubSimulator({
  token,
  repo = 'acme/app',
  perPage = 30,
  latencyMs = 0,
  mode = 'normal',
  contents = 'write',
  emptyRepository = false,
  maxTreeEntries
}) {
  /** @type {Map<number, IssueComment[]>} comments by issue/PR number, oldest first */
  const threads = new Map()
  let currentMode = mode
  let nextCommentId = 1000000001
  let rateRemaining = 5000
  /** @type {string} */
  let origin
  let contentsPermission = contents
  const git = gitData({
    origin: () => origin,
    repo,
    ...(maxTreeEntries === undefined ? {} : { maxTreeEntries })
  })
  if (!emptyRepository) git.seed('main', { 'README.md': '# app\n' }, 'Initial commit')

  /** @param {number} number */
  function thread(number) {
    let comments = threads.get(number)
    if (!comments) threads.set(number, (comments = []))
    return comments
  }

  /**
   * @param {number} number
   * @param {string} body
   * @param {{ login: string, id: number, type: string }} user
   */
  function addComment(number, body, user) {
    const id = nextCommentId++
    const now = timestamp()
    /** @type {IssueComment} */
    const comment = {
      id,
      node_id: `IC_kwDO${randomBytes(9).toString('base64url')}`,
      url: `${origin}/repos/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${repo}/pull/${number}#issuecomment-${id}`,
      issue_url: `${origin}/repos/${repo}/issues/${number}`,
      body,
      user: { login: user.login, id: user.id, type: user.type },
      created_at: now,
      updated_at: now,
      author_association: user.type === 'Bot' ? 'NONE' : 'MEMBER'
    }
    thread(number).push(comment)
    return comment
  }

  /** @param {SimContext} ctx */
  function handle(ctx) {
    if (!authorized(ctx.headers.authorization, token)) {
      return githubError(401, 'Bad credentials', 'https://docs.github.com/rest')
    }
    const gitPrefix = `/repos/${repo}/git/`
    if (ctx.path.toLowerCase().startsWith(gitPrefix.toLowerCase())) {
      const permission = currentMode === 'forbidden' ? 'read' : contentsPermission
      const answer = git.handle(ctx, ctx.path.slice(gitPrefix.length), permission)
      return answer ?? githubError(404, 'Not Found', 'https://docs.github.com/rest/git')
    }
    const route = parseRoute(ctx.path, repo)
    if (!route) return githubError(404, 'Not Found', 'https://docs.github.com/rest')
    const write = ctx.method === 'POST' || ctx.method === 'PATCH' || ctx.method === 'DELETE'
    if (write && currentMode === 'forbidden') {
      return githubError(
        403,
        'Resource not accessible by integration',
        route.kind === 'issue' ? DOCS.create : DOCS.update
      )
    }
    if (route.kind === 'issue' && ctx.method === 'GET') return listComments(ctx, route.number)
    if (route.kind === 'issue' && ctx.method === 'POST') {
      const body = commentBody(ctx.body, DOCS.create)
      return typeof body === 'string' ? created(addComment(route.number, body, BOT)) : body
    }
    if (route.kind === 'comment' && ctx.method === 'PATCH') {
      const comment = [...threads.values()].flat().find(c => c.id === route.id)
      if (!comment) return githubError(404, 'Not Found', DOCS.update)
      const body = commentBody(ctx.body, DOCS.update)
      if (typeof body !== 'string') return body
      Object.assign(comment, { body, updated_at: timestamp() })
      return json(200, comment)
    }
    if (route.kind === 'comment' && ctx.method === 'DELETE') {
      for (const comments of threads.values()) {
        const index = comments.findIndex(c => c.id === route.id)
        if (index >= 0) {
          comments.splice(index, 1)
          return { status: 204 }
        }
      }
      return githubError(404, 'Not Found', DOCS.delete)
    }
    return githubError(404, 'Not Found', 'https://docs.github.com/rest')
  }

  /**
   * @param {SimContext} ctx
   * @param {number} number
   */
  function listComments(ctx, number) {
    // Like GitHub: per_page above 100 is capped, nonsense falls back to the default.
    const size = Math.min(positiveInteger(ctx.query.per_page) ?? perPage, MAX_PER_PAGE)
    const page = positiveInteger(ctx.query.page) ?? 1
    const all = thread(number)
    const last = Math.max(1, Math.ceil(all.length / size))
    // GitHub's Link header points at the repository-id form of the path.
    const link = (/** @type {number} */ p) =>
      `${origin}/repositories/${REPOSITORY_ID}/issues/${number}/comments?per_page=${size}&page=${p}`
    const rels = [
      page > 1 && `<${link(page - 1)}>; rel="prev"`,
      page < last && `<${link(page + 1)}>; rel="next"`,
      page < last && `<${link(last)}>; rel="last"`,
      page > 1 && `<${link(1)}>; rel="first"`
    ].filter(Boolean)
    const response = json(200, all.slice((page - 1) * size, page * size))
    return rels.length
      ? { ...response, headers: { ...response.headers, link: rels.join(', ') } }
      : response
  }

  /** @param {SimContext} ctx */
  function onRequest(ctx) {
    rateRemaining = Math.max(0, rateRemaining - 1)
    ctx.entry.requestId = `${randomBytes(2).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}`
    return {
      'x-github-request-id': String(ctx.entry.requestId),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(rateRemaining),
      'x-ratelimit-used': String(5000 - rateRemaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28'
    }
  }

  const server = await createServer(handle, { latencyMs, onRequest })
  origin = server.url
  return {
    ...server,
    criticalPath: () => criticalPath(server.timeline),
    comments: number => thread(number).map(c => ({ ...c, user: { ...c.user } })),
    seedComment: (number, { body, user }) =>
      addComment(number, body, { id: 1000 + thread(number).length, ...user }),
    setMode: next => void (currentMode = next),
    git,
    setContents: permission => void (contentsPermission = permission)
  }
}

/**
 * `/repos/{owner}/{repo}/…` for the simulated repository, or the
 * `/repositories/{id}/…` form that GitHub's Link headers use.
 * @param {string} path
 * @param {string} repo
 * @returns {{ kind: 'issue', number: number } | { kind: 'comment', id: number } | undefined}
 */
function parseRoute(path, repo) {
  const prefixes = [`/repos/${repo}/`, `/repositories/${REPOSITORY_ID}/`]
  const prefix = prefixes.find(p => path.toLowerCase().startsWith(p.toLowerCase()))
  if (!prefix) return undefined
  const rest = path.slice(prefix.length)
  const issue = /^issues\/(\d+)\/comments$/.exec(rest)
  if (issue) return { kind: 'issue', number: Number(issue[1]) }
  const comment = /^issues\/comments\/(\d+)$/.exec(rest)
  return comment ? { kind: 'comment', id: Number(comment[1]) } : undefined
}

/**
 * The `body` of a create/update request, or the error GitHub answers.
 * @param {string} raw
 * @param {string} documentation
 * @returns {string | SimResponse}
 */
function commentBody(raw, documentation) {
  let parsed
  try {
    parsed = JSON.parse(raw)
  } catch {
    return githubError(400, 'Problems parsing JSON', documentation)
  }
  if (typeof parsed?.body !== 'string') {
    return githubError(422, 'Invalid request.\n\n"body" wasn\'t supplied.', documentation)
  }
  if (parsed.body.length > MAX_BODY_LENGTH) {
    return json(422, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${MAX_BODY_LENGTH} characters)`
        }
      ],
      documentation_url: documentation,
      status: '422'
    })
  }
  return parsed.body
}

/** @param {string | undefined} header `token X` or `Bearer X` @param {string} token */
function authorized(header, token) {
  const match = /^(?:token|bearer) (\S+)$/i.exec(header ?? '')
  return match?.[1] === token
}

/**
 * @param {number} status
 * @param {unknown} body
 * @returns {SimResponse}
 */
function json(status, body) {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body)
  }
}

/** @param {IssueComment} comment */
function created(comment) {
  const response = json(201, comment)
  return { ...response, headers: { ...response.headers, location: comment.url } }
}

/**
 * @param {number} status
 * @param {string} message
 * @param {string} documentation
 */
function githubError(status, message, documentation) {
  return json(status, { message, documentation_url: documentation, status: String(status) })
}

/** GitHub timestamps have no milliseconds. */
function timestamp() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** @param {string | undefined} value */
function positiveInteger(value) {
  const number = Number(value)
  return Number.isInteger(number) && number > 0 ? number : undefined
}
