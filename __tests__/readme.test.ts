import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { FLAGS } from '../src/cli/flags.js'
import { actionlint } from '../test-support/actionlint.js'

// Examples are code: every YAML block in the README must parse, every workflow in it (and in
// .github/workflows) must pass actionlint 1.7, and every use of this action must name only
// inputs and outputs that action.yml declares. The command-line tool's CI recipes (other CI
// systems' YAML, shell, Ruby) must name only the tool's flags.

const ROOT = process.cwd()
const ACTION = 'asc-diagnostics-gate/asc-diagnostics-gate'
/** Every document a user reads: the README, CONTRIBUTING.md and docs/. */
const DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`)
]
const documents = DOCUMENTS.map(path => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }))
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { required?: boolean }>
  outputs: Record<string, unknown>
}

type Step = { id?: string; uses?: string; with?: Record<string, unknown>; run?: string }
type Workflow = { on: unknown; jobs: Record<string, { steps?: Step[] }> }

/** The ```yaml blocks of a Markdown text, with the line each starts on. */
function yamlBlocks(markdown: string): { line: number; source: string }[] {
  const blocks: { line: number; source: string }[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i])) continue
    const end = lines.indexOf('```', i + 1)
    blocks.push({ line: i + 1, source: lines.slice(i + 1, end).join('\n') + '\n' })
    i = end
  }
  return blocks
}

/**
 * Another CI system's file (a recipe for the command-line tool), named on the block's first
 * line as `# .gitlab-ci.yml` or `# bitrise.yml`: not a GitHub workflow, so not for actionlint.
 * Every other YAML block is a GitHub workflow or steps, and is linted as before.
 */
const OTHER_CI = /^# (\.gitlab-ci\.yml|bitrise\.yml)\n/

/** Why a block marked as another CI's file could still be a GitHub workflow in disguise. */
function disguisedWorkflow(source: string): string[] {
  const problems: string[] = []
  if (source.includes(`${ACTION}@`)) problems.push('uses the action')
  const parsed = parse(source) as Record<string, unknown> | null
  if (parsed && typeof parsed === 'object' && ('on' in parsed || 'runs-on' in parsed))
    problems.push('has GitHub workflow keys')
  if (/^\s*runs-on:/m.test(source)) problems.push('has runs-on')
  return problems
}

/** The command-line tool's flags, and its own --format, --quiet, --help and --version. */
const CLI_FLAGS = new Set([...FLAGS.map(f => f.flag), 'format', 'quiet', 'help', 'version'])
// A call of the tool: the bin, the downloaded file (asc-diagnostics-gate.mjs, "$cli") or
// dist/cli.js; the flags after it on its line (or continued lines) are the tool's.
const CLI_CALL =
  /(?:\bcli\.js|"\$cli"|(?<![\w.-])asc-diagnostics-gate\.mjs|(?<![\w/.-])asc-diagnostics-gate)(?=["\s]|$)/gm

/** Flags given to the tool in a text, with continuation lines (`\`, or a trailing `,`) joined. */
function cliFlags(text: string): string[] {
  const joined = text.replace(/(\\|,)\n\s*/g, '$1 ')
  const flags: string[] = []
  for (const line of joined.split('\n')) {
    for (const call of line.matchAll(CLI_CALL)) {
      const rest = line.slice((call.index ?? 0) + call[0].length)
      for (const [, flag] of rest.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)) flags.push(flag)
    }
  }
  return flags
}

/** Flags a recipe gives the tool that it does not have. */
function unknownFlags(text: string): string[] {
  return cliFlags(text)
    .filter(flag => !CLI_FLAGS.has(flag))
    .map(flag => `unknown flag '--${flag}'`)
}

/** Every fenced block of a Markdown text, with its language. */
function codeBlocks(markdown: string): { line: number; lang: string; source: string }[] {
  const blocks: { line: number; lang: string; source: string }[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i])
    if (!open) continue
    const end = lines.indexOf('```', i + 1)
    blocks.push({ line: i + 1, lang: open[1], source: lines.slice(i + 1, end).join('\n') + '\n' })
    i = end
  }
  return blocks
}

/** A whole workflow as written, or a list of steps wrapped into the smallest workflow. */
function asWorkflow(source: string): { workflow: Workflow; text: string; complete: boolean } {
  const parsed = parse(source) as Workflow | Step[]
  if (Array.isArray(parsed)) {
    const workflow = {
      on: 'workflow_dispatch',
      jobs: { example: { 'runs-on': 'ubuntu-latest', steps: parsed } }
    }
    return { workflow, text: stringify(workflow), complete: false }
  }
  return { workflow: parsed, text: source, complete: true }
}

async function lint(text: string, path: string): Promise<string[]> {
  const results = await actionlint(text, path)
  return results.map(r => `${path}:${r.line}:${r.column} ${r.message} [${r.kind}]`)
}

