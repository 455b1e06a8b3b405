import type { Collected } from '../collect.js'
import type { HistorySettings, Settings } from '../config/parse.js'
import { messageOf } from '../errors.js'
import { appendRun, github, permissionHint, type AppendResult } from './branch.js'
import {
  appFolder,
  segment,
  type IndexEntry,
  type RunHistory,
  type VersionIndex
} from './layout.js'
import { decisiveRuns } from './remember.js'
import {
  readHead,
  readVersions,
  type GitHubCall,
  type HeadRead,
  type Snapshot
} from './snapshot.js'

/** Where a guard run's history lives: the app's folder and the version's, on the branch. */
export interface HistoryPlace {
  appId: string
  platform: string
  version: string
}

/** The place of a guard run on the live version; undefined for any other run. */
export function historyPlace(config: Settings, data: Collected): HistoryPlace | undefined {
  const { build } = data.current
  const version = build.appStoreVersion
  if (!config.history || version?.status !== 'live' || !build.appId) return undefined
  const platform = config.build.kind === 'id' ? 'IOS' : config.build.platform
  return { appId: build.appId, platform, version: version.versionString }
}

/**
 * The guard's memory for one run: read once the live version is known, written once the run
 * is decided. Neither ever throws: what fails is said, and the run decides without history.
 */
export class HistoryStore {
  private snapshot?: Snapshot
  private head?: Promise<HeadRead | { thrown: unknown }>

  constructor(
    private readonly call: GitHubCall | { unavailable: string },
    readonly settings: HistorySettings,
    /** Stops whatever is still asked of GitHub once the run is over (a prefetch nobody read). */
    readonly close: () => void = () => {}
  ) {}

  /** Starts reading the branch's head while App Store Connect is asked: it needs no version. */
  prefetch(): this {
    if (!('unavailable' in this.call)) this.head ??= this.readHead(this.call)
    return this
  }

  private readHead(call: GitHubCall): Promise<HeadRead | { thrown: unknown }> {
    // Settled either way: a run that stops before reading it must not leave a rejection behind.
    return readHead(call, this.settings.branch).catch((thrown: unknown) => ({ thrown }))
  }

  /** What the branch holds for this version and the one before it. */
  async read(place: HistoryPlace): Promise<RunHistory> {
    const { branch } = this.settings
    const unavailable = (why: string): RunHistory => ({ branch, unavailable: sentence(why) })
    const sentence = (why: string) =>
      `The guard's history on the '${branch}' branch could not be read: ${why}${why.endsWith('.') ? '' : '.'} The guard decided as if there were no history.`
    if ('unavailable' in this.call) return unavailable(this.call.unavailable)
    try {
      const head = await (this.head ?? this.readHead(this.call))
      if ('thrown' in head) throw head.thrown
      if (!head.ok) return unavailable(`${github(head.refusal)}.${permissionHint(head.refusal)}`)
      const read = await readVersions(
        this.call,
        head.at,
        appFolder(place.appId, place.platform),
        segment(place.version)
      )
      if (!read.ok) return unavailable(`${github(read.refusal)}.${permissionHint(read.refusal)}`)
      this.snapshot = read.snapshot
      const { current, previous } = read.snapshot
      const decisive = (index: VersionIndex) => ({ ...index, runs: decisiveRuns(index.runs) })
      return {
        branch,
        current: decisive(current),
        ...(previous ? { previous: decisive(previous) } : {})
      }
    } catch (error) {
      return unavailable(messageOf(error).replace(/\.$/, ''))
    }
  }

  /** How many runs the branch holds of the version and of the one before it, as read. */
  recorded(): { current: number; previous?: { version: string; runs: number } } | undefined {
    const read = this.snapshot
    if (!read) return undefined
    const { previous } = read
    return {
      current: read.current.runs.length,
      ...(previous ? { previous: { version: previous.version, runs: previous.runs.length } } : {})
    }
  }

  /** Adds the run's record and index entry to the branch, on the snapshot the run read. */
  async write(place: HistoryPlace, record: string, entry: IndexEntry): Promise<AppendResult> {
    const { branch, keepVersions } = this.settings
    if ('unavailable' in this.call) {
      return {
        ok: false,
        warning: `The run's record was not written to the '${branch}' branch: ${this.call.unavailable}.`
      }
    }
    try {
      return await appendRun(
        this.call,
        {
          branch,
          appFolder: appFolder(place.appId, place.platform),
          version: segment(place.version),
          file: entry.file,
          record,
          entry,
          keepVersions
        },
        this.snapshot
      )
    } catch (error) {
      return {
        ok: false,
        warning: `The run's record was not written to the '${branch}' branch: ${messageOf(error)}`
      }
    }
  }
}
