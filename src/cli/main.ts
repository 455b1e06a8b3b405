import { Command, Option } from 'commander'
import { parseConfig } from '../config/parse.js'
import { KNOWN_METRICS } from '../metrics/model.js'
import { InputError } from '../errors.js'
import { runGate } from '../run-gate.js'
import { scrub } from '../secrets.js'
import { oneLine } from '../text.js'
import { TOOL_VERSION } from './action-inputs.js'
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js'
import {
  envName,
  FLAGS,
  flagValues,
  forCommandLine,
  GITHUB_ONLY_INPUTS,
  inputReader,
  KEY_ENV,
  parseArguments
} from './flags.js'
import { commandLineSinks, FORMATS, type Format, type Streams } from './output.js'
import { replayMain } from './replay.js'
import { paletteFor } from './terminal.js'

export interface Terminal extends Streams {
  stdout: Streams['stdout'] & { isTTY?: boolean }
  stderr: Streams['stderr'] & { isTTY?: boolean }
}

const NAME = 'asc-diagnostics-gate'

const ENVIRONMENT_HELP = [
  'Environment:',
  ...[
    [
      `${KEY_ENV.issuerId}, ${KEY_ENV.keyId}`,
      "the API key's issuer and key ID (or --issuer-id, --key-id)"
    ],
    [KEY_ENV.privateKey, "the AuthKey_<KEYID>.p8 file's contents, or"],
    [KEY_ENV.privateKeyPath, 'its path; the key is never a flag, since flags end'],
    ['', 'up in shell history and process lists'],
    ['ASC_GATE_<FLAG>', `any other flag: --build-id is ${envName('build-id')},`],
    ['', `--app-version is ${envName('app-version')}; a flag wins`],
    ['NO_COLOR', 'no colour, even in a terminal']
  ].map(([name, text]) => `  ${name.padEnd(27)}${text}`)
].join('\n')

const EXAMPLES_HELP = [
  'Examples:',
  '  # The phased-release guard, every few hours: pause the live rollout when a rate regressed',
  `  ${NAME} --bundle-id com.example.app --app-version live --baseline-version previous \\`,
  '    --metrics hangRate,launchTime --phased-release pause-on-failure',
  '  # A build on the App Store, by its resource ID: fail when one signature dominates',
  `  ${NAME} --build-id 1a254ec1-8e3d-48e7-bbd6-6b9a30072b29 --threshold 40%`,
  '  # The JSON report of the live version, for a script',
  `  ${NAME} --bundle-id com.example.app --app-version live --format json > report.json`
].join('\n')

const COMMANDS_HELP = [
  'Commands:',
  "  replay <record.json>       derive a run's verdict again from its JSON report, offline and",
  '                             without a key, under its policy or another (replay --help)'
].join('\n')

const METRICS_HELP = [
  'Metric identifiers (--metrics; a higher value is worse for each):',
  ...KNOWN_METRICS.map(m => `  ${m.identifier.padEnd(20)}${m.label}, in ${m.unit}`)
].join('\n')

/** The command line's parser: one flag per action input, with action.yml's defaults. */
function program(io: Terminal): Command {
  const command = new Command(NAME)
    .description(
      "Gate a build on App Store Connect's field diagnostics (hangs, disk writes, launches): the GitHub Action's gate, outside GitHub."
    )
    .usage('--build-id <id> [options]  (the API key from the environment)')
    .version(TOOL_VERSION, '--version', "print the tool's version")
    .helpOption('-h, --help', 'print this help')
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({
      writeOut: text => void io.stdout.write(text),
      writeErr: text => void io.stderr.write(text)
    })
    .showHelpAfterError(`(${NAME} --help lists every flag)`)
    .addHelpText(
      'after',
      `\n${COMMANDS_HELP}\n\n${EXAMPLES_HELP}\n\n${METRICS_HELP}\n\n${EXIT_CODES_HELP}\n\n${ENVIRONMENT_HELP}\n`
    )
  for (const flag of FLAGS) {
    const option = new Option(`--${flag.flag} <value>`, flag.description).env(flag.env)
    if (flag.default) option.default(flag.default)
    command.addOption(option)
  }
  command
    .addOption(
      new Option(
        '--format <format>',
        'what stdout gets: the terminal report, the Markdown report or the JSON report'
      )
        .choices(FORMATS)
        .default('text')
        .env(envName('format'))
    )
    .addOption(
      new Option('-q, --quiet', 'no progress and no warnings on stderr (errors still print)').env(
        envName('quiet')
      )
    )
  return command
}

