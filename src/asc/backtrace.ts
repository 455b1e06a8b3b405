import { BACKTRACE } from '../constants.js'
import { DataError } from '../errors.js'
import type { Backtrace, Frame } from '../model.js'
import { oneLine } from '../text.js'
import { count, flag, isObject as isNode, objects, text } from './jsonapi.js'

// Parses `GET /v1/diagnosticSignatures/{id}/logs`. Real payloads follow MetricKit's call-stack
// JSON rather than Apple's OpenAPI spec, so every field is optional, numbers and numeric strings
// are interchangeable, and any list may arrive as a single object.

type Node = Record<string, unknown>
const list = (value: unknown): Node[] => objects(value, Number.MAX_SAFE_INTEGER)
const field = (value: unknown, max = FIELD_MAX): string | undefined => text(value, max)
type Stack = { roots: Node[]; attributed: boolean; perThread?: boolean }
type Visit = { node: Node; parent: number; depth: number }

const FIELD_MAX = 200
const INSIGHT_MAX = 500
const URL_MAX = 2000
const META = {
  device: 'deviceType',
  os: 'osVersion',
  appVersion: 'appVersion',
  buildVersion: 'buildVersion',
  event: 'event',
  eventDetail: 'eventDetail',
  writesCaused: 'writesCaused'
} as const

/** The useful part of one logs response; throws DataError when it holds no call stack at all. */
export function parseBacktrace(body: unknown, signatureId: string): Backtrace {
  const what = `App Store Connect sent diagnostic logs for signature '${oneLine(signatureId, 80)}'`
  if (!isNode(body)) throw new DataError(`${what} that are not a JSON object.`)
  const products = list(body.productData)
  const product = products.find(p => field(p.signatureId) === signatureId) ?? products[0]
  if (!product) throw new DataError(`${what} without any productData entry.`)
  for (const log of list(product.diagnosticLogs)) {
    const stack = pickStack(log)
    if (!stack) continue
    const meta = list(log.diagnosticMetaData)[0] ?? {}
    return {
      signatureId,
      ...frames(stack),
      ...Object.fromEntries(
        Object.entries(META).flatMap(([key, name]) => {
          const value = field(meta[name])
          return value ? [[key, value]] : []
        })
      ),
      insights: insights(product.diagnosticInsights)
    }
  }
  throw new DataError(`${what} without any call stack frames.`)
}

/** The stack of the thread Apple blamed, else the first with a blamed frame, else the first. */
function pickStack(log: Node): Stack | undefined {
  const stacks = list(log.callStackTree).flatMap(tree =>
    list(tree.callStacks).map(stack => ({
      roots: list(stack.callStackRootFrames),
      attributed: flag(stack.threadAttributed) === true,
      perThread: flag(tree.callStackPerThread)
    }))
  )
  const usable = stacks.filter(stack => stack.roots.length > 0)
  return (
    usable.find(stack => stack.attributed) ??
    usable.find(stack => walk(stack.roots).blamed >= 0) ??
    usable[0]
  )
}

/** Depth-first with an explicit stack: nesting can be thousands of levels deep. */
function walk(roots: Node[]): { visits: Visit[]; blamed: number; branches: boolean } {
  const visits: Visit[] = []
  const pending: Visit[] = roots.map(node => ({ node, parent: -1, depth: 0 })).reverse()
  const seen = new Set<Node>() // JSON cannot share nodes, but a hand-built object could loop
  let blamed = -1
  let branches = roots.length > 1
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (seen.has(next.node)) continue
    seen.add(next.node)
    const index = visits.push(next) - 1
    if (isBlamed(next.node) && (blamed < 0 || next.depth > visits[blamed].depth)) blamed = index
    const children = list(next.node.subFrames)
    if (children.length > 1) branches = true
    for (let i = children.length - 1; i >= 0; i--)
      pending.push({ node: children[i], parent: index, depth: next.depth + 1 })
  }
  return { visits, blamed, branches }
}

function frames(stack: Stack): Pick<Backtrace, 'frames' | 'basis' | 'skippedAfter'> {
  const { visits, blamed, branches } = walk(stack.roots)
  const path: Node[] = []
  for (let i = blamed; i >= 0; i = visits[i].parent) path.push(visits[i].node)
  path.reverse()
  // On down the heaviest subFrames: from the heaviest root when nothing is blamed, and past the
  // deepest blamed frame, so that what it called (SQLite, say) is there too.
  const onPath = new Set(path)
  let node = heaviest(path.length ? list(path.at(-1)?.subFrames) : stack.roots)
  for (; node && !onPath.has(node); node = heaviest(list(node.subFrames))) {
    path.push(node)
    onPath.add(node)
  }
  // MetricKit roots a per-thread stack at its innermost frame, with callers as subFrames, but a
  // sampled tree (callStackPerThread false) at its outermost. Without the flag: only a sampled
  // tree branches.
  const innermostFirst = (stack.perThread ?? !branches) ? path : path.reverse()
  const kept = keptFrames(innermostFirst)
  const shown = kept.map((index, i) => ({
    ...toFrame(innermostFirst[index]),
    ...(index - (kept[i - 1] ?? -1) > 1 ? { skippedBefore: index - (kept[i - 1] ?? -1) - 1 } : {})
  }))
  const after = innermostFirst.length - 1 - (kept.at(-1) ?? -1)
  return {
    frames: shown,
    basis: blamed >= 0 ? 'blamed' : 'heaviest',
    ...(after > 0 && kept.length ? { skippedAfter: after } : {})
  }
}

