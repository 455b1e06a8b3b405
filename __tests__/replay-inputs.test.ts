import { describe, expect, it } from '@jest/globals'
import { ACTION_INPUTS } from '../src/cli/action-inputs.js'
import { INPUT_USES } from '../src/replay/inputs.js'

describe("replay's table of inputs", () => {
  it('names every input of action.yml, and nothing else: a new input is a decision there', () => {
    expect(Object.keys(INPUT_USES).sort()).toEqual(ACTION_INPUTS.map(i => i.name).sort())
  })

  it('never lets a replay take the key or the token', () => {
    expect(INPUT_USES['private-key']).toBe('secret')
    expect(INPUT_USES['github-token']).toBe('secret')
  })
})
