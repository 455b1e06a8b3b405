import type { Platform } from '../constants.js'
import { InputError } from '../errors.js'
import type { AppRef, BuildRef } from '../model.js'
import type { Inputs } from './inputs.js'
import { resourceId } from './values.js'

/** The build to gate and the optional baseline, each by resource ID or by lookup. */
export function buildRefs(
  inputs: Inputs,
  platform: Platform
): { build?: BuildRef; baseline?: BuildRef } {
  const build = inputs.attempt(() => buildRef(inputs, platform), undefined)
  const baseline = inputs.attempt(() => baselineRef(inputs, build, platform), undefined)
  return { build, baseline }
}

function buildRef(inputs: Inputs, platform: Platform): BuildRef {
  const id = inputs.optional('build-id')
  if (id) return { kind: 'id', id: resourceId('build-id', id) }
  const released = releasedRef(inputs, '', platform)
  if (released) return released
  const app = appRef(
    inputs,
    `Input 'build-id' is required; or give 'app-id' (or 'bundle-id') with 'build-number' and/or 'version' to look the build up.`
  )
  const { version, buildNumber } = versions(inputs, '')
  if (!version && !buildNumber) {
    throw new InputError(
      `Input 'build-number' (or 'version') is required to look up the build when 'build-id' is not given.`
    )
  }
  return { kind: 'lookup', app, version, buildNumber, platform }
}

function baselineRef(
  inputs: Inputs,
  build: BuildRef | undefined,
  platform: Platform
): BuildRef | undefined {
  const id = inputs.optional('baseline-build-id')
  if (id) return { kind: 'id', id: resourceId('baseline-build-id', id) }
  const released = releasedRef(inputs, 'baseline-', platform)
  if (released) return released
  const { version, buildNumber } = versions(inputs, 'baseline-')
  if (!version && !buildNumber) return undefined
  const app = appRef(
    inputs,
    `Inputs 'baseline-version' and 'baseline-build-number' need 'app-id' or 'bundle-id' to find the baseline; or give 'baseline-build-id'.`
  )
  if (build?.kind === 'lookup') return { ...build, version, buildNumber }
  return { kind: 'lookup', app, version, buildNumber, platform }
}

/**
 * `version: live`, `baseline-version: live` or `baseline-version: previous` (any case): an App
 * Store version of the app rather than a version number; undefined for anything else.
 */
function releasedRef(
  inputs: Inputs,
  prefix: '' | 'baseline-',
  platform: Platform
): BuildRef | undefined {
  const which = inputs.optional(`${prefix}version`)?.toLowerCase()
  if (which !== 'live' && (which !== 'previous' || !prefix)) return undefined
  const input = `'${prefix}version: ${which}'`
  if (inputs.optional(`${prefix}build-number`)) {
    throw new InputError(
      `Input '${prefix}build-number' cannot be combined with ${input}, which picks that version's build.`
    )
  }
  const app = appRef(
    inputs,
    `${input} needs 'app-id' or 'bundle-id' to find the app's App Store versions.`
  )
  return { kind: 'released', which, app, platform }
}

/** The app named by `app-id` or `bundle-id`, exactly one of them; `missing` when neither. */
function appRef(inputs: Inputs, missing: string): AppRef {
  const appId = inputs.optional('app-id')
  const bundleId = inputs.optional('bundle-id')
  if (appId && bundleId) {
    throw new InputError(`Inputs 'app-id' and 'bundle-id' both name the app; give only one.`)
  }
  if (appId) return { appId: resourceId('app-id', appId) }
  if (!bundleId) throw new InputError(missing)
  if (!/^[A-Za-z0-9.-]{1,155}$/.test(bundleId)) {
    throw new InputError(
      `Input 'bundle-id' is '${bundleId.slice(0, 80)}'; use a bundle ID such as com.example.app.`
    )
  }
  return { bundleId }
}

/** `version` and `build-number`, or their `baseline-` forms. */
function versions(
  inputs: Inputs,
  prefix: '' | 'baseline-'
): { version?: string; buildNumber?: string } {
  // A marketing version as a tag names it: `v2.4.0` is version 2.4.0.
  const version = versionString(`${prefix}version`, inputs.optional(`${prefix}version`))
  return {
    version: version?.replace(/^[vV](?=\d)/, ''),
    buildNumber: versionString(`${prefix}build-number`, inputs.optional(`${prefix}build-number`))
  }
}

function versionString(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
    throw new InputError(
      `Input '${name}' is '${value.slice(0, 80)}'; use a version such as 2.4.0 or a build number such as 412.`
    )
  }
  return value
}
