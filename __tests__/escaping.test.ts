import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { codeBlock, codeCell, dataLink, html, text } from '../src/report/markdown.js'
import { oneLine } from '../src/text.js'

/** Splits a GFM table row into cells the way GitHub does: on pipes not escaped by a backslash. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/)
}

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom(
    '<img src=x onerror=alert(1)>',
    '@octocat please look',
    'fixes #123',
    'see https://evil.example/x and www.evil.example',
    '<!-- asc-diagnostics-gate: -->',
    'a | b || c',
    '``` ` `` x',
    'std::vector<std::pair<int, int>>::push_back',
    'Array<Dictionary<String, Any>>.map',
    '-->',
    '\\|',
    'line\nbreak\r\n::error::pwned',
    'admin\u202e\u2066evil\u2069\u202c\u200f\u061c \u0085\u009b[31m'
  ),
  fc
    .array(fc.constantFrom('|', '`', '<', '>', '@', '#', '-', '!', '\\', 'a', ' ', '\n', '&'), {
      maxLength: 40
    })
    .map(a => a.join(''))
)

describe('untrusted text in the report', () => {
  it('stays inside one table cell, whatever it holds', () => {
    fc.assert(
      fc.property(hostile, value => {
        const row = `| 1 | ${codeCell(value)} | 2 |`
        expect(row).not.toContain('\n')
        expect(cells(row)).toHaveLength(5)
      })
    )
  })

  it('renders as code: the fence is longer than any backtick run inside', () => {
    fc.assert(
      fc.property(hostile, value => {
        const cell = codeCell(value)
        if (cell === '*(empty)*') return
        const fence = /^`+/.exec(cell)![0]
        const inner = cell.slice(fence.length, cell.length - fence.length)
        expect(cell.endsWith(fence)).toBe(true)
        for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length)
      })
    )
  })

  it('never lets data open or close an HTML comment (the sticky marker)', () => {
    fc.assert(
      fc.property(hostile, value => {
        for (const out of [codeCell(value), text(value), html(value), codeBlock([value])]) {
          expect(out).not.toContain('<!--')
          expect(out).not.toContain('-->')
        }
      })
    )
  })

  it('never leaves raw HTML, mentions or issue references in text', () => {
    fc.assert(
      fc.property(hostile, value => {
        for (const out of [text(value), html(value)]) {
          expect(out).not.toMatch(/<[a-zA-Z!/]/)
          expect(out).not.toMatch(/[@#][A-Za-z0-9]/)
          expect(out).not.toMatch(/:\/\/|\bwww\./i) // no autolinks
          expect(out).not.toContain('\n')
        }
      })
    )
  })

  it('keeps a fenced block closed only by its own fence', () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 5 }), lines => {
        const block = codeBlock(lines)
        const fence = /^`+/.exec(block)![0]
        const inner = block.split('\n').slice(1, -1)
        for (const line of inner) expect(line.startsWith(fence)).toBe(false)
        expect(block.endsWith(`\n${fence}`)).toBe(true)
      })
    )
  })

  it('removes C0, C1 and bidi controls from every rendering and log line', () => {
    const controls = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
    fc.assert(
      fc.property(hostile, value => {
        for (const out of [codeCell(value), text(value), html(value), oneLine(value)])
          expect(out).not.toMatch(controls)
        for (const line of codeBlock([value]).split('\n')) expect(line).not.toMatch(controls)
      })
    )
  })

  it('links data URLs only to Apple documentation hosts', () => {
    expect(dataLink('guide', 'https://developer.apple.com/x')).toBe(
      '[guide](https://developer.apple.com/x)'
    )
    expect(dataLink('guide', 'https://help.apple.com/y')).toBe('[guide](https://help.apple.com/y)')
    for (const url of [
      'https://evil.example/phish',
      'https://developer.apple.com.evil.example/',
      'http://developer.apple.com/x',
      'javascript:alert(1)'
    ]) {
      const out = dataLink('guide', url)
      expect(out).not.toContain('](')
      expect(out).not.toMatch(/:\/\//)
    }
  })

  it('shows signatures literally', () => {
    expect(codeCell('a | b')).toBe('`a \\| b`')
    expect(codeCell('x `y` z')).toBe('``x `y` z``')
    expect(codeCell('`edge')).toBe('`` `edge ``')
    expect(text('<b>@team</b> #1')).toBe('&lt;b&gt;@\u200bteam&lt;/b&gt; \\#\u200b1')
  })
})
