// @ts-check
// Realistic `GET /v1/diagnosticSignatures/{id}/logs` bodies for the simulator and the tests.
// Real payloads mirror MetricKit's call-stack JSON rather than Apple's OpenAPI schema: they carry
// `threadAttributed` (which the schema lacks), so they do not validate against a closed schema.
//
// Orientation, as MetricKit sends it: a per-thread stack (`callStackPerThread: true`) is rooted at
// its innermost frame, and each frame's `subFrames` holds its caller, down to dyld's `start`.
// A sampled tree (`callStackPerThread: false`) is rooted at the outermost frame instead, and its
// `subFrames` are callees, weighted by `sampleCount`.
import { createHash } from 'node:crypto'

/**
 * @typedef {{ id: string, signature: string, diagnosticType: string }} SignatureLike
 * @typedef {{ appVersion?: string, buildVersion?: string, bundleId?: string }} LogContext
 * @typedef {Record<string, unknown>} Json
 */

/** @type {Record<string, { event: string, detail: Json, inner: string[][], caller: string[], insight: Json }>} */
const KINDS = {
  HANGS: {
    event: 'hang',
    detail: { eventDetail: '2.31 s' },
    inner: [
      ['libsystem_kernel.dylib', '__psynch_mutexwait'],
      ['libsystem_pthread.dylib', '_pthread_mutex_firstfit_lock_wait'],
      ['libsystem_pthread.dylib', '_pthread_mutex_firstfit_lock_slow'],
      ['Foundation', '-[NSLock lock]']
    ],
    caller: ['FeedViewController.viewWillAppear(_:)', 'FeedViewController.swift', '41'],
    insight: {
      insightsCategory: 'HANG',
      insightsString:
        'The main thread waited on a lock held by a background thread. Move the work that takes the lock off the main thread.',
      insightsURL: 'https://developer.apple.com/documentation/xcode/understanding-hangs-in-your-app'
    }
  },
  DISK_WRITES: {
    event: 'diskWrites',
    detail: { writesCaused: '1.07 GB' },
    inner: [
      ['libsystem_kernel.dylib', 'pwrite'],
      ['Foundation', '_NSWriteDataToFileWithExtendedAttributes'],
      ['Foundation', '-[NSData(NSData) writeToURL:options:error:]'],
      ['Foundation', 'Data.write(to:options:)']
    ],
    caller: ['ImageCache.store(_:for:)', 'ImageCache.swift', '63'],
    insight: {
      insightsCategory: 'DISK_WRITE',
      insightsString:
        'This code path rewrote the same file many times. Batch the writes or keep the data in memory.',
      insightsURL: 'https://developer.apple.com/documentation/xcode/reducing-disk-writes'
    }
  },
  LAUNCHES: {
    event: 'launch',
    detail: { eventDetail: '4.12 s' },
    inner: [
      ['libsystem_kernel.dylib', '__open'],
      ['libsystem_kernel.dylib', 'open'],
      ['Foundation', '_NSReadBytesFromFileWithExtendedAttributes'],
      ['Foundation', '-[NSData(NSData) initWithContentsOfFile:options:error:]']
    ],
    caller: [
      'AppDelegate.application(_:didFinishLaunchingWithOptions:)',
      'AppDelegate.swift',
      '27'
    ],
    insight: {
      insightsCategory: 'LAUNCH',
      insightsString:
        'Launch read a large file on the main thread before the first frame. Defer it until after launch.',
      insightsURL: 'https://developer.apple.com/documentation/xcode/reducing-your-app-s-launch-time'
    }
  }
}

/** The main run loop below any main-thread frame, outermost last. */
const RUN_LOOP = [
  ['UIKitCore', '-[UIViewController _setViewAppearState:isAnimating:]'],
  ['CoreFoundation', '__CFRUNLOOP_IS_CALLING_OUT_TO_AN_OBSERVER_CALLBACK_FUNCTION__'],
  ['CoreFoundation', '__CFRunLoopRun'],
  ['CoreFoundation', 'CFRunLoopRunSpecific'],
  ['GraphicsServices', 'GSEventRunModal'],
  ['UIKitCore', '-[UIApplication _run]'],
  ['UIKitCore', 'UIApplicationMain']
]

