import * as core from '@actions/core'
import { messageOf } from '../errors.js'
import { writeTextFile } from './files.js'
import type { FindingsInput } from './findings.js'
import { buildJunit } from './junit.js'
import type { Judged, Outcome } from './outcome.js'
import { buildSarif } from './sarif.js'

/**
 * The SARIF log and the JUnit XML, each when its path input is set; the outputs name the files
 * written, and stay empty when nothing was judged or a file could not be written (a warning).
 */
export function writeCiReports(outcome: Outcome): void {
  const files = [
    { output: 'sarif-path', what: 'SARIF log', path: outcome.config?.sarifPath, build: buildSarif },
    { output: 'junit-path', what: 'JUnit XML', path: outcome.config?.junitPath, build: buildJunit }
  ]
  const input = outcome.kind === 'judged' ? findingsInput(outcome) : undefined
  for (const { output, what, path, build } of files) {
    let written = ''
    if (path && input) {
      try {
        written = writeTextFile(path, build(input))
        core.info(`Wrote the ${what} to ${written}.`)
      } catch (error) {
        core.warning(`Could not write the ${what} to '${path}': ${messageOf(error)}`)
      }
    }
    core.setOutput(output, written)
  }
}

function findingsInput(outcome: Judged): FindingsInput {
  const { verdict, config, data, sources } = outcome
  return {
    verdict,
    policy: config,
    buildId: data.current.build.id,
    baselineBuildId: data.baseline?.build.id,
    sources
  }
}
