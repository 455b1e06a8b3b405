import { ASC, FIELD_CAPS, type DiagnosticType } from '../constants.js'
import { DataError } from '../errors.js'
import type { Insight, Signature, SignatureList, TrendDirection } from '../model.js'
import { describeValue, oneLine, truncate } from '../text.js'
import type { AscClient } from './client.js'
import { followable, readPage } from './paging.js'

/**
 * The heaviest `limit` signatures of one type: one request, then `links.next` while pages come
 * back short. Next links are followed only on the API's origin and never twice. An empty page
 * ends the list, and at most ceil(limit / page size) + 1 pages are read (the page size being
 * what the first page held), so a server that keeps sending fresh links cannot hold the run.
 */
export async function fetchSignatures(
  client: AscClient,
  buildId: string,
  type: DiagnosticType,
  limit: number,
  input: 'build-id' | 'baseline-build-id' = 'build-id'
): Promise<SignatureList> {
  const byId = new Map<string, Signature>()
  const seen = new Set<string>()
  let looped = false
  let next: string | undefined = client.url(
    `/v1/builds/${encodeURIComponent(buildId)}/diagnosticSignatures`,
    {
      'filter[diagnosticType]': type,
      'fields[diagnosticSignatures]': ASC.signatureFields.join(','),
      limit: String(Math.min(limit, ASC.maxPageSize))
    }
  ).href
  let maxPages: number = ASC.maxPages
  for (let page = 0; next && byId.size < limit; page++) {
    // Paging did not converge: what was read is kept, and `next` marks the list incomplete.
    if (page >= maxPages) break
    seen.add(next)
    const body = await client.getJson(next, { notFound: buildNotFound(buildId, input) })
    const { items, nextUrl } = readPage(body, `GET /v1/builds/${buildId}/diagnosticSignatures`)
    if (items.length === 0) {
      next = undefined
      break
    }
    if (page === 0) maxPages = Math.min(maxPages, Math.ceil(limit / items.length) + 1)
    for (const item of items) {
      const signature = readSignature(item, type)
      if (!byId.has(signature.id)) byId.set(signature.id, signature)
    }
    next = nextUrl && followable(client, nextUrl, seen)
    // A link back to a page already read: paging is broken, so the list may be incomplete.
    if (nextUrl && !next) looped = true
  }
  const signatures = [...byId.values()].sort((a, b) => b.weight - a.weight)
  return {
    type,
    signatures: signatures.slice(0, limit),
    complete: !next && !looped && signatures.length <= limit
  }
}

/**
 * Why a build ID found nothing. Only a value of digits and dots can be a build number used by
 * mistake; any other value is a resource ID this key cannot see (or a typo).
 */
function buildNotFound(buildId: string, input: string): string {
  const lookup = `give 'app-id' or 'bundle-id' with 'build-number' and/or 'version' instead`
  return /^\d+(\.\d+)*$/.test(buildId)
    ? `Build '${buildId}' was not found: '${input}' must be the App Store Connect build resource ID (such as 1a254ec1-8e3d-48e7-bbd6-6b9a30072b29), and '${buildId}' looks like a build number; to use the build number, ${lookup}`
    : `Build '${buildId}' was not found: no build with this resource ID is visible to this API key; check '${input}' (a build's resource ID is listed by GET /v1/builds), or ${lookup}`
}

/** Validates one DiagnosticSignature; the weight must be a fraction, never a guessed scale. */
function readSignature(item: unknown, type: DiagnosticType): Signature {
  const resource = (item ?? {}) as { id?: unknown; attributes?: Record<string, unknown> }
  const attributes = resource.attributes ?? {}
  const id =
    typeof resource.id === 'string' && resource.id
      ? truncate(resource.id, FIELD_CAPS.identifier)
      : undefined
  const text =
    typeof attributes.signature === 'string'
      ? truncate(attributes.signature, FIELD_CAPS.signature)
      : ''
  const name = `${oneLine(id ?? '(no id)', 64)} ('${oneLine(text, 100)}')`
  if (!id) throw new DataError(`App Store Connect sent a ${type} signature without an ID: ${name}.`)
  const weight = attributes.weight
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
    throw new DataError(
      `Signature ${name} has weight ${describeValue(weight)}; the gate expects a share from 0 to 1 and does not guess another scale.`
    )
  }
  const insight = readInsight(attributes.insight)
  return { id, diagnosticType: type, signature: text, weight, ...(insight ? { insight } : {}) }
}

const DIRECTIONS: readonly TrendDirection[] = ['UP', 'DOWN', 'UNDEFINED']

/** Apple's insight is informational: anything malformed in it is dropped, not fatal. */
function readInsight(value: unknown): Insight | undefined {
  if (!value || typeof value !== 'object') return undefined
  const raw = value as { direction?: unknown; referenceVersions?: unknown }
  const direction = DIRECTIONS.find(d => d === raw.direction)
  const referenceVersions = Array.isArray(raw.referenceVersions)
    ? raw.referenceVersions.slice(0, FIELD_CAPS.referenceVersions).flatMap(entry => {
        const { version, value: v } = (entry ?? {}) as { version?: unknown; value?: unknown }
        return typeof version === 'string' && typeof v === 'number' && Number.isFinite(v)
          ? [{ version: truncate(version, FIELD_CAPS.version), value: v }]
          : []
      })
    : []
  if (!direction && referenceVersions.length === 0) return undefined
  return { ...(direction ? { direction } : {}), referenceVersions }
}
