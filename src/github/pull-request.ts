import { readFileSync } from 'node:fs'

export interface PullRequestTarget {
  owner: string
  repo: string
  number: number
  /**
   * A `pull_request` run for a head branch in another repository: GitHub gives it a read-only
   * token and no secrets. (`pull_request_target` runs for forks have a write token.)
   */
  fromFork: boolean
}

export type TargetLookup = { target: PullRequestTarget } | { none: string }

interface EventPayload {
  pull_request?: { number?: number; head?: { repo?: { full_name?: string } | null } }
}

/**
 * The pull request to comment on: `pr-number` when given, else the one in a
 * `pull_request` or `pull_request_target` payload. Read from the runner's environment
 * without loading @actions/github, which only a comment needs.
 */
export function findPullRequest(prNumber: number | undefined, env = process.env): TargetLookup {
  const repository = env.GITHUB_REPOSITORY ?? ''
  const [owner, repo] = repository.split('/')
  if (!owner || !repo) return { none: 'GITHUB_REPOSITORY is not set (not on a runner)' }
  const payload = readPayload(env.GITHUB_EVENT_PATH)
  const event = env.GITHUB_EVENT_NAME ?? 'unknown'
  const pull = payload.pull_request
  const readOnly = (p: EventPayload['pull_request']): boolean =>
    event === 'pull_request' && isFork(p, repository)
  if (prNumber !== undefined) {
    const samePull = pull?.number === prNumber
    return {
      target: { owner, repo, number: prNumber, fromFork: samePull && readOnly(pull) }
    }
  }
  if (typeof pull?.number !== 'number') {
    return { none: `the '${event}' event has no pull request and 'pr-number' is empty` }
  }
  return { target: { owner, repo, number: pull.number, fromFork: readOnly(pull) } }
}

/**
 * The number of the pull request when this run is a `pull_request` event for a fork's head
 * branch, which GitHub runs without the repository's secrets; undefined otherwise.
 */
export function forkPullRequest(env = process.env): number | undefined {
  if (env.GITHUB_EVENT_NAME !== 'pull_request') return undefined
  const pull = readPayload(env.GITHUB_EVENT_PATH).pull_request
  const repository = env.GITHUB_REPOSITORY ?? ''
  return typeof pull?.number === 'number' && repository && isFork(pull, repository)
    ? pull.number
    : undefined
}

function isFork(pull: EventPayload['pull_request'], repository: string): boolean {
  const head = pull?.head?.repo?.full_name
  // A deleted fork has no head repository: still not ours.
  return head === undefined || head === null
    ? pull?.head?.repo === null
    : head.toLowerCase() !== repository.toLowerCase()
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload
  } catch {
    return {}
  }
}
