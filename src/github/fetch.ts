import { STATUS_CODES } from 'node:http'
import { isSafeToRepeat, RetriesExhausted, sendWithRetry, type RetryPolicy } from '../http/retry.js'
import type { HttpResponse, Method, Transport } from '../http/transport.js'

/**
 * A `fetch` for Octokit over the action's own transport: the same HTTP stack and the same
 * bounded retries as App Store Connect, and the token only ever sent to the API's origin.
 * A POST is repeated only when GitHub cannot have acted on it: a retried create that had in
 * fact landed would leave a second comment.
 *
 * It touches none of the globals `Request`, `Headers` and `Response`: their first use loads
 * Node's own copy of undici, with node:http2, zlib and worker_threads (about 20 ms), for
 * objects Octokit only reads a few fields of.
 */
export function fetchOverTransport(
  send: Transport,
  policy: RetryPolicy,
  origin: string
): typeof fetch {
  return async (input, init = {}) => {
    // Octokit passes a string URL and a plain object of headers.
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    if (url.origin !== origin) throw new Error(`refused to send the GitHub token to ${url.origin}`)
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([name, value]) => [
        name.toLowerCase(),
        String(value)
      ])
    )
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
    return fetchResponse(url.href, response)
  }
}

/** The part of a fetch Response that Octokit reads: status, headers, and the body as text. */
function fetchResponse(url: string, response: HttpResponse): Response {
  const { status } = response
  const body = [204, 205, 304].includes(status) ? '' : response.body
  const headers = new Map(
    Object.entries(response.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value] as const]
    )
  )
  const partial = {
    status,
    url,
    ok: status >= 200 && status <= 299,
    statusText: STATUS_CODES[status] ?? '',
    headers: {
      get: (name: string) => headers.get(name.toLowerCase()) ?? null,
      has: (name: string) => headers.has(name.toLowerCase()),
      [Symbol.iterator]: () => headers.entries()
    },
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
    arrayBuffer: async () => {
      const bytes = Buffer.from(body)
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    }
  }
  return partial as unknown as Response
}
