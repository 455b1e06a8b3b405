import { ASC } from '../constants.js'
import { DataError, ServiceError } from '../errors.js'
import { RetriesExhausted, sendWithRetry, type RetryPolicy } from '../http/retry.js'
import { header, NetworkError, type HttpResponse, type Transport } from '../http/transport.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import { appleErrors, type AppleError } from './jsonapi.js'
import type { TokenSource } from './token.js'

const APPLE_ORIGIN = new URL(ASC.defaultBaseUrl).origin

/** `X-Rate-Limit`: the hourly budget, and the per-minute one some endpoints also carry. */
export interface RateLimit {
  limit?: number
  remaining?: number
  minute?: { limit?: number; remaining?: number }
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
  /** Ends this request (and its retries) early, besides the run's own deadline. */
  signal?: AbortSignal
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
  /** The debug log (the action's `core.debug`); silent when absent. */
  debug?: (line: string) => void
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
  private readonly behindProxy: boolean

  constructor(private readonly options: ClientOptions) {
    this.origin = new URL(options.baseUrl).origin
    this.behindProxy = this.origin !== APPLE_ORIGIN
  }

  /** Resolves a path against the base URL; refuses absolute URLs on any other origin. */
  url(pathOrUrl: string, query?: Record<string, string>): URL {
    const url = /^https?:/i.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(`${this.options.baseUrl}${pathOrUrl}`)
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value)
    return url
  }

  /** One line for the debug log; it may carry App Store Connect text, so it is made safe here. */
  debug(line: string): void {
    this.options.debug?.(oneLine(scrub(line), 2000))
  }

  isSameOrigin(url: URL): boolean {
    return url.origin === this.origin
  }

  /**
   * A paging link as this client follows it. Apple writes its links absolute on its own
   * origin, whichever host was called: behind a proxy (`api-base-url`) such a link is the same
   * path and query on the configured base. A link to any other origin is refused.
   */
  link(href: string): URL {
    let url: URL
    try {
      url = this.url(href)
    } catch {
      throw new DataError(
        `App Store Connect sent a paging link that is not a URL: '${oneLine(href, 120)}'.`
      )
    }
    if (this.behindProxy && url.origin === APPLE_ORIGIN) {
      url = new URL(`${this.options.baseUrl}${url.pathname}${url.search}`)
    }
    if (!this.isSameOrigin(url)) {
      throw new ServiceError(
        `App Store Connect sent a paging link to another origin (${oneLine(url.origin, 80)}); the gate does not send the API token there.`
      )
    }
    return url
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
          signal: either(this.options.signal, options.signal),
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

  /**
   * The hourly budget keeps the lowest count seen (responses arrive out of order); the minute
   * window refills, so only the latest answer says how it stands.
   */
  private noteRateLimit(response: HttpResponse): void {
    const parsed = parseRateLimit(header(response, 'x-rate-limit'))
    if (!parsed) return
    const known = this.rateLimit
    const hour =
      parsed.remaining !== undefined &&
      (known?.remaining === undefined || parsed.remaining < known.remaining)
        ? { limit: parsed.limit, remaining: parsed.remaining }
        : { limit: known?.limit, remaining: known?.remaining }
    // Only the latest answer says how the minute stands: an older count would be stale.
    const minute = parsed.minute
    this.rateLimit = { ...hour, ...(minute ? { minute } : {}) }
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
      return new ServiceError(
        withApple(
          `App Store Connect kept rate-limiting ${what} (HTTP 429) ${tries}${budgetSpent(this.rateLimit)}`,
          appleErrors(last.body)
        ),
        429
      )
    }
    return new ServiceError(
      withApple(
        `App Store Connect failed with HTTP ${last.status} on ${what} ${tries}; Apple's service may be degraded: rerun the job later`,
        appleErrors(last.body)
      ),
      last.status
    )
  }
}

/** The signal that aborts when either does; by hand before Node 20.3, which lacks AbortSignal.any. */
function either(a?: AbortSignal, b?: AbortSignal): AbortSignal | undefined {
  if (!a || !b) return a ?? b
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b])
  const both = new AbortController()
  const abort = (): void => both.abort()
  if (a.aborted || b.aborted) abort()
  a.addEventListener('abort', abort, { once: true })
  b.addEventListener('abort', abort, { once: true })
  return both.signal
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
  const minuteLimit = fields.get('user-minute-lim')
  const minuteRemaining = fields.get('user-minute-rem')
  const minute =
    minuteLimit === undefined && minuteRemaining === undefined
      ? undefined
      : { limit: minuteLimit, remaining: minuteRemaining }
  if (limit === undefined && remaining === undefined && !minute) return undefined
  return { limit, remaining, ...(minute ? { minute } : {}) }
}

