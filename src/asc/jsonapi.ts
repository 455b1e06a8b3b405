import { ASC, PAGE_MAX_BYTES, RESOURCE_ID } from '../constants.js'
import { DataError } from '../errors.js'
import { oneLine, sanitize, truncate } from '../text.js'
import type { AscClient } from './client.js'

// The one reader of App Store Connect responses. Every value leaves here checked: IDs match
// the shape Apple uses (they go into URLs), strings are sanitised and capped exactly once, and
// numbers are finite. No other module looks inside a response body.

export type Json = Record<string, unknown>

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An object, or undefined for anything else. */
export function object(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined
}

/** The objects of a list, at most `max`; a lone object counts as a list of one (real payloads do that). */
export function objects(value: unknown, max: number): Json[] {
  return (Array.isArray(value) ? value.slice(0, max) : [value]).filter(isObject)
}

/**
 * A string (or a number, which some payloads send for line numbers and states) as every
 * channel may show it: controls and bidi overrides removed, trimmed, cut to `cap`.
 * Undefined when absent or empty.
 */
export function text(value: unknown, cap: number): string | undefined {
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
  if (typeof raw !== 'string') return undefined
  return truncate(sanitize(raw).trim(), cap) || undefined
}

/** Strings of a list, or of a comma-separated string (the spec and Apple's examples differ). */
export function texts(value: unknown, cap: number, max: number): string[] {
  const items =
    typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value : []
  return items
    .slice(0, max * 2)
    .map(item => text(item, cap))
    .filter((item): item is string => item !== undefined)
    .slice(0, max)
}

export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** A measurement: finite and never negative. */
export function nonNegative(value: unknown): number | undefined {
  const number = finite(value)
  return number !== undefined && number >= 0 ? number : undefined
}

/** A non-negative integer sent as a number or as a numeric string. */
export function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

export function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  return undefined
}

/**
 * A timestamp as Apple sends it (`2020-12-14T10:16:45Z`, `2024-04-24T12:00:00.000+0000`),
 * kept as sent when it parses; undefined otherwise.
 */
export function date(value: unknown): string | undefined {
  const raw = text(value, 64)
  return raw && !Number.isNaN(Date.parse(raw)) ? raw : undefined
}

/** A resource ID in the shape Apple uses; anything else is refused, since IDs go into URLs. */
export function resourceId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !RESOURCE_ID.test(value)) {
    throw new DataError(
      `App Store Connect sent ${what} with an unexpected ID: '${oneLine(String(value), 80)}'.`
    )
  }
  return value
}

/** One JSON:API resource: its checked ID, and its attributes and relationships as sent. */
export interface Resource {
  type: string
  id: string
  attributes: Json
  relationships: Json
}

/** Reads a resource; `what` names it in the error for a bad ID ("a build"). */
export function resource(value: unknown, what: string): Resource {
  const raw = object(value) ?? {}
  return {
    // Structural, but from App Store Connect all the same: it can reach an error message.
    type: text(raw.type, 64) ?? '',
    id: resourceId(raw.id, what),
    attributes: object(raw.attributes) ?? {},
    relationships: object(raw.relationships) ?? {}
  }
}

/**
 * The ID a to-one relationship names (`relationships.build.data.id`): undefined when it names
 * none, refused when it names one in a shape Apple does not use.
 */
export function related(from: Resource, name: string): string | undefined {
  const data = object(object(from.relationships[name])?.data)
  if (data?.id === undefined) return undefined
  return resourceId(data.id, `the ${name} of ${from.type || 'a resource'} ${from.id}`)
}

/** A document's `included` resources by type and ID; entries with a bad ID are left out. */
export class Included {
  private readonly byKey = new Map<string, Resource>()

  constructor(value: unknown) {
    for (const entry of Array.isArray(value) ? value : []) {
      const raw = object(entry)
      if (typeof raw?.type !== 'string' || typeof raw.id !== 'string') continue
      if (!RESOURCE_ID.test(raw.id)) continue
      this.byKey.set(`${raw.type}/${raw.id}`, resource(raw, raw.type))
    }
  }

  get(type: string, id: string | undefined): Resource | undefined {
    return id === undefined ? undefined : this.byKey.get(`${type}/${id}`)
  }
}

