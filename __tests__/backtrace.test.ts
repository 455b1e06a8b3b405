import { describe, expect, it } from '@jest/globals'
import { parseBacktrace } from '../src/asc/backtrace.js'
import { BACKTRACE } from '../src/constants.js'
import { DataError } from '../src/errors.js'
import type { Backtrace } from '../src/model.js'
import {
  deepLog,
  deepLogJson,
  logFor,
  longSymbolLog,
  sparseLog,
  stringyLog
} from '../test-support/logs.mjs'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const hang = {
  id: 'SIG-HANG',
  signature: 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412',
  diagnosticType: 'HANGS'
}
const symbols = (b: Backtrace) => b.frames.map(f => f.symbol)
const firstBlamed = (b: Backtrace) => b.frames.find(f => f.blamed)
/** The attributed (main) thread of a logFor body, to rearrange. */
const stacksOf = (body: Json): Json[] =>
  body.productData[0].diagnosticLogs[0].callStackTree[0].callStacks
const perThread = (...frames: Json[]): Json => {
  for (let i = frames.length - 2; i >= 0; i--)
    frames[i] = { ...frames[i], subFrames: [frames[i + 1]] }
  return frames[0]
}
const logWith = (callStackTree: unknown, extra: Json = {}) => ({
  productData: [{ diagnosticLogs: [{ callStackTree, ...extra }] }]
})

