import type { KeyObject } from 'node:crypto'
import { ASC, DIAGNOSTIC_TYPES, HISTORY, PLATFORMS, type DiagnosticType } from '../constants.js'
import { InputError } from '../errors.js'
import type { BuildRef, CommentMode, NoDataPolicy, PhasedReleaseMode } from '../model.js'
import type { MetricSettings } from '../metrics/model.js'
import { DEFAULT_PAUSE_ON, type FindingKind } from '../decision/findings.js'
import { ACTION_INPUTS } from '../cli/action-inputs.js'
import { buildRefs } from './build-refs.js'
import { Inputs, type InputReader } from './inputs.js'
import { metricSettings } from './metrics.js'
import { parsePrivateKey } from './private-key.js'
import {
  baseUrl,
  boolean,
  branchName,
  commentMode,
  diagnosticTypes,
  fraction,
  header,
  identifier,
  integer,
  minutes,
  oneOf,
  pauseOn,
  sharedReportFiles
} from './values.js'

export type { InputReader } from './inputs.js'

/**
 * Everything a run is told except its secrets: what `replay` re-derives a verdict under. The
 * decision record keeps `inputs`, and a replay parses them again with its flags on top.
 */
export interface Settings {
  /**
   * Every input as the run read it, with action.yml's default applied, minus the key and the
   * token ('api-base-url' as parsed: it never carries credentials).
   */
  readonly inputs: Readonly<Record<string, string>>
  readonly build: BuildRef
  readonly baseline?: BuildRef
  readonly types: readonly DiagnosticType[]
  readonly limit: number
  readonly thresholds: Readonly<Record<DiagnosticType, number>>
  readonly failOnBreach: boolean
  readonly noData: NoDataPolicy
  readonly apiBaseUrl: string
  readonly maxWeightIncrease: number
  /** `fail-on-regression`: signature regressions only. */
  readonly failOnRegression: boolean
  readonly failOnMetricRegression: boolean
  readonly comment: CommentMode
  readonly commentHeader: string
  readonly prNumber?: number
  readonly includeLogs: number
  readonly reportPath?: string
  /** `annotate-source`: annotate the blamed source lines found in the workspace. */
  readonly annotateSource: boolean
  /** Where to write the SARIF log and the JUnit XML; undefined when not wanted. */
  readonly sarifPath?: string
  readonly junitPath?: string
  /** `timeout-minutes`: bounds the whole App Store Connect phase. */
  readonly timeoutMinutes: number
  readonly phasedRelease: PhasedReleaseMode
  /** Which findings pause an ACTIVE rollout (and, on a guard run, fail the job). */
  readonly pauseOn: readonly FindingKind[]
  /** On a guard run, keep failing the job after the rollout is over. */
  readonly failAfterRollout: boolean
  /** The power and performance metrics to gate; undefined when `metrics` is empty. */
  readonly metrics?: MetricSettings
  /** `history: branch`: the data branch the guard's runs are kept on; undefined when off. */
  readonly history?: HistorySettings
  /** `confirm-runs`: how many runs in a row a finding needs before it pauses. */
  readonly confirmRuns: number
}

export interface HistorySettings {
  readonly branch: string
  /** `history-keep-versions`: version folders kept per app. */
  readonly keepVersions: number
}

export interface Config extends Settings {
  readonly issuerId?: string
  readonly keyId: string
  readonly privateKey: KeyObject
  /** Every form of the key as given, to mask in logs. */
  readonly keySecrets: readonly string[]
  readonly githubToken: string
}

/**
 * Inputs that are never recorded: the key and the token, and the key's IDs, which are not secret
 * alone but which a history branch in a public repository would publish.
 */
export const UNRECORDED_INPUTS: readonly string[] = [
  'private-key',
  'github-token',
  'issuer-id',
  'key-id'
]

/** Parses and validates every input; throws one InputError that lists each problem. */
export function parseConfig(read: InputReader): Config {
  const inputs = new Inputs(read)
  const key = apiKey(inputs)
  const settings = parsedSettings(inputs)
  const githubToken = inputs.raw('github-token').trim()
  if (inputs.problems.length > 0 || !key || !settings) throw problemsOf(inputs)
  return Object.freeze({ ...key, ...settings, githubToken })
}

/**
 * Parses and validates every input but the key and the token, as `replay` does with a record's
 * inputs; throws one InputError that lists each problem.
 */
export function parseSettings(read: InputReader): Settings {
  const inputs = new Inputs(read)
  const settings = parsedSettings(inputs)
  if (inputs.problems.length > 0 || !settings) throw problemsOf(inputs)
  return Object.freeze(settings)
}

function problemsOf(inputs: Inputs): InputError {
  return new InputError([...new Set(inputs.problems)].join('\n'))
}

