#!/usr/bin/env node
// The command-line tool's entry (bin asc-diagnostics-gate, bundled as dist/cli.js).
import { main } from './main.js'

// `asc-diagnostics-gate --help | head` closes the pipe early: that is not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

/* istanbul ignore next */
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr
})
