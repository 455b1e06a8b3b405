import { afterEach, describe, expect, it } from '@jest/globals'
import { addSecret, clearSecrets, scrub } from '../src/secrets.js'

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJhcHBzdG9yZWNvbm5lY3QtdjEifQ.c2lnbmF0dXJlLXBhcnQ'
const KEY_BODY = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7Y9bKG+osLOxabcdef'

afterEach(() => clearSecrets())

describe('the scrubber', () => {
  it('replaces a registered token, also inside an Authorization value', () => {
    addSecret(TOKEN)
    expect(scrub(`You sent Bearer ${TOKEN}.`)).toBe('You sent Bearer ***.')
  })

  it('replaces a slice of a secret of 16 or more characters, but not short words', () => {
    addSecret(KEY_BODY)
    expect(scrub(`key part ${KEY_BODY.slice(30, 50)} is wrong`)).toBe('key part *** is wrong')
    expect(scrub('MIGH is a prefix')).toBe('MIGH is a prefix')
  })

  it('leaves text alone when it holds no secret', () => {
    addSecret(TOKEN)
    const text = 'ExampleApp: -[FeedViewController reloadVisibleCells] + 412'
    expect(scrub(text)).toBe(text)
  })

  it('ignores empty and very short values, which would scrub ordinary text', () => {
    addSecret('')
    addSecret('abc')
    expect(scrub('abc def')).toBe('abc def')
  })
})
