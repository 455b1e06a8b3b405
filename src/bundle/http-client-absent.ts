// Bundled in place of @actions/http-client and its `lib/auth` (see tsconfig.json "paths"), for
// the same reason as undici-absent.ts: @actions/core imports it for OIDC tokens, which the
// action never requests, and @actions/github for the proxy agent and fetch of its defaults,
// which the action replaces with its own (src/github/comment.ts passes `request.fetch`).
// Dropping it also drops `tunnel`, and with them node:assert, from the start-up path.

const ABSENT =
  '@actions/http-client is not bundled with this action; its requests go through src/http/transport.ts'

export class HttpClient {
  constructor(..._args: unknown[]) {}
  /** @actions/github asks at load time; no agent means the default one, never used here. */
  getAgent(_url: string): undefined {
    return undefined
  }
  getAgentDispatcher(_url: string): undefined {
    return undefined
  }
  getJson(): Promise<never> {
    return Promise.reject(new Error(ABSENT))
  }
}

export class BearerCredentialHandler {
  constructor(readonly token: string) {}
}
