// Writes src/cli/action-inputs.ts from action.yml's inputs (and package.json's version): the command-line tool's flags, their
// defaults and their help come from the same file as the action's inputs, so an input added to
// action.yml is a flag after the next `npm run build`, without touching the tool's code.
// `node scripts/cli-inputs.mjs --check` fails instead of writing when the file is out of date.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const TARGET = join(ROOT, 'src', 'cli', 'action-inputs.ts')

/**
 * The module's text for an action.yml's text and the package's version.
 * @param {string} yamlText @param {string} version
 */
export function actionInputsModule(yamlText, version) {
  /** @type {{ inputs: Record<string, { description?: string, required?: boolean, default?: unknown }> }} */
  const action = parse(yamlText)
  const inputs = Object.entries(action.inputs).map(([name, input]) => ({
    name,
    description: String(input.description ?? '').trim(),
    required: input.required === true,
    default: input.default === undefined ? '' : String(input.default)
  }))
  return [
    '// Generated from action.yml by scripts/cli-inputs.mjs (run by `npm run build`): do not edit.',
    '',
    '/** One input of the action, as action.yml declares it. */',
    'export interface ActionInput {',
    '  readonly name: string',
    '  readonly description: string',
    '  readonly required: boolean',
    '  /** The default the runner applies when the input is not given. */',
    '  readonly default: string',
    '}',
    '',
    "/** The version `--version` prints: package.json's. */",
    `export const TOOL_VERSION = ${JSON.stringify(version)}`,
    '',
    `export const ACTION_INPUTS: readonly ActionInput[] = ${JSON.stringify(inputs, null, 2)}`,
    ''
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const text = actionInputsModule(readFileSync(join(ROOT, 'action.yml'), 'utf8'), version)
  if (process.argv.includes('--check')) {
    if (readFileSync(TARGET, 'utf8') !== text) {
      console.error('src/cli/action-inputs.ts is out of date with action.yml: run npm run build.')
      process.exit(1)
    }
  } else {
    writeFileSync(TARGET, text)
  }
}
