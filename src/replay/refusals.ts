import type { Collected } from '../collect.js'
import { fetchLimit, logsLimit } from '../collect.js'
import type { Settings } from '../config/parse.js'
import type { BacktraceResult } from '../model.js'
import type { RecordedRun } from '../record/read.js'
import { oneLine, plural } from '../text.js'
import { INPUT_USES } from './inputs.js'

// What a replay cannot do: anything that would need App Store Connect to answer again. And,
// for what it can do, the evidence a run under the new settings would have read.

/** Why an override cannot be replayed, in one sentence; undefined when every one can. */
export function overrideRefusal(
  run: RecordedRun,
  overrides: ReadonlyMap<string, string>
): string | undefined {
  const { ending } = run
  if (ending.kind !== 'judged') {
    return [...overrides.keys()].some(input => INPUT_USES[input] === 'policy')
      ? `The record holds no verdict (the run ${ending.kind === 'failed' ? 'stopped on an error' : 'was skipped'}), so there is no decision to replay under another policy.`
      : undefined
  }
  const build = ending.data.current.build
  for (const input of overrides.keys()) {
    switch (INPUT_USES[input]) {
      case 'build':
        return `'${input}' chooses which build App Store Connect is asked about, and replay asks nothing: it derives the verdict of build ${oneLine(build.label ?? build.id, 140)} from the record alone; run the gate for another build.`
      case 'dataset':
        return `'${input}' chooses which metric datasets App Store Connect sends, and the record holds only those for ${oneLine(ending.inputs['metric-percentile'] ?? '?', 20)} on ${oneLine(ending.inputs['metric-device'] ?? '?', 40)}; run the gate to read others.`
      case 'connection':
        return `'${input}' only shapes the requests to App Store Connect, and replay makes none.`
      case 'github':
      case 'secret':
        return `'${input}' means nothing to a replay, which writes no comment and takes no key.`
    }
  }
  return undefined
}

/**
 * The evidence a run under `replayed` would have read, cut from what the run under `recorded`
 * read; or why the record does not hold it, in one sentence.
 */
export function evidenceFor(
  data: Collected,
  recorded: Settings,
  replayed: Settings
): { data: Collected } | { refused: string } {
  const extraTypes = replayed.types.filter(t => !recorded.types.includes(t))
  if (extraTypes.length) {
    return {
      refused: `'diagnostic-types' names ${extraTypes.join(', ')}, which the run did not read (the record holds ${recorded.types.join(', ')}); replay can gate fewer types, not other ones.`
    }
  }
  const had = recorded.metrics?.identifiers ?? []
  const wanted = replayed.metrics?.identifiers ?? []
  const extraMetrics = wanted.filter(m => !had.some(h => h.toLowerCase() === m.toLowerCase()))
  if (extraMetrics.length) {
    return {
      refused: `'metrics' names ${extraMetrics.join(', ')}, which the run did not read (${had.length ? `the record holds ${had.join(', ')}` : 'it gated no metric'}); replay can gate fewer metrics, not other ones.`
    }
  }
  const reference = replayed.metrics?.reference
  if (reference === 'auto' && data.baseline && !data.metrics?.baselineVersion) {
    if (recorded.metrics?.reference !== 'auto') {
      return {
        refused: `'metric-reference' 'auto' compares with the baseline's version, which the run did not read ('metric-reference' was '${recorded.metrics?.reference}'); run the gate to compare with the baseline.`
      }
    }
  }
  // Each type's list as a run under `replayed` fetches it: the same count, or fewer.
  const count = fetchLimit(replayed)
  const lists = [data.current, ...(data.baseline ? [data.baseline] : [])].flatMap(b => [
    ...b.lists.values()
  ])
  // Only more than the run asked for is missing: a list cut short for its own reasons (a
  // paging loop, the page cap) is what a run asking for as many gets.
  const short =
    count > fetchLimit(recorded)
      ? lists.find(list => !list.complete && list.signatures.length < count)
      : undefined
  if (short) {
    return {
      refused: `'limit' is ${replayed.limit}, and a run would read ${count} signatures of each type, but the record holds ${plural(short.signatures.length, 'signature')} of ${short.type} (more exist); replay can report fewer, not more.`
    }
  }
  const cut = (build: Collected['current']): Collected['current'] => ({
    build: build.build,
    lists: new Map(
      [...build.lists]
        .filter(([type]) => replayed.types.includes(type))
        .map(([type, list]) => [
          type,
          {
            type,
            signatures: list.signatures.slice(0, count),
            complete: list.complete && list.signatures.length <= count
          }
        ])
    )
  })
  const current = cut(data.current)
  // The backtraces a run fetches: the top `include-logs` of each type, within `limit`.
  const logs = logsLimit(replayed)
  const wantedLogs = [...current.lists.values()].flatMap(list =>
    list.signatures.slice(0, logs).map(s => s.id)
  )
  const missing = wantedLogs.filter(id => !data.backtraces.has(id))
  if (missing.length) {
    return {
      refused: `'include-logs' ${replayed.includeLogs} with 'limit' ${replayed.limit} asks for ${plural(wantedLogs.length, 'backtrace')}, and the record holds ${wantedLogs.length - missing.length} of them; replay can show fewer backtraces, not more.`
    }
  }
  const kept = new Set(wantedLogs)
  const backtraces = new Map<string, BacktraceResult>(
    [...data.backtraces].filter(([id]) => kept.has(id))
  )
  return {
    data: {
      ...data,
      current,
      ...(data.baseline ? { baseline: cut(data.baseline) } : {}),
      backtraces
    }
  }
}