/**
 * Which window ran out, for the 429 message: the minute window refills within a minute, the
 * hourly one does not.
 */
function budgetSpent(rateLimit: RateLimit | undefined): string {
  const minute = rateLimit?.minute
  const hourLeft = rateLimit?.remaining
  const hourSpent = hourLeft !== undefined && hourLeft <= 0
  if (minute?.remaining !== undefined && minute.remaining <= 0 && !hourSpent) {
    return `, with 0 of ${minute.limit ?? '?'} requests left this minute (${hourLeft ?? '?'} left this hour); requests came too fast: rerun in a minute, or lower 'include-logs' or the number of apps run at once`
  }
  const left =
    hourLeft === undefined
      ? ''
      : `, with ${hourLeft} of ${rateLimit?.limit ?? '?'} requests left this hour`
  return `${left}; other jobs may share this API key: rerun later or use a separate key`
}

function statusError(
  what: string,
  response: HttpResponse,
  { notFound, forbidden, keyId }: Pick<GetOptions, 'notFound' | 'forbidden'> & { keyId: string }
): ServiceError {
  const status = response.status
  const errors = appleErrors(response.body)
  return new ServiceError(
    withApple(ourSentence(status, what, errors, { notFound, forbidden, keyId }), errors),
    status
  )
}

/** What the status means for this request, and what to do; without the final period. */
function ourSentence(
  status: number,
  what: string,
  errors: AppleError[],
  { notFound, forbidden, keyId }: Pick<GetOptions, 'notFound' | 'forbidden'> & { keyId: string }
): string {
  switch (status) {
    case 401:
      return `App Store Connect did not accept the API token (HTTP 401 on ${what}): check 'key-id', 'issuer-id' (leave it empty for an individual key), that 'private-key' is the .p8 of key ${keyId} (a key from another download signs tokens Apple cannot verify), that the key is still active in Users and Access → Integrations, and that the runner's clock is right`
    case 403:
      if (errors.some(isAgreementError)) {
        return `App Store Connect refused ${what} (HTTP 403) because an agreement is missing or has expired: the Account Holder must accept the latest agreements in App Store Connect (Business) or on the Apple Developer website; until then no API key of this team can read its data`
      }
      if (forbidden) return `${forbidden} (HTTP 403 on ${what})`
      return `App Store Connect refused ${what} (HTTP 403): the API key's role may not allow reading this app's builds and diagnostics, the key may be revoked, or the token was malformed; check the key in Users and Access → Integrations`
    case 404:
      return notFound
        ? `${notFound} (HTTP 404 on ${what})`
        : `App Store Connect found nothing at ${what} (HTTP 404)`
    case 409:
      return `App Store Connect refused ${what} because of the resource's current state (HTTP 409); check it in App Store Connect`
    default:
      return `App Store Connect answered HTTP ${status} to ${what}`
  }
}

/** Apple names the agreement codes one way and describes them another. */
function isAgreementError(error: AppleError): boolean {
  return (
    /AGREEMENT/i.test(error.code ?? '') ||
    /\bagree(ment)?s?\b/i.test(`${error.title ?? ''} ${error.detail ?? ''}`)
  )
}

/**
 * Our sentence, then Apple's own words: the first error's code, title and detail, and what a
 * 409's related resources reported. Scrubbed of any echoed secret; one period at the end.
 */
function withApple(sentence: string, errors: AppleError[]): string {
  const [first] = errors
  if (!first) return `${sentence}.`
  const words = (e: { code?: string; title?: string; detail?: string }) =>
    [e.code, e.title && `"${bare(e.title)}"`, e.detail && bare(e.detail)].filter(Boolean).join(' ')
  // Apple's `links.see` is a path in App Store Connect, such as "/agreements".
  const link = first.see?.startsWith('/')
    ? `https://appstoreconnect.apple.com${first.see}`
    : first.see
  const see = link ? ` (see ${link})` : ''
  const associated = first.associated.length
    ? `; related errors: ${first.associated.map(words).join('; ')}`
    : ''
  const text = `${bare(sentence)}. Apple: ${words(first)}${see}${associated}`
  // A field cut short already ends in "…".
  return scrub(text.endsWith('…') ? text : `${text}.`)
}

/** Without the closing punctuation, so that joined sentences never read ".:" or "..". */
function bare(text: string): string {
  return text.replace(/[\s.:;]+$/, '')
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
