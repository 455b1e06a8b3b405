import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { changelogSection } from '../scripts/changelog-section.mjs'

// The release workflow publishes the tag's CHANGELOG.md section as the release notes.
const ROOT = process.cwd()
const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
}

const sample = [
  '# Changelog',
  '',
  '## [Unreleased]',
  '',
  '## [1.1.0] - 2026-12-01',
  '',
  '### Fixed',
  '',
  '- A fix.',
  '',
  '## [1.0.0] - 2026-11-26',
  '',
  '### Added',
  '',
  '- First release.',
  '',
  '[Unreleased]: https://example.com/compare/v1.1.0...HEAD',
  '[1.1.0]: https://example.com/compare/v1.0.0...v1.1.0',
  ''
].join('\n')

describe('the release notes from CHANGELOG.md', () => {
  it("has a section for package.json's version, in Keep a Changelog form", () => {
    expect(version).toBe('1.0.0')
    const notes = changelogSection(changelog, `v${version}`)
    expect(notes).toMatch(/^The first release\.\n\n### Added\n/)
    expect(notes).not.toMatch(/^## /m)
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    expect(changelog).toContain(`[${version}]: https://github.com/`)
  })

  it('takes one section, without the next heading or the link definitions', () => {
    expect(changelogSection(sample, 'v1.1.0')).toBe('### Fixed\n\n- A fix.')
    expect(changelogSection(sample, '1.0.0')).toBe('### Added\n\n- First release.')
  })

  it('refuses a missing or empty section, and a tag that is not a version', () => {
    expect(() => changelogSection(sample, 'v2.0.0')).toThrow(
      'CHANGELOG.md has no section for 2.0.0.'
    )
    expect(() => changelogSection(sample, 'v1.0')).toThrow("'v1.0' is not a release version")
    expect(() => changelogSection('## [1.2.3]\n\n## [1.2.2]\n- x\n', 'v1.2.3')).toThrow(
      'The CHANGELOG.md section for 1.2.3 is empty.'
    )
  })

  it('prints the section, or fails the release step, from the command line', () => {
    const script = join(ROOT, 'scripts', 'changelog-section.mjs')
    const ok = spawnSync(process.execPath, [script, `v${version}`], { cwd: ROOT, encoding: 'utf8' })
    expect(ok.status).toBe(0)
    expect(ok.stdout).toBe(`${changelogSection(changelog, version)}\n`)
    const missing = spawnSync(process.execPath, [script, 'v9.9.9'], { cwd: ROOT, encoding: 'utf8' })
    expect(missing.status).toBe(1)
    expect(missing.stderr.trim()).toBe('CHANGELOG.md has no section for 9.9.9.')
  })
})
