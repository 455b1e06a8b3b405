import { PHASED_RELEASE_STATES, type PhasedRelease } from '../asc/phased-release.js'
import type { BuildFacts } from '../asc/build-facts.js'
import type { RateLimit } from '../asc/client.js'
import type { BuildData, Collected } from '../collect.js'
import {
  ACTION_NAME,
  ASC,
  BACKTRACE,
  DIAGNOSTIC_TYPES,
  FIELD_CAPS,
  HISTORY,
  JSON_REPORT_SCHEMA_VERSION,
  RESOURCE_ID
} from '../constants.js'
import { InputError } from '../errors.js'
import type { AppleInsight, MetricSeries, MetricsData } from '../metrics/model.js'
import { METRIC_CATEGORIES } from '../metrics/model.js'
import type { BacktraceResult, Signature, SignatureList } from '../model.js'
import type { FailureCause } from '../outcome.js'
import type { SourceLookup, SourcePlace } from '../source/locate.js'
import { ACTION_INPUTS } from '../cli/action-inputs.js'
import { UNRECORDED_INPUTS } from '../config/parse.js'
import { checked, Field, present, type Shape } from './fields.js'
import type { AppendResult } from '../history/branch.js'
import { segment, type RunHistory, type VersionIndex } from '../history/layout.js'
import { isBranchName } from '../config/values.js'
import { decisiveRuns } from '../history/remember.js'
import { indexEntry } from '../history/snapshot.js'

// The reader of decision records: a record's JSON text in, the run it describes out, every
// value checked on the way (see ./fields.ts). Nothing else reads a record.

/** What the guard did to the live version's rollout, as the run recorded it. */
export interface RecordedGuard {
  version: string
  versionId: string
  /** The rollout after the run. */
  release?: PhasedRelease
  /** The rollout the decision was made on. */
  decidedOn?: PhasedRelease
  paused: boolean
  error?: string
}

export type RecordedEnding =
  | {
      kind: 'judged'
      inputs: Readonly<Record<string, string>>
      data: Collected
      guard?: RecordedGuard
      sources?: SourceLookup
      runUrl?: string
      pullRequest: boolean
      historyWrite?: AppendResult
      /** The verdict as the run wrote it, to tell when today's rules decide differently. */
      verdict: unknown
    }
  | { kind: 'failed'; error: string; cause: FailureCause }
  | { kind: 'skipped'; reason: string }

export interface RecordedRun {
  toolVersion: string
  generatedAt: string
  totalMs: number
  requests: number
  rateLimit?: RateLimit
  ending: RecordedEnding
}

/** Most signatures per list: App Store Connect's largest page, which 'limit' cannot exceed. */
const MAX_SIGNATURES = ASC.maxPageSize
/** Most backtraces: 'include-logs' of each type, at most 'limit'. */
const MAX_BACKTRACES = DIAGNOSTIC_TYPES.length * ASC.maxPageSize
/** Generous bounds on lists a run writes far smaller, so a forged record cannot be huge in count. */
const MAX_ITEMS = 1_000

/** Reads a record; throws an InputError naming the first problem. */
export function readRecord(json: string, name: string): RecordedRun {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (error) {
    const cut =
      json.trim() === ''
        ? 'is empty'
        : `is not complete JSON (${(error as Error).message.slice(0, 120)})`
    throw new InputError(
      `${name} ${cut}; the file may have been cut short: download the record again, or give replay the JSON report a run wrote ('report-path').`
    )
  }
  const root = new Field(parsed, '$')
  root.object()
  schemaVersion(root, name)
  if (!root.get('replay').missing) {
    throw new InputError(
      `${name} is what a replay under another policy printed, not a run's record; replay the run's own record with those flags instead.`
    )
  }
  const toolVersion = root.get('toolVersion').text(40)
  const ending = endingOf(root)
  const rateLimit = root.get('rateLimit').optional(f => ({
    ...present(
      'limit',
      f.get('limit').optional(l => l.integer())
    ),
    ...present(
      'remaining',
      f.get('remaining').optional(r => r.integer())
    )
  }))
  return {
    toolVersion,
    generatedAt: root.get('generatedAt').text(40),
    totalMs: root.get('timings').get('total').nonNegative(),
    requests: root.get('requests').integer(),
    ...present('rateLimit', rateLimit),
    ending
  }
}