function parsedSettings(inputs: Inputs): Settings | undefined {
  const gate = gateSettings(inputs)
  const api = {
    apiBaseUrl: inputs.parsed('api-base-url', ASC.defaultBaseUrl, baseUrl, ''),
    timeoutMinutes: inputs.parsed(
      'timeout-minutes',
      String(ASC.defaultTimeoutMinutes),
      value => minutes('timeout-minutes', value),
      0
    )
  }
  const comment = commentSettings(inputs)
  const report = reportSettings(inputs)
  const platform = inputs.parsed(
    'platform',
    'IOS',
    v => oneOf('platform', v.toUpperCase(), PLATFORMS),
    'IOS'
  )
  const { build, baseline } = buildRefs(inputs, platform)
  const guard = guardSettings(inputs, build)
  const metrics = metricSettings(inputs, platform)
  const memory = historySettings(inputs, build, guard.phasedRelease, metrics)
  if (!build) return undefined
  return {
    inputs: Object.freeze(recordedInputs(inputs, api.apiBaseUrl)),
    build,
    baseline,
    ...gate,
    ...api,
    ...comment,
    ...report,
    ...guard,
    metrics,
    ...memory
  }
}

/** The guard's memory: where it is kept, and what needs it (`confirm-runs`, `same-day`). */
function historySettings(
  inputs: Inputs,
  build: BuildRef | undefined,
  phasedRelease: PhasedReleaseMode,
  metrics: MetricSettings | undefined
): Pick<Settings, 'history' | 'confirmRuns'> {
  const mode = inputs.parsed(
    'history',
    'off',
    v => oneOf<'off' | 'branch'>('history', v.toLowerCase(), ['off', 'branch']),
    'off'
  )
  const branch = inputs.parsed('history-branch', HISTORY.defaultBranch, branchName, '')
  const keepVersions = inputs.parsed(
    'history-keep-versions',
    String(HISTORY.defaultKeepVersions),
    v => integer('history-keep-versions', v, 1, HISTORY.maxKeepVersions),
    0
  )
  const confirmRuns = inputs.parsed(
    'confirm-runs',
    '1',
    v => integer('confirm-runs', v, 1, HISTORY.maxConfirmRuns),
    1
  )
  const live = build?.kind === 'released' && build.which === 'live'
  if (mode === 'branch' && build && !live) {
    inputs.problems.push(
      "Input 'history' is 'branch', which keeps a guard's runs of the live version; it needs 'version: live' (with 'app-id' or 'bundle-id')."
    )
  }
  if (metrics?.reference === 'same-day' && mode !== 'branch') {
    inputs.problems.push(
      "Input 'metric-reference' is 'same-day', which compares with the previous version's recorded runs; it needs 'history: branch'."
    )
  }
  if (metrics?.reference === 'same-day' && mode === 'branch' && keepVersions < 2) {
    inputs.problems.push(
      "Input 'history-keep-versions' is '1', which keeps no previous version for 'metric-reference: same-day'; use 2 or more."
    )
  }
  if (confirmRuns > 1 && (mode !== 'branch' || phasedRelease === 'off')) {
    inputs.problems.push(
      `Input 'confirm-runs' is '${confirmRuns}', which counts a guard's recorded runs; it needs 'history: branch' and 'phased-release' set to report or pause-on-failure.`
    )
  }
  return {
    confirmRuns,
    ...(mode === 'branch' ? { history: Object.freeze({ branch, keepVersions }) } : {})
  }
}

/** Each input as read, or its default: what the decision record keeps of the settings. */
function recordedInputs(inputs: Inputs, apiBaseUrl: string): Record<string, string> {
  const recorded: Record<string, string> = {}
  for (const input of ACTION_INPUTS) {
    if (UNRECORDED_INPUTS.includes(input.name)) continue
    recorded[input.name] =
      input.name === 'api-base-url'
        ? apiBaseUrl
        : inputs.attempt(() => inputs.text(input.name), '') || input.default
  }
  return recorded
}

/** The release guard: `phased-release` watches the live version's rollout, so it needs `version: live`. */
function guardSettings(
  inputs: Inputs,
  build: BuildRef | undefined
): Pick<Config, 'phasedRelease' | 'pauseOn' | 'failAfterRollout'> {
  const mode = inputs.parsed(
    'phased-release',
    'off',
    v =>
      oneOf<PhasedReleaseMode>('phased-release', v.toLowerCase(), [
        'off',
        'report',
        'pause-on-failure'
      ]),
    'off'
  )
  if (mode !== 'off' && build && !(build.kind === 'released' && build.which === 'live')) {
    inputs.problems.push(
      `Input 'phased-release' is '${mode}', which watches the live version's rollout; it needs 'version: live' (with 'app-id' or 'bundle-id').`
    )
  }
  return {
    phasedRelease: mode,
    pauseOn: Object.freeze(
      inputs.parsed('pause-on', DEFAULT_PAUSE_ON.join(', '), pauseOn, [...DEFAULT_PAUSE_ON])
    ),
    failAfterRollout: inputs.parsed(
      'fail-after-rollout',
      'false',
      v => boolean('fail-after-rollout', v),
      false
    )
  }
}

