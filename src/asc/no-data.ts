import { ServiceError } from '../errors.js'

// Apple answers 404 on a build's diagnostics (and metrics) both for a build that does not
// exist and for one it has no data for yet. Only the first is a wrong ID.

export function isNotFound(error: unknown): boolean {
  return error instanceof ServiceError && error.status === 404
}

/**
 * Runs a per-build fetch; a 404 for a build that exists becomes `empty()`, no data yet, which
 * the `no-data` policy then judges. A 404 for a build that does not exist keeps its error.
 */
export async function noDataOn404<T>(
  fetch: () => Promise<T>,
  empty: () => T,
  exists: () => Promise<boolean>
): Promise<{ value: T; notFound: boolean }> {
  try {
    return { value: await fetch(), notFound: false }
  } catch (error) {
    if (isNotFound(error) && (await exists())) return { value: empty(), notFound: true }
    throw error
  }
}