describe('the frames a reviewer sees', () => {
  it('shows the blamed frame with what it called above and its callers below, innermost first', () => {
    const b = parseBacktrace(logFor(hang), hang.id)
    expect(b.basis).toBe('blamed')
    expect(b.frames).toHaveLength(BACKTRACE.atLeast)
    const at = b.frames.findIndex(f => f.blamed)
    expect(b.frames[at]).toEqual({
      binary: 'ExampleApp',
      symbol: '-[FeedViewController reloadVisibleCells]',
      file: 'FeedViewController.m',
      line: '88',
      blamed: true
    })
    // What it was waiting in: the lock it took.
    expect(symbols(b).slice(at - 2, at)).toEqual([
      '_pthread_mutex_firstfit_lock_slow',
      '-[NSLock lock]'
    ])
    expect(symbols(b).slice(at + 1, at + 3)).toEqual([
      'FeedViewController.viewWillAppear(_:)',
      '-[UIViewController _setViewAppearState:isAnimating:]'
    ])
    expect(b.frames.filter(f => f.blamed)).toHaveLength(1)
  })

  it('reads the thread Apple attributed the event to, not the first thread', () => {
    const body = logFor(hang) as Json
    const [worker] = stacksOf(body)
    worker.callStackRootFrames[0].isBlameFrame = true // a blamed frame elsewhere does not win
    expect(firstBlamed(parseBacktrace(body, hang.id))?.symbol).toBe(
      '-[FeedViewController reloadVisibleCells]'
    )
  })

  it('without an attributed thread, reads the first thread with a blamed frame', () => {
    const body = logFor(hang) as Json
    for (const stack of stacksOf(body)) delete stack.threadAttributed
    // The unblamed worker thread comes first in the body.
    expect(firstBlamed(parseBacktrace(body, hang.id))).toMatchObject({
      symbol: '-[FeedViewController reloadVisibleCells]',
      blamed: true
    })
  })

  it('with no blame anywhere, reads the first thread that has frames', () => {
    const body = logFor(hang) as Json
    const [worker, main] = stacksOf(body)
    delete main.threadAttributed
    main.callStackRootFrames = JSON.parse(
      JSON.stringify(main.callStackRootFrames).replace(
        /"isBlameFrame":true/g,
        '"isBlameFrame":false'
      )
    )
    stacksOf(body).unshift({ threadAttributed: false, callStackRootFrames: [] })
    expect(worker.threadAttributed).toBe(false)
    expect(symbols(parseBacktrace(body, hang.id))).toEqual([
      '__workq_kernreturn',
      '_pthread_wqthread',
      'start_wqthread'
    ])
  })

  it('keeps the frames the blamed one was waiting in when it has few callers', () => {
    // The simulator's default shape: the kernel trap at the root, its callers below it.
    const b = parseBacktrace(
      logWith({
        callStackPerThread: true,
        callStacks: [
          {
            callStackRootFrames: [
              perThread(
                { binaryName: 'libsystem_kernel.dylib', symbolName: 'mach_msg2_trap' },
                { binaryName: 'ExampleApp', symbolName: 'Feed.reload()', isBlameFrame: true },
                { binaryName: 'ExampleApp', symbolName: 'main' },
                { binaryName: 'dyld', symbolName: 'start' }
              )
            ]
          }
        ]
      }),
      'any'
    )
    expect(symbols(b)).toEqual(['mach_msg2_trap', 'Feed.reload()', 'main', 'start'])
    expect(b.frames.map(f => f.blamed)).toEqual([false, true, false, false])
  })

  it('reads a sampled tree from its outermost root, following the blamed branch', () => {
    const leaf = (symbolName: string, sampleCount: number, extra: Json = {}) => ({
      binaryName: 'ExampleApp',
      symbolName,
      sampleCount,
      ...extra
    })
    const tree = leaf('start', 10, {
      subFrames: [
        leaf('main', 9, {
          subFrames: [
            leaf('Cache.save()', 2, { isBlameFrame: true, subFrames: [leaf('write', 2)] }),
            leaf('Feed.reload()', 7)
          ]
        })
      ]
    })
    const b = parseBacktrace(
      logWith({ callStackPerThread: false, callStacks: [{ callStackRootFrames: [tree] }] }),
      'x'
    )
    expect(b.basis).toBe('blamed')
    // Blamed beats the heavier Feed.reload(); innermost first, topped up past the blamed frame.
    expect(symbols(b)).toEqual(['write', 'Cache.save()', 'main', 'start'])
  })

  it('shows the heaviest path, innermost first, when no frame is blamed', () => {
    const b = parseBacktrace(sparseLog(), 'SIG-ANY')
    expect(b.basis).toBe('heaviest')
    expect(b.frames).toEqual([
      { binary: 'libsqlite3.dylib', symbol: 'sqlite3_step', blamed: false },
      { binary: '?', symbol: '???', blamed: false },
      { binary: 'ExampleApp', symbol: '0x100a1b2c4 + 52', blamed: false },
      { binary: 'ExampleApp', symbol: 'main', blamed: false },
      { binary: 'dyld', symbol: 'start', blamed: false }
    ])
  })

  it('weighs sample counts as numbers, whether sent as numbers or strings', () => {
    const b = parseBacktrace(
      logWith({
        callStacks: [
          {
            callStackRootFrames: [
              { symbolName: 'light', sampleCount: '9' },
              { symbolName: 'heavy', sampleCount: 10 },
              { symbolName: 'junk', sampleCount: 'lots' }
            ]
          }
        ]
      }),
      'x'
    )
    expect(symbols(b)).toEqual(['heavy'])
  })

  it('names a frame by symbol, else raw frame, else address, else ???', () => {
    const frames = [
      { symbolName: 'a()', rawFrame: 'raw', address: 1 },
      { rawFrame: 'UIKitCore 0x1b2c3d4e5 + 10', address: 1 },
      { address: 4096, offsetIntoSymbol: 8 },
      { address: '18446744073709551615' },
      { address: '0x1000' },
      { offsetIntoSymbol: 8 }
    ]
    const b = parseBacktrace(
      logWith({
        callStackPerThread: true,
        callStacks: [{ callStackRootFrames: [perThread(...frames)] }]
      }),
      'x'
    )
    expect(symbols(b)).toEqual([
      'a()',
      'UIKitCore 0x1b2c3d4e5 + 10',
      '0x1000 + 8',
      '0xffffffffffffffff',
      '0x1000',
      '???'
    ])
    expect(b.frames.every(f => f.binary === '?')).toBe(true)
  })

  it('gives a line number only when it is a positive whole number', () => {
    const lines = [12, '34', 0, -3, 1.5, '12a', '', null]
    const b = parseBacktrace(
      logWith({
        callStackPerThread: true,
        callStacks: [
          {
            callStackRootFrames: [
              perThread(...lines.map(lineNumber => ({ symbolName: 's', lineNumber })))
            ]
          }
        ]
      }),
      'x'
    )
    expect(b.frames.map(f => f.line)).toEqual(['12', '34', ...Array(6).fill(undefined)])
  })
})

