import type { GitHubCall } from '../history/snapshot.js'
import type { RetryPolicy } from '../http/retry.js'
import type { Transport } from '../http/transport.js'
import { fetchOverTransport } from './fetch.js'

/**
 * Plain REST calls on one repository (`git/ref/heads/main` → `/repos/{owner}/{repo}/git/…`),
 * over the action's transport and retries, with the token sent only to the API's origin. The
 * data branch needs a handful of Git Data calls: Octokit would add start-up time and nothing else.
 */
export function repositoryCalls(options: {
  token: string
  apiUrl: string
  repository: string
  send: Transport
  policy: RetryPolicy
  signal?: AbortSignal
}): GitHubCall {
  const base = options.apiUrl.replace(/\/+$/, '')
  const fetch = fetchOverTransport(options.send, options.policy, new URL(base).origin)
  return async (method, path, body) => {
    const response = await fetch(`${base}/repos/${options.repository}/${path}`, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${options.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'asc-diagnostics-gate',
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal ? { signal: options.signal } : {})
    })
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: response.status, body: parsed }
  }
}
