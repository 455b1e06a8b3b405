import { Command, Option } from 'commander'
import { readBoundedFile } from '../config/bounded-file.js'
import { RECORD_MAX_BYTES } from '../constants.js'
import { InputError, messageOf } from '../errors.js'
import { jsonReportOf } from '../publish/json-report.js'
import { readRecord, type RecordedRun } from '../record/read.js'
import { comparisonSection } from '../report/replay.js'
import { INPUT_USES } from '../replay/inputs.js'
import { replay, type Replayed } from '../replay/replay.js'
import { oneLine, safeJson } from '../text.js'
import { TOOL_VERSION } from './action-inputs.js'
import { EXIT } from './exit-codes.js'
import { FLAGS, flagValues, forCommandLine, parseArguments } from './flags.js'
import type { Outcome } from '../outcome.js'
import type { Terminal } from './main.js'
import { commandLineSinks, FORMATS, type Format } from './output.js'
import { paletteFor } from './terminal.js'

// `asc-diagnostics-gate replay <record.json>`: the verdict of a run derived again from its
// decision record alone (no network, no key), under the run's policy or another one.

const NAME = 'asc-diagnostics-gate replay'

const HELP_AFTER = `
Examples:
  # Why did the guard pause? The run's own report, from its record alone
  ${NAME} asc-diagnostics-gate-report.json
  # Would a 50% limit on metric rises have paused it? (exit status under that policy)
  ${NAME} report.json --max-metric-increase 50%
  # Would pausing on any finding, shares too, have paused the rollout?
  ${NAME} report.json --pause-on any --format markdown

Exit status: the run's, or under changed flags the new policy's (0 passed, 1 failed);
  2 when the record is damaged or from another schema version, or a flag needs
  App Store Connect (another build, other metrics or datasets, more logs).
`

function program(io: Terminal): Command {
  const command = new Command(NAME)
    .description(
      "Derive a run's verdict again from its decision record (the JSON report at report-path): offline, without a key. Give policy flags to see what another policy would have decided, finding by finding."
    )
    .argument('<record>', 'the JSON report a run wrote')
    .helpOption('-h, --help', 'print this help')
    .exitOverride()
    .configureOutput({
      writeOut: text => void io.stdout.write(text),
      writeErr: text => void io.stderr.write(text)
    })
    .showHelpAfterError(`(${NAME} --help lists every flag)`)
    .addHelpText('after', HELP_AFTER)
  for (const flag of FLAGS) {
    const option = new Option(`--${flag.flag} <value>`, flag.description)
    // The flags that need App Store Connect parse, so that each is refused with its reason.
    if (!['policy', 'file'].includes(INPUT_USES[flag.input] ?? '')) option.hideHelp()
    command.addOption(option)
  }
  return command
    .addOption(
      new Option('--format <format>', 'what stdout gets, as for a run')
        .choices(FORMATS)
        .default('text')
    )
    .addOption(new Option('-q, --quiet', 'no warnings on stderr (errors still print)'))
}

/** Replays a record; resolves to the exit status. Reads no environment but NO_COLOR. */
export async function replayMain(args: readonly string[], io: Terminal): Promise<number> {
  // Before the parser, which would echo the value.
  if (args.some(arg => /^--private-key(=|$)/.test(arg))) {
    io.stderr.write(
      'asc-diagnostics-gate: error: replay takes no key: it reads the record alone and asks App Store Connect nothing.\n'
    )
    return EXIT.badInput
  }
  const command = program(io)
  const ended = parseArguments(command, args)
  if (ended !== undefined) return ended
  const error = (message: string): number => {
    for (const line of forCommandLine(message, {}).split('\n')) {
      io.stderr.write(`asc-diagnostics-gate: error: ${oneLine(line, 2000)}\n`)
    }
    return EXIT.badInput
  }
  const quiet = Boolean(command.getOptionValue('quiet'))
  const path = String(command.args[0])
  const unexpected = (caught: unknown): number => {
    io.stderr.write(
      `asc-diagnostics-gate: error: Unexpected error: ${oneLine(messageOf(caught), 300)}. Please report it with the record.\n`
    )
    return EXIT.bug
  }
  let run: RecordedRun
  let replayed: Replayed
  let drifted = false
  try {
    const named = `The record '${oneLine(path, 200)}'`
    const json = readBoundedFile(
      path,
      RECORD_MAX_BYTES,
      reason =>
        new InputError(
          `${named} ${reason}; give replay the JSON report a run wrote ('report-path').`
        )
    )
    run = readRecord(json, named)
    replayed = replay(run, overridesOf(command))
    drifted =
      'outcome' in replayed && !replayed.comparison && decidesOtherwise(run, replayed.outcome)
  } catch (caught) {
    return caught instanceof InputError ? error(caught.message) : unexpected(caught)
  }
  if ('refused' in replayed) return error(replayed.refused)

  const { outcome, comparison } = replayed
  if (drifted && !quiet) {
    io.stderr.write(
      `asc-diagnostics-gate: warning: this version (${TOOL_VERSION}) decides the record differently from the run (${oneLine(run.toolVersion, 40)}); the report below is today's decision.\n`
    )
  }
  let status: number = EXIT.bug
  const sinks = commandLineSinks(io, {
    format: command.getOptionValue('format') as Format,
    palette: paletteFor(io.stdout.isTTY, process.env),
    quiet,
    wording: message => forCommandLine(message, {}),
    exit: code => void (status = code),
    ...(comparison
      ? { replay: { preface: comparisonSection(comparison), json: { ...comparison } } }
      : {})
  })
  try {
    for (const sink of sinks) await sink(outcome)
  } catch (caught) {
    return unexpected(caught)
  }
  return status
}

/**
 * Whether today's rules decide the record's own policy differently from the version that wrote
 * it. The recorded verdict is not read field by field, so a verdict too deep to compare counts
 * as damaged.
 */
function decidesOtherwise(run: RecordedRun, outcome: Outcome): boolean {
  if (outcome.kind !== 'judged' || run.ending.kind !== 'judged') return false
  let recorded: string
  try {
    recorded = safeJson(run.ending.verdict)
  } catch {
    throw new InputError(
      'The record is damaged: $.verdict is nested deeper than any run writes; replay reads a JSON report exactly as a run wrote it.'
    )
  }
  return safeJson(jsonReportOf(outcome).verdict) !== recorded
}

/** The flags given on the command line, as the inputs they set: the record is the rest. */
function overridesOf(command: Command): Map<string, string> {
  return flagValues(command, source => source === 'cli')
}
