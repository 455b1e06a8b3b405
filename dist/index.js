import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function utils_toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function command_issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_.EOL);
}
function command_issue(name, message = '') {
    command_issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(896);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function file_command_issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_.appendFileSync(filePath, `${utils_toCommandValue(message)}${external_os_.EOL}`, {
        encoding: 'utf8'
    });
}
function file_command_prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = utils_toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_.EOL}${convertedValue}${external_os_.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class oidc_utils_OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new HttpClient('actions/oidc-client', [new BearerCredentialHandler(oidc_utils_OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return __awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = oidc_utils_OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return __awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = oidc_utils_OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield oidc_utils_OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_.constants.R_OK | external_fs_.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = (/* unused pure expression or super */ null && (_summary));
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, path.sep);
}
//# sourceMappingURL=path-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield exec.getExecOutput('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield exec.getExecOutput('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_.platform();
const arch = external_os_.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function core_setSecret(secret) {
    command_issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${path.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return file_command_issueFileCommand('OUTPUT', file_command_prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_.EOL);
    command_issueCommand('set-output', { name }, utils_toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function core_debug(message) {
    command_issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    command_issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function core_warning(message, properties = {}) {
    command_issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    command_issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    command_issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    command_issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: ./src/github/pull-request.ts

/**
 * The pull request to comment on: `pr-number` when given, else the one in a
 * `pull_request` or `pull_request_target` payload. Read from the runner's environment
 * without loading @actions/github, which only a comment needs.
 */
function findPullRequest(prNumber, env = process.env) {
    const repository = env.GITHUB_REPOSITORY ?? '';
    const [owner, repo] = repository.split('/');
    if (!owner || !repo)
        return { none: 'GITHUB_REPOSITORY is not set (not on a runner)' };
    const payload = readPayload(env.GITHUB_EVENT_PATH);
    const event = env.GITHUB_EVENT_NAME ?? 'unknown';
    const pull = payload.pull_request;
    const readOnly = (p) => event === 'pull_request' && isFork(p, repository);
    if (prNumber !== undefined) {
        const samePull = pull?.number === prNumber;
        return {
            target: { owner, repo, number: prNumber, fromFork: samePull && readOnly(pull) }
        };
    }
    if (typeof pull?.number !== 'number') {
        return { none: `the '${event}' event has no pull request and 'pr-number' is empty` };
    }
    return { target: { owner, repo, number: pull.number, fromFork: readOnly(pull) } };
}
/**
 * The number of the pull request when this run is a `pull_request` event for a fork's head
 * branch, which GitHub runs without the repository's secrets; undefined otherwise.
 */
function forkPullRequest(env = process.env) {
    if (env.GITHUB_EVENT_NAME !== 'pull_request')
        return undefined;
    const pull = readPayload(env.GITHUB_EVENT_PATH).pull_request;
    const repository = env.GITHUB_REPOSITORY ?? '';
    return typeof pull?.number === 'number' && repository && isFork(pull, repository)
        ? pull.number
        : undefined;
}
function isFork(pull, repository) {
    const head = pull?.head?.repo?.full_name;
    // A deleted fork has no head repository: still not ours.
    return head === undefined || head === null
        ? pull?.head?.repo === null
        : head.toLowerCase() !== repository.toLowerCase();
}
function readPayload(path) {
    if (!path)
        return {};
    try {
        return JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(path, 'utf8'));
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./src/secrets.ts
// Masking (core.setSecret) hides secrets from log lines only; text posted through the API
// (the comment, the summary, outputs, the JSON report) is not masked by the runner. A server
// can echo a token back in an error body, so every text taken from a response, and every text
// the action publishes, passes this scrubber.
const REPLACEMENT = '***';
/** Runs of token or base64 characters long enough to be a slice of a secret, not a word. */
const SLICE = /[A-Za-z0-9+/=_.-]{16,}/g;
const MIN_SECRET_LENGTH = 8;
const secrets = new Set();
/** How a front door hides a secret from its own log (the action: `::add-mask::`); none by default. */
let mask = () => { };
/** Sets how secrets are masked in the log; the action's front door passes core.setSecret. */
function maskSecretsWith(masker) {
    mask = masker;
}
/** Registers a secret for this run: the key in every spelling, a minted token, the GitHub token. */
function addSecret(value) {
    const trimmed = value.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH)
        secrets.add(trimmed);
}
/** Masks a secret in log lines, and registers it with the scrubber for everything published. */
function protect(value) {
    if (!value.trim())
        return;
    mask(value);
    addSecret(value);
}
/**
 * `text` with every registered secret, and every long slice of one (a cut-off token, part of the
 * key's base64), replaced by ***.
 */
function scrub(text) {
    if (secrets.size === 0 || text === '')
        return text;
    let result = text;
    // Longest first, so a token is replaced whole before a fragment of it could be.
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (result.includes(secret))
            result = result.split(secret).join(REPLACEMENT);
    }
    return result.replace(SLICE, run => [...secrets].some(secret => secret.includes(run)) ? REPLACEMENT : run);
}
/** Forgets every secret; for tests. */
function clearSecrets() {
    secrets.clear();
}

;// CONCATENATED MODULE: ./src/constants.ts
// Every limit and API constant in one place, so a reviewer can audit them together.
const ACTION_NAME = 'asc-diagnostics-gate';
/** The action's repository, whose README is its documentation. */
const ACTION_URL = 'https://github.com/asc-diagnostics-gate/asc-diagnostics-gate';
/** Where the README explains what happens on a fork's pull request. */
const FORK_DOCS_URL = `${ACTION_URL}#pull-requests-from-forks`;
const DIAGNOSTIC_TYPES = ['HANGS', 'DISK_WRITES', 'LAUNCHES'];
const TYPE_LABELS = {
    HANGS: 'Hangs',
    DISK_WRITES: 'Disk writes',
    LAUNCHES: 'Launches'
};
/** What a signature's weight is a share of: `Hangs: 85.0% of hang time`. */
const TYPE_SHARES = {
    HANGS: 'hang time',
    DISK_WRITES: 'disk writes',
    LAUNCHES: 'launch time'
};
const PLATFORMS = ['IOS', 'MAC_OS', 'TV_OS', 'VISION_OS'];
/**
 * An App Store Connect resource ID (build, app; a signature's is 66 hex characters) or key ID
 * as this action accepts it, from an input or a response: it goes into URLs, outputs and the
 * report.
 */
const RESOURCE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ASC = {
    defaultBaseUrl: 'https://api.appstoreconnect.apple.com',
    audience: 'appstoreconnect-v1',
    /** Apple rejects tokens that live longer than 20 minutes; stay well inside. */
    tokenLifetimeSeconds: 15 * 60,
    /** Mint a new token when the current one has less than this left. */
    tokenRefreshMarginSeconds: 2 * 60,
    /** `limit` on diagnosticSignatures and builds is at most 200. */
    maxPageSize: 200,
    /** With a baseline, the whole top list is compared, not only the reported part. */
    baselineFetchLimit: 200,
    /** The only attributes the gate reads, for `fields[diagnosticSignatures]`. */
    signatureFields: ['diagnosticType', 'signature', 'weight', 'insight'],
    logsContentType: 'application/vnd.apple.diagnostic-logs+json',
    /** perfPowerMetrics answers only this type; a plain JSON Accept has been reported to get 406. */
    metricsContentType: 'application/vnd.apple.xcode-metrics+json',
    /** Safety net against a server that keeps returning pages. */
    maxPages: 100,
    /** Bounds the whole App Store Connect phase unless `timeout-minutes` says otherwise. */
    defaultTimeoutMinutes: 10,
    /** GitHub's own limit on a job: 6 hours. */
    maxTimeoutMinutes: 360
};
/**
 * Every string read from App Store Connect is cut to one of these lengths (with …) as it is
 * parsed, so no later step can be handed megabytes of text.
 */
const FIELD_CAPS = {
    signature: 4_000,
    /** Versions and build numbers. */
    version: 64,
    /** Resource IDs, processing states, dates. */
    identifier: 200,
    /** Reference versions kept per TREND insight. */
    referenceVersions: 10,
    /** Units and goal ratings of a metric, such as "ms" or "fair". */
    metricLabel: 40,
    /** Apple's summary sentence of a metrics insight. */
    insightSummary: 500,
    /**
     * Points shown per metric (one per version), the newest up to the build's version; the
     * decision reads every point Apple sent.
     */
    metricPoints: 50,
    /** Insights and populations kept, once filtered to the gated metrics. */
    metricListItems: 50,
    /** Populations (percentile × device) kept per insight, before the gated one is picked. */
    insightPopulations: 200
};
/** The only hosts whose links from App Store Connect data render as links. */
const LINK_ORIGINS = ['https://developer.apple.com', 'https://help.apple.com'];
/**
 * A key file (`ASC_PRIVATE_KEY_PATH`) larger than this is not a .p8 key (about 250 bytes): refused
 * unread, so a path such as /dev/zero or a log file cannot fill the memory.
 */
const KEY_FILE_MAX_BYTES = (/* unused pure expression or super */ null && (64 * 1024));
/** A response larger than this is not a diagnostics page: refused, not buffered or retried. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/**
 * A collection page (signatures, builds, versions, apps) larger than this is refused: Apple's
 * pages hold at most 200 resources, well under 1 MB with every field.
 */
const PAGE_MAX_BYTES = 2 * 1024 * 1024;
const RETRY = {
    /** First try plus retries. */
    maxAttempts: 4,
    baseDelayMs: 1_000,
    maxDelayMs: 8_000,
    /** A longer Retry-After is not worth holding the runner for: give up at once. */
    retryAfterCapMs: 30_000,
    /** Total time spent waiting between attempts, across all requests of one call. */
    totalWaitBudgetMs: 45_000,
    requestTimeoutMs: 30_000
};
/**
 * Weights and thresholds are decimal fractions held in binary floating point: 0.14 − 0.09 is
 * 0.05000000000000002. Differences below this are rounding, not a breach or a regression.
 */
const WEIGHT_EPSILON = 1e-9;
/** Apple's insights compare with the average of up to this many earlier versions; so does `average`. */
const METRIC_AVERAGE_VERSIONS = 4;
/** At most this many logs requests in flight: Apple answers bursts with 429. */
const LOGS_CONCURRENCY = 4;
/**
 * Logs are given up when a quarter of `timeout-minutes`, at most this much, is left, so the
 * release guard keeps time to act on the verdict.
 */
const LOGS_RESERVE_MAX_MS = 30_000;
/**
 * A logs response larger than this becomes "backtrace unavailable" instead of being read: with
 * LOGS_CONCURRENCY in flight, each held whole and then parsed, it bounds the action's memory.
 * Real responses (5 logs of a few hundred frames each) are tens to hundreds of KB.
 */
const LOGS_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Frames shown per backtrace: every blamed frame and every frame Apple tagged with an insight
 * category, with `context` frames on each side, then more callers up to `atLeast`; never more
 * than `maxFrames`. What is left out shows as "… N frames …". At most `maxInsights` of Apple's
 * insight sentences are kept per backtrace.
 */
const BACKTRACE = { maxFrames: 24, context: 2, atLeast: 8, maxInsights: 10 };
const GITHUB_LIMITS = {
    commentMaxChars: 65_536,
    /** Headroom under the hard limit for the truncation note and the marker. */
    commentBudgetChars: 65_000,
    summaryMaxBytes: 1024 * 1024,
    // The report also goes to the `report` output, which GitHub caps at 1 MB.
    summaryBudgetBytes: 990_000,
    /** GitHub's limit on each step output. */
    outputMaxBytes: 1024 * 1024,
    /** Annotations per step GitHub shows for each level. */
    maxAnnotations: 10,
    commentsPerPage: 100
};
/**
 * The JSON report's shape (schema/report.schema.json). From 2 on it is a decision record: what
 * `replay` needs to derive the verdict again. A replay reads this version only.
 */
const JSON_REPORT_SCHEMA_VERSION = 2;
/**
 * A record larger than this was not written by a run: with every cap reached it is at most
 * 95 MB (README, checked by record-size.test.ts); a typical one is tens of KB.
 */
const RECORD_MAX_BYTES = (/* unused pure expression or super */ null && (128 * 1024 * 1024));
/** Apple's phased release: the share of users on automatic updates on each of its 7 days. */
const PHASED_RELEASE = {
    days: 7,
    userPercentByDay: [1, 2, 5, 10, 20, 50, 100],
    /** Pauses may add up to this many days per version. */
    maxPauseDays: 30,
    /** Roles that may pause a rollout (Account Holder too, but it has no API keys). */
    rolesThatPause: 'Admin or App Manager',
    /** `fields[appStoreVersionPhasedReleases]`: everything the report shows. */
    fields: ['phasedReleaseState', 'startDate', 'totalPauseDuration', 'currentDayNumber']
};
/** The guard's history on a data branch (issue 24): its bounds. */
const HISTORY = {
    defaultBranch: 'asc-diagnostics-history',
    defaultKeepVersions: 10,
    maxKeepVersions: 100,
    maxConfirmRuns: 10,
    /** A write that loses the race for the branch is read again and retried: at most this often. */
    attempts: 4,
    /** Before a retry, between this and twice this: guards that collided do not collide again. */
    retryDelayMs: 200,
    /** An index lists at most this many runs, the newest (a run every 10 minutes for 7 days is 1,008). */
    maxRunsPerVersion: 1000,
    /** An index entry names at most this many findings, those `pause-on` names first. */
    maxFindingsPerRun: 20,
    /** `same-day` takes the previous version's run at most this many rollout days away. */
    sameDayDistance: 1
};
/**
 * App Store version states (`appVersionState`) that mean live now, and live before; and the
 * deprecated `appStoreState`'s "live", still read when a response carries only that field.
 */
const VERSION_STATES = {
    live: 'READY_FOR_DISTRIBUTION',
    replaced: 'REPLACED_WITH_NEW_VERSION',
    deprecatedLive: 'READY_FOR_SALE',
    /** READY_FOR_DISTRIBUTION also covers these: ready, but taken off sale. */
    removedFromSale: ['REMOVED_FROM_SALE', 'DEVELOPER_REMOVED_FROM_SALE']
};
/** Finding the blamed source file in the checked-out workspace. */
const SOURCE_LOOKUP = {
    /** Vendored and generated code: never the app's own file, even when its name matches. */
    excludedDirs: ['Pods', 'Carthage', '.build', 'DerivedData', 'node_modules'],
    /**
     * A workspace without a git index is walked, breadth-first; past this many files, or this many
     * folders (empty ones cost as much to read), the walk stops and the report says so.
     */
    maxWalkedFiles: 200_000,
    maxWalkedFolders: 50_000,
    /**
     * The walk also stops after this long, or sooner when the run's `timeout-minutes` (counted
     * from its start) runs out: a slow or huge file system cannot hold the runner.
     */
    walkBudgetMs: 30_000,
    /** The git index of a very large monorepo still fits (about 100 bytes a tracked file). */
    maxGitIndexBytes: 256 * 1024 * 1024
};

;// CONCATENATED MODULE: ./src/errors.ts
/** An input that cannot be used; the message names the input and what it accepts. */
class InputError extends Error {
    constructor(message) {
        super(message);
        this.name = 'InputError';
    }
}
/** A failure talking to a service, already phrased as one actionable sentence. */
class ServiceError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'ServiceError';
    }
}
/** Data from App Store Connect that the gate refuses to interpret. */
class DataError extends Error {
    constructor(message) {
        super(message);
        this.name = 'DataError';
    }
}
/** The message of anything thrown, without a stack. */
function messageOf(error) {
    return error instanceof Error ? error.message : String(error);
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/decision/findings.ts

// The decision model: what the evaluation found, and what each finding does. Every consequence
// (does it fail the job, does it pause the rollout, and why not) is decided here, once; every
// sink reads it and works nothing out again.
const FINDING_KINDS = [
    'breach',
    'signature-regression',
    'metric-regression',
    'apple-regression',
    'no-data'
];
/** Rates decide whether users got worse; shares only say where. */
const DEFAULT_PAUSE_ON = ['metric-regression', 'apple-regression'];
const EVIDENCE = {
    breach: 'share',
    'signature-regression': 'share',
    'metric-regression': 'rate',
    'apple-regression': 'rate',
    'no-data': 'absence'
};
/** A finding of `kind` about `subject`, with its consequences under `policy`. */
function finding(kind, subject, policy) {
    const found = { kind, subject, evidence: EVIDENCE[kind] };
    const { guard } = policy;
    const needed = guard?.confirmRuns ?? 1;
    const counts = needed > 1 && guard?.rollout === 'ACTIVE' && guard.pauseOn.includes(kind);
    if (!counts)
        return { ...found, ...consequences(kind, policy) };
    const confirmation = { inARow: guard.inARow?.(findingKey(kind, subject)) ?? 1, needed };
    return { ...found, ...consequences(kind, policy, confirmation), confirmation };
}
/**
 * The same finding across runs: its kind and subject (`metric-regression hangRate`,
 * `breach HANGS:<digest of the signature>`, `no-data DISK_WRITES`).
 */
function findingKey(kind, subject) {
    if ('metric' in subject)
        return `${kind} ${subject.metric.identifier}`;
    if ('signature' in subject) {
        const { diagnosticType, signature } = subject.signature;
        const digest = (0,external_node_crypto_namespaceObject.createHash)('sha256').update(signature, 'utf8').digest('hex').slice(0, 16);
        return `${kind} ${diagnosticType}:${digest}`;
    }
    return `${kind} ${subject.diagnosticType}`;
}
/**
 * The rules, in order. A finding that the failing inputs turn off is only reported. Outside a
 * guard run nothing pauses. On a guard run the job fails on what the guard acts on (`pause-on`),
 * so a red guard means "paused, or would have"; once the rollout is over there is nothing left
 * to protect, and only `fail-after-rollout: true` keeps the failure.
 */
function consequences(kind, policy, confirmation) {
    const reportOnly = (reason) => ({
        failsJob: false,
        failsJobReason: reason,
        pauses: false,
        pausesReason: reason,
        wouldPause: false
    });
    const off = turnedOff(kind, policy);
    if (off)
        return reportOnly(off);
    const { guard } = policy;
    if (!guard) {
        return {
            failsJob: true,
            pauses: false,
            pausesReason: "'phased-release' is off: only a guard run pauses",
            wouldPause: false
        };
    }
    if (!guard.pauseOn.includes(kind))
        return reportOnly(notPausedOn(kind));
    const failing = (pausesReason) => ({
        failsJob: true,
        pauses: false,
        pausesReason,
        wouldPause: false
    });
    switch (guard.rollout) {
        case 'ACTIVE':
            // A failing job does not wait for confirmation; a pause does.
            if (confirmation && confirmation.inARow < confirmation.needed) {
                return failing(`${confirmation.inARow} of ${confirmation.needed} runs in a row: not pausing yet ('confirm-runs' is ${confirmation.needed})`);
            }
            return guard.mode === 'pause-on-failure'
                ? { failsJob: true, pauses: true, wouldPause: true }
                : {
                    failsJob: true,
                    pauses: false,
                    pausesReason: "'phased-release' is 'report' (a dry run); 'pause-on-failure' would pause",
                    wouldPause: true
                };
        case 'COMPLETE':
        case 'NONE': {
            const over = guard.rollout === 'COMPLETE'
                ? 'the rollout is complete (COMPLETE): nothing is left to protect'
                : 'the version has no phased release: nothing is left to protect';
            return guard.failAfterRollout
                ? failing(over)
                : reportOnly(`${over}, and 'fail-after-rollout' is false`);
        }
        case 'PAUSED':
            return failing('the rollout is already paused (PAUSED); the guard never resumes one');
        case 'INACTIVE':
            return failing('the rollout has not started (INACTIVE); only an active rollout is paused');
        default:
            return failing('the rollout is in a state the guard does not know; it pauses only ACTIVE');
    }
}
function turnedOff(kind, policy) {
    switch (kind) {
        case 'breach':
            return policy.failOnBreach ? undefined : "'fail-on-breach' is false";
        case 'signature-regression':
            return policy.failOnRegression ? undefined : "'fail-on-regression' is false";
        case 'metric-regression':
        case 'apple-regression':
            return policy.failOnMetricRegression ? undefined : "'fail-on-metric-regression' is false";
        case 'no-data':
            return policy.noData === 'fail' ? undefined : `'no-data' is '${policy.noData}'`;
    }
}
function notPausedOn(kind) {
    if (EVIDENCE[kind] === 'share')
        return "shares never pause unless 'pause-on' names them";
    return `'pause-on' does not name ${kind}`;
}
// Queries for the sinks: they read the findings, never the settings.
/** Every finding about one signature (a breach and a regression can share one). */
function findingsOf(findings, signatureId) {
    return findings.filter(f => 'signature' in f.subject && f.subject.signature.id === signatureId);
}
/** Every finding about one metric. */
function metricFindings(findings, identifier) {
    return findings.filter(f => 'metric' in f.subject && f.subject.metric.identifier === identifier);
}
/** How a set of findings marks its subject: ❌ when one fails the job, ⚠️ when only reported. */
function mark(findings) {
    if (findings.length === 0)
        return undefined;
    return findings.some(f => f.failsJob) ? '❌' : '⚠️';
}

;// CONCATENATED MODULE: ./src/cli/action-inputs.ts
// Generated from action.yml by scripts/cli-inputs.mjs (run by `npm run build`): do not edit.
/** The version `--version` prints: package.json's. */
const TOOL_VERSION = "1.0.0";
const ACTION_INPUTS = [
    {
        "name": "issuer-id",
        "description": "Issuer ID of a team API key (Users and Access → Integrations). Leave empty for an individual API key.",
        "required": false,
        "default": ""
    },
    {
        "name": "key-id",
        "description": "The API key's ID.",
        "required": true,
        "default": ""
    },
    {
        "name": "private-key",
        "description": "Contents of the AuthKey_<KEYID>.p8 file (PKCS#8 PEM, EC P-256). Also accepted with literal \\n escapes, with its line breaks turned into spaces, or base64-encoded. Pass it from a secret.",
        "required": true,
        "default": ""
    },
    {
        "name": "build-id",
        "description": "The App Store Connect build resource ID. Or leave it empty and give app-id or bundle-id with build-number and/or version.",
        "required": false,
        "default": ""
    },
    {
        "name": "app-id",
        "description": "The App Store Connect app ID, to look up the build (and the baseline) by version and build number.",
        "required": false,
        "default": ""
    },
    {
        "name": "bundle-id",
        "description": "The app's bundle ID; an alternative to app-id.",
        "required": false,
        "default": ""
    },
    {
        "name": "version",
        "description": "Marketing version of the build to look up (CFBundleShortVersionString), e.g. 2.4.0. Or live for the App Store version live now (READY_FOR_SALE) and its build; needs app-id or bundle-id.",
        "required": false,
        "default": ""
    },
    {
        "name": "build-number",
        "description": "Build number of the build to look up (CFBundleVersion), e.g. 412.",
        "required": false,
        "default": ""
    },
    {
        "name": "platform",
        "description": "Platform of the build to look up. IOS, MAC_OS, TV_OS or VISION_OS.",
        "required": false,
        "default": "IOS"
    },
    {
        "name": "diagnostic-types",
        "description": "Diagnostic types to gate, comma- or newline-separated, case-insensitive. HANGS, DISK_WRITES, LAUNCHES.",
        "required": false,
        "default": "HANGS,DISK_WRITES,LAUNCHES"
    },
    {
        "name": "limit",
        "description": "Top signatures fetched and reported per type, 1–200.",
        "required": false,
        "default": "10"
    },
    {
        "name": "threshold",
        "description": "The highest allowed weight of one signature, as a fraction (0.25) or a percentage (25%). A weight equal to it passes.",
        "required": false,
        "default": "0.5"
    },
    {
        "name": "hangs-threshold",
        "description": "Threshold for hangs; empty uses threshold.",
        "required": false,
        "default": ""
    },
    {
        "name": "disk-writes-threshold",
        "description": "Threshold for disk writes; empty uses threshold.",
        "required": false,
        "default": ""
    },
    {
        "name": "launches-threshold",
        "description": "Threshold for launches; empty uses threshold.",
        "required": false,
        "default": ""
    },
    {
        "name": "fail-on-breach",
        "description": "Fail the job when a signature is above its threshold. false reports without failing.",
        "required": false,
        "default": "true"
    },
    {
        "name": "no-data",
        "description": "What a requested type with no signatures, or a gated metric without data, means. pass, warn (a warning; the report says \"no data yet\") or fail.",
        "required": false,
        "default": "warn"
    },
    {
        "name": "baseline-build-id",
        "description": "A build to compare against; signatures that are new or rose by more than max-weight-increase are regressions.",
        "required": false,
        "default": ""
    },
    {
        "name": "baseline-version",
        "description": "Marketing version of the baseline build, looked up in the same app as the build. Or previous for the App Store version live before the live one, or live for the live one; both need app-id or bundle-id.",
        "required": false,
        "default": ""
    },
    {
        "name": "baseline-build-number",
        "description": "Build number of the baseline build, looked up in the same app as the build.",
        "required": false,
        "default": ""
    },
    {
        "name": "max-weight-increase",
        "description": "The largest allowed rise of a signature's weight over the baseline, as a fraction (0.05) or a percentage (5%).",
        "required": false,
        "default": "0.05"
    },
    {
        "name": "fail-on-regression",
        "description": "Fail the job when a signature's share regressed against the baseline. false reports it without failing. Metrics have fail-on-metric-regression.",
        "required": false,
        "default": "true"
    },
    {
        "name": "fail-on-metric-regression",
        "description": "Fail the job when a gated metric (a rate) regressed, by the rule or, with apple-regressions fail, by Apple's insight. false reports it without failing.",
        "required": false,
        "default": "true"
    },
    {
        "name": "metrics",
        "description": "Apple's power and performance metrics to gate, comma- or newline-separated, case-insensitive, e.g. hangRate, diskWrites, launchTime. Empty turns metrics off. docs/metrics.md lists the identifiers Apple documents and their units.",
        "required": false,
        "default": ""
    },
    {
        "name": "metric-percentile",
        "description": "Which users a metric describes. p50 (the typical user) or p90 (the worst tenth).",
        "required": false,
        "default": "p50"
    },
    {
        "name": "metric-device",
        "description": "Apple's device filter for metrics. all_iphones, all_ipads, or a model identifier such as iPhone15,2.",
        "required": false,
        "default": "all_iphones"
    },
    {
        "name": "max-metric-increase",
        "description": "The largest allowed relative rise of a metric over its reference, as a fraction (0.1) or a percentage (10%). A rise also has to clear both error margins to count.",
        "required": false,
        "default": "10%"
    },
    {
        "name": "metric-reference",
        "description": "What a metric is compared with. auto (the baseline's version when a baseline is given, else average), previous (the version before), average (the mean of up to 4 earlier versions with data, as Apple's insights do) or same-day (with history branch, the previous version's recorded figure at the same rollout day; previous when it has none near that day).",
        "required": false,
        "default": "auto"
    },
    {
        "name": "apple-regressions",
        "description": "Apple's own regression insights on a gated metric. report shows them, fail counts them as regressions, ignore drops them.",
        "required": false,
        "default": "report"
    },
    {
        "name": "include-logs",
        "description": "How many top signatures per type get their backtrace logs fetched; 0 turns it off.",
        "required": false,
        "default": "3"
    },
    {
        "name": "phased-release",
        "description": "The release guard, with version live. off (no guard), report (a dry run that logs \"would pause\"), or pause-on-failure (pauses an ACTIVE rollout on a finding that pause-on names). On a guard run the job fails on the findings pause-on names; the rest are reported. It never resumes a rollout.",
        "required": false,
        "default": "off"
    },
    {
        "name": "pause-on",
        "description": "Which findings pause the rollout (and fail a guard run), comma-separated. metric-regression, apple-regression, signature-regression, breach, no-data, or any. Rates decide whether users got worse; shares only say where.",
        "required": false,
        "default": "metric-regression, apple-regression"
    },
    {
        "name": "fail-after-rollout",
        "description": "On a guard run, keep failing the job once the rollout is COMPLETE (or the version has no phased release). false, the default, reports the findings without failing, since there is nothing left to pause.",
        "required": false,
        "default": "false"
    },
    {
        "name": "confirm-runs",
        "description": "On a guard run, how many recorded runs of the version in a row must have the same finding before it pauses the rollout; 1 pauses on the first. More than 1 needs history branch and phased-release report or pause-on-failure; without a readable history it pauses on the first. A failing job does not wait for confirmation.",
        "required": false,
        "default": "1"
    },
    {
        "name": "history",
        "description": "off, or branch to keep every guard run's decision record on a data branch of this repository (needs permissions contents write), for same-day, confirm-runs and the rollout's charts. A public repository makes the records public.",
        "required": false,
        "default": "off"
    },
    {
        "name": "history-branch",
        "description": "The data branch the history is kept on, created by the first run.",
        "required": false,
        "default": "asc-diagnostics-history"
    },
    {
        "name": "history-keep-versions",
        "description": "How many App Store versions of each app the history keeps; each run removes the oldest versions' folders beyond this, from 1 to 100.",
        "required": false,
        "default": "10"
    },
    {
        "name": "report-path",
        "description": "Where to write the full JSON report, the run's decision record (asc-diagnostics-gate replay derives the verdict again from it). Empty means a file under RUNNER_TEMP.",
        "required": false,
        "default": ""
    },
    {
        "name": "annotate-source",
        "description": "true annotates the blamed line of each reported signature in the checked-out code (needs actions/checkout before this step); false does not.",
        "required": false,
        "default": "true"
    },
    {
        "name": "sarif-path",
        "description": "Where to write a SARIF 2.1.0 log of the breached and regressed signatures and the regressed metrics, for github/codeql-action/upload-sarif. Empty writes none.",
        "required": false,
        "default": ""
    },
    {
        "name": "junit-path",
        "description": "Where to write JUnit XML (one test suite per diagnostic type and one for the metrics, one test case per reported signature or gated metric), for any CI's test report. Empty writes none.",
        "required": false,
        "default": ""
    },
    {
        "name": "timeout-minutes",
        "description": "One budget for everything the run asks of App Store Connect (every request, retry and wait), the phased-release guard's re-read and pause included. Logs not in when a quarter of it (at most 30 s) is left are given up, and metrics not read are reported unavailable; the signatures still decide, and only builds or signatures that have not arrived fail the run. Decimals are accepted (0.5 is 30 seconds).",
        "required": false,
        "default": "10"
    },
    {
        "name": "comment",
        "description": "true posts or updates one pull-request comment; on-breach creates it only when something breaches or regressed (but still updates an existing one); false never comments.",
        "required": false,
        "default": "true"
    },
    {
        "name": "comment-header",
        "description": "Tells apart several sticky comments on one pull request, for example one per app in a matrix.",
        "required": false,
        "default": ""
    },
    {
        "name": "pr-number",
        "description": "The pull request to comment on when the event is not a pull request (workflow_run, workflow_dispatch, release).",
        "required": false,
        "default": ""
    },
    {
        "name": "github-token",
        "description": "Token for the pull-request comment (needs pull-requests write) and the history branch (needs contents write).",
        "required": false,
        "default": "${{ github.token }}"
    },
    {
        "name": "api-base-url",
        "description": "App Store Connect API base URL, for proxies and tests. https only, except http to a loopback address.",
        "required": false,
        "default": "https://api.appstoreconnect.apple.com"
    }
];

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/text.ts
/**
 * C0 and C1 controls, line and paragraph separators, and the bidi controls that can reorder
 * what a reader sees ("Trojan Source"): U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069.
 */
// One list of the bidi controls, as regex escapes, for the sanitizer and for JSON's escapes.
const BIDI_CHARS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const BIDI = new RegExp(`[${BIDI_CHARS}]`, 'g');
/** Half of a surrogate pair without its other half: no encoding can spell it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * The one sanitizer for text from App Store Connect, before it reaches Markdown, a log line,
 * an annotation or a backtrace: controls become a space, bidi controls are removed, and a lone
 * surrogate becomes U+FFFD (as any UTF-8 file would spell it; JSON would take 6 bytes for it).
 */
function sanitize(text) {
    return text.replace(BIDI, '').replace(CONTROLS, ' ').replace(LONE_SURROGATE, '\ufffd');
}
/**
 * What JSON.stringify leaves raw but a terminal or a viewer acts on: DEL and the C1 controls
 * (U+0085 NEL, U+009B CSI, U+009D OSC…, which set a window title or reach the clipboard), the
 * line and paragraph separators, and the bidi controls. JSON and XML spell them as escapes.
 */
const VIEWER_UNSAFE = new RegExp(`[\\u007f-\\u009f\\u2028\\u2029${BIDI_CHARS}]`, 'g');
/**
 * JSON as every JSON the tool prints or writes spells it: JSON.stringify, with the characters
 * above as `\uXXXX` escapes, so the text parses back the same but its bytes carry none of them.
 * They can only stand inside strings, where an escape means the same character.
 */
function safeJson(value, space) {
    return JSON.stringify(value, null, space).replace(VIEWER_UNSAFE, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
/**
 * Untrusted text (from App Store Connect or a pull request) made safe for one log line or
 * error message: no control characters, so it cannot start a workflow command such as
 * `::add-mask::` on a new line, and bounded in length.
 */
function oneLine(text, max = 200) {
    return truncate(sanitize(text).replace(/::/g, ': :'), max);
}
/** At most `max` UTF-16 units, ending in … when cut, never splitting a surrogate pair. */
function truncate(text, max) {
    if (text.length <= max)
        return text;
    let end = max - 1;
    if (/[\ud800-\udbff]/.test(text[end - 1] ?? ''))
        end--;
    return `${text.slice(0, end)}…`;
}
/**
 * A bad value from a response, described in a few words without walking into it: a value
 * nested thousands of levels deep must not overflow the stack while an error is phrased.
 */
function describeValue(value) {
    if (value === undefined)
        return 'missing';
    if (value === null)
        return 'null';
    if (typeof value === 'string')
        return `"${oneLine(value, 40)}"`;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    if (Array.isArray(value))
        return `a list of ${plural(value.length, 'item')}`;
    if (typeof value === 'object')
        return 'an object';
    return `a ${typeof value}`;
}
function percent(weight) {
    return `${(weight * 100).toFixed(1)}%`;
}
/** A threshold as the user likely wrote it: 50%, 12.5%. */
function limitPercent(weight) {
    return `${Number((weight * 100).toFixed(2))}%`;
}
/**
 * 3,400: thousands separated by commas, as en-US writes them. Not toLocaleString, which loads
 * ICU's number formatting (about 30 ms and 5 MB at start-up) for one footer line.
 */
function groupDigits(count) {
    const digits = String(Math.trunc(Math.abs(count)));
    return `${count < 0 ? '-' : ''}${digits.replace(/\B(?=(\d{3})+$)/g, ',')}`;
}
function plural(count, one, many = `${one}s`) {
    return `${count} ${count === 1 ? one : many}`;
}

;// CONCATENATED MODULE: ./src/config/values.ts





// One parser per kind of value; each throws an InputError that names the input and what it takes.
/** A weight limit: a fraction (0.25) or a percentage (25%), within 0–1. */
function fraction(name, value) {
    const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(value);
    // Shift the decimal point in the text: 0.7 / 100 would be 0.006999…, and 0.7% must equal 0.007.
    const number = match ? Number(match[2] ? `${match[1]}e-2` : match[1]) : NaN;
    if (!Number.isFinite(number) || number < 0 || number > 1) {
        // `30` is almost always 30% written without its sign.
        const meant = match && !match[2] && number > 1 && number <= 100 ? ` Did you mean ${value}%?` : '';
        throw new InputError(`Input '${name}' is '${value}'; use a fraction from 0 to 1 (0.25) or a percentage from 0% to 100% (25%).${meant}`);
    }
    return number;
}
function integer(name, value, min, max) {
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
        throw new InputError(`Input '${name}' is '${value}'; use a whole number from ${min} to ${max}.`);
    }
    return number;
}
function isBranchName(value) {
    return (/^[A-Za-z0-9._/-]{1,100}$/.test(value) &&
        !/(^[-/.])|(\.\.)|(\/\/)|(\/\.)|([/.]$)|(\.lock$)|(\.lock\/)/.test(value));
}
/** A branch name git and GitHub take as it is: no `..`, no leading `-` or `/`, no `.lock`. */
function branchName(value) {
    if (!isBranchName(value)) {
        throw new InputError(`Input 'history-branch' is '${value}'; use a branch name of letters, digits, '.', '_', '-' and '/' (up to 100), without '..' or a leading '-', '/' or '.'.`);
    }
    return value;
}
/** A positive number of minutes; decimals allowed (0.5 is 30 seconds). */
function minutes(name, value) {
    const number = /^(\d+(\.\d+)?|\.\d+)$/.test(value) ? Number(value) : NaN;
    if (!(number > 0 && number <= ASC.maxTimeoutMinutes)) {
        throw new InputError(`Input '${name}' is '${value.slice(0, 40)}'; use a number of minutes above 0 and up to ${ASC.maxTimeoutMinutes}, such as 10 or 2.5.`);
    }
    return number;
}
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
function values_boolean(name, value) {
    if (TRUE.includes(value))
        return true;
    if (FALSE.includes(value))
        return false;
    throw new InputError(`Input '${name}' is '${value}'; use true or false.`);
}
function oneOf(name, value, allowed) {
    if (allowed.includes(value))
        return value;
    throw new InputError(`Input '${name}' is '${value}'; use one of: ${allowed.join(', ')}.`);
}
function commentMode(value) {
    const mode = oneOf('comment', value.toLowerCase(), ['true', 'on-breach', 'false']);
    return mode === 'true' ? 'always' : mode === 'false' ? 'never' : 'on-breach';
}
/** `pause-on`: finding kinds, comma- or newline-separated, or `any` for every kind. */
function pauseOn(value) {
    const names = value
        .split(/[,\n]/)
        .map(part => part.trim().toLowerCase())
        .filter(Boolean);
    const accepted = `use a comma-separated list of ${FINDING_KINDS.join(', ')}, or any`;
    if (names.length === 0)
        throw new InputError(`Input 'pause-on' is empty; ${accepted}.`);
    if (names.includes('any'))
        return [...FINDING_KINDS];
    const kinds = [];
    for (const name of names) {
        const kind = FINDING_KINDS.find(known => known === name);
        if (!kind)
            throw new InputError(`Input 'pause-on' has '${name.slice(0, 40)}'; ${accepted}.`);
        if (!kinds.includes(kind))
            kinds.push(kind);
    }
    return kinds;
}
function diagnosticTypes(value) {
    const names = value
        .split(/[,\n]/)
        .map(part => part.trim())
        .filter(part => part.length > 0);
    const types = [];
    for (const name of names) {
        const normalized = name.toUpperCase().replace(/[- ]/g, '_');
        const type = DIAGNOSTIC_TYPES.find(known => known === normalized);
        if (!type) {
            throw new InputError(`Input 'diagnostic-types' has '${name}'; use one or more of ${DIAGNOSTIC_TYPES.join(', ')}, separated by commas or newlines.`);
        }
        if (!types.includes(type))
            types.push(type);
    }
    if (types.length === 0) {
        throw new InputError(`Input 'diagnostic-types' is empty; use one or more of ${DIAGNOSTIC_TYPES.join(', ')}.`);
    }
    return types;
}
/** The key and issuer IDs as App Store Connect shows them. */
function identifier(name, value, required) {
    if (!value) {
        if (required)
            throw new InputError(`Input '${name}' is required.`);
        return '';
    }
    if (!RESOURCE_ID.test(value)) {
        throw new InputError(`Input '${name}' must be letters, digits and dashes as shown in App Store Connect (Users and Access → Integrations).`);
    }
    const swapped = swappedKeyInput(name, value);
    if (swapped)
        throw new InputError(swapped);
    return value;
}
/** A key ID is 10 characters (ABC123DEF4); an issuer ID is a UUID. Each shape gives the other away. */
const KEY_ID_SHAPE = /^[A-Z0-9]{10}$/;
const ISSUER_ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function swappedKeyInput(name, value) {
    const question = "did you swap 'key-id' and 'issuer-id'?";
    if (name === 'key-id' && ISSUER_ID_SHAPE.test(value)) {
        return `Input 'key-id' looks like an issuer ID (a UUID); ${question} A key ID is 10 characters, such as ABC123DEF4.`;
    }
    if (name === 'issuer-id' && KEY_ID_SHAPE.test(value)) {
        return `Input 'issuer-id' looks like a key ID (10 characters); ${question} An issuer ID is a UUID, shown above the list of team keys.`;
    }
    return undefined;
}
const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
/** https anywhere; plain http only to this machine, where no token can be sniffed. */
function baseUrl(value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new InputError(`Input 'api-base-url' is not a URL; use https://api.appstoreconnect.apple.com or your proxy's https URL.`);
    }
    const loopback = LOOPBACK_HOSTS.test(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        throw new InputError(`Input 'api-base-url' must use https (plain http is accepted only for a loopback address such as 127.0.0.1).`);
    }
    if (url.username || url.password || url.search || url.hash) {
        throw new InputError(`Input 'api-base-url' must not carry credentials, a query or a fragment.`);
    }
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
function header(value) {
    if (!/^[A-Za-z0-9 ._/:@()+-]{0,64}$/.test(value) || value.includes('--')) {
        throw new InputError(`Input 'comment-header' is '${value.slice(0, 80)}'; use up to 64 letters, digits, spaces or . _ / : @ ( ) + - (no '--').`);
    }
    return value;
}
function resourceId(name, value) {
    if (!RESOURCE_ID.test(value)) {
        throw new InputError(`Input '${name}' is '${value.slice(0, 80)}'; use the App Store Connect resource ID (letters, digits and dashes).`);
    }
    return value;
}
/**
 * The report-file inputs that name the same file, each pair as a problem: the later write would
 * replace the earlier (JUnit XML where code scanning expects SARIF). Paths are compared as the
 * files are written, resolved from the working directory (the workspace on a runner), and
 * without case where the file system usually ignores it (macOS, Windows).
 */
function sharedReportFiles(paths) {
    const ignoresCase = process.platform === 'darwin' || process.platform === 'win32';
    const owner = new Map();
    const problems = [];
    for (const [name, path] of Object.entries(paths)) {
        if (!path)
            continue;
        const target = (0,external_node_path_namespaceObject.resolve)(path);
        const key = ignoresCase ? target.toLowerCase() : target;
        const first = owner.get(key);
        if (first) {
            problems.push(`Inputs '${first}' and '${name}' both name the file ${oneLine(target, 300)}; give each report a path of its own.`);
        }
        else
            owner.set(key, name);
    }
    return problems;
}

;// CONCATENATED MODULE: ./src/config/build-refs.ts


/** The build to gate and the optional baseline, each by resource ID or by lookup. */
function buildRefs(inputs, platform) {
    const build = inputs.attempt(() => buildRef(inputs, platform), undefined);
    const baseline = inputs.attempt(() => baselineRef(inputs, build, platform), undefined);
    return { build, baseline };
}
function buildRef(inputs, platform) {
    const id = inputs.optional('build-id');
    if (id)
        return { kind: 'id', id: resourceId('build-id', id) };
    const released = releasedRef(inputs, '', platform);
    if (released)
        return released;
    const app = appRef(inputs, `Input 'build-id' is required; or give 'app-id' (or 'bundle-id') with 'build-number' and/or 'version' to look the build up.`);
    const { version, buildNumber } = versions(inputs, '');
    if (!version && !buildNumber) {
        throw new InputError(`Input 'build-number' (or 'version') is required to look up the build when 'build-id' is not given.`);
    }
    return { kind: 'lookup', app, version, buildNumber, platform };
}
function baselineRef(inputs, build, platform) {
    const id = inputs.optional('baseline-build-id');
    if (id)
        return { kind: 'id', id: resourceId('baseline-build-id', id) };
    const released = releasedRef(inputs, 'baseline-', platform);
    if (released)
        return released;
    const { version, buildNumber } = versions(inputs, 'baseline-');
    if (!version && !buildNumber)
        return undefined;
    const app = appRef(inputs, `Inputs 'baseline-version' and 'baseline-build-number' need 'app-id' or 'bundle-id' to find the baseline; or give 'baseline-build-id'.`);
    if (build?.kind === 'lookup')
        return { ...build, version, buildNumber };
    return { kind: 'lookup', app, version, buildNumber, platform };
}
/**
 * `version: live`, `baseline-version: live` or `baseline-version: previous` (any case): an App
 * Store version of the app rather than a version number; undefined for anything else.
 */
function releasedRef(inputs, prefix, platform) {
    const which = inputs.optional(`${prefix}version`)?.toLowerCase();
    if (which !== 'live' && (which !== 'previous' || !prefix))
        return undefined;
    const input = `'${prefix}version: ${which}'`;
    if (inputs.optional(`${prefix}build-number`)) {
        throw new InputError(`Input '${prefix}build-number' cannot be combined with ${input}, which picks that version's build.`);
    }
    const app = appRef(inputs, `${input} needs 'app-id' or 'bundle-id' to find the app's App Store versions.`);
    return { kind: 'released', which, app, platform };
}
/** The app named by `app-id` or `bundle-id`, exactly one of them; `missing` when neither. */
function appRef(inputs, missing) {
    const appId = inputs.optional('app-id');
    const bundleId = inputs.optional('bundle-id');
    if (appId && bundleId) {
        throw new InputError(`Inputs 'app-id' and 'bundle-id' both name the app; give only one.`);
    }
    if (appId)
        return { appId: resourceId('app-id', appId) };
    if (!bundleId)
        throw new InputError(missing);
    if (!/^[A-Za-z0-9.-]{1,155}$/.test(bundleId)) {
        throw new InputError(`Input 'bundle-id' is '${bundleId.slice(0, 80)}'; use a bundle ID such as com.example.app.`);
    }
    return { bundleId };
}
/** `version` and `build-number`, or their `baseline-` forms. */
function versions(inputs, prefix) {
    // A marketing version as a tag names it: `v2.4.0` is version 2.4.0.
    const version = versionString(`${prefix}version`, inputs.optional(`${prefix}version`));
    return {
        version: version?.replace(/^[vV](?=\d)/, ''),
        buildNumber: versionString(`${prefix}build-number`, inputs.optional(`${prefix}build-number`))
    };
}
function versionString(name, value) {
    if (value !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
        throw new InputError(`Input '${name}' is '${value.slice(0, 80)}'; use a version such as 2.4.0 or a build number such as 412.`);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/config/inputs.ts

const ASCII_TRIM = /^[ \t\r\n]+|[ \t\r\n]+$/g;
// Invisible or control characters that survive a copy-paste and silently change a value.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00a0\u200b-\u200f\u2028\u2029\u2060\ufeff]/;
/**
 * The inputs being parsed, and every problem found so far: each parser reports its input's
 * problem once, where it is parsed, and parsing goes on so that all of them are listed at once.
 */
class inputs_Inputs {
    read;
    problems = [];
    constructor(read) {
        this.read = read;
    }
    /** The value exactly as given (the key keeps its own whitespace rules). */
    raw(name) {
        return this.read(name) ?? '';
    }
    /** The value without surrounding ASCII whitespace; refuses invisible characters. */
    text(name) {
        const value = this.raw(name).replace(ASCII_TRIM, '');
        const bad = INVISIBLE.exec(value);
        if (bad) {
            const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
            throw new InputError(`Input '${name}' contains an invisible character (U+${code}); remove it.`);
        }
        return value;
    }
    optional(name) {
        return this.text(name) || undefined;
    }
    /**
     * Runs one parser: an InputError becomes a listed problem and the result is `fallback`, which
     * never leaves parseConfig (it throws when any problem was listed).
     */
    attempt(parse, fallback) {
        try {
            return parse();
        }
        catch (error) {
            if (!(error instanceof InputError))
                throw error;
            this.problems.push(error.message);
            return fallback;
        }
    }
    /** The value of an input with a default, parsed; `fallback` when it has a problem. */
    parsed(name, byDefault, parse, fallback) {
        return this.attempt(() => parse(this.text(name) || byDefault), fallback);
    }
}

;// CONCATENATED MODULE: ./src/metrics/model.ts
const METRIC_CATEGORIES = [
    'HANG',
    'LAUNCH',
    'MEMORY',
    'DISK',
    'BATTERY',
    'TERMINATION',
    'ANIMATION',
    'STORAGE'
];
/**
 * The identifiers whose direction is known: for each, a higher value is worse. Any other
 * identifier is reported but never gated.
 */
const KNOWN_METRICS = [
    { identifier: 'hangRate', category: 'HANG', label: 'Hang rate', unit: 's/hr', source: 'apple' },
    {
        identifier: 'launchTime',
        category: 'LAUNCH',
        label: 'Launch time',
        unit: 'ms',
        source: 'apple'
    },
    {
        identifier: 'scrollHitchRate',
        category: 'ANIMATION',
        label: 'Scroll hitch rate',
        // Apple's only example names it "%" (`unit.displayName`), not a time per second.
        unit: '%',
        source: 'apple'
    },
    {
        identifier: 'diskWrites',
        category: 'DISK',
        label: 'Disk writes',
        unit: 'MB',
        source: 'third-party'
    },
    {
        identifier: 'peakMemory',
        category: 'MEMORY',
        label: 'Peak memory',
        unit: 'MB',
        source: 'third-party'
    },
    {
        identifier: 'memoryAtSuspension',
        category: 'MEMORY',
        label: 'Memory at suspension',
        unit: 'MB',
        source: 'third-party'
    }
];
/** What `metrics` accepts as an identifier, and the index of the guard's history keeps. */
const METRIC_IDENTIFIER = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** What `metric-device` accepts: `all_iphones`, `all_ipads`, or a model such as `iPhone15,2`. */
const METRIC_DEVICE = /^(all_[a-z]{1,20}|[A-Za-z]{1,20}\d{1,3},\d{1,3})$/;
function knownMetric(identifier) {
    const wanted = identifier.toLowerCase();
    return KNOWN_METRICS.find(m => m.identifier.toLowerCase() === wanted);
}
/** A known identifier as this tool spells it (`hangrate` → `hangRate`); any other as given. */
function metricIdentifier(identifier) {
    return knownMetric(identifier)?.identifier ?? identifier;
}
const PERCENTILE_KEYS = {
    p50: 'percentile.fifty',
    p90: 'percentile.ninety'
};

;// CONCATENATED MODULE: ./src/config/metrics.ts



/** At most this many metrics per run: one request fetches them all, the report stays readable. */
const MAX_METRICS = 20;
/**
 * The power and performance metrics to gate. Every metric input is validated even when
 * `metrics` is empty, so a typo never waits for the day it is used. Undefined when `metrics`
 * is empty (metrics are off).
 */
function metricSettings(inputs, platform) {
    const identifiers = inputs.parsed('metrics', '', metricList, []);
    const lowerCase = (name, allowed) => (value) => oneOf(name, value.toLowerCase(), allowed);
    const settings = {
        percentile: inputs.parsed('metric-percentile', 'p50', lowerCase('metric-percentile', ['p50', 'p90']), 'p50'),
        device: inputs.parsed('metric-device', 'all_iphones', deviceFilter, ''),
        maxIncrease: inputs.parsed('max-metric-increase', '10%', v => fraction('max-metric-increase', v), 0),
        reference: inputs.parsed('metric-reference', 'auto', lowerCase('metric-reference', ['auto', 'previous', 'average', 'same-day']), 'auto'),
        appleRegressions: inputs.parsed('apple-regressions', 'report', lowerCase('apple-regressions', ['report', 'fail', 'ignore']), 'report'),
        platform
    };
    if (identifiers.length === 0)
        return undefined;
    return Object.freeze({ identifiers: Object.freeze(identifiers), ...settings });
}
function metricList(value) {
    const names = value
        .split(/[,\n]/)
        .map(part => part.trim())
        .filter(Boolean);
    const identifiers = [];
    for (const name of names) {
        if (!METRIC_IDENTIFIER.test(name)) {
            throw new InputError(`Input 'metrics' has '${name.slice(0, 80)}'; use metric identifiers such as ${KNOWN_METRICS.map(m => m.identifier).join(', ')}, separated by commas or newlines.`);
        }
        const identifier = metricIdentifier(name);
        if (!identifiers.some(known => known.toLowerCase() === identifier.toLowerCase()))
            identifiers.push(identifier);
    }
    if (identifiers.length > MAX_METRICS) {
        throw new InputError(`Input 'metrics' names ${identifiers.length} metrics; use at most ${MAX_METRICS}.`);
    }
    return identifiers;
}
/** `all_iphones`, `all_ipads`, or a model identifier such as `iPhone15,2`. */
function deviceFilter(value) {
    if (METRIC_DEVICE.test(value))
        return value;
    throw new InputError(`Input 'metric-device' is '${value.slice(0, 80)}'; use all_iphones, all_ipads or a model identifier such as iPhone15,2.`);
}

;// CONCATENATED MODULE: ./src/config/private-key.ts


const BEGIN = '-----BEGIN PRIVATE KEY-----';
const END = '-----END PRIVATE KEY-----';
const OTHER_PEM = /-----BEGIN ([A-Z0-9 ]+)-----/;
const AGAIN = 'paste the whole .p8 file again';
/**
 * Reads an App Store Connect .p8 key: PKCS#8 PEM, the PEM with literal `\n` escapes, the PEM
 * with its line breaks turned into spaces, or the base64 of the PEM. Messages never include
 * any part of the key.
 */
function parsePrivateKey(input) {
    const raw = input.trim();
    if (!raw)
        throw new InputError(`Input 'private-key' is required: paste the contents of the AuthKey_<KEYID>.p8 file (for example from a secret).`);
    // A path is no secret: the file's contents are what the input needs.
    if (/^\S+\.p8$/i.test(raw) || /^(\.{0,2}\/|~\/)\S*$/.test(raw)) {
        throw new InputError(`Input 'private-key' looks like a file path; pass the file's contents instead (in a workflow, a secret that holds the whole .p8 text).`);
    }
    const text = toPemText(raw);
    const secrets = [
        raw,
        text,
        ...text.split(/\s+/).filter(part => part.length >= 8 && /^[A-Za-z0-9+/=]+$/.test(part))
    ];
    const start = text.indexOf(BEGIN);
    if (start < 0) {
        const kind = OTHER_PEM.exec(text)?.[1];
        throw new InputError(kind === 'EC PRIVATE KEY'
            ? `Input 'private-key' holds an 'EC PRIVATE KEY' PEM block (SEC1); App Store Connect expects the PKCS#8 form ('BEGIN PRIVATE KEY') of the .p8 file: convert it with \`openssl pkcs8 -topk8 -nocrypt -in key.pem\`.`
            : kind
                ? `Input 'private-key' holds a PEM block of type '${kind}'; App Store Connect keys are PKCS#8 ('BEGIN PRIVATE KEY'), as downloaded in the .p8 file.`
                : `Input 'private-key' is not a PEM key; paste the whole .p8 file, including the BEGIN and END lines (or its base64).`);
    }
    const end = text.indexOf(END, start);
    if (end < 0) {
        throw new InputError(`Input 'private-key' has its BEGIN PRIVATE KEY line but the END PRIVATE KEY line is missing; ${AGAIN}, down to '${END}'.`);
    }
    const body = text.slice(start + BEGIN.length, end).replace(/\s+/g, '');
    secrets.push(body);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
        throw new InputError(`Input 'private-key' has characters between its BEGIN and END lines that are not base64; ${AGAIN}.`);
    }
    // Rewrapped at 64 columns: a PEM whose line breaks became spaces is read like the original.
    const pem = `${BEGIN}\n${body.match(/.{1,64}/g).join('\n')}\n${END}\n`;
    let key;
    try {
        key = (0,external_node_crypto_namespaceObject.createPrivateKey)({ key: pem, format: 'pem' });
    }
    catch {
        throw new InputError(`Input 'private-key' could not be read as a PKCS#8 key; it looks truncated or damaged: ${AGAIN}.`);
    }
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
        const found = key.asymmetricKeyType === 'ec'
            ? `an EC key on ${curve}`
            : `an ${key.asymmetricKeyType?.toUpperCase()} key`;
        throw new InputError(`Input 'private-key' holds ${found}; App Store Connect API keys are EC P-256 (ES256) keys.`);
    }
    if (!consistent(key)) {
        throw new InputError(`Input 'private-key' is damaged: its private part does not match the public key stored with it; ${AGAIN}.`);
    }
    return { key, secrets: [...new Set(secrets)] };
}
/**
 * Whether the private scalar yields the public point the key carries. OpenSSL loads a key
 * with damaged bytes in either part; WebCrypto (and so jose) then refuses to sign with it.
 */
function consistent(key) {
    const { d, x, y } = key.export({ format: 'jwk' });
    if (!d)
        return false;
    try {
        const ecdh = (0,external_node_crypto_namespaceObject.createECDH)('prime256v1');
        ecdh.setPrivateKey(Buffer.from(d, 'base64url'));
        if (!x || !y)
            return true; // no public part stored: nothing to disagree with
        const stored = Buffer.concat([
            Buffer.from([4]),
            Buffer.from(x, 'base64url'),
            Buffer.from(y, 'base64url')
        ]);
        return ecdh.getPublicKey().equals(stored);
    }
    catch {
        return false;
    }
}
function toPemText(raw) {
    let text = raw;
    if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
        const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
        if (decoded.includes('-----BEGIN'))
            text = decoded.trim();
    }
    if (!text.includes('\n') && text.includes('\\n'))
        text = text.replace(/\\n/g, '\n');
    return text.replace(/\r\n?/g, '\n');
}

;// CONCATENATED MODULE: ./src/config/parse.ts









/**
 * Inputs that are never recorded: the key and the token, and the key's IDs, which are not secret
 * alone but which a history branch in a public repository would publish.
 */
const UNRECORDED_INPUTS = [
    'private-key',
    'github-token',
    'issuer-id',
    'key-id'
];
/** Parses and validates every input; throws one InputError that lists each problem. */
function parseConfig(read) {
    const inputs = new inputs_Inputs(read);
    const key = apiKey(inputs);
    const settings = parsedSettings(inputs);
    const githubToken = inputs.raw('github-token').trim();
    if (inputs.problems.length > 0 || !key || !settings)
        throw problemsOf(inputs);
    return Object.freeze({ ...key, ...settings, githubToken });
}
/**
 * Parses and validates every input but the key and the token, as `replay` does with a record's
 * inputs; throws one InputError that lists each problem.
 */
function parseSettings(read) {
    const inputs = new Inputs(read);
    const settings = parsedSettings(inputs);
    if (inputs.problems.length > 0 || !settings)
        throw problemsOf(inputs);
    return Object.freeze(settings);
}
function problemsOf(inputs) {
    return new InputError([...new Set(inputs.problems)].join('\n'));
}
function parsedSettings(inputs) {
    const gate = gateSettings(inputs);
    const api = {
        apiBaseUrl: inputs.parsed('api-base-url', ASC.defaultBaseUrl, baseUrl, ''),
        timeoutMinutes: inputs.parsed('timeout-minutes', String(ASC.defaultTimeoutMinutes), value => minutes('timeout-minutes', value), 0)
    };
    const comment = commentSettings(inputs);
    const report = reportSettings(inputs);
    const platform = inputs.parsed('platform', 'IOS', v => oneOf('platform', v.toUpperCase(), PLATFORMS), 'IOS');
    const { build, baseline } = buildRefs(inputs, platform);
    const guard = guardSettings(inputs, build);
    const metrics = metricSettings(inputs, platform);
    const memory = historySettings(inputs, build, guard.phasedRelease, metrics);
    if (!build)
        return undefined;
    return {
        inputs: Object.freeze(recordedInputs(inputs, api.apiBaseUrl)),
        build,
        baseline,
        ...gate,
        ...api,
        ...comment,
        ...report,
        ...guard,
        metrics,
        ...memory
    };
}
/** The guard's memory: where it is kept, and what needs it (`confirm-runs`, `same-day`). */
function historySettings(inputs, build, phasedRelease, metrics) {
    const mode = inputs.parsed('history', 'off', v => oneOf('history', v.toLowerCase(), ['off', 'branch']), 'off');
    const branch = inputs.parsed('history-branch', HISTORY.defaultBranch, branchName, '');
    const keepVersions = inputs.parsed('history-keep-versions', String(HISTORY.defaultKeepVersions), v => integer('history-keep-versions', v, 1, HISTORY.maxKeepVersions), 0);
    const confirmRuns = inputs.parsed('confirm-runs', '1', v => integer('confirm-runs', v, 1, HISTORY.maxConfirmRuns), 1);
    const live = build?.kind === 'released' && build.which === 'live';
    if (mode === 'branch' && build && !live) {
        inputs.problems.push("Input 'history' is 'branch', which keeps a guard's runs of the live version; it needs 'version: live' (with 'app-id' or 'bundle-id').");
    }
    if (metrics?.reference === 'same-day' && mode !== 'branch') {
        inputs.problems.push("Input 'metric-reference' is 'same-day', which compares with the previous version's recorded runs; it needs 'history: branch'.");
    }
    if (metrics?.reference === 'same-day' && mode === 'branch' && keepVersions < 2) {
        inputs.problems.push("Input 'history-keep-versions' is '1', which keeps no previous version for 'metric-reference: same-day'; use 2 or more.");
    }
    if (confirmRuns > 1 && (mode !== 'branch' || phasedRelease === 'off')) {
        inputs.problems.push(`Input 'confirm-runs' is '${confirmRuns}', which counts a guard's recorded runs; it needs 'history: branch' and 'phased-release' set to report or pause-on-failure.`);
    }
    return {
        confirmRuns,
        ...(mode === 'branch' ? { history: Object.freeze({ branch, keepVersions }) } : {})
    };
}
/** Each input as read, or its default: what the decision record keeps of the settings. */
function recordedInputs(inputs, apiBaseUrl) {
    const recorded = {};
    for (const input of ACTION_INPUTS) {
        if (UNRECORDED_INPUTS.includes(input.name))
            continue;
        recorded[input.name] =
            input.name === 'api-base-url'
                ? apiBaseUrl
                : inputs.attempt(() => inputs.text(input.name), '') || input.default;
    }
    return recorded;
}
/** The release guard: `phased-release` watches the live version's rollout, so it needs `version: live`. */
function guardSettings(inputs, build) {
    const mode = inputs.parsed('phased-release', 'off', v => oneOf('phased-release', v.toLowerCase(), [
        'off',
        'report',
        'pause-on-failure'
    ]), 'off');
    if (mode !== 'off' && build && !(build.kind === 'released' && build.which === 'live')) {
        inputs.problems.push(`Input 'phased-release' is '${mode}', which watches the live version's rollout; it needs 'version: live' (with 'app-id' or 'bundle-id').`);
    }
    return {
        phasedRelease: mode,
        pauseOn: Object.freeze(inputs.parsed('pause-on', DEFAULT_PAUSE_ON.join(', '), pauseOn, [...DEFAULT_PAUSE_ON])),
        failAfterRollout: inputs.parsed('fail-after-rollout', 'false', v => values_boolean('fail-after-rollout', v), false)
    };
}
/** The API key: its ID, the issuer (empty for an individual key) and the .p8 contents. */
function apiKey(inputs) {
    const keyId = inputs.attempt(() => identifier('key-id', inputs.text('key-id'), true), '');
    const issuerId = inputs.attempt(() => identifier('issuer-id', inputs.text('issuer-id'), false), '');
    const key = inputs.attempt(() => parsePrivateKey(inputs.raw('private-key')), undefined);
    return (key && {
        keyId,
        issuerId: issuerId || undefined,
        privateKey: key.key,
        keySecrets: Object.freeze(key.secrets)
    });
}
/** What is checked, and what fails the job. */
function gateSettings(inputs) {
    const limit = inputs.parsed('limit', '10', v => integer('limit', v, 1, ASC.maxPageSize), 0);
    const threshold = inputs.parsed('threshold', '0.5', v => fraction('threshold', v), 0);
    const typeThreshold = (type) => {
        const name = `${type.toLowerCase().replace('_', '-')}-threshold`;
        const value = inputs.attempt(() => inputs.text(name), '');
        return value ? inputs.attempt(() => fraction(name, value), threshold) : threshold;
    };
    const flag = (name) => inputs.parsed(name, 'true', v => values_boolean(name, v), true);
    return {
        limit,
        thresholds: Object.freeze(Object.fromEntries(DIAGNOSTIC_TYPES.map(type => [type, typeThreshold(type)]))),
        types: Object.freeze(inputs.parsed('diagnostic-types', DIAGNOSTIC_TYPES.join(','), diagnosticTypes, [])),
        failOnBreach: flag('fail-on-breach'),
        failOnRegression: flag('fail-on-regression'),
        failOnMetricRegression: flag('fail-on-metric-regression'),
        noData: inputs.parsed('no-data', 'warn', v => oneOf('no-data', v.toLowerCase(), ['pass', 'warn', 'fail']), 'warn'),
        maxWeightIncrease: inputs.parsed('max-weight-increase', '0.05', v => fraction('max-weight-increase', v), 0)
    };
}
/** The sticky pull-request comment: when, under which header, on which pull request. */
function commentSettings(inputs) {
    const prNumber = inputs.attempt(() => inputs.optional('pr-number'), undefined);
    return {
        comment: inputs.parsed('comment', 'true', commentMode, 'never'),
        commentHeader: inputs.attempt(() => header(inputs.text('comment-header')), ''),
        prNumber: prNumber
            ? inputs.attempt(() => integer('pr-number', prNumber, 1, 2 ** 31), undefined)
            : undefined
    };
}
/** The report files, how many backtraces the report carries, and source annotations. */
function reportSettings(inputs) {
    const path = (name) => inputs.attempt(() => inputs.optional(name), undefined);
    const files = {
        'sarif-path': path('sarif-path'),
        'junit-path': path('junit-path'),
        'report-path': path('report-path')
    };
    inputs.problems.push(...sharedReportFiles(files));
    return {
        reportPath: files['report-path'],
        sarifPath: files['sarif-path'],
        junitPath: files['junit-path'],
        annotateSource: inputs.parsed('annotate-source', 'true', v => values_boolean('annotate-source', v), true),
        includeLogs: inputs.parsed('include-logs', '3', v => integer('include-logs', v, 0, ASC.maxPageSize), 0)
    };
}

;// CONCATENATED MODULE: ./src/config/read.ts




const readInput = (name) => getInput(name, { trimWhitespace: false });
/** Reads the action's inputs: every secret is masked before anything can be logged. */
function readInputs() {
    // Masked even before the inputs are validated.
    for (const name of ['private-key', 'github-token'])
        protect(readInput(name));
    const skip = forkWithoutKey();
    if (skip)
        return { skip };
    // runGate registers every spelling of the key once the inputs parse, for both front doors.
    return { config: parseConfig(readInput) };
}
/**
 * GitHub runs a fork's `pull_request` workflow without the repository's secrets, so the key is
 * empty: an expected reason not to gate, not an input error. Any other empty key still is one.
 */
function forkWithoutKey() {
    const empty = ['key-id', 'private-key'].filter(name => !readInput(name).trim());
    const pull = empty.length ? forkPullRequest() : undefined;
    if (pull === undefined)
        return undefined;
    const inputs = empty.map(name => `'${name}'`).join(' and ');
    return `pull request #${pull} comes from a fork, and GitHub passes no secrets to workflows run for forks, so ${inputs} ${empty.length === 1 ? 'is' : 'are'} empty`;
}

;// CONCATENATED MODULE: ./src/source/locate.ts


/**
 * Binaries Apple ships with the OS. Their frames never name a source file in practice (Apple
 * keeps their symbols), so this only guards against a payload that claims otherwise.
 */
const SYSTEM_BINARY = /(\.dylib|^dyld|^libswift\w*|^(Foundation|CoreFoundation|UIKit|UIKitCore|SwiftUI|GraphicsServices|QuartzCore|CoreData|WebKit|Combine))$/;
/** The first blamed frame of the app's own code that names a file, innermost first. */
function blamedSourceFrame(result) {
    if (!result?.ok)
        return undefined;
    return result.backtrace.frames.find(f => f.blamed && f.file && !SYSTEM_BINARY.test(f.binary));
}
/** The signatures worth placing: every reported one, and regressions below the reported top. */
function placeableSignatures(outcomes, regressions) {
    const all = outcomes.flatMap(o => o.shown);
    const ids = new Set(all.map(s => s.id));
    return [...all, ...regressions.filter(s => !ids.has(s.id))];
}
/**
 * Places each signature's blamed frame in `workspace`; `files` is read only when some frame names
 * a file, so a run without backtraces never lists the workspace.
 */
async function placeSignatures(signatures, backtraces, files) {
    const frames = new Map();
    for (const s of signatures) {
        const frame = blamedSourceFrame(backtraces.get(s.id));
        if (frame)
            frames.set(s.id, frame);
    }
    if (frames.size === 0)
        return { places: new Map(), noCheckout: false };
    const listed = await files();
    if ('none' in listed)
        return { places: new Map(), noCheckout: true };
    const index = new SourceIndex(listed.files);
    const places = new Map();
    for (const [id, frame] of frames) {
        const place = placeFrame(frame, index);
        places.set(id, place.ok || !listed.incomplete ? place : incompletely(place, listed.incomplete));
    }
    return { places, noCheckout: false };
}
/** A frame not placed in a listing that stopped early: the file may be in the part not listed. */
function incompletely(place, why) {
    return {
        ok: false,
        reason: `${place.reason}, but the list of files is incomplete: ${why} (check the code out with actions/checkout, so that its git index lists every file)`
    };
}
function placeFrame(frame, index) {
    const found = index.find(frame.file ?? '');
    if (!found.ok)
        return found;
    const line = Number(frame.line);
    if (!(Number.isSafeInteger(line) && line > 0)) {
        return { ok: false, reason: `the blamed frame names ${found.path} but no line in it` };
    }
    return { ok: true, path: found.path, line };
}
/** True for a path inside a vendored or generated folder (Pods/, Carthage/, …) at any depth. */
function isExcluded(path) {
    const excluded = SOURCE_LOOKUP.excludedDirs;
    return path
        .split('/')
        .slice(0, -1)
        .some(dir => excluded.includes(dir));
}
/** The repository's files by name, to match a frame's file name by path suffix. */
class SourceIndex {
    byName = new Map();
    constructor(files) {
        for (const path of files) {
            if (isExcluded(path))
                continue;
            const name = path.slice(path.lastIndexOf('/') + 1);
            const same = this.byName.get(name);
            if (same)
                same.push(path);
            else
                this.byName.set(name, [path]);
        }
    }
    /**
     * The one file whose path ends with the longest suffix of `fileName` that any file ends with:
     * `/Users/ci/MyApp/Sources/Feed/A.swift` finds `Sources/Feed/A.swift` even where `A.swift`
     * alone names several files. Several files at that length is no match: a guess would put the
     * annotation on the wrong code.
     */
    find(fileName) {
        const parts = fileName.replace(/\\/g, '/').split('/');
        // Whatever precedes a `..` says nothing about where the file is in this repository.
        const segments = parts.slice(parts.lastIndexOf('..') + 1).filter(p => p !== '' && p !== '.');
        const name = segments.at(-1);
        const candidates = (name && this.byName.get(name)) || [];
        if (!name || candidates.length === 0) {
            return { ok: false, reason: `no file in the repository is named ${name || fileName}` };
        }
        for (let length = segments.length; length >= 1; length--) {
            const suffix = segments.slice(-length).join('/');
            const matches = candidates.filter(path => path === suffix || path.endsWith(`/${suffix}`));
            if (matches.length === 1)
                return { ok: true, path: matches[0] };
            if (matches.length > 1) {
                const listed = matches.slice(0, 3).join(', ') + (matches.length > 3 ? ', …' : '');
                return {
                    ok: false,
                    reason: `${plural(matches.length, 'file')} in the repository end with ${suffix} (${listed}), and the frame does not say which`
                };
            }
        }
        return { ok: false, reason: `no file in the repository is named ${name}` };
    }
}

;// CONCATENATED MODULE: ./src/versions.ts
// Marketing versions as App Store Connect spells them: 1.2 and 1.2.0 are the same version.
// The one comparison of versions for the whole code base: ordering, equality and lookups.
/** Digits and dots only: the only version text allowed into a chart or an ordering. */
const VERSION = /^\d{1,9}(\.\d{1,9}){0,5}$/;
function isVersion(text) {
    return VERSION.test(text);
}
function parts(version) {
    const numbers = version.split('.').map(Number);
    while (numbers.length > 1 && numbers[numbers.length - 1] === 0)
        numbers.pop();
    return numbers;
}
/**
 * The one order of versions: numeric, so 2.10 follows 2.9 and 1.2 equals 1.2.0. Text that is
 * not a version sorts after every version, in plain string order.
 */
function compareVersions(a, b) {
    const [validA, validB] = [isVersion(a), isVersion(b)];
    if (!validA || !validB) {
        if (validA !== validB)
            return validA ? -1 : 1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
    const x = parts(a);
    const y = parts(b);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const difference = (x[i] ?? 0) - (y[i] ?? 0);
        if (difference !== 0)
            return difference;
    }
    return 0;
}
/** One key per version, whatever its spelling: `1.2` and `1.2.0` give `1.2`. */
function versionKey(version) {
    return isVersion(version) ? parts(version).join('.') : version;
}
/** Whether two version strings name the same version (`1.2` and `1.2.0` do). */
function sameVersion(a, b) {
    if (a === undefined || b === undefined)
        return false;
    return compareVersions(a, b) === 0;
}
/**
 * `1.2` and `1.2.0` name the same version, but Apple's filter matches exact strings: every
 * spelling, to ask for at once (the filter takes a comma list).
 */
function versionSpellings(version) {
    if (!isVersion(version))
        return [version];
    const numbers = parts(version);
    const spellings = new Set([version]);
    for (let length = numbers.length; length <= 3; length++) {
        spellings.add([...numbers, ...Array(length - numbers.length).fill(0)].join('.'));
    }
    return [...spellings];
}

;// CONCATENATED MODULE: ./src/metrics/evaluate.ts



/**
 * The metrics gate, a pure function. A known metric regresses when its rise over the reference
 * is above `maxIncrease` and the two error-margin intervals do not overlap; with
 * `apple-regressions: fail`, also when Apple's own insights flag it. A metric without a point
 * for the version, or without a reference, is "no data", never a pass.
 */
function evaluateMetrics(settings, data, hasBaseline, 
/** `same-day`: the previous version's recorded figure for a metric, from the history. */
sameDay) {
    const outcomes = settings.identifiers.map(identifier => judge(identifier, settings, data, hasBaseline, sameDay));
    return {
        settings,
        ...(data.version ? { version: data.version } : {}),
        ...(data.baselineVersion ? { baselineVersion: data.baselineVersion } : {}),
        ...(data.unavailable ? { unavailable: data.unavailable } : {}),
        outcomes,
        regressions: outcomes.filter(o => o.status === 'regressed'),
        noData: outcomes.filter(o => o.status === 'no-data')
    };
}
function judge(identifier, settings, data, hasBaseline, sameDay) {
    const known = knownMetric(identifier);
    const series = data.payload?.series.get(identifier.toLowerCase());
    const all = orderedPoints(series?.points ?? []);
    const version = data.version;
    const point = version ? all.find(p => sameVersion(p.version, version)) : undefined;
    const insight = settings.appleRegressions === 'ignore'
        ? undefined
        : appleInsight(data.payload?.insights ?? [], identifier, version, settings);
    const base = {
        identifier: series?.identifier ?? identifier,
        label: known?.label ?? identifier,
        ...(known || series?.category ? { category: series?.category ?? known?.category } : {}),
        ...(series?.unit || known ? { unit: series?.unit ?? known?.unit } : {}),
        percentile: settings.percentile,
        device: settings.device,
        limit: settings.maxIncrease,
        ...(version ? { version } : {}),
        ...(point ? { point } : {}),
        ...(series?.recommendedGoal ? { recommendedGoal: series.recommendedGoal } : {}),
        status: 'no-data',
        regressedByRule: false,
        regressedByApple: false,
        ...(insight ? { appleInsight: insight } : {}),
        points: shownPoints(all, point)
    };
    const population = `${settings.percentile} on ${settings.device}`;
    if (data.unavailable)
        return { ...base, reason: `metrics unavailable: ${data.unavailable}` };
    if (!data.payload)
        return { ...base, reason: 'no data yet: App Store Connect answered 404' };
    if (!version)
        return { ...base, reason: 'no data: App Store Connect names no version for this build' };
    // Points whose version cannot be ordered count as none: a record keeps only the others.
    if (!series || all.length === 0)
        return { ...base, reason: `no data yet for ${population}` };
    if (!point)
        return { ...base, reason: `no data yet for version ${version}` };
    const reference = settings.reference === 'same-day'
        ? sameDayReference(all, version, settings, sameDay?.(identifier))
        : referenceFor(all, version, settings, hasBaseline, data.baselineVersion);
    if ('missing' in reference)
        return { ...base, reason: reference.missing };
    // Values near the largest double add up to Infinity: no reference can be formed from them.
    if (!Number.isFinite(reference.value) || !Number.isFinite(reference.errorMargin)) {
        return { ...base, reason: 'no reference: the earlier values are too large to average' };
    }
    const change = reference.value > 0
        ? (point.value - reference.value) / reference.value
        : point.value > reference.value
            ? Infinity
            : 0;
    const withReference = { ...base, reference, change };
    if (!known) {
        return {
            ...withReference,
            status: 'not-gated',
            reason: 'not gated: the gate does not know whether a higher value is worse'
        };
    }
    const regressedByRule = change > settings.maxIncrease + WEIGHT_EPSILON &&
        point.value - (point.errorMargin ?? 0) >
            reference.value + reference.errorMargin + WEIGHT_EPSILON;
    const regressedByApple = settings.appleRegressions === 'fail' && insight?.kind === 'regression';
    return {
        ...withReference,
        status: regressedByRule || regressedByApple ? 'regressed' : 'ok',
        regressedByRule,
        regressedByApple
    };
}
/**
 * The points a decision can read, which the decision record keeps: the shown window (it holds
 * the version's point and the METRIC_AVERAGE_VERSIONS before it) and the baseline version's.
 */
function decisivePoints(points, version, baselineVersion) {
    const all = orderedPoints(points);
    const find = (wanted) => wanted ? all.find(p => sameVersion(p.version, wanted)) : undefined;
    const window = shownPoints(all, find(version));
    const baseline = find(baselineVersion);
    if (!baseline || window.includes(baseline))
        return window;
    return [...window, baseline].sort((a, b) => compareVersions(a.version, b.version));
}
/** Valid versions only, oldest first, one point per version (the first Apple sent). */
function orderedPoints(points) {
    const byVersion = new Map();
    for (const p of points) {
        if (isVersion(p.version) && !byVersion.has(versionKey(p.version)))
            byVersion.set(versionKey(p.version), p);
    }
    return [...byVersion.values()].sort((a, b) => compareVersions(a.version, b.version));
}
/**
 * The points the report and the chart show: at most FIELD_CAPS.metricPoints, the newest up to
 * the current version. The decision has already read every point.
 */
function shownPoints(points, current) {
    if (points.length <= FIELD_CAPS.metricPoints)
        return points;
    const end = current ? points.indexOf(current) + 1 : points.length;
    return points.slice(Math.max(0, end - FIELD_CAPS.metricPoints), end);
}
function referenceFor(points, version, settings, hasBaseline, baselineVersion) {
    const mode = settings.reference === 'auto' ? (hasBaseline ? 'baseline' : 'average') : settings.reference;
    if (mode === 'baseline') {
        if (!baselineVersion)
            return { missing: 'no data: App Store Connect names no baseline version' };
        const point = points.find(p => sameVersion(p.version, baselineVersion));
        if (!point)
            return { missing: `no data for the baseline's version ${baselineVersion}` };
        return reference(mode, [point]);
    }
    // Earlier versions only; a version that is not digits and dots cannot be ordered.
    const earlier = isVersion(version)
        ? points.filter(p => compareVersions(p.version, version) < 0)
        : [];
    if (earlier.length === 0)
        return { missing: `no data for a version before ${version}` };
    const count = mode === 'previous' ? 1 : METRIC_AVERAGE_VERSIONS;
    return reference(mode, earlier.slice(-count));
}
/**
 * `same-day`: the previous version's figure recorded nearest this rollout day; without one,
 * the previous version's latest figure, saying why.
 */
function sameDayReference(points, version, settings, figure) {
    const previous = referenceFor(points, version, { ...settings, reference: 'previous' }, false, undefined);
    // The history's version before this one must be Apple's, not an older one it happens to hold.
    const before = 'missing' in previous ? undefined : previous.versions[0];
    const found = figure && !('missing' in figure) ? figure : undefined;
    if (found && (!before || sameVersion(found.version, before))) {
        return {
            mode: 'same-day',
            versions: [found.version],
            value: found.value,
            errorMargin: found.errorMargin,
            day: found.day,
            run: found.run
        };
    }
    if ('missing' in previous)
        return previous;
    const why = found
        ? `the history's version before this one is ${found.version}, not ${before}`
        : figure && 'missing' in figure
            ? figure.missing
            : 'the guard read no history';
    return { ...previous, fallback: why };
}
/**
 * The reference value and its error margin. For an average the margin is the mean of the
 * margins: wider than the mean's own, so noise is less likely to fail the gate.
 */
function reference(mode, points) {
    const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
    return {
        mode,
        versions: points.map(p => p.version),
        value: mean(points.map(p => p.value)),
        errorMargin: mean(points.map(p => p.errorMargin ?? 0))
    };
}
/**
 * Apple's insight on this metric for this version, regressions before trends. An insight with
 * populations counts only when one of them is the gated percentile and device.
 */
function appleInsight(insights, identifier, version, settings) {
    const matches = forGatedPopulation(insights, settings).filter(insight => insight.metric.toLowerCase() === identifier.toLowerCase() &&
        (insight.latestVersion === undefined || sameVersion(insight.latestVersion, version)));
    return matches.find(i => i.kind === 'regression') ?? matches[0];
}
/**
 * The insights that can count for the gated percentile and device, each with only that
 * population's figures: one with populations counts only when one of them is the gated one.
 * The decision record keeps these alone.
 */
function forGatedPopulation(insights, settings) {
    const percentile = PERCENTILE_KEYS[settings.percentile];
    const ours = (p) => (p.percentile === undefined || p.percentile === percentile) &&
        (p.device === undefined || p.device.toLowerCase() === settings.device.toLowerCase());
    return insights
        .filter(insight => insight.populations.length === 0 || insight.populations.some(ours))
        .map(insight => ({ ...insight, populations: insight.populations.filter(ours) }));
}

;// CONCATENATED MODULE: ./src/metrics/format.ts
// Numbers as the report, the outputs' sentences and the chart show them: plain digits, no Intl.
/** A metric value with a precision that suits its size: 0.042, 4.12, 41.2, 998. */
function metricNumber(value) {
    const magnitude = Math.abs(value);
    const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
    return String(Number(value.toFixed(decimals)));
}
/** A value with its unit: "4.12 s/hr". */
function withUnit(value, unit) {
    return unit ? `${metricNumber(value)} ${unit}` : metricNumber(value);
}
/**
 * A relative change, signed: "+64.0%", "−3.2%"; from a reference of 0, "up from 0". Next to a
 * `limit` it keeps the decimals that decided: +9.95% under a 10% limit never reads "+10.0%".
 */
function changeText(change, limit) {
    if (!Number.isFinite(change))
        return 'up from 0';
    const side = (value) => Math.sign(value - (limit ?? value));
    let decimals = 1;
    while (limit !== undefined && decimals < 4) {
        if (side(Number((change * 100).toFixed(decimals)) / 100) === side(change))
            break;
        decimals++;
    }
    let digits = (change * 100).toFixed(decimals);
    if (limit !== undefined && side(Number(digits) / 100) !== side(change)) {
        // Still on the limit at 4 decimals: cut toward the side the change is on.
        const scale = 10 ** decimals;
        const cut = change > limit ? Math.ceil : Math.floor;
        digits = (cut(change * 100 * scale) / scale).toFixed(decimals);
    }
    const percent = decimals > 1 ? String(Number(digits)) : digits;
    return change >= 0 ? `+${percent}%` : `−${percent.replace('-', '')}%`;
}

;// CONCATENATED MODULE: ./src/metrics/verdict.ts



/** The metrics' verdict of a run; undefined when no metric is gated. */
function metricsVerdict(config, data, sameDay) {
    return config.metrics && data
        ? evaluateMetrics(config.metrics, data, Boolean(config.baseline), sameDay)
        : undefined;
}
/** "2.4.0", "average of 2.1.0, 2.2.0", "2.4.0 at day 2": what a metric was compared with. */
function referenceName(reference) {
    const versions = reference.versions.map(v => oneLine(v, 64)).join(', ');
    switch (reference.mode) {
        case 'average':
            return `average of ${versions}`;
        case 'baseline':
            return `baseline ${versions}`;
        case 'same-day':
            return `${versions} at day ${reference.day}`;
        default:
            return versions;
    }
}
/** "Hang rate 4.1 s/hr on 2.4.0, +64.0% over 2.5 s/hr (2.3.0)", for a log line or annotation. */
function regressionSentence(o) {
    const parts = [`${o.label} (${o.percentile}, ${o.device})`];
    if (o.point) {
        parts.push(`${withUnit(o.point.value, o.unit)} on ${oneLine(o.point.version, 64)}`);
    }
    if (o.reference && o.change !== undefined) {
        parts.push(`${changeText(o.change, o.limit)} over ${withUnit(o.reference.value, o.unit)} (${o.reference.mode === 'baseline' ? o.reference.versions.map(v => oneLine(v, 64)).join(', ') : referenceName(o.reference)})`);
    }
    const sentence = oneLine(parts.join(' '), 400);
    if (o.regressedByApple && !o.regressedByRule)
        return `${sentence}, flagged by Apple's regression insight`;
    return sentence;
}

;// CONCATENATED MODULE: ./src/wording.ts



// The words for findings, shared by the failure line, the annotations, the warnings and the
// report wherever they say the same thing.
/** `hangs, disk writes`: types in running text. */
function typeList(types) {
    return types.map(t => TYPE_LABELS[t].toLowerCase()).join(', ');
}
/** `Hangs 'ExampleApp: …'`, or `Hangs signature '…'`: a signature named in one line. */
function signatureName(s, max, noun = '') {
    return `${TYPE_LABELS[s.diagnosticType]}${noun ? ` ${noun}` : ''} '${oneLine(s.signature, max)}'`;
}
/** The start of every no-data sentence: `No hangs diagnostics for build … yet`. */
function noDataYet(types, buildId) {
    return `No ${typeList(types)} diagnostics for build ${buildId} yet`;
}
/** The whole no-data warning for one type, as the log and the JUnit report give it. */
function noDataSentence(type, buildId) {
    return `${noDataYet([type], buildId)}: Apple publishes them a few days after release, once enough users share analytics.`;
}
/** A change in percentage points, signed: +12.0 pts. */
function deltaPoints(delta) {
    return `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)} pts`;
}
/** How a regressed signature compares with the baseline, for a sentence. */
function sinceBaseline(s) {
    if (s.baselineWeight !== undefined)
        return `up from ${percent(s.baselineWeight)}`;
    if (s.baselineAtMost !== undefined)
        return `up from at most ${percent(s.baselineAtMost)} (not in the baseline's fetched list)`;
    return 'new since the baseline';
}
/** `Disk writes signature '…' is at 85.0%, above the 50% limit.` */
function breachSentence(s) {
    return `${signatureName(s, 200, 'signature')} is at ${percent(s.weight)}, above the ${limitPercent(s.threshold)} limit.`;
}
/** `Hangs signature '…' regressed: 41.0%, up from 29.0%.` */
function wording_regressionSentence(s) {
    return `${signatureName(s, 200, 'signature')} regressed: ${percent(s.weight)}, ${sinceBaseline(s)}.`;
}
/** `Hangs: 41.0% of hang time`: a signature's weight in words, for a title. */
function shareTitle(s) {
    return `${TYPE_LABELS[s.diagnosticType]}: ${percent(s.weight)} of ${TYPE_SHARES[s.diagnosticType]}`;
}
/** The subject of a finding in a few words: `Hangs signature '…'`, `Hang rate (hangRate)`. */
function subjectName(f) {
    const { subject } = f;
    if ('signature' in subject)
        return signatureName(subject.signature, 120, 'signature');
    if ('metric' in subject)
        return `${subject.metric.label} (${subject.metric.identifier})`;
    return `${TYPE_LABELS[subject.diagnosticType].toLowerCase()} diagnostics`;
}
/** What a finding says, in one sentence that names its subject once. */
function findingSentence(f, build) {
    const { subject } = f;
    if ('signature' in subject) {
        return f.kind === 'breach'
            ? breachSentence(subject.signature)
            : wording_regressionSentence(subject.signature);
    }
    if ('diagnosticType' in subject)
        return noDataSentence(subject.diagnosticType, build);
    const o = subject.metric;
    switch (f.kind) {
        case 'metric-regression':
            return `Metric regressed: ${regressionSentence(o)}.`;
        case 'apple-regression':
            return `Apple's regression insight flags ${o.label} (${o.identifier})${o.version ? ` on ${oneLine(o.version, 64)}` : ''}.`;
        default:
            return `${o.label} (${o.identifier}): ${o.reason ?? 'no data yet'}. Apple publishes metrics a few days after a release, once enough users share analytics.`;
    }
}
/** `❌ Hang rate (hangRate): fails the job and pauses` — a finding and what it did, for a list. */
function consequenceText(f) {
    const held = f.confirmation && f.confirmation.inARow >= f.confirmation.needed;
    const verb = f.kind.endsWith('regression') ? 'regressed' : 'found';
    const confirmed = held ? `${verb} in ${f.confirmation.inARow} runs in a row: ` : '';
    if (f.pauses)
        return `${confirmed ? `${confirmed}pausing; ` : ''}fails the job and pauses the rollout`;
    if (confirmed && f.wouldPause)
        return `${confirmed}${f.pausesReason}; fails the job`;
    if (f.failsJob)
        return `fails the job; does not pause: ${f.pausesReason}`;
    return `reported only: ${f.failsJobReason}`;
}

;// CONCATENATED MODULE: ./src/publish/annotations.ts







const TITLE = 'App Store diagnostics gate';
/**
 * The blamed source lines first, then one annotation per finding (other than no data, which the
 * warnings cover) not already on a line: an error when it fails the job, a warning when it is
 * only reported. Within GitHub's 10 per level and step (one error is kept for the failure
 * itself when the job will fail, four warnings for the run's own warnings), then a warning that
 * counts the rest.
 */
function annotate(verdict, build, willFail, sources) {
    const onSource = sourceAnnotations(verdict, sources);
    const placed = new Set(onSource.map(a => a.id));
    const findings = verdict.findings
        .filter(f => f.kind !== 'no-data')
        .filter(f => !('signature' in f.subject && placed.has(f.subject.signature.id)))
        .map(f => ({
        level: f.failsJob ? 'error' : 'warning',
        message: findingSentence(f, build),
        title: TITLE
    }));
    const room = {
        error: GITHUB_LIMITS.maxAnnotations - (willFail ? 1 : 0),
        // Leave warning slots for the no-data, backtrace and comment warnings, and for the count.
        warning: GITHUB_LIMITS.maxAnnotations - 4,
        notice: GITHUB_LIMITS.maxAnnotations
    };
    let rest = 0;
    for (const a of [...onSource, ...findings]) {
        if (room[a.level]-- <= 0) {
            if (a.level !== 'notice')
                rest++;
            continue;
        }
        const properties = { title: a.title, file: a.file, startLine: a.line };
        if (a.level === 'error')
            error(scrub(a.message), properties);
        else if (a.level === 'warning')
            core_warning(scrub(a.message), properties);
        else
            notice(scrub(a.message), properties);
    }
    if (rest > 0)
        core_warning(`${rest} more findings are listed in the job summary.`, { title: TITLE });
}
/**
 * One annotation on each reported signature's blamed line found in the repository: titled with
 * its share (`Hangs: 41.0% of hang time`); an error when one of its findings fails the job, a
 * warning when they are only reported, and a notice for a signature without a finding. Findings
 * first, heaviest first.
 */
function sourceAnnotations(verdict, sources) {
    if (!sources)
        return [];
    const finding = (s) => (findingsOf(verdict.findings, s.id).length ? 1 : 0);
    const level = (s) => {
        const findings = findingsOf(verdict.findings, s.id);
        if (findings.length === 0)
            return 'notice';
        return findings.some(f => f.failsJob) ? 'error' : 'warning';
    };
    return placeableSignatures(verdict.outcomes, verdict.regressions)
        .flatMap(s => {
        const place = sources.places.get(s.id);
        return place?.ok ? [{ s, place }] : [];
    })
        .sort((a, b) => finding(b.s) - finding(a.s) || b.s.weight - a.s.weight)
        .map(({ s, place }) => ({
        id: s.id,
        level: level(s),
        title: shareTitle(s),
        message: [
            `${signatureName(s, 200, 'signature')} is blamed on this line (rank ${s.rank}).`,
            ...(s.breached ? [`Above the ${limitPercent(s.threshold)} limit.`] : []),
            ...(s.regressed ? [`Regressed: ${sinceBaseline(s)}.`] : [])
        ].join(' '),
        file: place.path,
        line: place.line
    }));
}

;// CONCATENATED MODULE: ./src/publish/ci-shared.ts


/** What is wrong with a signature, in one sentence that names it once. */
function findingText(s) {
    if (!(s.breached && s.regressed))
        return s.breached ? breachSentence(s) : wording_regressionSentence(s);
    return `${breachSentence(s).slice(0, -1)}, and regressed: ${sinceBaseline(s)}.`;
}
/**
 * The same 64 hex digits for the same type and signature text, as App Store Connect sent it, in
 * every run and on every machine, so code scanning keeps one alert per signature. A text kept
 * whole hashes as it always has (its alerts keep their fingerprint); one that was cut or cleaned
 * adds the digest of all it was, after a line break, which a kept text never holds.
 */
function signatureFingerprint(s) {
    const received = s.textDigest === undefined ? '' : `\n${s.textDigest}`;
    return sha256(`${s.diagnosticType}\n${s.signature}${received}`);
}
/** The same for a metric's population: identifier, percentile and device. */
function metricFingerprint(population) {
    return sha256(`METRIC\n${population}`);
}
function sha256(text) {
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(text, 'utf8').digest('hex');
}

;// CONCATENATED MODULE: ./src/publish/junit.ts







/** The JUnit XML as text: a suite per diagnostic type, then the metrics' when any is gated. */
function buildJunit(input) {
    const { metrics } = input.verdict;
    return renderJunit([
        ...input.verdict.outcomes.map(o => typeSuite(o, input)),
        ...(metrics ? [metricsSuite(metrics, input)] : [])
    ]);
}
/** One case per gated metric: failed when it regressed, skipped without data or direction. */
function metricsSuite(metrics, input) {
    const classname = `${ACTION_NAME}.METRICS`;
    const { settings } = metrics;
    return {
        name: 'Metrics',
        properties: [
            ['build', input.buildId],
            ...(metrics.version ? [['version', metrics.version]] : []),
            ['percentile', settings.percentile],
            ['device', settings.device],
            ['max-metric-increase', String(settings.maxIncrease)]
        ],
        cases: metrics.outcomes.map(o => {
            const name = `${o.label} (${o.identifier}, ${o.percentile}, ${o.device})`;
            const findings = metricFindings(input.verdict.findings, o.identifier);
            const why = `${o.label}: ${o.reason ?? (o.status === 'no-data' ? 'no data yet' : 'not gated')}.`;
            const details = o.status === 'regressed' ? metricFacts(o, settings.maxIncrease) : why;
            const build = input.buildLabel ?? input.buildId;
            return findingCase({ name, classname }, findings, build, {
                details,
                ...(o.status === 'ok' ? {} : { skipped: why })
            });
        })
    };
}
/**
 * A case from its findings: a failure when one fails the job, a passing case that reports the
 * others, or `skipped` (with its reason) when there was nothing to judge.
 */
function findingCase(base, findings, build, text) {
    const { details, skipped } = text;
    const failing = findings.filter(f => f.failsJob);
    if (failing.length) {
        return {
            ...base,
            failure: {
                message: text.failure ?? failing.map(f => findingSentence(f, build)).join(' '),
                type: failing.map(f => f.kind).join(','),
                details
            }
        };
    }
    const reported = findings.map(f => `${findingSentence(f, build)} ${capitalised(consequenceText(f))}.`);
    if (reported.length && !findings.every(f => f.kind === 'no-data')) {
        return { ...base, output: reported.join('\n') };
    }
    return skipped === undefined ? base : { ...base, skipped };
}
function capitalised(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
}
/** A regressed metric's failure body: value, limit and reference, one per line. */
function metricFacts(o, maxIncrease) {
    const lines = [
        `value: ${o.point ? withUnit(o.point.value, o.unit) : 'none'}${o.version ? ` on ${o.version}` : ''}`,
        `limit: +${limitPercent(maxIncrease)} over the reference`
    ];
    if (o.reference) {
        lines.push(`reference: ${withUnit(o.reference.value, o.unit)} (${o.reference.mode}: ${o.reference.versions.join(', ')})${o.change !== undefined ? `, ${changeText(o.change, o.limit)}` : ''}`);
    }
    if (o.regressedByApple)
        lines.push("Apple's regression insight flags it");
    return lines.join('\n');
}
/** One diagnostic type: its reported signatures, and regressions below the reported top. */
function typeSuite(outcome, input) {
    const label = TYPE_LABELS[outcome.type];
    const classname = `${ACTION_NAME}.${outcome.type}`;
    const properties = [
        ['build', input.buildId],
        ...(input.baselineBuildId ? [['baseline', input.baselineBuildId]] : []),
        ['threshold', String(outcome.threshold)]
    ];
    if (outcome.fetched === 0) {
        const noData = input.verdict.findings.filter(f => 'diagnosticType' in f.subject && f.subject.diagnosticType === outcome.type);
        const message = noDataSentence(outcome.type, input.buildLabel ?? input.buildId);
        return {
            name: label,
            properties,
            cases: [
                findingCase({ name: `${label}: no data yet`, classname }, noData, input.buildLabel ?? input.buildId, { details: message, skipped: message })
            ]
        };
    }
    const signatures = placeableSignatures([outcome], input.verdict.regressions.filter(s => s.diagnosticType === outcome.type));
    return {
        name: label,
        properties,
        cases: signatures.map(s => signatureCase(s, classname, input))
    };
}
function signatureCase(s, classname, input) {
    const place = input.sources?.places.get(s.id);
    const findings = findingsOf(input.verdict.findings, s.id);
    const base = { name: s.signature, classname, ...(place?.ok ? { file: place.path } : {}) };
    const details = facts(s, place?.ok ? `${place.path}:${place.line}` : undefined);
    return findingCase(base, findings, input.buildLabel ?? input.buildId, {
        details,
        failure: findingText(s)
    });
}
/** The failure's body: weight, limit and baseline, one per line. */
function facts(s, source) {
    const lines = [
        `weight: ${percent(s.weight)} of ${TYPE_SHARES[s.diagnosticType]} (rank ${s.rank})`,
        `limit: ${limitPercent(s.threshold)}${s.breached ? ' (above it)' : ''}`
    ];
    if (s.change !== undefined) {
        const points = deltaPoints(s.delta ?? 0);
        lines.push(`baseline: ${s.change === 'new' ? 'not in the baseline' : sinceBaseline(s)} (${points})`);
    }
    if (source)
        lines.push(`blamed line: ${source}`);
    return lines.join('\n');
}
/** The document: counts on every suite and on the root, every value escaped. */
function renderJunit(suites) {
    const count = (cases) => ({
        tests: cases.length,
        failures: cases.filter(c => c.failure).length,
        errors: 0,
        skipped: cases.filter(c => c.skipped !== undefined).length
    });
    const all = suites.flatMap(s => s.cases);
    const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites${attributes({ name: 'App Store diagnostics gate', ...count(all), time: 0 })}>`
    ];
    for (const suite of suites) {
        lines.push(`  <testsuite${attributes({ name: suite.name, ...count(suite.cases), time: 0 })}>`);
        if (suite.properties.length) {
            lines.push('    <properties>');
            for (const [name, value] of suite.properties)
                lines.push(`      <property${attributes({ name, value })}/>`);
            lines.push('    </properties>');
        }
        for (const c of suite.cases) {
            const head = `    <testcase${attributes({ name: c.name, classname: c.classname, time: 0, ...(c.file ? { file: c.file } : {}) })}`;
            if (c.failure) {
                const { message, type, details } = c.failure;
                lines.push(`${head}>`, `      <failure${attributes({ message, type })}>${escapeXml(details)}</failure>`, '    </testcase>');
            }
            else if (c.output !== undefined) {
                lines.push(`${head}>`, `      <system-out>${escapeXml(c.output)}</system-out>`, '    </testcase>');
            }
            else if (c.skipped !== undefined) {
                lines.push(`${head}>`, `      <skipped${attributes({ message: c.skipped })}/>`, '    </testcase>');
            }
            else
                lines.push(`${head}/>`);
        }
        lines.push('  </testsuite>');
    }
    lines.push('</testsuites>');
    return `${lines.join('\n')}\n`;
}
function attributes(values) {
    return Object.entries(values)
        .map(([name, value]) => ` ${name}="${escapeXml(String(value), true)}"`)
        .join('');
}
/** Characters XML 1.0 does not allow at all, lone surrogates included: removed. */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;
/**
 * Text safe in XML content, or in a double-quoted attribute (every attribute here is), with line
 * breaks kept as character references.
 */
function escapeXml(text, attribute = false) {
    const escaped = text
        .replace(NOT_XML, '')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        // Allowed in XML, but a terminal or viewer acts on them: kept, as references.
        .replace(VIEWER_UNSAFE, c => `&#x${c.charCodeAt(0).toString(16)};`);
    // A parser turns a raw line break in an attribute into a space; a reference survives.
    return attribute
        ? escaped.replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
        : escaped.replace(/\r/g, '&#13;');
}

;// CONCATENATED MODULE: ./src/publish/sarif.ts





const TYPE_HELP = {
    HANGS: {
        name: 'HangSignature',
        helpUri: 'https://developer.apple.com/documentation/xcode/understanding-hangs-in-your-app'
    },
    DISK_WRITES: {
        name: 'DiskWriteSignature',
        helpUri: 'https://developer.apple.com/documentation/xcode/reducing-disk-writes'
    },
    LAUNCHES: {
        name: 'LaunchSignature',
        helpUri: 'https://developer.apple.com/documentation/xcode/reducing-your-app-s-launch-time'
    }
};
const METRICS_HELP_URI = 'https://developer.apple.com/documentation/xcode/analyzing-the-performance-of-your-shipping-app';
/** `diagnostics/hangs`: the rule of a diagnostic type's signatures. */
function typeRuleId(type) {
    return `diagnostics/${type.toLowerCase().replace('_', '-')}`;
}
/** One rule per diagnostic type, in a fixed order so that rule indexes are stable. */
const TYPE_RULES = DIAGNOSTIC_TYPES.map(type => {
    const label = TYPE_LABELS[type].toLowerCase();
    return {
        id: typeRuleId(type),
        name: TYPE_HELP[type].name,
        short: `A ${label} signature is above its threshold or regressed against the baseline.`,
        full: `App Store Connect's field diagnostics group ${label} by signature, each with its share of the build's ${TYPE_SHARES[type]}. This signature's share is above the threshold set for the gate, or rose by more than the allowed increase over the baseline build.`,
        helpUri: TYPE_HELP[type].helpUri,
        tags: ['performance', 'app-store-connect', label]
    };
});
/** `metrics/hangRate`: the rule of one gated metric. */
function metricRuleId(identifier) {
    return `metrics/${identifier}`;
}
/** One rule per gated metric, after the diagnostic types. */
function metricRules(metrics) {
    return (metrics?.outcomes ?? [])
        .filter(o => o.status !== 'not-gated')
        .map(o => ({
        id: metricRuleId(o.identifier),
        name: o.identifier,
        short: `${o.label} regressed against its reference.`,
        full: `App Store Connect's power and performance metric ${o.label} (${o.identifier}) rose by more than the allowed increase over its reference, beyond the error margins, or Apple flagged it as a regression.`,
        helpUri: METRICS_HELP_URI,
        tags: ['performance', 'app-store-connect', 'metrics']
    }));
}
/** The SARIF log as text (JSON, two-space indented). */
function buildSarif(input) {
    const { verdict } = input;
    const rules = [...TYPE_RULES, ...metricRules(verdict.metrics)];
    const ruleIndex = (id) => rules.findIndex(rule => rule.id === id);
    const log = {
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        version: '2.1.0',
        runs: [
            {
                tool: {
                    driver: {
                        name: ACTION_NAME,
                        informationUri: ACTION_URL,
                        rules: rules.map(ruleDescriptor)
                    }
                },
                results: [
                    ...reportedSignatures(input).map(s => result(s, input, ruleIndex)),
                    ...metricsWithFindings(verdict).map(o => metricResult(o, metricFindings(verdict.findings, o.identifier), input, ruleIndex))
                ],
                properties: {
                    buildId: input.buildId,
                    ...(input.baselineBuildId ? { baselineBuildId: input.baselineBuildId } : {}),
                    passed: verdict.passed
                }
            }
        ]
    };
    return `${safeJson(log, 2)}\n`;
}
/** The signatures with a finding (breaches first, worst first), each once. */
function reportedSignatures({ verdict }) {
    const signatures = verdict.findings.flatMap(f => 'signature' in f.subject ? [f.subject.signature] : []);
    return [...new Set(signatures)];
}
function ruleDescriptor(rule) {
    return {
        id: rule.id,
        name: rule.name,
        shortDescription: { text: rule.short },
        fullDescription: { text: rule.full },
        helpUri: rule.helpUri,
        help: { text: `${rule.full} See ${rule.helpUri}` },
        defaultConfiguration: { level: 'error' },
        properties: { tags: rule.tags, precision: 'high', 'problem.severity': 'error' }
    };
}
function result(s, input, ruleIndex) {
    const ruleId = typeRuleId(s.diagnosticType);
    const place = input.sources?.places.get(s.id);
    const findings = findingsOf(input.verdict.findings, s.id);
    const location = place?.ok
        ? {
            physicalLocation: {
                artifactLocation: { uri: uriOf(place.path), uriBaseId: '%SRCROOT%' },
                region: { startLine: place.line }
            }
        }
        : {
            logicalLocations: [
                { name: s.signature, fullyQualifiedName: `${s.diagnosticType}/${s.signature}` }
            ]
        };
    return {
        ruleId,
        ruleIndex: ruleIndex(ruleId),
        level: levelOf(findings),
        message: { text: findingText(s) },
        locations: [location],
        partialFingerprints: {
            'ascDiagnosticSignature/v1': signatureFingerprint(s)
        },
        properties: {
            signatureId: s.id,
            diagnosticType: s.diagnosticType,
            signature: s.signature,
            weight: s.weight,
            threshold: s.threshold,
            rank: s.rank,
            breached: s.breached,
            regressed: s.regressed,
            ...consequenceProperties(findings),
            ...(s.baselineWeight !== undefined ? { baselineWeight: s.baselineWeight } : {}),
            ...(s.delta !== undefined ? { delta: s.delta, change: s.change } : {})
        }
    };
}
/** A regressed metric: no source line, so its location is the metric itself. */
function metricResult(o, findings, input, ruleIndex) {
    const ruleId = metricRuleId(o.identifier);
    const population = `${o.identifier}/${o.percentile}/${o.device}`;
    return {
        ruleId,
        ruleIndex: ruleIndex(ruleId),
        level: levelOf(findings),
        message: {
            text: findings.map(f => findingSentence(f, input.buildLabel ?? input.buildId)).join(' ')
        },
        locations: [
            { logicalLocations: [{ name: o.label, fullyQualifiedName: `metrics/${population}` }] }
        ],
        partialFingerprints: { 'ascMetric/v1': metricFingerprint(population) },
        properties: {
            identifier: o.identifier,
            percentile: o.percentile,
            device: o.device,
            ...(o.unit ? { unit: o.unit } : {}),
            ...(o.version ? { version: o.version } : {}),
            ...(o.point ? { value: o.point.value } : {}),
            ...(o.reference
                ? { referenceValue: o.reference.value, referenceVersions: o.reference.versions }
                : {}),
            ...(o.change !== undefined && Number.isFinite(o.change) ? { change: o.change } : {}),
            regressedByRule: o.regressedByRule,
            regressedByApple: o.regressedByApple,
            ...consequenceProperties(findings)
        }
    };
}
/** The regressed metrics (by the rule or by Apple's insight), each once. */
function metricsWithFindings(verdict) {
    const metrics = verdict.findings.flatMap(f => f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []);
    return [...new Set(metrics)];
}
/** An error when a finding fails the job; a warning when it is only reported. */
function levelOf(findings) {
    return findings.some(f => f.failsJob) ? 'error' : 'warning';
}
function consequenceProperties(findings) {
    return {
        failsJob: findings.some(f => f.failsJob),
        pauses: findings.some(f => f.pauses),
        findings: findings.map(f => f.kind)
    };
}
/** A repository path as a relative URI: each segment percent-encoded. */
function uriOf(path) {
    return path.split('/').map(encodeURIComponent).join('/');
}

;// CONCATENATED MODULE: ./src/publish/ci-reports.ts


/** The SARIF log and the JUnit XML of a run; each front door writes them where it writes. */
function ciReportFiles(outcome) {
    const input = outcome.kind === 'judged' ? findingsInput(outcome) : undefined;
    const file = (output, what, path, build) => ({ output, what, path, text: path && input ? build(input) : undefined });
    return [
        file('sarif-path', 'SARIF log', outcome.config?.sarifPath, buildSarif),
        file('junit-path', 'JUnit XML', outcome.config?.junitPath, buildJunit)
    ];
}
function findingsInput(outcome) {
    const { verdict, data, sources } = outcome;
    return {
        verdict,
        buildId: data.current.build.id,
        ...(data.current.build.label ? { buildLabel: data.current.build.label } : {}),
        baselineBuildId: data.baseline?.build.id,
        sources
    };
}

;// CONCATENATED MODULE: ./src/publish/files.ts



/**
 * Create, truncate, and never follow a link in the last place: a link planted between the check
 * and the write is refused by the open itself. Windows has no O_NOFOLLOW; the check stands alone.
 */
const WRITE_FLAGS = external_node_fs_namespaceObject.constants.O_WRONLY | external_node_fs_namespaceObject.constants.O_CREAT | external_node_fs_namespaceObject.constants.O_TRUNC | (external_node_fs_namespaceObject.constants.O_NOFOLLOW ?? 0);
/**
 * Writes a report file, scrubbed of secrets; returns its absolute path. A pull request's tree
 * can plant links in the workspace, so the file is never written through one: neither a link at
 * the target nor one among its folders inside the workspace (which are created as needed).
 */
function writeTextFile(path, text, input) {
    const target = (0,external_node_path_namespaceObject.resolve)(path);
    makeFolders(target, input);
    if (isLink(target))
        throw linkRefused(target, input);
    let fd;
    try {
        fd = (0,external_node_fs_namespaceObject.openSync)(target, WRITE_FLAGS, 0o666);
    }
    catch (error) {
        if (error.code === 'ELOOP')
            throw linkRefused(target, input);
        throw error;
    }
    try {
        // Secrets are base64 or token characters, so replacing them keeps JSON and XML valid.
        (0,external_node_fs_namespaceObject.writeFileSync)(fd, scrub(text));
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
    return target;
}
/**
 * The workspace as paths may spell it: the runner's GITHUB_WORKSPACE, as given and as the real
 * path (a relative path resolves against the real working folder), and the folder the tool runs
 * in, which is the workspace on a runner and the checkout for the command line.
 */
function workspaceRoots() {
    const given = process.env.GITHUB_WORKSPACE;
    const roots = given ? [(0,external_node_path_namespaceObject.resolve)(given), realPath((0,external_node_path_namespaceObject.resolve)(given))] : [];
    return [...new Set([...roots, process.cwd()])];
}
function realPath(path) {
    try {
        return (0,external_node_fs_namespaceObject.realpathSync)(path);
    }
    catch {
        return path;
    }
}
/** The workspace root that holds `path`, and `path` relative to it; undefined outside it. */
function inWorkspace(path) {
    for (const root of workspaceRoots()) {
        const inside = within(root, path);
        if (inside !== undefined)
            return { root, inside };
    }
    return undefined;
}
/**
 * The target's folders. Inside the workspace, one at a time, each refused when it is a link;
 * outside it (RUNNER_TEMP, an absolute path the workflow chose) as they are, links and all.
 */
function makeFolders(target, input) {
    const found = inWorkspace((0,external_node_path_namespaceObject.dirname)(target));
    if (!found) {
        (0,external_node_fs_namespaceObject.mkdirSync)((0,external_node_path_namespaceObject.dirname)(target), { recursive: true });
        return;
    }
    let folder = found.root;
    for (const part of found.inside.split(external_node_path_namespaceObject.sep).filter(Boolean)) {
        folder = (0,external_node_path_namespaceObject.join)(folder, part);
        try {
            (0,external_node_fs_namespaceObject.mkdirSync)(folder);
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
        }
        if (isLink(folder))
            throw linkRefused(folder, input);
    }
}
/** `path` relative to `root` when it is inside it ('' for the root itself); else undefined. */
function within(root, path) {
    const inside = (0,external_node_path_namespaceObject.relative)(root, path);
    return inside === '..' || inside.startsWith(`..${external_node_path_namespaceObject.sep}`) || (0,external_node_path_namespaceObject.isAbsolute)(inside) ? undefined : inside;
}
function isLink(path) {
    try {
        return (0,external_node_fs_namespaceObject.lstatSync)(path).isSymbolicLink();
    }
    catch {
        return false;
    }
}
function linkRefused(link, input) {
    const place = inWorkspace(link)?.inside || link;
    return new Error(`'${place}' is a symbolic link, and a report file is never written through one; set '${input}' to a path whose folders and file are not links.`);
}

;// CONCATENATED MODULE: ./src/publish/gaps.ts



/**
 * Warnings for what the verdict could not look at: each no-data finding that does not fail the
 * job (one that does is in the failure line), missing backtraces, an unusable baseline.
 */
function gapWarnings(verdict, data) {
    const warnings = [];
    if (data.history && 'unavailable' in data.history)
        warnings.push(scrub(data.history.unavailable));
    const build = data.current.build.label ?? data.current.build.id;
    for (const f of verdict.findings) {
        if (f.kind === 'no-data' && !f.failsJob)
            warnings.push(scrub(findingSentence(f, build)));
    }
    // The first in the report's order (type by type, heaviest first), not in the order they arrived.
    const unavailable = verdict.outcomes
        .flatMap(o => o.shown)
        .flatMap(s => {
        const result = data.backtraces.get(s.id);
        return result && !result.ok ? [result.reason] : [];
    });
    if (unavailable.length) {
        warnings.push(scrub(`${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0]}`));
    }
    const baselineEmpty = [...(data.baseline?.lists.values() ?? [])]
        .filter(list => list.signatures.length === 0)
        .map(list => TYPE_LABELS[list.type].toLowerCase());
    if (data.baseline && baselineEmpty.length) {
        warnings.push(`The baseline build ${data.baseline.build.id} has no ${baselineEmpty.join(', ')} diagnostics, so ${baselineEmpty.length === 1 ? 'that type was' : 'those types were'} not compared with it.`);
    }
    if (data.baseline && data.baseline.build.id === data.current.build.id) {
        warnings.push('The baseline is the same build as the one gated, so nothing can regress.');
    }
    return warnings;
}

;// CONCATENATED MODULE: ./src/release/decide.ts


/**
 * What the guard does with a rollout: it pauses only an ACTIVE one, only on findings whose
 * consequences say they pause (see decision/findings.ts), and only in `pause-on-failure` mode;
 * `report` mode says it would have. It never resumes. `release` is the rollout as read now.
 */
function decideRollout(input) {
    const { release, findings, mode } = input;
    const none = (reason) => ({ action: 'none', reason, because: [] });
    if (mode === 'off')
        return none("'phased-release' is off");
    if (!release)
        return none('the version has no phased release');
    if (release.state !== 'ACTIVE')
        return none(`the rollout is ${STATE_WORDS[release.state]}`);
    if (mode === 'report') {
        const would = findings.filter(f => f.wouldPause);
        return would.length
            ? { action: 'would-pause', reason: "'phased-release' is 'report'", because: would }
            : none(noPauseReason(findings));
    }
    const pausing = findings.filter(f => f.pauses);
    return pausing.length
        ? { action: 'pause', reason: 'the rollout is active', because: pausing }
        : none(noPauseReason(findings));
}
function noPauseReason(findings) {
    if (findings.length === 0)
        return 'nothing was found';
    return 'no finding pauses it (each says why)';
}
const STATE_WORDS = {
    INACTIVE: 'not started (INACTIVE), and only an active rollout is paused',
    ACTIVE: 'active',
    PAUSED: 'already paused (PAUSED); the guard never resumes one',
    COMPLETE: 'complete (COMPLETE): every user on automatic updates has it',
    UNKNOWN: 'in a state the guard does not know, and only an active rollout is paused'
};
/** "on Hang rate (hangRate), Launch time (launchTime)": the evidence a pause rests on. */
function because(decision) {
    return `on ${evidenceOf(decision).join(', ')}`;
}
/** The subjects a pause rests on, each once (a metric can have the rule's and Apple's finding). */
function evidenceOf(decision) {
    return [...new Set(decision.because.map(subjectName))];
}
/** "day 3 of 7 (5% of users), active"; the words the report and the log use. */
function describeRollout(release) {
    if (release.state === 'COMPLETE')
        return 'complete (100% of users)';
    if (release.state === 'INACTIVE')
        return 'not started yet (inactive)';
    const day = rolloutDay(release);
    const state = release.state.toLowerCase();
    return day ? `${day}, ${state}` : state;
}
/** "day 3 of 7 (5% of users)", or undefined before the rollout has a day. */
function rolloutDay(release) {
    if (release.day === undefined)
        return undefined;
    const day = Math.min(release.day, PHASED_RELEASE.days);
    const share = PHASED_RELEASE.userPercentByDay[day - 1];
    return `day ${release.day} of ${PHASED_RELEASE.days} (${share}% of users)`;
}
/** The failure line starts with the pause, the one thing this run changed. */
function withPause(failure, release) {
    if (!failure || !release?.paused || !release.release)
        return failure;
    const day = rolloutDay(release.release);
    return `Paused the phased release of ${release.version}${day ? ` at ${day}` : ''} ${because(release.decision)}. ${failure}`;
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
// Untrusted text in Markdown: everything from App Store Connect must display literally,
// never as HTML, links, mentions, table structure, or a forged sticky-comment marker.


const ZWSP = '\u200b';
/** The shared sanitizer: controls and line breaks become spaces (one cell, one line), bidi goes. */
const flatten = sanitize;
/** Breaks `<!--` and `-->` so no data can open, close or imitate an HTML comment marker. */
function defuseComments(text) {
    return text
        .replace(/<!--/g, `<!${ZWSP}--`)
        .replace(/--(?=>)/g, `--${ZWSP}`)
        .replace(/--!>/g, `--!${ZWSP}>`);
}
/**
 * Breaks @mentions, #references and autolinked URLs, so data can't notify people, link
 * issues, or become a link.
 */
function defuseReferences(text) {
    return text
        .replace(/([@#])(?=\S)/g, `$1${ZWSP}`)
        .replace(/:\/\//g, `:${ZWSP}//`)
        .replace(/\bwww\./gi, match => `${match.slice(0, 3)}${ZWSP}.`);
}
/**
 * An inline code span: the fence is longer than any backtick run inside. In a table cell every
 * `|` is escaped too, since GitHub splits table cells on pipes even inside code spans.
 */
function code(text, { inTable = false, maxLength = 400 } = {}) {
    const value = truncate(defuseComments(flatten(text)), maxLength);
    if (value.trim() === '')
        return '*(empty)*';
    const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map(run => run.length));
    const fence = '`'.repeat(longestRun + 1);
    const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${inTable ? value.replace(/\|/g, '\\|') : value}${pad}${fence}`;
}
/** A code span for a table cell. */
function codeCell(text) {
    return code(text, { inTable: true });
}
// Only the characters that act mid-line (our text never starts a line, where - + . would);
// with [ and ] escaped no link can form, so parentheses stay as they are.
const MARKDOWN_SPECIALS = /[\\`*_[\]#!|~]/g;
/** Plain text inside Markdown (also safe inside a table cell). */
function markdown_text(value) {
    return defuseReferences(flatten(value)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(MARKDOWN_SPECIALS, char => `\\${char}`));
}
/** Text inside raw HTML such as `<summary>`, where Markdown is not parsed. */
function html(value) {
    return defuseReferences(flatten(value)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;'));
}
/**
 * A fenced code block that its content cannot close: the fence is longer than any
 * backtick run in the lines.
 */
function codeBlock(lines) {
    const body = lines.map(line => defuseComments(flatten(line))).join('\n');
    const longestRun = Math.max(2, ...(body.match(/`+/g) ?? []).map(run => run.length));
    const fence = '`'.repeat(longestRun + 1);
    return `${fence}text\n${body}\n${fence}`;
}
/** A link only to an https URL, with its text escaped; otherwise the text alone. */
function markdown_link(label, url) {
    const parsed = httpsUrl(url);
    if (!parsed)
        return markdown_text(label);
    const href = parsed.href.replace(/[()<>\s"]/g, c => encodeURIComponent(c));
    return `[${markdown_text(label)}](${href})`;
}
/**
 * A link from App Store Connect data: live only to Apple's documentation hosts; any other URL
 * is shown as escaped text (with `://` defused, so GitHub cannot autolink it either).
 */
function dataLink(label, url) {
    const parsed = httpsUrl(url);
    if (parsed && LINK_ORIGINS.includes(parsed.origin))
        return markdown_link(label, url);
    return `${markdown_text(label)}: ${markdown_text(truncate(url, 200))}`;
}
function httpsUrl(url) {
    if (!url)
        return undefined;
    try {
        const parsed = new URL(url);
        return parsed.protocol === 'https:' ? parsed : undefined;
    }
    catch {
        return undefined;
    }
}
/** One table row of cells that are already escaped. */
function row(cells) {
    return `| ${cells.join(' | ')} |`;
}

;// CONCATENATED MODULE: ./src/report/release.ts



/**
 * The phased-release lines at the top of the report: the rollout's state, what this run did to
 * it (paused it, would have, or could not) and on which findings, and why the others did not.
 */
function releaseSection(guard, findings) {
    const version = markdown_text(guard.version);
    if (!guard.release)
        return `**Phased release:** none for ${version}.`;
    const lines = [];
    const evidence = evidenceOf(guard.decision).map(markdown_text).join(', ');
    if (guard.hypothetical && guard.decision.action === 'pause') {
        const day = rolloutDay(guard.release);
        lines.push(`⏸️ **Under this policy the guard would pause the phased release of ${version}**${day ? ` at ${day}` : ''}, on ${evidence}. A replay changes nothing in App Store Connect.`);
    }
    else if (guard.paused) {
        const day = rolloutDay(guard.release);
        lines.push(`⏸️ **This run paused the phased release of ${version}**${day ? ` at ${day}` : ''}, on ${evidence}: users who already updated keep it, and anyone can still download it from the App Store. Resume it in App Store Connect once the cause is understood.`);
    }
    else if (guard.error) {
        lines.push(`⚠️ **The phased release was not paused.** ${markdown_text(guard.error)}`);
    }
    else if (guard.decision.action === 'would-pause') {
        lines.push(`⚠️ **\`phased-release: pause-on-failure\` would have paused this rollout**, on ${evidence}; this run only reports (\`phased-release: report\`).`);
    }
    const confirmed = guard.decision.because.filter(f => f.confirmation);
    if (confirmed.length) {
        lines.push(confirmed
            .map(f => `Confirmed: ${markdown_text(subjectName(f))} (${f.kind}) ${consequenceText(f)}.`)
            .join('\n'));
    }
    lines.push(`**Phased release** of ${version}: ${describeRollout(guard.release)}.`);
    // Read again just before the PATCH, the rollout was no longer one to pause.
    const stillToPause = !guard.hypothetical && !guard.paused && !guard.error && findings.some(f => f.pauses);
    if (stillToPause)
        lines.push(`Not paused now: ${markdown_text(guard.decision.reason)}.`);
    const others = findings.filter(f => !guard.decision.because.includes(f));
    if (others.length && guard.decision.reason !== "'phased-release' is off") {
        lines.push([
            guard.paused || guard.decision.action !== 'none'
                ? 'The other findings do not pause it:'
                : 'Not paused:',
            ...others.map(f => `- ${markdown_text(subjectName(f))} (${f.kind}): ${markdown_text(f.pauses ? `fails the job; not paused: ${guard.decision.reason}` : consequenceText(f))}.`)
        ].join('\n'));
    }
    return lines.join('\n\n');
}

;// CONCATENATED MODULE: ./src/report/chart.ts
// Mermaid charts of the gated metrics. Nothing from App Store Connect reaches the chart source
// except version strings of digits and dots and finite numbers in plain decimal notation;
// every other point is left out. The title and labels are the gate's own words.


/** Versions shown per chart: the most recent ones. */
const MAX_POINTS = 12;
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
/** A finite number as Mermaid reads it, or undefined (no exponent, no NaN). */
function chartNumber(value) {
    if (!Number.isFinite(value))
        return undefined;
    const text = String(Number(value.toFixed(6)));
    return DECIMAL.test(text) ? text : undefined;
}
/**
 * A `xychart-beta` line chart of one metric over the versions Apple returned, or undefined when
 * fewer than two points qualify or the metric is not one the gate knows.
 */
function metricChart(outcome) {
    const known = knownMetric(outcome.identifier);
    if (!known)
        return undefined;
    const points = outcome.points
        .flatMap(p => {
        const value = chartNumber(p.value);
        return isVersion(p.version) && p.version.length <= 32 && value !== undefined
            ? [{ version: p.version, value }]
            : [];
    })
        .slice(-MAX_POINTS);
    if (points.length < 2)
        return undefined;
    const percentile = outcome.percentile === 'p90' ? 'p90' : 'p50';
    return [
        '```mermaid',
        'xychart-beta',
        `  title "${known.label}, ${percentile}, by version"`,
        `  x-axis [${points.map(p => `"${p.version}"`).join(', ')}]`,
        `  line [${points.map(p => p.value).join(', ')}]`,
        '```'
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/report/metrics.ts






/** The metric regressions, for the top of the report with the other problems. */
function metricProblems(metrics, findings) {
    if (!metrics?.regressions.length)
        return '';
    return [
        '#### Metric regressions',
        '',
        '| | Metric | This version | Reference | Change | Found by |',
        '|---|---|---:|---|---:|---|',
        ...metrics.regressions.map(o => row([
            mark(metricFindings(findings, o.identifier)) ?? '',
            metricName(o),
            valueCell(o),
            referenceCell(o),
            changeCell(o),
            [o.regressedByRule ? 'the rule' : '', o.regressedByApple ? "Apple's insight" : '']
                .filter(Boolean)
                .join(', ')
        ]))
    ].join('\n');
}
/** The Metrics section: the table (the numbers, wherever Mermaid does not render), then charts. */
function metricsSection(metrics, findings, charts) {
    const { settings } = metrics;
    const version = metrics.version ? markdown_text(metrics.version) : 'this build';
    const parts = [
        '#### Metrics',
        '',
        `Apple's power and performance metrics for version ${version}, ${settings.percentile} on ${code(settings.device)}. A metric regresses when it rose more than ${limitPercent(settings.maxIncrease)} over the reference and the error margins do not overlap.`,
        '',
        "| Metric | This version | Reference | Change | Apple's goal | Verdict |",
        '|---|---:|---|---:|---|---|',
        ...metrics.outcomes.map(o => row([
            metricName(o),
            valueCell(o),
            referenceCell(o),
            changeCell(o),
            goalCell(o),
            verdictCell(o, metricFindings(findings, o.identifier))
        ]))
    ];
    const insights = metrics.outcomes.filter(o => o.appleInsight);
    if (insights.length) {
        parts.push('', ...insights.map(o => `- ${insightLine(o, o.appleInsight)}`));
    }
    if (charts) {
        for (const o of metrics.outcomes) {
            const chart = metricChart(o);
            if (chart)
                parts.push('', chart);
        }
    }
    return parts.join('\n');
}
function metricName(o) {
    return o.label.toLowerCase() === o.identifier.toLowerCase()
        ? codeCell(o.identifier)
        : `${markdown_text(o.label)} ${codeCell(o.identifier)}`;
}
function valueCell(o) {
    if (!o.point)
        return 'no data yet';
    const margin = o.point.errorMargin ? ` ± ${withUnit(o.point.errorMargin, undefined)}` : '';
    return markdown_text(`${withUnit(o.point.value, o.unit)}${margin}`);
}
function referenceCell(o) {
    if (!o.reference)
        return '';
    const { value, errorMargin } = o.reference;
    const margin = errorMargin ? ` ± ${withUnit(errorMargin, undefined)}` : '';
    return markdown_text(`${withUnit(value, o.unit)}${margin} (${referenceName(o.reference)})`);
}
function changeCell(o) {
    return o.change === undefined ? '' : changeText(o.change, o.limit);
}
function goalCell(o) {
    const parts = [
        o.point?.goal,
        o.recommendedGoal && `recommended ${withUnit(o.recommendedGoal.value, o.unit)}`
    ].filter((part) => Boolean(part));
    return parts.length ? markdown_text(parts.join(', ')) : '';
}
function verdictCell(o, findings) {
    const marked = mark(findings) ?? '⚠️';
    switch (o.status) {
        case 'regressed':
            return o.regressedByRule ? `${marked} regressed` : `${marked} regressed (Apple's insight)`;
        case 'no-data':
            return `${marked} ${markdown_text(o.reason ?? 'no data yet')}`;
        case 'not-gated':
            return 'ℹ️ reported, not gated (direction unknown)';
        default:
            if (o.appleInsight?.kind === 'regression')
                return '✅ (Apple flags a regression; see below)';
            return '✅';
    }
}
function insightLine(o, insight) {
    const what = insight.kind === 'regression' ? 'a regression' : 'a rising trend';
    const population = insight.populations[0];
    const figures = population?.latestVersionValue !== undefined && population.referenceAverageValue !== undefined
        ? `: ${withUnit(population.latestVersionValue, o.unit)} against an average of ${withUnit(population.referenceAverageValue, o.unit)}${population.deltaPercentage !== undefined ? ` (${population.deltaPercentage > 0 ? '+' : ''}${Number(population.deltaPercentage.toFixed(1))}%)` : ''}`
        : '';
    const versions = insight.referenceVersions.length
        ? ` compared with ${insight.referenceVersions.join(', ')}`
        : '';
    const impact = insight.highImpact ? ', high impact' : '';
    const summary = insight.summary ? ` ${code(insight.summary)}` : '';
    return `Apple's insight on ${markdown_text(o.label)}: ${what}${markdown_text(versions + figures + impact)}.${summary}`;
}

;// CONCATENATED MODULE: ./src/history/remember.ts

/**
 * The run of the previous version whose rollout day is nearest to `day`, with a value for
 * `metric` in `population`: between two days as near, the earlier (fewer users, as now); within
 * a day, its latest run (the figure Apple had by then). Undefined when none is within
 * `maxDistance` days, so the caller falls back to `previous` and says so.
 */
function sameDayValue(previous, metric, population, day, maxDistance = HISTORY.sameDayDistance) {
    let best;
    const nearer = (distance, runDay, at) => !best ||
        distance < best.distance ||
        (distance === best.distance && (runDay < best.day || (runDay === best.day && at > best.at)));
    for (const run of previous) {
        const recorded = run.metrics[metric];
        if (run.day === null || !recorded)
            continue;
        if (run.population !== population)
            continue;
        const distance = Math.abs(run.day - day);
        if (distance > maxDistance)
            continue;
        if (nearer(distance, run.day, run.generatedAt)) {
            best = { ...recorded, day: run.day, file: run.file, distance, at: run.generatedAt };
        }
    }
    return (best && { value: best.value, errorMargin: best.errorMargin, day: best.day, file: best.file });
}
/**
 * The runs of an index that a decision or the report can read: each rollout day's last run (the
 * charts, the end-of-rollout table), each day's last run with a value for a metric (`same-day`),
 * and the last runs `confirm-runs` can count. The run and its record keep these alone, so the
 * record's size does not grow with the guard's schedule.
 */
function decisiveRuns(runs) {
    const inOrder = [...runs].sort(byTime);
    const keep = new Set(inOrder.slice(-(HISTORY.maxConfirmRuns - 1)));
    const last = new Map();
    for (const run of inOrder) {
        if (run.day === null)
            continue;
        last.set(`${run.day}`, run);
        for (const [metric, value] of Object.entries(run.metrics)) {
            if (value)
                last.set(`${run.day} ${run.population} ${metric}`, run);
        }
    }
    for (const run of last.values())
        keep.add(run);
    return inOrder.filter(run => keep.has(run));
}
/** Oldest first, by the time each run decided. */
function byTime(a, b) {
    return a.generatedAt < b.generatedAt ? -1 : a.generatedAt > b.generatedAt ? 1 : 0;
}
/** The rollout's day as the history counts it: 1 to 7 (a paused rollout's count stops at 7). */
function rolloutDayNumber(release) {
    return release?.day === undefined ? undefined : Math.min(release.day, PHASED_RELEASE.days);
}
/** The metrics' population as the index writes it: `p50 all_iphones`. */
function populationOf(settings) {
    return `${settings.percentile} ${settings.device}`;
}
/**
 * `same-day`'s lookup for a run on rollout `day`: the previous version's figure nearest that
 * day, or why there is none.
 */
function sameDayFigures(history, settings, day) {
    return identifier => {
        if (!history)
            return { missing: 'the guard read no history' };
        if ('unavailable' in history)
            return { missing: 'the history could not be read' };
        const previous = history.previous;
        if (!previous)
            return { missing: 'no earlier version is recorded' };
        if (day === undefined)
            return { missing: 'the rollout has no day yet' };
        const found = sameDayValue(previous.runs, identifier, populationOf(settings), day);
        if (!found) {
            return {
                missing: `${previous.version} has no run recorded within ${HISTORY.sameDayDistance} day of day ${day}`
            };
        }
        return {
            version: previous.version,
            value: found.value,
            errorMargin: found.errorMargin,
            day: found.day,
            run: found.file
        };
    };
}
/**
 * Whether the finding `key` (`metric-regression hangRate`) held in the `needed − 1` runs of this
 * version just before this one, in a row. With `needed` 1 every finding is confirmed.
 */
function confirmation(earlier, key, needed) {
    let inARow = 1;
    for (const run of [...earlier].reverse()) {
        if (inARow >= needed || !run.findings.includes(key))
            break;
        inARow++;
    }
    return { inARow, needed, confirmed: inARow >= needed };
}

;// CONCATENATED MODULE: ./src/history/layout.ts



/** A path segment from App Store Connect text: only what every file system takes as it is. */
function segment(text) {
    const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    return safe.slice(0, 64) || '_';
}
function appFolder(appId, platform) {
    return `${segment(appId)}-${segment(platform.toLowerCase())}`;
}
function versionFolder(appId, platform, version) {
    return `${appFolder(appId, platform)}/${segment(version)}`;
}
/** `runs/2026-12-02T10-00-00.123Z.json`: the UTC time, with colons no file system minds. */
function runFile(generatedAt) {
    return `runs/${segment(generatedAt.replace(/:/g, '-'))}.json`;
}
/**
 * The index with `entry` added in time order (a run written twice is listed once), capped. Once
 * the rollout is complete, its first complete run stays the last: the guard keeps running while
 * the version is live, and those runs must not push the rollout's days out of the index.
 */
function withRun(index, entry) {
    if (entry.state === 'COMPLETE' && index.runs.some(r => r.state === 'COMPLETE'))
        return index;
    const runs = [...index.runs.filter(r => r.file !== entry.file), entry].sort(byTime);
    return { version: index.version, runs: runs.slice(-HISTORY.maxRunsPerVersion) };
}
/**
 * The version folders to remove so that `keep` remain: the oldest by version order, never the
 * one being written. Folders whose names are not versions are left alone.
 */
function foldersToPrune(versions, current, keep) {
    const ordered = versions.filter(v => isVersion(v) && v !== segment(current)).sort(compareVersions);
    const room = Math.max(0, keep - 1);
    return ordered.slice(0, Math.max(0, ordered.length - room));
}

;// CONCATENATED MODULE: ./src/report/rollout.ts





// The rollout drawn from the guard's history (issue 24), pure: one chart per gated metric, value
// by rollout day for this version and the previous one, and the whole rollout in one table when
// it completes. Only validated numbers and the gate's own words reach the chart source.
const ACTION_WORDS = {
    paused: '⏸️ paused',
    'would-pause': 'would pause',
    none: '–'
};
/** `metric-regression hangRate`, `breach HANGS` (the digest only tells runs apart). */
function findingLabel(key) {
    return markdown_text(key.replace(/:[0-9a-f]{16}$/, ''));
}
/** Each rollout day's last recorded run: the figure Apple had by the end of that day. */
function byDay(runs) {
    const days = new Map();
    for (const run of [...runs].sort(byTime)) {
        if (run.day !== null && run.day >= 1 && run.day <= PHASED_RELEASE.days)
            days.set(run.day, run);
    }
    return new Map([...days].sort(([a], [b]) => a - b));
}
/**
 * A line chart of `metric` by rollout day: this version's line, and the previous version's
 * when it was recorded on each of those days. Undefined with fewer than two days of data.
 */
function rolloutChart(metric, current, previous) {
    const known = knownMetric(metric);
    if (!known)
        return undefined;
    const valueOn = (days, day) => {
        const recorded = days.get(day)?.metrics[metric];
        return recorded ? chartNumber(recorded.value) : undefined;
    };
    const mine = byDay(current.runs);
    const days = [...mine.keys()].filter(day => valueOn(mine, day) !== undefined);
    if (days.length < 2)
        return undefined;
    const before = previous ? byDay(previous.runs) : undefined;
    const earlier = before && days.map(day => valueOn(before, day));
    const both = previous && earlier?.every(Boolean);
    // Folder names are path segments ([A-Za-z0-9._-]): nothing in them can end the quoted title.
    const title = both
        ? `${known.label} by rollout day: ${current.version}, then ${previous.version} (second line)`
        : `${known.label} by rollout day: ${current.version}`;
    const lines = [
        '```mermaid',
        'xychart-beta',
        `  title "${title}"`,
        `  x-axis [${days.map(day => `"day ${day}"`).join(', ')}]`,
        `  y-axis "${known.unit}"`,
        `  line [${days.map(day => valueOn(mine, day)).join(', ')}]`,
        ...(both ? [`  line [${earlier.join(', ')}]`] : []),
        '```'
    ];
    return lines.join('\n');
}
/** The whole rollout, one row per day: users, each metric, what failed, and what was done. */
function rolloutTable(metrics, runs) {
    const head = [
        'Day',
        'Users',
        ...metrics.map(m => {
            const known = knownMetric(m);
            return known ? `${known.label} (${known.unit})` : markdown_text(m);
        }),
        'Findings',
        'Action'
    ];
    const rows = [...byDay(runs)].map(([day, run]) => {
        const values = metrics.map(m => {
            const recorded = run.metrics[m];
            return recorded ? (chartNumber(recorded.value) ?? '–') : '–';
        });
        const users = `${PHASED_RELEASE.userPercentByDay[day - 1]}%`;
        // What was found, not what Apple has yet to publish.
        const found = run.findings.filter(key => !key.startsWith('no-data '));
        const findings = found.length ? [...new Set(found.map(findingLabel))].join(', ') : 'none';
        return `| ${day} | ${users} | ${values.join(' | ')} | ${findings} | ${ACTION_WORDS[run.action]} |`;
    });
    return [
        `| ${head.join(' | ')} |`,
        `|${head.map((_, i) => (i < 2 + metrics.length && i > 0 ? '---:' : '---')).join('|')}|`,
        ...rows
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/report/history.ts




/** Only recorded runs count: until one is written, `confirm-runs` above 1 cannot pause. */
function unconfirmableAfter(confirmRuns) {
    return confirmRuns > 1
        ? ` Until runs are recorded, 'confirm-runs' ${confirmRuns} cannot count ${confirmRuns} in a row, and the guard does not pause.`
        : '';
}
/**
 * The rollout, run by run: what the history held, what `same-day` compared with, a chart per
 * gated metric by rollout day, and, once the rollout is complete, the whole of it in one table.
 */
function historySection(history, metrics) {
    const { memory } = history;
    const references = referenceLines(metrics);
    if ('unavailable' in memory) {
        const unconfirmed = history.confirmRuns > 1
            ? [
                `Without it this run cannot count runs in a row: it pauses on what it finds, as with \`confirm-runs: 1\`, rather than never.`
            ]
            : [];
        return [`⚠️ **No history.** ${markdown_text(memory.unavailable)}`, ...unconfirmed, ...references].join('\n');
    }
    // Figures compare only within one percentile and device: runs under another are not drawn.
    const population = (index) => ({
        ...index,
        runs: index.runs.filter(r => r.population === history.thisRun.population)
    });
    const current = population(withRun(memory.current, history.thisRun));
    const previous = memory.previous && population(memory.previous);
    const lines = [
        `**History** on ${code(memory.branch)}: the rollout of ${markdown_text(current.version)} so far${previous ? `, beside ${markdown_text(previous.version)}'s` : '; no earlier version is recorded'}.`,
        ...references
    ];
    const identifiers = (metrics?.outcomes ?? []).map(o => metricIdentifier(o.identifier));
    const charts = identifiers.flatMap(id => rolloutChart(id, current, previous) ?? []);
    if (history.written && !history.written.ok) {
        lines.push(`⚠️ **This run was not recorded.** ${markdown_text(`${history.written.warning}${unconfirmableAfter(history.confirmRuns)}`)}`);
    }
    const parts = [lines.join('\n')];
    if (charts.length)
        parts.push(charts.join('\n\n'));
    if (history.complete) {
        parts.push(`**The whole rollout of ${markdown_text(current.version)}**, each day's last run:\n\n${rolloutTable(identifiers, current.runs)}`);
    }
    return `#### The rollout, run by run\n\n${parts.join('\n\n')}`;
}
/** What `same-day` compared each metric with, or why it fell back to `previous`. */
function referenceLines(metrics) {
    const lines = [];
    for (const o of metrics?.outcomes ?? []) {
        const reference = o.reference;
        if (reference?.mode === 'same-day') {
            lines.push(`${markdown_text(o.label)} is compared with ${markdown_text(reference.versions.join(', '))} at day ${reference.day} of its rollout (${code(reference.run ?? '')}), not with its final figure.`);
        }
        else if (reference?.fallback) {
            lines.push(`${markdown_text(o.label)}: no same-day figure (${markdown_text(reference.fallback)}), so it is compared with ${markdown_text(reference.versions.join(', '))}'s latest figure.`);
        }
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/report/render.ts








/** How much to show; each level drops more, in the order the design gives. */
var Detail;
(function (Detail) {
    Detail[Detail["Full"] = 0] = "Full";
    Detail[Detail["NoBacktraces"] = 1] = "NoBacktraces";
    Detail[Detail["TopTenRows"] = 2] = "TopTenRows";
    Detail[Detail["NoTypeTables"] = 3] = "NoTypeTables";
})(Detail || (Detail = {}));
const TOP_ROWS = 10;
/** The whole report as Markdown: a pure function of the verdict and its context. */
function renderReport(verdict, context, detail = Detail.Full) {
    const sections = [
        headline(verdict),
        context.release && releaseSection(context.release, verdict.findings),
        buildLine(context),
        metricProblems(verdict.metrics, verdict.findings),
        problems(verdict),
        verdict.metrics &&
            metricsSection(verdict.metrics, verdict.findings, detail < Detail.NoTypeTables),
        context.history && historySection(context.history, verdict.metrics),
        ...(detail < Detail.NoTypeTables
            ? verdict.outcomes.map(o => typeSection(o, verdict, context, detail))
            : []),
        noCheckoutLine(context),
        footer(verdict, context)
    ];
    return `${sections.filter(Boolean).join('\n\n')}\n`;
}
function headline(verdict) {
    const failing = verdict.findings.filter(f => f.failsJob);
    if (verdict.result === 'no-data') {
        return `### ${failing.length ? '❌' : '⚠️'} App Store diagnostics gate: no data yet, nothing was checked`;
    }
    const reported = verdict.findings.filter(f => !f.failsJob && f.kind !== 'no-data');
    if (failing.length) {
        const also = counts(reported);
        return `### ❌ App Store diagnostics gate: ${counts(failing).join(', ')}${also.length ? ` · reported only: ${also.join(', ')}` : ''}`;
    }
    if (reported.length) {
        return `### ⚠️ App Store diagnostics gate: ${counts(reported).join(', ')}, reported only`;
    }
    const gaps = gapNames(verdict.findings);
    if (gaps.length)
        return `### ⚠️ App Store diagnostics gate: passed, no data yet for ${gaps.join(', ')}`;
    return '### ✅ App Store diagnostics gate: passed';
}
/** What the no-data findings are about: `hangs`, `hang rate`. */
function gapNames(findings) {
    return findings.flatMap(f => {
        if (f.kind !== 'no-data')
            return [];
        if ('diagnosticType' in f.subject)
            return [typeList([f.subject.diagnosticType])];
        return 'metric' in f.subject ? [markdown_text(f.subject.metric.label.toLowerCase())] : [];
    });
}
/** `1 breach`, `2 metric regressions`, `no data for hangs, hang rate`: findings counted by kind. */
function counts(findings) {
    const signatures = (kind) => findings.filter(f => f.kind === kind).length;
    const metrics = new Set(findings.flatMap(f => (f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []))).size;
    const gaps = gapNames(findings);
    return [
        signatures('breach') ? plural(signatures('breach'), 'breach', 'breaches') : '',
        signatures('signature-regression')
            ? plural(signatures('signature-regression'), 'regression')
            : '',
        metrics ? plural(metrics, 'metric regression') : '',
        gaps.length ? `no data for ${gaps.join(', ')}` : ''
    ].filter(Boolean);
}
function buildLine(context) {
    const parts = [
        `**Build** ${context.buildLabel ? `${markdown_text(context.buildLabel)} · ` : ''}${code(context.buildId)}`
    ];
    if (context.baseline) {
        const { id, label } = context.baseline;
        parts.push(`compared with ${label ? `${markdown_text(label)} · ` : ''}${code(id)}`);
    }
    if (context.runUrl)
        parts.push(markdown_link('workflow run', context.runUrl));
    return parts.join(' · ');
}
/** Regressions first, then threshold breaches: two kinds of finding, two tables. */
function problems(verdict) {
    if (verdict.breaches.length + verdict.regressions.length === 0) {
        const fetched = verdict.outcomes.reduce((n, o) => n + o.fetched, 0);
        return fetched
            ? 'No signature is above its threshold' +
                (verdict.hasBaseline ? ' or regressed against the baseline.' : '.')
            : 'App Store Connect has no diagnostic signatures for this build yet.';
    }
    const sections = [];
    if (verdict.regressions.length) {
        const rows = verdict.regressions.map(s => row([
            `${markOf(verdict, s, 'signature-regression')} ${s.change === 'new' || s.change === 'unlisted' ? s.change : 'up'}`,
            TYPE_LABELS[s.diagnosticType],
            codeCell(s.signature),
            percent(s.weight),
            baselineCell(s),
            deltaCell(s)
        ]));
        sections.push([
            '#### Regressions',
            '',
            '| | Type | Signature | Weight | Baseline | Δ |',
            '|---|---|---|---:|---:|---:|',
            ...rows
        ].join('\n'));
    }
    if (verdict.breaches.length) {
        const rows = verdict.breaches.map(s => {
            const cells = [
                markOf(verdict, s, 'breach'),
                TYPE_LABELS[s.diagnosticType],
                codeCell(s.signature),
                percent(s.weight),
                limitPercent(s.threshold)
            ];
            return row(verdict.hasBaseline ? [...cells, render_changeCell(s)] : cells);
        });
        const header = verdict.hasBaseline
            ? '| | Type | Signature | Weight | Limit | Change |\n|---|---|---|---:|---:|---|'
            : '| | Type | Signature | Weight | Limit |\n|---|---|---|---:|---:|';
        sections.push(['#### Breaches', '', header, ...rows].join('\n'));
    }
    return sections.join('\n\n');
}
/** ❌ when this finding fails the job, ⚠️ when it is only reported. */
function markOf(verdict, s, kind) {
    return mark(findingsOf(verdict.findings, s.id).filter(f => f.kind === kind)) ?? '';
}
/** The baseline weight, or its bound for a signature the cut baseline list did not reach. */
function baselineCell(s) {
    if (s.baselineWeight !== undefined)
        return percent(s.baselineWeight);
    return s.baselineAtMost === undefined ? '' : `≤ ${percent(s.baselineAtMost)}`;
}
/** The rise in percentage points, signed; at least this much for an unlisted signature. */
function deltaCell(s) {
    if (s.delta === undefined)
        return '';
    return `${s.change === 'unlisted' ? '≥ ' : ''}${deltaPoints(s.delta)}`;
}
function render_changeCell(s) {
    switch (s.change) {
        case 'new':
            return 'new';
        case 'unlisted':
            return "unlisted: below the baseline's fetched list";
        case 'same':
            return `= ${percent(s.weight)}`;
        case 'up':
            return `↑ from ${percent(s.baselineWeight ?? 0)}`;
        case 'down':
            return `↓ from ${percent(s.baselineWeight ?? 0)}`;
        default:
            return '';
    }
}
const ARROWS = { UP: '↑', DOWN: '↓', UNDEFINED: '·' };
function trendCell(insight) {
    if (!insight)
        return '';
    const arrow = insight.direction ? ARROWS[insight.direction] : '';
    const refs = insight.referenceVersions
        .slice(0, 3)
        .map(r => `${markdown_text(r.version)}: ${r.value >= 0 && r.value <= 1 ? percent(r.value) : markdown_text(String(r.value))}`);
    return [arrow, refs.join(', ')].filter(Boolean).join(' ');
}
function typeSection(outcome, verdict, context, detail) {
    const label = TYPE_LABELS[outcome.type];
    if (outcome.fetched === 0) {
        return `<details><summary>${label}: no data yet</summary>\n\nApp Store Connect has no ${label.toLowerCase()} signatures for this build. Apple publishes diagnostics a few days after release, once enough users have opted in to share them.\n\n</details>`;
    }
    const rows = detail >= Detail.TopTenRows ? outcome.shown.slice(0, TOP_ROWS) : outcome.shown;
    const parts = [
        `<details><summary>${html(typeSummary(outcome, rows.length))}</summary>`,
        '',
        ...signatureTable(rows, verdict)
    ];
    if (rows.length < outcome.shown.length) {
        parts.push('', `${outcome.shown.length - rows.length} more rows are in the job summary and the JSON report.`);
    }
    if (detail < Detail.NoBacktraces && context.backtraces) {
        for (const s of rows) {
            const result = context.backtraces.get(s.id);
            if (result)
                parts.push('', backtraceBlock(s, result, context.sources?.places.get(s.id)));
        }
    }
    const gone = goneLine(outcome);
    if (gone)
        parts.push('', gone);
    parts.push('', '</details>');
    return parts.join('\n');
}
/** `Hangs: top 10 of 24 · 1 above 50%`: the line a type's section folds under. */
function typeSummary(outcome, rows) {
    const breached = outcome.shown.filter(s => s.breached).length;
    return [
        `${TYPE_LABELS[outcome.type]}: top ${rows}${outcome.complete ? ` of ${outcome.fetched}` : ''}`,
        breached
            ? `${breached} above ${limitPercent(outcome.threshold)}`
            : `limit ${limitPercent(outcome.threshold)}`
    ].join(' · ');
}
/** A type's signatures: against the baseline when there is one, else with Apple's trend. */
function signatureTable(rows, verdict) {
    const withBaseline = verdict.hasBaseline;
    const head = withBaseline
        ? '| # | Signature | Weight | Limit | Status | Baseline | Δ | Change |\n|---:|---|---:|---:|---|---:|---:|---|'
        : '| # | Signature | Weight | Limit | Status | Apple trend |\n|---:|---|---:|---:|---|---|';
    const body = rows.map(s => {
        const status = s.breached
            ? `${markOf(verdict, s, 'breach')} over`
            : s.regressed
                ? `${markOf(verdict, s, 'signature-regression')} regressed`
                : '✅';
        const cells = [
            String(s.rank),
            codeCell(s.signature),
            percent(s.weight),
            limitPercent(s.threshold),
            status
        ];
        const compared = withBaseline
            ? [baselineCell(s), deltaCell(s), render_changeCell(s)]
            : [trendCell(s.insight)];
        return row([...cells, ...compared]);
    });
    return [head, ...body];
}
function goneLine(outcome) {
    if (outcome.goneUnknown) {
        return `This build has more than ${outcome.fetched} ${TYPE_LABELS[outcome.type].toLowerCase()} signatures, so none of the baseline's can be called gone.`;
    }
    if (outcome.gone.length === 0)
        return '';
    const items = outcome.gone
        .slice(0, TOP_ROWS)
        .map((s) => `${code(s.signature)} (${percent(s.weight)})`);
    const more = outcome.gone.length > TOP_ROWS ? `, and ${outcome.gone.length - TOP_ROWS} more` : '';
    return `Gone since the baseline: ${items.join(', ')}${more}.`;
}
/** The one line a run without a checkout gets, when a blamed frame named a file. */
function noCheckoutLine(context) {
    return context.sources?.noCheckout && context.pullRequest
        ? 'The blamed source lines are not annotated: the workspace has no checkout of the code. Add `actions/checkout` before this step to see them in the pull request’s changed files.'
        : '';
}
/** Where the blamed frame is in the repository, or why it is not annotated there. */
function placeLine(place) {
    return place.ok
        ? `Blamed line in this repository: ${code(`${place.path}:${place.line}`)}.`
        : `Not annotated on the source: ${markdown_text(place.reason)}.`;
}
function backtraceBlock(s, result, place) {
    if (!result.ok)
        return `<details><summary>Backtrace (rank ${s.rank}): unavailable</summary>\n\n${markdown_text(result.reason)}\n\n</details>`;
    const b = result.backtrace;
    const facts = [
        b.device,
        b.os,
        b.appVersion && `${b.appVersion}${b.buildVersion ? ` (${b.buildVersion})` : ''}`,
        b.eventDetail,
        b.writesCaused && `writes ${b.writesCaused}`
    ].filter((fact) => Boolean(fact));
    const summary = [`Backtrace (rank ${s.rank})`, ...facts.map(html)].join(' · ');
    const width = Math.max(0, ...b.frames.map(f => f.binary.length));
    const elided = (n) => `… ${plural(n, 'frame')} …`;
    const lines = b.frames.flatMap(f => {
        const location = f.file ? `  ${f.file}${f.line ? `:${f.line}` : ''}` : '';
        const marks = [f.blamed && '← blamed', f.category].filter(Boolean).join(' · ');
        const line = `${f.binary.padEnd(width)}  ${f.symbol}${location}${marks ? `   ${marks}` : ''}`;
        return f.skippedBefore ? [elided(f.skippedBefore), line] : [line];
    });
    if (b.skippedAfter)
        lines.push(elided(b.skippedAfter));
    const parts = [
        `<details><summary>${summary}</summary>`,
        '',
        codeBlock(lines.length ? lines : ['(no frames)'])
    ];
    if (b.basis === 'heaviest')
        parts.push('', 'No frame is marked as blamed; this is the heaviest path by sample count.');
    if (place)
        parts.push('', placeLine(place));
    for (const insight of b.insights) {
        parts.push('', `Apple: ${markdown_text(insight.text)}${insight.url ? ` (${dataLink('guide', insight.url)})` : ''}`);
    }
    parts.push('', '</details>');
    return parts.join('\n');
}
function footer(verdict, context) {
    const thresholds = DIAGNOSTIC_TYPES.filter(t => verdict.outcomes.some(o => o.type === t))
        .map(t => `${TYPE_LABELS[t].toLowerCase()} ${limitPercent(context.thresholds[t])}`)
        .join(', ');
    const parts = [`Thresholds: ${thresholds}`];
    if (verdict.hasBaseline)
        parts.push(`max rise over baseline ${Number((context.maxWeightIncrease * 100).toFixed(2))} points`);
    const { remaining, limit } = context.rateLimit ?? {};
    if (remaining !== undefined) {
        parts.push(`App Store Connect budget left: ${groupDigits(remaining)}${limit ? ` of ${groupDigits(limit)}` : ''} requests this hour`);
    }
    return `<sub>${parts.join(' · ')}</sub>`;
}

;// CONCATENATED MODULE: ./src/report/fit.ts

const characters = (text) => text.length;
const utf8Bytes = (text) => Buffer.byteLength(text, 'utf8');
/**
 * The most detailed rendering that fits: drop backtraces, then long tables, then the
 * per-type tables; as a last resort cut at a line boundary. The verdict line comes first,
 * so it always survives.
 */
function fitReport(render, budget) {
    const levels = [Detail.Full, Detail.NoBacktraces, Detail.TopTenRows, Detail.NoTypeTables];
    let report = '';
    for (const level of levels) {
        report = render(level);
        const fitted = level === Detail.Full ? report : `${report}\n${omissionNote(budget.elsewhere)}\n`;
        if (budget.measure(fitted) <= budget.max)
            return fitted;
    }
    return cutAtLine(report, budget);
}
function omissionNote(elsewhere) {
    return `<sub>Some detail was left out to fit GitHub's size limit; the full report is in ${elsewhere}.</sub>`;
}
/**
 * Cuts at a line boundary, closing a fence and the `<details>` sections the renderer opened, so
 * the rest renders. Only sections the renderer opens count: they start a line with `<details>`
 * and end with a line `</details>`; signature text never starts a line, so text that merely
 * contains the tag cannot inflate the closing. The result is measured again with its closing.
 */
function cutAtLine(report, budget) {
    const note = `\n\n**Report cut to fit GitHub's size limit.** The full report is in ${budget.elsewhere}.\n`;
    const lines = report.split('\n');
    let keep = lines.length;
    for (;;) {
        const cut = closeSections(lines.slice(0, keep));
        const result = `${cut}${note}`;
        if (budget.measure(result) <= budget.max || keep === 0)
            return result;
        // Drop at least the overflow's worth of lines, then measure again.
        keep = Math.max(0, Math.min(keep - 1, shrinkTo(lines, keep, budget, result)));
    }
}
/** How many lines to keep so the text loses roughly what it is over the budget. */
function shrinkTo(lines, keep, budget, result) {
    let excess = budget.measure(result) - budget.max;
    let count = keep;
    while (count > 0 && excess > 0) {
        count--;
        excess -= budget.measure(lines[count]) + 1;
    }
    return count;
}
/** The lines with a fence and the renderer's open `<details>` sections closed. */
function closeSections(kept) {
    let fence;
    let openDetails = 0;
    for (const line of kept) {
        const fenceMatch = /^(`{3,})/.exec(line);
        if (fenceMatch)
            fence = fence && fenceMatch[1] === fence ? undefined : (fence ?? fenceMatch[1]);
        else if (!fence && line.startsWith('<details>'))
            openDetails++;
        else if (!fence && line === '</details>')
            openDetails = Math.max(0, openDetails - 1);
    }
    const closing = [
        ...(fence ? [fence] : []),
        '',
        ...Array.from({ length: openDetails }, () => '</details>')
    ];
    return [...kept, ...closing].join('\n');
}

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
;// CONCATENATED MODULE: ./src/http/proxy.ts




/**
 * The runner's proxy settings, read the way @actions/http-client reads them (HTTPS_PROXY or
 * HTTP_PROXY by the target's scheme, lower case first; NO_PROXY by host, host:port, `.domain`
 * or `*`; loopback never proxied), so the action behaves like every other action on a runner.
 * A value that is not an http(s) URL is an InputError naming the variable: going direct instead
 * would bypass a proxy the runner requires, and quietly.
 */
function proxyFor(target, env = process.env) {
    if (bypassesProxy(target, env))
        return undefined;
    const names = target.protocol === 'https:' ? PROXY_VARIABLES.https : PROXY_VARIABLES.http;
    const name = names.find(n => env[n]);
    if (!name)
        return undefined;
    const value = env[name];
    // `proxy:3128` without a scheme is common; URL would read `proxy:` as the scheme.
    let proxy;
    try {
        proxy = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    }
    catch {
        proxy = undefined;
    }
    if (!proxy || !['http:', 'https:'].includes(proxy.protocol) || !proxy.hostname) {
        // The value is not quoted: it may hold the proxy's password.
        throw new InputError(`The environment variable ${name} is not a proxy URL the action can use; set it to one such as http://proxy.example.com:3128 (http or https, credentials percent-encoded), or unset it.`);
    }
    return proxy;
}
/** Lower case first, as @actions/http-client reads them. */
const PROXY_VARIABLES = {
    https: ['https_proxy', 'HTTPS_PROXY'],
    http: ['http_proxy', 'HTTP_PROXY']
};
/** Only these are loopback: a name such as `127.example.com` is a host like any other. */
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
function bypassesProxy(target, env) {
    // URL writes an IPv4 literal in its four-number form (127.1 is 127.0.0.1), so a dotted quad
    // here is an address, never a name.
    if (LOOPBACK.test(target.hostname))
        return true;
    const host = target.hostname.toUpperCase();
    const noProxy = env.no_proxy || env.NO_PROXY || '';
    const port = target.port || (target.protocol === 'https:' ? '443' : '80');
    const names = [host, `${host}:${port}`];
    return noProxy
        .split(',')
        .map(entry => entry.trim().toUpperCase())
        .filter(Boolean)
        .some(entry => entry === '*' ||
        names.some(name => name === entry ||
            name.endsWith(`.${entry}`) ||
            (entry.startsWith('.') && name.endsWith(entry))));
}
/** `Basic …` for credentials in the proxy URL, else undefined. */
function proxyAuthorization(proxy) {
    if (!proxy.username && !proxy.password)
        return undefined;
    const credentials = Buffer.concat([
        percentDecoded(proxy.username),
        Buffer.from(':'),
        percentDecoded(proxy.password)
    ]);
    return `Basic ${credentials.toString('base64')}`;
}
/**
 * The bytes of a percent-encoded URL part. A `%` that starts no escape (`pa%ss`) is kept as
 * written, as a password typed without encoding means it.
 */
function percentDecoded(text) {
    const bytes = [];
    for (let i = 0; i < text.length;) {
        const escape = /^%[\da-f]{2}/i.exec(text.slice(i, i + 3));
        if (escape) {
            bytes.push(Buffer.from([parseInt(text.slice(i + 1, i + 3), 16)]));
            i += 3;
        }
        else {
            const char = String.fromCodePoint(text.codePointAt(i));
            bytes.push(Buffer.from(char));
            i += char.length;
        }
    }
    return Buffer.concat(bytes);
}
/**
 * An https agent whose connections go through the proxy: a CONNECT tunnel, then TLS to the
 * target inside it (certificate checked against the target's name, as without a proxy).
 */
class TunnelAgent extends external_node_https_namespaceObject.Agent {
    proxy;
    /** Tunnels still being opened: a proxy that never answers must not keep the process alive. */
    opening = new Set();
    constructor(proxy) {
        super({ keepAlive: true });
        this.proxy = proxy;
    }
    destroy() {
        for (const connect of this.opening)
            connect.destroy();
        this.opening.clear();
        super.destroy();
    }
    createConnection(requestOptions, callback) {
        // Node hands the agent its TLS options (ca, servername, …) along with host and port.
        const options = requestOptions;
        const done = (callback ?? (() => { }));
        const host = options.hostname ?? options.host ?? 'localhost';
        const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`;
        const auth = proxyAuthorization(this.proxy);
        const connect = (this.proxy.protocol === 'https:' ? external_node_https_namespaceObject : external_node_http_namespaceObject).request({
            host: this.proxy.hostname,
            port: this.proxy.port || (this.proxy.protocol === 'https:' ? 443 : 80),
            method: 'CONNECT',
            path: authority,
            headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) },
            agent: false
        });
        this.opening.add(connect);
        connect.once('close', () => this.opening.delete(connect));
        connect.once('connect', (response, socket) => {
            this.opening.delete(connect);
            if (response.statusCode !== 200) {
                socket.destroy();
                done(new ProxyError(`the proxy refused the tunnel (HTTP ${response.statusCode})`));
                return;
            }
            done(null, external_node_tls_namespaceObject.connect({ ...options, socket, servername: options.servername ?? host }));
        });
        connect.once('error', error => done(error));
        connect.end();
        return undefined;
    }
}
/** The proxy itself failed or refused; never the target's answer. */
class ProxyError extends Error {
    code = 'EPROXY';
    constructor(message) {
        super(message);
        this.name = 'ProxyError';
    }
}

;// CONCATENATED MODULE: ./src/http/transport.ts




/** The request never produced a complete response. */
class NetworkError extends Error {
    kind;
    constructor(message, 
    /**
     * `refused`: the request never reached the server; `aborted`: the run cancelled it;
     * `too-large`: the body passed the size cap (the same request would only do it again).
     */
    kind) {
        super(message);
        this.kind = kind;
        this.name = 'NetworkError';
    }
}
/**
 * One HTTP stack for both App Store Connect and GitHub: node:http(s) with keep-alive agents,
 * through the runner's proxy when HTTPS_PROXY / HTTP_PROXY say so (see proxy.ts). It bounds
 * the whole exchange with one deadline and fails on a cut body instead of waiting for it.
 */
function createTransport() {
    const agents = new Agents();
    return { send: request => exchange(request, agents), close: () => agents.close() };
}
/** One keep-alive agent per scheme and proxy, so connections are reused across requests. */
class Agents {
    agents = new Map();
    for(url, proxy) {
        const key = `${url.protocol}${proxy?.href ?? ''}`;
        let agent = this.agents.get(key);
        if (!agent) {
            agent =
                url.protocol !== 'https:'
                    ? new external_node_http_namespaceObject.Agent({ keepAlive: true })
                    : proxy
                        ? new TunnelAgent(proxy)
                        : new external_node_https_namespaceObject.Agent({ keepAlive: true });
            this.agents.set(key, agent);
        }
        return agent;
    }
    close() {
        for (const agent of this.agents.values())
            agent.destroy();
        this.agents.clear();
    }
}
/** One request and its whole answer, within the request's deadline and size cap. */
function exchange(request, agents) {
    return new Promise((resolve, reject) => {
        let settled = false;
        const settle = (outcome) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            if (outcome instanceof NetworkError) {
                req.destroy();
                reject(outcome);
            }
            else
                resolve(outcome);
        };
        const req = transport_open(request, agents);
        const maxBodyBytes = Math.min(request.maxBodyBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
        req.on('response', res => readResponse(res, maxBodyBytes, settle));
        const timer = setTimeout(() => settle(new NetworkError(`no answer within ${Math.round(request.timeoutMs / 1000)} s`, 'timeout')), request.timeoutMs);
        req.on('error', (error) => settle(networkError(error)));
        const { signal } = request;
        if (signal) {
            const onAbort = () => settle(new NetworkError('request cancelled', 'aborted'));
            if (signal.aborted)
                onAbort();
            signal.addEventListener('abort', onAbort, { once: true });
            req.on('close', () => signal.removeEventListener('abort', onAbort));
        }
        req.end(request.body);
    });
}
/** The request, sent directly or through the proxy. */
function transport_open(request, agents) {
    const url = new URL(request.url);
    const proxy = proxyFor(url);
    // Plain http goes to the proxy as an absolute-form request; https through a tunnel.
    const viaProxy = proxy && url.protocol !== 'https:' ? proxy : undefined;
    const module = url.protocol === 'https:' ? external_node_https_namespaceObject : external_node_http_namespaceObject;
    const auth = viaProxy && proxyAuthorization(viaProxy);
    return module.request(viaProxy ?? url, {
        method: request.method,
        ...(viaProxy ? { path: url.href } : {}),
        headers: {
            ...request.headers,
            ...(viaProxy ? { host: url.host } : {}),
            ...(auth ? { 'proxy-authorization': auth } : {}),
            ...(request.body !== undefined
                ? { 'content-length': String(Buffer.byteLength(request.body)) }
                : {})
        },
        agent: agents.for(url, proxy)
    });
}
/**
 * Reads the body up to `maxBodyBytes`; a cut or oversized body is a NetworkError. A body over
 * the cap is refused at the first chunk past it: `settle` destroys the request, which closes
 * the connection, so the rest is never read.
 *
 * Memory: every byte from the socket arrives twice, in the socket's read buffer and in the
 * parser's copy handed to 'data', and V8 collects such buffers only once tens of MB of them
 * have piled up (9 refused 4 MB bodies left about 70 MB). So each read buffer is freed as soon
 * as the parser is done with it, and the body's chunks as soon as the body is refused or
 * decoded (see `release`).
 */
function readResponse(res, maxBodyBytes, settle) {
    const tooLarge = () => new NetworkError(`response over ${megabytes(maxBodyBytes)} MB`, 'too-large');
    // A declared length over the cap is refused before a byte of the body is read.
    if (Number(res.headers['content-length']) > maxBodyBytes)
        return settle(tooLarge());
    let chunks = [];
    let size = 0;
    const { socket } = res;
    // After the parser's own 'data' listener, which was there first: by then the read buffer is
    // parsed and its body bytes copied into a chunk. Kept when a chunk shares its memory.
    const releaseRead = (read) => {
        if (!chunks.some(chunk => chunk.buffer === read.buffer))
            release(read);
    };
    socket?.on('data', releaseRead);
    let done = false;
    const finish = (outcome) => {
        if (done)
            return;
        done = true;
        socket?.off('data', releaseRead);
        // On the next turn: a refusal comes while the parser is still reading the socket's buffer.
        const held = chunks;
        chunks = [];
        setImmediate(() => held.forEach(release));
        settle(outcome);
    };
    const cut = () => finish(new NetworkError('connection closed mid-response', 'reset'));
    res.on('data', (chunk) => {
        if (done)
            return;
        chunks.push(chunk);
        size += chunk.length;
        if (size > maxBodyBytes)
            finish(tooLarge());
    });
    res.on('aborted', cut);
    res.on('error', cut);
    // However the exchange ended (a timeout, the run's cancellation), the socket is let go.
    res.on('close', () => socket?.off('data', releaseRead));
    res.on('end', () => {
        if (done)
            return;
        if (!res.complete)
            return cut();
        // Here the parser is done with the socket's buffers: each copy goes as soon as it is copied
        // on, so the body is held at most twice (chunks and whole, then whole and text).
        const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        if (whole !== chunks[0])
            chunks.forEach(release);
        const text = whole.toString('utf8');
        release(whole);
        chunks = [];
        finish({ status: res.statusCode ?? 0, headers: res.headers, body: text });
    });
}
/**
 * Frees a buffer's memory now rather than at some later garbage collection, by detaching its
 * ArrayBuffer (`ArrayBuffer.prototype.transfer`, Node 22 and later; before, it waits for the
 * collector as any buffer does). Only a buffer that spans its whole ArrayBuffer, as a plain
 * socket's reads and the parser's copies do: never a view into memory other views share, such
 * as Node's pool or the TLS reads Node 24 packs four to a 64 KB buffer, which are left alone.
 */
function release(buffer) {
    const memory = buffer.buffer;
    if (typeof memory.transfer === 'function' &&
        buffer.byteOffset === 0 &&
        buffer.byteLength === memory.byteLength &&
        memory.byteLength > 0) {
        try {
            memory.transfer(0);
        }
        catch {
            // Not detachable (a WebAssembly memory, say): the collector frees it as before.
        }
    }
}
function networkError(error) {
    if (error instanceof ProxyError)
        return new NetworkError(error.message, 'network');
    switch (error.code) {
        case 'ECONNRESET':
            return new NetworkError('connection reset', 'reset');
        case 'ECONNREFUSED':
            return new NetworkError('connection refused', 'refused');
        default:
            return new NetworkError(error.code ?? 'network error', 'network');
    }
}
function megabytes(bytes) {
    return String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}
/** A response header as one string. */
function transport_header(response, name) {
    const value = response.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
}

;// CONCATENATED MODULE: ./src/http/retry.ts


/**
 * The production policy. Tests never shorten it from inside: they inject their own policy in
 * unit tests, and control time from outside end to end (the simulators' Retry-After and latency,
 * and `timeout-minutes`).
 */
function retryPolicy() {
    return { ...RETRY };
}
/** Whether an outcome is worth another attempt: throttling, server faults, lost connections. */
function isRetryable(outcome) {
    if (outcome instanceof NetworkError)
        return outcome.kind !== 'aborted' && outcome.kind !== 'too-large';
    return outcome.status === 429 || outcome.status >= 500;
}
/**
 * For a request that is not idempotent (creating a comment): retry only when the server
 * cannot have acted on it, a 429 or a refused connection.
 */
function isSafeToRepeat(outcome) {
    if (outcome instanceof NetworkError)
        return outcome.kind === 'refused';
    return outcome.status === 429;
}
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient accepts.
const HTTP_DATE = [
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
    /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/
];
/**
 * Retry-After as milliseconds: a non-negative integer of seconds or an HTTP-date; undefined
 * for anything else (`-5`, `1.5`), which then gets the normal backoff rather than "now".
 */
function parseRetryAfter(value, nowMs) {
    if (!value)
        return undefined;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed))
        return Number(trimmed) * 1000;
    if (!HTTP_DATE.some(form => form.test(trimmed)))
        return undefined;
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
/**
 * What to do after failed attempt number `attempt` (1-based), having already waited `waitedMs`.
 * Exponential backoff with jitter, or the server's Retry-After when it is within the cap.
 */
function nextRetry(policy, attempt, waitedMs, retryAfterMs, random = Math.random) {
    if (attempt >= policy.maxAttempts)
        return { retry: false, reason: 'attempts' };
    let delayMs;
    if (retryAfterMs !== undefined) {
        if (retryAfterMs > policy.retryAfterCapMs)
            return { retry: false, reason: 'retry-after-too-long' };
        delayMs = retryAfterMs;
    }
    else {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        delayMs = ceiling / 2 + (random() * ceiling) / 2;
    }
    if (waitedMs + delayMs > policy.totalWaitBudgetMs)
        return { retry: false, reason: 'budget' };
    return { retry: true, delayMs };
}
/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms, signal) {
    return new Promise(resolve => {
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        function done() {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        }
    });
}
/** Retries ran out; carries the last outcome so the caller can phrase the failure. */
class RetriesExhausted extends Error {
    last;
    attempts;
    reason;
    retryAfterMs;
    constructor(last, attempts, reason, retryAfterMs) {
        super(last instanceof NetworkError ? last.message : `HTTP ${last.status}`);
        this.last = last;
        this.attempts = attempts;
        this.reason = reason;
        this.retryAfterMs = retryAfterMs;
        this.name = 'RetriesExhausted';
    }
}
/**
 * Sends a request until it gets a final answer: any response that is not retryable is
 * returned, even an error status, for the caller to interpret.
 */
async function sendWithRetry(send, build, policy, { onRetry = () => { }, retryable = isRetryable, signal } = {}) {
    let waitedMs = 0;
    for (let attempt = 1;; attempt++) {
        if (signal?.aborted)
            throw new NetworkError('request cancelled', 'aborted');
        let outcome;
        try {
            outcome = await send({ ...(await build()), signal });
        }
        catch (error) {
            if (!(error instanceof NetworkError))
                throw error;
            outcome = error;
        }
        if (outcome instanceof NetworkError && outcome.kind === 'aborted')
            throw outcome;
        if (!retryable(outcome)) {
            if (outcome instanceof NetworkError)
                throw new RetriesExhausted(outcome, attempt, 'attempts', undefined);
            return { response: outcome, attempts: attempt };
        }
        const retryAfterMs = outcome instanceof NetworkError
            ? undefined
            : parseRetryAfter(retryAfterHeader(outcome), Date.now());
        const decision = nextRetry(policy, attempt, waitedMs, retryAfterMs);
        if (!decision.retry)
            throw new RetriesExhausted(outcome, attempt, decision.reason, retryAfterMs);
        onRetry(outcome, decision.delayMs, attempt);
        await sleep(decision.delayMs, signal);
        waitedMs += decision.delayMs;
    }
}
function retryAfterHeader(response) {
    const value = response.headers['retry-after'];
    return Array.isArray(value) ? value[0] : value;
}

;// CONCATENATED MODULE: ./src/github/fetch.ts


/**
 * A `fetch` for Octokit over the action's own transport: the same HTTP stack and the same
 * bounded retries as App Store Connect, and the token only ever sent to the API's origin.
 * A POST is repeated only when GitHub cannot have acted on it: a retried create that had in
 * fact landed would leave a second comment.
 *
 * It touches none of the globals `Request`, `Headers` and `Response`: their first use loads
 * Node's own copy of undici, with node:http2, zlib and worker_threads (about 20 ms), for
 * objects Octokit only reads a few fields of.
 */
function fetchOverTransport(send, policy, origin) {
    return async (input, init = {}) => {
        // Octokit passes a string URL and a plain object of headers.
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
        if (url.origin !== origin)
            throw new Error(`refused to send the GitHub token to ${url.origin}`);
        const headers = Object.fromEntries(Object.entries((init.headers ?? {})).map(([name, value]) => [
            name.toLowerCase(),
            String(value)
        ]));
        const method = (init.method ?? 'GET').toUpperCase();
        let response;
        try {
            ;
            ({ response } = await sendWithRetry(send, () => ({
                method,
                url: url.href,
                headers,
                body: typeof init.body === 'string' ? init.body : undefined,
                timeoutMs: policy.requestTimeoutMs
            }), policy, {
                signal: init.signal ?? undefined,
                ...(method === 'POST' ? { retryable: isSafeToRepeat } : {})
            }));
        }
        catch (error) {
            // Out of retries on a status: hand Octokit the last answer so it reports the status.
            if (error instanceof RetriesExhausted && !(error.last instanceof Error))
                response = error.last;
            else
                throw error;
        }
        return fetchResponse(url.href, response);
    };
}
/** The part of a fetch Response that Octokit reads: status, headers, and the body as text. */
function fetchResponse(url, response) {
    const { status } = response;
    const body = [204, 205, 304].includes(status) ? '' : response.body;
    const headers = new Map(Object.entries(response.headers).flatMap(([name, value]) => value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]]));
    const partial = {
        status,
        url,
        ok: status >= 200 && status <= 299,
        statusText: external_node_http_namespaceObject.STATUS_CODES[status] ?? '',
        headers: {
            get: (name) => headers.get(name.toLowerCase()) ?? null,
            has: (name) => headers.has(name.toLowerCase()),
            [Symbol.iterator]: () => headers.entries()
        },
        text: async () => body,
        json: async () => JSON.parse(body),
        arrayBuffer: async () => {
            const bytes = Buffer.from(body);
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        }
    };
    return partial;
}

;// CONCATENATED MODULE: ./src/github/comment.ts







/** The hidden line that makes the comment sticky; the header tells several apart. */
function commentMarker(header) {
    return `<!-- ${ACTION_NAME}:${header} -->`;
}
/** A GitHub answer outside 2xx that Octokit returned instead of throwing (a redirect). */
class UnexpectedStatus extends Error {
    status;
    constructor(status) {
        super(`HTTP ${status}`);
        this.status = status;
    }
}
/** A comment list page that is not a 2xx JSON list: what GitHub answered, in a few words. */
class UnusableList extends Error {
    answer;
    redirected;
    constructor(answer, redirected = false) {
        super(answer);
        this.answer = answer;
        this.redirected = redirected;
    }
}
/** The page's comments, or UnusableList: Octokit hands back a 3xx, and any body it could not parse. */
function commentsIn(page) {
    const { status, headers, data } = page;
    if (status < 200 || status > 299) {
        const location = headers.location ? `, a redirect to ${oneLine(headers.location, 200)}` : '';
        throw new UnusableList(`HTTP ${status}${location}`, status >= 300 && status < 400);
    }
    if (typeof data === 'string' || data instanceof ArrayBuffer) {
        const type = oneLine(headers['content-type'] ?? 'no content type', 80);
        throw new UnusableList(`HTTP ${status} and a body that is not JSON (${type})`);
    }
    if (!Array.isArray(data)) {
        throw new UnusableList(`HTTP ${status} and ${describeValue(data)} in JSON`);
    }
    return data.filter((c) => typeof c?.id === 'number');
}
/** The `rel="next"` URL of a Link header. */
function nextPage(link) {
    return /<([^<>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];
}
/** Octokit throws on 4xx and 5xx but hands back a 3xx: nothing was written then. */
function written(response) {
    const { status, data } = response;
    if (status < 200 || status > 299 || typeof data?.id !== 'number')
        throw new UnexpectedStatus(status);
    return { id: data.id, url: String(data.html_url ?? '') };
}
/**
 * The pull request's sticky comment. The lookup starts at once, so it overlaps the App Store
 * Connect requests; `publish` then creates, updates, or skips an identical write.
 */
class StickyComment {
    options;
    marker;
    octokit;
    lookup;
    controller = new AbortController();
    constructor(options) {
        this.options = options;
        this.marker = commentMarker(options.header);
        this.octokit = loadOctokit(options, this.controller.signal);
        this.lookup = this.find().then(ours => ({ ok: true, ours }), error => ({ ok: false, error }));
    }
    /**
     * Pages through every comment. Only a bot's comment that starts with the exact marker is
     * ours: a person's, or another bot's that quotes the marker, never is. A page that is not a
     * 2xx JSON list fails the lookup: read as "no comment yet", it would add a comment every run.
     */
    async find() {
        const octokit = await this.octokit;
        const { owner, repo, number } = this.options.target;
        let response = await octokit.rest.issues.listComments({
            owner,
            repo,
            issue_number: number,
            per_page: GITHUB_LIMITS.commentsPerPage
        });
        const ours = [];
        for (;;) {
            for (const c of commentsIn(response)) {
                if (c.user?.type === 'Bot' && (c.body ?? '').startsWith(this.marker))
                    ours.push({ id: c.id, url: String(c.html_url ?? ''), body: c.body ?? '' });
            }
            const next = nextPage(response.headers.link);
            if (!next)
                break;
            response = await octokit.request({ method: 'GET', url: next });
        }
        return ours.sort((a, b) => a.id - b.id);
    }
    /**
     * Writes `report` under the marker. With `createIfMissing` false (mode on-breach and
     * nothing found), an existing comment is still updated so a fixed build shows as fixed.
     */
    async publish(report, createIfMissing) {
        const lookup = await this.lookup;
        if (!lookup.ok)
            return failure(lookup.error, this.options.target, this.options.apiUrl);
        try {
            const [oldest, ...duplicates] = lookup.ours;
            const result = await this.write(oldest, `${this.marker}\n${report}`, createIfMissing);
            await this.remove(duplicates);
            return result;
        }
        catch (error) {
            return failure(error, this.options.target, this.options.apiUrl);
        }
    }
    /** Stops the lookup, and any retry wait, when the run ends before it needs the comment. */
    abort() {
        this.controller.abort();
    }
    async write(existing, body, createIfMissing) {
        const { owner, repo, number } = this.options.target;
        const octokit = await this.octokit;
        if (existing?.body === body)
            return { id: existing.id, url: existing.url, action: 'unchanged' };
        if (existing) {
            const comment = written(await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body }));
            return { ...comment, action: 'updated' };
        }
        if (!createIfMissing) {
            return {
                action: 'skipped',
                note: 'nothing breached or regressed, and there is no earlier comment to update'
            };
        }
        const { policy } = this.options;
        let waitedMs = 0;
        for (let attempt = 1;; attempt++) {
            let created;
            try {
                created = written(await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }));
            }
            catch (error) {
                // A create that failed on the way back may have landed: look before trying again.
                const status = error.status;
                const decision = nextRetry(policy, attempt, waitedMs, undefined);
                if ((status !== undefined && status < 500) || !decision.retry)
                    throw error;
                await sleep(decision.delayMs, this.controller.signal);
                waitedMs += decision.delayMs;
                const [landed, ...duplicates] = await this.find();
                if (landed) {
                    await this.remove(duplicates);
                    return this.write(landed, body, false);
                }
                continue;
            }
            return this.settle(created, body);
        }
    }
    /**
     * Another run on the same pull request may have created its comment at the same moment:
     * list again, keep the oldest of ours with this report in it, and delete the newer ones.
     */
    async settle(created, body) {
        let ours;
        try {
            ours = await this.find();
        }
        catch {
            return { ...created, action: 'created' }; // written; only the check for a twin failed
        }
        const [oldest, ...newer] = ours;
        if (!oldest || oldest.id === created.id) {
            await this.remove(newer);
            return { ...created, action: 'created' };
        }
        let result;
        try {
            result = await this.write(oldest, body, false);
        }
        catch {
            return { ...created, action: 'created' }; // the twin could not be written: keep ours
        }
        await this.remove(newer);
        return result;
    }
    /**
     * Deletes our duplicate comments, best effort: one another run deleted first is already gone,
     * and one left behind is only stale (the next run tries again), never worth a warning.
     */
    async remove(duplicates) {
        if (duplicates.length === 0)
            return;
        const { owner, repo } = this.options.target;
        const octokit = await this.octokit;
        for (const duplicate of duplicates) {
            await octokit.rest.issues
                .deleteComment({ owner, repo, comment_id: duplicate.id })
                .catch(() => undefined);
        }
    }
}
async function loadOctokit(options, signal) {
    // Loaded only when a comment is due: it costs start-up time every other run would pay.
    const { getOctokit } = await Promise.all(/* import() */[__nccwpck_require__.e(157), __nccwpck_require__.e(881)]).then(__nccwpck_require__.bind(__nccwpck_require__, 157));
    const baseUrl = options.apiUrl.replace(/\/+$/, '');
    return getOctokit(options.token, {
        baseUrl,
        request: {
            fetch: fetchOverTransport(options.send, options.policy, new URL(baseUrl).origin),
            signal
        },
        log: { debug: () => { }, info: () => { }, warn: () => { }, error: () => { } }
    });
}
/** How to comment on a fork's pull request anyway. */
const FORK_REMEDY = "run the gate on 'pull_request_target' (safe here, the action checks out and runs no pull-request code) or pass 'pr-number' from a 'workflow_run' follow-up.";
const FORK_ADVICE = `Pull requests from forks get a read-only token: ${FORK_REMEDY}`;
/** A comment failure is a warning, never the reason the job fails. */
function failure(error, target, apiUrl) {
    if (error instanceof UnusableList) {
        const why = error.redirected
            ? `, which the action does not follow with its token: if ${target.owner}/${target.repo} was renamed or moved, run the workflow in the repository under its new name`
            : ' instead of a list of comments, so the action cannot tell whether it already commented';
        return {
            action: 'failed',
            note: `Could not comment on pull request #${target.number}: GitHub answered the list of its comments with ${error.answer}${why}; the verdict stands and the job summary has the full report.`
        };
    }
    // Octokit reports a request that never got an answer as HTTP 500; say what happened instead.
    const cause = error.cause;
    // A setting of the runner's, such as an unusable HTTP_PROXY: it says what to change.
    if (cause instanceof InputError) {
        const setting = cause.message.replace(/\.$/, '');
        return {
            action: 'failed',
            note: `Could not comment on pull request #${target.number}: ${setting.charAt(0).toLowerCase()}${setting.slice(1)}; the verdict stands and the job summary has the full report.`
        };
    }
    if (cause instanceof RetriesExhausted && cause.last instanceof NetworkError) {
        return {
            action: 'failed',
            note: `Could not comment on pull request #${target.number}: could not connect to GitHub's API at ${oneLine(apiUrl, 200)} (${cause.last.message}, ${cause.attempts} attempt${cause.attempts === 1 ? '' : 's'}); the verdict stands and the job summary has the full report.`
        };
    }
    const status = error.status;
    const apiMessage = error.response?.data
        ?.message;
    const detail = typeof apiMessage === 'string' ? `: ${oneLine(scrub(apiMessage), 200)}` : '';
    const where = `pull request #${target.number}`;
    if (status === 403) {
        return {
            action: 'failed',
            note: `Could not comment on ${where} (HTTP 403${detail}). The workflow needs 'permissions: pull-requests: write'. ${FORK_ADVICE} The job summary has the full report.`
        };
    }
    if (status === 404) {
        return {
            action: 'failed',
            note: `Could not comment on ${where} (HTTP 404${detail}): check 'pr-number' and that the token can see ${target.owner}/${target.repo}. The job summary has the full report.`
        };
    }
    return {
        action: 'failed',
        note: `Could not comment on ${where} (${status ? `HTTP ${status}${detail}` : oneLine(scrub(messageOf(error)), 200)})${status && status >= 300 && status < 400 ? ': GitHub redirected the request, and the action follows no redirect with its token' : ''}; the verdict stands and the job summary has the full report.`
    };
}

;// CONCATENATED MODULE: ./src/history/entry.ts





/** The version index's line for a decided guard run: what later runs compare and draw with. */
function indexEntryOf(outcome, generatedAt) {
    const { verdict, release, config, data } = outcome;
    const rollout = release?.decidedOn;
    const metrics = {};
    for (const o of verdict.metrics?.outcomes ?? []) {
        // Keyed as the inputs spell it, which same-day looks up; Apple's own spelling may differ.
        const identifier = metricIdentifier(o.identifier);
        if (!METRIC_IDENTIFIER.test(identifier))
            continue;
        metrics[identifier] = o.point
            ? { value: o.point.value, errorMargin: o.point.errorMargin ?? 0 }
            : null;
    }
    // What can pause first: a cut list must not lose the findings confirm-runs counts.
    const findings = [
        ...verdict.findings.filter(f => config.pauseOn.includes(f.kind)),
        ...verdict.findings.filter(f => !config.pauseOn.includes(f.kind))
    ].map(f => findingKey(f.kind, f.subject));
    return {
        file: runFile(generatedAt),
        generatedAt,
        // The day the decision read (as same-day did), and the state it was made on.
        day: rolloutDayNumber(data.current.build.appStoreVersion?.phasedRelease) ?? null,
        state: rollout?.state ?? null,
        metrics,
        population: config.metrics ? populationOf(config.metrics) : 'p50 all_iphones',
        findings: [...new Set(findings)].slice(0, HISTORY.maxFindingsPerRun),
        action: release?.paused
            ? 'paused'
            : release?.decision.action === 'would-pause'
                ? 'would-pause'
                : 'none'
    };
}

;// CONCATENATED MODULE: ./src/report/context.ts

/** What the report renders besides the verdict. */
function reportContext(outcome) {
    const { config, data } = outcome;
    return {
        buildId: data.current.build.id,
        buildLabel: data.current.build.label,
        baseline: data.baseline && { id: data.baseline.build.id, label: data.baseline.build.label },
        runUrl: outcome.runUrl,
        thresholds: config.thresholds,
        maxWeightIncrease: config.maxWeightIncrease,
        rateLimit: outcome.usage?.rateLimit,
        backtraces: data.backtraces,
        release: outcome.release,
        // The report speaks of annotations; SARIF and JUnit alone may also have looked.
        sources: config.annotateSource ? outcome.sources : undefined,
        pullRequest: outcome.pullRequest ?? false,
        ...(data.history && outcome.release && outcome.recorded
            ? {
                history: {
                    memory: data.history,
                    thisRun: indexEntryOf(outcome, outcome.recorded.generatedAt),
                    complete: outcome.release.decidedOn?.state === 'COMPLETE',
                    confirmRuns: config.confirmRuns,
                    ...(outcome.historyWrite ? { written: outcome.historyWrite } : {})
                }
            }
            : {})
    };
}

;// CONCATENATED MODULE: ./src/publish/comment.ts









/** Decides on the comment up front and starts its lookup, before App Store Connect answers. */
function planComment(config, send, policy) {
    if (config.comment === 'never')
        return { skip: "'comment' is false", warn: false };
    const found = findPullRequest(config.prNumber);
    if ('none' in found)
        return { skip: `no pull request to comment on: ${found.none}`, warn: false };
    const { target } = found;
    if (target.fromFork) {
        return {
            skip: `Not commenting on pull request #${target.number}: it comes from a fork, and GitHub gives fork pull requests a read-only token; to comment, ${FORK_REMEDY} The job summary has the full report.`,
            warn: true
        };
    }
    if (!config.githubToken) {
        return {
            skip: `'github-token' is empty, so pull request #${target.number} gets no comment.`,
            warn: true
        };
    }
    const apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
    return {
        sticky: new StickyComment({
            token: config.githubToken,
            apiUrl,
            target,
            header: config.commentHeader,
            send,
            policy
        })
    };
}
/** Posts or updates the comment and sets its outputs; every problem is a warning. */
async function publishComment(plan, render, somethingFound, onBreachOnly) {
    if ('skip' in plan) {
        if (plan.warn)
            core_warning(plan.skip);
        else
            info(`No pull-request comment: ${plan.skip}.`);
        return;
    }
    // Scrubbing only shortens a text, so what fits still fits.
    const report = fitReport(detail => scrub(render(detail)), {
        measure: characters,
        max: GITHUB_LIMITS.commentBudgetChars - plan.sticky.marker.length - 1,
        elsewhere: 'the job summary of this workflow run'
    });
    const result = await plan.sticky.publish(report, somethingFound || !onBreachOnly);
    if (result.action === 'failed')
        core_warning(scrub(result.note ?? 'Could not write the pull-request comment.'));
    else if (result.action === 'skipped')
        info(`No pull-request comment: ${result.note}.`);
    else
        info(oneLine(`Pull-request comment ${result.action}: ${result.url}`, 300));
    setOutput('comment-id', result.id === undefined ? '' : String(result.id));
    setOutput('comment-url', result.url ?? '');
}
/**
 * The comment's sink: a judged run writes it; a failed run only stops the lookup, which nothing
 * will read now.
 */
async function pullRequestComment(outcome) {
    const plan = outcome.comment;
    if (!plan)
        return;
    if (outcome.kind === 'failed' && 'sticky' in plan)
        plan.sticky.abort();
    if (outcome.kind !== 'judged')
        return;
    const { verdict, config } = outcome;
    // Without the hourly budget, which changes every run: an identical rerun then skips the write.
    const context = { ...reportContext(outcome), rateLimit: undefined };
    await group('Pull request comment', () => publishComment(plan, detail => renderReport(verdict, context, detail), verdict.findings.some(f => f.kind !== 'no-data'), config.comment === 'on-breach'));
}

;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./src/metrics/outputs.ts

/** One gated metric as the `metrics` output carries it. */
function metricRecord(o) {
    const insight = o.appleInsight;
    return {
        identifier: o.identifier,
        category: o.category ?? null,
        unit: o.unit ?? null,
        percentile: o.percentile,
        device: o.device,
        version: o.version ?? null,
        value: o.point?.value ?? null,
        errorMargin: o.point?.errorMargin ?? null,
        goal: o.point?.goal ?? null,
        referenceVersions: o.reference?.versions ?? [],
        referenceValue: o.reference?.value ?? null,
        // JSON has no Infinity: a rise from a reference of 0 has no relative size.
        change: o.change !== undefined && Number.isFinite(o.change) ? o.change : null,
        regressed: o.status === 'regressed',
        status: o.status,
        ...(o.reason ? { reason: o.reason } : {}),
        ...(insight
            ? {
                appleInsight: {
                    kind: insight.kind,
                    latestVersion: insight.latestVersion ?? null,
                    referenceVersions: insight.referenceVersions,
                    highImpact: insight.highImpact ?? null,
                    summary: insight.summary ?? null,
                    populations: insight.populations
                }
            }
            : {})
    };
}
/** The record plus what the JSON report keeps: the reference in full and the raw points. */
function metricReportRecord(o) {
    return {
        ...metricRecord(o),
        reference: o.reference ?? null,
        recommendedGoal: o.recommendedGoal ?? null,
        regressedByRule: o.regressedByRule,
        regressedByApple: o.regressedByApple,
        points: o.points
    };
}
function metricsOutput(metrics) {
    return safeJson((metrics?.outcomes ?? []).map(metricRecord));
}
/** The JSON report's `metrics` section; null when no metric is gated. */
function metricsReport(metrics, appId) {
    if (!metrics)
        return null;
    return {
        settings: { ...metrics.settings },
        appId: appId ?? null,
        version: metrics.version ?? null,
        baselineVersion: metrics.baselineVersion ?? null,
        regressionCount: metrics.regressions.length,
        items: metrics.outcomes.map(metricReportRecord)
    };
}

;// CONCATENATED MODULE: ./src/record/evidence.ts

// The decision record's `evidence`: what the evaluation read, as it read it (already sanitised
// and capped by the readers). `replay` (./read.ts) derives the verdict again from it alone.
/** The evidence of a judged run; the backtraces are the report's own `backtraces`. */
function evidenceRecord(outcome) {
    const { data, sources } = outcome;
    return {
        current: buildEvidence(data.current),
        baseline: data.baseline ? buildEvidence(data.baseline) : null,
        metrics: data.metrics && outcome.config.metrics
            ? metricsEvidence(data.metrics, outcome.config.metrics)
            : null,
        sources: sources
            ? { places: Object.fromEntries(sources.places), noCheckout: sources.noCheckout }
            : null,
        runUrl: outcome.runUrl ?? null,
        pullRequest: outcome.pullRequest ?? false,
        history: data.history ?? null
    };
}
/** A build's facts (with the App Store version and its rollout as first read) and its lists. */
function buildEvidence({ build, lists }) {
    return {
        build,
        lists: [...lists.values()].map(list => ({
            type: list.type,
            complete: list.complete,
            signatures: list.signatures
        }))
    };
}
/**
 * The metrics as read: each series cut to the points a decision can read, and Apple's insights
 * to those that can count for the gated percentile and device (a replay cannot change either).
 */
function metricsEvidence(metrics, settings) {
    const { payload } = metrics;
    return {
        appId: metrics.appId ?? null,
        version: metrics.version ?? null,
        baselineVersion: metrics.baselineVersion ?? null,
        unavailable: metrics.unavailable ?? null,
        payload: payload
            ? {
                series: [...payload.series.values()].map(series => ({
                    ...series,
                    points: decisivePoints(series.points, metrics.version, metrics.baselineVersion)
                })),
                insights: forGatedPopulation(payload.insights, settings)
            }
            : null
    };
}

;// CONCATENATED MODULE: ./src/publish/records.ts


/** One signature as the `signatures` and `breaches` outputs and the JSON report carry it. */
function signatureRecord(s) {
    return {
        id: s.id,
        diagnosticType: s.diagnosticType,
        signature: s.signature,
        weight: s.weight,
        threshold: s.threshold,
        breached: s.breached,
        ...(s.insight ? { insight: s.insight } : {}),
        ...(s.change !== undefined
            ? {
                baselineWeight: s.baselineWeight ?? null,
                ...(s.baselineAtMost !== undefined ? { baselineAtMost: s.baselineAtMost } : {}),
                delta: s.delta,
                change: s.change,
                regressed: s.regressed
            }
            : {})
    };
}
/** A finding with its consequences, as the report's schema describes it. */
function findingRecord(f) {
    const { subject } = f;
    return {
        kind: f.kind,
        evidence: f.evidence,
        subject: {
            name: subjectName(f),
            ...('signature' in subject
                ? { signatureId: subject.signature.id, diagnosticType: subject.signature.diagnosticType }
                : 'metric' in subject
                    ? { metric: subject.metric.identifier }
                    : { diagnosticType: subject.diagnosticType })
        },
        failsJob: f.failsJob,
        failsJobReason: f.failsJobReason ?? null,
        pauses: f.pauses,
        pausesReason: f.pausesReason ?? null,
        wouldPause: f.wouldPause,
        ...(f.confirmation ? { confirmation: { ...f.confirmation } } : {})
    };
}
/**
 * The records as a JSON array of at most `maxBytes`: the heaviest that fit are kept, in their
 * original order, and `omitted` counts the rest (the JSON report keeps them all).
 */
function boundedRecords(items, maxBytes) {
    const texts = items.map(item => safeJson(signatureRecord(item)));
    const byWeight = items.map((_, index) => index).sort((a, b) => items[b].weight - items[a].weight);
    const kept = new Set();
    let size = 2; // []
    for (const index of byWeight) {
        const bytes = Buffer.byteLength(texts[index]) + (kept.size ? 1 : 0);
        if (size + bytes > maxBytes)
            break;
        kept.add(index);
        size += bytes;
    }
    return {
        json: `[${texts.filter((_, index) => kept.has(index)).join(',')}]`,
        omitted: items.length - kept.size
    };
}
/** The findings as a JSON array of at most `maxBytes`, most decisive first; the rest are cut. */
function boundedFindings(findings, maxBytes) {
    const texts = [];
    let size = 2;
    for (const f of findings) {
        const text = safeJson(findingRecord(f));
        size += Buffer.byteLength(text) + (texts.length ? 1 : 0);
        if (size > maxBytes)
            break;
        texts.push(text);
    }
    return `[${texts.join(',')}]`;
}

;// CONCATENATED MODULE: ./src/publish/json-report.ts











/** The full machine-readable report; its shape is `schema/report.schema.json`. */
function buildJsonReport(input) {
    const { verdict, data } = input;
    const build = (b) => b
        ? {
            id: b.build.id,
            label: b.build.label ?? null,
            processingState: b.build.processingState ?? null
        }
        : null;
    const shown = verdict?.outcomes.flatMap(o => o.shown) ?? [];
    return {
        schemaVersion: JSON_REPORT_SCHEMA_VERSION,
        tool: ACTION_NAME,
        toolVersion: TOOL_VERSION,
        generatedAt: input.generatedAt,
        build: build(data?.current),
        baseline: build(data?.baseline),
        error: input.error?.message ?? null,
        errorCause: input.error?.cause ?? null,
        result: input.skipped ? 'skipped' : (verdict?.result ?? null),
        skipReason: input.skipped ?? null,
        verdict: verdict
            ? {
                passed: verdict.passed,
                failure: input.failure ?? null,
                breachCount: verdict.breaches.length,
                regressionCount: verdict.regressions.length,
                maxWeight: verdict.maxWeight ?? null,
                emptyTypes: verdict.emptyTypes,
                metricRegressionCount: verdict.metrics?.regressions.length ?? 0,
                failsJob: verdict.findings.some(f => f.failsJob),
                pauses: verdict.findings.some(f => f.pauses),
                findings: verdict.findings.map(findingRecord)
            }
            : null,
        settings: input.settings ?? null,
        evidence: input.evidence ?? null,
        types: (verdict?.outcomes ?? []).map(o => ({
            type: o.type,
            threshold: o.threshold,
            fetched: o.fetched,
            complete: o.complete,
            gone: o.gone.map(s => ({ id: s.id, signature: s.signature, weight: s.weight })),
            goneUnknown: o.goneUnknown
        })),
        signatures: shown.map(s => ({ ...signatureRecord(s), rank: s.rank })),
        breaches: (verdict?.breaches ?? []).map(s => s.id),
        regressions: (verdict?.regressions ?? []).map(s => ({ ...signatureRecord(s), rank: s.rank })),
        backtraces: Object.fromEntries(data?.backtraces ?? []),
        phasedRelease: phasedReleaseRecord(input.release),
        metrics: metricsReport(verdict?.metrics, data?.metrics?.appId),
        rateLimit: input.rateLimit
            ? { limit: input.rateLimit.limit ?? null, remaining: input.rateLimit.remaining ?? null }
            : null,
        requests: input.requests,
        timings: {
            ...(data?.timings ?? { builds: 0, signatures: 0, logs: 0 }),
            total: Math.round(input.totalMs)
        },
        ...(input.historyWrite ? { historyWrite: input.historyWrite } : {}),
        ...(input.replay ? { replay: input.replay } : {})
    };
}
function phasedReleaseRecord(guard) {
    if (!guard)
        return null;
    const release = guard.release;
    return {
        appStoreVersion: { id: guard.versionId, version: guard.version },
        ...rolloutRecord(release),
        decidedOn: guard.decidedOn ? rolloutRecord(guard.decidedOn) : null,
        action: guard.decision.action,
        reason: guard.decision.reason,
        paused: guard.paused,
        pausedOn: guard.decision.because.map(subjectName),
        error: guard.error ?? null
    };
}
/** A rollout as the record spells it: every field, null when unknown. */
function rolloutRecord(release) {
    return {
        id: release?.id ?? null,
        state: release?.state ?? null,
        day: release?.day ?? null,
        startDate: release?.startDate ?? null,
        totalPauseDuration: release?.totalPauseDuration ?? null
    };
}
/** Writes the report to `report-path`, or under RUNNER_TEMP; returns the absolute path. */
function writeJsonReport(report, path) {
    return writeTextFile(path ?? (0,external_node_path_namespaceObject.join)(process.env.RUNNER_TEMP || (0,external_node_os_namespaceObject.tmpdir)(), `${ACTION_NAME}-report.json`), recordJson(report), 'report-path');
}
/** A record as its file holds it; writeTextFile scrubs what it writes. */
function recordJson(report) {
    return `${safeJson(report, 2)}\n`;
}
/** The record as the report file holds it, byte for byte, scrubbed: the history's copy. */
function recordText(outcome) {
    return scrub(recordJson(jsonReportOf(outcome)));
}
/** The JSON report of a run, however it ended: its decision record. */
function jsonReportOf(outcome, replay) {
    const { config, usage, recorded } = outcome;
    return buildJsonReport({
        ...(outcome.kind === 'judged'
            ? {
                verdict: outcome.verdict,
                data: outcome.data,
                failure: outcome.failure,
                release: outcome.release,
                evidence: evidenceRecord(outcome),
                ...(outcome.historyWrite ? { historyWrite: outcome.historyWrite } : {})
            }
            : {}),
        ...(outcome.kind === 'failed'
            ? { error: { message: outcome.error, cause: outcome.cause } }
            : {}),
        ...(outcome.kind === 'skipped' ? { skipped: outcome.reason } : {}),
        settings: config && {
            inputs: config.inputs,
            thresholds: config.thresholds,
            maxWeightIncrease: config.maxWeightIncrease
        },
        rateLimit: usage?.rateLimit,
        requests: usage?.requests ?? 0,
        totalMs: recorded?.totalMs ?? performance.now() - outcome.started,
        generatedAt: recorded?.generatedAt ?? new Date().toISOString(),
        ...(replay ? { replay } : {})
    });
}

;// CONCATENATED MODULE: ./src/publish/outputs.ts





/** Every output passes the scrubber: none may carry a token a server echoed. */
function outputs_setOutput(name, value) {
    setOutput(name, scrub(value));
}
function setOutputs(verdict, values) {
    const shown = verdict.outcomes.flatMap(o => o.shown);
    outputs_setOutput('build-id', values.buildId);
    outputs_setOutput('baseline-build-id', values.baselineBuildId ?? '');
    outputs_setOutput('result', verdict.result);
    outputs_setOutput('passed', String(verdict.passed));
    outputs_setOutput('breach-count', String(verdict.breaches.length));
    outputs_setOutput('regression-count', String(verdict.regressions.length));
    outputs_setOutput('max-weight', verdict.maxWeight === undefined ? '' : String(verdict.maxWeight));
    for (const [name, items] of [
        ['signatures', shown],
        ['breaches', verdict.breaches]
    ]) {
        const { json, omitted } = boundedRecords(items, GITHUB_LIMITS.outputMaxBytes);
        outputs_setOutput(name, json);
        outputs_setOutput(`${name}-omitted`, String(omitted));
    }
    outputs_setOutput('findings', boundedFindings(verdict.findings, GITHUB_LIMITS.outputMaxBytes));
    outputs_setOutput('metrics', metricsOutput(verdict.metrics));
    outputs_setOutput('metric-regression-count', String(verdict.metrics?.regressions.length ?? 0));
    outputs_setOutput('report', values.report);
    const rollout = values.release?.release;
    outputs_setOutput('phased-release-state', rollout?.state ?? '');
    outputs_setOutput('phased-release-day', rollout?.day === undefined ? '' : String(rollout.day));
    outputs_setOutput('paused', String(values.release?.paused ?? false));
}
/** A skipped run: `result` says so and `passed` is empty, since nothing was judged. */
function setSkippedOutputs() {
    setOutput('result', 'skipped');
    setOutput('passed', '');
}

;// CONCATENATED MODULE: ./src/publish/summary.ts








/** The report at the most detail that fits the job summary (and the `report` output). */
function summaryReport(outcome) {
    const context = reportContext(outcome);
    return fitReport(detail => renderReport(outcome.verdict, context, detail), {
        measure: utf8Bytes,
        max: GITHUB_LIMITS.summaryBudgetBytes,
        elsewhere: 'the JSON report (see the report-path output)'
    });
}
/** The one line a skipped run's summary holds. */
function skippedSummary(reason) {
    return `⏭️ App Store diagnostics gate skipped: ${reason} ([pull requests from forks](${FORK_DOCS_URL})).\n`;
}
/** The one line a run that stopped on an error gets, instead of an empty summary. */
function failedSummary(error) {
    return `❌ App Store diagnostics gate could not run: ${markdown_text(oneLine(error, 1000))}\n`;
}
async function writeSummary(report) {
    if (!process.env.GITHUB_STEP_SUMMARY) {
        info('GITHUB_STEP_SUMMARY is not set (not on a runner); the report is in the `report` output.');
        return;
    }
    await summary.addRaw(scrub(report)).write();
}

;// CONCATENATED MODULE: ./src/github/rest.ts

/**
 * Plain REST calls on one repository (`git/ref/heads/main` → `/repos/{owner}/{repo}/git/…`),
 * over the action's transport and retries, with the token sent only to the API's origin. The
 * data branch needs a handful of Git Data calls: Octokit would add start-up time and nothing else.
 */
function repositoryCalls(options) {
    const base = options.apiUrl.replace(/\/+$/, '');
    const fetch = fetchOverTransport(options.send, options.policy, new URL(base).origin);
    return async (method, path, body) => {
        const response = await fetch(`${base}/repos/${options.repository}/${path}`, {
            method,
            headers: {
                accept: 'application/vnd.github+json',
                authorization: `Bearer ${options.token}`,
                'x-github-api-version': '2022-11-28',
                'user-agent': 'asc-diagnostics-gate',
                ...(body === undefined ? {} : { 'content-type': 'application/json' })
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            ...(options.signal ? { signal: options.signal } : {})
        });
        const text = await response.text();
        let parsed;
        try {
            parsed = text ? JSON.parse(text) : undefined;
        }
        catch {
            parsed = undefined;
        }
        return { status: response.status, body: parsed };
    };
}

;// CONCATENATED MODULE: external "node:timers/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers/promises");
;// CONCATENATED MODULE: ./src/asc/jsonapi.ts



function jsonapi_isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** An object, or undefined for anything else. */
function object(value) {
    return jsonapi_isObject(value) ? value : undefined;
}
/** The objects of a list, at most `max`; a lone object counts as a list of one (real payloads do that). */
function objects(value, max) {
    return (Array.isArray(value) ? value.slice(0, max) : [value]).filter(jsonapi_isObject);
}
/**
 * A string (or a number, which some payloads send for line numbers and states) as every
 * channel may show it: controls and bidi overrides removed, trimmed, cut to `cap`.
 * Undefined when absent or empty.
 */
function jsonapi_text(value, cap) {
    const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof raw !== 'string')
        return undefined;
    return truncate(sanitize(raw).trim(), cap) || undefined;
}
/** Strings of a list, or of a comma-separated string (the spec and Apple's examples differ). */
function texts(value, cap, max) {
    const items = typeof value === 'string' ? value.split(/[\s,]+/) : Array.isArray(value) ? value : [];
    return items
        .slice(0, max * 2)
        .map(item => jsonapi_text(item, cap))
        .filter((item) => item !== undefined)
        .slice(0, max);
}
function finite(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
/** A measurement: finite and never negative. */
function nonNegative(value) {
    const number = finite(value);
    return number !== undefined && number >= 0 ? number : undefined;
}
/** A non-negative integer sent as a number or as a numeric string. */
function count(value) {
    const n = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
function flag(value) {
    if (value === true || value === 'true')
        return true;
    if (value === false || value === 'false')
        return false;
    return undefined;
}
/**
 * A timestamp as Apple sends it (`2020-12-14T10:16:45Z`, `2024-04-24T12:00:00.000+0000`),
 * kept as sent when it parses; undefined otherwise.
 */
function date(value) {
    const raw = jsonapi_text(value, 64);
    return raw && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
}
/** A resource ID in the shape Apple uses; anything else is refused, since IDs go into URLs. */
function jsonapi_resourceId(value, what) {
    if (typeof value !== 'string' || !RESOURCE_ID.test(value)) {
        throw new DataError(`App Store Connect sent ${what} with an unexpected ID: '${oneLine(String(value), 80)}'.`);
    }
    return value;
}
/** Reads a resource; `what` names it in the error for a bad ID ("a build"). */
function resource(value, what) {
    const raw = object(value) ?? {};
    return {
        // Structural, but from App Store Connect all the same: it can reach an error message.
        type: jsonapi_text(raw.type, 64) ?? '',
        id: jsonapi_resourceId(raw.id, what),
        attributes: object(raw.attributes) ?? {},
        relationships: object(raw.relationships) ?? {}
    };
}
/**
 * The ID a to-one relationship names (`relationships.build.data.id`): undefined when it names
 * none, refused when it names one in a shape Apple does not use.
 */
function related(from, name) {
    const data = object(object(from.relationships[name])?.data);
    if (data?.id === undefined)
        return undefined;
    return jsonapi_resourceId(data.id, `the ${name} of ${from.type || 'a resource'} ${from.id}`);
}
/** A document's `included` resources by type and ID; entries with a bad ID are left out. */
class Included {
    byKey = new Map();
    constructor(value) {
        for (const entry of Array.isArray(value) ? value : []) {
            const raw = object(entry);
            if (typeof raw?.type !== 'string' || typeof raw.id !== 'string')
                continue;
            if (!RESOURCE_ID.test(raw.id))
                continue;
            this.byKey.set(`${raw.type}/${raw.id}`, resource(raw, raw.type));
        }
    }
    get(type, id) {
        return id === undefined ? undefined : this.byKey.get(`${type}/${id}`);
    }
}
/** A single-resource document: `data` and its `included`. */
function single(body, what) {
    const document = object(body);
    if (!document || !('data' in document)) {
        throw new DataError(`App Store Connect answered ${what} without 'data'; the response does not match Apple's schema.`);
    }
    return { data: document.data, included: new Included(document.included) };
}
/**
 * Reads a collection page by page. `onPage` returns false once it has what it needs, and no
 * further page is asked for. Links are followed only to the API's own base (see
 * AscClient.link), never twice, and at most `maxPages` of them; an empty page ends the list.
 * `complete` is false when a next page was left unread, for whatever reason.
 */
async function pages(client, first, options, onPage) {
    const maxPages = options.maxPages ?? ASC.maxPages;
    const seen = new Set();
    let next = client.url(first.path, first.query).href;
    for (let index = 0; next; index++) {
        if (index >= maxPages)
            return { complete: false, looped: false };
        seen.add(next);
        const body = await client.getJson(next, {
            ...(options.notFound ? { notFound: options.notFound } : {}),
            maxBodyBytes: PAGE_MAX_BYTES
        });
        const { items, nextLink, included } = readPage(body, options.what);
        if (items.length === 0)
            return { complete: true, looped: false };
        const more = onPage({ items, included, index });
        if (!nextLink)
            return { complete: true, looped: false };
        if (more === false)
            return { complete: false, looped: false };
        const url = client.link(nextLink).href;
        // A link back to a page already read: paging is broken, so the list may be incomplete.
        if (seen.has(url))
            return { complete: false, looped: true };
        next = url;
    }
    return { complete: true, looped: false };
}
function readPage(body, what) {
    const document = object(body);
    const data = document?.data;
    if (!Array.isArray(data)) {
        throw new DataError(`App Store Connect answered ${what} without a 'data' list; the response does not match Apple's schema.`);
    }
    const next = object(document?.links)?.next;
    return {
        items: data,
        included: new Included(document?.included),
        ...(typeof next === 'string' && next ? { nextLink: next } : {})
    };
}
const ERROR_FIELD_CAP = 300;
const MAX_ERRORS = 5;
/** The `errors` of an error response; empty when the body is not one. */
function appleErrors(body) {
    let parsed;
    try {
        parsed = JSON.parse(body);
    }
    catch {
        return [];
    }
    const said = (fields) => Boolean(fields.code || fields.title || fields.detail);
    return objects(object(parsed)?.errors, MAX_ERRORS).flatMap(entry => {
        const associated = Object.values(object(object(entry.meta)?.associatedErrors) ?? {})
            .flatMap(list => objects(list, MAX_ERRORS))
            .map(errorFields)
            .filter(said)
            .slice(0, MAX_ERRORS);
        const fields = errorFields(entry);
        if (!said(fields))
            return [];
        const see = jsonapi_text(object(entry.links)?.see, ERROR_FIELD_CAP);
        return [{ ...fields, ...(see ? { see } : {}), associated }];
    });
}
function errorFields(entry) {
    const fields = {};
    for (const name of ['code', 'title', 'detail']) {
        const value = jsonapi_text(entry[name], ERROR_FIELD_CAP);
        if (value)
            fields[name] = value;
    }
    return fields;
}

;// CONCATENATED MODULE: ./src/history/snapshot.ts





/** The head and its root folder: 3 round trips, 1 when the branch does not exist yet. */
async function readHead(call, branch) {
    const ref = await call('GET', `git/ref/heads/${branch}`);
    // 404: no such branch yet; 409: a repository without a single commit.
    if (ref.status === 404 || ref.status === 409)
        return { ok: true, at: { root: [] } };
    if (ref.status !== 200)
        return { ok: false, refusal: refusalOf(ref) };
    const head = sha(snapshot_object(snapshot_object(ref.body).object).sha);
    const commit = head && (await call('GET', `git/commits/${head}`));
    if (!commit || commit.status !== 200)
        return { ok: false, refusal: refusalOf(commit || ref) };
    const tree = sha(snapshot_object(snapshot_object(commit.body).tree).sha);
    if (!tree)
        return { ok: false, refusal: refusalOf(commit) };
    const root = await entries(call, tree);
    if ('refusal' in root)
        return { ok: false, refusal: root.refusal };
    return { ok: true, at: { head, tree, root: root.list } };
}
/**
 * From the head, the app's version folders and the indexes of `version` and the one before it:
 * 3 round trips (the app's folder, the two version folders, their indexes), none for a new app.
 */
async function readVersions(call, at, appFolder, version) {
    const snapshot = {
        ...(at.head ? { head: at.head, tree: at.tree } : {}),
        versions: [],
        current: { version, runs: [] }
    };
    const app = at.root.find(e => e.path === appFolder && e.type === 'tree');
    if (!app)
        return { ok: true, snapshot };
    const folders = await entries(call, app.sha);
    if ('refusal' in folders)
        return { ok: false, refusal: folders.refusal };
    const versions = folders.list.filter(e => e.type === 'tree').map(e => e.path);
    const previousVersion = versions
        .filter(v => isVersion(v) && isVersion(version) && compareVersions(v, version) < 0)
        .sort(compareVersions)
        .at(-1);
    const byName = new Map(folders.list.map(e => [e.path, e.sha]));
    const [current, previous] = await Promise.all([
        versionIndex(call, byName.get(version), version),
        previousVersion ? versionIndex(call, byName.get(previousVersion), previousVersion) : undefined
    ]);
    if ('refusal' in current)
        return { ok: false, refusal: current.refusal };
    if (previous && 'refusal' in previous)
        return { ok: false, refusal: previous.refusal };
    return {
        ok: true,
        snapshot: { ...snapshot, versions, current, ...(previous ? { previous } : {}) }
    };
}
/** The whole read, as a write that lost a race does it again. */
async function readSnapshot(call, branch, appFolder, version) {
    const head = await readHead(call, branch);
    return head.ok ? readVersions(call, head.at, appFolder, version) : head;
}
async function entries(call, tree) {
    const answer = await call('GET', `git/trees/${tree}`);
    if (answer.status !== 200)
        return { refusal: refusalOf(answer) };
    const list = array(snapshot_object(answer.body).tree).flatMap(value => {
        const e = snapshot_object(value);
        const path = typeof e.path === 'string' ? e.path : undefined;
        const id = sha(e.sha);
        return path && id && typeof e.type === 'string' ? [{ path, type: e.type, sha: id }] : [];
    });
    return { list };
}
/** A version's index, or an empty one when it has none (or one that is not an index). */
async function versionIndex(call, folder, version) {
    const none = { version, runs: [] };
    if (!folder)
        return none;
    const listed = await entries(call, folder);
    if ('refusal' in listed)
        return listed;
    const index = listed.list.find(e => e.path === 'index.json' && e.type === 'blob');
    if (!index)
        return none;
    const blob = await call('GET', `git/blobs/${index.sha}`);
    if (blob.status !== 200)
        return { refusal: refusalOf(blob) };
    const content = snapshot_object(blob.body).content;
    try {
        const text = Buffer.from(typeof content === 'string' ? content : '', 'base64').toString('utf8');
        return { version, runs: indexEntries(JSON.parse(text)) };
    }
    catch {
        // A damaged index reads as none: the records themselves are still on the branch.
        return none;
    }
}
/** The entries of an index file that are what a run writes; anything else is left out. */
function indexEntries(parsed) {
    const runs = array(snapshot_object(parsed).runs).slice(-HISTORY.maxRunsPerVersion);
    return runs.flatMap(value => {
        const entry = indexEntry(value);
        return entry ? [entry] : [];
    });
}
const FILE = /^runs\/[0-9TZ._-]{1,64}\.json$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const POPULATION = new RegExp(`^p(50|90) ${METRIC_DEVICE.source.slice(1)}`);
const FINDING = new RegExp(`^(${FINDING_KINDS.join('|')}) [A-Za-z0-9_:.-]{1,80}$`);
const STATES = ['INACTIVE', 'ACTIVE', 'PAUSED', 'COMPLETE', 'UNKNOWN'];
const ACTIONS = ['paused', 'would-pause', 'none'];
/** One index entry, checked member by member; undefined when any member is not a run's. */
function indexEntry(value) {
    const e = snapshot_object(value);
    const text = (v, pattern) => typeof v === 'string' && pattern.test(v);
    if (!text(e.file, FILE) || !text(e.generatedAt, TIME) || !text(e.population, POPULATION)) {
        return undefined;
    }
    const day = e.day;
    const dayOk = day === null ||
        (Number.isInteger(day) && day >= 1 && day <= PHASED_RELEASE.days);
    const stateOk = e.state === null || (typeof e.state === 'string' && STATES.includes(e.state));
    if (!dayOk || !stateOk || !ACTIONS.includes(e.action))
        return undefined;
    const findings = array(e.findings);
    if (findings.length > HISTORY.maxFindingsPerRun || !findings.every(f => text(f, FINDING)))
        return undefined;
    const metrics = Object.entries(snapshot_object(e.metrics));
    if (metrics.length > 20)
        return undefined;
    const values = {};
    for (const [name, raw] of metrics) {
        if (!METRIC_IDENTIFIER.test(name))
            return undefined;
        if (raw === null) {
            values[name] = null;
            continue;
        }
        const { value, errorMargin } = snapshot_object(raw);
        if (!snapshot_finite(value) || !snapshot_finite(errorMargin) || errorMargin < 0)
            return undefined;
        values[name] = { value, errorMargin };
    }
    return {
        file: e.file,
        generatedAt: e.generatedAt,
        day: day,
        state: e.state,
        metrics: values,
        population: e.population,
        findings: findings,
        action: e.action
    };
}
function snapshot_finite(value) {
    return typeof value === 'number' && Number.isFinite(value);
}
function refusalOf(answer, step = 'read') {
    const message = snapshot_object(answer.body).message;
    return {
        step,
        status: answer.status,
        ...(typeof message === 'string' ? { message } : {})
    };
}
/** An object's members, or none for anything else: GitHub's bodies are read member by member. */
function snapshot_object(value) {
    return jsonapi_isObject(value) ? value : {};
}
function array(value) {
    return Array.isArray(value) ? value : [];
}
function sha(value) {
    return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value) ? value : undefined;
}

;// CONCATENATED MODULE: ./src/history/branch.ts





/**
 * Appends one run's record to the branch, creating the branch with its first record. `first` is
 * the branch as the run read it: the first attempt builds on it, a retry reads it again.
 */
async function appendRun(call, run, first) {
    let snapshot = first;
    for (let attempt = 1; attempt <= HISTORY.attempts; attempt++) {
        if (!snapshot) {
            const read = await readSnapshot(call, run.branch, run.appFolder, run.version);
            if (!read.ok)
                return { ok: false, warning: notWritten(run.branch, read.refusal) };
            snapshot = read.snapshot;
        }
        const outcome = await attemptAppend(call, run, snapshot);
        if (outcome !== 'race')
            return outcome.ok ? { ...outcome, attempts: attempt } : outcome;
        snapshot = undefined;
        // Guards that started together would meet again at once: a short random wait apart.
        if (attempt < HISTORY.attempts)
            await (0,promises_namespaceObject.setTimeout)(HISTORY.retryDelayMs * (1 + Math.random()));
    }
    return {
        ok: false,
        warning: `The run's record was not written to the '${run.branch}' branch: other runs updated it first ${HISTORY.attempts} times; the next run writes its own.`
    };
}
async function attemptAppend(call, run, at) {
    const folder = `${run.appFolder}/${run.version}`;
    const pruned = foldersToPrune(at.versions, run.version, run.keepVersions);
    const index = withRun(at.current, run.entry);
    const files = [
        { path: `${folder}/${run.file}`, content: run.record },
        { path: `${folder}/index.json`, content: `${JSON.stringify(index, null, 2)}\n` }
    ];
    const tree = await call('POST', 'git/trees', {
        ...(at.tree ? { base_tree: at.tree } : {}),
        tree: [
            ...files.map(f => ({ path: f.path, mode: '100644', type: 'blob', content: f.content })),
            ...pruned.map(v => ({
                path: `${run.appFolder}/${v}`,
                mode: '040000',
                type: 'tree',
                sha: null
            }))
        ]
    });
    if (tree.status !== 201)
        return branch_written(run, tree);
    const commit = await call('POST', 'git/commits', {
        message: `asc-diagnostics-gate: ${folder}/${run.file}`,
        tree: snapshot_object(tree.body).sha,
        parents: at.head ? [at.head] : []
    });
    if (commit.status !== 201)
        return branch_written(run, commit);
    const sha = String(snapshot_object(commit.body).sha ?? '');
    const moved = at.head
        ? await call('PATCH', `git/refs/heads/${run.branch}`, { sha, force: false })
        : await call('POST', 'git/refs', { ref: `refs/heads/${run.branch}`, sha });
    if (moved.status !== 200 && moved.status !== 201) {
        // A lost race, only when another run did move the branch (or create it) since it was read;
        // a protected branch or a ruleset also answers 422, and that is GitHub's answer to give.
        const lost = (moved.status === 422 || moved.status === 409) && (await movedSince(call, run, at));
        return lost ? 'race' : branch_written(run, moved);
    }
    return { ok: true, commit: sha, pruned };
}
async function movedSince(call, run, at) {
    const ref = await call('GET', `git/ref/heads/${run.branch}`);
    if (ref.status !== 200)
        return false;
    return snapshot_object(snapshot_object(ref.body).object).sha !== at.head;
}
function branch_written(run, answer) {
    return { ok: false, warning: notWritten(run.branch, refusalOf(answer, 'write')) };
}
/** The warning for a write that did not land, naming the permission when GitHub refused it. */
function notWritten(branch, refusal) {
    return `The run's record was not written to the '${branch}' branch: ${github(refusal)}.${permissionHint(refusal)}`;
}
/** "GitHub answered HTTP 403 (Resource not accessible by integration)". */
function github(refusal) {
    const message = refusal.message ? ` (${oneLine(refusal.message, 200)})` : '';
    return `GitHub answered HTTP ${refusal.status}${message}`;
}
/** GitHub answers a token without the permission with 403 (404 for a private repository). */
function permissionHint(refusal) {
    if (refusal.status !== 403 && refusal.status !== 404)
        return '';
    return " The workflow's token needs 'contents: write' (permissions: contents: write) to keep the history.";
}

;// CONCATENATED MODULE: ./src/history/store.ts





/** The place of a guard run on the live version; undefined for any other run. */
function historyPlace(config, data) {
    const { build } = data.current;
    const version = build.appStoreVersion;
    if (!config.history || version?.status !== 'live' || !build.appId)
        return undefined;
    const platform = config.build.kind === 'id' ? 'IOS' : config.build.platform;
    return { appId: build.appId, platform, version: version.versionString };
}
/**
 * The guard's memory for one run: read once the live version is known, written once the run
 * is decided. Neither ever throws: what fails is said, and the run decides without history.
 */
class HistoryStore {
    call;
    settings;
    close;
    snapshot;
    head;
    constructor(call, settings, 
    /** Stops whatever is still asked of GitHub once the run is over (a prefetch nobody read). */
    close = () => { }) {
        this.call = call;
        this.settings = settings;
        this.close = close;
    }
    /** Starts reading the branch's head while App Store Connect is asked: it needs no version. */
    prefetch() {
        if (!('unavailable' in this.call))
            this.head ??= this.readHead(this.call);
        return this;
    }
    readHead(call) {
        // Settled either way: a run that stops before reading it must not leave a rejection behind.
        return readHead(call, this.settings.branch).catch((thrown) => ({ thrown }));
    }
    /** What the branch holds for this version and the one before it. */
    async read(place) {
        const { branch } = this.settings;
        const unavailable = (why) => ({ branch, unavailable: sentence(why) });
        const sentence = (why) => `The guard's history on the '${branch}' branch could not be read: ${why}${why.endsWith('.') ? '' : '.'} The guard decided as if there were no history.`;
        if ('unavailable' in this.call)
            return unavailable(this.call.unavailable);
        try {
            const head = await (this.head ?? this.readHead(this.call));
            if ('thrown' in head)
                throw head.thrown;
            if (!head.ok)
                return unavailable(`${github(head.refusal)}.${permissionHint(head.refusal)}`);
            const read = await readVersions(this.call, head.at, appFolder(place.appId, place.platform), segment(place.version));
            if (!read.ok)
                return unavailable(`${github(read.refusal)}.${permissionHint(read.refusal)}`);
            this.snapshot = read.snapshot;
            const { current, previous } = read.snapshot;
            const decisive = (index) => ({ ...index, runs: decisiveRuns(index.runs) });
            return {
                branch,
                current: decisive(current),
                ...(previous ? { previous: decisive(previous) } : {})
            };
        }
        catch (error) {
            return unavailable(messageOf(error).replace(/\.$/, ''));
        }
    }
    /** How many runs the branch holds of the version and of the one before it, as read. */
    recorded() {
        const read = this.snapshot;
        if (!read)
            return undefined;
        const { previous } = read;
        return {
            current: read.current.runs.length,
            ...(previous ? { previous: { version: previous.version, runs: previous.runs.length } } : {})
        };
    }
    /** Adds the run's record and index entry to the branch, on the snapshot the run read. */
    async write(place, record, entry) {
        const { branch, keepVersions } = this.settings;
        if ('unavailable' in this.call) {
            return {
                ok: false,
                warning: `The run's record was not written to the '${branch}' branch: ${this.call.unavailable}.`
            };
        }
        try {
            return await appendRun(this.call, {
                branch,
                appFolder: appFolder(place.appId, place.platform),
                version: segment(place.version),
                file: entry.file,
                record,
                entry,
                keepVersions
            }, this.snapshot);
        }
        catch (error) {
            return {
                ok: false,
                warning: `The run's record was not written to the '${branch}' branch: ${messageOf(error)}`
            };
        }
    }
}

;// CONCATENATED MODULE: ./src/publish/history.ts









/** The history for this workflow's repository, with its token (or why there is none), reading. */
function historyStore(config, send, policy) {
    const settings = config.history;
    const repository = process.env.GITHUB_REPOSITORY;
    if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
        return new HistoryStore({
            unavailable: "GITHUB_REPOSITORY is not set, and the history is kept in the workflow's repository"
        }, settings);
    }
    if (!config.githubToken) {
        return new HistoryStore({ unavailable: "'github-token' is empty; the history needs a token with 'contents: write'" }, settings);
    }
    const stop = new AbortController();
    const calls = repositoryCalls({
        token: config.githubToken,
        apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
        repository,
        send,
        policy,
        signal: stop.signal
    });
    // The head is read while App Store Connect is asked; the version's folders once it is known.
    return new HistoryStore(calls, settings, () => stop.abort()).prefetch();
}
/**
 * Writes a guard run's record and its index line in one commit on the data branch, and says in
 * the log what became of it; a write that cannot be made is a warning, and the report says so.
 */
async function writeHistory(outcome) {
    if (!outcome.history || !outcome.recorded)
        return undefined;
    const place = historyPlace(outcome.config, outcome.data);
    if (!place || !outcome.release)
        return undefined;
    const { history } = outcome.data;
    if (history && 'unavailable' in history) {
        // What refused the read would refuse the write: the run's warning has said why.
        const warning = `The run's record was not written to the '${history.branch}' branch either, for the same reason.`;
        core_warning(warning, { title: 'History' });
        return { ok: false, warning };
    }
    const entry = indexEntryOf(outcome, outcome.recorded.generatedAt);
    const result = await outcome.history.write(place, recordText(outcome), entry);
    if (!result.ok) {
        const unconfirmable = unconfirmableAfter(outcome.config.confirmRuns);
        core_warning(scrub(oneLine(`${result.warning}${unconfirmable}`, 800)), { title: 'History' });
        return result;
    }
    const where = `${appFolder(place.appId, place.platform)}/${segment(place.version)}/${entry.file}`;
    const retried = result.attempts > 1 ? `, after ${result.attempts - 1} lost race(s)` : '';
    const pruned = result.pruned.length ? `; removed ${result.pruned.join(', ')}` : '';
    info(oneLine(`Recorded this run on '${outcome.history.settings.branch}': ${where} (commit ${result.commit.slice(0, 7)}${retried})${pruned}.`, 600));
    return result;
}

;// CONCATENATED MODULE: ./src/publish/index.ts














/** The GitHub Action's sinks, in order: outputs and reports first, the comment, the failure last. */
const GITHUB_SINKS = [
    jobReport,
    publish_ciReportFiles,
    pullRequestComment,
    exitStatus
];
/** Outputs, the JSON report, warnings and annotations, and the job summary. */
async function jobReport(outcome) {
    switch (outcome.kind) {
        case 'skipped':
            core_warning(`App Store diagnostics gate skipped: ${outcome.reason}. See ${FORK_DOCS_URL}`);
            setSkippedOutputs();
            writeReportFile(outcome);
            return writeSummary(skippedSummary(outcome.reason));
        case 'failed':
            writeReportFile(outcome);
            return writeSummary(failedSummary(outcome.error));
        case 'judged':
            return group('Report', () => judgedReport(outcome));
    }
}
async function judgedReport(outcome) {
    const { config, data, verdict, failure } = outcome;
    const report = summaryReport(outcome);
    setOutputs(verdict, {
        buildId: data.current.build.id,
        baselineBuildId: data.baseline?.build.id,
        report,
        release: outcome.release
    });
    writeReportFile(outcome);
    if (outcome.release?.error)
        error(scrub(outcome.release.error), { title: 'Phased release' });
    for (const warning of gapWarnings(verdict, data))
        core_warning(warning);
    const build = data.current.build.label ?? data.current.build.id;
    annotate(verdict, build, Boolean(failure), config.annotateSource ? outcome.sources : undefined);
    await writeSummary(report);
    info(verdictLine(verdict, failure));
}
/** The JSON report is written on every run; before the inputs are valid, at the default path. */
function writeReportFile(outcome) {
    let written = '';
    try {
        written = writeJsonReport(jsonReportOf(outcome), outcome.config?.reportPath);
    }
    catch (error) {
        core_warning(`Could not write the JSON report: ${messageOf(error)}`);
    }
    setOutput('report-path', written);
}
/**
 * The SARIF log and the JUnit XML, each when its path input is set; the outputs name the files
 * written, and stay empty when nothing was judged or a file could not be written (a warning).
 */
async function publish_ciReportFiles(outcome) {
    for (const { output, what, path, text } of ciReportFiles(outcome)) {
        let written = '';
        if (path && text !== undefined) {
            try {
                written = writeTextFile(path, text, output);
                info(`Wrote the ${what} to ${written}.`);
            }
            catch (error) {
                core_warning(`Could not write the ${what} to '${path}': ${messageOf(error)}`);
            }
        }
        setOutput(output, written);
    }
}
function verdictLine(verdict, failure) {
    if (verdict.result === 'no-data') {
        return `Verdict: no data yet, nothing was checked${failure ? " ('no-data' is 'fail')" : ''}.`;
    }
    if (verdict.result === 'passed')
        return 'Verdict: passed.';
    if (failure)
        return 'Verdict: failed.';
    const reason = verdict.findings.find(f => f.kind !== 'no-data')?.failsJobReason;
    return `Verdict: failed, reported only${reason ? `: ${reason}` : ''}.`;
}
/** The job fails last, after everything else is written, with one sentence. */
async function exitStatus(outcome) {
    if (outcome.kind === 'failed')
        setFailed(scrub(outcome.error));
    else if (outcome.kind === 'judged' && outcome.failure)
        setFailed(scrub(outcome.failure));
}

;// CONCATENATED MODULE: ./src/asc/client.ts







const APPLE_ORIGIN = new URL(ASC.defaultBaseUrl).origin;
/**
 * App Store Connect over HTTP: auth, retries, rate-limit tracking and the rule that the token
 * only ever travels to the configured origin. Knows nothing of diagnostics.
 */
class AscClient {
    options;
    requests = 0;
    rateLimit;
    origin;
    behindProxy;
    constructor(options) {
        this.options = options;
        this.origin = new URL(options.baseUrl).origin;
        this.behindProxy = this.origin !== APPLE_ORIGIN;
    }
    /** Resolves a path against the base URL; refuses absolute URLs on any other origin. */
    url(pathOrUrl, query) {
        const url = /^https?:/i.test(pathOrUrl)
            ? new URL(pathOrUrl)
            : new URL(`${this.options.baseUrl}${pathOrUrl}`);
        for (const [name, value] of Object.entries(query ?? {}))
            url.searchParams.set(name, value);
        return url;
    }
    /** One line for the debug log; it may carry App Store Connect text, so it is made safe here. */
    debug(line) {
        this.options.debug?.(oneLine(scrub(line), 2000));
    }
    isSameOrigin(url) {
        return url.origin === this.origin;
    }
    /**
     * A paging link as this client follows it. Apple writes its links absolute on its own
     * origin, whichever host was called: behind a proxy (`api-base-url`) such a link is the same
     * path and query on the configured base. A link to any other origin is refused.
     */
    link(href) {
        let url;
        try {
            url = this.url(href);
        }
        catch {
            throw new DataError(`App Store Connect sent a paging link that is not a URL: '${oneLine(href, 120)}'.`);
        }
        if (this.behindProxy && url.origin === APPLE_ORIGIN) {
            url = new URL(`${this.options.baseUrl}${url.pathname}${url.search}`);
        }
        if (!this.isSameOrigin(url)) {
            throw new ServiceError(`App Store Connect sent a paging link to another origin (${oneLine(url.origin, 80)}); the gate does not send the API token there.`);
        }
        return url;
    }
    getJson(pathOrUrl, options = {}) {
        return this.send('GET', pathOrUrl, options);
    }
    /**
     * A JSON:API update. Retried like a read: the callers send the same target state each time,
     * so a repeat cannot do more than the first attempt did.
     */
    patchJson(path, options) {
        return this.send('PATCH', path, options);
    }
    async send(method, pathOrUrl, options) {
        const url = this.url(pathOrUrl, options.query);
        const what = `${method} ${oneLine(url.pathname, 120)}`;
        if (!this.isSameOrigin(url)) {
            throw new ServiceError(`Refused to send the App Store Connect token to ${oneLine(url.origin, 80)} (${what}); only ${this.origin} receives it.`);
        }
        const accept = options.accept ?? 'application/json';
        const body = options.body === undefined ? undefined : JSON.stringify(options.body);
        let response;
        try {
            ;
            ({ response } = await sendWithRetry(this.options.send, async () => {
                this.requests++;
                const headers = {
                    authorization: `Bearer ${await this.options.tokens.get()}`,
                    accept,
                    'user-agent': 'asc-diagnostics-gate'
                };
                if (body !== undefined)
                    headers['content-type'] = 'application/json';
                return {
                    method,
                    url: url.href,
                    timeoutMs: this.options.policy.requestTimeoutMs,
                    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
                    headers,
                    ...(body !== undefined ? { body } : {})
                };
            }, this.options.policy, {
                signal: either(this.options.signal, options.signal),
                onRetry: (outcome, delayMs, attempt) => {
                    if (!(outcome instanceof NetworkError))
                        this.noteRateLimit(outcome);
                    this.options.log(`${what}: ${describe(outcome)}; attempt ${attempt} of ${this.options.policy.maxAttempts}, retrying in ${(delayMs / 1000).toFixed(1)} s.`);
                }
            }));
        }
        catch (error) {
            if (error instanceof RetriesExhausted)
                throw this.exhausted(what, error);
            throw error;
        }
        this.noteRateLimit(response);
        if (response.status < 200 || response.status > 299)
            throw statusError(what, response, { ...options, keyId: this.options.tokens.keyId });
        return parseJson(what, response, accept);
    }
    /**
     * The hourly budget keeps the lowest count seen (responses arrive out of order); the minute
     * window refills, so only the latest answer says how it stands.
     */
    noteRateLimit(response) {
        const parsed = parseRateLimit(transport_header(response, 'x-rate-limit'));
        if (!parsed)
            return;
        const known = this.rateLimit;
        const hour = parsed.remaining !== undefined &&
            (known?.remaining === undefined || parsed.remaining < known.remaining)
            ? { limit: parsed.limit, remaining: parsed.remaining }
            : { limit: known?.limit, remaining: known?.remaining };
        // Only the latest answer says how the minute stands: an older count would be stale.
        const minute = parsed.minute;
        this.rateLimit = { ...hour, ...(minute ? { minute } : {}) };
    }
    exhausted(what, error) {
        const { last, attempts, reason, retryAfterMs } = error;
        if (!(last instanceof NetworkError))
            this.noteRateLimit(last);
        const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
        if (reason === 'retry-after-too-long') {
            return new ServiceError(`App Store Connect asked to wait ${Math.round((retryAfterMs ?? 0) / 1000)} s before retrying ${what} (HTTP ${last.status}), longer than this action holds a runner; rerun the job later.`, last.status);
        }
        if (last instanceof NetworkError && last.kind === 'too-large') {
            return new ServiceError(`${last.message} to ${what}, more than this action reads from App Store Connect (not retried); rerun later, and report it if it persists.`);
        }
        if (last instanceof NetworkError) {
            return new ServiceError(`Could not get an answer from App Store Connect at ${this.origin} for ${what} (${last.message}) ${tries}; check the runner's network or proxy, or rerun later.`);
        }
        if (last.status === 429) {
            return new ServiceError(withApple(`App Store Connect kept rate-limiting ${what} (HTTP 429) ${tries}${budgetSpent(this.rateLimit)}`, appleErrors(last.body)), 429);
        }
        return new ServiceError(withApple(`App Store Connect failed with HTTP ${last.status} on ${what} ${tries}; Apple's service may be degraded: rerun the job later`, appleErrors(last.body)), last.status);
    }
}
/** The signal that aborts when either does; by hand before Node 20.3, which lacks AbortSignal.any. */
function either(a, b) {
    if (!a || !b)
        return a ?? b;
    if (typeof AbortSignal.any === 'function')
        return AbortSignal.any([a, b]);
    const both = new AbortController();
    const abort = () => both.abort();
    if (a.aborted || b.aborted)
        abort();
    a.addEventListener('abort', abort, { once: true });
    b.addEventListener('abort', abort, { once: true });
    return both.signal;
}
function describe(outcome) {
    return outcome instanceof NetworkError ? outcome.message : `HTTP ${outcome.status}`;
}
/** `user-hour-lim:3500;user-hour-rem:500;` → { limit, remaining }; undefined when absent. */
function parseRateLimit(value) {
    if (!value)
        return undefined;
    const fields = new Map(value
        .split(';')
        .map(part => part.split(':').map(s => s.trim()))
        .filter(pair => pair.length === 2 && /^\d+$/.test(pair[1]))
        .map(([key, number]) => [key, Number(number)]));
    const limit = fields.get('user-hour-lim');
    const remaining = fields.get('user-hour-rem');
    const minuteLimit = fields.get('user-minute-lim');
    const minuteRemaining = fields.get('user-minute-rem');
    const minute = minuteLimit === undefined && minuteRemaining === undefined
        ? undefined
        : { limit: minuteLimit, remaining: minuteRemaining };
    if (limit === undefined && remaining === undefined && !minute)
        return undefined;
    return { limit, remaining, ...(minute ? { minute } : {}) };
}
/**
 * Which window ran out, for the 429 message: the minute window refills within a minute, the
 * hourly one does not.
 */
function budgetSpent(rateLimit) {
    const minute = rateLimit?.minute;
    const hourLeft = rateLimit?.remaining;
    const hourSpent = hourLeft !== undefined && hourLeft <= 0;
    if (minute?.remaining !== undefined && minute.remaining <= 0 && !hourSpent) {
        return `, with 0 of ${minute.limit ?? '?'} requests left this minute (${hourLeft ?? '?'} left this hour); requests came too fast: rerun in a minute, or lower 'include-logs' or the number of apps run at once`;
    }
    const left = hourLeft === undefined
        ? ''
        : `, with ${hourLeft} of ${rateLimit?.limit ?? '?'} requests left this hour`;
    return `${left}; other jobs may share this API key: rerun later or use a separate key`;
}
function statusError(what, response, { notFound, forbidden, keyId }) {
    const status = response.status;
    const errors = appleErrors(response.body);
    return new ServiceError(withApple(ourSentence(status, what, errors, { notFound, forbidden, keyId }), errors), status);
}
/** What the status means for this request, and what to do; without the final period. */
function ourSentence(status, what, errors, { notFound, forbidden, keyId }) {
    switch (status) {
        case 401:
            return `App Store Connect did not accept the API token (HTTP 401 on ${what}): check 'key-id', 'issuer-id' (leave it empty for an individual key), that 'private-key' is the .p8 of key ${keyId} (a key from another download signs tokens Apple cannot verify), that the key is still active in Users and Access → Integrations, and that the runner's clock is right`;
        case 403:
            if (errors.some(isAgreementError)) {
                return `App Store Connect refused ${what} (HTTP 403) because an agreement is missing or has expired: the Account Holder must accept the latest agreements in App Store Connect (Business) or on the Apple Developer website; until then no API key of this team can read its data`;
            }
            if (forbidden)
                return `${forbidden} (HTTP 403 on ${what})`;
            return `App Store Connect refused ${what} (HTTP 403): the API key's role may not allow reading this app's builds and diagnostics, the key may be revoked, or the token was malformed; check the key in Users and Access → Integrations`;
        case 404:
            return notFound
                ? `${notFound} (HTTP 404 on ${what})`
                : `App Store Connect found nothing at ${what} (HTTP 404)`;
        case 409:
            return `App Store Connect refused ${what} because of the resource's current state (HTTP 409); check it in App Store Connect`;
        default:
            return `App Store Connect answered HTTP ${status} to ${what}`;
    }
}
/** Apple names the agreement codes one way and describes them another. */
function isAgreementError(error) {
    return (/AGREEMENT/i.test(error.code ?? '') ||
        /\bagree(ment)?s?\b/i.test(`${error.title ?? ''} ${error.detail ?? ''}`));
}
/**
 * Our sentence, then Apple's own words: the first error's code, title and detail, and what a
 * 409's related resources reported. Scrubbed of any echoed secret; one period at the end.
 */
function withApple(sentence, errors) {
    const [first] = errors;
    if (!first)
        return `${sentence}.`;
    const words = (e) => [e.code, e.title && `"${bare(e.title)}"`, e.detail && bare(e.detail)].filter(Boolean).join(' ');
    // Apple's `links.see` is a path in App Store Connect, such as "/agreements".
    const link = first.see?.startsWith('/')
        ? `https://appstoreconnect.apple.com${first.see}`
        : first.see;
    const see = link ? ` (see ${link})` : '';
    const associated = first.associated.length
        ? `; related errors: ${first.associated.map(words).join('; ')}`
        : '';
    const text = `${bare(sentence)}. Apple: ${words(first)}${see}${associated}`;
    // A field cut short already ends in "…".
    return scrub(text.endsWith('…') ? text : `${text}.`);
}
/** Without the closing punctuation, so that joined sentences never read ".:" or "..". */
function bare(text) {
    return text.replace(/[\s.:;]+$/, '');
}
function parseJson(what, response, accept) {
    const type = (transport_header(response, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    const isJson = type === 'application/json' ||
        type.endsWith('+json') ||
        (type === '' && accept.includes('json'));
    if (!isJson) {
        throw new ServiceError(`App Store Connect answered ${what} with ${oneLine(type || 'no content type', 60)} instead of JSON (HTTP ${response.status}); a proxy or an outage page may be in the way: rerun later.`, response.status);
    }
    if (response.body.trim() === '') {
        throw new ServiceError(`App Store Connect answered ${what} with an empty body (HTTP ${response.status}); rerun later.`, response.status);
    }
    try {
        return JSON.parse(response.body);
    }
    catch {
        throw new ServiceError(`App Store Connect answered ${what} with malformed JSON (HTTP ${response.status}, ${response.body.length} bytes, cut short?); rerun later.`, response.status);
    }
}

;// CONCATENATED MODULE: ./src/asc/phased-release.ts




const PHASED_RELEASE_STATES = ['INACTIVE', 'ACTIVE', 'PAUSED', 'COMPLETE'];
/** Reads one AppStoreVersionPhasedRelease resource. */
function readPhasedRelease(release) {
    const a = release.attributes;
    const state = PHASED_RELEASE_STATES.find(s => s === a.phasedReleaseState) ?? 'UNKNOWN';
    const day = count(a.currentDayNumber);
    const pause = count(a.totalPauseDuration);
    const startDate = date(a.startDate);
    return {
        id: release.id,
        state,
        ...(day !== undefined && day >= 1 ? { day } : {}),
        ...(startDate ? { startDate } : {}),
        ...(pause !== undefined ? { totalPauseDuration: pause } : {})
    };
}
/** A document's phased release; undefined when `data` is null (the version has none). */
function phasedReleaseIn(body, what) {
    const { data } = single(body, what);
    if (data === null)
        return undefined;
    const release = resource(data, 'a phased release');
    if (release.type !== 'appStoreVersionPhasedReleases') {
        throw new DataError(`App Store Connect answered ${what} with a ${oneLine(release.type || 'resource', 60)} instead of a phased release.`);
    }
    return readPhasedRelease(release);
}
/** The phased release of an App Store version as it is now. */
async function getPhasedRelease(client, versionId) {
    const body = await client.getJson(`/v1/appStoreVersions/${encodeURIComponent(versionId)}/appStoreVersionPhasedRelease`, { query: { 'fields[appStoreVersionPhasedReleases]': PHASED_RELEASE.fields.join(',') } });
    return phasedReleaseIn(body, `GET /v1/appStoreVersions/${versionId}/appStoreVersionPhasedRelease`);
}
/**
 * Sets the rollout to PAUSED and returns the release as Apple now describes it. A 403 names
 * the role needed. A 409 is checked against the current state, since a retried PATCH may meet
 * the pause its first attempt already made.
 */
async function pausePhasedRelease(client, release, versionId) {
    const path = `/v1/appStoreVersionPhasedReleases/${encodeURIComponent(release.id)}`;
    let body;
    try {
        body = await client.patchJson(path, {
            body: {
                data: {
                    type: 'appStoreVersionPhasedReleases',
                    id: release.id,
                    attributes: { phasedReleaseState: 'PAUSED' }
                }
            },
            forbidden: `The API key may not pause the phased release: its role cannot change releases; use a key with the ${PHASED_RELEASE.rolesThatPause} role, or pause it in App Store Connect`,
            notFound: `The phased release ${release.id} no longer exists; nothing was paused`
        });
    }
    catch (error) {
        if (error instanceof ServiceError && error.status === 409) {
            const now = await getPhasedRelease(client, versionId);
            if (now?.state === 'PAUSED')
                return now;
        }
        throw error;
    }
    const paused = phasedReleaseIn(body, `PATCH ${path}`);
    if (!paused) {
        throw new DataError(`App Store Connect answered the pause of phased release ${release.id} without the phased release; check its state in App Store Connect.`);
    }
    return paused;
}

;// CONCATENATED MODULE: ./src/asc/app-store-versions.ts






/**
 * The app's live and earlier App Store versions of one platform: one request
 * (`filter[appVersionState]` takes both states), its build and phased release included.
 */
async function fetchReleasedVersions(client, appId, platform) {
    const versions = [];
    const what = `GET /v1/apps/${appId}/appStoreVersions`;
    const paging = await pages(client, {
        path: `/v1/apps/${encodeURIComponent(appId)}/appStoreVersions`,
        query: {
            'filter[platform]': platform,
            'filter[appVersionState]': `${VERSION_STATES.live},${VERSION_STATES.replaced}`,
            include: 'build,appStoreVersionPhasedRelease',
            'fields[appStoreVersions]': 'versionString,appStoreState,appVersionState,createdDate,build,appStoreVersionPhasedRelease',
            'fields[builds]': 'version,processingState',
            'fields[appStoreVersionPhasedReleases]': PHASED_RELEASE.fields.join(','),
            limit: String(ASC.maxPageSize)
        }
    }, {
        what,
        notFound: `App ${appId} was not found: no app with this ID is visible to this API key; check 'app-id'`
    }, ({ items, included }) => void versions.push(...items.flatMap(item => readVersion(item, included))));
    if (!paging.complete) {
        const why = paging.looped
            ? 'linked back to a page already read'
            : `kept sending pages past ${ASC.maxPages}`;
        throw new DataError(`App Store Connect ${why} for ${what}, so the live version cannot be known; rerun later, and report it if it persists.`);
    }
    for (const version of versions) {
        client.debug(`App Store version ${version.versionString} (${version.id}) is ${version.status}, by its ${version.decidedBy}.`);
    }
    return versions;
}
/**
 * The build of a version whose relationship names it but whose response did not include it
 * (as some answers do): `GET /v1/appStoreVersions/{id}/build`.
 */
async function fetchVersionBuild(client, version) {
    const body = await client.getJson(`/v1/appStoreVersions/${encodeURIComponent(version.id)}/build`, {
        query: { 'fields[builds]': 'version,processingState' },
        notFound: `The build of App Store version ${version.versionString} was not found`
    });
    const { data } = single(body, `GET /v1/appStoreVersions/${version.id}/build`);
    return data === null ? undefined : readBuild(resource(data, 'a build'));
}
/** Picks the live version, or the one live before it; throws a sentence when there is none. */
function pickVersion(versions, which, context) {
    const { appId, platform, input } = context;
    // Apple documents no order for this list, and it has no `sort` parameter.
    const sorted = [...versions].sort(newestFirst);
    const live = sorted.find(v => v.status === 'live');
    if (!live) {
        throw new ServiceError(`No ${platform} version of app ${appId} is live on the App Store (appVersionState ${VERSION_STATES.live}), so ${input} has nothing to check; check 'platform' and the app, or give a version number to check a version that is not released yet.`);
    }
    if (which === 'live')
        return live;
    const previous = sorted.find(v => v.status === 'replaced' && newestFirst(live, v) < 0);
    if (!previous) {
        throw new ServiceError(`App ${appId} has no ${platform} version before the live ${oneLine(live.versionString, 64)} (none is ${VERSION_STATES.replaced}), so ${input} has nothing to compare with; remove it, or give a version number.`);
    }
    return previous;
}
/** Newest first: by creation date, then by version number ("2.10" after "2.9"). */
function newestFirst(a, b) {
    const dateA = Date.parse(a.createdDate ?? '');
    const dateB = Date.parse(b.createdDate ?? '');
    if (!Number.isNaN(dateA) && !Number.isNaN(dateB) && dateA !== dateB)
        return dateB - dateA;
    return compareVersions(b.versionString, a.versionString);
}
function readVersion(item, included) {
    const version = resource(item, 'an App Store version');
    const state = statusOf(version.attributes);
    if (!state)
        return [];
    const buildId = related(version, 'build');
    const includedBuild = included.get('builds', buildId);
    const release = included.get('appStoreVersionPhasedReleases', related(version, 'appStoreVersionPhasedRelease'));
    const phasedRelease = release && readPhasedRelease(release);
    const createdDate = date(version.attributes.createdDate);
    return [
        {
            id: version.id,
            versionString: jsonapi_text(version.attributes.versionString, FIELD_CAPS.version) ?? '?',
            ...state,
            ...(createdDate ? { createdDate } : {}),
            ...(buildId ? { buildId } : {}),
            ...(includedBuild ? { build: readBuild(includedBuild) } : {}),
            ...(phasedRelease ? { phasedRelease } : {})
        }
    ];
}
function readBuild(build) {
    const buildNumber = jsonapi_text(build.attributes.version, FIELD_CAPS.version);
    const processingState = jsonapi_text(build.attributes.processingState, FIELD_CAPS.identifier);
    return {
        id: build.id,
        ...(buildNumber ? { buildNumber } : {}),
        ...(processingState ? { processingState } : {})
    };
}
/**
 * Live or replaced, by `appVersionState` (Apple's current field). READY_FOR_DISTRIBUTION also
 * covers a version removed from sale, which the deprecated `appStoreState` tells apart when it
 * is still sent. A response with only `appStoreState` is read by it.
 */
function statusOf(attributes) {
    const current = attributes.appVersionState;
    const deprecated = attributes.appStoreState;
    if (typeof current === 'string') {
        if (current === VERSION_STATES.replaced)
            return { status: 'replaced', decidedBy: 'appVersionState' };
        if (current !== VERSION_STATES.live)
            return undefined;
        // The deprecated field still tells a version taken off sale apart, when it is sent.
        if (VERSION_STATES.removedFromSale.some(state => state === deprecated))
            return undefined;
        return { status: 'live', decidedBy: 'appVersionState' };
    }
    if (deprecated === VERSION_STATES.deprecatedLive)
        return { status: 'live', decidedBy: 'appStoreState' };
    if (deprecated === VERSION_STATES.replaced)
        return { status: 'replaced', decidedBy: 'appStoreState' };
    return undefined;
}

;// CONCATENATED MODULE: ./src/asc/builds.ts






/** Looks up app IDs by bundle ID once per run, however many builds need it. */
class AppResolver {
    client;
    cache = new Map();
    versions = new Map();
    constructor(client) {
        this.client = client;
    }
    appId(app) {
        if ('appId' in app)
            return Promise.resolve(app.appId);
        let pending = this.cache.get(app.bundleId);
        if (!pending) {
            pending = this.lookup(app.bundleId);
            this.cache.set(app.bundleId, pending);
        }
        return pending;
    }
    /** The app's live and replaced App Store versions: one request for `live` and `previous`. */
    releasedVersions(appId, platform) {
        const key = `${appId}/${platform}`;
        let pending = this.versions.get(key);
        if (!pending) {
            pending = fetchReleasedVersions(this.client, appId, platform);
            this.versions.set(key, pending);
        }
        return pending;
    }
    /** Apple's bundle ID filter also returns near matches, so insist on equality. */
    async lookup(bundleId) {
        const apps = await this.listApps({ 'filter[bundleId]': bundleId });
        const exact = apps.find(app => app.bundleId === bundleId);
        if (exact?.id)
            return exact.id;
        // The filter is case-sensitive: a bundle ID typed with other capitals finds nothing there.
        const near = apps.length
            ? apps.map(app => app.bundleId)
            : (await this.listApps({}))
                .map(app => app.bundleId)
                .filter(id => id.toLowerCase() === bundleId.toLowerCase());
        const similar = near.map(id => oneLine(id, 80)).slice(0, 5);
        throw new ServiceError(`No app with bundle ID '${bundleId}' is visible to this API key${similar.length ? ` (similar: ${similar.join(', ')})` : ''}; check 'bundle-id', or give 'app-id'.`);
    }
    async listApps(filter) {
        const apps = [];
        // One page: the bundle ID filter finds a handful, and the near matches need no more.
        await pages(this.client, { path: '/v1/apps', query: { ...filter, 'fields[apps]': 'bundleId', limit: '200' } }, { what: 'GET /v1/apps', maxPages: 1 }, ({ items }) => {
            for (const item of items) {
                const app = resource(item, 'an app');
                apps.push({
                    id: app.id,
                    bundleId: jsonapi_text(app.attributes.bundleId, FIELD_CAPS.identifier) ?? ''
                });
            }
        });
        return apps;
    }
}
/**
 * Resolves a build reference to a build resource ID, recording what the lookup learned; one
 * request once the app is known.
 */
async function resolveBuild(client, apps, records, ref, role) {
    if (ref.kind === 'id')
        return records.record({ id: ref.id });
    const appId = await apps.appId(ref.app);
    if (ref.kind === 'released') {
        const input = role === 'build' ? `'version: ${ref.which}'` : `'baseline-version: ${ref.which}'`;
        const versions = await apps.releasedVersions(appId, ref.platform);
        const version = pickVersion(versions, ref.which, { appId, platform: ref.platform, input });
        const build = await buildOf(client, version);
        if (!build) {
            throw new ServiceError(`The ${ref.which} ${ref.platform} version ${oneLine(version.versionString, 64)} of app ${appId} has no build attached in App Store Connect, so ${input} has nothing to check.`);
        }
        return records.record({
            id: build.id,
            exists: true,
            appId,
            version: version.versionString,
            ...(build.buildNumber ? { buildNumber: build.buildNumber } : {}),
            ...(build.processingState ? { processingState: build.processingState } : {}),
            appStoreVersion: version
        });
    }
    const base = {
        'filter[app]': appId,
        'filter[preReleaseVersion.platform]': ref.platform,
        include: 'preReleaseVersion',
        'fields[builds]': 'version,uploadedDate,processingState,preReleaseVersion',
        'fields[preReleaseVersions]': 'version,platform',
        sort: '-uploadedDate',
        limit: '20'
    };
    const query = { ...base };
    // On /v1/builds, filter[version] is the build number (CFBundleVersion).
    if (ref.buildNumber)
        query['filter[version]'] = ref.buildNumber;
    if (ref.version)
        query['filter[preReleaseVersion.version]'] = versionSpellings(ref.version).join(',');
    const rows = await listBuilds(client, query);
    const wanted = [
        ref.version && `version ${ref.version}`,
        ref.buildNumber && `build number ${ref.buildNumber}`
    ]
        .filter(Boolean)
        .join(' and ');
    const input = role === 'build'
        ? "'version' and 'build-number'"
        : "'baseline-version' and 'baseline-build-number'";
    if (rows.length === 1) {
        const [row] = rows;
        return records.record({
            id: row.id,
            exists: true,
            appId,
            buildNumber: row.buildNumber,
            processingState: row.processingState,
            ...(row.version !== '?' ? { version: row.version } : {})
        });
    }
    if (rows.length > 1) {
        throw new ServiceError(`Several ${ref.platform} builds of app ${appId} match ${wanted} for the ${role}: ${list(rows)}; narrow it with ${input}, or give the build ID.`);
    }
    const recent = await listBuilds(client, { ...base, limit: '5' });
    throw new ServiceError(`No ${ref.platform} build of app ${appId} matches ${wanted} for the ${role}; ${recent.length ? `the latest are ${list(recent)}` : 'the app has no builds on this platform'}. Check ${input}.`);
}
/** The version's build: included in its response, or read through its relationship. */
async function buildOf(client, version) {
    if (version.build)
        return version.build;
    return version.buildId ? fetchVersionBuild(client, version) : undefined;
}
function list(rows) {
    return rows
        .map(r => `${oneLine(r.version, 32)} (${oneLine(r.buildNumber, 32)}) uploaded ${oneLine(r.uploadedDate.slice(0, 10), 12)}, ${oneLine(r.processingState, 16)}`)
        .join('; ');
}
/** One page of builds, newest first, with their marketing version from the included preReleaseVersions. */
async function listBuilds(client, query) {
    const rows = [];
    await pages(client, { path: '/v1/builds', query }, { what: 'GET /v1/builds', maxPages: 1 }, ({ items, included }) => void rows.push(...items.map(item => builds_readBuild(item, included))));
    return rows;
}
function builds_readBuild(item, included) {
    const build = resource(item, 'a build');
    const prerelease = included.get('preReleaseVersions', related(build, 'preReleaseVersion'));
    return {
        id: build.id,
        buildNumber: jsonapi_text(build.attributes.version, FIELD_CAPS.version) ?? '?',
        version: jsonapi_text(prerelease?.attributes.version, FIELD_CAPS.version) ?? '?',
        uploadedDate: date(build.attributes.uploadedDate) ?? '?',
        processingState: jsonapi_text(build.attributes.processingState, FIELD_CAPS.identifier) ?? '?'
    };
}

;// CONCATENATED MODULE: ./src/asc/backtrace.ts




const backtrace_list = (value) => objects(value, Number.MAX_SAFE_INTEGER);
const field = (value, max = FIELD_MAX) => jsonapi_text(value, max);
const FIELD_MAX = 200;
const INSIGHT_MAX = 500;
const URL_MAX = 2000;
const META = {
    device: 'deviceType',
    os: 'osVersion',
    appVersion: 'appVersion',
    buildVersion: 'buildVersion',
    event: 'event',
    eventDetail: 'eventDetail',
    writesCaused: 'writesCaused'
};
/** The useful part of one logs response; throws DataError when it holds no call stack at all. */
function parseBacktrace(body, signatureId) {
    const what = `App Store Connect sent diagnostic logs for signature '${oneLine(signatureId, 80)}'`;
    if (!jsonapi_isObject(body))
        throw new DataError(`${what} that are not a JSON object.`);
    const products = backtrace_list(body.productData);
    const product = products.find(p => field(p.signatureId) === signatureId) ?? products[0];
    if (!product)
        throw new DataError(`${what} without any productData entry.`);
    for (const log of backtrace_list(product.diagnosticLogs)) {
        const stack = pickStack(log);
        if (!stack)
            continue;
        const meta = backtrace_list(log.diagnosticMetaData)[0] ?? {};
        return {
            signatureId,
            ...backtrace_frames(stack),
            ...Object.fromEntries(Object.entries(META).flatMap(([key, name]) => {
                const value = field(meta[name]);
                return value ? [[key, value]] : [];
            })),
            insights: insights(product.diagnosticInsights)
        };
    }
    throw new DataError(`${what} without any call stack frames.`);
}
/** The stack of the thread Apple blamed, else the first with a blamed frame, else the first. */
function pickStack(log) {
    const stacks = backtrace_list(log.callStackTree).flatMap(tree => backtrace_list(tree.callStacks).map(stack => ({
        roots: backtrace_list(stack.callStackRootFrames),
        attributed: flag(stack.threadAttributed) === true,
        perThread: flag(tree.callStackPerThread)
    })));
    const usable = stacks.filter(stack => stack.roots.length > 0);
    return (usable.find(stack => stack.attributed) ??
        usable.find(stack => walk(stack.roots).blamed >= 0) ??
        usable[0]);
}
/** Depth-first with an explicit stack: nesting can be thousands of levels deep. */
function walk(roots) {
    const visits = [];
    const pending = roots.map(node => ({ node, parent: -1, depth: 0 })).reverse();
    const seen = new Set(); // JSON cannot share nodes, but a hand-built object could loop
    let blamed = -1;
    let branches = roots.length > 1;
    for (let next = pending.pop(); next; next = pending.pop()) {
        if (seen.has(next.node))
            continue;
        seen.add(next.node);
        const index = visits.push(next) - 1;
        if (isBlamed(next.node) && (blamed < 0 || next.depth > visits[blamed].depth))
            blamed = index;
        const children = backtrace_list(next.node.subFrames);
        if (children.length > 1)
            branches = true;
        for (let i = children.length - 1; i >= 0; i--)
            pending.push({ node: children[i], parent: index, depth: next.depth + 1 });
    }
    return { visits, blamed, branches };
}
function backtrace_frames(stack) {
    const { visits, blamed, branches } = walk(stack.roots);
    const path = [];
    for (let i = blamed; i >= 0; i = visits[i].parent)
        path.push(visits[i].node);
    path.reverse();
    // On down the heaviest subFrames: from the heaviest root when nothing is blamed, and past the
    // deepest blamed frame, so that what it called (SQLite, say) is there too.
    const onPath = new Set(path);
    let node = heaviest(path.length ? backtrace_list(path.at(-1)?.subFrames) : stack.roots);
    for (; node && !onPath.has(node); node = heaviest(backtrace_list(node.subFrames))) {
        path.push(node);
        onPath.add(node);
    }
    // MetricKit roots a per-thread stack at its innermost frame, with callers as subFrames, but a
    // sampled tree (callStackPerThread false) at its outermost. Without the flag: only a sampled
    // tree branches.
    const innermostFirst = (stack.perThread ?? !branches) ? path : path.reverse();
    const kept = keptFrames(innermostFirst);
    const shown = kept.map((index, i) => ({
        ...toFrame(innermostFirst[index]),
        ...(index - (kept[i - 1] ?? -1) > 1 ? { skippedBefore: index - (kept[i - 1] ?? -1) - 1 } : {})
    }));
    const after = innermostFirst.length - 1 - (kept.at(-1) ?? -1);
    return {
        frames: shown,
        basis: blamed >= 0 ? 'blamed' : 'heaviest',
        ...(after > 0 && kept.length ? { skippedAfter: after } : {})
    };
}
/**
 * Which frames of the path to show: every blamed frame and every frame Apple tagged with an
 * insight category, then the frames around them (BACKTRACE.context each side, nearest first),
 * then more frames until BACKTRACE.atLeast are shown; never more than BACKTRACE.maxFrames.
 * With nothing marked, the innermost BACKTRACE.atLeast frames.
 */
function keptFrames(path) {
    const marked = path.flatMap((node, i) => (isBlamed(node) || insightCategory(node) ? [i] : []));
    const kept = new Set(marked.slice(0, BACKTRACE.maxFrames));
    const keep = (i) => {
        if (kept.size < BACKTRACE.maxFrames && i >= 0 && i < path.length)
            kept.add(i);
    };
    for (let distance = 1; distance <= BACKTRACE.context; distance++) {
        for (const i of marked)
            [i - distance, i + distance].forEach(keep);
    }
    // Short of atLeast: up towards the innermost frame (where a crash report starts), then callers.
    // With nothing marked, that is the innermost frames.
    const wanted = Math.min(BACKTRACE.atLeast, path.length);
    const innermost = kept.size ? Math.min(...kept) : 0;
    for (let i = innermost - 1; kept.size < wanted && i >= 0; i--)
        keep(i);
    for (let i = kept.size ? Math.max(...kept) + 1 : 0; kept.size < wanted && i < path.length; i++)
        keep(i);
    return [...kept].sort((a, b) => a - b);
}
function toFrame(node) {
    const file = field(node.fileName);
    const line = count(node.lineNumber);
    const category = insightCategory(node);
    return {
        binary: field(node.binaryName) ?? '?',
        symbol: field(node.symbolName) ?? field(node.rawFrame) ?? backtrace_location(node) ?? '???',
        ...(file ? { file } : {}),
        ...(line ? { line: String(line) } : {}),
        blamed: isBlamed(node),
        ...(category ? { category } : {})
    };
}
/** Apple tags a frame with the insight it explains (`insightsCategory: SQLiteSpill`). */
function insightCategory(node) {
    return field(node.insightsCategory, 64);
}
/** `0x1a2b3c + 8`: the address in hex, whether it came as a number or a string. */
function backtrace_location(node) {
    const raw = typeof node.address === 'number' ? count(node.address) : field(node.address);
    if (raw === undefined)
        return undefined;
    const hex = typeof raw === 'number'
        ? `0x${raw.toString(16)}`
        : /^\d+$/.test(raw)
            ? `0x${BigInt(raw).toString(16)}`
            : raw;
    const offset = count(node.offsetIntoSymbol);
    return field(offset === undefined ? hex : `${hex} + ${offset}`);
}
function insights(value) {
    return objects(value, BACKTRACE.maxInsights).flatMap(entry => {
        const text = field(entry.insightsString, INSIGHT_MAX);
        if (!text)
            return [];
        const url = backtrace_httpsUrl(entry.insightsURL);
        const category = field(entry.insightsCategory);
        return [{ text, ...(url ? { url } : {}), ...(category ? { category } : {}) }];
    });
}
/**
 * An insight's link as https. Apple writes its own documentation as
 * `doc://com.apple.documentation/<path>`, which is `https://developer.apple.com/<path>`; the
 * renderer still links only Apple's hosts.
 */
function backtrace_httpsUrl(value) {
    if (typeof value !== 'string' || value.length > URL_MAX)
        return undefined;
    const raw = jsonapi_text(value, URL_MAX)?.replace(/^doc:\/\/com\.apple\.documentation\//i, 'https://developer.apple.com/');
    if (!raw)
        return undefined;
    try {
        const url = new URL(raw);
        return url.protocol === 'https:' ? url.href : undefined;
    }
    catch {
        return undefined;
    }
}
/** The first of the nodes with the largest sampleCount. */
function heaviest(nodes) {
    const weight = (node) => count(node.sampleCount) ?? 0;
    return nodes.reduce((best, node) => (!best || weight(node) > weight(best) ? node : best), undefined);
}
function isBlamed(node) {
    return flag(node.isBlameFrame) === true;
}

;// CONCATENATED MODULE: ./src/asc/logs.ts





// A few logs give the parser a fallback when the first has no call stack, without
// downloading every log Apple keeps for the signature.
const LOGS_PER_SIGNATURE = '5';
/**
 * One signature's backtrace. Never throws: a logs request that fails after retries, or a
 * body that cannot be parsed, becomes "backtrace unavailable" and never changes the verdict.
 */
async function fetchBacktrace(client, signatureId, 
/** Aborted when the run stops waiting for logs. */
signal) {
    try {
        const body = await client.getJson(`/v1/diagnosticSignatures/${encodeURIComponent(signatureId)}/logs`, {
            query: { limit: LOGS_PER_SIGNATURE },
            // Apple answers anything without its vendor type with a plain-text 406.
            accept: `${ASC.logsContentType}, application/json`,
            notFound: `App Store Connect has no logs for signature '${oneLine(signatureId, 64)}'`,
            // Read whole and parsed at once, with 4 in flight: the cap bounds the memory.
            maxBodyBytes: LOGS_MAX_BYTES,
            ...(signal ? { signal } : {})
        });
        return { ok: true, backtrace: parseBacktrace(body, signatureId) };
    }
    catch (error) {
        return { ok: false, reason: `Backtrace unavailable: ${scrub(messageOf(error))}` };
    }
}

;// CONCATENATED MODULE: ./src/asc/no-data.ts

// Apple answers 404 on a build's diagnostics (and metrics) both for a build that does not
// exist and for one it has no data for yet. Only the first is a wrong ID.
function isNotFound(error) {
    return error instanceof ServiceError && error.status === 404;
}
/**
 * Runs a per-build fetch; a 404 for a build that exists becomes `empty()`, no data yet, which
 * the `no-data` policy then judges. A 404 for a build that does not exist keeps its error.
 */
async function noDataOn404(fetch, empty, exists) {
    try {
        return { value: await fetch(), notFound: false };
    }
    catch (error) {
        if (isNotFound(error) && (await exists()))
            return { value: empty(), notFound: true };
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/asc/build-facts.ts



/** The facts with their label, when both parts are known. */
function labelled(facts) {
    return facts.version && facts.buildNumber
        ? { ...facts, label: `${facts.version} (${facts.buildNumber})` }
        : facts;
}
/**
 * One record per build for the whole run. A lookup records what it found; anything missing
 * (the app, the marketing version, whether an ID exists) is asked of `GET /v1/builds/{id}`
 * once, however many parts need it: the label, the metrics and the meaning of a 404.
 */
class BuildRecords {
    client;
    known = new Map();
    reads = new Map();
    constructor(client) {
        this.client = client;
    }
    /** Records what a lookup learned about a build. */
    record(facts) {
        const merged = labelled({ ...this.known.get(facts.id), ...facts });
        this.known.set(facts.id, merged);
        return merged;
    }
    /** The build with its app and marketing version; one request at most, only when not known. */
    details(buildId) {
        const known = this.known.get(buildId);
        if (known?.appId && known.version)
            return Promise.resolve(known);
        let pending = this.reads.get(buildId);
        if (!pending) {
            // What a lookup recorded meanwhile wins over the read: it is the more specific.
            pending = fetchBuild(this.client, buildId).then(read => this.record({ ...read, ...this.known.get(buildId) }));
            // Asked early for the label: a run that fails elsewhere first never awaits it.
            pending.catch(() => { });
            this.reads.set(buildId, pending);
        }
        return pending;
    }
    /** Whether the build exists: known from its lookup, else from its one read by ID. */
    exists(buildId) {
        if (this.known.get(buildId)?.exists)
            return Promise.resolve(true);
        return this.details(buildId).then(() => true, (error) => {
            if (isNotFound(error))
                return false;
            throw error;
        });
    }
}
/** A build by ID with its app and prerelease version included, and only the fields read. */
async function fetchBuild(client, buildId) {
    const what = `GET /v1/builds/${buildId}`;
    const body = await client.getJson(`/v1/builds/${encodeURIComponent(buildId)}`, {
        query: {
            include: 'app,preReleaseVersion',
            'fields[builds]': 'version,processingState,app,preReleaseVersion',
            'fields[apps]': 'bundleId',
            'fields[preReleaseVersions]': 'version'
        },
        notFound: `Build '${buildId}' was not found: no build with this resource ID is visible to this API key`
    });
    const { data, included } = single(body, what);
    const build = resource(data, 'a build');
    const appId = related(build, 'app');
    const prerelease = included.get('preReleaseVersions', related(build, 'preReleaseVersion'));
    const version = jsonapi_text(prerelease?.attributes.version, FIELD_CAPS.version);
    const buildNumber = jsonapi_text(build.attributes.version, FIELD_CAPS.version);
    const processingState = jsonapi_text(build.attributes.processingState, FIELD_CAPS.identifier);
    return {
        id: buildId,
        exists: true,
        ...(appId ? { appId } : {}),
        ...(version ? { version } : {}),
        ...(buildNumber ? { buildNumber } : {}),
        ...(processingState ? { processingState } : {})
    };
}

;// CONCATENATED MODULE: ./src/asc/signatures.ts





/**
 * The heaviest `limit` signatures of one type: one request, then `links.next` until `limit`
 * have arrived. At most ceil(limit / page size) + 1 pages are read (the page size being what
 * the first page held), so a server that keeps sending fresh links cannot hold the run.
 */
async function fetchSignatures(client, buildId, type, limit, input = 'build-id') {
    const byId = new Map();
    let maxPages = ASC.maxPages;
    const paging = await pages(client, {
        path: `/v1/builds/${encodeURIComponent(buildId)}/diagnosticSignatures`,
        query: {
            'filter[diagnosticType]': type,
            'fields[diagnosticSignatures]': ASC.signatureFields.join(','),
            limit: String(Math.min(limit, ASC.maxPageSize))
        }
    }, {
        what: `GET /v1/builds/${buildId}/diagnosticSignatures`,
        notFound: buildNotFound(buildId, input)
    }, ({ items, index }) => {
        if (index === 0)
            maxPages = Math.min(maxPages, Math.ceil(limit / items.length) + 1);
        for (const item of items) {
            const signature = readSignature(item, type);
            if (!byId.has(signature.id))
                byId.set(signature.id, signature);
        }
        return byId.size < limit && index + 1 < maxPages;
    });
    const signatures = [...byId.values()].sort((a, b) => b.weight - a.weight);
    return {
        type,
        signatures: signatures.slice(0, limit),
        complete: paging.complete && signatures.length <= limit
    };
}
/**
 * Why a build ID found nothing. Only a value of digits and dots can be a build number used by
 * mistake; any other value is a resource ID this key cannot see (or a typo).
 */
function buildNotFound(buildId, input) {
    const lookup = `give 'app-id' or 'bundle-id' with 'build-number' and/or 'version' instead`;
    return /^\d+(\.\d+)*$/.test(buildId)
        ? `Build '${buildId}' was not found: '${input}' must be the App Store Connect build resource ID (such as 1a254ec1-8e3d-48e7-bbd6-6b9a30072b29), and '${buildId}' looks like a build number; to use the build number, ${lookup}`
        : `Build '${buildId}' was not found: no build with this resource ID is visible to this API key; check '${input}' (a build's resource ID is listed by GET /v1/builds), or ${lookup}`;
}
/** Validates one DiagnosticSignature; the weight must be a fraction, never a guessed scale. */
function readSignature(item, type) {
    const raw = object(item) ?? {};
    const received = object(raw.attributes)?.signature;
    const signature = jsonapi_text(received, FIELD_CAPS.signature) ?? '';
    const name = `${oneLine(String(raw.id ?? '(no id)'), 80)} ('${oneLine(signature, 100)}')`;
    if (raw.id === undefined || raw.id === '')
        throw new DataError(`App Store Connect sent a ${type} signature without an ID: ${name}.`);
    const { id, attributes } = resource(raw, `a ${type} signature ('${oneLine(signature, 100)}')`);
    const weight = attributes.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
        throw new DataError(`Signature ${name} has weight ${describeValue(weight)}; the gate expects a share from 0 to 1 and does not guess another scale.`);
    }
    const insight = readInsight(attributes.insight);
    return {
        id,
        diagnosticType: type,
        signature,
        weight,
        ...(insight ? { insight } : {}),
        ...receivedDigest(received, signature)
    };
}
/**
 * The digest of the text as received, when the kept text is not all of it (cut at its cap,
 * or cleaned): two signatures that differ only past the cap must stay two in code scanning.
 */
function receivedDigest(received, kept) {
    if (typeof received !== 'string' || received === kept)
        return {};
    return { textDigest: (0,external_node_crypto_namespaceObject.createHash)('sha256').update(received, 'utf8').digest('hex') };
}
const DIRECTIONS = ['UP', 'DOWN', 'UNDEFINED'];
/** Apple's insight is informational: anything malformed in it is dropped, not fatal. */
function readInsight(value) {
    const raw = object(value);
    if (!raw)
        return undefined;
    const direction = DIRECTIONS.find(d => d === raw.direction);
    const referenceVersions = objects(raw.referenceVersions, FIELD_CAPS.referenceVersions).flatMap(entry => {
        const version = jsonapi_text(entry.version, FIELD_CAPS.version);
        const v = finite(entry.value);
        return version !== undefined && v !== undefined ? [{ version, value: v }] : [];
    });
    if (!direction && referenceVersions.length === 0)
        return undefined;
    return { ...(direction ? { direction } : {}), referenceVersions };
}

;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/buffer_utils.js
const encoder = new TextEncoder(), decoder = new TextDecoder(), buffer_utils_strictDecoder = new TextDecoder("utf-8", { fatal: !0 }), UINT32_RANGE = (/* unused pure expression or super */ null && (2 ** 32));
function concat(...buffers) {
  const size = buffers.reduce((acc, { length }) => acc + length, 0), buf = new Uint8Array(size);
  let i = 0;
  for (const buffer of buffers)
    buf.set(buffer, i), i += buffer.length;
  return buf;
}
function writeUInt32BE(buf, value, offset) {
  if (value < 0 || value >= UINT32_RANGE)
    throw new RangeError(`value must be >= 0 and <= ${UINT32_RANGE - 1}. Received ${value}`);
  buf.set([value >>> 24, value >>> 16, value >>> 8, value & 255], offset);
}
function uint64be(value) {
  const high = Math.floor(value / UINT32_RANGE), low = value % UINT32_RANGE, buf = new Uint8Array(8);
  return writeUInt32BE(buf, high, 0), writeUInt32BE(buf, low, 4), buf;
}
function uint32be(value) {
  const buf = new Uint8Array(4);
  return writeUInt32BE(buf, value), buf;
}
const NON_ASCII = /[^\x00-\x7f]/;
function buffer_utils_encode(string) {
  if (typeof string == "string" && string.length >= 128) {
    if (NON_ASCII.test(string))
      throw new TypeError("non-ASCII string encountered in encode()");
    return encoder.encode(string);
  }
  const bytes = new Uint8Array(string.length);
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i);
    if (code > 127)
      throw new TypeError("non-ASCII string encountered in encode()");
    bytes[i] = code;
  }
  return bytes;
}
function encodeBase64(input, url = !1) {
  if (Uint8Array.prototype.toBase64)
    return input.toBase64({ alphabet: url ? "base64url" : "base64", omitPadding: url });
  const CHUNK_SIZE = 32768, arr = [];
  for (let i = 0; i < input.length; i += CHUNK_SIZE)
    arr.push(String.fromCharCode.apply(null, input.subarray(i, i + CHUNK_SIZE)));
  const encoded = btoa(arr.join(""));
  return url ? encoded.replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_") : encoded;
}
function decodeBase64(encoded, url = !1) {
  if (Uint8Array.fromBase64)
    return Uint8Array.fromBase64(encoded, { alphabet: url ? "base64url" : "base64" });
  if (url) {
    if (encoded.includes("+") || encoded.includes("/"))
      throw new TypeError("Invalid base64url");
    encoded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  }
  const binary = atob(encoded), bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++)
    bytes[i] = binary.charCodeAt(i);
  return bytes;
}
async function digest(algorithm, data) {
  const subtleDigest = `SHA-${algorithm.slice(-3)}`;
  return new Uint8Array(await crypto.subtle.digest(subtleDigest, data));
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/base64url.js

const invalid = "The input to be decoded is not correctly encoded.";
function base64url_decode(input) {
  try {
    return decodeBase64(typeof input == "string" ? input : decoder.decode(input), !0);
  } catch (cause) {
    throw new TypeError(invalid, { cause });
  }
}
function base64url_encode(input) {
  return encodeBase64(typeof input == "string" ? encoder.encode(input) : input, !0);
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/util/errors.js
class JOSEError extends Error {
  static code = "ERR_JOSE_GENERIC";
  code = "ERR_JOSE_GENERIC";
  constructor(message, options) {
    super(message, options), this.name = this.constructor.name, Error.captureStackTrace?.(this, this.constructor);
  }
}
class errors_JWTClaimValidationFailed extends JOSEError {
  static code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class errors_JWTExpired extends JOSEError {
  static code = "ERR_JWT_EXPIRED";
  code = "ERR_JWT_EXPIRED";
  claim;
  reason;
  payload;
  constructor(message, payload, claim = "unspecified", reason = "unspecified") {
    super(message, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
}
class JOSEAlgNotAllowed extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JOSE_ALG_NOT_ALLOWED"));
  code = "ERR_JOSE_ALG_NOT_ALLOWED";
}
class JOSENotSupported extends JOSEError {
  static code = "ERR_JOSE_NOT_SUPPORTED";
  code = "ERR_JOSE_NOT_SUPPORTED";
}
class JWEDecryptionFailed extends JOSEError {
  static code = "ERR_JWE_DECRYPTION_FAILED";
  code = "ERR_JWE_DECRYPTION_FAILED";
  constructor(message = "decryption operation failed", options) {
    super(message, options);
  }
}
class JWEInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWE_INVALID"));
  code = "ERR_JWE_INVALID";
}
class JWSInvalid extends JOSEError {
  static code = "ERR_JWS_INVALID";
  code = "ERR_JWS_INVALID";
}
class errors_JWTInvalid extends JOSEError {
  static code = "ERR_JWT_INVALID";
  code = "ERR_JWT_INVALID";
}
class JWKInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWK_INVALID"));
  code = "ERR_JWK_INVALID";
}
class JWKSInvalid extends (/* unused pure expression or super */ null && (JOSEError)) {
  static code = (/* unused pure expression or super */ null && ("ERR_JWKS_INVALID"));
  code = "ERR_JWKS_INVALID";
}
class JWKSNoMatchingKey extends JOSEError {
  static code = "ERR_JWKS_NO_MATCHING_KEY";
  code = "ERR_JWKS_NO_MATCHING_KEY";
  constructor(message = "no applicable key found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSMultipleMatchingKeys extends JOSEError {
  [Symbol.asyncIterator] = async function* () {
  };
  static code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  constructor(message = "multiple matching keys found in the JSON Web Key Set", options) {
    super(message, options);
  }
}
class JWKSTimeout extends JOSEError {
  static code = "ERR_JWKS_TIMEOUT";
  code = "ERR_JWKS_TIMEOUT";
  constructor(message = "request timed out", options) {
    super(message, options);
  }
}
class JWSSignatureVerificationFailed extends JOSEError {
  static code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  constructor(message = "signature verification failed", options) {
    super(message, options);
  }
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/key_descriptor.js
function table(entries) {
  const out = { __proto__: null };
  for (const alg in entries)
    out[alg] = { ...entries[alg], alg };
  return out;
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/jws_algorithms.js


const sig = [["verify"], ["sign"]];
function hmac(bits) {
  const subtle = { name: "HMAC", hash: `SHA-${bits}` };
  return { kty: ["oct"], secret: !0, subtle, signing: subtle, usages: sig };
}
function rsa(bits, saltLength) {
  const subtle = { name: saltLength ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", hash: `SHA-${bits}` };
  return {
    kty: ["RSA"],
    subtle,
    signing: saltLength ? { ...subtle, saltLength } : subtle,
    usages: sig,
    minRsaBits: 2048
  };
}
function ecdsa(crv, bits) {
  return {
    kty: ["EC"],
    crv,
    subtle: { name: "ECDSA", namedCurve: crv },
    signing: { name: "ECDSA", hash: `SHA-${bits}` },
    usages: sig
  };
}
function eddsa() {
  const subtle = { name: "Ed25519" };
  return {
    kty: ["OKP"],
    crv: "Ed25519",
    subtle,
    signing: subtle,
    usages: sig
  };
}
function mldsa(parameterSet) {
  const subtle = { name: `ML-DSA-${parameterSet}` };
  return {
    kty: ["AKP"],
    subtle,
    signing: subtle,
    usages: sig
  };
}
const JWS = table({
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: rsa(256),
  RS384: rsa(384),
  RS512: rsa(512),
  PS256: rsa(256, 32),
  PS384: rsa(384, 48),
  PS512: rsa(512, 64),
  ES256: ecdsa("P-256", 256),
  ES384: ecdsa("P-384", 384),
  ES512: ecdsa("P-521", 512),
  EdDSA: eddsa(),
  Ed25519: eddsa(),
  "ML-DSA-44": mldsa(44),
  "ML-DSA-65": mldsa(65),
  "ML-DSA-87": mldsa(87)
});
function jwsAlgorithm(alg) {
  const entry = typeof alg == "string" ? JWS[alg] : void 0;
  if (!entry)
    throw new JOSENotSupported(`alg ${alg} is not supported either by JOSE or your javascript runtime`);
  return entry;
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/validate.js



function assertUint8Array(input, label) {
  if (!(input instanceof Uint8Array))
    throw new TypeError(`${label} must be an instance of Uint8Array`);
}
function validate_isObject(input) {
  if (typeof input != "object" || input === null || Object.prototype.toString.call(input) !== "[object Object]")
    return !1;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
function isJwkSet(input) {
  return validate_isObject(input) && Array.isArray(input.keys) && Array.from(input.keys).every(validate_isObject);
}
function isDisjoint(...headers) {
  const parameters = /* @__PURE__ */ new Set();
  for (const header of headers)
    if (header)
      for (const parameter of Object.keys(header)) {
        if (parameters.has(parameter))
          return !1;
        parameters.add(parameter);
      }
  return !0;
}
function assertNotSet(value, name) {
  if (value !== void 0)
    throw new TypeError(`${name} can only be called once`);
}
function decodeBase64url(value, label, ErrorClass) {
  try {
    return decode(value);
  } catch (cause) {
    throw new ErrorClass(`Failed to base64url decode the ${label}`, { cause });
  }
}
function encodeAsciiMember(value, label, ErrorClass) {
  try {
    return encode(value);
  } catch (cause) {
    throw new ErrorClass(`The ${label} is not a valid base64url string`, { cause });
  }
}
function parseJoseHeader(encodedProtectedHeader, ErrorClass, message) {
  let parsed;
  try {
    parsed = JSON.parse(strictDecoder.decode(decode(encodedProtectedHeader)));
  } catch (cause) {
    throw new ErrorClass(message, { cause });
  }
  if (!validate_isObject(parsed))
    throw new ErrorClass(message);
  return parsed;
}
const JWS_RECOGNIZED = { __proto__: null, b64: !0 }, JWE_RECOGNIZED = { __proto__: null };
function validateAlgorithms(option, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option}" option must be an array of strings`);
  return algorithms === void 0 ? void 0 : new Set(algorithms);
}
function validateCritDuplicates(Err, protectedHeader) {
  const { crit } = protectedHeader ?? {};
  if (Array.isArray(crit) && new Set(crit).size !== crit.length)
    throw new Err('"crit" (Critical) Header Parameter MUST NOT contain duplicate values');
}
function validateCrit(Err, recognizedDefault, recognizedOption, protectedHeader, joseHeader) {
  if (joseHeader.crit !== void 0 && protectedHeader?.crit === void 0)
    throw new Err('"crit" (Critical) Header Parameter MUST be integrity protected');
  if (!protectedHeader || protectedHeader.crit === void 0)
    return [];
  if (!Array.isArray(protectedHeader.crit) || protectedHeader.crit.length === 0 || protectedHeader.crit.some((input) => typeof input != "string" || input.length === 0))
    throw new Err('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  const recognized = recognizedOption === void 0 ? recognizedDefault : { __proto__: null, ...recognizedOption, ...recognizedDefault };
  for (const parameter of protectedHeader.crit) {
    if (!(parameter in recognized))
      throw new JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    if (!Object.hasOwn(joseHeader, parameter) || joseHeader[parameter] === void 0)
      throw new Err(`Extension Header Parameter "${parameter}" is missing`);
    if (recognized[parameter] && (!Object.hasOwn(protectedHeader, parameter) || protectedHeader[parameter] === void 0))
      throw new Err(`Extension Header Parameter "${parameter}" MUST be integrity protected`);
  }
  return protectedHeader.crit;
}
function validateB64(protectedHeader, extensions) {
  if (extensions.includes("b64")) {
    const b64 = protectedHeader.b64;
    if (typeof b64 != "boolean")
      throw new JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    return b64;
  }
  return !0;
}
function serializeJoseHeader(Err, header) {
  let serialized, parsed;
  try {
    serialized = JSON.stringify(header), parsed = JSON.parse(serialized);
  } catch (cause) {
    throw new Err("JOSE Header is not valid JSON", { cause });
  }
  if (!validate_isObject(parsed))
    throw new Err("JOSE Header is not a JSON object");
  return [parsed, serialized];
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/key.js



const tag = (key) => key[Symbol.toStringTag], jwkMatchesOp = (entry, key, usage) => {
  const { alg } = entry;
  if (key.use !== void 0) {
    const expected = usage === "sign" || usage === "verify" ? "sig" : "enc";
    if (key.use !== expected)
      throw new TypeError(`Invalid key for this operation, its "use" must be "${expected}" when present`);
  }
  if (key.kty === "AKP" && key.alg === void 0)
    throw new TypeError('missing "alg" (Algorithm) Parameter value');
  if (key.alg !== void 0 && key.alg !== alg)
    throw new TypeError(`Invalid key for this operation, its "alg" must be "${alg}" when present`);
  if (Array.isArray(key.key_ops)) {
    const expectedKeyOp = usage === "encrypt" || usage === "decrypt" ? entry.ops?.[usage === "encrypt" ? 0 : 1] : usage;
    if (expectedKeyOp && !key.key_ops.includes(expectedKeyOp))
      throw new TypeError(`Invalid key for this operation, its "key_ops" must include "${expectedKeyOp}" when present`);
  }
};
async function prepareKey(entry, key, usage) {
  const { alg, secret } = entry, requiresPrivateKey = usage === "decrypt" || usage === "sign";
  if (secret && key instanceof Uint8Array)
    return key;
  let normalized, keyObject;
  if (validate_isObject(key)) {
    if (normalized = normalizeJwk(key), typeof normalized.kty != "string")
      throw invalidKeyType(alg, key, secret);
    if (!(secret ? normalized.kty === "oct" && typeof normalized.k == "string" : normalized.kty !== "oct" && (requiresPrivateKey ? normalized.kty === "AKP" && typeof normalized.priv == "string" || typeof normalized.d == "string" : normalized.d === void 0 && normalized.priv === void 0)))
      throw new TypeError(secret ? 'JSON Web Key for symmetric algorithms must have JWK "kty" (Key Type) equal to "oct" and the JWK "k" (Key Value) present' : `JSON Web Key for this operation must be a ${requiresPrivateKey ? "private" : "public"} JWK`);
    if (jwkMatchesOp(entry, normalized, usage), normalized.kty === "oct")
      return base64url_decode(normalized.k);
    if (!Object.isFrozen(key)) {
      const { key_ops } = key;
      Array.isArray(key_ops) && Object.freeze(key_ops), Object.freeze(key);
    }
  } else {
    if (!isKeyLike(key))
      throw invalidKeyType(alg, key, secret);
    const expectedType = secret ? "secret" : requiresPrivateKey ? "private" : "public";
    if (key.type !== expectedType && (secret || ["secret", "public", "private"].includes(key.type)))
      throw new TypeError(`${tag(key)} instances must be of type "${expectedType}" for the ${alg} algorithm`);
    if (isCryptoKey(key))
      return key;
    if (keyObject = key, keyObject.type === "secret")
      return keyObject.export();
  }
  cache ||= /* @__PURE__ */ new WeakMap();
  const cacheKey = key;
  let cached = cache.get(cacheKey);
  if (cached?.[alg])
    return cached[alg];
  if (cached || cache.set(cacheKey, cached = {}), keyObject && typeof keyObject.toCryptoKey == "function") {
    const isPublic = keyObject.type === "public", crv = nist[keyObject.asymmetricKeyDetails?.namedCurve], params = entry.resolve?.({ crv, asymmetricKeyType: keyObject.asymmetricKeyType }) ?? entry.subtle;
    return cached[alg] = keyObject.toCryptoKey(params, isPublic, entry.usages[isPublic ? 0 : 1]);
  }
  return normalized ??= keyObject.export({ format: "jwk" }), normalized.alg = alg, cached[alg] = await jwkToKey(entry, normalized);
}
let cache;
const nist = {
  __proto__: null,
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521"
};
function assertCryptoKey(key) {
  if (!isCryptoKey(key))
    throw new Error("CryptoKey instance expected");
}
const isCryptoKey = (key) => {
  if (key?.[Symbol.toStringTag] === "CryptoKey")
    return !0;
  try {
    return key instanceof CryptoKey;
  } catch {
    return !1;
  }
}, isKeyObject = (key) => key?.[Symbol.toStringTag] === "KeyObject", isKeyLike = (key) => isCryptoKey(key) || isKeyObject(key);
function message(msg, actual, ...types) {
  if (types.length > 2) {
    const last = types.pop();
    msg += `one of type ${types.join(", ")}, or ${last}.`;
  } else types.length === 2 ? msg += `one of type ${types[0]} or ${types[1]}.` : msg += `of type ${types[0]}.`;
  return actual == null ? msg += ` Received ${actual}` : typeof actual == "function" && actual.name ? msg += ` Received function ${actual.name}` : typeof actual == "object" && actual != null && actual.constructor?.name && (msg += ` Received an instance of ${actual.constructor.name}`), msg;
}
const invalidKeyInput = (actual, ...types) => message("Key must be ", actual, ...types);
function invalidKeyType(alg, actual, secret) {
  const types = ["CryptoKey", "KeyObject", "JSON Web Key"];
  return secret && types.push("Uint8Array"), new TypeError(message(`Key for the ${alg} algorithm must be `, actual, ...types));
}
const unusable = (name, prop = "algorithm.name") => new TypeError(`CryptoKey does not support this operation, its ${prop} must be ${name}`);
function checkUsage(key, usage) {
  if (usage && !key.usages.includes(usage))
    throw new TypeError(`CryptoKey does not support this operation, its usages must include ${usage}.`);
}
function checkModulusLength(alg, key) {
  const { modulusLength } = key.algorithm;
  if (typeof modulusLength != "number" || modulusLength < 2048)
    throw new TypeError(`${alg} requires key modulusLength to be 2048 bits or larger`);
}
function checkCryptoKey(key, expected, usage) {
  const algorithm = key.algorithm;
  if (algorithm.name !== expected.name)
    throw unusable(expected.name);
  if (expected.hash && algorithm.hash?.name !== expected.hash)
    throw unusable(expected.hash, "algorithm.hash");
  if (expected.namedCurve && algorithm.namedCurve !== expected.namedCurve)
    throw unusable(expected.namedCurve, "algorithm.namedCurve");
  if (expected.length !== void 0 && algorithm.length !== expected.length)
    throw unusable(expected.length, "algorithm.length");
  checkUsage(key, usage);
}
function snapshotJwk(jwk) {
  return { __proto__: null, ...jwk };
}
function normalizeJwk(jwk) {
  const normalized = snapshotJwk(jwk);
  if (normalized.ext !== void 0 && typeof normalized.ext != "boolean")
    throw new TypeError('"ext" (Extractable) Parameter must be a boolean');
  if (normalized.key_ops !== void 0) {
    const value = normalized.key_ops, keyOps = Array.isArray(value) ? [...value] : void 0;
    if (!keyOps || keyOps.some((operation) => typeof operation != "string") || new Set(keyOps).size !== keyOps.length)
      throw new TypeError('"key_ops" (Key Operations) Parameter must be an array of unique strings');
    normalized.key_ops = keyOps;
  }
  return normalized;
}
function validateExtractableOption(extractable) {
  if (extractable !== void 0 && typeof extractable != "boolean")
    throw new TypeError('"extractable" option must be a boolean');
  return extractable;
}
async function jwkToKey(entry, jwk, extractable) {
  if (!entry.kty.includes(jwk.kty))
    throw new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
  const algorithm = entry.resolve?.({ kty: jwk.kty, crv: jwk.crv }) ?? entry.subtle, isPrivate = !!(jwk.d || jwk.priv), keyData = { ...jwk, ext: extractable ?? jwk.ext };
  return keyData.kty !== "AKP" && delete keyData.alg, delete keyData.use, crypto.subtle.importKey("jwk", keyData, algorithm, keyData.ext ?? !isPrivate, jwk.key_ops ?? entry.usages[isPrivate ? 1 : 0]);
}
async function rawKey(key, expected, usage, extractable = !1) {
  return key instanceof Uint8Array && (key = await crypto.subtle.importKey("raw", key, expected, extractable, [usage])), checkCryptoKey(key, expected, usage), key;
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/jws_sign.js






async function createSignature(input, key, rejectUnencoded) {
  let [payload, protectedHeader, unprotectedHeader, crit] = input, encodedProtectedHeader = "";
  if (protectedHeader !== void 0) {
    const normalized = serializeJoseHeader(JWSInvalid, protectedHeader);
    protectedHeader = normalized[0], encodedProtectedHeader = base64url_encode(normalized[1]);
  }
  if (unprotectedHeader !== void 0 && (unprotectedHeader = serializeJoseHeader(JWSInvalid, unprotectedHeader)[0]), !protectedHeader && !unprotectedHeader)
    throw new JWSInvalid("either setProtectedHeader or setUnprotectedHeader must be called before #sign()");
  if (!isDisjoint(protectedHeader, unprotectedHeader))
    throw new JWSInvalid("JWS Protected and JWS Unprotected Header Parameter names must be disjoint");
  const joseHeader = { ...protectedHeader, ...unprotectedHeader };
  validateCritDuplicates(JWSInvalid, protectedHeader);
  const b64 = validateB64(protectedHeader, validateCrit(JWSInvalid, JWS_RECOGNIZED, crit, protectedHeader, joseHeader));
  b64 || rejectUnencoded?.();
  const { alg } = joseHeader;
  if (typeof alg != "string" || !alg)
    throw new JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  const entry = jwsAlgorithm(alg);
  let encodedPayload = "", signingPayload = payload, signingInput;
  if (b64) {
    const encodedPayloadCache = input[4];
    encodedPayloadCache ? (encodedPayload = encodedPayloadCache[0] ??= base64url_encode(payload), signingPayload = encodedPayloadCache[1] ??= buffer_utils_encode(encodedPayload)) : (encodedPayload = base64url_encode(payload), signingInput = encoder.encode(`${encodedProtectedHeader}.${encodedPayload}`));
  }
  signingInput ??= concat(buffer_utils_encode(encodedProtectedHeader), buffer_utils_encode("."), signingPayload);
  const signingKey = await rawKey(await prepareKey(entry, key, "sign"), entry.subtle, "sign");
  entry.minRsaBits && checkModulusLength(entry.alg, signingKey);
  const jws = {
    signature: base64url_encode(new Uint8Array(await crypto.subtle.sign(entry.signing, signingKey, signingInput))),
    payload: encodedPayload
  };
  return protectedHeader && (jws.protected = encodedProtectedHeader), unprotectedHeader && (jws.header = unprotectedHeader), [jws, b64];
}
async function createCompactSignature(payload, protectedHeader, crit, key, rejectUnencoded) {
  const [jws] = await createSignature([payload, protectedHeader, void 0, crit], key, rejectUnencoded);
  return `${jws.protected}.${jws.payload}.${jws.signature}`;
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/lib/jwt_claims_set.js



const epoch = (date) => Math.floor(date.getTime() / 1e3), multipliers = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31557600
}, REGEX = /^(\+|\-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)(?: (ago|from now))?$/i, checkFailed = "check_failed";
function invalidDuration() {
  throw new TypeError("Invalid time period format");
}
function secs(str) {
  typeof str != "string" && invalidDuration();
  const matched = REGEX.exec(str);
  (!matched || matched[4] && matched[1]) && invalidDuration();
  const value = parseFloat(matched[2]), durationSeconds = Math.round(value * multipliers[matched[3][0].toLowerCase()]);
  return Number.isFinite(durationSeconds) || invalidDuration(), matched[1] === "-" || matched[4]?.toLowerCase() === "ago" ? -durationSeconds : durationSeconds;
}
function validateInput(label, input) {
  if (!Number.isFinite(input))
    throw new TypeError(`Invalid ${label} input`);
  return input;
}
function validateStringClaim(claim, value) {
  if (typeof value != "string")
    throw new TypeError(`"${claim}" claim must be a string`);
}
function validateAudienceClaim(value) {
  if (typeof value != "string" && (!Array.isArray(value) || Array.from(value).some((member) => typeof member != "string")))
    throw new TypeError('"aud" claim must be a string or an array of strings');
}
function numericDate(value, label) {
  return typeof value == "number" ? validateInput(label, value) : value instanceof Date ? validateInput(label, epoch(value)) : epoch(/* @__PURE__ */ new Date()) + secs(value);
}
const normalizeTyp = (value) => {
  const normalized = value.toLowerCase();
  return value.includes("/") ? normalized : `application/${normalized}`;
}, checkAudiencePresence = (audPayload, audOption) => typeof audPayload == "string" ? audOption.includes(audPayload) : Array.isArray(audPayload) ? audOption.some((aud) => audPayload.includes(aud)) : !1;
function validateNumericDate(claimsSet, claim, required = !1) {
  const value = claimsSet[claim];
  if (!(value === void 0 && !required)) {
    if (typeof value != "number")
      throw new JWTClaimValidationFailed(`"${claim}" claim must be a number`, claimsSet, claim, "invalid");
    return value;
  }
}
function unexpectedClaim(claimsSet, claim) {
  throw new JWTClaimValidationFailed(`unexpected "${claim}" claim value`, claimsSet, claim, checkFailed);
}
function validateClaimsSet(protectedHeader, claimsSetBytes, options = {}) {
  let claimsSet;
  try {
    claimsSet = JSON.parse(strictDecoder.decode(claimsSetBytes));
  } catch (cause) {
    throw new JWTInvalid("JWT Claims Set must be a top-level JSON object", { cause });
  }
  if (!isObject(claimsSet))
    throw new JWTInvalid("JWT Claims Set must be a top-level JSON object");
  const { typ } = options;
  if (typ !== void 0 && (typeof protectedHeader.typ != "string" || normalizeTyp(protectedHeader.typ) !== normalizeTyp(typ)))
    throw new JWTClaimValidationFailed('unexpected "typ" JWT header value', claimsSet, "typ", checkFailed);
  const { requiredClaims = [], issuer, subject, audience, maxTokenAge } = options, presenceCheck = [...requiredClaims];
  maxTokenAge !== void 0 && presenceCheck.push("iat"), audience !== void 0 && presenceCheck.push("aud"), subject !== void 0 && presenceCheck.push("sub"), issuer !== void 0 && presenceCheck.push("iss");
  for (const claim of new Set(presenceCheck.reverse()))
    if (!Object.hasOwn(claimsSet, claim))
      throw new JWTClaimValidationFailed(`missing required "${claim}" claim`, claimsSet, claim, "missing");
  issuer !== void 0 && !(Array.isArray(issuer) ? issuer : [issuer]).includes(claimsSet.iss) && unexpectedClaim(claimsSet, "iss"), subject !== void 0 && claimsSet.sub !== subject && unexpectedClaim(claimsSet, "sub"), audience !== void 0 && !checkAudiencePresence(claimsSet.aud, typeof audience == "string" ? [audience] : audience) && unexpectedClaim(claimsSet, "aud");
  const { clockTolerance } = options;
  let tolerance = 0;
  if (typeof clockTolerance == "string")
    tolerance = secs(clockTolerance);
  else if (clockTolerance !== void 0) {
    if (typeof clockTolerance != "number")
      throw new TypeError("Invalid clockTolerance option type");
    tolerance = clockTolerance;
  }
  if (validateInput("clockTolerance option", tolerance), tolerance < 0)
    throw new TypeError("Invalid clockTolerance option input");
  const { currentDate } = options, now = validateInput("currentDate option", epoch(currentDate === void 0 ? /* @__PURE__ */ new Date() : currentDate)), iat = validateNumericDate(claimsSet, "iat", maxTokenAge !== void 0), nbf = validateNumericDate(claimsSet, "nbf");
  if (nbf !== void 0 && nbf > now + tolerance)
    throw new JWTClaimValidationFailed('"nbf" claim timestamp check failed', claimsSet, "nbf", checkFailed);
  const exp = validateNumericDate(claimsSet, "exp");
  if (exp !== void 0 && exp <= now - tolerance)
    throw new JWTExpired('"exp" claim timestamp check failed', claimsSet, "exp", checkFailed);
  if (maxTokenAge !== void 0) {
    const age = now - iat, max = validateInput("maxTokenAge option", typeof maxTokenAge == "number" ? maxTokenAge : secs(maxTokenAge));
    if (max < 0)
      throw new TypeError("Invalid maxTokenAge option input");
    if (age - tolerance > max)
      throw new JWTExpired('"iat" claim timestamp check failed (too far in the past)', claimsSet, "iat", checkFailed);
    if (age < -tolerance)
      throw new JWTClaimValidationFailed('"iat" claim timestamp check failed (it should be in the past)', claimsSet, "iat", checkFailed);
  }
  return claimsSet;
}
let producerClaimsSets;
function producerClaimsSet(producer) {
  return producerClaimsSets.get(producer);
}
function jwtClaimsSetBytes(producer) {
  const claimsSet = producerClaimsSet(producer);
  for (const claim of ["iat", "nbf", "exp"]) {
    const value = claimsSet[claim];
    if (typeof value == "number" && !Number.isFinite(value))
      throw new TypeError(`"${claim}" claim must be a finite number`);
  }
  return encoder.encode(JSON.stringify(claimsSet));
}
function jwtClaim(producer, claim) {
  return producerClaimsSet(producer)[claim];
}
class JWTClaimsBuilder {
  constructor(claimsSet = {}) {
    if (!validate_isObject(claimsSet))
      throw new TypeError("JWT Claims Set MUST be an object");
    (producerClaimsSets ||= /* @__PURE__ */ new WeakMap()).set(this, structuredClone(claimsSet));
  }
  setIssuer(value) {
    return validateStringClaim("iss", value), producerClaimsSet(this).iss = value, this;
  }
  setSubject(value) {
    return validateStringClaim("sub", value), producerClaimsSet(this).sub = value, this;
  }
  setAudience(value) {
    return validateAudienceClaim(value), producerClaimsSet(this).aud = value, this;
  }
  setJti(value) {
    return validateStringClaim("jti", value), producerClaimsSet(this).jti = value, this;
  }
  setNotBefore(value) {
    return producerClaimsSet(this).nbf = numericDate(value, "setNotBefore"), this;
  }
  setExpirationTime(value) {
    return producerClaimsSet(this).exp = numericDate(value, "setExpirationTime"), this;
  }
  setIssuedAt(value) {
    const claimsSet = producerClaimsSet(this);
    return value === void 0 ? claimsSet.iat = epoch(/* @__PURE__ */ new Date()) : typeof value == "string" ? claimsSet.iat = validateInput("setIssuedAt", epoch(/* @__PURE__ */ new Date()) + secs(value)) : claimsSet.iat = numericDate(value, "setIssuedAt"), this;
  }
}


;// CONCATENATED MODULE: ./node_modules/jose/dist/webapi/jwt/sign.js




const SignJWT_base = JWTClaimsBuilder;
class SignJWT extends SignJWT_base {
  #protectedHeader;
  setProtectedHeader(protectedHeader) {
    return assertNotSet(this.#protectedHeader, "setProtectedHeader"), this.#protectedHeader = protectedHeader, this;
  }
  async sign(key, options) {
    return createCompactSignature(jwtClaimsSetBytes(this), this.#protectedHeader, options?.crit, key, () => {
      throw new errors_JWTInvalid("JWTs MUST NOT use unencoded payload");
    });
  }
}


;// CONCATENATED MODULE: ./src/asc/token.ts


/**
 * One ES256 token per run, as Apple asks: reused until it is close to expiry, then minted
 * again. Concurrent callers share the same signing.
 */
class TokenSource {
    options;
    current;
    pending;
    now;
    constructor(options) {
        this.options = options;
        this.now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
    }
    /** The key the tokens are signed for, to name it when App Store Connect refuses them. */
    get keyId() {
        return this.options.keyId;
    }
    get() {
        const current = this.current;
        if (current && current.exp - this.now() > ASC.tokenRefreshMarginSeconds) {
            return Promise.resolve(current.token);
        }
        this.pending ??= this.mint().finally(() => (this.pending = undefined));
        return this.pending;
    }
    async mint() {
        const { keyId, issuerId, key } = this.options;
        const iat = this.now();
        const exp = iat + ASC.tokenLifetimeSeconds;
        const jwt = new SignJWT({})
            .setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'JWT' })
            .setAudience(ASC.audience)
            .setIssuedAt(iat)
            .setExpirationTime(exp);
        if (issuerId)
            jwt.setIssuer(issuerId);
        else
            jwt.setSubject('user');
        const token = await jwt.sign(key);
        this.options.onMint(token);
        this.current = { token, exp };
        return token;
    }
}

;// CONCATENATED MODULE: ./src/concurrency.ts
/**
 * Like Promise.all, but waits for every task before throwing the first failure, so no
 * request is still in flight (and retrying) when the run reports and closes its connections.
 */
async function allSettledOrThrow(tasks) {
    const results = await Promise.allSettled(tasks);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed)
        throw failed.reason;
    return results.map(r => r.value);
}
/** Runs tasks with at most `limit` in flight, starting each as soon as a slot frees up. */
function limiter(limit) {
    let active = 0;
    const queue = [];
    const release = () => {
        active--;
        queue.shift()?.();
    };
    return async (task) => {
        if (active >= limit)
            await new Promise(resolve => queue.push(resolve));
        active++;
        try {
            return await task();
        }
        finally {
            release();
        }
    };
}

;// CONCATENATED MODULE: ./src/asc/metrics.ts





/**
 * The app's recent versions of the gated metrics, for the gated percentile and device: one
 * request with Apple's vendor media type. Undefined when Apple has no data yet (404).
 */
async function fetchAppMetrics(client, appId, settings) {
    const query = { 'filter[deviceType]': settings.device };
    const categories = categoriesOf(settings.identifiers);
    if (categories)
        query['filter[metricType]'] = categories.join(',');
    // The spec's platform filter knows only IOS; other platforms are matched in the payload.
    if (settings.platform === 'IOS')
        query['filter[platform]'] = 'IOS';
    let body;
    try {
        body = await client.getJson(`/v1/apps/${encodeURIComponent(appId)}/perfPowerMetrics`, {
            query,
            accept: ASC.metricsContentType
        });
    }
    catch (error) {
        // Apple answers 404 for versions without enough usage yet: no data, not a failure.
        if (isNotFound(error))
            return undefined;
        throw error;
    }
    return parseMetrics(body, settings);
}
/** The categories to ask for; undefined (all) when an identifier's category is unknown. */
function categoriesOf(identifiers) {
    const categories = new Set();
    for (const identifier of identifiers) {
        const known = knownMetric(identifier);
        if (!known)
            return undefined;
        categories.add(known.category);
    }
    return [...categories];
}
const category = (value) => METRIC_CATEGORIES.find(c => c === value);
/** `IOS` (the spec) and `iOS` (real payloads) are one platform, as are MAC_OS and macOS. */
const platformKey = (value) => value.replace(/_/g, '').toLowerCase();
/**
 * Reads an xcodeMetrics document: only the gated identifiers, only the dataset for the gated
 * percentile and device. Unknown fields and metrics are ignored; malformed points are dropped.
 */
function parseMetrics(body, settings) {
    const document = object(body);
    if (!document) {
        throw new DataError('App Store Connect answered the perfPowerMetrics request with something other than an xcodeMetrics object.');
    }
    const wanted = new Set(settings.identifiers.map(id => id.toLowerCase()));
    const series = new Map();
    // Every list is searched whole, whatever its length or order (the body's size is bounded by
    // the transport): the gated dataset and its versions may come after thousands of others.
    for (const data of metrics_all(document.productData)) {
        const platform = jsonapi_text(data.platform, FIELD_CAPS.identifier);
        if (platform && platformKey(platform) !== platformKey(settings.platform))
            continue;
        for (const categoryData of metrics_all(data.metricCategories)) {
            for (const metric of metrics_all(categoryData.metrics)) {
                const identifier = jsonapi_text(metric.identifier, FIELD_CAPS.identifier);
                const key = identifier?.toLowerCase();
                if (!identifier || !key || !wanted.has(key) || series.has(key))
                    continue;
                const read = readMetric(metric, identifier, category(categoryData.identifier), settings);
                if (read)
                    series.set(key, read);
            }
        }
    }
    const insights = object(document.insights);
    return {
        series,
        insights: [
            ...readInsights(insights?.regressions, 'regression', wanted),
            ...readInsights(insights?.trendingUp, 'trendingUp', wanted)
        ]
    };
}
/** The objects of a list, all of them: see parseMetrics. */
const metrics_all = (value) => objects(value, Number.MAX_SAFE_INTEGER);
/** The gated dataset of one metric; undefined when it has none for this percentile and device. */
function readMetric(metric, identifier, metricCategory, settings) {
    const unit = object(metric.unit);
    const percentile = PERCENTILE_KEYS[settings.percentile];
    const dataset = metrics_all(metric.datasets).find(d => {
        const criteria = object(d.filterCriteria);
        const device = jsonapi_text(criteria?.device, FIELD_CAPS.identifier);
        return (criteria?.percentile === percentile &&
            (device === undefined || device.toLowerCase() === settings.device.toLowerCase()));
    });
    if (!dataset)
        return undefined;
    const goal = object(dataset.recommendedMetricGoal);
    const goalValue = nonNegative(goal?.value);
    return {
        identifier,
        ...(metricCategory ? { category: metricCategory } : {}),
        ...optional('unit', jsonapi_text(unit?.displayName, FIELD_CAPS.metricLabel) ??
            jsonapi_text(unit?.identifier, FIELD_CAPS.metricLabel)),
        ...(goalValue !== undefined
            ? {
                recommendedGoal: {
                    value: goalValue,
                    ...optional('detail', jsonapi_text(goal?.detail, FIELD_CAPS.metricLabel))
                }
            }
            : {}),
        // Every point: the current version and its references are found among all of them.
        points: metrics_all(dataset.points).flatMap(readPoint)
    };
}
function readPoint(value) {
    const point = object(value);
    const version = jsonapi_text(point?.version, FIELD_CAPS.version);
    const number = nonNegative(point?.value);
    if (!point || !version || number === undefined)
        return [];
    // percentageBreakdown (an object in the spec, an array in real payloads) is not used.
    return [
        {
            version,
            value: number,
            ...optional('errorMargin', nonNegative(point.errorMargin)),
            ...optional('goal', jsonapi_text(point.goal, FIELD_CAPS.metricLabel))
        }
    ];
}
function readInsights(value, kind, wanted) {
    // Filtered to the gated metrics first, then capped: an insight on one comes wherever it is.
    const gated = metrics_all(value).filter(insight => wanted.has(String(jsonapi_text(insight.metric, FIELD_CAPS.identifier)).toLowerCase()));
    return gated.slice(0, FIELD_CAPS.metricListItems).flatMap(insight => {
        const metric = jsonapi_text(insight.metric, FIELD_CAPS.identifier);
        if (!metric)
            return [];
        const highImpact = insight.highImpact;
        return [
            {
                kind,
                metric,
                ...optional('category', category(insight.metricCategory)),
                ...optional('latestVersion', jsonapi_text(insight.latestVersion, FIELD_CAPS.version)),
                referenceVersions: referenceVersions(insight.referenceVersions),
                ...(typeof highImpact === 'boolean' ? { highImpact } : {}),
                ...optional('summary', jsonapi_text(insight.summaryString, FIELD_CAPS.insightSummary)),
                // The gated population is picked from among them: Apple sends a few per insight.
                populations: objects(insight.populations, FIELD_CAPS.insightPopulations).flatMap(readPopulation)
            }
        ];
    });
}
/** A string in the spec ("1.0, 1.1"), an array in Apple's own example: both are accepted. */
function referenceVersions(value) {
    return texts(value, FIELD_CAPS.version, FIELD_CAPS.referenceVersions);
}
function readPopulation(value) {
    const population = object(value);
    if (!population)
        return [];
    return [
        {
            ...optional('percentile', jsonapi_text(population.percentile, FIELD_CAPS.identifier)),
            ...optional('device', jsonapi_text(population.device, FIELD_CAPS.identifier)),
            ...optional('latestVersionValue', finite(population.latestVersionValue)),
            ...optional('referenceAverageValue', finite(population.referenceAverageValue)),
            ...optional('deltaPercentage', finite(population.deltaPercentage))
        }
    ];
}
/** `{ [name]: value }` when the value is defined, `{}` otherwise: no undefined keys in reports. */
function optional(name, value) {
    return (value === undefined ? {} : { [name]: value });
}

;// CONCATENATED MODULE: ./src/metrics/collect.ts




/**
 * The gated metrics and the versions to read them for, with as few sequential round trips as
 * the inputs allow: the app and version come from the lookup inputs when they give both (no
 * request), from the lookup itself, or from one build request (app and prerelease version
 * included), which runs alongside the signatures. The metrics request follows: 2 round trips
 * at most for a gate with a build ID.
 */
async function collectMetrics({ client, apps, records }, settings, build, baseline, log) {
    const current = appAndVersion(apps, records, build);
    const metrics = current.then(({ appId }) => fetchAppMetrics(client, appId, settings));
    // Only `auto` compares with the baseline's version; the metrics do not wait for it.
    const baselineInfo = settings.reference === 'auto' && baseline
        ? appAndVersion(apps, records, baseline)
        : Promise.resolve(undefined);
    await allSettledOrThrow([metrics, baselineInfo]);
    const [{ appId, version }, payload, baselineVersion] = [
        await current,
        await metrics,
        (await baselineInfo)?.version
    ];
    const found = settings.identifiers.map(id => {
        const points = payload?.series.get(id.toLowerCase())?.points.length ?? 0;
        return `${id} (${plural(points, 'version')})`;
    });
    log(payload
        ? `Metrics of app ${appId} (${settings.percentile}, ${settings.device}): ${found.join(', ')}; this build is version ${version ?? '?'}.`
        : `Metrics of app ${appId}: none yet (HTTP 404); Apple publishes them a few days after a release.`);
    return {
        appId,
        ...(version ? { version } : {}),
        ...(baselineVersion ? { baselineVersion } : {}),
        ...(payload ? { payload } : {})
    };
}
async function appAndVersion(apps, records, { ref, resolved }) {
    if (ref.kind === 'id') {
        const { appId, version } = await records.details(ref.id);
        if (!appId) {
            throw new DataError(`App Store Connect did not name the app of build ${oneLine(ref.id, 80)}, so its metrics cannot be read.`);
        }
        return { appId, ...(version ? { version } : {}) };
    }
    if (ref.kind === 'lookup' && ref.version)
        return { appId: await apps.appId(ref.app), version: ref.version };
    const build = await resolved;
    return { appId: await apps.appId(ref.app), ...(build.version ? { version: build.version } : {}) };
}

;// CONCATENATED MODULE: ./src/collect.ts














/** The App Store Connect client for this run's key; every token it mints is masked. */
function appStoreClient(config, options) {
    return new AscClient({
        ...options,
        baseUrl: config.apiBaseUrl,
        tokens: new TokenSource({
            keyId: config.keyId,
            issuerId: config.issuerId,
            key: config.privateKey,
            onMint: protect
        })
    });
}
/** Collects within the deadline, then logs how much of the hourly budget is left. */
async function collectWithin(deadline, client, config, log) {
    const collected = await deadline.run(() => collect(client, config, log, {
        signal: deadline.signal,
        // What the guard keeps to act in: backtraces are given up before it is spent.
        logsUntil: performance.now() + deadline.remainingMs() - logsReserveMs(deadline.remainingMs())
    }));
    const { remaining, limit } = client.rateLimit ?? {};
    if (remaining !== undefined) {
        log(`App Store Connect budget: ${remaining} of ${limit ?? '?'} requests left this hour (${client.requests} used by this run).`);
    }
    return collected;
}
/**
 * Everything the gate needs from App Store Connect, with as few sequential round trips as the
 * data allows: both builds resolve and load at once, every type at once, and each type's logs
 * start as soon as its signatures arrive (at most LOGS_CONCURRENCY in flight).
 */
async function collect(client, config, log, 
/**
 * The run's deadline (`signal`): metrics and logs still outstanding when it passes are given
 * up; and when logs are no longer waited for (`logsUntil`, a `performance.now()` time).
 */
limits = {}) {
    const deadline = limits.signal;
    const late = (what) => `'timeout-minutes' passed before App Store Connect answered for ${what}`;
    const started = performance.now();
    const since = () => Math.round(performance.now() - started);
    const timings = { builds: 0, signatures: 0, logs: 0 };
    const inFlight = limiter(LOGS_CONCURRENCY);
    const backtraces = new Map();
    const logTasks = [];
    const wanted = [];
    let gaveUpLogs = false;
    const logsGivenUp = new AbortController();
    const records = new BuildRecords(client);
    const session = {
        client,
        config,
        log,
        apps: new AppResolver(client),
        records,
        fetchLogs: list => {
            for (const { id } of list.signatures.slice(0, logsLimit(config))) {
                wanted.push(id);
                logTasks.push(inFlight(() => fetchBacktrace(client, id, logsGivenUp.signal)).then(result => {
                    if (gaveUpLogs)
                        return;
                    // Past the deadline a backtrace is given up, not waited for: it never decides.
                    backtraces.set(id, !result.ok && deadline?.aborted
                        ? { ok: false, reason: `Backtrace unavailable: ${late('its logs')}.` }
                        : result);
                    log(`Backtraces: ${backtraces.size} of ${logTasks.length} fetched.`);
                }));
            }
        },
        finished: phase => void (timings[phase] = Math.max(timings[phase], since()))
    };
    // Each build resolves once; its signatures and the metrics both wait on it.
    const source = (ref, role) => ({
        ref,
        resolved: resolveBuild(client, session.apps, records, ref, role)
    });
    const builds = {
        build: source(config.build, 'build'),
        baseline: config.baseline && source(config.baseline, 'baseline')
    };
    const current = loadBuild(session, builds.build.resolved, 'build');
    const baseline = builds.baseline && loadBuild(session, builds.baseline.resolved, 'baseline');
    const metrics = config.metrics &&
        collectMetrics({ client, apps: session.apps, records }, config.metrics, builds.build, builds.baseline, log).catch((error) => {
            // Metrics that cannot be read are evidence missing, not a run lost: each gated metric
            // becomes "no data" (the no-data policy judges it), and the signatures still decide.
            const cancelled = error instanceof NetworkError && error.kind === 'aborted';
            if (!(error instanceof ServiceError || error instanceof DataError || cancelled))
                throw error;
            const unavailable = deadline?.aborted ? late('the metrics') : messageOf(error);
            log(`Metrics unavailable: ${unavailable}`);
            return { unavailable };
        });
    try {
        await allSettledOrThrow([
            current,
            baseline ?? Promise.resolve(),
            metrics ?? Promise.resolve()
        ]);
        const collectedMetrics = await metrics;
        return {
            current: await current,
            baseline: await baseline,
            backtraces,
            timings,
            ...(collectedMetrics ? { metrics: collectedMetrics } : {})
        };
    }
    finally {
        // Logs never reject: wait for them, but not past `logsUntil`. Those still out then are
        // given up (their requests end when the run closes its connections).
        const left = limits.logsUntil === undefined ? undefined : limits.logsUntil - performance.now();
        gaveUpLogs = await settledWithin(Promise.all(logTasks), left);
        // Their requests and retries end now, not when their own timeouts run out.
        if (gaveUpLogs)
            logsGivenUp.abort();
        for (const id of gaveUpLogs ? wanted : []) {
            if (!backtraces.has(id)) {
                backtraces.set(id, {
                    ok: false,
                    reason: `Backtrace unavailable: its logs had not arrived when 'timeout-minutes' ran short, and the run went on without them.`
                });
            }
        }
        timings.logs = since();
    }
}
/**
 * How many signatures of each type are fetched. With a baseline, whole lists are compared: a
 * signature outside the top `limit` can still regress.
 */
function fetchLimit(config) {
    return config.baseline ? ASC.baselineFetchLimit : config.limit;
}
/** How many of each type's top signatures get their backtraces: `include-logs`, within `limit`. */
function logsLimit(config) {
    return Math.min(config.includeLogs, config.limit);
}
/**
 * What `timeout-minutes` keeps for the release guard after the logs: a quarter of the budget,
 * at most LOGS_RESERVE_MAX_MS.
 */
function logsReserveMs(budgetMs) {
    return Math.min(LOGS_RESERVE_MAX_MS, budgetMs / 4);
}
/** Whether `work` was still running after `ms` (true) or finished in time (false). */
async function settledWithin(work, ms) {
    if (ms === undefined)
        return work.then(() => false);
    ms = Math.max(0, ms);
    let timer;
    const late = new Promise(resolve => (timer = setTimeout(() => resolve(true), ms)));
    try {
        return await Promise.race([work.then(() => false), late]);
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * A build given by its ID gets its label ("2.4.0 (412)") from its one read by ID, asked
 * alongside its signatures and shared with the metrics and the no-data check; after an error
 * there it is named by its ID alone.
 */
async function withDetails(build, details) {
    return (await details.catch(() => undefined)) ?? build;
}
async function loadBuild(session, resolved, role) {
    const { client, config, log } = session;
    const build = await resolved;
    session.finished('builds');
    // Started now, so the label costs a request but no round trip.
    const details = build.label ? undefined : session.records.details(build.id);
    const count = fetchLimit(config);
    const lists = await allSettledOrThrow(config.types.map(async (type) => {
        const { value: list, notFound } = await noDataOn404(() => fetchSignatures(client, build.id, type, count, role === 'build' ? 'build-id' : 'baseline-build-id'), () => ({ type, signatures: [], complete: true }), () => session.records.exists(build.id));
        log(`${role === 'build' ? 'Build' : 'Baseline'} ${type}: ${notFound ? 'no data yet (HTTP 404 for a build that exists)' : plural(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`);
        if (role === 'build')
            session.fetchLogs(list);
        return list;
    }));
    session.finished('signatures');
    const named = details ? await withDetails(build, details) : build;
    if (named.label)
        log(`The ${role} is ${named.label}: ${named.id}${named.processingState && named.processingState !== 'VALID' ? ` (${named.processingState})` : ''}.`);
    return { build: named, lists: new Map(lists.map(list => [list.type, list])) };
}

;// CONCATENATED MODULE: ./src/deadline.ts

/**
 * `timeout-minutes` for everything the run asks of App Store Connect: the collect phase and the
 * release guard's re-read and pause share one budget, counted from the first phase's start. Past
 * it every request and wait is aborted through `signal`.
 */
class Deadline {
    minutes;
    controller = new AbortController();
    signal = this.controller.signal;
    endsAt;
    constructor(minutes) {
        this.minutes = minutes;
    }
    /** `'timeout-minutes' (10 minutes)`, for a sentence that names the bound. */
    get bound() {
        const { minutes } = this;
        return `'timeout-minutes' (${minutes} minute${minutes === 1 ? '' : 's'})`;
    }
    /** Runs `phase` in what is left of the budget; a phase that ends early leaves the rest. */
    async within(phase) {
        this.endsAt ??= performance.now() + this.minutes * 60_000;
        const timer = setTimeout(() => this.controller.abort(), Math.max(0, this.endsAt - performance.now()));
        try {
            return await phase();
        }
        finally {
            clearTimeout(timer);
        }
    }
    /**
     * Like `within`; a phase that fails past the deadline fails with a sentence that says so. One
     * that still finishes keeps its result: it gave up only what it can do without (backtraces).
     */
    async run(phase) {
        try {
            return await this.within(phase);
        }
        catch (error) {
            throw this.signal.aborted ? this.expired() : error;
        }
    }
    /** Milliseconds left of the budget, once a phase has started it. */
    remainingMs() {
        return this.endsAt === undefined ? this.minutes * 60_000 : this.endsAt - performance.now();
    }
    expired() {
        return new ServiceError(`App Store Connect did not finish within ${this.bound}; Apple may be slow or throttling: rerun later, or raise 'timeout-minutes'.`);
    }
}

;// CONCATENATED MODULE: ./src/gate.ts

// Weights are shown with one decimal of a percent; smaller moves read as "same".
const SAME_EPSILON = 0.0005;
/**
 * The gate itself, a pure function: breaches are weights strictly above the type's
 * threshold; regressions are new signatures or rises beyond the allowed increase.
 */
function evaluate(input) {
    const outcomes = [];
    const breaches = [];
    const regressions = [];
    const emptyTypes = [];
    let maxWeight;
    for (const type of input.types) {
        const list = input.current.get(type) ?? { type, signatures: [], complete: true };
        // A baseline without data for this type says nothing about it: nothing is "new" against it.
        const baselineList = input.baseline?.get(type);
        const baseline = baselineList?.signatures.length ? baselineList : undefined;
        const threshold = input.thresholds[type];
        const previous = baseline && {
            byText: byText(baseline.signatures),
            // A cut baseline list: anything missing from it weighed at most its lightest entry.
            atMost: baseline.complete || baseline.signatures.length === 0
                ? undefined
                : Math.min(...baseline.signatures.map(s => s.weight))
        };
        const evaluated = list.signatures.map((signature, index) => gate_judge(signature, index + 1, threshold, index < input.limit, previous, input.maxWeightIncrease));
        const shown = evaluated.slice(0, input.limit);
        breaches.push(...shown.filter(s => s.breached));
        regressions.push(...evaluated.filter(s => s.regressed));
        if (list.signatures.length === 0)
            emptyTypes.push(type);
        for (const s of list.signatures)
            maxWeight = Math.max(maxWeight ?? 0, s.weight);
        const currentTexts = new Set(list.signatures.map(s => s.signature));
        outcomes.push({
            type,
            threshold,
            shown,
            fetched: list.signatures.length,
            complete: list.complete,
            gone: baseline && list.complete
                ? baseline.signatures.filter(s => !currentTexts.has(s.signature))
                : [],
            goneUnknown: Boolean(baseline) && !list.complete
        });
    }
    breaches.sort((a, b) => b.weight - b.threshold - (a.weight - a.threshold));
    regressions.sort((a, b) => (b.delta ?? 0) - (a.delta ?? 0));
    return {
        outcomes,
        breaches,
        regressions,
        emptyTypes,
        maxWeight,
        hasBaseline: Boolean(input.baseline)
    };
}
function byText(signatures) {
    const map = new Map();
    // Lists are heaviest first, so a repeated text keeps its heaviest entry.
    for (const s of signatures)
        if (!map.has(s.signature))
            map.set(s.signature, s);
    return map;
}
function gate_judge(signature, rank, threshold, reported, previous, maxIncrease) {
    const breached = reported && signature.weight > threshold + WEIGHT_EPSILON;
    if (!previous)
        return { ...signature, rank, threshold, breached, regressed: false };
    const before = previous.byText.get(signature.signature);
    // Not in a cut baseline list is not "new": its rise is at least weight − the lightest fetched.
    const unlisted = !before && previous.atMost !== undefined;
    const delta = signature.weight - (before?.weight ?? previous.atMost ?? 0);
    const change = unlisted
        ? 'unlisted'
        : !before
            ? 'new'
            : Math.abs(delta) < SAME_EPSILON
                ? 'same'
                : delta > 0
                    ? 'up'
                    : 'down';
    return {
        ...signature,
        rank,
        threshold,
        breached,
        ...(before ? { baselineWeight: before.weight } : {}),
        ...(unlisted ? { baselineAtMost: previous.atMost } : {}),
        delta,
        change,
        regressed: delta > maxIncrease + WEIGHT_EPSILON
    };
}

;// CONCATENATED MODULE: ./src/decision/verdict.ts






/** The run's verdict, a pure function of the settings and what App Store Connect sent. */
function verdict_judge(config, data) {
    const signatures = evaluate({
        ...config,
        current: data.current.lists,
        baseline: data.baseline?.lists
    });
    const day = rolloutDayNumber(data.current.build.appStoreVersion?.phasedRelease);
    const metrics = metricsVerdict(config, data.metrics, config.metrics && sameDayFigures(data.history, config.metrics, day));
    const verdict = verdictFrom(signatures, metrics, consequencePolicy(config, data));
    const build = data.current.build.label ?? data.current.build.id;
    return { verdict, failure: failureLine(verdict, build) };
}
/** The verdict of evaluated signatures and metrics under `policy`: its findings, then its result. */
function verdictFrom(signatures, metrics, policy) {
    const findings = buildFindings(signatures, metrics, policy);
    const checked = signatures.emptyTypes.length < signatures.outcomes.length ||
        Boolean(metrics?.outcomes.some(o => o.status === 'ok' || o.status === 'regressed'));
    const found = findings.some(f => f.kind !== 'no-data' || policy.noData === 'fail');
    const result = !checked ? 'no-data' : found ? 'failed' : 'passed';
    return {
        ...signatures,
        result,
        passed: result === 'passed' || (result === 'no-data' && policy.noData === 'pass'),
        findings,
        ...(metrics ? { metrics } : {})
    };
}
/** The settings that decide consequences; a guard run is one that watches a live rollout. */
function consequencePolicy(config, data) {
    const version = data.current.build.appStoreVersion;
    const guarded = config.phasedRelease !== 'off' && version?.status === 'live';
    return {
        failOnBreach: config.failOnBreach,
        failOnRegression: config.failOnRegression,
        failOnMetricRegression: config.failOnMetricRegression,
        noData: config.noData,
        ...(guarded
            ? {
                guard: {
                    mode: config.phasedRelease,
                    pauseOn: config.pauseOn,
                    failAfterRollout: config.failAfterRollout,
                    rollout: version.phasedRelease?.state ?? 'NONE',
                    // Without its history the guard cannot count runs: it pauses as with confirm-runs 1,
                    // rather than never (see the report's history section).
                    confirmRuns: data.history && 'current' in data.history ? config.confirmRuns : 1,
                    inARow: (key) => runsInARow(data.history, key, config.confirmRuns)
                }
            }
            : {})
    };
}
/** This run and the runs of the version just before it that found `key`, in a row, up to `needed`. */
function runsInARow(history, key, needed) {
    const earlier = history && 'current' in history ? history.current.runs : [];
    return confirmation(earlier, key, needed).inARow;
}
function buildFindings(signatures, metrics, policy) {
    const findings = [];
    for (const o of metrics?.regressions ?? []) {
        if (o.regressedByRule)
            findings.push(finding('metric-regression', { metric: o }, policy));
        if (o.regressedByApple)
            findings.push(finding('apple-regression', { metric: o }, policy));
    }
    for (const s of signatures.breaches)
        findings.push(finding('breach', { signature: s }, policy));
    for (const s of signatures.regressions) {
        findings.push(finding('signature-regression', { signature: s }, policy));
    }
    // `no-data: pass` asks for no finding at all.
    if (policy.noData !== 'pass') {
        for (const type of signatures.emptyTypes) {
            findings.push(finding('no-data', { diagnosticType: type }, policy));
        }
        for (const o of metrics?.noData ?? [])
            findings.push(finding('no-data', { metric: o }, policy));
    }
    return findings;
}
/**
 * The one line for `setFailed`, from the findings that fail the job (each kind once, worst
 * first); undefined when none does.
 */
function failureLine(verdict, build) {
    const failing = verdict.findings.filter(f => f.failsJob);
    const signaturesOf = (kind) => failing.flatMap(f => (f.kind === kind && 'signature' in f.subject ? [f.subject.signature] : []));
    const parts = [];
    const breaches = signaturesOf('breach');
    if (breaches[0]) {
        const worst = breaches[0];
        parts.push(`${plural(breaches.length, 'diagnostic signature')} above the threshold; worst: ${signatureName(worst, 120)} at ${percent(worst.weight)} (limit ${limitPercent(worst.threshold)}).`);
    }
    const regressions = signaturesOf('signature-regression');
    if (regressions[0]) {
        const worst = regressions[0];
        parts.push(`${plural(regressions.length, 'regression')} against the baseline build; worst: ${signatureName(worst, 120)} at ${percent(worst.weight)} (${worst.change === 'new' ? 'new' : sinceBaseline(worst)}).`);
    }
    const emptyTypes = failing.flatMap(f => 'diagnosticType' in f.subject ? [f.subject.diagnosticType] : []);
    if (emptyTypes.length)
        parts.push(`${noDataYet(emptyTypes, build)}, and 'no-data' is 'fail'.`);
    const metrics = [
        ...new Set(failing.flatMap(f => f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []))
    ];
    if (metrics[0]) {
        parts.push(`${plural(metrics.length, 'metric')} regressed${metrics.length > 1 ? '; first' : ''}: ${regressionSentence(metrics[0])}.`);
    }
    const noMetricData = failing.flatMap(f => f.kind === 'no-data' && 'metric' in f.subject ? [f.subject.metric.identifier] : []);
    const unavailable = verdict.metrics?.unavailable;
    if (noMetricData.length && unavailable) {
        parts.push(`The metrics (${noMetricData.join(', ')}) could not be read, and 'no-data' is 'fail': ${unavailable}`);
    }
    else if (noMetricData.length) {
        const version = verdict.metrics?.version;
        parts.push(`No data yet for ${noMetricData.join(', ')}${version ? ` on version ${oneLine(version, 64)}` : ''}, and 'no-data' is 'fail'.`);
    }
    return parts.length ? parts.join(' ') : undefined;
}

;// CONCATENATED MODULE: ./src/release/act.ts





/**
 * The "act" step: decides on the version's rollout and, in pause-on-failure mode, pauses it.
 * The rollout is read again just before the PATCH, so the decision is made on its state now,
 * not as it was when the run began. Never throws for App Store Connect problems: they become
 * `error`, and the verdict and the report stay as they are.
 */
async function guardRelease(client, deadline, version, findings, mode, log) {
    // From App Store Connect: one safe line before it reaches a log line, an annotation or the report.
    const versionString = oneLine(version.versionString, 64);
    const outcome = (release, decision, decidedOn, extra = {}) => ({
        version: versionString,
        versionId: version.id,
        ...(release ? { release } : {}),
        ...(decidedOn ? { decidedOn } : {}),
        decision,
        paused: false,
        ...extra
    });
    const first = decideRollout({ release: version.phasedRelease, findings, mode });
    const name = `the phased release of ${versionString}`;
    if (mode !== 'off')
        logWhy(first, findings, name, version.phasedRelease, log);
    if (first.action !== 'pause')
        return outcome(version.phasedRelease, first, version.phasedRelease);
    let current = version.phasedRelease;
    let step = 're-read';
    try {
        current = await getPhasedRelease(client, version.id);
        const now = decideRollout({ release: current, findings, mode });
        if (now.action !== 'pause') {
            log(`Not pausing ${name}: ${now.reason}.`);
            return outcome(current, now, current);
        }
        step = 'pause';
        const paused = await pausePhasedRelease(client, current, version.id);
        if (paused.state !== 'PAUSED') {
            return outcome(paused, now, current, {
                error: `App Store Connect accepted the pause of ${name}, but the rollout is still ${paused.state}.`
            });
        }
        log(`Paused ${name}${current?.day ? ` at ${rolloutDay(current)}` : ''}: ${because(now)}.`);
        return outcome(paused, now, current, { paused: true });
    }
    catch (error) {
        // The client's requests share the run's deadline, and past it they end as "cancelled".
        if (deadline.signal.aborted) {
            const what = step === 'pause'
                ? `the pause within ${deadline.bound}, which bounds the pause too; check the rollout in App Store Connect, where the pause may still have landed, or raise 'timeout-minutes'`
                : `the rollout's re-read within ${deadline.bound}, which bounds the pause too, so nothing was paused; rerun later, or raise 'timeout-minutes'`;
            return outcome(current, first, version.phasedRelease, {
                error: `Could not pause ${name}: App Store Connect did not answer ${what}.`
            });
        }
        if (!(error instanceof ServiceError || error instanceof DataError))
            throw error;
        return outcome(current, first, version.phasedRelease, {
            error: `Could not pause ${name}: ${messageOf(error)}`
        });
    }
}
/**
 * The log's account of the decision: what would pause, and why each other finding does not.
 * After the rollout one line says so, whatever the findings.
 */
function logWhy(decision, findings, name, release, log) {
    if (!release || release.state === 'COMPLETE') {
        const failing = findings.filter(f => f.failsJob).length;
        const rest = failing
            ? `; ${plural(failing, 'finding')} still ${failing === 1 ? 'fails' : 'fail'} the job ('fail-after-rollout' is true)`
            : findings.length
                ? '; the findings are reported, not failed'
                : '';
        log(`Not pausing: ${release ? 'the rollout is complete' : 'the version has no phased release'}${rest}.`);
        return;
    }
    if (decision.action === 'would-pause') {
        log(`Would pause ${name} (${describeRollout(release)}) ${because(decision)}; 'phased-release' is 'report', and 'pause-on-failure' would have paused it.`);
    }
    for (const f of findings.filter(f => !f.pauses && !f.wouldPause)) {
        log(`Not pausing on ${subjectName(f)}: ${consequenceText(f)}.`);
    }
}
/**
 * The "act" step: with `version: live`, the guard looks at the live version's phased release
 * and, in pause-on-failure mode, pauses it on the findings that say they pause. Undefined for any
 * other build.
 */
async function act(client, 
/** The run's `timeout-minutes`, shared with the collect phase: it bounds the pause too. */
deadline, config, data, verdict, log, 
/** How the front door shows a phase (a log group in the action). */
phase) {
    const version = data.current.build.appStoreVersion;
    if (version?.status !== 'live')
        return undefined;
    return phase('Phased release', () => deadline.within(() => guardRelease(client, deadline, version, verdict.findings, config.phasedRelease, log)));
}

;// CONCATENATED MODULE: ./src/source/git-index.ts




const SIGNATURE = 'DIRC';
/** ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each). */
const STAT_BYTES = 40;
const EXTENDED_FLAG = 0x4000;
const NAME_LENGTH_MASK = 0x0fff;
/** A version-4 path is rebuilt from the one before it: cap each, and all of them together. */
const MAX_NAME_BYTES = 16 * 1024;
const MAX_NAMES_PER_INDEX_BYTE = 8;
const MODE_TYPE_MASK = 0o170000;
const SPARSE_DIRECTORY = 0o040000;
/** Extensions whose index lists only part of the entries: the rest live elsewhere. */
const PARTIAL_EXTENSIONS = {
    link: 'it is a split index (core.splitIndex)',
    sdir: 'it is a sparse index (index.sparse)'
};
/** Reads the index of the checkout at `root` (its `.git` a folder, or a `gitdir:` file). */
function readGitIndex(root) {
    const gitDir = findGitDir(root);
    if (typeof gitDir !== 'string')
        return gitDir;
    const path = (0,external_node_path_namespaceObject.join)(gitDir, 'index');
    let stat;
    try {
        stat = (0,external_node_fs_namespaceObject.lstatSync)(path);
    }
    catch {
        return { unreadable: `${path} does not exist` };
    }
    if (!stat.isFile())
        return { unreadable: `${path} is not a regular file` };
    if (stat.size > SOURCE_LOOKUP.maxGitIndexBytes) {
        return { unreadable: `${path} is larger than ${SOURCE_LOOKUP.maxGitIndexBytes} bytes` };
    }
    return parseGitIndex((0,external_node_fs_namespaceObject.readFileSync)(path));
}
function findGitDir(root) {
    const dotGit = (0,external_node_path_namespaceObject.join)(root, '.git');
    let stat;
    try {
        stat = (0,external_node_fs_namespaceObject.lstatSync)(dotGit);
    }
    catch {
        return { unreadable: `${root} has no .git` };
    }
    if (stat.isDirectory())
        return dotGit;
    if (!stat.isFile() || stat.size > 4096)
        return { unreadable: `${dotGit} is not a git folder` };
    // A worktree or a submodule: `gitdir: <path>`, relative to the checkout.
    const match = /^gitdir: ?(.+?)\s*$/m.exec((0,external_node_fs_namespaceObject.readFileSync)(dotGit, 'utf8'));
    if (!match)
        return { unreadable: `${dotGit} names no gitdir` };
    return (0,external_node_path_namespaceObject.isAbsolute)(match[1]) ? match[1] : (0,external_node_path_namespaceObject.resolve)(root, match[1]);
}
/** The paths of an index file's entries; every length is checked against the buffer. */
function parseGitIndex(data) {
    if (data.length < 12 || data.toString('latin1', 0, 4) !== SIGNATURE) {
        return { unreadable: 'the index does not start with DIRC' };
    }
    const version = data.readUInt32BE(4);
    if (version < 2 || version > 4)
        return { unreadable: `index version ${version} is unknown` };
    // The file ends with its own checksum, whose length says SHA-1 or SHA-256.
    let reason = 'its checksum matches neither SHA-1 nor SHA-256';
    for (const [algorithm, hashBytes] of [
        ['sha1', 20],
        ['sha256', 32]
    ]) {
        if (data.length < 12 + hashBytes || !checksumMatches(data, algorithm, hashBytes))
            continue;
        const entries = readEntries(data, version, hashBytes);
        if ('files' in entries)
            return entries;
        reason = entries.unreadable;
    }
    return { unreadable: reason };
}
function checksumMatches(data, algorithm, hashBytes) {
    const body = data.subarray(0, data.length - hashBytes);
    const stored = data.subarray(data.length - hashBytes);
    // index.skipHash writes zeros instead of the checksum.
    if (stored.every(byte => byte === 0))
        return true;
    return (0,external_node_crypto_namespaceObject.createHash)(algorithm).update(body).digest().equals(stored);
}
function readEntries(data, version, hashBytes) {
    const end = data.length - hashBytes;
    const count = data.readUInt32BE(8);
    const broken = { unreadable: 'an entry runs past the end of the index' };
    const files = new Set();
    let offset = 12;
    let previous = Buffer.alloc(0);
    let nameBytes = 0;
    for (let i = 0; i < count; i++) {
        const start = offset;
        const flagsAt = start + STAT_BYTES + hashBytes;
        if (flagsAt + 2 > end)
            return broken;
        const mode = data.readUInt32BE(start + 24);
        const flags = data.readUInt16BE(flagsAt);
        offset = flagsAt + 2 + (version >= 3 && flags & EXTENDED_FLAG ? 2 : 0);
        let name;
        if (version === 4) {
            // The path is the previous one, less `strip` bytes at its end, plus a NUL-ended suffix.
            const strip = readVarint(data, offset, end);
            if (!strip || strip.value > previous.length)
                return broken;
            const nul = data.indexOf(0, strip.next);
            if (nul < 0 || nul >= end)
                return broken;
            name = Buffer.concat([
                previous.subarray(0, previous.length - strip.value),
                data.subarray(strip.next, nul)
            ]);
            offset = nul + 1;
        }
        else {
            const length = flags & NAME_LENGTH_MASK;
            const nul = data.indexOf(0, offset + (length === NAME_LENGTH_MASK ? length : 0));
            if (nul < 0 || nul >= end || (length < NAME_LENGTH_MASK && nul !== offset + length)) {
                return broken;
            }
            name = data.subarray(offset, nul);
            // Each entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
            offset = start + ((nul - start + 8) & ~7);
            if (offset > end)
                return broken;
        }
        nameBytes += name.length;
        // A hostile version-4 index can make each path one byte longer than the last.
        if (name.length > MAX_NAME_BYTES || nameBytes > MAX_NAMES_PER_INDEX_BYTE * data.length) {
            return { unreadable: 'its paths are longer than any checkout holds' };
        }
        previous = name;
        if ((mode & MODE_TYPE_MASK) !== SPARSE_DIRECTORY)
            files.add(name.toString('utf8'));
    }
    // Extensions: a 4-byte signature and a 4-byte length each, up to the checksum.
    while (offset + 8 <= end) {
        const signature = data.toString('latin1', offset, offset + 4);
        if (PARTIAL_EXTENSIONS[signature])
            return { unreadable: PARTIAL_EXTENSIONS[signature] };
        offset += 8 + data.readUInt32BE(offset + 4);
    }
    if (offset !== end)
        return { unreadable: 'its extensions do not end at the checksum' };
    return { files: [...files] };
}
/** git's offset varint: each continuation adds one before shifting, so encodings are unique. */
function readVarint(data, at, end) {
    if (at >= end)
        return null;
    let byte = data[at++];
    let value = byte & 0x7f;
    while (byte & 0x80) {
        if (at >= end || value > MAX_NAME_BYTES)
            return null;
        byte = data[at++];
        value = (value + 1) * 128 + (byte & 0x7f);
    }
    return { value, next: at };
}

;// CONCATENATED MODULE: ./src/source/workspace.ts






/**
 * The checked-out files under `root`: the tracked ones, read from git's index, in a git checkout;
 * else every file found by a bounded walk. Vendored folders are left to the matcher, which skips
 * them whichever way the files were listed. No program runs (see ./git-index.ts).
 */
function listWorkspaceFiles(root, options = {}) {
    const debug = options.debug ?? (() => { });
    if (!isDirectory(root))
        return { none: `the workspace ${root} does not exist` };
    if ((0,external_node_fs_namespaceObject.existsSync)((0,external_node_path_namespaceObject.join)(root, '.git'))) {
        const listing = readGitIndex(root);
        if ('files' in listing && listing.files.length)
            return { files: listing.files };
        debug(`The git index in ${root} was not read, so the workspace is walked instead: ${'unreadable' in listing ? listing.unreadable : 'it lists no file'}.`);
    }
    const budget = performance.now() + SOURCE_LOOKUP.walkBudgetMs;
    const walked = walkWorkspace(root, options.until !== undefined && options.until < budget
        ? { at: options.until, what: `when 'timeout-minutes' ran out` }
        : { at: budget, what: `after ${SOURCE_LOOKUP.walkBudgetMs / 1000} s, its time limit` });
    if (walked.stopped) {
        debug(`The walk of ${root} listed ${walked.files.length} files, then ${walked.stopped}.`);
        return { files: walked.files, incomplete: walked.stopped };
    }
    return walked.files.length ? { files: walked.files } : { none: `the workspace ${root} is empty` };
}
/**
 * Breadth-first, without following links or entering .git and vendored folders; bounded by files,
 * by folders and by `deadline.at` (a performance.now() time). Each folder is read an entry at a time,
 * so one folder of a million entries stops at the bound too, and the queue is an array read by
 * index: taking from its front would make a wide tree cost the square of its folders.
 */
function walkWorkspace(root, deadline) {
    const skip = new Set(['.git', ...SOURCE_LOOKUP.excludedDirs]);
    const { maxWalkedFiles, maxWalkedFolders } = SOURCE_LOOKUP;
    const files = [];
    const folders = ['']; // the root, then every folder found; `next` is the one to read
    const stop = (why) => ({
        files,
        stopped: `the walk of the workspace (it has no git index) stopped ${why}`
    });
    const late = () => performance.now() >= deadline.at;
    const outOfTime = () => stop(deadline.what);
    let entries = 0;
    for (let next = 0; next < folders.length; next++) {
        if (late())
            return outOfTime();
        const dir = folders[next];
        let handle;
        try {
            handle = (0,external_node_fs_namespaceObject.opendirSync)((0,external_node_path_namespaceObject.join)(root, dir));
        }
        catch {
            continue; // unreadable: nothing of ours to find there
        }
        try {
            for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
                if (++entries % 1024 === 0 && late())
                    return outOfTime();
                const path = dir ? `${dir}/${entry.name}` : entry.name;
                if (entry.isDirectory() && !skip.has(entry.name)) {
                    if (folders.length > maxWalkedFolders) {
                        return stop(`at its limit of ${groupDigits(maxWalkedFolders)} folders`);
                    }
                    folders.push(path);
                }
                else if (entry.isFile()) {
                    if (files.length >= maxWalkedFiles) {
                        return stop(`at its limit of ${groupDigits(maxWalkedFiles)} files`);
                    }
                    files.push(path);
                }
            }
        }
        catch {
            // A folder that fails midway: keep what it gave.
        }
        finally {
            handle.closeSync();
        }
    }
    return { files };
}
function isDirectory(path) {
    try {
        return (0,external_node_fs_namespaceObject.statSync)(path).isDirectory();
    }
    catch {
        return false;
    }
}
/** Places the verdict's signatures in the checkout at `root` (GITHUB_WORKSPACE on a runner). */
function locateInWorkspace(verdict, backtraces, root, options = {}) {
    return placeSignatures(placeableSignatures(verdict.outcomes, verdict.regressions), backtraces, async () => listWorkspaceFiles(root, options));
}

;// CONCATENATED MODULE: ./src/run-gate.ts












/** One run, as the README tells it: inputs → collect → evaluate → act → publish. */
async function runGate(door) {
    const transport = createTransport();
    let state = { started: performance.now(), ...runUrl() };
    let outcome;
    try {
        const inputs = door.readInputs();
        if ('skip' in inputs) {
            outcome = { ...state, kind: 'skipped', reason: inputs.skip };
        }
        else {
            const { config } = inputs;
            // Every spelling of the key, and the token: masked in logs, scrubbed from everything published.
            for (const secret of [...config.keySecrets, config.githubToken])
                protect(secret);
            const policy = retryPolicy();
            const deadline = new Deadline(config.timeoutMinutes);
            const client = appStoreClient(config, {
                send: transport.send,
                policy,
                log: door.log,
                ...(door.debug ? { debug: door.debug } : {}),
                signal: deadline.signal
            });
            // Whatever a sink starts now overlaps the App Store Connect requests.
            state = { ...state, config, usage: client, ...door.prepare?.(config, transport.send, policy) };
            const collected = await door.phase('Fetch diagnostics from App Store Connect', () => collectWithin(deadline, client, config, door.log));
            const data = await remembered(state.history, config, collected, door);
            const { verdict, failure: judged } = verdict_judge(config, data);
            const [sources, release] = await Promise.all([
                // Point at the code: each blamed frame's line in the checked-out repository.
                config.annotateSource || config.sarifPath || config.junitPath
                    ? locateInWorkspace(verdict, data.backtraces, workspace(), {
                        debug: door.debug ?? noDebug,
                        // A walk of a workspace without git stops when the run's 'timeout-minutes' is up.
                        until: state.started + config.timeoutMinutes * 60_000
                    })
                    : undefined,
                // The release guard acts on the verdict before it is published: a pause leads the report.
                act(client, deadline, config, data, verdict, door.log, door.phase)
            ]);
            const failure = withPause(judged, release);
            outcome = { ...state, kind: 'judged', config, data, verdict, failure, release, sources };
        }
    }
    catch (error) {
        outcome = { ...state, kind: 'failed', ...explain(error, door.debug) };
    }
    // One time and duration for everything published, the history's copy of the record included.
    outcome.recorded ??= {
        generatedAt: new Date().toISOString(),
        totalMs: performance.now() - outcome.started
    };
    if (outcome.kind === 'judged' && door.remember) {
        const judged = outcome;
        // Never the run's failure: a bug here is one more warning, and the run is still published.
        const written = await door
            .phase('Record this run', () => door.remember(judged))
            .catch((error) => {
            if (error instanceof Error && error.stack)
                door.debug?.(error.stack);
            return { ok: false, warning: `The run's record was not written: ${messageOf(error)}` };
        });
        if (written)
            outcome = { ...judged, historyWrite: written };
    }
    try {
        for (const sink of door.sinks)
            await sink(outcome);
    }
    finally {
        state.history?.close();
        transport.close();
    }
    return outcome;
}
const noDebug = () => { };
/** The data with the guard's history, on a guard run with `history: branch`. */
async function remembered(store, config, data, door) {
    const place = store && historyPlace(config, data);
    if (!store || !place)
        return data;
    const history = await door.phase("Read the guard's history", () => store.read(place));
    const recorded = store.recorded();
    if ('current' in history && recorded) {
        const { previous } = recorded;
        door.log(`History on '${history.branch}': ${plural(recorded.current, 'earlier run')} of ${history.current.version}${previous ? `, ${plural(previous.runs, 'run')} of ${previous.version}` : ', no earlier version'}.`);
    }
    return { ...data, history };
}
/** The workflow run's page, when the run is on a runner. */
function runUrl() {
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env;
    return server && repo && id ? { runUrl: `${server}/${repo}/actions/runs/${id}` } : {};
}
/** The checkout: GITHUB_WORKSPACE on a runner, where the step also starts; else the folder. */
function workspace() {
    return process.env.GITHUB_WORKSPACE || process.cwd();
}
/** Our own errors are already one actionable sentence; anything else is a bug to report. */
function explain(error, debug) {
    if (error instanceof InputError)
        return { error: error.message, cause: 'input' };
    if (error instanceof ServiceError || error instanceof DataError) {
        return { error: error.message, cause: 'service' };
    }
    if (error instanceof Error && error.stack)
        debug?.(error.stack);
    return {
        error: `Unexpected error: ${messageOf(error)}. Please report it with the debug log (re-run with debug logging enabled).`,
        cause: 'unexpected'
    };
}

;// CONCATENATED MODULE: ./src/main.ts







// Log lines may carry App Store Connect data: one line each, so none can start a workflow command.
const log = (line) => info(oneLine(scrub(line), 2000));
/**
 * The GitHub Action's front door: inputs from the runner, and the GitHub sinks (outputs, job
 * summary, annotations, the pull-request comment, the job's status). The run itself is runGate,
 * which the command-line tool shares.
 */
async function run() {
    maskSecretsWith(core_setSecret);
    await runGate({
        readInputs: readInputs,
        log,
        phase: (title, work) => group(title, work),
        // The comment's lookup starts as soon as the inputs are read.
        prepare: (config, send, policy) => ({
            comment: planComment(config, send, policy),
            pullRequest: 'target' in findPullRequest(config.prNumber),
            ...(config.history ? { history: historyStore(config, send, policy) } : {})
        }),
        debug: text => core_debug(text),
        remember: writeHistory,
        sinks: GITHUB_SINKS
    });
}

;// CONCATENATED MODULE: ./src/index.ts

/* istanbul ignore next */
void run();