function schemaVersion(root: Field, name: string): void {
  const tool = root.get('tool')
  if (tool.value !== ACTION_NAME) {
    throw new InputError(
      `${name} is not a decision record of ${ACTION_NAME} (its 'tool' is ${JSON.stringify(String(tool.value ?? 'missing')).slice(0, 60)}); give replay the JSON report a run wrote ('report-path').`
    )
  }
  const schema = root.get('schemaVersion').value
  if (schema === JSON_REPORT_SCHEMA_VERSION) return
  const written =
    typeof root.get('toolVersion').value === 'string'
      ? ` by ${String(root.get('toolVersion').value).slice(0, 40)}`
      : ''
  if (typeof schema === 'number' && schema > JSON_REPORT_SCHEMA_VERSION) {
    throw new InputError(
      `${name} is a schema version ${schema} record, written${written || ' by a newer version'}; this ${ACTION_NAME} reads version ${JSON_REPORT_SCHEMA_VERSION}: replay it with the version that wrote it, or a newer one.`
    )
  }
  throw new InputError(
    typeof schema === 'number'
      ? `${name} is a schema version ${schema} report${written}, which holds no evidence to replay; records from schema version ${JSON_REPORT_SCHEMA_VERSION} on can be replayed.`
      : `${name} has no valid 'schemaVersion'; give replay the JSON report a run wrote ('report-path').`
  )
}

function endingOf(root: Field): RecordedEnding {
  const skipped = root.get('skipReason').optional(f => f.sentence())
  if (skipped !== undefined) return { kind: 'skipped', reason: skipped }
  const error = root.get('error').optional(f => f.sentence())
  if (error !== undefined) {
    return {
      kind: 'failed',
      error,
      cause: root.get('errorCause').oneOf(['input', 'service', 'unexpected'])
    }
  }
  const evidence = root.get('evidence')
  const current = buildData(evidence.get('current'))
  const baseline = evidence.get('baseline').optional(buildData)
  const metrics = evidence.get('metrics').optional(metricsData)
  const timings = root.get('timings')
  const data: Collected = {
    current,
    ...present('baseline', baseline),
    backtraces: new Map(
      root
        .get('backtraces')
        .entries(MAX_BACKTRACES)
        .map(([id, f]) => [signatureId(id, f), backtraceResult(f)])
    ),
    ...present('metrics', metrics),
    timings: {
      builds: timings.get('builds').nonNegative(),
      signatures: timings.get('signatures').nonNegative(),
      logs: timings.get('logs').nonNegative()
    }
  }
  const guard = root.get('phasedRelease').optional(recordedGuard)
  // A run on the live version always records what the guard did, if only "nothing".
  if (current.build.appStoreVersion?.status === 'live' && !guard) {
    throw root.get('phasedRelease').damaged('is missing, and the build is the live version')
  }
  const sources = evidence.get('sources').optional(sourceLookup)
  const history = evidence.get('history').optional(runHistory)
  if (history) data.history = history
  return {
    kind: 'judged',
    inputs: inputsOf(root.get('settings').get('inputs')),
    data,
    ...present('guard', guard),
    ...present('sources', sources),
    ...present(
      'runUrl',
      evidence.get('runUrl').optional(f => f.matching(RUN_URL, "a workflow run's URL"))
    ),
    pullRequest: evidence.get('pullRequest').boolean(),
    ...present('historyWrite', root.get('historyWrite').optional(historyWrite)),
    verdict: root.get('verdict').value
  }
}

/** What became of the record on the history branch, checked in place. */
function historyWrite(f: Field): AppendResult {
  const written = f.get('ok').boolean()
  const shape: Shape = written
    ? {
        members: {
          ok: () => undefined,
          commit: c => c.matching(/^[0-9a-f]{40}$/, 'a commit SHA'),
          attempts: a => a.integer(1),
          pruned: p =>
            p
              .list(HISTORY.maxKeepVersions + 1)
              .forEach(v => v.matching(/^[0-9.]{1,64}$/, 'a version'))
        },
        required: ['ok', 'commit', 'attempts', 'pruned']
      }
    : { members: { ok: () => undefined, warning: w => w.sentence() }, required: ['ok', 'warning'] }
  return checked<AppendResult>(f, shape)
}