/**
 * Which frames of the path to show: every blamed frame and every frame Apple tagged with an
 * insight category, then the frames around them (BACKTRACE.context each side, nearest first),
 * then more frames until BACKTRACE.atLeast are shown; never more than BACKTRACE.maxFrames.
 * With nothing marked, the innermost BACKTRACE.atLeast frames.
 */
function keptFrames(path: Node[]): number[] {
  const marked = path.flatMap((node, i) => (isBlamed(node) || insightCategory(node) ? [i] : []))
  const kept = new Set(marked.slice(0, BACKTRACE.maxFrames))
  const keep = (i: number): void => {
    if (kept.size < BACKTRACE.maxFrames && i >= 0 && i < path.length) kept.add(i)
  }
  for (let distance = 1; distance <= BACKTRACE.context; distance++) {
    for (const i of marked) [i - distance, i + distance].forEach(keep)
  }
  // Short of atLeast: up towards the innermost frame (where a crash report starts), then callers.
  // With nothing marked, that is the innermost frames.
  const wanted = Math.min(BACKTRACE.atLeast, path.length)
  const innermost = kept.size ? Math.min(...kept) : 0
  for (let i = innermost - 1; kept.size < wanted && i >= 0; i--) keep(i)
  for (let i = kept.size ? Math.max(...kept) + 1 : 0; kept.size < wanted && i < path.length; i++)
    keep(i)
  return [...kept].sort((a, b) => a - b)
}

function toFrame(node: Node): Frame {
  const file = field(node.fileName)
  const line = count(node.lineNumber)
  const category = insightCategory(node)
  return {
    binary: field(node.binaryName) ?? '?',
    symbol: field(node.symbolName) ?? field(node.rawFrame) ?? location(node) ?? '???',
    ...(file ? { file } : {}),
    ...(line ? { line: String(line) } : {}),
    blamed: isBlamed(node),
    ...(category ? { category } : {})
  }
}

/** Apple tags a frame with the insight it explains (`insightsCategory: SQLiteSpill`). */
function insightCategory(node: Node): string | undefined {
  return field(node.insightsCategory, 64)
}

/** `0x1a2b3c + 8`: the address in hex, whether it came as a number or a string. */
function location(node: Node): string | undefined {
  const raw = typeof node.address === 'number' ? count(node.address) : field(node.address)
  if (raw === undefined) return undefined
  const hex =
    typeof raw === 'number'
      ? `0x${raw.toString(16)}`
      : /^\d+$/.test(raw)
        ? `0x${BigInt(raw).toString(16)}`
        : raw
  const offset = count(node.offsetIntoSymbol)
  return field(offset === undefined ? hex : `${hex} + ${offset}`)
}

function insights(value: unknown): Backtrace['insights'] {
  return objects(value, BACKTRACE.maxInsights).flatMap(entry => {
    const text = field(entry.insightsString, INSIGHT_MAX)
    if (!text) return []
    const url = httpsUrl(entry.insightsURL)
    const category = field(entry.insightsCategory)
    return [{ text, ...(url ? { url } : {}), ...(category ? { category } : {}) }]
  })
}

/**
 * An insight's link as https. Apple writes its own documentation as
 * `doc://com.apple.documentation/<path>`, which is `https://developer.apple.com/<path>`; the
 * renderer still links only Apple's hosts.
 */
function httpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > URL_MAX) return undefined
  const raw = text(value, URL_MAX)?.replace(
    /^doc:\/\/com\.apple\.documentation\//i,
    'https://developer.apple.com/'
  )
  if (!raw) return undefined
  try {
    const url = new URL(raw)
    return url.protocol === 'https:' ? url.href : undefined
  } catch {
    return undefined
  }
}

/** The first of the nodes with the largest sampleCount. */
function heaviest(nodes: Node[]): Node | undefined {
  const weight = (node: Node) => count(node.sampleCount) ?? 0
  return nodes.reduce<Node | undefined>(
    (best, node) => (!best || weight(node) > weight(best) ? node : best),
    undefined
  )
}

function isBlamed(node: Node): boolean {
  return flag(node.isBlameFrame) === true
}
