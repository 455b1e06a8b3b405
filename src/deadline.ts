import { ServiceError } from './errors.js'

/**
 * `timeout-minutes` for the App Store Connect phase: past it every request and wait is aborted
 * through `signal`. A phase that still finishes (it gave up only what it can do without, such
 * as backtraces and metrics) keeps its result; one that fails fails with a sentence that says so.
 */
export class Deadline {
  private readonly controller = new AbortController()
  readonly signal = this.controller.signal

  constructor(private readonly minutes: number) {}

  async run<T>(phase: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => this.controller.abort(), this.minutes * 60_000)
    try {
      return await phase()
    } catch (error) {
      throw this.signal.aborted ? this.expired() : error
    } finally {
      clearTimeout(timer)
    }
  }

  private expired(): ServiceError {
    const { minutes } = this
    return new ServiceError(
      `App Store Connect did not finish within 'timeout-minutes' (${minutes} minute${minutes === 1 ? '' : 's'}); Apple may be slow or throttling: rerun later, or raise 'timeout-minutes'.`
    )
  }
}
