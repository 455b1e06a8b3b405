import type { Settings } from '../config/parse.js'
import type { RecordedRun } from '../record/read.js'
import { oneLine, plural } from '../text.js'

// What a replay cannot do: anything that would need App Store Connect to answer again.

/** Inputs that choose what App Store Connect is asked for, and why a replay cannot change them. */
const ASKS_APPLE: Readonly<Record<string, 'build' | 'dataset' | 'logs' | 'connection'>> = {
  'build-id': 'build',
  'app-id': 'build',
  'bundle-id': 'build',
  version: 'build',
  'build-number': 'build',
  platform: 'build',
  'baseline-build-id': 'build',
  'baseline-version': 'build',
  'baseline-build-number': 'build',
  'metric-percentile': 'dataset',
  'metric-device': 'dataset',
  'include-logs': 'logs',
  'api-base-url': 'connection',
  'timeout-minutes': 'connection',
  'key-id': 'connection',
  'issuer-id': 'connection'
}

/** Why an override cannot be replayed, in one sentence; undefined when every one can. */
export function overrideRefusal(
  run: RecordedRun,
  overrides: ReadonlyMap<string, string>
): string | undefined {
  const { ending } = run
  if (ending.kind !== 'judged') {
    return overrides.size
      ? `The record holds no verdict (the run ${ending.kind === 'failed' ? 'stopped on an error' : 'was skipped'}), so there is no decision to replay under another policy.`
      : undefined
  }
  const build = ending.data.current.build
  const name = oneLine(build.label ?? build.id, 140)
  for (const input of overrides.keys()) {
    switch (ASKS_APPLE[input]) {
      case 'build':
        return `'${input}' chooses which build App Store Connect is asked about, and replay asks nothing: it derives the verdict of build ${name} from the record alone; run the gate for another build.`
      case 'dataset':
        return `'${input}' chooses which metric datasets App Store Connect sends, and the record holds only those for ${ending.inputs['metric-percentile']} on ${ending.inputs['metric-device']}; run the gate to read others.`
      case 'logs':
        return `'include-logs' chooses how many backtraces App Store Connect is asked for, and the record holds the ${plural(ending.data.backtraces.size, 'backtrace')} the run fetched; run the gate for more.`
      case 'connection':
        return `'${input}' only shapes the requests to App Store Connect, and replay makes none.`
    }
  }
  return undefined
}

/** Why the replayed settings ask for data the record does not hold; undefined when they do not. */
export function dataRefusal(
  run: RecordedRun,
  recorded: Settings,
  replayed: Settings
): string | undefined {
  if (run.ending.kind !== 'judged') return undefined
  const { data } = run.ending
  const extraTypes = replayed.types.filter(t => !recorded.types.includes(t))
  if (extraTypes.length) {
    return `'diagnostic-types' names ${extraTypes.join(', ')}, which the run did not read (the record holds ${recorded.types.join(', ')}); replay can gate fewer types, not other ones.`
  }
  const lists = [data.current, ...(data.baseline ? [data.baseline] : [])].flatMap(b => [
    ...b.lists.values()
  ])
  if (replayed.limit > recorded.limit && lists.some(list => !list.complete)) {
    return `'limit' is ${replayed.limit}, above the ${plural(recorded.limit, 'signature')} of each type the run read (more exist); replay can report fewer, not more.`
  }
  const had = recorded.metrics?.identifiers ?? []
  const wanted = replayed.metrics?.identifiers ?? []
  const extraMetrics = wanted.filter(m => !had.some(h => h.toLowerCase() === m.toLowerCase()))
  if (extraMetrics.length) {
    return `'metrics' names ${extraMetrics.join(', ')}, which the run did not read (${had.length ? `the record holds ${had.join(', ')}` : 'it gated no metric'}); replay can gate fewer metrics, not other ones.`
  }
  const needsBaselineVersion =
    replayed.metrics?.reference === 'auto' && data.baseline && !data.metrics?.baselineVersion
  if (needsBaselineVersion && recorded.metrics?.reference !== 'auto') {
    return `'metric-reference' 'auto' compares with the baseline's version, which the run did not read ('metric-reference' was '${recorded.metrics?.reference}'); run the gate to compare with the baseline.`
  }
  return undefined
}
