import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

// Issue 21: one reader for App Store Connect. Every response is parsed by the client and read
// through src/asc/jsonapi.ts, which sanitises and caps each string exactly once; no other module
// looks inside a body or cleans App Store Connect text on its own.
const ASC = join(process.cwd(), 'src', 'asc')
const modules = readdirSync(ASC)
  .filter(name => name.endsWith('.ts') && name !== 'jsonapi.ts')
  .map(name => ({ name, source: readFileSync(join(ASC, name), 'utf8') }))

describe('one reader for App Store Connect', () => {
  it.each([
    ['cleans text itself', /\b(sanitize|truncate|capped)\(/],
    ['casts a response body', /\b(body|document|data|included)\s+as\s/],
    ['reads `included` by hand', /\.included\b/],
    ['reads `links.next` by hand', /\.links\??\.next/],
    ['checks an ID pattern of its own', /\[A-Za-z0-9/]
  ])('no module but jsonapi.ts %s', (_, pattern) => {
    expect(modules.filter(m => pattern.test(m.source)).map(m => m.name)).toEqual([])
  })

  it('only the client parses a body, and only the client is asked for one', () => {
    expect(modules.filter(m => /JSON\.parse\(/.test(m.source)).map(m => m.name)).toEqual([
      'client.ts'
    ])
    const outside = readdirSync(join(process.cwd(), 'src'), { recursive: true, encoding: 'utf8' })
      .filter(
        path => path.endsWith('.ts') && !path.startsWith('asc/') && !path.startsWith('bundle/')
      )
      .filter(path =>
        /\.(getJson|patchJson)\(/.test(readFileSync(join(process.cwd(), 'src', path), 'utf8'))
      )
    expect(outside).toEqual([])
  })
})
