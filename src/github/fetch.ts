import { RetriesExhausted, sendWithRetry, type RetryPolicy } from '../http/retry.js'
import type { HttpResponse, Method, Transport } from '../http/transport.js'

/**
 * A `fetch` for Octokit over the action's own transport: the same HTTP stack and the same
 * bounded retries as App Store Connect, and the token only ever sent to the API's origin.
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
    let response: HttpResponse
    try {
      ;({ response } = await sendWithRetry(
        send,
        () => ({
          method: (init.method ?? 'GET').toUpperCase() as Method,
          url: url.href,
          headers,
          body: typeof init.body === 'string' ? init.body : undefined,
          timeoutMs: policy.requestTimeoutMs
        }),
        policy
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
