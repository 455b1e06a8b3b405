import { ASC, LOGS_MAX_BYTES } from '../constants.js'
import { messageOf } from '../errors.js'
import type { BacktraceResult } from '../model.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import { parseBacktrace } from './backtrace.js'
import type { AscClient } from './client.js'

// A few logs give the parser a fallback when the first has no call stack, without
// downloading every log Apple keeps for the signature.
const LOGS_PER_SIGNATURE = '5'

/**
 * One signature's backtrace. Never throws: a logs request that fails after retries, or a
 * body that cannot be parsed, becomes "backtrace unavailable" and never changes the verdict.
 */
export async function fetchBacktrace(
  client: AscClient,
  signatureId: string,
  /** Aborted when the run stops waiting for logs. */
  signal?: AbortSignal
): Promise<BacktraceResult> {
  try {
    const body = await client.getJson(
      `/v1/diagnosticSignatures/${encodeURIComponent(signatureId)}/logs`,
      {
        query: { limit: LOGS_PER_SIGNATURE },
        // Apple answers anything without its vendor type with a plain-text 406.
        accept: `${ASC.logsContentType}, application/json`,
        notFound: `App Store Connect has no logs for signature '${oneLine(signatureId, 64)}'`,
        // Read whole and parsed at once, with 4 in flight: the cap bounds the memory.
        maxBodyBytes: LOGS_MAX_BYTES,
        ...(signal ? { signal } : {})
      }
    )
    return { ok: true, backtrace: parseBacktrace(body, signatureId) }
  } catch (error) {
    return { ok: false, reason: `Backtrace unavailable: ${scrub(messageOf(error))}` }
  }
}
