#!/usr/bin/env node
// The command-line tool's entry (bin asc-diagnostics-gate, bundled as dist/cli.js).
import { oneLine } from '../text.js'
import { EXIT } from './exit-codes.js'
import { main } from './main.js'

/**
 * stdout could not be written. `asc-diagnostics-gate --help | head` closes the pipe early: that
 * is not a crash, and the status stands. Any other error (a full disk, `>/dev/full`) means the
 * output is lost: one line says so, and the status is 4, never 1 ("the gate failed").
 */
function stdoutFailed(error: NodeJS.ErrnoException): never {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  process.stderr.write(
    `asc-diagnostics-gate: error: could not write to stdout (${oneLine(error.message, 200)}); send stdout to a file or pipe that can take it.\n`
  )
  process.exit(EXIT.bug)
}

process.stdout.on('error', stdoutFailed)

/* istanbul ignore next */
process.exitCode = await main(process.argv.slice(2), {
  stdout: {
    isTTY: process.stdout.isTTY,
    write: (text: string) => {
      process.stdout.write(text)
      // A file's write fails at once (`errored` is set now, the 'error' event comes later):
      // stop here, before the run goes on as if its report had been printed.
      if (process.stdout.errored) stdoutFailed(process.stdout.errored)
    }
  },
  stderr: process.stderr
})