/** What the guard's history held, checked in place: each index entry exactly as a run writes it. */
function runHistory(f: Field): RunHistory {
  const branch = (b: Field) => {
    if (!isBranchName(b.text(100))) throw b.damaged('is not a branch name')
  }
  const shape: Shape =
    f.get('unavailable').value === undefined
      ? {
          members: { branch, current: versionIndex, previous: versionIndex },
          required: ['branch', 'current']
        }
      : { members: { branch, unavailable: u => u.sentence() }, required: ['branch', 'unavailable'] }
  return checked<RunHistory>(f, shape)
}

function versionIndex(f: Field): VersionIndex {
  const runs = (list: Field) => {
    const entries = list.list(HISTORY.maxRunsPerVersion).map(run => {
      const entry = indexEntry(run.value)
      // A member a run does not write, or one out of shape, is refused.
      if (!entry || JSON.stringify(entry) !== JSON.stringify(run.value)) {
        throw run.damaged('is not an index entry a run writes')
      }
      return entry
    })
    // A run keeps only the runs that decide, in time order: which bounds a record's size too.
    if (JSON.stringify(decisiveRuns(entries)) !== JSON.stringify(entries)) {
      throw list.damaged('holds runs a run does not keep')
    }
  }
  return checked<VersionIndex>(f, {
    members: {
      version: v => {
        if (segment(v.text(64)) !== v.value) throw v.damaged('is not a version folder')
      },
      runs
    },
    required: ['version', 'runs']
  })
}

/** The only links a record may give the report: a workflow run's page, as the runner names it. */
const RUN_URL = /^https:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+\/actions\/runs\/\d+$/

const INPUT_NAMES = new Set(ACTION_INPUTS.map(i => i.name))

function inputsOf(field: Field): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const [name, value] of field.entries(INPUT_NAMES.size)) {
    if (!INPUT_NAMES.has(name)) throw value.damaged('is not an input of the action')
    if (UNRECORDED_INPUTS.includes(name)) throw value.damaged('is an input a run never records')
    // As the run read it: an input may hold a tab or a line break that its parser trims.
    inputs[name] = value.sentence()
  }
  return inputs
}

const id = (f: Field): string => f.matching(RESOURCE_ID, 'an App Store Connect resource ID')

function signatureId(key: string, f: Field): string {
  if (!RESOURCE_ID.test(key)) throw f.damaged('is not keyed by a signature ID')
  return key
}

function buildData(f: Field): BuildData {
  const lists = new Map<(typeof DIAGNOSTIC_TYPES)[number], SignatureList>()
  for (const item of f.get('lists').list(DIAGNOSTIC_TYPES.length)) {
    const type = item.get('type').oneOf(DIAGNOSTIC_TYPES)
    lists.set(type, {
      type,
      complete: item.get('complete').boolean(),
      signatures: item.get('signatures').list(MAX_SIGNATURES).map(signature)
    })
  }
  return { build: checked<BuildFacts>(f.get('build'), BUILD_FACTS), lists }
}

// The model objects, by shape: every member a run writes, and how it is checked.
const text = (cap: number) => (f: Field) => f.text(cap)
const version = text(FIELD_CAPS.version)
const identifier = text(FIELD_CAPS.identifier)
const integer = (min: number) => (f: Field) => f.integer(min)
const boolean = (f: Field) => f.boolean()
const number = (f: Field) => f.number()
const nonNegative = (f: Field) => f.nonNegative()
const oneOf = (allowed: readonly string[]) => (f: Field) => f.oneOf(allowed)
const listOf = (max: number, item: (f: Field) => unknown) => (f: Field) => f.list(max).map(item)
const shaped = (shape: Shape) => (f: Field) => checked(f, shape)