/** Runs the tool; resolves to its exit status. Environment variables come from process.env. */
export async function main(args: readonly string[], io: Terminal): Promise<number> {
  if (args[0] === 'replay') return replayMain(args.slice(1), io)
  // Before the parser, which would echo the value: the key in a flag is already in the
  // shell's history, so say where it belongs instead.
  if (args.some(arg => /^--private-key(=|$)/.test(arg))) {
    io.stderr.write(
      `${NAME}: error: the key is not taken as a flag, since flags end up in shell history and process lists; set ${KEY_ENV.privateKey} to the .p8 file's contents or ${KEY_ENV.privateKeyPath} to its path.\n`
    )
    return EXIT.badInput
  }
  const refused = refusedArguments(args)
  if (refused) {
    io.stderr.write(`${NAME}: error: ${refused}\n`)
    return EXIT.badInput
  }
  const command = program(io)
  const ended = parseArguments(command, args)
  if (ended !== undefined) return ended

  const env = process.env
  const values = inputValues(command)
  const quiet = Boolean(command.getOptionValue('quiet'))
  const wording = (message: string): string => forCommandLine(message, env)
  const progress = !quiet && io.stderr.isTTY === true
  let status: number = EXIT.bug
  await runGate({
    readInputs: () => {
      try {
        return { config: parseConfig(inputReader(values, env)) }
      } catch (error) {
        throw error instanceof InputError ? new InputError(wording(error.message)) : error
      }
    },
    log: line => {
      if (progress) io.stderr.write(`${oneLine(scrub(line), 2000)}\n`)
    },
    phase: (_title, work) => work(),
    sinks: commandLineSinks(io, {
      format: command.getOptionValue('format') as Format,
      palette: paletteFor(io.stdout.isTTY, env),
      quiet,
      reportPath: values.get('report-path') || undefined,
      wording,
      exit: code => void (status = code)
    })
  })
  return status
}

/**
 * What the parser would take but a user surely did not mean: `--version` beside a gate's flags
 * (the action's `version` input is `--app-version` here), and the action's GitHub-only inputs.
 */
function refusedArguments(args: readonly string[]): string | undefined {
  // A flag's value is not a flag: `--comment-header --version` names a header.
  const takesValue = new Set(FLAGS.map(f => `--${f.flag}`).concat('--format'))
  const flags = args.filter((arg, i) => arg.startsWith('--') && !takesValue.has(args[i - 1] ?? ''))
  const names = flags.map(arg => arg.slice(2).split('=')[0])
  const beside = args.filter(arg => !['--version', '--help', '-h'].includes(arg))
  if (names.includes('version') && beside.length > 0) {
    return "'--version' prints the tool's version; for the App Store version use '--app-version' ('--app-version live' for the version live now)."
  }
  const githubOnly = names.find(name => GITHUB_ONLY_INPUTS.includes(name))
  if (githubOnly?.startsWith('history')) {
    return `'--${githubOnly}' is GitHub-only: the guard's history is kept on a branch of the workflow's repository, written with its token; 'replay' decides again with the history a record holds.`
  }
  if (githubOnly) {
    return `'--${githubOnly}' is GitHub-only: the command-line tool writes no pull-request comment and no annotations (its report goes to stdout, --report-path, --junit-path and --sarif-path).`
  }
  return undefined
}

/**
 * Each input's value: from its flag, else its environment variable, else action.yml's default
 * (commander's order). An input without a default that was not given is absent.
 */
function inputValues(command: Command): Map<string, string> {
  // A --no-… flag defaults to true in commander when action.yml gives no default.
  return flagValues(
    command,
    (source, flag, value) => typeof value === 'string' && !(source === 'default' && !flag.default)
  )
}