describe('payloads that stray from Apple’s schema', () => {
  it('accepts numbers where the spec says strings, and strings where it says numbers', () => {
    const b = parseBacktrace(stringyLog(), 'SIG-STRINGY')
    expect(b.frames).toEqual([
      {
        binary: 'libsystem_kernel.dylib',
        symbol: 'mach_msg2_trap',
        blamed: false
      },
      {
        binary: 'ExampleApp',
        symbol: '-[FeedViewController reload]',
        file: 'FeedViewController.m',
        line: '88',
        blamed: true
      },
      { binary: 'UIKitCore', symbol: '0x1800f4560 + 16', blamed: false }
    ])
    expect(b).toMatchObject({ appVersion: '2.4', buildVersion: '412', eventDetail: '2.31' })
  })

  it('accepts a single object wherever the spec says a list', () => {
    const b = parseBacktrace(stringyLog(), 'SIG-STRINGY')
    expect(b.basis).toBe('blamed')
    expect(b.device).toBe('iPhone15,2')
    expect(b.insights).toHaveLength(1)
  })

  it('survives 10,000 levels of nested frames and shows the blamed one in context', () => {
    const b = parseBacktrace(deepLog(10_000), 'SIG-DEEP')
    expect(b.frames.find(f => f.blamed)).toMatchObject({ line: '5001' })
    // Its two callers, and what it called up to eight frames; the rest is counted, not shown.
    expect(b.frames.map(f => f.line)).toEqual(Array.from({ length: 8 }, (_, i) => String(4996 + i)))
    expect(b.frames[0].skippedBefore).toBe(4995)
    expect(b.skippedAfter).toBe(10_000 - 5003)
  })

  it('finds the heaviest path 10,000 levels down, and the deepest frames near a deep blame', () => {
    expect(symbols(parseBacktrace(deepLog(10_000, { blamedAt: -1 }), 'x'))).toHaveLength(8)
    const nearEnd = parseBacktrace(deepLog(10_000, { blamedAt: 9_998 }), 'x')
    expect(nearEnd.frames.map(f => f.line)).toEqual(
      Array.from({ length: 8 }, (_, i) => String(9_993 + i))
    )
    expect(nearEnd.frames.find(f => f.blamed)?.line).toBe('9999')
  })

  it('serves deep logs as bytes the simulator can send and a client can parse', () => {
    const text = deepLogJson(10_000).toString('utf8')
    expect(() => parseBacktrace(JSON.parse(text), 'SIG-DEEP')).not.toThrow()
  })

  it('cuts every long field to about 200 characters, keeping its text raw for the renderer', () => {
    const b = parseBacktrace(longSymbolLog(), 'SIG-LONG')
    const texts = [
      ...b.frames.flatMap(f => [f.binary, f.symbol, f.file ?? '']),
      b.device ?? '',
      ...b.insights.map(i => i.category ?? '')
    ]
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(200)
      expect(text).not.toMatch(/[\u0000-\u001f]/)
    }
    expect(b.frames.map(f => f.symbol.endsWith('…'))).toEqual([true, true, true])
    expect(b.frames[0].symbol).toMatch(/^std::__1::__function::__func<std::__1::vector</)
    expect(b.frames[2].symbol).toMatch(/^<img src=x onerror=alert\(1\)><!-- x/)
    expect(b.insights[0].text.length).toBeLessThanOrEqual(500)
  })

  it('strips line breaks that could start a workflow command, and leaves :: intact', () => {
    const b = parseBacktrace(
      logWith({
        callStacks: [{ callStackRootFrames: [{ symbolName: 'a()\n::error::pwned\r\u2028b' }] }]
      }),
      'x'
    )
    expect(b.frames[0].symbol).toBe('a() ::error::pwned b')
  })
})

