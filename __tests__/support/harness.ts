import { startAscSimulator } from '../../test-support/asc-simulator.mjs'
import { APP, sampleBuild } from '../../test-support/scenarios.mjs'
import { keyFragments, makeKey, type TestKey } from './keys.js'
import { runAction, type ActionRun, type RunOptions } from '../../test-support/run-action.mjs'

export type AscSim = Awaited<ReturnType<typeof startAscSimulator>>

export interface Harness {
  key: TestKey
  asc: AscSim
  /** Runs the action against the simulator with valid credentials plus `inputs`. */
  run: (inputs?: Record<string, string>, options?: Omit<RunOptions, 'inputs'>) => Promise<ActionRun>
  /** Requests the action made (the simulator's timeline). */
  requests: () => AscSim['timeline']
  close: () => Promise<void>
}

export async function startHarness(
  options: Partial<Parameters<typeof startAscSimulator>[0]> = {}
): Promise<Harness> {
  const key = makeKey()
  const asc = await startAscSimulator({
    keys: { [key.keyId]: key.publicKey },
    apps: [APP],
    builds: [sampleBuild()],
    ...options
  })
  return {
    key,
    asc,
    requests: () => asc.timeline,
    run: (inputs = {}, runOptions = {}) =>
      runAction({
        ...runOptions,
        inputs: {
          'issuer-id': '69a6de7e-0000-47e3-e053-5b8c7c11a4d1',
          'key-id': key.keyId,
          'private-key': key.pem,
          'build-id': sampleBuild().id,
          'api-base-url': asc.url,
          comment: 'false',
          ...inputs
        }
      }),
    close: () => asc.close()
  }
}

/** Asserts that nothing the run printed or wrote contains the key or a token it sent. */
export function expectNoSecrets(run: ActionRun, harness: Harness, extra: string[] = []): void {
  const secrets = [
    ...keyFragments(harness.key.pem),
    ...harness
      .requests()
      .map(r => r.token)
      .filter(Boolean),
    ...extra
  ]
  for (const secret of new Set(secrets)) {
    if (run.everything.includes(secret as string)) {
      throw new Error(`a secret leaked into the run's output: ${String(secret).slice(0, 12)}…`)
    }
  }
}