const ROLLOUT_STATES = [...PHASED_RELEASE_STATES, 'UNKNOWN'] as const

const PHASED_RELEASE: Shape = {
  members: {
    id,
    state: oneOf(ROLLOUT_STATES),
    day: integer(1),
    startDate: identifier,
    totalPauseDuration: integer(0)
  },
  required: ['id', 'state']
}

const BUILD_FACTS: Shape = {
  members: {
    id,
    label: text(2 * FIELD_CAPS.version + 3),
    exists: boolean,
    appId: id,
    version,
    buildNumber: version,
    processingState: identifier,
    appStoreVersion: shaped({
      members: {
        id,
        versionString: version,
        status: oneOf(['live', 'replaced']),
        decidedBy: oneOf(['appVersionState', 'appStoreState']),
        createdDate: identifier,
        buildId: id,
        build: shaped({
          members: { id, buildNumber: version, processingState: identifier },
          required: ['id']
        }),
        phasedRelease: shaped(PHASED_RELEASE)
      },
      required: ['id', 'versionString', 'status', 'decidedBy']
    })
  },
  required: ['id']
}

const SIGNATURE: Shape = {
  members: {
    id,
    diagnosticType: oneOf(DIAGNOSTIC_TYPES),
    signature: text(FIELD_CAPS.signature),
    textDigest: (f: Field) => f.matching(/^[0-9a-f]{64}$/, 'a SHA-256 digest'),
    weight: nonNegative,
    insight: shaped({
      members: {
        direction: oneOf(['UP', 'DOWN', 'UNDEFINED']),
        referenceVersions: listOf(
          FIELD_CAPS.referenceVersions,
          shaped({ members: { version, value: number }, required: ['version', 'value'] })
        )
      },
      required: ['referenceVersions']
    })
  },
  required: ['id', 'diagnosticType', 'signature', 'weight']
}

const signature = (f: Field): Signature => checked<Signature>(f, SIGNATURE)

const BACKTRACE_TEXT = text(500)

const FRAME: Shape = {
  members: {
    binary: BACKTRACE_TEXT,
    symbol: BACKTRACE_TEXT,
    file: BACKTRACE_TEXT,
    line: BACKTRACE_TEXT,
    blamed: boolean,
    category: BACKTRACE_TEXT,
    skippedBefore: integer(1)
  },
  required: ['binary', 'symbol', 'blamed']
}

const BACKTRACE_SHAPE: Shape = {
  members: {
    signatureId: id,
    frames: listOf(BACKTRACE.maxFrames, shaped(FRAME)),
    basis: oneOf(['blamed', 'heaviest']),
    skippedAfter: integer(1),
    device: BACKTRACE_TEXT,
    os: BACKTRACE_TEXT,
    appVersion: BACKTRACE_TEXT,
    buildVersion: BACKTRACE_TEXT,
    event: BACKTRACE_TEXT,
    eventDetail: BACKTRACE_TEXT,
    writesCaused: BACKTRACE_TEXT,
    insights: listOf(
      BACKTRACE.maxInsights,
      shaped({
        members: { text: BACKTRACE_TEXT, url: text(8_000), category: BACKTRACE_TEXT },
        required: ['text']
      })
    )
  },
  required: ['signatureId', 'frames', 'basis', 'insights']
}

function backtraceResult(f: Field): BacktraceResult {
  return f.get('ok').boolean()
    ? checked<BacktraceResult>(f, {
        members: { ok: boolean, backtrace: shaped(BACKTRACE_SHAPE) },
        required: ['ok', 'backtrace']
      })
    : checked<BacktraceResult>(f, {
        members: { ok: boolean, reason: (r: Field) => r.sentence() },
        required: ['ok', 'reason']
      })
}

