import { ServiceError } from '../errors.js'
import { RetriesExhausted, sendWithRetry, type RetryPolicy } from '../http/retry.js'
import { header, NetworkError, type HttpResponse, type Transport } from '../http/transport.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import type { TokenSource } from './token.js'

export interface RateLimit {
  limit?: number
  remaining?: number
}

export interface GetOptions {
  /** Query parameters for a path; absent when following a `links.next` URL verbatim. */
  query?: Record<string, string>
  accept?: string
  /** The sentence for a 404, which depends on what was asked for. */
  notFound?: string
  /** Read at most this many bytes of the body; a larger one fails at once, without a retry. */
  maxBodyBytes?: number
  /** The sentence for a 403, when it means something more specific than a read refused. */
  forbidden?: string
}

export interface WriteOptions extends Omit<GetOptions, 'query' | 'accept' | 'maxBodyBytes'> {
  /** The JSON:API document to send. */
  body: unknown
}

export interface ClientOptions {
  baseUrl: string
  tokens: TokenSource
  send: Transport
  policy: RetryPolicy
  log: (line: string) => void
  /** Aborts every request, and any wait between attempts, when the run's deadline passes. */
  signal?: AbortSignal
}

/**
 * App Store Connect over HTTP: auth, retries, rate-limit tracking and the rule that the token
 * only ever travels to the configured origin. Knows nothing of diagnostics.
 */
export class AscClient {
  requests = 0
  rateLimit?: RateLimit
  private readonly origin: string

  constructor(private readonly options: ClientOptions) {
    this.origin = new URL(options.baseUrl).origin
  }

  /** Resolves a path against the base URL; refuses absolute URLs on any other origin. */
  url(pathOrUrl: string, query?: Record<string, string>): URL {
    const url = /^https?:/i.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(`${this.options.baseUrl}${pathOrUrl}`)
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value)
    return url
  }

  isSameOrigin(url: URL): boolean {
    return url.origin === this.origin
  }

  getJson(pathOrUrl: string, options: GetOptions = {}): Promise<unknown> {
    return this.send('GET', pathOrUrl, options)
  }

  /**
   * A JSON:API update. Retried like a read: the callers send the same target state each time,
   * so a repeat cannot do more than the first attempt did.
   */
  patchJson(path: string, options: WriteOptions): Promise<unknown> {
    return this.send('PATCH', path, options)
  }

  private async send(
    method: 'GET' | 'PATCH',
    pathOrUrl: string,
    options: GetOptions & { body?: unknown }
  ): Promise<unknown> {
    const url = this.url(pathOrUrl, options.query)
    const what = `${method} ${oneLine(url.pathname, 120)}`
    if (!this.isSameOrigin(url)) {
      throw new ServiceError(
        `Refused to send the App Store Connect token to ${oneLine(url.origin, 80)} (${what}); only ${this.origin} receives it.`
      )
    }
    const accept = options.accept ?? 'application/json'
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    let response: HttpResponse
    try {
      ;({ response } = await sendWithRetry(
        this.options.send,
        async () => {
          this.requests++
          const headers: Record<string, string> = {
            authorization: `Bearer ${await this.options.tokens.get()}`,
            accept,
            'user-agent': 'asc-diagnostics-gate'
          }
          if (body !== undefined) headers['content-type'] = 'application/json'
          return {
            method,
            url: url.href,
            timeoutMs: this.options.policy.requestTimeoutMs,
            ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
            headers,
            ...(body !== undefined ? { body } : {})
          }
        },
        this.options.policy,
        {
          signal: this.options.signal,
          onRetry: (outcome, delayMs, attempt) => {
            if (!(outcome instanceof NetworkError)) this.noteRateLimit(outcome)
            this.options.log(
              `${what}: ${describe(outcome)}; attempt ${attempt} of ${this.options.policy.maxAttempts}, retrying in ${(delayMs / 1000).toFixed(1)} s.`
            )
          }
        }
      ))
    } catch (error) {
      if (error instanceof RetriesExhausted) throw this.exhausted(what, error)
      throw error
    }
    this.noteRateLimit(response)
    if (response.status < 200 || response.status > 299)
      throw statusError(what, response, { ...options, keyId: this.options.tokens.keyId })
    return parseJson(what, response, accept)
  }

  private noteRateLimit(response: HttpResponse): void {
    const parsed = parseRateLimit(header(response, 'x-rate-limit'))
    if (parsed?.remaining === undefined) return
    if (this.rateLimit?.remaining === undefined || parsed.remaining < this.rateLimit.remaining) {
      this.rateLimit = parsed
    }
  }

  private exhausted(what: string, error: RetriesExhausted): ServiceError {
    const { last, attempts, reason, retryAfterMs } = error
    if (!(last instanceof NetworkError)) this.noteRateLimit(last)
    const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`
    if (reason === 'retry-after-too-long') {
      return new ServiceError(
        `App Store Connect asked to wait ${Math.round((retryAfterMs ?? 0) / 1000)} s before retrying ${what} (HTTP ${(last as HttpResponse).status}), longer than this action holds a runner; rerun the job later.`,
        (last as HttpResponse).status
      )
    }
    if (last instanceof NetworkError && last.kind === 'too-large') {
      return new ServiceError(
        `${last.message} to ${what}, more than this action reads from App Store Connect (not retried); rerun later, and report it if it persists.`
      )
    }
    if (last instanceof NetworkError) {
      return new ServiceError(
        `Could not get an answer from App Store Connect at ${this.origin} for ${what} (${last.message}) ${tries}; check the runner's network or proxy, or rerun later.`
      )
    }
    if (last.status === 429) {
      const left = this.rateLimit?.remaining
      return new ServiceError(
        `App Store Connect kept rate-limiting ${what} (HTTP 429) ${tries}${left === undefined ? '' : `, with ${left} requests left this hour`}; other jobs may share this API key: rerun later or use a separate key.`,
        429
      )
    }
    return new ServiceError(
      `App Store Connect failed with HTTP ${last.status} on ${what} ${tries}; Apple's service may be degraded: rerun the job later.`,
      last.status
    )
  }
}

