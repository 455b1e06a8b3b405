import type { Outcome, Sink } from '../outcome.js'
import { reportContext } from '../report/context.js'
import { messageOf } from '../errors.js'
import { ciReportFiles } from '../publish/ci-reports.js'
import { writeTextFile } from '../publish/files.js'
import { gapWarnings } from '../publish/gaps.js'
import { jsonReportOf, writeJsonReport } from '../publish/json-report.js'
import { renderReport } from '../report/render.js'
import { scrub } from '../secrets.js'
import { oneLine, safeJson } from '../text.js'
import { exitCode } from './exit-codes.js'
import { terminalReport, type Palette } from './terminal.js'

export const FORMATS = ['text', 'markdown', 'json'] as const
export type Format = (typeof FORMATS)[number]

export interface Streams {
  stdout: { write: (text: string) => unknown }
  stderr: { write: (text: string) => unknown }
}

export interface OutputOptions {
  format: Format
  /** Colours for the terminal report (plain unless stdout is a terminal without NO_COLOR). */
  palette: Palette
  /** No warnings on stderr (errors and the failure line are always printed). */
  quiet: boolean
  /** --report-path as given, for a run whose inputs did not parse. */
  reportPath?: string
  /** The message with the command line's names for inputs. */
  wording: (message: string) => string
  /** Receives the exit status. */
  exit: (code: number) => void
  /** A replay under another policy: the comparison above the report, and in the JSON. */
  replay?: { preface: string; json: Record<string, unknown> }
}

const TOOL = 'asc-diagnostics-gate'

/**
 * The command-line tool's sinks: the report on stdout in the chosen format, the report files
 * the action also writes, the reasons on stderr, and the exit status. No GitHub feature.
 */
export function commandLineSinks(streams: Streams, options: OutputOptions): Sink[] {
  // One line per sentence: the parser lists every input problem on a line of its own.
  const line = (text: string): void => {
    for (const sentence of options.wording(text).split('\n')) {
      streams.stderr.write(`${TOOL}: ${oneLine(scrub(sentence), 2000)}\n`)
    }
  }

  const record = (outcome: Outcome) => jsonReportOf(outcome, options.replay?.json)
  const report: Sink = async outcome => {
    if (options.format === 'json') {
      streams.stdout.write(`${scrub(safeJson(record(outcome), 2))}\n`)
    } else if (outcome.kind === 'judged') {
      const preface = options.replay ? `${options.replay.preface}\n\n` : ''
      const markdown = scrub(preface + renderReport(outcome.verdict, reportContext(outcome)))
      streams.stdout.write(
        options.format === 'markdown' ? markdown : terminalReport(markdown, options.palette)
      )
    }
  }

  // The same files as the action, each when its flag names a path.
  const files: Sink = async outcome => {
    const path = outcome.config?.reportPath ?? options.reportPath
    if (path) {
      try {
        writeJsonReport(record(outcome), path)
      } catch (error) {
        line(`warning: could not write the JSON report to '${path}': ${messageOf(error)}`)
      }
    }
    for (const file of ciReportFiles(outcome)) {
      if (!file.path || file.text === undefined) continue
      try {
        writeTextFile(file.path, file.text, file.output)
      } catch (error) {
        line(`warning: could not write the ${file.what} to '${file.path}': ${messageOf(error)}`)
      }
    }
  }

  const reasons: Sink = async outcome => {
    if (outcome.kind === 'failed') {
      return outcome.error.split('\n').forEach(error => line(`error: ${error}`))
    }
    if (outcome.kind !== 'judged') return
    // The phased release could not be paused (a 403, say): the verdict stands, the error shows.
    if (outcome.release?.error) line(`error: ${outcome.release.error}`)
    if (!options.quiet) {
      for (const warning of gapWarnings(outcome.verdict, outcome.data)) {
        line(`warning: ${warning}`)
      }
    }
    if (outcome.failure) line(`gate failed: ${outcome.failure}`)
  }

  const status: Sink = async outcome => options.exit(exitCode(outcome))

  return [report, files, reasons, status]
}
