// @ts-check
// Runs dist/index.js the way the runner does: action.yml defaults and INPUT_* variables,
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and an optional event payload.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { recordAt } from './records.mjs'
import { temporaryDirectory } from './temp.mjs'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ACTION = join(ROOT, 'dist', 'index.js')

/** The input defaults from action.yml, as the runner applies them. @returns {Record<string, string>} */
function actionDefaults() {
  /** @type {{ inputs: Record<string, { default?: unknown }> }} */
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'))
  return Object.fromEntries(
    Object.entries(action.inputs)
      .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
      .map(([name, input]) => [name, String(input.default)])
  )
}

/**
 * @typedef {{
 *   code: number, stdout: string, stderr: string, outputs: Record<string, string>, summary: string,
 *   everything: string, masked: string[], errors: string[], warnings: string[], runnerTemp: string,
 *   elapsedMs: number, spawnedAt: number, record?: string
 * }} ActionRun
 *   everything: all the run printed or wrote except `::add-mask::` lines, for secret-leak checks.
 *   masked: values registered with `::add-mask::`.
 *   spawnedAt: performance.now() just before the process was spawned (the benchmark's origin).
 *   record: the decision record's text (at 'report-path', or its default), checked against
 *   the schema; undefined when the run wrote none.
 * @typedef {{
 *   inputs: Record<string, string>, env?: Record<string, string>,
 *   event?: { name: string, payload: unknown }, node?: string[], nodePath?: string
 * }} RunOptions
 *   node: extra arguments to node (the benchmark passes none).
 *   nodePath: the node binary; this process's by default (the benchmark also runs Node 24).
 */

/** @param {RunOptions} options @returns {Promise<ActionRun>} */
export async function runAction(options) {
  const dir = temporaryDirectory('asc-gate-run-')
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary.md')
  const runnerTemp = join(dir, 'runner-temp')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  mkdirSync(runnerTemp)
  // The runner starts the step in GITHUB_WORKSPACE: empty, as in a job without actions/checkout.
  const workspace = join(dir, 'workspace')
  mkdirSync(workspace)
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTIONS: 'true'
  }
  if (options.event) {
    const eventFile = join(dir, 'event.json')
    writeFileSync(eventFile, JSON.stringify(options.event.payload))
    env.GITHUB_EVENT_NAME = options.event.name
    env.GITHUB_EVENT_PATH = eventFile
  }
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...options.inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  Object.assign(env, options.env ?? {})
  const { code, stdout, stderr, spawnedAt, elapsedMs } = await spawnNode(
    options.nodePath ?? process.execPath,
    [...(options.node ?? []), ACTION],
    { env, cwd: env.GITHUB_WORKSPACE }
  )
  const outputText = readFileSync(outputFile, 'utf8')
  const summary = readFileSync(summaryFile, 'utf8')
  const lines = stdout.split('\n')
  const record = recordAt(
    env['INPUT_REPORT-PATH'] || join(runnerTemp, 'asc-diagnostics-gate-report.json'),
    workspace
  )
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(outputText),
    summary,
    everything: [
      lines.filter(line => !line.startsWith('::add-mask::')).join('\n'),
      stderr,
      outputText,
      summary,
      record ?? ''
    ].join('\n'),
    masked: lines
      .filter(line => line.startsWith('::add-mask::'))
      .map(line => decodeCommand(line.slice(12))),
    errors: commands(lines, 'error'),
    warnings: commands(lines, 'warning'),
    runnerTemp,
    elapsedMs,
    spawnedAt,
    ...(record === undefined ? {} : { record })
  }
}

/**
 * Runs node with output piped and waits for it to close; the benchmark times a bare
 * `node -e 0` through this very path, so both sides of a ratio pay the same spawn costs.
 * @param {string} nodePath @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} [spawnOptions]
 * @returns {Promise<{ code: number, stdout: string, stderr: string, spawnedAt: number, elapsedMs: number }>}
 */
export function spawnNode(nodePath, args, spawnOptions = {}) {
  return new Promise((resolvePromise, reject) => {
    const spawnedAt = performance.now()
    const child = spawn(nodePath, args, { ...spawnOptions, stdio: 'pipe' })
    let out = ''
    let err = ''
    child.stdout?.on('data', chunk => (out += chunk))
    child.stderr?.on('data', chunk => (err += chunk))
    child.on('error', reject)
    child.on('close', status =>
      resolvePromise({
        code: status ?? -1,
        stdout: out,
        stderr: err,
        spawnedAt,
        elapsedMs: performance.now() - spawnedAt
      })
    )
  })
}

/** The `name<<DELIMITER` blocks @actions/core writes to GITHUB_OUTPUT. @param {string} text */
function parseOutputs(text) {
  /** @type {Record<string, string>} */
  const outputs = {}
  for (const match of text.matchAll(/^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[match[1]] = match[3]
  }
  return outputs
}

/** Undoes @actions/core's escaping of command data. @param {string} data */
function decodeCommand(data) {
  return data
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** @param {string[]} lines @param {string} level */
function commands(lines, level) {
  return lines
    .filter(line => line.startsWith(`::${level}`))
    .map(line => decodeCommand(line.slice(line.indexOf('::', 2) + 2)))
}
