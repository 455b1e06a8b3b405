import type { DiagnosticType, Platform } from './constants.js'

/** What a requested type without any signature means for the verdict (`no-data`). */
export type NoDataPolicy = 'pass' | 'warn' | 'fail'
/** When the pull-request comment is written (`comment`: true, on-breach, false). */
export type CommentMode = 'always' | 'on-breach' | 'never'
/** `phased-release`: off (no guard), a dry run (`report`), or the guard (`pause-on-failure`). */
export type PhasedReleaseMode = 'off' | 'report' | 'pause-on-failure'

/** The app a build belongs to: its App Store Connect ID, or its bundle ID to look that up. */
export type AppRef = { readonly appId: string } | { readonly bundleId: string }

/**
 * How to find a build: its resource ID, the app plus version and/or build number, or the app's
 * App Store version that is live now (`live`) or was live before it (`previous`).
 */
export type BuildRef =
  | { readonly kind: 'id'; readonly id: string }
  | {
      readonly kind: 'lookup'
      readonly app: AppRef
      readonly version?: string
      readonly buildNumber?: string
      readonly platform: Platform
    }
  | {
      readonly kind: 'released'
      readonly which: 'live' | 'previous'
      readonly app: AppRef
      readonly platform: Platform
    }

export type TrendDirection = 'UP' | 'DOWN' | 'UNDEFINED'

/** Apple's TREND insight: how the signature's weight moved over earlier versions. */
export interface Insight {
  direction?: TrendDirection
  referenceVersions: { version: string; value: number }[]
}

export interface Signature {
  id: string
  diagnosticType: DiagnosticType
  /** Untrusted text from App Store Connect, sanitised and cut at FIELD_CAPS.signature. */
  signature: string
  /**
   * SHA-256 (hex) of the text as App Store Connect sent it, when `signature` is not all of it
   * (cut or cleaned), so fingerprints tell apart texts that differ past the cap.
   */
  textDigest?: string
  /** Share of this diagnostic type, 0–1. */
  weight: number
  insight?: Insight
}

/** One type's signatures for one build, heaviest first. */
export interface SignatureList {
  type: DiagnosticType
  signatures: Signature[]
  /** False when more signatures exist than were fetched. */
  complete: boolean
}

/**
 * `unlisted`: missing from a baseline list that was cut ("more exist"), so its earlier weight is
 * only known to be at most the lightest fetched baseline weight.
 */
export type Change = 'new' | 'unlisted' | 'up' | 'down' | 'same'

/** A signature with the gate's judgement of it. */
export interface Evaluated extends Signature {
  /** 1-based position in its type's list for this build. */
  rank: number
  threshold: number
  breached: boolean
  baselineWeight?: number
  /** For an unlisted signature: the lightest fetched baseline weight, a bound on its earlier one. */
  baselineAtMost?: number
  /** weight − baselineWeight; for a new signature its whole weight; unlisted: weight − baselineAtMost. */
  delta?: number
  change?: Change
  regressed: boolean
}

export interface TypeOutcome {
  type: DiagnosticType
  threshold: number
  /** The top `limit`, as reported. */
  shown: Evaluated[]
  /** How many signatures were fetched for this type. */
  fetched: number
  complete: boolean
  /** Baseline signatures missing from this build's complete list. */
  gone: Signature[]
  /** True when the current list was cut, so nothing can be called gone. */
  goneUnknown: boolean
}

export interface Frame {
  binary: string
  symbol: string
  file?: string
  line?: string
  blamed: boolean
  /** The insight Apple tagged this frame with (`SQLiteSpill`). */
  category?: string
  /** Frames of the path left out just before this one. */
  skippedBefore?: number
}

/** The useful part of one signature's diagnostic logs. */
export interface Backtrace {
  signatureId: string
  frames: Frame[]
  /** How the frames were chosen. */
  basis: 'blamed' | 'heaviest'
  /** Frames of the path left out after the last one shown. */
  skippedAfter?: number
  device?: string
  os?: string
  appVersion?: string
  buildVersion?: string
  event?: string
  eventDetail?: string
  writesCaused?: string
  insights: { text: string; url?: string; category?: string }[]
}

export type BacktraceResult = { ok: true; backtrace: Backtrace } | { ok: false; reason: string }
