// Bundled in place of @actions/exec (see tsconfig.json "paths"): @actions/core imports it only
// for `platform.getDetails()`, which the action never calls. Dropping it also drops
// @actions/io, and with them node:child_process and node:dgram, from the start-up path.

export function getExecOutput(): Promise<never> {
  return Promise.reject(new Error('@actions/exec is not bundled with this action'))
}
