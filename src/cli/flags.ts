import { CommanderError, type Command } from 'commander'
import { InputError } from '../errors.js'
import { readKeyFile } from '../config/key-file.js'
import type { InputReader } from '../config/parse.js'
import { ACTION_INPUTS } from './action-inputs.js'
import { EXIT } from './exit-codes.js'

// Every action input is a flag of the same name, read from action.yml at build time (see
// scripts/cli-inputs.mjs), with these exceptions:
// - the inputs that only mean something on GitHub (the pull-request comment, the history
//   branch) have no flag;
// - `version` is `--app-version`, since `--version` prints the tool's version;
// - the key is never a flag: flags end up in shell history and process lists.

/** Inputs for what only GitHub shows (the comment, annotations): the tool never writes them. */
export const GITHUB_ONLY_INPUTS: readonly string[] = [
  'comment',
  'comment-header',
  'pr-number',
  'github-token',
  // Annotations on the blamed lines: the tool writes no annotations (SARIF and JUnit still
  // point at the lines, as in the action).
  'annotate-source',
  // The guard's history lives on a branch of the workflow's repository, written with its token.
  'history',
  'history-branch',
  'history-keep-versions'
]
const RENAMED: Readonly<Record<string, string>> = { version: 'app-version' }
const KEY = 'private-key'
/** Where the tool differs from the action: it writes no report file unless asked to. */
const DESCRIBED: Readonly<Record<string, string>> = {
  'report-path':
    'Where to write the full JSON report, the decision record replay reads (the same file as the action writes); none when empty.'
}

/**
 * The environment variable of each flag: ASC_GATE_ and the flag's name in upper case with
 * underscores (--build-id: ASC_GATE_BUILD_ID), except the API key's parts, which keep the names
 * App Store Connect tooling uses.
 */
export const KEY_ENV = {
  issuerId: 'ASC_ISSUER_ID',
  keyId: 'ASC_KEY_ID',
  privateKey: 'ASC_PRIVATE_KEY',
  privateKeyPath: 'ASC_PRIVATE_KEY_PATH'
} as const
const ENV_OF_INPUT: Readonly<Record<string, string>> = {
  'issuer-id': KEY_ENV.issuerId,
  'key-id': KEY_ENV.keyId
}

export function envName(flag: string): string {
  return `ASC_GATE_${flag.toUpperCase().replace(/-/g, '_')}`
}

export interface Flag {
  /** The action input it sets. */
  input: string
  /** Its name on the command line, without the dashes. */
  flag: string
  env: string
  description: string
  /** action.yml's default; empty when none. */
  default: string
}

const flagged = ACTION_INPUTS.filter(
  input => input.name !== KEY && !GITHUB_ONLY_INPUTS.includes(input.name)
)
const flagName = (input: string): string => RENAMED[input] ?? input

/** action.yml's words, with the other inputs it mentions (those with a dash) as flags. */
function describe(input: string, description: string): string {
  const names = flagged.map(i => i.name).filter(name => name.includes('-'))
  const mentioned = new RegExp(`(?<![\\w-])(${names.join('|')})(?![\\w-])`, 'g')
  return (DESCRIBED[input] ?? description)
    .replace(mentioned, name => `--${flagName(name)}`)
    .replace(/\bwith version live\b/g, 'with --app-version live')
}

export const FLAGS: readonly Flag[] = flagged.map(input => ({
  input: input.name,
  flag: flagName(input.name),
  env: ENV_OF_INPUT[input.name] ?? envName(flagName(input.name)),
  description: describe(input.name, input.description),
  default: input.default
}))

/**
 * Parses `args` with `command`; the exit status when parsing ends the run (help or the version
 * printed: 0; a bad flag: 2, with commander's message), undefined when the run goes on.
 */
export function parseArguments(command: Command, args: readonly string[]): number | undefined {
  try {
    command.parse([...args], { from: 'user' })
    return undefined
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help']
    return done.includes(error.code) ? EXIT.passed : EXIT.badInput
  }
}

/**
 * The value of each flag commander parsed, by the input it sets, when `keep` accepts it with
 * where it came from ('cli', 'env', 'default').
 */
export function flagValues(
  command: Command,
  keep: (source: string | undefined, flag: Flag, value: unknown) => boolean
): Map<string, string> {
  const values = new Map<string, string>()
  for (const flag of FLAGS) {
    const option = command.options.find(o => o.long === `--${flag.flag}`)
    if (!option) continue
    const name = option.attributeName()
    const value: unknown = command.getOptionValue(name)
    if (keep(command.getOptionValueSource(name), flag, value)) values.set(flag.input, String(value))
  }
  return values
}

/**
 * The inputs as the action's parser reads them: a flag's value (commander already took the
 * environment variable or action.yml's default when the flag was not given), the key from the
 * environment, and the comment and annotations turned off.
 */
export function inputReader(
  values: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv
): InputReader {
  return name => {
    if (name === KEY) return privateKey(env)
    if (name === 'comment' || name === 'annotate-source') return 'false'
    return values.get(name) ?? ''
  }
}

/** ASC_PRIVATE_KEY, or the contents of the file ASC_PRIVATE_KEY_PATH names. */
function privateKey(env: NodeJS.ProcessEnv): string {
  const inline = env[KEY_ENV.privateKey] ?? ''
  const path = (env[KEY_ENV.privateKeyPath] ?? '').trim()
  if (inline.trim() && path) {
    throw new InputError(
      `Both ${KEY_ENV.privateKey} and ${KEY_ENV.privateKeyPath} are set; set only one.`
    )
  }
  // Only a small regular file is read: not a FIFO, a device or a directory (see readKeyFile).
  return path ? readKeyFile(path, KEY_ENV.privateKeyPath) : inline
}

/**
 * The parser's message with the command line's names: `Input 'version'` becomes
 * `Option --app-version`, and the key is named by its environment variables.
 */
export function forCommandLine(message: string, env: NodeJS.ProcessEnv): string {
  const keyName = (env[KEY_ENV.privateKeyPath] ?? '').trim()
    ? KEY_ENV.privateKeyPath
    : KEY_ENV.privateKey
  const names = new Map(FLAGS.map(f => [f.input, f]))
  return (
    message
      .replace(
        `Input '${KEY}' is required: paste the contents of the AuthKey_<KEYID>.p8 file (for example from a secret).`,
        `The API key is required: set ${KEY_ENV.privateKey} to the contents of the AuthKey_<KEYID>.p8 file, or ${KEY_ENV.privateKeyPath} to its path.`
      )
      .replace(new RegExp(`Input '${KEY}'`, 'g'), `The key in ${keyName}`)
      .replace(new RegExp(`'${KEY}'`, 'g'), keyName)
      // A quoted value ("is 'limit'") stays as it is, even when it spells an input's name.
      .replace(
        /(Inputs? )?(?<!\b(?:is|has) )'([a-z-]+)'/g,
        (whole, prefix: string | undefined, name: string) => {
          const flag = names.get(name)
          if (!flag) return whole
          const env = ENV_OF_INPUT[name] ? ` (or ${ENV_OF_INPUT[name]})` : ''
          const option = `--${flag.flag}${env}`
          if (!prefix) return option
          return prefix === 'Input ' ? `Option ${option}` : `Options ${option}`
        }
      )
  )
}
