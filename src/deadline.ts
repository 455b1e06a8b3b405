import { ServiceError } from './errors.js'

/**
 * `timeout-minutes` for everything the run asks of App Store Connect: the collect phase and the
 * release guard's re-read and pause share one budget, counted from the first phase's start. Past
 * it every request and wait is aborted through `signal`.
 */
export class Deadline {
  private readonly controller = new AbortController()
  readonly signal = this.controller.signal
  private endsAt: number | undefined

  constructor(private readonly minutes: number) {}

  /** `'timeout-minutes' (10 minutes)`, for a sentence that names the bound. */
  get bound(): string {
    const { minutes } = this
    return `'timeout-minutes' (${minutes} minute${minutes === 1 ? '' : 's'})`
  }

  /** Runs `phase` in what is left of the budget; a phase that ends early leaves the rest. */
  async within<T>(phase: () => Promise<T>): Promise<T> {
    this.endsAt ??= performance.now() + this.minutes * 60_000
    const timer = setTimeout(
      () => this.controller.abort(),
      Math.max(0, this.endsAt - performance.now())
    )
    try {
      return await phase()
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Like `within`; a phase that fails past the deadline fails with a sentence that says so. One
   * that still finishes keeps its result: it gave up only what it can do without (backtraces).
   */
  async run<T>(phase: () => Promise<T>): Promise<T> {
    try {
      return await this.within(phase)
    } catch (error) {
      throw this.signal.aborted ? this.expired() : error
    }
  }

  /** Milliseconds left of the budget, once a phase has started it. */
  remainingMs(): number {
    return this.endsAt === undefined ? this.minutes * 60_000 : this.endsAt - performance.now()
  }

  private expired(): ServiceError {
    return new ServiceError(
      `App Store Connect did not finish within ${this.bound}; Apple may be slow or throttling: rerun later, or raise 'timeout-minutes'.`
    )
  }
}