/** Problems with this action's steps that actionlint cannot know: unknown inputs and outputs. */
function actionProblems(workflow: Workflow, complete: boolean): string[] {
  const problems: string[] = []
  const events =
    typeof workflow.on === 'object' && workflow.on
      ? Object.keys(workflow.on)
      : [String(workflow.on)]
  for (const job of Object.values(workflow.jobs)) {
    const steps = job.steps ?? []
    const ours = new Set(steps.filter(s => s.uses?.startsWith(`${ACTION}@`)).map(s => s.id))
    for (const step of steps.filter(s => s.uses?.startsWith(`${ACTION}@`))) {
      const given = step.with ?? {}
      for (const name of Object.keys(given)) {
        if (!(name in action.inputs)) problems.push(`unknown input '${name}'`)
      }
      for (const [name, input] of Object.entries(action.inputs)) {
        if (complete && input.required && !(name in given)) problems.push(`missing input '${name}'`)
      }
      // On a release, workflow_dispatch inputs are empty: each must fall back to the event.
      if (events.includes('release')) {
        for (const [name, value] of Object.entries(given)) {
          const text = String(value)
          if (text.includes('inputs.') && !text.includes('github.event.release.')) {
            problems.push(`input '${name}' is empty on a release: ${text}`)
          }
        }
      }
    }
    const text = stringify(steps)
    for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (ours.has(id) && !(output in action.outputs)) problems.push(`unknown output '${output}'`)
    }
  }
  return problems
}

/** Blocks of every document, each labelled `path:line`. */
const inDocuments = <T extends { line: number }>(read: (markdown: string) => T[]) =>
  documents.flatMap(({ path, text }) =>
    read(text).map(block => ({ ...block, where: `${path}:${block.line}` }))
  )
const allYaml = inDocuments(yamlBlocks)
const blocks = allYaml.filter(b => !OTHER_CI.test(b.source))
const otherCi = allYaml.filter(b => OTHER_CI.test(b.source))
const recipes = inDocuments(codeBlocks).filter(b => cliFlags(b.source).length > 0)

describe('the examples in the README and docs/', () => {
  it('has the examples this test is meant to check', () => {
    const workflows = blocks.filter(b => asWorkflow(b.source).complete)
    expect(workflows.length).toBeGreaterThanOrEqual(3)
    expect(blocks.length).toBeGreaterThan(workflows.length) // and at least one step fragment
  })

  it.each(blocks.map(b => [b.where, b.source] as const))(
    'the block at %s is valid YAML, passes actionlint and uses only declared inputs and outputs',
    async (where, source) => {
      const { workflow, text, complete } = asWorkflow(source)
      expect(await lint(text, where)).toEqual([])
      expect(actionProblems(workflow, complete)).toEqual([])
    }
  )

  it('has no example that can only answer "no data yet", and none that reads a hand-copied build ID', () => {
    for (const block of blocks) {
      const { workflow } = asWorkflow(block.source)
      const triggers =
        typeof workflow.on === 'object' && workflow.on ? Object.keys(workflow.on) : []
      // A release is published before Apple has data for it: a gate on it checks nothing.
      expect([block.where, triggers.includes('release')]).toEqual([block.where, false])
      for (const step of Object.values(workflow.jobs ?? {}).flatMap(j => j.steps ?? [])) {
        const build = String(step.with?.['build-id'] ?? '')
        expect([block.where, /vars\./.test(build)]).toEqual([block.where, false])
      }
    }
  })
})

describe("README recipes for the command-line tool (other CI systems' files)", () => {
  it('has a GitLab CI and a Bitrise file, and recipes that call the tool', () => {
    expect(otherCi.map(b => OTHER_CI.exec(b.source)![1]).sort()).toEqual([
      '.gitlab-ci.yml',
      'bitrise.yml'
    ])
    expect(recipes.length).toBeGreaterThanOrEqual(4)
  })

  it.each(otherCi.map(b => [b.where, b.source] as const))(
    'the block at %s is valid YAML and no GitHub workflow',
    (_line, source) => {
      expect(() => parse(source)).not.toThrow()
      expect(disguisedWorkflow(source)).toEqual([])
    }
  )

  it.each(recipes.map(b => [b.where, b.source] as const))(
    'the recipe at %s gives the tool only flags it has',
    (_line, source) => {
      expect(unknownFlags(source)).toEqual([])
    }
  )
})

