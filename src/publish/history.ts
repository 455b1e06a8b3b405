import * as core from '@actions/core'
import type { Config } from '../config/parse.js'
import { repositoryCalls } from '../github/rest.js'
import { indexEntryOf } from '../history/entry.js'
import { appFolder, segment } from '../history/layout.js'
import { historyPlace, HistoryStore } from '../history/store.js'
import type { RetryPolicy } from '../http/retry.js'
import type { Transport } from '../http/transport.js'
import type { AppendResult } from '../history/branch.js'
import type { Judged } from '../outcome.js'
import { unconfirmableAfter } from '../report/history.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import { recordText } from './json-report.js'

/** The history for this workflow's repository, with its token (or why there is none), reading. */
export function historyStore(config: Config, send: Transport, policy: RetryPolicy): HistoryStore {
  const settings = config.history!
  const repository = process.env.GITHUB_REPOSITORY
  if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
    return new HistoryStore(
      {
        unavailable:
          "GITHUB_REPOSITORY is not set, and the history is kept in the workflow's repository"
      },
      settings
    )
  }
  if (!config.githubToken) {
    return new HistoryStore(
      { unavailable: "'github-token' is empty; the history needs a token with 'contents: write'" },
      settings
    )
  }
  const stop = new AbortController()
  const calls = repositoryCalls({
    token: config.githubToken,
    apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    repository,
    send,
    policy,
    signal: stop.signal
  })
  // The head is read while App Store Connect is asked; the version's folders once it is known.
  return new HistoryStore(calls, settings, () => stop.abort()).prefetch()
}

/**
 * Writes a guard run's record and its index line in one commit on the data branch, and says in
 * the log what became of it; a write that cannot be made is a warning, and the report says so.
 */
export async function writeHistory(outcome: Judged): Promise<AppendResult | undefined> {
  if (!outcome.history || !outcome.recorded) return undefined
  const place = historyPlace(outcome.config, outcome.data)
  if (!place || !outcome.release) return undefined
  const { history } = outcome.data
  if (history && 'unavailable' in history) {
    // What refused the read would refuse the write: the run's warning has said why.
    const warning = `The run's record was not written to the '${history.branch}' branch either, for the same reason.`
    core.warning(warning, { title: 'History' })
    return { ok: false, warning }
  }
  const entry = indexEntryOf(outcome, outcome.recorded.generatedAt)
  const result = await outcome.history.write(place, recordText(outcome), entry)
  if (!result.ok) {
    const unconfirmable = unconfirmableAfter(outcome.config.confirmRuns)
    core.warning(scrub(oneLine(`${result.warning}${unconfirmable}`, 800)), { title: 'History' })
    return result
  }
  const where = `${appFolder(place.appId, place.platform)}/${segment(place.version)}/${entry.file}`
  const retried = result.attempts > 1 ? `, after ${result.attempts - 1} lost race(s)` : ''
  const pruned = result.pruned.length ? `; removed ${result.pruned.join(', ')}` : ''
  core.info(
    oneLine(
      `Recorded this run on '${outcome.history.settings.branch}': ${where} (commit ${result.commit.slice(0, 7)}${retried})${pruned}.`,
      600
    )
  )
  return result
}