/**
 * A body like App Store Connect's for one signature: two threads, the second attributed and
 * holding the signature's frame, blamed, 4 levels below its root.
 * @param {SignatureLike} signature
 * @param {LogContext} [context]
 */
export function logFor(signature, context = {}) {
  const [, binary = 'ExampleApp', symbol = signature.signature, offset = '0'] =
    /^(.+?): (.+?)(?: \+ (\d+))?$/.exec(signature.signature) ?? []
  const kind = KINDS[signature.diagnosticType] ?? KINDS.HANGS
  const system = /\.dylib$|^(Foundation|CoreFoundation|UIKitCore|dyld)$/.test(binary)
  const app = system ? 'ExampleApp' : binary
  const [callerSymbol, callerFile, callerLine] = kind.caller
  const typeName = /[A-Z]\w+/.exec(symbol)?.[0] ?? 'Source'
  const source = system
    ? {}
    : { fileName: `${typeName}.${/^[-+]\[/.test(symbol) ? 'm' : 'swift'}`, lineNumber: '88' }
  const main = perThread([
    ...kind.inner.map(([b, s]) => frame(b, s, { sampleCount: 23 })),
    frame(binary, symbol, {
      offsetIntoSymbol: offset,
      ...source,
      sampleCount: 23,
      isBlameFrame: true
    }),
    frame(app, callerSymbol, { fileName: callerFile, lineNumber: callerLine, sampleCount: 23 }),
    ...RUN_LOOP.map(([b, s]) => frame(b, s, { sampleCount: 23 })),
    frame(app, 'main', { fileName: 'main.swift', lineNumber: '12', sampleCount: 23 }),
    frame('dyld', 'start', { offsetIntoSymbol: '2240', sampleCount: 23 })
  ])
  const worker = perThread([
    frame('libsystem_kernel.dylib', '__workq_kernreturn', { sampleCount: 23 }),
    frame('libsystem_pthread.dylib', '_pthread_wqthread', { sampleCount: 23 }),
    frame('libsystem_pthread.dylib', 'start_wqthread', { sampleCount: 23 })
  ])
  return body(signature.id, {
    diagnosticInsights: [kind.insight],
    diagnosticLogs: [
      {
        diagnosticMetaData: {
          bundleId: context.bundleId ?? 'com.example.app',
          event: kind.event,
          appVersion: context.appVersion ?? '2.4.0',
          buildVersion: context.buildVersion ?? '412',
          osVersion: 'iPhone OS 17.5 (21F79)',
          deviceType: 'iPhone15,2',
          platformArchitecture: 'arm64e',
          ...kind.detail
        },
        callStackTree: [
          {
            callStackPerThread: true,
            callStacks: [
              { threadAttributed: false, callStackRootFrames: [worker] },
              { threadAttributed: true, callStackRootFrames: [main] }
            ]
          }
        ]
      }
    ]
  })
}

/**
 * A runaway recursion `depth` frames deep, as JSON text: `JSON.stringify` overflows V8's stack
 * on a few thousand levels, so the simulator must be given these bytes, not an object.
 * Level `i` (0 = innermost) has lineNumber `i + 1`; `blamedAt` (-1 for none) is blamed.
 * @param {number} depth
 * @param {{ blamedAt?: number }} [options]
 */
export function deepLogJson(depth, { blamedAt = Math.floor(depth / 2) } = {}) {
  const opens = []
  for (let i = 0; i < depth; i++) {
    const level = frame('ExampleApp', 'LayoutNode.measure(in:)', {
      fileName: 'LayoutNode.swift',
      lineNumber: String(i + 1),
      sampleCount: 1,
      ...(i === blamedAt ? { isBlameFrame: true } : {})
    })
    opens.push(`${JSON.stringify(level).slice(0, -1)},"subFrames":[`)
  }
  const stack = `${opens.join('')}${']}'.repeat(depth)}`.replace(',"subFrames":[]}', '}')
  const [before, after] = JSON.stringify(
    body('SIG-DEEP', {
      diagnosticLogs: [
        {
          diagnosticMetaData: { event: 'hang', eventDetail: '5.02 s' },
          callStackTree: [
            {
              callStackPerThread: true,
              callStacks: [{ threadAttributed: true, callStackRootFrames: ['@'] }]
            }
          ]
        }
      ]
    })
  ).split('"@"')
  return Buffer.from(`${before}${depth > 0 ? stack : ''}${after}`)
}

