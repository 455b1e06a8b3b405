import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { blamedSourceFrame, isExcluded, SourceIndex } from '../src/source/locate.js'
import { walkWorkspace } from '../src/source/workspace.js'
import type { BacktraceResult, Frame } from '../src/model.js'

const FILES = [
  'App/Sources/Feed/FeedView.swift',
  'App/Sources/Cache/Store.swift',
  'Kit/Sources/Cache/Store.swift',
  'Kit/Tests/Store.swift',
  'Pods/Alamofire/Source/Session.swift',
  'App/Vendor/Carthage/Checkouts/X/Parser.swift',
  'Packages/Net/.build/checkouts/y/Client.swift',
  'App/DerivedData/Gen.swift',
  'web/node_modules/a/Thing.swift'
]
const index = new SourceIndex(FILES)

describe('finding the blamed file by path suffix', () => {
  it('takes the one file with the longest matching suffix', () => {
    expect(index.find('FeedView.swift')).toEqual({
      ok: true,
      path: 'App/Sources/Feed/FeedView.swift'
    })
    expect(index.find('/Users/ci/build/Kit/Sources/Cache/Store.swift')).toEqual({
      ok: true,
      path: 'Kit/Sources/Cache/Store.swift'
    })
    expect(index.find('C:\\ci\\App\\Sources\\Cache\\Store.swift')).toEqual({
      ok: true,
      path: 'App/Sources/Cache/Store.swift'
    })
  })

  it('refuses to guess between files the frame cannot tell apart', () => {
    expect(index.find('Sources/Cache/Store.swift')).toEqual({
      ok: false,
      reason:
        '2 files in the repository end with Sources/Cache/Store.swift (App/Sources/Cache/Store.swift, Kit/Sources/Cache/Store.swift), and the frame does not say which'
    })
    expect(index.find('Store.swift')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^3 files/)
    })
  })

  it('never matches vendored or generated folders, at any depth', () => {
    for (const name of [
      'Session.swift',
      'Parser.swift',
      'Client.swift',
      'Gen.swift',
      'Thing.swift'
    ]) {
      expect(index.find(name)).toEqual({
        ok: false,
        reason: `no file in the repository is named ${name}`
      })
    }
    expect(isExcluded('Pods/A.swift')).toBe(true)
    expect(isExcluded('App/Pods.swift')).toBe(false) // a file, not a folder, named like one
  })

  it('ignores what precedes `..` and empty or `.` segments in a hostile path', () => {
    expect(index.find('../../etc/./Feed//FeedView.swift')).toEqual({
      ok: true,
      path: 'App/Sources/Feed/FeedView.swift'
    })
    expect(index.find('..')).toEqual({ ok: false, reason: 'no file in the repository is named ..' })
  })
})

describe('the frame to place', () => {
  const frame = (over: Partial<Frame>): Frame => ({
    binary: 'MyApp',
    symbol: 's',
    blamed: false,
    ...over
  })
  const result = (frames: Frame[]): BacktraceResult => ({
    ok: true,
    backtrace: { signatureId: 'x', frames, basis: 'blamed', insights: [] }
  })

  it('is the first blamed frame of the app that names a file', () => {
    const frames = [
      frame({ binary: 'libsystem_kernel.dylib', blamed: true, file: 'x.c', line: '1' }),
      frame({ blamed: true }), // no file
      frame({ file: 'A.swift', line: '3' }), // not blamed
      frame({ blamed: true, file: 'B.swift', line: '9' }),
      frame({ blamed: true, file: 'C.swift', line: '5' })
    ]
    expect(blamedSourceFrame(result(frames))?.file).toBe('B.swift')
    expect(blamedSourceFrame(result(frames.slice(0, 3)))).toBeUndefined()
    expect(blamedSourceFrame({ ok: false, reason: 'unavailable' })).toBeUndefined()
  })
})

describe('the walk of a workspace without git', () => {
  const root = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'asc-gate-walk-'))
    for (const path of ['A/B/One.swift', 'A/Two.swift', 'Pods/X/Three.swift']) {
      mkdirSync(join(dir, path, '..'), { recursive: true })
      writeFileSync(join(dir, path), '')
    }
    return dir
  }

  it('lists every file outside vendored folders, breadth-first', () => {
    const dir = root()
    expect(walkWorkspace(dir, { at: Infinity, what: 'never' })).toEqual({
      files: ['A/Two.swift', 'A/B/One.swift']
    })
    rmSync(dir, { recursive: true })
  })

  it('stops when its deadline has passed, and says why', () => {
    const dir = root()
    expect(walkWorkspace(dir, { at: -Infinity, what: 'after 30 s, its time limit' })).toEqual({
      files: [],
      stopped: 'the walk of the workspace (it has no git index) stopped after 30 s, its time limit'
    })
    rmSync(dir, { recursive: true })
  })
})
