// @ts-check
// Runs dist/cli.js the way a release engineer or a CI script does: as a process, with arguments
// and environment variables only (no INPUT_* variables, no GITHUB_* files). `tty` runs it under
// a pseudo-terminal (util-linux `script`), so stdout and stderr are a terminal, merged in `stdout`.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { checkRecord, recordAt } from './records.mjs'
import { ROOT, spawnNode } from './run-action.mjs'
import { temporaryDirectory } from './temp.mjs'

export const CLI = join(ROOT, 'dist', 'cli.js')

/** @param {string} text */
const quote = text => `'${text.replace(/'/g, `'\\''`)}'`

/** Whether util-linux `script` is there to make a pseudo-terminal. */
export function hasScript() {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0
}

/**
 * @param {string[]} args
 * @param {{ env?: Record<string, string>, tty?: boolean, cwd?: string, node?: string[] }} [options]
 *   node: arguments to node before the script (`--import` a guard).
 * @returns {Promise<{ code: number, stdout: string, stderr: string, cwd: string }>}
 */
export async function runCli(args, options = {}) {
  const cwd = options.cwd ?? temporaryDirectory('asc-gate-cli-')
  /** @type {Record<string, string>} */
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env }
  if (!options.tty) {
    const { code, stdout, stderr } = await spawnNode(
      process.execPath,
      [...(options.node ?? []), CLI, ...args],
      {
        env,
        cwd
      }
    )
    checkRecords(args, stdout, cwd)
    return { code, stdout, stderr, cwd }
  }
  const command = [process.execPath, CLI, ...args].map(quote).join(' ')
  // -e: script exits with the command's status; the pseudo-terminal is 200 columns wide.
  const shell = `stty cols 200 rows 50 2>/dev/null; exec ${command}`
  const { code, stdout, stderr } = await spawnNode(
    'script',
    ['-qec', `sh -c ${quote(shell)}`, '/dev/null'],
    { env: { ...env, TERM: 'xterm-256color' }, cwd }
  )
  return { code, stdout: stdout.replace(/\r\n/g, '\n'), stderr, cwd }
}

/**
 * Every decision record the run produced matches the schema: the --report-path file, and
 * stdout under --format json. @param {string[]} args @param {string} stdout @param {string} cwd
 */
function checkRecords(args, stdout, cwd) {
  const value = (/** @type {string} */ flag) => {
    const at = args.indexOf(flag)
    const inline = args.find(arg => arg.startsWith(`${flag}=`))
    return at >= 0 ? args[at + 1] : inline?.slice(flag.length + 1)
  }
  const path = value('--report-path')
  if (path) recordAt(path, cwd)
  if (value('--format') === 'json' && stdout.trim()) {
    let record
    try {
      record = JSON.parse(stdout)
    } catch {
      return
    }
    if (record?.tool === 'asc-diagnostics-gate') checkRecord(record, 'on stdout')
  }
}