describe('what the log says about the event', () => {
  it('reports the device, OS, versions and how long the hang lasted', () => {
    const b = parseBacktrace(logFor(hang, { appVersion: '3.0.1', buildVersion: '977' }), hang.id)
    expect(b).toMatchObject({
      signatureId: hang.id,
      device: 'iPhone15,2',
      os: 'iPhone OS 17.5 (21F79)',
      appVersion: '3.0.1',
      buildVersion: '977',
      event: 'hang',
      eventDetail: '2.31 s'
    })
    expect(b.writesCaused).toBeUndefined()
  })

  it('reports how much a disk-write signature wrote', () => {
    const signature = {
      id: 'SIG-W',
      signature: 'ExampleApp: -[ImageCache persist:] + 112',
      diagnosticType: 'DISK_WRITES'
    }
    const b = parseBacktrace(logFor(signature), signature.id)
    expect(b).toMatchObject({ event: 'diskWrites', writesCaused: '1.07 GB' })
    expect(b.eventDetail).toBeUndefined()
  })

  it('leaves out metadata that is missing or empty', () => {
    const b = parseBacktrace(sparseLog(), 'x')
    expect(b).toEqual({
      signatureId: 'x',
      frames: expect.any(Array),
      basis: 'heaviest',
      os: 'iPhone OS 17.5 (21F79)',
      insights: []
    })
  })

  it('passes on Apple’s insights with their https guide link', () => {
    expect(parseBacktrace(logFor(hang), hang.id).insights).toEqual([
      {
        text: 'The main thread waited on a lock held by a background thread. Move the work that takes the lock off the main thread.',
        url: 'https://developer.apple.com/documentation/xcode/understanding-hangs-in-your-app',
        category: 'HANG'
      }
    ])
  })

  it('drops an insight link that is not https, and an insight without text', () => {
    const insight = (insightsURL: unknown, insightsString: unknown = 'Tip') => ({
      insightsString,
      insightsURL
    })
    const body = logFor(hang) as Json
    body.productData[0].diagnosticInsights = [
      insight('http://developer.apple.com/x'),
      insight('javascript:alert(1)'),
      insight('not a url'),
      insight(42),
      insight('https://developer.apple.com/x', ''),
      insight('https://developer.apple.com/x', null),
      { insightsCategory: 'HANG' }
    ]
    expect(parseBacktrace(body, hang.id).insights).toEqual([
      { text: 'Tip' },
      { text: 'Tip' },
      { text: 'Tip' },
      { text: 'Tip' }
    ])
  })

  it('reads the entry of the requested signature when the response holds several', () => {
    const other = logFor({
      ...hang,
      id: 'SIG-OTHER',
      signature: 'ExampleApp: Other.run() + 4'
    }) as Json
    const mine = logFor(hang) as Json
    const body = { productData: [...other.productData, ...mine.productData] }
    expect(firstBlamed(parseBacktrace(body, hang.id))?.symbol).toBe(
      '-[FeedViewController reloadVisibleCells]'
    )
    expect(firstBlamed(parseBacktrace(body, 'SIG-UNKNOWN'))?.symbol).toBe('Other.run()')
  })
})

