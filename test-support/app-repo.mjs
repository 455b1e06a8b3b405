// @ts-check
// A small iOS app's repository, laid out in a temporary folder and committed with git, to be the
// workspace (GITHUB_WORKSPACE) of a run: the files the sample logs blame, plus the traps a real
// repository holds (a same-named file under Pods/, two files sharing a name).
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { temporaryDirectory } from './temp.mjs'

/** Source files of ExampleApp, by path: each long enough for the logs' line 88. */
export const APP_FILES = [
  // DISK_WRITES rank 1, Apple's example: -[DatabaseConnection executeSQL:…]
  'ExampleApp/Database/DatabaseConnection.m',
  // The same name in a CocoaPods dependency: never the app's own file.
  'Pods/SQLiteKit/Sources/DatabaseConnection.m',
  // HANGS rank 1: -[FeedViewController reloadVisibleCells]
  'ExampleApp/Feed/FeedViewController.m',
  // DISK_WRITES rank 2, -[ImageCache persist:]: two files share the name.
  'ExampleApp/Cache/ImageCache.m',
  'ExampleKit/Cache/ImageCache.m',
  // LAUNCHES rank 1: static Analytics.bootstrap()
  'ExampleApp/Launch/Analytics.swift',
  'ExampleApp/AppDelegate.swift',
  'README.md'
]

/**
 * Writes `files` under a new temporary folder and, with `git`, commits them.
 * @param {{ files?: string[], git?: boolean }} [options]
 * @returns {string} the folder
 */
export function appRepository({ files = APP_FILES, git = true } = {}) {
  const root = temporaryDirectory('asc-gate-app-')
  addFiles(root, files)
  if (git) {
    const run = (/** @type {string[]} */ ...args) =>
      execFileSync('git', ['-C', root, ...args], {
        stdio: 'ignore',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.com',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.com'
        }
      })
    run('init', '-q')
    run('add', '.')
    run('commit', '-q', '-m', 'ExampleApp')
  }
  return root
}

/**
 * Writes source-like files (150 numbered lines) under `root`.
 * @param {string} root @param {string[]} files
 */
export function addFiles(root, files) {
  for (const path of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    const lines = Array.from({ length: 150 }, (_, i) => `// ${path}:${i + 1}`)
    writeFileSync(join(root, path), `${lines.join('\n')}\n`)
  }
}

/**
 * The annotations in a run's stdout as the runner reads them: `::warning file=…,line=…::text`.
 * @param {string} stdout
 * @returns {{ level: string, properties: Record<string, string>, message: string }[]}
 */
export function annotationsIn(stdout) {
  const decode = (/** @type {string} */ text) =>
    text
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%')
  return stdout.split('\n').flatMap(line => {
    const match = /^::(error|warning|notice)(?: (.*?))?::(.*)$/.exec(line)
    if (!match) return []
    const properties = Object.fromEntries(
      (match[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map(pair => {
          const at = pair.indexOf('=')
          return [pair.slice(0, at), decode(pair.slice(at + 1))]
        })
    )
    return [{ level: match[1], properties, message: decode(match[3]) }]
  })
}
