// Masking (core.setSecret) hides secrets from log lines only; text posted through the API
// (the comment, the summary, outputs, the JSON report) is not masked by the runner. A server
// can echo a token back in an error body, so every text taken from a response, and every text
// the action publishes, passes this scrubber.

const REPLACEMENT = '***'
/** Runs of token or base64 characters long enough to be a slice of a secret, not a word. */
const SLICE = /[A-Za-z0-9+/=_.-]{16,}/g
const MIN_SECRET_LENGTH = 8

const secrets = new Set<string>()

/** How a front door hides a secret from its own log (the action: `::add-mask::`); none by default. */
let mask: (value: string) => void = () => {}

/** Sets how secrets are masked in the log; the action's front door passes core.setSecret. */
export function maskSecretsWith(masker: (value: string) => void): void {
  mask = masker
}

/** Registers a secret for this run: the key in every spelling, a minted token, the GitHub token. */
export function addSecret(value: string): void {
  const trimmed = value.trim()
  if (trimmed.length >= MIN_SECRET_LENGTH) secrets.add(trimmed)
}

/** Masks a secret in log lines, and registers it with the scrubber for everything published. */
export function protect(value: string): void {
  if (!value.trim()) return
  mask(value)
  addSecret(value)
}

/**
 * `text` with every registered secret, and every long slice of one (a cut-off token, part of the
 * key's base64), replaced by ***.
 */
export function scrub(text: string): string {
  if (secrets.size === 0 || text === '') return text
  let result = text
  // Longest first, so a token is replaced whole before a fragment of it could be.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (result.includes(secret)) result = result.split(secret).join(REPLACEMENT)
  }
  return result.replace(SLICE, run =>
    [...secrets].some(secret => secret.includes(run)) ? REPLACEMENT : run
  )
}

/** Forgets every secret; for tests. */
export function clearSecrets(): void {
  secrets.clear()
}