describe('logs the gate cannot use', () => {
  it.each([
    ['nothing', null, /not a JSON object/],
    ['text', 'Not Acceptable', /not a JSON object/],
    ['a list', [], /not a JSON object/],
    ['no productData', {}, /without any productData entry/],
    ['an empty productData', { productData: [] }, /without any productData entry/],
    ['no logs', { productData: [{ signatureId: 'S' }] }, /without any call stack frames/],
    ['an empty call stack tree', logWith([]), /without any call stack frames/],
    [
      'stacks without frames',
      logWith({ callStacks: [{ callStackRootFrames: [] }, {}] }),
      /without any call stack frames/
    ],
    [
      'frames that are not objects',
      logWith({ callStacks: [{ callStackRootFrames: ['0x1', 7] }] }),
      /without any call stack frames/
    ]
  ])('refuses %s with one clear sentence', (_, body, message) => {
    let error: unknown
    try {
      parseBacktrace(body, 'SIG-1')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(DataError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(
      /^App Store Connect sent diagnostic logs for signature 'SIG-1' .*\.$/
    )
  })
})

describe('a log in the shape of Apple’s own example', () => {
  /** A sampled tree, outermost frame first: six blamed frames on one path and a SQLite spill. */
  const sampled = () => {
    const names: [string, string, boolean, Record<string, unknown>?][] = [
      ['libdispatch.dylib', '_dispatch_call_block_and_release', false],
      ['App', '-[Sync run]', true],
      ['App', '-[Store loadAll]', true],
      ['App', '-[DBQueue perform:]', true],
      ['libdispatch.dylib', '_dispatch_sync_f_slow', false],
      ['libdispatch.dylib', '_dispatch_client_callout', false],
      ['App', '__26-[DBQueue perform:]_block_invoke', true],
      ['App', '__21-[Store loadAll]_block_invoke', true],
      ['App', '-[ResultSet next]', true],
      ['libsqlite3.dylib', 'sqlite3_step', false],
      ['libsqlite3.dylib', 'sqlite3VdbeExec', false],
      ['libsqlite3.dylib', 'vdbeSorterFlushPMA', false, { insightsCategory: 'SQLiteSpill' }],
      ['libsqlite3.dylib', 'unixWrite', false],
      ['libsystem_kernel.dylib', 'pwrite', false]
    ]
    let child: Json | undefined
    for (let i = names.length - 1; i >= 0; i--) {
      const [binaryName, symbolName, isBlameFrame, extra] = names[i]
      child = {
        binaryName,
        symbolName,
        isBlameFrame,
        offsetIntoBinaryTextSegment: '',
        rawFrame: `40 ${symbolName} (in ${binaryName})`,
        sampleCount: 40,
        ...extra,
        subFrames: child ? [child] : []
      }
    }
    return {
      productData: [
        {
          signatureId: 'ANOTHER-SIGNATURE',
          diagnosticInsights: [
            {
              insightsURL: 'doc://com.apple.documentation/documentation/xcode/reducing-disk-writes',
              insightsCategory: 'SQLiteSpill',
              insightsString: 'A spill file was written.'
            }
          ],
          diagnosticLogs: [
            {
              diagnosticMetaData: {
                event: 'disk writes',
                deviceType: 'iPhone13_3',
                writesCaused: '1073.76 MB'
              },
              callStackTree: [
                { callStacks: [{ callStackRootFrames: [child] }], callStackPerThread: false }
              ]
            }
          ]
        }
      ]
    }
  }

  it('keeps all six blamed frames and the SQLite frames below the deepest one', () => {
    const b = parseBacktrace(sampled(), 'REQUESTED')
    expect(b.frames.filter(f => f.blamed)).toHaveLength(6)
    expect(symbols(b)).toEqual(
      expect.arrayContaining(['sqlite3_step', 'vdbeSorterFlushPMA', 'pwrite'])
    )
    expect(b.frames.find(f => f.symbol === 'vdbeSorterFlushPMA')?.category).toBe('SQLiteSpill')
    // Innermost first, as a crash report reads.
    expect(b.frames[0].symbol).toBe('pwrite')
    expect(b).toMatchObject({
      device: 'iPhone13_3',
      event: 'disk writes',
      writesCaused: '1073.76 MB'
    })
  })

  it('maps a doc:// insight link to its page on developer.apple.com', () => {
    expect(parseBacktrace(sampled(), 'REQUESTED').insights[0]).toEqual({
      text: 'A spill file was written.',
      category: 'SQLiteSpill',
      url: 'https://developer.apple.com/documentation/xcode/reducing-disk-writes'
    })
  })

  it('never shows more than the cap, and counts what it left out', () => {
    const body = sampled() as Json
    // Forty more blamed frames on the path: the cap holds.
    let node =
      body.productData[0].diagnosticLogs[0].callStackTree[0].callStacks[0].callStackRootFrames[0]
    for (let i = 0; i < 40; i++) {
      const next = {
        binaryName: 'App',
        symbolName: `f${i}`,
        isBlameFrame: true,
        sampleCount: 40,
        subFrames: [node]
      }
      node = next
    }
    body.productData[0].diagnosticLogs[0].callStackTree[0].callStacks[0].callStackRootFrames = [
      node
    ]
    const b = parseBacktrace(body, 'REQUESTED')
    expect(b.frames).toHaveLength(BACKTRACE.maxFrames)
    expect(
      b.frames.reduce((n, f) => n + (f.skippedBefore ?? 0), 0) +
        (b.skippedAfter ?? 0) +
        b.frames.length
    ).toBe(54)
  })
})

describe('a stack with nothing blamed', () => {
  it('shows the innermost frames, where a crash report starts', () => {
    const b = parseBacktrace(deepLog(20, { blamedAt: -1 }), 'x')
    expect(b.basis).toBe('heaviest')
    expect(b.frames).toHaveLength(BACKTRACE.atLeast)
    expect(b.frames.map(f => f.line)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    expect(b.frames[0].skippedBefore).toBeUndefined()
    expect(b.skippedAfter).toBe(20 - BACKTRACE.atLeast)
  })
})