describe('the checks themselves', () => {
  it('catch a recipe with a flag the tool does not have, and a workflow marked as another CI', () => {
    const recipe = [
      'npx --yes asc-diagnostics-gate --build-id 1 \\',
      '  --treshold 30% --private-key "$KEY"',
      'node /tmp/asc-diagnostics-gate.mjs --version 2.4.0 --app-version 2.4.0',
      'sh("asc-diagnostics-gate", "--bundle-id", "x",',
      '   "--comment", "false")'
    ].join('\n')
    expect(unknownFlags(recipe)).toEqual([
      "unknown flag '--treshold'",
      "unknown flag '--private-key'",
      "unknown flag '--comment'"
    ])
    expect(OTHER_CI.test('# bitrise.yml\nworkflows: {}\n')).toBe(true)
    expect(OTHER_CI.test('name: CI # bitrise.yml\non: push\n')).toBe(false)
    expect(
      disguisedWorkflow(
        `# .gitlab-ci.yml\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${ACTION}@v1\n`
      )
    ).toEqual(['uses the action', 'has GitHub workflow keys', 'has runs-on'])
  })

  it('catch the examples as they were broken before', async () => {
    // A plain scalar holding ": " is not YAML; GitHub rejects the whole file.
    const unquoted = [
      'on: workflow_dispatch',
      'jobs:',
      '  gate:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "Gated build ${{ github.sha }}: ${{ github.run_id }} regressions"',
      ''
    ].join('\n')
    expect((await lint(unquoted, 'broken.yml')).join('\n')).toMatch(/could not parse as YAML/)
    expect(() => parse(unquoted)).toThrow()

    const releaseFromInputs = {
      on: { release: { types: ['published'] }, workflow_dispatch: { inputs: { 'build-id': {} } } },
      jobs: {
        d: { steps: [{ uses: `${ACTION}@v1`, with: { 'build-id': '${{ inputs.build-id }}' } }] }
      }
    }
    expect(actionProblems(releaseFromInputs, false)).toEqual([
      "input 'build-id' is empty on a release: ${{ inputs.build-id }}"
    ])
    const typo = {
      on: 'push',
      jobs: {
        d: {
          steps: [
            { id: 'g', uses: `${ACTION}@v1`, with: { buildid: 'x' } },
            { run: '${{ steps.g.outputs.verdict }}' }
          ]
        }
      }
    }
    expect(actionProblems(typo, false)).toEqual([
      "unknown input 'buildid'",
      "unknown output 'verdict'"
    ])
  })
})

describe("the repository's own workflows", () => {
  const dir = join(ROOT, '.github', 'workflows')
  const files = readdirSync(dir).filter(f => /\.ya?ml$/.test(f))

  it('include CI and the release workflow', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']))
  })

  it.each(files)('%s passes actionlint', async file => {
    expect(await lint(readFileSync(join(dir, file), 'utf8'), `.github/workflows/${file}`)).toEqual(
      []
    )
  })
})

describe('links between the documents', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
  const slug = (heading: string) =>
    heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- ]/gu, '')
      .replace(/ /g, '-')
  const anchors = (text: string) =>
    new Set(
      text
        .replace(/^```[\s\S]*?^```$/gm, '')
        .split('\n')
        .flatMap(line => (/^#{1,6} (.*)$/.exec(line) ? [slug(/^#{1,6} (.*)$/.exec(line)![1])] : []))
    )

  it.each(documents.map(d => [d.path, d.text] as const))(
    'every relative link in %s names a file and a heading that exist',
    (path, text) => {
      const broken: string[] = []
      const prose = text.replace(/^```[\s\S]*?^```$/gm, '')
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue
        const [file, anchor] = target.split('#')
        const resolved = file ? join(dirname(path), file) : path
        let linked: string
        try {
          linked = readFileSync(join(ROOT, resolved), 'utf8')
        } catch {
          broken.push(`${target}: no file ${resolved}`)
          continue
        }
        if (anchor && !anchors(linked).has(anchor)) broken.push(`${target}: no heading #${anchor}`)
      }
      expect(broken).toEqual([])
    }
  )

  it('the README stays a front door: at most about 400 lines, the guard and the key first', () => {
    const readme = documents.find(d => d.path === 'README.md')!.text
    // 440: the guard's "why did it pause?" walkthrough and its memory earned their lines;
    // contributor detail (how to release) lives in CONTRIBUTING.md, the memory's in docs/history.md.
    expect(readme.split('\n').length).toBeLessThanOrEqual(440)
    const headings = readme.split('\n').filter(line => /^##? /.test(line))
    expect(headings.slice(0, 3)).toEqual([
      '# App Store Connect Diagnostics Gate',
      '## Quick start',
      '## Contents'
    ])
  })
})

describe('the table of metric identifiers', () => {
  it("gives each metric the unit Apple's payloads name (scrollHitchRate in %)", async () => {
    const { KNOWN_METRICS } = await import('../src/metrics/model.js')
    const table = readFileSync(join(process.cwd(), 'docs', 'metrics.md'), 'utf8')
    for (const metric of KNOWN_METRICS) {
      const row = table.split('\n').find(line => line.startsWith(`| \`${metric.identifier}\``))
      const unit = row?.split('|').at(-2)?.trim() ?? ''
      expect({ metric: metric.identifier, unit: unit.split(' ')[0] }).toEqual({
        metric: metric.identifier,
        unit: metric.unit
      })
    }
    expect(KNOWN_METRICS.find(m => m.identifier === 'scrollHitchRate')?.unit).toBe('%')
  })
})
