import { isSafeToRepeat, RetriesExhausted, sendWithRetry, type RetryPolicy } from '../http/retry.js'
import type { HttpResponse, Method, Transport } from '../http/transport.js'

/**
 * A `fetch` for Octokit over the action's own transport: the same HTTP stack and the same
 * bounded retries as App Store Connect, and the token only ever sent to the API's origin.
 * A POST is repeated only when GitHub cannot have acted on it: a retried create that had in
 * fact landed would leave a second comment.
 */
export function fetchOverTransport(
  send: Transport,
  policy: RetryPolicy,
  origin: string
): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (url.origin !== origin) throw new Error(`refused to send the GitHub token to ${url.origin}`)
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    const method = (init.method ?? 'GET').toUpperCase() as Method
    let response: HttpResponse
    try {
      ;({ response } = await sendWithRetry(
        send,
        () => ({
          method,
          url: url.href,
          headers,
          body: typeof init.body === 'string' ? init.body : undefined,
          timeoutMs: policy.requestTimeoutMs
        }),
        policy,
        {
          signal: init.signal ?? undefined,
          ...(method === 'POST' ? { retryable: isSafeToRepeat } : {})
        }
      ))
    } catch (error) {
      // Out of retries on a status: hand Octokit the last answer so it reports the status.
      if (error instanceof RetriesExhausted && !(error.last instanceof Error)) response = error.last
      else throw error
    }
    const empty = [204, 205, 304].includes(response.status)
    return new Response(empty ? null : response.body, {
      status: response.status,
      headers: Object.entries(response.headers).flatMap(([name, value]) =>
        value === undefined
          ? []
          : (Array.isArray(value) ? value : [value]).map(v => [name, v] as [string, string])
      )
    })
  }
}