function metricsData(f: Field): MetricsData {
  const versionText = (name: string) => f.get(name).optional(v => v.text(FIELD_CAPS.version))
  const payload = f.get('payload').optional(p => ({
    series: new Map(
      p
        .get('series')
        .list(MAX_ITEMS)
        .map(metricSeries)
        .map(series => [series.identifier.toLowerCase(), series] as const)
    ),
    // Regressions and trends, each list capped on its own.
    insights: p
      .get('insights')
      .list(2 * FIELD_CAPS.metricListItems)
      .map(appleInsight)
  }))
  return {
    ...present('appId', f.get('appId').optional(id)),
    ...present('version', versionText('version')),
    ...present('baselineVersion', versionText('baselineVersion')),
    ...present('payload', payload),
    ...present(
      'unavailable',
      f.get('unavailable').optional(v => v.text())
    )
  }
}

const METRIC_POINT: Shape = {
  members: { version, value: number, errorMargin: nonNegative, goal: text(FIELD_CAPS.metricLabel) },
  required: ['version', 'value']
}

const METRIC_SERIES: Shape = {
  members: {
    identifier,
    category: oneOf(METRIC_CATEGORIES),
    unit: text(FIELD_CAPS.metricLabel),
    recommendedGoal: shaped({
      members: { value: number, detail: text(FIELD_CAPS.metricLabel) },
      required: ['value']
    }),
    points: listOf(FIELD_CAPS.metricPoints + 1, shaped(METRIC_POINT))
  },
  required: ['identifier', 'points']
}

const APPLE_INSIGHT: Shape = {
  members: {
    kind: oneOf(['regression', 'trendingUp']),
    metric: identifier,
    category: oneOf(METRIC_CATEGORIES),
    latestVersion: version,
    referenceVersions: listOf(FIELD_CAPS.referenceVersions, version),
    highImpact: boolean,
    summary: text(FIELD_CAPS.insightSummary),
    populations: listOf(
      FIELD_CAPS.insightPopulations,
      shaped({
        members: {
          percentile: identifier,
          device: identifier,
          latestVersionValue: number,
          referenceAverageValue: number,
          deltaPercentage: number
        },
        required: []
      })
    )
  },
  required: ['kind', 'metric', 'referenceVersions', 'populations']
}

const metricSeries = (f: Field): MetricSeries => checked<MetricSeries>(f, METRIC_SERIES)
const appleInsight = (f: Field): AppleInsight => checked<AppleInsight>(f, APPLE_INSIGHT)

// Paths in the checkout and our sentences about them: a file name may hold a tab.
const sentence = (f: Field) => f.sentence()
const SOURCE_PLACE_FOUND: Shape = {
  members: { ok: boolean, path: sentence, line: integer(1) },
  required: ['ok', 'path', 'line']
}
const SOURCE_PLACE_MISSING: Shape = {
  members: { ok: boolean, reason: sentence },
  required: ['ok', 'reason']
}

function sourceLookup(f: Field): SourceLookup {
  const places = new Map<string, SourcePlace>()
  for (const [key, place] of f.get('places').entries(MAX_ITEMS)) {
    const shape = place.get('ok').boolean() ? SOURCE_PLACE_FOUND : SOURCE_PLACE_MISSING
    places.set(signatureId(key, place), checked<SourcePlace>(place, shape))
  }
  return { places, noCheckout: f.get('noCheckout').boolean() }
}

function recordedGuard(f: Field): RecordedGuard {
  const version = f.get('appStoreVersion')
  // The record spells an absent rollout as nulls: rebuilt here, and written out the same way.
  const rollout = (r: Field): PhasedRelease | undefined =>
    r.get('id').missing
      ? undefined
      : {
          id: id(r.get('id')),
          state: r.get('state').oneOf(ROLLOUT_STATES),
          ...present(
            'day',
            r.get('day').optional(v => v.integer(1))
          ),
          ...present('startDate', r.get('startDate').optional(identifier)),
          ...present(
            'totalPauseDuration',
            r.get('totalPauseDuration').optional(v => v.integer())
          )
        }
  const release = rollout(f)
  const decidedOn = f.get('decidedOn').optional(rollout)
  return {
    version: version.get('version').text(FIELD_CAPS.version),
    versionId: id(version.get('id')),
    ...present('release', release),
    ...present('decidedOn', decidedOn),
    paused: f.get('paused').boolean(),
    ...present(
      'error',
      f.get('error').optional(v => v.sentence())
    )
  }
}