/** The API key: its ID, the issuer (empty for an individual key) and the .p8 contents. */
function apiKey(
  inputs: Inputs
): Pick<Config, 'keyId' | 'issuerId' | 'privateKey' | 'keySecrets'> | undefined {
  const keyId = inputs.attempt(() => identifier('key-id', inputs.text('key-id'), true), '')
  const issuerId = inputs.attempt(
    () => identifier('issuer-id', inputs.text('issuer-id'), false),
    ''
  )
  const key = inputs.attempt(() => parsePrivateKey(inputs.raw('private-key')), undefined)
  return (
    key && {
      keyId,
      issuerId: issuerId || undefined,
      privateKey: key.key,
      keySecrets: Object.freeze(key.secrets)
    }
  )
}

/** What is checked, and what fails the job. */
function gateSettings(
  inputs: Inputs
): Pick<
  Config,
  | 'limit'
  | 'thresholds'
  | 'types'
  | 'failOnBreach'
  | 'failOnRegression'
  | 'failOnMetricRegression'
  | 'noData'
  | 'maxWeightIncrease'
> {
  const limit = inputs.parsed('limit', '10', v => integer('limit', v, 1, ASC.maxPageSize), 0)
  const threshold = inputs.parsed('threshold', '0.5', v => fraction('threshold', v), 0)
  const typeThreshold = (type: DiagnosticType): number => {
    const name = `${type.toLowerCase().replace('_', '-')}-threshold`
    const value = inputs.attempt(() => inputs.text(name), '')
    return value ? inputs.attempt(() => fraction(name, value), threshold) : threshold
  }
  const flag = (name: string): boolean => inputs.parsed(name, 'true', v => boolean(name, v), true)
  return {
    limit,
    thresholds: Object.freeze(
      Object.fromEntries(DIAGNOSTIC_TYPES.map(type => [type, typeThreshold(type)])) as Record<
        DiagnosticType,
        number
      >
    ),
    types: Object.freeze(
      inputs.parsed('diagnostic-types', DIAGNOSTIC_TYPES.join(','), diagnosticTypes, [])
    ),
    failOnBreach: flag('fail-on-breach'),
    failOnRegression: flag('fail-on-regression'),
    failOnMetricRegression: flag('fail-on-metric-regression'),
    noData: inputs.parsed(
      'no-data',
      'warn',
      v => oneOf<NoDataPolicy>('no-data', v.toLowerCase(), ['pass', 'warn', 'fail']),
      'warn'
    ),
    maxWeightIncrease: inputs.parsed(
      'max-weight-increase',
      '0.05',
      v => fraction('max-weight-increase', v),
      0
    )
  }
}

/** The sticky pull-request comment: when, under which header, on which pull request. */
function commentSettings(inputs: Inputs): Pick<Config, 'comment' | 'commentHeader' | 'prNumber'> {
  const prNumber = inputs.attempt(() => inputs.optional('pr-number'), undefined)
  return {
    comment: inputs.parsed('comment', 'true', commentMode, 'never'),
    commentHeader: inputs.attempt(() => header(inputs.text('comment-header')), ''),
    prNumber: prNumber
      ? inputs.attempt(() => integer('pr-number', prNumber, 1, 2 ** 31), undefined)
      : undefined
  }
}

/** The report files, how many backtraces the report carries, and source annotations. */
function reportSettings(
  inputs: Inputs
): Pick<Config, 'reportPath' | 'includeLogs' | 'annotateSource' | 'sarifPath' | 'junitPath'> {
  const path = (name: string) => inputs.attempt(() => inputs.optional(name), undefined)
  const files = {
    'sarif-path': path('sarif-path'),
    'junit-path': path('junit-path'),
    'report-path': path('report-path')
  }
  inputs.problems.push(...sharedReportFiles(files))
  return {
    reportPath: files['report-path'],
    sarifPath: files['sarif-path'],
    junitPath: files['junit-path'],
    annotateSource: inputs.parsed(
      'annotate-source',
      'true',
      v => boolean('annotate-source', v),
      true
    ),
    includeLogs: inputs.parsed(
      'include-logs',
      '3',
      v => integer('include-logs', v, 0, ASC.maxPageSize),
      0
    )
  }
}
