import { SOURCE_LOOKUP } from '../constants.js'
import type { BacktraceResult, Evaluated, Frame } from '../model.js'
import { plural } from '../text.js'

// Pure: from a signature's backtrace to one line of one file in the repository, or the reason
// there is none. The file listing comes from ./workspace.ts.

/** Where a signature's blamed frame is in the checked-out code, or why it cannot be placed. */
export type SourcePlace = { ok: true; path: string; line: number } | { ok: false; reason: string }

export interface SourceLookup {
  /** By signature ID: each signature whose backtrace blames a frame of the app that names a file. */
  places: ReadonlyMap<string, SourcePlace>
  /** True when there were such frames but the workspace holds no checkout to find them in. */
  noCheckout: boolean
}

/**
 * The workspace's files, relative to its root with `/`, or why there are none; `incomplete` says
 * why the listing stopped before the end (a bounded walk), so a file not found may still exist.
 */
export type WorkspaceFiles = { files: readonly string[]; incomplete?: string } | { none: string }

/**
 * Binaries Apple ships with the OS. Their frames never name a source file in practice (Apple
 * keeps their symbols), so this only guards against a payload that claims otherwise.
 */
const SYSTEM_BINARY =
  /(\.dylib|^dyld|^libswift\w*|^(Foundation|CoreFoundation|UIKit|UIKitCore|SwiftUI|GraphicsServices|QuartzCore|CoreData|WebKit|Combine))$/

/** The first blamed frame of the app's own code that names a file, innermost first. */
export function blamedSourceFrame(result: BacktraceResult | undefined): Frame | undefined {
  if (!result?.ok) return undefined
  return result.backtrace.frames.find(f => f.blamed && f.file && !SYSTEM_BINARY.test(f.binary))
}

/** The signatures worth placing: every reported one, and regressions below the reported top. */
export function placeableSignatures(outcomes: { shown: Evaluated[] }[], regressions: Evaluated[]) {
  const all = outcomes.flatMap(o => o.shown)
  const ids = new Set(all.map(s => s.id))
  return [...all, ...regressions.filter(s => !ids.has(s.id))]
}

/**
 * Places each signature's blamed frame in `workspace`; `files` is read only when some frame names
 * a file, so a run without backtraces never lists the workspace.
 */
export async function placeSignatures(
  signatures: readonly Evaluated[],
  backtraces: ReadonlyMap<string, BacktraceResult>,
  files: () => Promise<WorkspaceFiles>
): Promise<SourceLookup> {
  const frames = new Map<string, Frame>()
  for (const s of signatures) {
    const frame = blamedSourceFrame(backtraces.get(s.id))
    if (frame) frames.set(s.id, frame)
  }
  if (frames.size === 0) return { places: new Map(), noCheckout: false }
  const listed = await files()
  if ('none' in listed) return { places: new Map(), noCheckout: true }
  const index = new SourceIndex(listed.files)
  const places = new Map<string, SourcePlace>()
  for (const [id, frame] of frames) {
    const place = placeFrame(frame, index)
    places.set(id, place.ok || !listed.incomplete ? place : incompletely(place, listed.incomplete))
  }
  return { places, noCheckout: false }
}

/** A frame not placed in a listing that stopped early: the file may be in the part not listed. */
function incompletely(place: { ok: false; reason: string }, why: string): SourcePlace {
  return {
    ok: false,
    reason: `${place.reason}, but the list of files is incomplete: ${why} (check the code out with actions/checkout, so that its git index lists every file)`
  }
}

function placeFrame(frame: Frame, index: SourceIndex): SourcePlace {
  const found = index.find(frame.file ?? '')
  if (!found.ok) return found
  const line = Number(frame.line)
  if (!(Number.isSafeInteger(line) && line > 0)) {
    return { ok: false, reason: `the blamed frame names ${found.path} but no line in it` }
  }
  return { ok: true, path: found.path, line }
}

/** True for a path inside a vendored or generated folder (Pods/, Carthage/, …) at any depth. */
export function isExcluded(path: string): boolean {
  const excluded: readonly string[] = SOURCE_LOOKUP.excludedDirs
  return path
    .split('/')
    .slice(0, -1)
    .some(dir => excluded.includes(dir))
}

/** The repository's files by name, to match a frame's file name by path suffix. */
export class SourceIndex {
  private readonly byName = new Map<string, string[]>()

  constructor(files: readonly string[]) {
    for (const path of files) {
      if (isExcluded(path)) continue
      const name = path.slice(path.lastIndexOf('/') + 1)
      const same = this.byName.get(name)
      if (same) same.push(path)
      else this.byName.set(name, [path])
    }
  }

  /**
   * The one file whose path ends with the longest suffix of `fileName` that any file ends with:
   * `/Users/ci/MyApp/Sources/Feed/A.swift` finds `Sources/Feed/A.swift` even where `A.swift`
   * alone names several files. Several files at that length is no match: a guess would put the
   * annotation on the wrong code.
   */
  find(fileName: string): { ok: true; path: string } | { ok: false; reason: string } {
    const parts = fileName.replace(/\\/g, '/').split('/')
    // Whatever precedes a `..` says nothing about where the file is in this repository.
    const segments = parts.slice(parts.lastIndexOf('..') + 1).filter(p => p !== '' && p !== '.')
    const name = segments.at(-1)
    const candidates = (name && this.byName.get(name)) || []
    if (!name || candidates.length === 0) {
      return { ok: false, reason: `no file in the repository is named ${name || fileName}` }
    }
    for (let length = segments.length; length >= 1; length--) {
      const suffix = segments.slice(-length).join('/')
      const matches = candidates.filter(path => path === suffix || path.endsWith(`/${suffix}`))
      if (matches.length === 1) return { ok: true, path: matches[0] }
      if (matches.length > 1) {
        const listed = matches.slice(0, 3).join(', ') + (matches.length > 3 ? ', …' : '')
        return {
          ok: false,
          reason: `${plural(matches.length, 'file')} in the repository end with ${suffix} (${listed}), and the frame does not say which`
        }
      }
    }
    return { ok: false, reason: `no file in the repository is named ${name}` }
  }
}
