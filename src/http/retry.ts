import { RETRY } from '../constants.js'
import { NetworkError, type HttpRequest, type HttpResponse } from './transport.js'

export interface RetryPolicy {
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
  retryAfterCapMs: number
  totalWaitBudgetMs: number
  requestTimeoutMs: number
}

/**
 * The production policy. Tests never shorten it from inside: they inject their own policy in
 * unit tests, and control time from outside end to end (the simulators' Retry-After and latency,
 * and `timeout-minutes`).
 */
export function retryPolicy(): RetryPolicy {
  return { ...RETRY }
}

/** Whether an outcome is worth another attempt: throttling, server faults, lost connections. */
export function isRetryable(outcome: HttpResponse | NetworkError): boolean {
  if (outcome instanceof NetworkError)
    return outcome.kind !== 'aborted' && outcome.kind !== 'too-large'
  return outcome.status === 429 || outcome.status >= 500
}

/**
 * For a request that is not idempotent (creating a comment): retry only when the server
 * cannot have acted on it, a 429 or a refused connection.
 */
export function isSafeToRepeat(outcome: HttpResponse | NetworkError): boolean {
  if (outcome instanceof NetworkError) return outcome.kind === 'refused'
  return outcome.status === 429
}

// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient accepts.
const HTTP_DATE = [
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/
]

/**
 * Retry-After as milliseconds: a non-negative integer of seconds or an HTTP-date; undefined
 * for anything else (`-5`, `1.5`), which then gets the normal backoff rather than "now".
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  if (!HTTP_DATE.some(form => form.test(trimmed))) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'attempts' | 'retry-after-too-long' | 'budget' }

/**
 * What to do after failed attempt number `attempt` (1-based), having already waited `waitedMs`.
 * Exponential backoff with jitter, or the server's Retry-After when it is within the cap.
 */
export function nextRetry(
  policy: RetryPolicy,
  attempt: number,
  waitedMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random
): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts' }
  let delayMs: number
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > policy.retryAfterCapMs)
      return { retry: false, reason: 'retry-after-too-long' }
    delayMs = retryAfterMs
  } else {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
    delayMs = ceiling / 2 + (random() * ceiling) / 2
  }
  if (waitedMs + delayMs > policy.totalWaitBudgetMs) return { retry: false, reason: 'budget' }
  return { retry: true, delayMs }
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}

export interface Attempted {
  response: HttpResponse
  attempts: number
}

/** Retries ran out; carries the last outcome so the caller can phrase the failure. */
export class RetriesExhausted extends Error {
  constructor(
    readonly last: HttpResponse | NetworkError,
    readonly attempts: number,
    readonly reason: 'attempts' | 'retry-after-too-long' | 'budget',
    readonly retryAfterMs: number | undefined
  ) {
    super(last instanceof NetworkError ? last.message : `HTTP ${last.status}`)
    this.name = 'RetriesExhausted'
  }
}

export interface RetryOptions {
  onRetry?: (outcome: HttpResponse | NetworkError, delayMs: number, attempt: number) => void
  /** Which outcomes deserve another attempt; isRetryable unless the request is not idempotent. */
  retryable?: (outcome: HttpResponse | NetworkError) => boolean
  /** Stops the attempts, and any wait between them, when the run no longer needs the answer. */
  signal?: AbortSignal
}

/**
 * Sends a request until it gets a final answer: any response that is not retryable is
 * returned, even an error status, for the caller to interpret.
 */
export async function sendWithRetry(
  send: (request: HttpRequest) => Promise<HttpResponse>,
  build: () => Promise<HttpRequest> | HttpRequest,
  policy: RetryPolicy,
  { onRetry = () => {}, retryable = isRetryable, signal }: RetryOptions = {}
): Promise<Attempted> {
  let waitedMs = 0
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new NetworkError('request cancelled', 'aborted')
    let outcome: HttpResponse | NetworkError
    try {
      outcome = await send({ ...(await build()), signal })
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error
      outcome = error
    }
    if (outcome instanceof NetworkError && outcome.kind === 'aborted') throw outcome
    if (!retryable(outcome)) {
      if (outcome instanceof NetworkError)
        throw new RetriesExhausted(outcome, attempt, 'attempts', undefined)
      return { response: outcome, attempts: attempt }
    }
    const retryAfterMs =
      outcome instanceof NetworkError
        ? undefined
        : parseRetryAfter(retryAfterHeader(outcome), Date.now())
    const decision = nextRetry(policy, attempt, waitedMs, retryAfterMs)
    if (!decision.retry) throw new RetriesExhausted(outcome, attempt, decision.reason, retryAfterMs)
    onRetry(outcome, decision.delayMs, attempt)
    await sleep(decision.delayMs, signal)
    waitedMs += decision.delayMs
  }
}

function retryAfterHeader(response: HttpResponse): string | undefined {
  const value = response.headers['retry-after']
  return Array.isArray(value) ? value[0] : value
}