function describe(outcome: HttpResponse | NetworkError): string {
  return outcome instanceof NetworkError ? outcome.message : `HTTP ${outcome.status}`
}

/** `user-hour-lim:3500;user-hour-rem:500;` → { limit, remaining }; undefined when absent. */
export function parseRateLimit(value: string | undefined): RateLimit | undefined {
  if (!value) return undefined
  const fields = new Map(
    value
      .split(';')
      .map(part => part.split(':').map(s => s.trim()))
      .filter(pair => pair.length === 2 && /^\d+$/.test(pair[1]))
      .map(([key, number]) => [key, Number(number)] as const)
  )
  const limit = fields.get('user-hour-lim')
  const remaining = fields.get('user-hour-rem')
  return limit === undefined && remaining === undefined ? undefined : { limit, remaining }
}

function statusError(
  what: string,
  response: HttpResponse,
  { notFound, forbidden, keyId }: Pick<GetOptions, 'notFound' | 'forbidden'> & { keyId: string }
): ServiceError {
  const status = response.status
  const apple = appleErrorText(response.body)
  switch (status) {
    case 401:
      return new ServiceError(
        `App Store Connect did not accept the API token (HTTP 401 on ${what}): check 'key-id', 'issuer-id' (leave it empty for an individual key), that 'private-key' is the .p8 of key ${keyId} (a key from another download signs tokens Apple cannot verify), that the key is still active in Users and Access → Integrations, and that the runner's clock is right.`,
        status
      )
    case 403:
      if (forbidden) return new ServiceError(`${forbidden} (HTTP 403 on ${what}).`, status)
      return new ServiceError(
        `App Store Connect refused ${what} (HTTP 403): the API key's role may not allow reading this app's builds and diagnostics, the key may be revoked, or the token was malformed; check the key in Users and Access → Integrations.`,
        status
      )
    case 404:
      return new ServiceError(
        notFound
          ? `${notFound} (HTTP 404 on ${what}).`
          : `App Store Connect found nothing at ${what} (HTTP 404).`,
        status
      )
    default:
      return new ServiceError(
        `App Store Connect answered HTTP ${status} to ${what}${apple ? `: ${apple}` : ''}.`,
        status
      )
  }
}

/** Apple's error title and detail, scrubbed of any echoed secret and made safe for a log line. */
function appleErrorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { title?: unknown; detail?: unknown }[] }
    const first = parsed.errors?.[0]
    const parts = [first?.title, first?.detail].filter(
      (part): part is string => typeof part === 'string'
    )
    return parts.length ? oneLine(scrub(parts.join(': ')), 300) : undefined
  } catch {
    return undefined
  }
}

function parseJson(what: string, response: HttpResponse, accept: string): unknown {
  const type = (header(response, 'content-type') ?? '').split(';')[0].trim().toLowerCase()
  const isJson =
    type === 'application/json' ||
    type.endsWith('+json') ||
    (type === '' && accept.includes('json'))
  if (!isJson) {
    throw new ServiceError(
      `App Store Connect answered ${what} with ${oneLine(type || 'no content type', 60)} instead of JSON (HTTP ${response.status}); a proxy or an outage page may be in the way: rerun later.`,
      response.status
    )
  }
  if (response.body.trim() === '') {
    throw new ServiceError(
      `App Store Connect answered ${what} with an empty body (HTTP ${response.status}); rerun later.`,
      response.status
    )
  }
  try {
    return JSON.parse(response.body)
  } catch {
    throw new ServiceError(
      `App Store Connect answered ${what} with malformed JSON (HTTP ${response.status}, ${response.body.length} bytes, cut short?); rerun later.`,
      response.status
    )
  }
}
