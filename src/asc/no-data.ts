import { ServiceError } from '../errors.js'
import type { ResolvedBuild } from './builds.js'
import type { BuildFacts } from './build-version.js'

/**
 * Apple answers 404 on a build's diagnostics (and metrics) both for a build that does not
 * exist and for one it has no data for yet. Only the first is a wrong ID: a build found by a
 * lookup exists, and any other is known from the one `GET /v1/builds/{id}` of its facts.
 */
export function buildExists(build: ResolvedBuild, facts: BuildFacts): Promise<boolean> {
  if (build.exists) return Promise.resolve(true)
  return facts.of(build.id).then(
    () => true,
    (error: unknown) => {
      if (isNotFound(error)) return false
      throw error
    }
  )
}

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
