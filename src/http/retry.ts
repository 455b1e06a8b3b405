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
 * The production policy, optionally shortened. `scale` (0–1] only ever shrinks waits and
 * timeouts; the tests use it to run the fault matrix in seconds instead of minutes.
 */
export function retryPolicy(scale = 1): RetryPolicy {
  const s = Number.isFinite(scale) && scale > 0 && scale <= 1 ? scale : 1
  return {
    maxAttempts: RETRY.maxAttempts,
    baseDelayMs: RETRY.baseDelayMs * s,
    maxDelayMs: RETRY.maxDelayMs * s,
    retryAfterCapMs: RETRY.retryAfterCapMs * s,
    totalWaitBudgetMs: RETRY.totalWaitBudgetMs * s,
    requestTimeoutMs: RETRY.requestTimeoutMs * s
  }
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

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
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
    const scaled = retryAfterMs * (policy.retryAfterCapMs / RETRY.retryAfterCapMs)
    if (scaled > policy.retryAfterCapMs) return { retry: false, reason: 'retry-after-too-long' }
    delayMs = scaled
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
