// Issue 22, the second adversarial review: the inputs and the workspace walk. One describe per
// defect, each driving dist/index.js or dist/cli.js as a process against the loopback simulators.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { annotationsIn, appRepository } from '../test-support/app-repo.mjs'
import { BUILD_ID } from '../test-support/scenarios.mjs'
import { runCli } from '../test-support/run-cli.mjs'
import { temporaryDirectory } from '../test-support/temp.mjs'
import { expectNoSecrets, startHarness, type Harness } from '../test-support/harness.js'

const ISSUER = '69a6de7e-0000-47e3-e053-5b8c7c11a4d1'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h.close())

describe('5. the key file is read only when it is a small regular file', () => {
  /** The tool with its key in the file `path`; a 90% limit passes the sample build. */
  const withKeyFile = (path: string) =>
    runCli(['--build-id', BUILD_ID, '--api-base-url', h.asc.url, '--threshold', '90%'], {
      env: { ASC_ISSUER_ID: ISSUER, ASC_KEY_ID: h.key.keyId, ASC_PRIVATE_KEY_PATH: path }
    })
  const refused = (path: string, reason: string) =>
    `error: ASC_PRIVATE_KEY_PATH names '${path}', which ${reason}; point it at the AuthKey_<KEYID>.p8 file.`

  it.each([
    ['/dev/zero', () => '/dev/zero', 'is a character device, not a file'],
    [
      'a FIFO',
      () => {
        const path = join(temporaryDirectory('asc-gate-fifo-'), 'AuthKey.p8')
        execFileSync('mkfifo', [path])
        return path
      },
      'is a FIFO, not a file'
    ],
    [
      'an empty file',
      () => {
        const path = join(temporaryDirectory('asc-gate-empty-'), 'AuthKey.p8')
        writeFileSync(path, '')
        return path
      },
      'is empty'
    ],
    [
      'a 65 KB file',
      () => {
        const path = join(temporaryDirectory('asc-gate-big-'), 'AuthKey.p8')
        writeFileSync(path, `${h.key.pem}\n${'#'.repeat(65 * 1024)}`)
        return path
      },
      'is larger than 64 KB'
    ],
    ['a directory', () => temporaryDirectory('asc-gate-keydir-'), 'is a directory, not a file'],
    [
      'a link to /dev/zero',
      () => {
        const path = join(temporaryDirectory('asc-gate-link-'), 'AuthKey.p8')
        symlinkSync('/dev/zero', path)
        return path
      },
      'is a character device, not a file'
    ]
  ])('%s: exit 2 with the reason, and no request', async (_, make, reason) => {
    const path = make()
    h.reset()
    const run = await withKeyFile(path)
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toEqual([
      `asc-diagnostics-gate: ${refused(path, reason)}`
    ])
    // Not the message for an unset variable, which an empty file used to get.
    expect(run.stderr).not.toContain('The API key is required')
    expect(h.requests()).toHaveLength(0)
  })

  it('a link to a valid .p8 file is read through, and the gate runs', async () => {
    const dir = temporaryDirectory('asc-gate-keylink-')
    const target = join(dir, `AuthKey_${h.key.keyId}.p8`)
    writeFileSync(target, h.key.pem)
    const link = join(dir, 'current.p8')
    symlinkSync(target, link)
    h.reset()
    const run = await withKeyFile(link)
    expect(run.code).toBe(0)
    expect(h.requests().length).toBeGreaterThan(0)
    expect(h.requests().every(r => r.status === 200)).toBe(true)
    const everything = run.stdout + run.stderr
    for (const line of h.key.pem.split('\n').filter(l => l.length > 16)) {
      expect(everything).not.toContain(line)
    }
  })

  // The action takes no key path at all: 'private-key' is the contents, and a path is refused
  // before anything is opened, so neither a FIFO nor /dev/zero is ever read there.
  it('the action refuses a path in private-key without opening it, exit 1 naming the input', async () => {
    const fifo = join(temporaryDirectory('asc-gate-fifo-'), 'AuthKey.p8')
    execFileSync('mkfifo', [fifo])
    for (const path of ['/dev/zero', fifo]) {
      h.reset()
      const run = await h.run({ 'private-key': path })
      expect(run.code).toBe(1)
      expect(run.errors).toEqual([
        "Input 'private-key' looks like a file path; pass the file's contents instead (in a workflow, a secret that holds the whole .p8 text)."
      ])
      expect(h.requests()).toHaveLength(0)
      expectNoSecrets(run, h)
    }
  })
})

