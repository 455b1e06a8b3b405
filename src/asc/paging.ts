import { DataError, ServiceError } from '../errors.js'
import { oneLine } from '../text.js'
import type { AscClient } from './client.js'

// JSON:API paging as App Store Connect serves it: a `data` list and an optional `links.next`.

/**
 * The next page's URL, or undefined when it was already read. A link to another origin is
 * refused: the token only ever travels to the API's origin.
 */
export function followable(
  client: AscClient,
  nextUrl: string,
  seen: Set<string>
): string | undefined {
  let url: URL
  try {
    url = client.url(nextUrl)
  } catch {
    throw new DataError(
      `App Store Connect sent a paging link that is not a URL: '${oneLine(nextUrl, 120)}'.`
    )
  }
  if (!client.isSameOrigin(url)) {
    throw new ServiceError(
      `App Store Connect sent a paging link to another origin (${oneLine(url.origin, 80)}); the gate does not send the API token there.`
    )
  }
  return seen.has(url.href) ? undefined : url.href
}

export interface Page {
  items: unknown[]
  nextUrl?: string
}

/** A JSON:API collection page: `data` and optional `links.next`. */
export function readPage(body: unknown, what: string): Page {
  const data = (body as { data?: unknown })?.data
  if (!Array.isArray(data)) {
    throw new DataError(
      `App Store Connect answered ${what} without a 'data' list; the response does not match Apple's schema.`
    )
  }
  const next = (body as { links?: { next?: unknown } }).links?.next
  return { items: data, nextUrl: typeof next === 'string' && next ? next : undefined }
}
