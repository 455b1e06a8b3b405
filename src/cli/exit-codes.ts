import type { Outcome } from '../outcome.js'

/** One meaning per exit status; --help and the README list them from here. */
export const EXIT = {
  passed: 0,
  gateFailed: 1,
  badInput: 2,
  appStoreConnect: 3,
  bug: 4
} as const

export const EXIT_CODES_HELP = `Exit status:
  0  passed, including no data under --no-data pass or warn, and findings that only
     report (each says why)
  1  the gate failed: a finding failed the job (a breach, a regression of a signature
     or a metric, or no data under --no-data fail)
  2  bad input or configuration (an unknown flag, a bad value, a missing or unreadable key)
  3  App Store Connect could not be read (authentication, network or server)
  4  an unexpected error: stdout could not be written (a full disk), or a bug in
     the tool, please report it`

export function exitCode(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'judged':
      return outcome.failure ? EXIT.gateFailed : EXIT.passed
    case 'failed':
      return outcome.cause === 'input'
        ? EXIT.badInput
        : outcome.cause === 'service'
          ? EXIT.appStoreConnect
          : EXIT.bug
    case 'skipped':
      return EXIT.passed
  }
}
