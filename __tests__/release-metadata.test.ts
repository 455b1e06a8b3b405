import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { changelogSection } from '../scripts/changelog-section.mjs'

// One version everywhere, and the metadata the Marketplace and npm show.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown> & {
  version: string
}
const action = parse(readFileSync('action.yml', 'utf8')) as {
  description: string
  branding?: { icon?: string; color?: string }
}
const changelog = readFileSync('CHANGELOG.md', 'utf8')

describe('the release', () => {
  it("package.json's version is the CHANGELOG's newest dated section and what dist/cli.js prints", () => {
    const newest = /^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/m.exec(changelog)?.[1]
    expect(newest).toBe(pkg.version)
    expect(changelogSection(changelog, pkg.version)).toMatch(/^The first release\.|^### /)
    const printed = execFileSync(process.execPath, ['dist/cli.js', '--version'], {
      encoding: 'utf8'
    })
    expect(printed).toBe(`${pkg.version}\n`)
  })

  it('the package declares no runtime dependency: dist/ is bundled', () => {
    expect(pkg.dependencies).toBeUndefined()
    expect(pkg.bin).toEqual({ 'asc-diagnostics-gate': 'dist/cli.js' })
  })

  it('names its repository, its issues and its homepage', () => {
    expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/github\.com/) })
    expect(pkg.bugs).toMatchObject({ url: expect.stringMatching(/\/issues$/) })
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\//)
  })

  it("the Marketplace blurb names the guard and the metrics, within GitHub's 125 characters", () => {
    expect(action.description.length).toBeLessThanOrEqual(125)
    expect(action.description).toMatch(/phased release/)
    expect(action.description).toMatch(/metrics/)
    expect(action.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
  })
})
