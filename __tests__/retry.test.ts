import { describe, expect, it } from '@jest/globals'
import { isRetryable, nextRetry, parseRetryAfter, retryPolicy } from '../src/http/retry.js'
import { NetworkError } from '../src/http/transport.js'
import { parseRateLimit } from '../src/asc/client.js'

const policy = retryPolicy()
const response = (status: number) => ({ status, headers: {}, body: '' })

describe('Retry-After', () => {
  const now = Date.parse('2026-11-26T08:00:00Z')
  it('honours whole seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter('Thu, 26 Nov 2026 08:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Thursday, 26-Nov-26 08:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Thu Nov 26 08:00:05 2026', now)).toBe(5000)
  })

  it('ignores anything else, so the backoff applies instead of "retry now"', () => {
    for (const junk of ['-5', '1.5', '1e3', 'soon', '2026-11-26', '', ' 5 s'])
      expect(parseRetryAfter(junk, now)).toBeUndefined()
  })

  it('does not retry a body over the size cap', () => {
    expect(isRetryable(new NetworkError('response body over the 32 MB limit', 'too-large'))).toBe(
      false
    )
  })
})

describe('retry rules', () => {
  it('retries throttling, server errors and lost connections, nothing else', () => {
    for (const status of [429, 500, 502, 503, 504]) expect(isRetryable(response(status))).toBe(true)
    for (const status of [400, 401, 403, 404, 406, 422])
      expect(isRetryable(response(status))).toBe(false)
    expect(isRetryable(new NetworkError('connection reset', 'reset'))).toBe(true)
  })

  it('backs off exponentially with jitter, capped per wait', () => {
    const low = [1, 2, 3].map(attempt => nextRetry(policy, attempt, 0, undefined, () => 0))
    const high = [1, 2, 3].map(attempt => nextRetry(policy, attempt, 0, undefined, () => 1))
    expect(low).toEqual([500, 1000, 2000].map(delayMs => ({ retry: true, delayMs })))
    expect(high).toEqual([1000, 2000, 4000].map(delayMs => ({ retry: true, delayMs })))
  })

  it('stops after the last attempt and when the total wait would exceed the budget', () => {
    expect(nextRetry(policy, policy.maxAttempts, 0, undefined)).toEqual({
      retry: false,
      reason: 'attempts'
    })
    expect(nextRetry(policy, 1, policy.totalWaitBudgetMs, undefined)).toEqual({
      retry: false,
      reason: 'budget'
    })
  })

  it('honours Retry-After up to the cap and gives up beyond it', () => {
    expect(nextRetry(policy, 1, 0, 7_000)).toEqual({ retry: true, delayMs: 7_000 })
    expect(nextRetry(policy, 1, 0, 3_600_000)).toEqual({
      retry: false,
      reason: 'retry-after-too-long'
    })
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('5', 0)).toBe(5000)
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000)
    expect(parseRetryAfter('soon', 0)).toBeUndefined()
    expect(parseRetryAfter(undefined, 0)).toBeUndefined()
  })

  it('takes an injected policy as it is: its own cap on Retry-After, no rescaling', () => {
    const quick = { ...policy, retryAfterCapMs: 100, totalWaitBudgetMs: 150 }
    expect(nextRetry(quick, 1, 0, 0)).toEqual({ retry: true, delayMs: 0 })
    expect(nextRetry(quick, 1, 0, 100)).toEqual({ retry: true, delayMs: 100 })
    expect(nextRetry(quick, 1, 0, 1_000)).toEqual({ retry: false, reason: 'retry-after-too-long' })
    expect(nextRetry(quick, 2, 100, 100)).toEqual({ retry: false, reason: 'budget' })
  })
})

describe('X-Rate-Limit', () => {
  it('reads the hourly limit and what is left', () => {
    expect(parseRateLimit('user-hour-lim:3500;user-hour-rem:500;')).toEqual({
      limit: 3500,
      remaining: 500
    })
    expect(parseRateLimit('user-hour-rem:12')).toEqual({ limit: undefined, remaining: 12 })
    expect(parseRateLimit('garbage')).toBeUndefined()
    expect(parseRateLimit(undefined)).toBeUndefined()
  })

  it('reads the minute window that some endpoints report beside the hour', () => {
    expect(
      parseRateLimit(
        'user-hour-lim:3600;user-hour-rem:3390;user-minute-lim:150;user-minute-rem:112;'
      )
    ).toEqual({ limit: 3600, remaining: 3390, minute: { limit: 150, remaining: 112 } })
  })
})
