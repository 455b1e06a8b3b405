import { HISTORY } from '../constants.js'
import { compareVersions, isVersion } from '../versions.js'
import { byTime } from './remember.js'

// Where a guard run's decision record goes on the data branch, and what the per-version index
// says of it. Pure: the writer (./branch.ts) reads and writes these paths.
//
//   <app id>-<platform>/            one folder per app and platform
//     <version>/                    one per App Store version
//       index.json                  the runs, oldest first: time, rollout day, each metric's value
//       runs/<UTC time>.json        one decision record per run

/** One run as the version's index lists it. */
export interface IndexEntry {
  /** The record's file, relative to the version's folder. */
  file: string
  generatedAt: string
  /** The rollout's day (1–7) and state when the run decided; null without a phased release. */
  day: number | null
  state: string | null
  /** Each gated metric's value on this version and its error margin, null when Apple had none. */
  metrics: Record<string, RecordedValue | null>
  /** The metrics' percentile and device (`p50 all_iphones`): values compare only within one. */
  population: string
  /** The run's findings, each by kind and subject (`metric-regression hangRate`): see findingKey. */
  findings: string[]
  /** What the guard did: paused the rollout, would have (`report`), or nothing. */
  action: 'paused' | 'would-pause' | 'none'
}

export interface RecordedValue {
  value: number
  errorMargin: number
}

export interface VersionIndex {
  version: string
  runs: IndexEntry[]
}

/**
 * What the guard's history held when the run decided: this version's earlier runs and the
 * previous version's, or why it could not be read (the run then decides as if there were none).
 * The decision record keeps it, so a replay decides with the same memory.
 */
export type RunHistory =
  | { branch: string; current: VersionIndex; previous?: VersionIndex }
  | { branch: string; unavailable: string }

/** A path segment from App Store Connect text: only what every file system takes as it is. */
export function segment(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
  return safe.slice(0, 64) || '_'
}

export function appFolder(appId: string, platform: string): string {
  return `${segment(appId)}-${segment(platform.toLowerCase())}`
}

export function versionFolder(appId: string, platform: string, version: string): string {
  return `${appFolder(appId, platform)}/${segment(version)}`
}

/** `runs/2026-12-02T10-00-00.123Z.json`: the UTC time, with colons no file system minds. */
export function runFile(generatedAt: string): string {
  return `runs/${segment(generatedAt.replace(/:/g, '-'))}.json`
}

/**
 * The index with `entry` added in time order (a run written twice is listed once), capped. Once
 * the rollout is complete, its first complete run stays the last: the guard keeps running while
 * the version is live, and those runs must not push the rollout's days out of the index.
 */
export function withRun(index: VersionIndex, entry: IndexEntry): VersionIndex {
  if (entry.state === 'COMPLETE' && index.runs.some(r => r.state === 'COMPLETE')) return index
  const runs = [...index.runs.filter(r => r.file !== entry.file), entry].sort(byTime)
  return { version: index.version, runs: runs.slice(-HISTORY.maxRunsPerVersion) }
}

/**
 * The version folders to remove so that `keep` remain: the oldest by version order, never the
 * one being written. Folders whose names are not versions are left alone.
 */
export function foldersToPrune(
  versions: readonly string[],
  current: string,
  keep: number
): string[] {
  const ordered = versions.filter(v => isVersion(v) && v !== segment(current)).sort(compareVersions)
  const room = Math.max(0, keep - 1)
  return ordered.slice(0, Math.max(0, ordered.length - room))
}
