import type { FindingsInput } from './ci-shared.js'
import { buildJunit } from './junit.js'
import type { Judged, Outcome } from '../outcome.js'
import { buildSarif } from './sarif.js'

/** A CI report file: which output names it, what it is, where it goes, and its text. */
export interface CiReportFile {
  output: 'sarif-path' | 'junit-path'
  what: string
  /** Undefined when its path input is empty. */
  path?: string
  /** Undefined when nothing was judged. */
  text?: string
}

/** The SARIF log and the JUnit XML of a run; each front door writes them where it writes. */
export function ciReportFiles(outcome: Outcome): CiReportFile[] {
  const input = outcome.kind === 'judged' ? findingsInput(outcome) : undefined
  const file = (
    output: CiReportFile['output'],
    what: string,
    path: string | undefined,
    build: (input: FindingsInput) => string
  ): CiReportFile => ({ output, what, path, text: path && input ? build(input) : undefined })
  return [
    file('sarif-path', 'SARIF log', outcome.config?.sarifPath, buildSarif),
    file('junit-path', 'JUnit XML', outcome.config?.junitPath, buildJunit)
  ]
}

function findingsInput(outcome: Judged): FindingsInput {
  const { verdict, data, sources } = outcome
  return {
    verdict,
    buildId: data.current.build.id,
    ...(data.current.build.label ? { buildLabel: data.current.build.label } : {}),
    baselineBuildId: data.baseline?.build.id,
    sources
  }
}
