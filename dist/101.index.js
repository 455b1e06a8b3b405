export const id = 101;
export const ids = [101];
export const modules = {

/***/ 6:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Q: () => (/* binding */ HttpClient)
/* harmony export */ });
/* unused harmony export BearerCredentialHandler */
// Bundled in place of @actions/http-client and its `lib/auth` (see tsconfig.json "paths"), for
// the same reason as undici-absent.ts: @actions/core imports it for OIDC tokens, which the
// action never requests, and @actions/github for the proxy agent and fetch of its defaults,
// which the action replaces with its own (src/github/comment.ts passes `request.fetch`).
// Dropping it also drops `tunnel`, and with them node:assert, from the start-up path.
const ABSENT = '@actions/http-client is not bundled with this action; its requests go through src/http/transport.ts';
class HttpClient {
    constructor(..._args) { }
    /** @actions/github asks at load time; no agent means the default one, never used here. */
    getAgent(_url) {
        return undefined;
    }
    getAgentDispatcher(_url) {
        return undefined;
    }
    getJson() {
        return Promise.reject(new Error(ABSENT));
    }
}
class BearerCredentialHandler {
    token;
    constructor(token) {
        this.token = token;
    }
}


/***/ }),

/***/ 764:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   h: () => (/* binding */ fetch)
/* harmony export */ });
/* unused harmony export ProxyAgent */
// Bundled in place of undici: tsconfig.json maps the `undici` import to this file, which ncc
// honours for every module it bundles. undici (925 KiB, 126 modules, plus node:http2, zlib,
// worker_threads and dns) reaches the bundle only through @actions/http-client, which
// @actions/core imports for OIDC tokens and @actions/github for its default fetch. The action
// uses neither: its requests, Octokit's included, go through src/http/transport.ts. In the main
// chunk nothing reaches this file and the bundler drops it; in the comment chunk,
// @actions/github builds a ProxyAgent at load time when a proxy is set, so that stays harmless,
// and anything that would really send a request through undici fails loudly.
const ABSENT = 'undici is not bundled with this action; its requests go through src/http/transport.ts';
/** Inert: @actions/github constructs one under a proxy but never sends through it here. */
class ProxyAgent {
    options;
    constructor(options) {
        this.options = options;
    }
}
function fetch() {
    return Promise.reject(new Error(ABSENT));
}


/***/ })

};
