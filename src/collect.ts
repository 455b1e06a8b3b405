import type { AscClient } from './asc/client.js'
import { fetchSignatures } from './asc/signatures.js'
import type { Config } from './config.js'
import { ASC, type DiagnosticType } from './constants.js'
import type { SignatureList } from './model.js'
import { plural } from './text.js'
import { allSettledOrThrow } from './concurrency.js'

export interface ResolvedBuild {
  id: string
  /** "2.4.0 (412)" when known. */
  label?: string
}

export interface Collected {
  build: ResolvedBuild
  current: Map<DiagnosticType, SignatureList>
}

/**
 * Everything the gate needs from App Store Connect, fetched with as few sequential round trips
 * as the data allows: all types at once.
 */
export async function collect(
  client: AscClient,
  config: Config,
  log: (line: string) => void
): Promise<Collected> {
  const build: ResolvedBuild = { id: config.build.kind === 'id' ? config.build.id : '' }
  const limit = config.baseline ? ASC.baselineFetchLimit : config.limit
  const lists = await allSettledOrThrow(
    config.types.map(async type => {
      const list = await fetchSignatures(client, build.id, type, limit)
      log(
        `${type}: ${plural(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`
      )
      return list
    })
  )
  return { build, current: new Map(lists.map(list => [list.type, list])) }
}
