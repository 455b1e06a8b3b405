import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

// `npm run demo` tells the whole story through dist/index.js; it checks itself and exits 1
// when the story no longer holds, and this test holds it to what the README promises.
describe('npm run demo', () => {
  it('shows a breach, a regression, the comment created then updated, a hang-rate regression with its chart, the budget and the verdict', () => {
    const demo = spawnSync(process.execPath, [join(process.cwd(), 'scripts', 'demo.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
    })
    expect(demo.stderr).toBe('')
    expect(demo.status).toBe(0)
    const out = demo.stdout
    // On the blamed lines of the pull request's checkout.
    expect(out).toMatch(
      /^Error \(ExampleApp\/Database\/DatabaseConnection\.m:88\): Disk writes signature '.*' is blamed on this line \(rank 1\)\. Above the 50% limit\.$/m
    )
    expect(out).toMatch(
      /^Error \(ExampleApp\/Feed\/FeedViewController\.m:88\): Hangs signature '.*' is blamed on this line \(rank 1\)\. Above the 40% limit\. Regressed: up from 29\.0%\.$/m
    )
    expect(out).toMatch(
      /^Error: Hangs signature '.*' regressed: 20\.0%, new since the baseline\.$/m
    )
    // What the runner, code scanning and a CI's test report read.
    expect(out).toMatch(
      /^ {2}::error title=Disk writes%3A 85\.0%25 of disk writes,file=ExampleApp\/Database\/DatabaseConnection\.m,line=88::/m
    )
    expect(out).toContain('"uri": "ExampleApp/Database/DatabaseConnection.m"')
    expect(out).toMatch(/"ascDiagnosticSignature\/v1": "[0-9a-f]{64}"/)
    expect(out).toContain('blamed line: ExampleApp/Feed/FeedViewController.m:88</failure>')
    expect(out).toMatch(/^ {2}│ ### ❌ App Store diagnostics gate: 2 breaches, 4 regressions$/m)
    expect(out).toContain('Pull-request comment created: ')
    expect(out).toContain('Pull-request comment updated: ')
    expect(out).toMatch(/^ {2}│ ### ✅ App Store diagnostics gate: passed$/m)
    expect(out).toContain('result=failed passed=false breach-count=2 regression-count=4 → exit 1')
    expect(out).toContain('result=passed passed=true breach-count=0 regression-count=0 → exit 0')
    // Run 3: the shipped 2.4.0 (413) passes the shares but fails on its absolute hang rate.
    expect(out).toMatch(
      /^Error: 1 metric regressed: Hang rate \(p50, all_iphones\) 4\.1 s\/hr on 2\.4\.0 \+64\.0% over 2\.5 s\/hr \(2\.3\.0\)\.$/m
    )
    expect(out).toContain(
      '  │ | Hang rate `hangRate` | 4.1 s/hr ± 0.1 | 2.5 s/hr ± 0.1 (baseline 2.3.0) | +64.0% | poor | ❌ regressed |'
    )
    expect(out).toContain(
      [
        '  │ ```mermaid',
        '  │ xychart-beta',
        '  │   title "Hang rate, p50, by version"',
        '  │   x-axis ["2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0"]',
        '  │   line [1.9, 2.1, 2.3, 2.5, 4.1]',
        '  │ ```'
      ].join('\n')
    )
    expect(out).toContain(
      'result=failed passed=false breach-count=0 regression-count=0 metric-regression-count=1 → exit 1'
    )
    const budgets = [
      ...out.matchAll(/(\d+) requests left before the run, (\d+) used, (\d+) left after/g)
    ]
    expect(budgets).toHaveLength(3)
    for (const [, before, used, after] of budgets) {
      expect(Number(before) - Number(used)).toBe(Number(after))
    }
    expect(budgets[1][1]).toBe(budgets[0][3]) // run 2 starts where run 1 left off
    expect(budgets[2][1]).toBe(budgets[1][3])
    expect(out).toContain('1 comment, created by run 1 and updated by run 2 (same ID)')
    expect(out.trim().split('\n').at(-1)).toMatch(/^Demo finished in \d+\.\d s\.$/)
  })
})