/** A single-resource document: `data` and its `included`. */
export function single(body: unknown, what: string): { data: unknown; included: Included } {
  const document = object(body)
  if (!document || !('data' in document)) {
    throw new DataError(
      `App Store Connect answered ${what} without 'data'; the response does not match Apple's schema.`
    )
  }
  return { data: document.data, included: new Included(document.included) }
}

export interface Page {
  items: unknown[]
  included: Included
  /** 0 for the first page. */
  index: number
}

export interface PageOptions {
  /** `GET /v1/…`, for messages. */
  what: string
  /** The sentence for a 404 (see GetOptions). */
  notFound?: string
  /** At most this many pages, whatever the server links to; ASC.maxPages by default. */
  maxPages?: number
}

/**
 * Reads a collection page by page. `onPage` returns false once it has what it needs, and no
 * further page is asked for. Links are followed only to the API's own base (see
 * AscClient.link), never twice, and at most `maxPages` of them; an empty page ends the list.
 * `complete` is false when a next page was left unread, for whatever reason.
 */
export async function pages(
  client: AscClient,
  first: { path: string; query: Record<string, string> },
  options: PageOptions,
  onPage: (page: Page) => boolean | void
): Promise<{ complete: boolean; looped: boolean }> {
  const maxPages = options.maxPages ?? ASC.maxPages
  const seen = new Set<string>()
  let next: string | undefined = client.url(first.path, first.query).href
  for (let index = 0; next; index++) {
    if (index >= maxPages) return { complete: false, looped: false }
    seen.add(next)
    const body = await client.getJson(next, {
      ...(options.notFound ? { notFound: options.notFound } : {}),
      maxBodyBytes: PAGE_MAX_BYTES
    })
    const { items, nextLink, included } = readPage(body, options.what)
    if (items.length === 0) return { complete: true, looped: false }
    const more = onPage({ items, included, index })
    if (!nextLink) return { complete: true, looped: false }
    if (more === false) return { complete: false, looped: false }
    const url = client.link(nextLink).href
    // A link back to a page already read: paging is broken, so the list may be incomplete.
    if (seen.has(url)) return { complete: false, looped: true }
    next = url
  }
  return { complete: true, looped: false }
}

function readPage(
  body: unknown,
  what: string
): { items: unknown[]; nextLink?: string; included: Included } {
  const document = object(body)
  const data = document?.data
  if (!Array.isArray(data)) {
    throw new DataError(
      `App Store Connect answered ${what} without a 'data' list; the response does not match Apple's schema.`
    )
  }
  const next = object(document?.links)?.next
  return {
    items: data,
    included: new Included(document?.included),
    ...(typeof next === 'string' && next ? { nextLink: next } : {})
  }
}

/** One entry of Apple's `errors` list, every field sanitised and capped. */
export interface AppleError {
  code?: string
  title?: string
  detail?: string
  /** `links.see`, such as "/agreements". */
  see?: string
  /** `meta.associatedErrors`, flattened: what each related resource reported. */
  associated: { code?: string; title?: string; detail?: string }[]
}

const ERROR_FIELD_CAP = 300
const MAX_ERRORS = 5

/** The `errors` of an error response; empty when the body is not one. */
export function appleErrors(body: string): AppleError[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return []
  }
  const said = (fields: { code?: string; title?: string; detail?: string }) =>
    Boolean(fields.code || fields.title || fields.detail)
  return objects(object(parsed)?.errors, MAX_ERRORS).flatMap(entry => {
    const associated = Object.values(object(object(entry.meta)?.associatedErrors) ?? {})
      .flatMap(list => objects(list, MAX_ERRORS))
      .map(errorFields)
      .filter(said)
      .slice(0, MAX_ERRORS)
    const fields = errorFields(entry)
    if (!said(fields)) return []
    const see = text(object(entry.links)?.see, ERROR_FIELD_CAP)
    return [{ ...fields, ...(see ? { see } : {}), associated }]
  })
}

function errorFields(entry: Json): { code?: string; title?: string; detail?: string } {
  const fields: { code?: string; title?: string; detail?: string } = {}
  for (const name of ['code', 'title', 'detail'] as const) {
    const value = text(entry[name], ERROR_FIELD_CAP)
    if (value) fields[name] = value
  }
  return fields
}
