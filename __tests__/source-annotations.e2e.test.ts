import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { addFiles, annotationsIn, appRepository } from '../test-support/app-repo.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { logFor } from '../test-support/logs.mjs'
import { APPLE_EXAMPLE, filler, logsFor, sampleBuild } from '../test-support/scenarios.mjs'
import { startHarness, type Harness } from '../test-support/harness.js'

// The blamed frame of each reported signature, found in a committed fake app repository (the
// workspace), as the annotations the runner reads from the action's stdout.

const DB = 'ExampleApp/Database/DatabaseConnection.m'
const FEED = 'ExampleApp/Feed/FeedViewController.m'
const ANALYTICS = 'ExampleApp/Launch/Analytics.swift'

/** The logs of `signature` with its blamed frame's fileName replaced. */
function withBlamedFile(
  signature: { id: string; signature: string; diagnosticType: string },
  fileName: string
) {
  const body = logFor(signature)
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    const frame = node as Record<string, unknown>
    if (frame.isBlameFrame === true) frame.fileName = fileName
    for (const value of Object.values(frame)) {
      if (Array.isArray(value)) value.forEach(visit)
      else visit(value)
    }
  }
  visit(body)
  return body
}

// Its own signature IDs: the simulator serves logs by signature ID across builds.
const suffixSignatures = sampleBuild().signatures.map(s => ({ ...s, id: `suffix-${s.id}` }))
const imageCache = suffixSignatures.find(s => s.signature.includes('ImageCache persist'))!
const suffixBuild = sampleBuild({
  id: 'suffix-build',
  signatures: suffixSignatures,
  logs: {
    ...logsFor(suffixSignatures),
    // An absolute path from the build machine: its longest suffix that names a file decides.
    [imageCache.id]: withBlamedFile(imageCache, '/Users/ci/builds/ExampleKit/Cache/ImageCache.m')
  }
})
const fifteen = filler(15, 'HANGS', 0.9).map((s, i) => ({ id: `fifteen-${i + 1}`, ...s }))

let h: Harness
let repo: string
beforeAll(async () => {
  h = await startHarness({
    builds: [
      sampleBuild(),
      suffixBuild,
      sampleBuild({ id: 'fifteen-build', signatures: fifteen, logs: {} })
    ]
  })
  repo = appRepository()
})
afterAll(() => h.close())

const inWorkspace = (workspace: string) => ({ env: { GITHUB_WORKSPACE: workspace } })

