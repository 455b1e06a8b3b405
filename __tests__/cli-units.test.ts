import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { actionInputsModule } from '../scripts/cli-inputs.mjs'
import { envName, FLAGS, forCommandLine } from '../src/cli/flags.js'
import { COLOURS, inline, PLAIN, paletteFor, terminalReport, width } from '../src/cli/terminal.js'
import { code, codeCell, dataLink, link, text } from '../src/report/markdown.js'

describe('the terminal report reads back what the Markdown report escaped', () => {
  it.each([
    'ExampleApp: -[DatabaseConnection executeSQL:] + 23',
    'a | pipe, `backticks` and ``two``',
    '`starts with a backtick',
    '<script>&amp; *stars* _under_ [link](x) #1 @me',
    'https://evil.example/path www.example.com'
  ])('%s', value => {
    expect(inline(code(value))).toBe(value)
    expect(inline(codeCell(value))).toBe(value)
    expect(inline(text(value))).toBe(value)
  })

  it('shows a link as its text and address', () => {
    expect(inline(link('workflow run', 'https://github.com/acme/app/actions/runs/1'))).toBe(
      'workflow run (https://github.com/acme/app/actions/runs/1)'
    )
  })

  it('never decodes an escape sequence, or a malformed one, out of a link from Apple', () => {
    for (const url of [
      'https://developer.apple.com/x%1b[31mRED',
      'https://developer.apple.com/x%ZZ'
    ]) {
      const shown = inline(dataLink('guide', url))
      expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
      expect(shown).toContain('guide (https://developer.apple.com/')
    }
  })

  it('lays a table out in columns, numbers right-aligned, keeping escaped pipes in their cell', () => {
    const markdown = [
      '| # | Signature | Weight |',
      '|---:|---|---:|',
      `| 1 | ${codeCell('a|b')} | 85.0% |`,
      `| 10 | ${codeCell('longer one')} | 7.0% |`
    ].join('\n')
    expect(terminalReport(markdown, PLAIN).split('\n')).toEqual([
      '   #  Signature   Weight',
      '   1  a|b          85.0%',
      '  10  longer one    7.0%',
      ''
    ])
  })

  it('colours the verdict by its emoji, and only with the colour palette', () => {
    const markdown =
      '### ❌ App Store diagnostics gate: 1 breach\n\n<sub>Thresholds: hangs 50%</sub>\n'
    expect(terminalReport(markdown, PLAIN)).toBe(
      '❌ App Store diagnostics gate: 1 breach\n\nThresholds: hangs 50%\n'
    )
    expect(terminalReport(markdown, COLOURS)).toContain(
      '\u001b[31m\u001b[1m❌ App Store diagnostics gate: 1 breach'
    )
  })

  it("draws the report's metric charts as sparklines, and leaves other diagrams to Markdown", () => {
    const chart = [
      '```mermaid',
      'xychart-beta',
      '  title "Hang rate, p50, by version"',
      '  x-axis ["2.2.0", "2.3.0", "2.4.0"]',
      '  line [2.3, 2.5, 4.1]',
      '```'
    ].join('\n')
    expect(terminalReport(chart, PLAIN).split('\n')).toEqual([
      '  Hang rate, p50, by version',
      '    2.2.0  ▁ 2.3',
      '    2.3.0  ▂ 2.5',
      '    2.4.0  █ 4.1',
      ''
    ])
    expect(terminalReport('```mermaid\ngraph TD\n  A --> B\n```\n', PLAIN)).toBe(
      '  (a chart: --format markdown has it)\n'
    )
  })

  it('colour needs a terminal and no NO_COLOR', () => {
    expect(paletteFor(true, {})).toBe(COLOURS)
    expect(paletteFor(true, { NO_COLOR: '1' })).toBe(PLAIN)
    expect(paletteFor(false, {})).toBe(PLAIN)
    expect(paletteFor(undefined, {})).toBe(PLAIN)
  })

  it('counts emoji and East Asian characters as two columns', () => {
    expect(width('❌ over')).toBe(7)
    expect(width('⚠️ up')).toBe(5)
    expect(width('日本')).toBe(4)
  })
})

describe('flags', () => {
  it('are generated from action.yml: the committed module is current', () => {
    const root = process.cwd()
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const yaml = readFileSync(join(root, 'action.yml'), 'utf8')
    expect(readFileSync(join(root, 'src', 'cli', 'action-inputs.ts'), 'utf8')).toBe(
      actionInputsModule(yaml, version)
    )
  })

  it('follow one naming rule for environment variables, but for the key', () => {
    expect(FLAGS.find(f => f.input === 'version')).toMatchObject({
      flag: 'app-version',
      env: 'ASC_GATE_APP_VERSION'
    })
    expect(FLAGS.find(f => f.input === 'key-id')?.env).toBe('ASC_KEY_ID')
    expect(FLAGS.find(f => f.input === 'issuer-id')?.env).toBe('ASC_ISSUER_ID')
    expect(FLAGS.some(f => f.input === 'private-key' || f.input === 'github-token')).toBe(false)
    for (const flag of FLAGS.filter(f => !['key-id', 'issuer-id'].includes(f.input)))
      expect(flag.env).toBe(envName(flag.flag))
  })

  it("say the parser's messages with the command line's names", () => {
    expect(
      forCommandLine(
        "Input 'build-number' (or 'version') is required when 'build-id' is not given.",
        {}
      )
    ).toBe('Option --build-number (or --app-version) is required when --build-id is not given.')
    expect(forCommandLine("Inputs 'app-id' and 'bundle-id' both name the app.", {})).toBe(
      'Options --app-id and --bundle-id both name the app.'
    )
    expect(forCommandLine("Input 'no-data' is 'limit'; use one of: pass, warn, fail.", {})).toBe(
      "Option --no-data is 'limit'; use one of: pass, warn, fail."
    )
    expect(forCommandLine("Input 'private-key' holds an RSA key.", {})).toBe(
      'The key in ASC_PRIVATE_KEY holds an RSA key.'
    )
    expect(
      forCommandLine("Input 'private-key' holds an RSA key.", { ASC_PRIVATE_KEY_PATH: '/k.p8' })
    ).toBe('The key in ASC_PRIVATE_KEY_PATH holds an RSA key.')
  })
})
