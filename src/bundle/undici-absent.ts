// Bundled in place of undici: tsconfig.json maps the `undici` import to this file, which ncc
// honours for every module it bundles. undici (925 KiB, 126 modules, plus node:http2, zlib,
// worker_threads and dns) reaches the bundle only through @actions/http-client, which
// @actions/core imports for OIDC tokens and @actions/github for its default fetch. The action
// uses neither: its requests, Octokit's included, go through src/http/transport.ts. In the main
// chunk nothing reaches this file and the bundler drops it; in the comment chunk,
// @actions/github builds a ProxyAgent at load time when a proxy is set, so that stays harmless,
// and anything that would really send a request through undici fails loudly.

const ABSENT =
  'undici is not bundled with this action; its requests go through src/http/transport.ts'

/** Inert: @actions/github constructs one under a proxy but never sends through it here. */
export class ProxyAgent {
  constructor(readonly options?: unknown) {}
}

export function fetch(): Promise<never> {
  return Promise.reject(new Error(ABSENT))
}
