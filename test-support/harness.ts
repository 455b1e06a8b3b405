import { startAscSimulator } from './asc-simulator.mjs'
import { startGithubSimulator } from './github-simulator.mjs'
import { APP, sampleBuild } from './scenarios.mjs'
import { keyFragments, makeKey, type TestKey } from './keys.js'
import { expectReplayable } from './replay-check.js'
import { runAction, type ActionRun, type RunOptions } from './run-action.mjs'

export type AscSim = Awaited<ReturnType<typeof startAscSimulator>>
export type GithubSim = Awaited<ReturnType<typeof startGithubSimulator>>

export const GITHUB_TOKEN = 'ghs_test0000000000000000000000000000000000'

export interface Harness {
  key: TestKey
  asc: AscSim
  github: GithubSim
  /** Runs the action against the simulators with valid credentials plus `inputs`. */
  run: (inputs?: Record<string, string>, options?: Omit<RunOptions, 'inputs'>) => Promise<ActionRun>
  /** Runs it as a `pull_request` event for `number`, with commenting on. */
  onPullRequest: (
    number: number,
    inputs?: Record<string, string>,
    headRepo?: string,
    event?: string,
    env?: Record<string, string>
  ) => Promise<ActionRun>
  /** Requests the action made to App Store Connect (the simulator's timeline). */
  requests: () => AscSim['timeline']
  /** Forgets earlier requests and faults on both simulators. */
  reset: () => void
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
  const github = await startGithubSimulator({ token: GITHUB_TOKEN, repo: 'acme/app' })
  const run: Harness['run'] = async (inputs = {}, runOptions = {}) => {
    const result = await runAction({
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
    })
    expectReplayable(result)
    return result
  }
  return {
    key,
    asc,
    github,
    run,
    onPullRequest: (number, inputs = {}, headRepo = 'acme/app', event = 'pull_request', env = {}) =>
      run(
        { comment: 'true', 'github-token': GITHUB_TOKEN, ...inputs },
        {
          event: {
            name: event,
            payload: {
              pull_request: { number, head: { repo: { full_name: headRepo } } },
              repository: { full_name: 'acme/app' }
            }
          },
          env: {
            GITHUB_REPOSITORY: 'acme/app',
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_RUN_ID: '4242',
            GITHUB_API_URL: github.url,
            ...env
          }
        }
      ),
    requests: () => asc.timeline,
    reset: () => {
      asc.timeline.length = 0
      asc.faults.clear()
      github.timeline.length = 0
      github.faults.clear()
      github.setMode('normal')
      github.setContents('write')
    },
    close: async () => {
      await asc.close()
      await github.close()
    }
  }
}

/** Asserts that nothing the run printed or wrote contains the key, a token it sent, or `extra`. */
export function expectNoSecrets(run: ActionRun, harness: Harness, extra: string[] = []): void {
  const secrets = [
    ...keyFragments(harness.key.pem),
    ...harness.requests().map(r => r.token),
    GITHUB_TOKEN,
    ...extra
  ].filter((s): s is string => typeof s === 'string' && s.length > 0)
  for (const secret of new Set(secrets)) {
    if (run.everything.includes(secret)) {
      throw new Error(`a secret leaked into the run's output: ${secret.slice(0, 12)}…`)
    }
  }
}
