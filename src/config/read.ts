import * as core from '@actions/core'
import { forkPullRequest } from '../github/pull-request.js'
import { protect } from '../secrets.js'
import type { ReadInputs } from '../run-gate.js'
import { parseConfig } from './parse.js'

const readInput = (name: string): string => core.getInput(name, { trimWhitespace: false })

/** Reads the action's inputs: every secret is masked before anything can be logged. */
export function readInputs(): ReadInputs {
  // Masked even before the inputs are validated.
  for (const name of ['private-key', 'github-token']) protect(readInput(name))
  const skip = forkWithoutKey()
  if (skip) return { skip }
  // runGate registers every spelling of the key once the inputs parse, for both front doors.
  return { config: parseConfig(readInput) }
}

/**
 * GitHub runs a fork's `pull_request` workflow without the repository's secrets, so the key is
 * empty: an expected reason not to gate, not an input error. Any other empty key still is one.
 */
function forkWithoutKey(): string | undefined {
  const empty = ['key-id', 'private-key'].filter(name => !readInput(name).trim())
  const pull = empty.length ? forkPullRequest() : undefined
  if (pull === undefined) return undefined
  const inputs = empty.map(name => `'${name}'`).join(' and ')
  return `pull request #${pull} comes from a fork, and GitHub passes no secrets to workflows run for forks, so ${inputs} ${empty.length === 1 ? 'is' : 'are'} empty`
}
