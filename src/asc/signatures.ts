import { createHash } from 'node:crypto'
import { ASC, FIELD_CAPS, type DiagnosticType } from '../constants.js'
import { DataError } from '../errors.js'
import type { Insight, Signature, SignatureList, TrendDirection } from '../model.js'
import { describeValue, oneLine } from '../text.js'
import type { AscClient } from './client.js'
import { finite, object, objects, pages, resource, text } from './jsonapi.js'

/**
 * The heaviest `limit` signatures of one type: one request, then `links.next` until `limit`
 * have arrived. At most ceil(limit / page size) + 1 pages are read (the page size being what
 * the first page held), so a server that keeps sending fresh links cannot hold the run.
 */
export async function fetchSignatures(
  client: AscClient,
  buildId: string,
  type: DiagnosticType,
  limit: number,
  input: 'build-id' | 'baseline-build-id' = 'build-id'
): Promise<SignatureList> {
  const byId = new Map<string, Signature>()
  let maxPages: number = ASC.maxPages
  const paging = await pages(
    client,
    {
      path: `/v1/builds/${encodeURIComponent(buildId)}/diagnosticSignatures`,
      query: {
        'filter[diagnosticType]': type,
        'fields[diagnosticSignatures]': ASC.signatureFields.join(','),
        limit: String(Math.min(limit, ASC.maxPageSize))
      }
    },
    {
      what: `GET /v1/builds/${buildId}/diagnosticSignatures`,
      notFound: buildNotFound(buildId, input)
    },
    ({ items, index }) => {
      if (index === 0) maxPages = Math.min(maxPages, Math.ceil(limit / items.length) + 1)
      for (const item of items) {
        const signature = readSignature(item, type)
        if (!byId.has(signature.id)) byId.set(signature.id, signature)
      }
      return byId.size < limit && index + 1 < maxPages
    }
  )
  const signatures = [...byId.values()].sort((a, b) => b.weight - a.weight)
  return {
    type,
    signatures: signatures.slice(0, limit),
    complete: paging.complete && signatures.length <= limit
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
  const raw = object(item) ?? {}
  const received = object(raw.attributes)?.signature
  const signature = text(received, FIELD_CAPS.signature) ?? ''
  const name = `${oneLine(String(raw.id ?? '(no id)'), 80)} ('${oneLine(signature, 100)}')`
  if (raw.id === undefined || raw.id === '')
    throw new DataError(`App Store Connect sent a ${type} signature without an ID: ${name}.`)
  const { id, attributes } = resource(raw, `a ${type} signature ('${oneLine(signature, 100)}')`)
  const weight = attributes.weight
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
    throw new DataError(
      `Signature ${name} has weight ${describeValue(weight)}; the gate expects a share from 0 to 1 and does not guess another scale.`
    )
  }
  const insight = readInsight(attributes.insight)
  return {
    id,
    diagnosticType: type,
    signature,
    weight,
    ...(insight ? { insight } : {}),
    ...receivedDigest(received, signature)
  }
}

/**
 * The digest of the text as received, when the kept text is not all of it (cut at its cap,
 * or cleaned): two signatures that differ only past the cap must stay two in code scanning.
 */
function receivedDigest(received: unknown, kept: string): { textDigest?: string } {
  if (typeof received !== 'string' || received === kept) return {}
  return { textDigest: createHash('sha256').update(received, 'utf8').digest('hex') }
}

const DIRECTIONS: readonly TrendDirection[] = ['UP', 'DOWN', 'UNDEFINED']

/** Apple's insight is informational: anything malformed in it is dropped, not fatal. */
function readInsight(value: unknown): Insight | undefined {
  const raw = object(value)
  if (!raw) return undefined
  const direction = DIRECTIONS.find(d => d === raw.direction)
  const referenceVersions = objects(raw.referenceVersions, FIELD_CAPS.referenceVersions).flatMap(
    entry => {
      const version = text(entry.version, FIELD_CAPS.version)
      const v = finite(entry.value)
      return version !== undefined && v !== undefined ? [{ version, value: v }] : []
    }
  )
  if (!direction && referenceVersions.length === 0) return undefined
  return { ...(direction ? { direction } : {}), referenceVersions }
}