/**
 * {@link deepLogJson}, parsed (`JSON.parse` itself copes with the depth).
 * @param {number} depth
 * @param {{ blamedAt?: number }} [options]
 * @returns {Json}
 */
export function deepLog(depth, options) {
  return JSON.parse(deepLogJson(depth, options).toString('utf8'))
}

/** Numbers where the spec says strings and the reverse, and single objects instead of lists. */
export function stringyLog() {
  return {
    version: 1,
    productData: {
      signatureId: 'SIG-STRINGY',
      diagnosticInsights: {
        insightsCategory: 'HANG',
        insightsString: 'Main thread blocked on I/O.',
        insightsURL:
          'https://developer.apple.com/documentation/xcode/understanding-hangs-in-your-app'
      },
      diagnosticLogs: {
        diagnosticMetaData: {
          event: 'hang',
          appVersion: 2.4,
          buildVersion: 412,
          osVersion: 'iPhone OS 17.5 (21F79)',
          deviceType: 'iPhone15,2',
          eventDetail: 2.31
        },
        callStackTree: {
          callStackPerThread: true,
          callStacks: {
            threadAttributed: true,
            callStackRootFrames: {
              binaryName: 'libsystem_kernel.dylib',
              address: 7170766264,
              offsetIntoBinaryTextSegment: 165304,
              symbolName: 'mach_msg2_trap',
              sampleCount: '14',
              subFrames: {
                binaryName: 'ExampleApp',
                address: '0x1000a1b2c',
                offsetIntoBinaryTextSegment: 662316,
                offsetIntoSymbol: 112,
                symbolName: '-[FeedViewController reload]',
                fileName: 'FeedViewController.m',
                lineNumber: 88,
                sampleCount: '14',
                isBlameFrame: true,
                subFrames: {
                  binaryName: 'UIKitCore',
                  address: '6443451744',
                  offsetIntoSymbol: '16',
                  sampleCount: 14,
                  lineNumber: '0'
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Almost nothing filled in, and no blamed frame: a sampled tree (branching, so rooted at the
 * outermost frame) whose heaviest path is start → main → 0x100a1b2c4 + 52 → (unnamed) →
 * sqlite3_step.
 */
export function sparseLog() {
  return {
    productData: [
      {
        diagnosticLogs: [
          {},
          {
            diagnosticMetaData: { osVersion: 'iPhone OS 17.5 (21F79)', deviceType: '' },
            callStackTree: [
              {
                callStacks: [
                  {},
                  {
                    callStackRootFrames: [
                      {
                        binaryName: 'ExampleApp',
                        symbolName: 'BackgroundSync.run()',
                        sampleCount: 3
                      },
                      {
                        binaryName: 'dyld',
                        symbolName: 'start',
                        sampleCount: 40,
                        subFrames: [
                          {
                            binaryName: 'ExampleApp',
                            symbolName: 'main',
                            sampleCount: 38,
                            subFrames: [
                              {
                                rawFrame: 'UIKitCore 0x1b2c3d4e5 -[UIApplication _run] + 1000',
                                sampleCount: 8
                              },
                              {
                                binaryName: 'ExampleApp',
                                address: '0x100a1b2c4',
                                offsetIntoSymbol: '52',
                                sampleCount: 30,
                                subFrames: [
                                  { binaryName: 'libsystem_kernel.dylib', sampleCount: 12 },
                                  {
                                    sampleCount: 18,
                                    subFrames: [
                                      {
                                        binaryName: 'libsqlite3.dylib',
                                        symbolName: 'sqlite3_step',
                                        sampleCount: 18
                                      }
                                    ]
                                  }
                                ]
                              }
                            ]
                          }
                        ]
                      }
                    ]
                  }
                ]
              }
            ]
          }
        ]
      }
    ]
  }
}

/** Symbols, file names and metadata far too long, full of Markdown and HTML that must not act. */
export function longSymbolLog() {
  const template = 'std::__1::vector<std::__1::basic_string<char, std::__1::char_traits<char>>>'
  const cpp = `std::__1::__function::__func<${Array(80).fill(template).join(', ')}>::operator()(int&&)`
  const swift = `closure #1 in \`FeedView.body.getter\` | ${'`ticks` | pipes | '.repeat(300)}<img src=x onerror=alert(1)> <!-- hidden -->`
  const html = `<img src=x onerror=alert(1)><!-- ${'x'.repeat(5000)} -->\n::error::injected`
  return body('SIG-LONG', {
    diagnosticInsights: [
      {
        insightsCategory: 'HANG',
        insightsString: `Apple says: ${'this is a long insight. '.repeat(100)}`,
        insightsURL: `https://developer.apple.com/documentation/xcode/${'a'.repeat(5000)}`
      }
    ],
    diagnosticLogs: [
      {
        diagnosticMetaData: { event: 'hang', deviceType: `iPhone${'9'.repeat(1000)}` },
        callStackTree: [
          {
            callStackPerThread: true,
            callStacks: [
              {
                threadAttributed: true,
                callStackRootFrames: [
                  perThread([
                    frame('libc++abi.dylib', cpp),
                    frame('ExampleApp', swift, {
                      isBlameFrame: true,
                      fileName: `${'Sources/'.repeat(60)}FeedView.swift`,
                      lineNumber: '7'
                    }),
                    frame(`Example${'Framework'.repeat(100)}`, html)
                  ])
                ]
              }
            ]
          }
        ]
      }
    ]
  })
}

// ---------------------------------------------------------------- helpers

/**
 * @param {string} signatureId
 * @param {Json} product
 */
function body(signatureId, product) {
  return { version: '1.0', productData: [{ signatureId, ...product }] }
}

/**
 * One frame with a stable address and binary UUID derived from its names.
 * @param {string} binaryName
 * @param {string} symbolName
 * @param {Json} [extra]
 * @returns {Json}
 */
function frame(binaryName, symbolName, extra = {}) {
  const hash = (/** @type {string} */ text) => createHash('sha1').update(text).digest('hex')
  const uuid = hash(binaryName).toUpperCase()
  const offset = parseInt(hash(symbolName).slice(0, 5), 16)
  return {
    binaryUUID: `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20, 32)}`,
    address: `0x${(0x100000000 + offset).toString(16)}`,
    offsetIntoBinaryTextSegment: String(offset),
    binaryName,
    symbolName,
    ...extra
  }
}

/**
 * A per-thread stack: each frame's subFrames holds its caller, innermost frame at the root.
 * @param {Json[]} frames innermost first
 * @returns {Json}
 */
function perThread(frames) {
  for (let i = frames.length - 2; i >= 0; i--)
    frames[i] = { ...frames[i], subFrames: [frames[i + 1]] }
  return frames[0]
}

/**
 * A logs body grown to about `bytes` of JSON by repeating its first log, as the bytes the
 * simulator sends: still valid, still parseable, just large.
 * @param {Json} body a body from logFor
 * @param {number} bytes
 */
export function inflateLog(body, bytes) {
  const product = /** @type {Json[]} */ (body.productData)[0]
  const log = JSON.stringify(/** @type {Json[]} */ (product.diagnosticLogs)[0])
  const copies = Math.max(1, Math.ceil(bytes / (log.length + 1)))
  const text = JSON.stringify({ ...body, productData: [{ ...product, diagnosticLogs: [] }] })
  const at = text.indexOf('"diagnosticLogs":[]') + '"diagnosticLogs":['.length
  return Buffer.from(`${text.slice(0, at)}${Array(copies).fill(log).join(',')}${text.slice(at)}`)
}