describe('source annotations on the blamed lines', () => {
  it('puts each placed signature on its line: an error for a failing breach, a notice for one without a finding', async () => {
    const run = await h.run({ 'hangs-threshold': '40%' }, inWorkspace(repo))
    const placed = annotationsIn(run.stdout).filter(a => a.properties.file)
    expect(placed).toEqual([
      {
        level: 'error',
        properties: { title: 'Disk writes: 85.0% of disk writes', file: DB, line: '88' },
        message: `Disk writes signature '${APPLE_EXAMPLE}' is blamed on this line (rank 1). Above the 50% limit.`
      },
      {
        level: 'error',
        properties: { title: 'Hangs: 41.0% of hang time', file: FEED, line: '88' },
        message: expect.stringMatching(
          /^Hangs signature 'ExampleApp: -\[FeedViewController reloadVisibleCells\] \+ 412' is blamed on this line \(rank 1\)\. Above the 40% limit\.$/
        )
      },
      {
        level: 'notice',
        properties: { title: 'Launches: 25.0% of launch time', file: ANALYTICS, line: '88' },
        message: expect.stringContaining(
          "Launches signature 'ExampleApp: static Analytics.bootstrap() + 64'"
        )
      }
    ])
    // A placed breach is not annotated a second time without its line.
    expect(run.errors).not.toContainEqual(
      `Disk writes signature '${APPLE_EXAMPLE}' is at 85.0%, above the 50% limit.`
    )
    expect(run.code).toBe(1)
  })

  it('skips Pods/, and says in the report why a frame is not on a line', async () => {
    const run = await h.run({}, inWorkspace(repo))
    const files = annotationsIn(run.stdout).map(a => a.properties.file)
    expect(files).toContain(DB)
    expect(files.some(f => f?.startsWith('Pods/'))).toBe(false)
    expect(run.summary).toContain(
      'Blamed line in this repository: `ExampleApp/Database/DatabaseConnection.m:88`.'
    )
    // -[ImageCache persist:] blames ImageCache.m, which two files are named.
    expect(run.summary).toContain(
      'Not annotated on the source: 2 files in the repository end with ImageCache.m (ExampleApp/Cache/ImageCache.m, ExampleKit/Cache/ImageCache.m), and the frame does not say which.'
    )
    // closure #1 in ImageCache.load(url:) blames ImageCache.swift, which the repository lacks.
    expect(run.summary).toContain(
      'Not annotated on the source: no file in the repository is named ImageCache.swift.'
    )
    // The frame itself is shown as before.
    expect(run.summary).toMatch(/ExampleApp +-\[ImageCache persist:\] +ImageCache\.m:88 +← blamed/)
  })

  it('matches the longest suffix of an absolute build-machine path', async () => {
    const run = await h.run({ 'build-id': 'suffix-build' }, inWorkspace(repo))
    const placed = annotationsIn(run.stdout).find(a => a.properties.file?.endsWith('ImageCache.m'))
    expect(placed?.properties).toEqual({
      title: 'Disk writes: 7.0% of disk writes',
      file: 'ExampleKit/Cache/ImageCache.m',
      line: '88'
    })
  })

  it('counts tracked files only in a git checkout; a plain folder is walked', async () => {
    const git = appRepository()
    const plain = appRepository({ git: false })
    // An untracked copy, as a build step might leave behind.
    for (const root of [git, plain]) addFiles(root, ['Scratch/FeedViewController.m'])
    const tracked = await h.run({}, inWorkspace(git))
    expect(annotationsIn(tracked.stdout).map(a => a.properties.file)).toContain(FEED)
    const walked = await h.run({}, inWorkspace(plain))
    const files = annotationsIn(walked.stdout).map(a => a.properties.file)
    expect(files).toContain(DB) // the walk works
    expect(files).not.toContain(FEED)
    expect(walked.summary).toContain('2 files in the repository end with FeedViewController.m')
  })

  it('annotate-source: false leaves the lines alone and annotates each finding as before', async () => {
    const run = await h.run({ 'annotate-source': 'false' }, inWorkspace(repo))
    expect(annotationsIn(run.stdout).filter(a => a.properties.file)).toEqual([])
    expect(run.errors).toContainEqual(
      `Disk writes signature '${APPLE_EXAMPLE}' is at 85.0%, above the 50% limit.`
    )
  })

  it('without a checkout: no source annotation, and on a pull request one line naming actions/checkout', async () => {
    // A scheduled run has no pull request to show the lines in: no hint.
    const scheduled = await h.run({}) // the runner's empty workspace
    expect(annotationsIn(scheduled.stdout).filter(a => a.properties.file)).toEqual([])
    expect(scheduled.summary).not.toContain('actions/checkout')
    const run = await h.onPullRequest(77, { comment: 'false' })
    expect(annotationsIn(run.stdout).filter(a => a.properties.file)).toEqual([])
    const lines = run.summary.split('\n').filter(line => line.includes('actions/checkout'))
    expect(lines).toEqual([
      'The blamed source lines are not annotated: the workspace has no checkout of the code. Add `actions/checkout` before this step to see them in the pull request’s changed files.'
    ])
    expect(run.code).toBe(1) // the verdict does not depend on it
  })

  it('shares GitHub’s 10 per level: source annotations first, then the rest, then the count', async () => {
    const workspace = temporaryDirectory('asc-gate-app-')
    addFiles(workspace, ['ExampleApp/ExampleApp.swift']) // what the simulator's logs blame
    const run = await h.run(
      {
        'build-id': 'fifteen-build',
        'diagnostic-types': 'HANGS',
        limit: '15',
        threshold: '0',
        'include-logs': '5'
      },
      inWorkspace(workspace)
    )
    const errors = annotationsIn(run.stdout).filter(a => a.level === 'error')
    expect(errors).toHaveLength(10) // 9 findings and the failure
    expect(errors.slice(0, 5).map(a => a.properties.file)).toEqual(
      Array(5).fill('ExampleApp/ExampleApp.swift')
    )
    expect(errors.slice(5, 9).every(a => !a.properties.file)).toBe(true)
    expect(errors.slice(5, 9)[0].message).toMatch(
      /^Hangs signature '.*' is at .*, above the 0% limit\.$/
    )
    expect(run.warnings.at(-1)).toBe('6 more findings are listed in the job summary.')
  })
})