describe('12. the workspace walk is bounded by folders as well as files', () => {
  /**
   * The app's files, without git, beside 60,300 empty folders (300 of 200 each): more than the
   * walk's 50,000-folder limit, reached before the walk gets down to the app's source folders.
   */
  function crowdedWorkspace(): string {
    const root = appRepository({ git: false })
    for (let i = 0; i < 300; i++) {
      const wide = join(root, 'Generated', `group-${i}`)
      for (let j = 0; j < 200; j++) mkdirSync(join(wide, `folder-${j}`), { recursive: true })
    }
    return root
  }

  it('a workspace of 60,000 empty folders: the verdict stands, and the report says where the walk stopped', async () => {
    const workspace = crowdedWorkspace()
    expect(readdirSync(join(workspace, 'Generated'))).toHaveLength(300)
    const run = await h.run({}, { env: { GITHUB_WORKSPACE: workspace } })
    // The gate's own verdict, as without a workspace: Apple's example is above 50%.
    expect(run.code).toBe(1)
    expect(run.outputs.result).toBe('failed')
    // The blamed files are in folders the walk never reached: none is annotated as if absent.
    expect(annotationsIn(run.stdout).filter(a => a.properties.file)).toEqual([])
    expect(run.summary).toContain(
      'Not annotated on the source: no file in the repository is named DatabaseConnection.m, but the list of files is incomplete: the walk of the workspace (it has no git index) stopped at its limit of 50,000 folders (check the code out with actions/checkout, so that its git index lists every file).'
    )
    expectNoSecrets(run, h)
  })

  it('a workspace under the limit is still walked whole', async () => {
    const workspace = appRepository({ git: false })
    for (let i = 0; i < 50; i++)
      mkdirSync(join(workspace, 'Generated', `folder-${i}`), { recursive: true })
    const run = await h.run({}, { env: { GITHUB_WORKSPACE: workspace } })
    expect(annotationsIn(run.stdout).map(a => a.properties.file)).toContain(
      'ExampleApp/Database/DatabaseConnection.m'
    )
    expect(run.summary).not.toContain('the list of files is incomplete')
  })
})

describe('15. each report file needs a path of its own', () => {
  it('the action: sarif-path and junit-path spelled differently for one file is an input error', async () => {
    h.reset()
    const run = await h.run({ 'sarif-path': 'reports/out.xml', 'junit-path': './reports//out.xml' })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    // Resolved from the step's working directory, the workspace, where the files are written.
    expect(run.errors[0]).toMatch(
      /^Inputs 'sarif-path' and 'junit-path' both name the file \/.+\/workspace\/reports\/out\.xml; give each report a path of its own\.$/
    )
    expect(h.requests()).toHaveLength(0)
  })

  it('the action: report-path equal to sarif-path, one absolute and one relative, too', async () => {
    const dir = temporaryDirectory('asc-gate-same-')
    h.reset()
    const run = await h.run(
      { 'sarif-path': join(dir, 'gate.json'), 'report-path': 'gate.json' },
      { env: { GITHUB_WORKSPACE: dir } }
    )
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([
      `Inputs 'sarif-path' and 'report-path' both name the file ${join(dir, 'gate.json')}; give each report a path of its own.`
    ])
    expect(h.requests()).toHaveLength(0)
  })

  it('the command line: --sarif-path and --junit-path for one file is exit 2, naming both flags', async () => {
    h.reset()
    const run = await runCli(
      [
        '--build-id',
        BUILD_ID,
        '--api-base-url',
        h.asc.url,
        '--sarif-path',
        'ci/gate.xml',
        '--junit-path',
        'ci/../ci/gate.xml'
      ],
      { env: { ASC_ISSUER_ID: ISSUER, ASC_KEY_ID: h.key.keyId, ASC_PRIVATE_KEY: h.key.pem } }
    )
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toEqual([
      `asc-diagnostics-gate: error: Options --sarif-path and --junit-path both name the file ${join(run.cwd, 'ci', 'gate.xml')}; give each report a path of its own.`
    ])
    expect(existsSync(join(run.cwd, 'ci'))).toBe(false)
    expect(h.requests()).toHaveLength(0)
  })

  it('distinct paths still get both files', async () => {
    const run = await h.run({ 'sarif-path': 'out.sarif', 'junit-path': 'out.xml' })
    expect(run.code).toBe(1)
    expect(run.outputs['sarif-path']).toMatch(/out\.sarif$/)
    expect(run.outputs['junit-path']).toMatch(/out\.xml$/)
  })
})
