#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 551:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   I$: () => (/* binding */ exitCode),
/* harmony export */   cU: () => (/* binding */ EXIT_CODES_HELP),
/* harmony export */   dc: () => (/* binding */ EXIT)
/* harmony export */ });
/** One meaning per exit status; --help and the README list them from here. */
const EXIT = {
    passed: 0,
    gateFailed: 1,
    badInput: 2,
    appStoreConnect: 3,
    bug: 4
};
const EXIT_CODES_HELP = `Exit status:
  0  passed, including no data under --no-data pass or warn, and findings that only
     report (each says why)
  1  the gate failed: a finding failed the job (a breach, a regression of a signature
     or a metric, or no data under --no-data fail)
  2  bad input or configuration (an unknown flag, a bad value, a missing or unreadable key)
  3  App Store Connect could not be read (authentication, network or server)
  4  an unexpected error: stdout could not be written (a full disk), or a bug in
     the tool, please report it`;
function exitCode(outcome) {
    switch (outcome.kind) {
        case 'judged':
            return outcome.failure ? EXIT.gateFailed : EXIT.passed;
        case 'failed':
            return outcome.cause === 'input'
                ? EXIT.badInput
                : outcome.cause === 'service'
                    ? EXIT.appStoreConnect
                    : EXIT.bug;
        case 'skipped':
            return EXIT.passed;
    }
}


/***/ }),

/***/ 486:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(992);
/* harmony import */ var _exit_codes_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(551);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(230);
// The command-line tool's entry (bin asc-diagnostics-gate, bundled as dist/cli.js).



/**
 * stdout could not be written. `asc-diagnostics-gate --help | head` closes the pipe early: that
 * is not a crash, and the status stands. Any other error (a full disk, `>/dev/full`) means the
 * output is lost: one line says so, and the status is 4, never 1 ("the gate failed").
 */
function stdoutFailed(error) {
    if (error.code === 'EPIPE')
        process.exit(process.exitCode ?? 0);
    process.stderr.write(`asc-diagnostics-gate: error: could not write to stdout (${(0,_text_js__WEBPACK_IMPORTED_MODULE_0__/* .oneLine */ .TN)(error.message, 200)}); send stdout to a file or pipe that can take it.\n`);
    process.exit(_exit_codes_js__WEBPACK_IMPORTED_MODULE_1__/* .EXIT */ .dc.bug);
}
process.stdout.on('error', stdoutFailed);
/* istanbul ignore next */
process.exitCode = await (0,_main_js__WEBPACK_IMPORTED_MODULE_2__/* .main */ .i)(process.argv.slice(2), {
    stdout: {
        isTTY: process.stdout.isTTY,
        write: (text) => {
            process.stdout.write(text);
            // A file's write fails at once (`errored` is set now, the 'error' event comes later):
            // stop here, before the run goes on as if its report had been printed.
            if (process.stdout.errored)
                stdoutFailed(process.stdout.errored);
        }
    },
    stderr: process.stderr
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 230:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  i: () => (/* binding */ main)
});

// EXTERNAL MODULE: ./node_modules/commander/index.js
var commander = __nccwpck_require__(909);
;// CONCATENATED MODULE: ./node_modules/commander/esm.mjs


// wrapper to provide named exports for ESM.
const {
  /* program */ "DM": program,
  /* createCommand */ "gu": createCommand,
  /* createArgument */ "er": createArgument,
  /* createOption */ "Ww": createOption,
  /* CommanderError */ "b7": CommanderError,
  /* InvalidArgumentError */ "Di": InvalidArgumentError,
  /* InvalidOptionArgumentError */ "a2": InvalidOptionArgumentError, // deprecated old name
  /* Command */ "uB": Command,
  /* Argument */ "ef": Argument,
  /* Option */ "c$": Option,
  /* Help */ "_V": Help,
} = commander;

;// CONCATENATED MODULE: ./src/constants.ts
// Every limit and API constant in one place, so a reviewer can audit them together.
const ACTION_NAME = 'asc-diagnostics-gate';
/** The action's repository, whose README is its documentation. */
const ACTION_URL = 'https://github.com/asc-diagnostics-gate/asc-diagnostics-gate';
/** Where the README explains what happens on a fork's pull request. */
const FORK_DOCS_URL = (/* unused pure expression or super */ null && (`${ACTION_URL}#pull-requests-from-forks`));
const DIAGNOSTIC_TYPES = ['HANGS', 'DISK_WRITES', 'LAUNCHES'];
const constants_TYPE_LABELS = {
    HANGS: 'Hangs',
    DISK_WRITES: 'Disk writes',
    LAUNCHES: 'Launches'
};
/** What a signature's weight is a share of: `Hangs: 85.0% of hang time`. */
const constants_TYPE_SHARES = {
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
const KEY_FILE_MAX_BYTES = 64 * 1024;
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
const RECORD_MAX_BYTES = 128 * 1024 * 1024;
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
const constants_HISTORY = {
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
function errors_messageOf(error) {
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

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
// EXTERNAL MODULE: ./src/text.ts
var src_text = __nccwpck_require__(992);
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
        const target = (0,external_node_path_.resolve)(path);
        const key = ignoresCase ? target.toLowerCase() : target;
        const first = owner.get(key);
        if (first) {
            problems.push(`Inputs '${first}' and '${name}' both name the file ${(0,src_text/* oneLine */.TN)(target, 300)}; give each report a path of its own.`);
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
class Inputs {
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
    const inputs = new Inputs(read);
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
    const branch = inputs.parsed('history-branch', constants_HISTORY.defaultBranch, branchName, '');
    const keepVersions = inputs.parsed('history-keep-versions', String(constants_HISTORY.defaultKeepVersions), v => integer('history-keep-versions', v, 1, constants_HISTORY.maxKeepVersions), 0);
    const confirmRuns = inputs.parsed('confirm-runs', '1', v => integer('confirm-runs', v, 1, constants_HISTORY.maxConfirmRuns), 1);
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
class transport_NetworkError extends Error {
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
            if (outcome instanceof transport_NetworkError) {
                req.destroy();
                reject(outcome);
            }
            else
                resolve(outcome);
        };
        const req = transport_open(request, agents);
        const maxBodyBytes = Math.min(request.maxBodyBytes ?? MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES);
        req.on('response', res => readResponse(res, maxBodyBytes, settle));
        const timer = setTimeout(() => settle(new transport_NetworkError(`no answer within ${Math.round(request.timeoutMs / 1000)} s`, 'timeout')), request.timeoutMs);
        req.on('error', (error) => settle(networkError(error)));
        const { signal } = request;
        if (signal) {
            const onAbort = () => settle(new transport_NetworkError('request cancelled', 'aborted'));
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
    const tooLarge = () => new transport_NetworkError(`response over ${megabytes(maxBodyBytes)} MB`, 'too-large');
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
    const cut = () => finish(new transport_NetworkError('connection closed mid-response', 'reset'));
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
        return new transport_NetworkError(error.message, 'network');
    switch (error.code) {
        case 'ECONNRESET':
            return new transport_NetworkError('connection reset', 'reset');
        case 'ECONNREFUSED':
            return new transport_NetworkError('connection refused', 'refused');
        default:
            return new transport_NetworkError(error.code ?? 'network error', 'network');
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
    if (outcome instanceof transport_NetworkError)
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
        super(last instanceof transport_NetworkError ? last.message : `HTTP ${last.status}`);
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
            throw new transport_NetworkError('request cancelled', 'aborted');
        let outcome;
        try {
            outcome = await send({ ...(await build()), signal });
        }
        catch (error) {
            if (!(error instanceof transport_NetworkError))
                throw error;
            outcome = error;
        }
        if (outcome instanceof transport_NetworkError && outcome.kind === 'aborted')
            throw outcome;
        if (!retryable(outcome)) {
            if (outcome instanceof transport_NetworkError)
                throw new RetriesExhausted(outcome, attempt, 'attempts', undefined);
            return { response: outcome, attempts: attempt };
        }
        const retryAfterMs = outcome instanceof transport_NetworkError
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
function secrets_scrub(text) {
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

;// CONCATENATED MODULE: ./src/asc/jsonapi.ts



function jsonapi_isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** An object, or undefined for anything else. */
function jsonapi_object(value) {
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
    return (0,src_text/* truncate */.xv)((0,src_text/* sanitize */.aj)(raw).trim(), cap) || undefined;
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
        throw new DataError(`App Store Connect sent ${what} with an unexpected ID: '${(0,src_text/* oneLine */.TN)(String(value), 80)}'.`);
    }
    return value;
}
/** Reads a resource; `what` names it in the error for a bad ID ("a build"). */
function resource(value, what) {
    const raw = jsonapi_object(value) ?? {};
    return {
        // Structural, but from App Store Connect all the same: it can reach an error message.
        type: jsonapi_text(raw.type, 64) ?? '',
        id: jsonapi_resourceId(raw.id, what),
        attributes: jsonapi_object(raw.attributes) ?? {},
        relationships: jsonapi_object(raw.relationships) ?? {}
    };
}
/**
 * The ID a to-one relationship names (`relationships.build.data.id`): undefined when it names
 * none, refused when it names one in a shape Apple does not use.
 */
function related(from, name) {
    const data = jsonapi_object(jsonapi_object(from.relationships[name])?.data);
    if (data?.id === undefined)
        return undefined;
    return jsonapi_resourceId(data.id, `the ${name} of ${from.type || 'a resource'} ${from.id}`);
}
/** A document's `included` resources by type and ID; entries with a bad ID are left out. */
class Included {
    byKey = new Map();
    constructor(value) {
        for (const entry of Array.isArray(value) ? value : []) {
            const raw = jsonapi_object(entry);
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
    const document = jsonapi_object(body);
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
    const document = jsonapi_object(body);
    const data = document?.data;
    if (!Array.isArray(data)) {
        throw new DataError(`App Store Connect answered ${what} without a 'data' list; the response does not match Apple's schema.`);
    }
    const next = jsonapi_object(document?.links)?.next;
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
    return objects(jsonapi_object(parsed)?.errors, MAX_ERRORS).flatMap(entry => {
        const associated = Object.values(jsonapi_object(jsonapi_object(entry.meta)?.associatedErrors) ?? {})
            .flatMap(list => objects(list, MAX_ERRORS))
            .map(errorFields)
            .filter(said)
            .slice(0, MAX_ERRORS);
        const fields = errorFields(entry);
        if (!said(fields))
            return [];
        const see = jsonapi_text(jsonapi_object(entry.links)?.see, ERROR_FIELD_CAP);
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
        this.options.debug?.((0,src_text/* oneLine */.TN)(secrets_scrub(line), 2000));
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
            throw new DataError(`App Store Connect sent a paging link that is not a URL: '${(0,src_text/* oneLine */.TN)(href, 120)}'.`);
        }
        if (this.behindProxy && url.origin === APPLE_ORIGIN) {
            url = new URL(`${this.options.baseUrl}${url.pathname}${url.search}`);
        }
        if (!this.isSameOrigin(url)) {
            throw new ServiceError(`App Store Connect sent a paging link to another origin (${(0,src_text/* oneLine */.TN)(url.origin, 80)}); the gate does not send the API token there.`);
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
        const what = `${method} ${(0,src_text/* oneLine */.TN)(url.pathname, 120)}`;
        if (!this.isSameOrigin(url)) {
            throw new ServiceError(`Refused to send the App Store Connect token to ${(0,src_text/* oneLine */.TN)(url.origin, 80)} (${what}); only ${this.origin} receives it.`);
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
                    if (!(outcome instanceof transport_NetworkError))
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
        if (!(last instanceof transport_NetworkError))
            this.noteRateLimit(last);
        const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
        if (reason === 'retry-after-too-long') {
            return new ServiceError(`App Store Connect asked to wait ${Math.round((retryAfterMs ?? 0) / 1000)} s before retrying ${what} (HTTP ${last.status}), longer than this action holds a runner; rerun the job later.`, last.status);
        }
        if (last instanceof transport_NetworkError && last.kind === 'too-large') {
            return new ServiceError(`${last.message} to ${what}, more than this action reads from App Store Connect (not retried); rerun later, and report it if it persists.`);
        }
        if (last instanceof transport_NetworkError) {
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
    return outcome instanceof transport_NetworkError ? outcome.message : `HTTP ${outcome.status}`;
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
    return secrets_scrub(text.endsWith('…') ? text : `${text}.`);
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
        throw new ServiceError(`App Store Connect answered ${what} with ${(0,src_text/* oneLine */.TN)(type || 'no content type', 60)} instead of JSON (HTTP ${response.status}); a proxy or an outage page may be in the way: rerun later.`, response.status);
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

;// CONCATENATED MODULE: ./src/versions.ts
// Marketing versions as App Store Connect spells them: 1.2 and 1.2.0 are the same version.
// The one comparison of versions for the whole code base: ordering, equality and lookups.
/** Digits and dots only: the only version text allowed into a chart or an ordering. */
const VERSION = /^\d{1,9}(\.\d{1,9}){0,5}$/;
function versions_isVersion(text) {
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
function versions_compareVersions(a, b) {
    const [validA, validB] = [versions_isVersion(a), versions_isVersion(b)];
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
    return versions_isVersion(version) ? parts(version).join('.') : version;
}
/** Whether two version strings name the same version (`1.2` and `1.2.0` do). */
function sameVersion(a, b) {
    if (a === undefined || b === undefined)
        return false;
    return versions_compareVersions(a, b) === 0;
}
/**
 * `1.2` and `1.2.0` name the same version, but Apple's filter matches exact strings: every
 * spelling, to ask for at once (the filter takes a comma list).
 */
function versionSpellings(version) {
    if (!versions_isVersion(version))
        return [version];
    const numbers = parts(version);
    const spellings = new Set([version]);
    for (let length = numbers.length; length <= 3; length++) {
        spellings.add([...numbers, ...Array(length - numbers.length).fill(0)].join('.'));
    }
    return [...spellings];
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
        throw new DataError(`App Store Connect answered ${what} with a ${(0,src_text/* oneLine */.TN)(release.type || 'resource', 60)} instead of a phased release.`);
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
        throw new ServiceError(`App ${appId} has no ${platform} version before the live ${(0,src_text/* oneLine */.TN)(live.versionString, 64)} (none is ${VERSION_STATES.replaced}), so ${input} has nothing to compare with; remove it, or give a version number.`);
    }
    return previous;
}
/** Newest first: by creation date, then by version number ("2.10" after "2.9"). */
function newestFirst(a, b) {
    const dateA = Date.parse(a.createdDate ?? '');
    const dateB = Date.parse(b.createdDate ?? '');
    if (!Number.isNaN(dateA) && !Number.isNaN(dateB) && dateA !== dateB)
        return dateB - dateA;
    return versions_compareVersions(b.versionString, a.versionString);
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
        const similar = near.map(id => (0,src_text/* oneLine */.TN)(id, 80)).slice(0, 5);
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
            throw new ServiceError(`The ${ref.which} ${ref.platform} version ${(0,src_text/* oneLine */.TN)(version.versionString, 64)} of app ${appId} has no build attached in App Store Connect, so ${input} has nothing to check.`);
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
        .map(r => `${(0,src_text/* oneLine */.TN)(r.version, 32)} (${(0,src_text/* oneLine */.TN)(r.buildNumber, 32)}) uploaded ${(0,src_text/* oneLine */.TN)(r.uploadedDate.slice(0, 10), 12)}, ${(0,src_text/* oneLine */.TN)(r.processingState, 16)}`)
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
    const what = `App Store Connect sent diagnostic logs for signature '${(0,src_text/* oneLine */.TN)(signatureId, 80)}'`;
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
        const url = httpsUrl(entry.insightsURL);
        const category = field(entry.insightsCategory);
        return [{ text, ...(url ? { url } : {}), ...(category ? { category } : {}) }];
    });
}
/**
 * An insight's link as https. Apple writes its own documentation as
 * `doc://com.apple.documentation/<path>`, which is `https://developer.apple.com/<path>`; the
 * renderer still links only Apple's hosts.
 */
function httpsUrl(value) {
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
            notFound: `App Store Connect has no logs for signature '${(0,src_text/* oneLine */.TN)(signatureId, 64)}'`,
            // Read whole and parsed at once, with 4 in flight: the cap bounds the memory.
            maxBodyBytes: LOGS_MAX_BYTES,
            ...(signal ? { signal } : {})
        });
        return { ok: true, backtrace: parseBacktrace(body, signatureId) };
    }
    catch (error) {
        return { ok: false, reason: `Backtrace unavailable: ${secrets_scrub(errors_messageOf(error))}` };
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
    const raw = jsonapi_object(item) ?? {};
    const received = jsonapi_object(raw.attributes)?.signature;
    const signature = jsonapi_text(received, FIELD_CAPS.signature) ?? '';
    const name = `${(0,src_text/* oneLine */.TN)(String(raw.id ?? '(no id)'), 80)} ('${(0,src_text/* oneLine */.TN)(signature, 100)}')`;
    if (raw.id === undefined || raw.id === '')
        throw new DataError(`App Store Connect sent a ${type} signature without an ID: ${name}.`);
    const { id, attributes } = resource(raw, `a ${type} signature ('${(0,src_text/* oneLine */.TN)(signature, 100)}')`);
    const weight = attributes.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 1) {
        throw new DataError(`Signature ${name} has weight ${(0,src_text/* describeValue */.bp)(weight)}; the gate expects a share from 0 to 1 and does not guess another scale.`);
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
    const raw = jsonapi_object(value);
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
    const document = jsonapi_object(body);
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
    const insights = jsonapi_object(document.insights);
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
    const unit = jsonapi_object(metric.unit);
    const percentile = PERCENTILE_KEYS[settings.percentile];
    const dataset = metrics_all(metric.datasets).find(d => {
        const criteria = jsonapi_object(d.filterCriteria);
        const device = jsonapi_text(criteria?.device, FIELD_CAPS.identifier);
        return (criteria?.percentile === percentile &&
            (device === undefined || device.toLowerCase() === settings.device.toLowerCase()));
    });
    if (!dataset)
        return undefined;
    const goal = jsonapi_object(dataset.recommendedMetricGoal);
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
    const point = jsonapi_object(value);
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
    const population = jsonapi_object(value);
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
        return `${id} (${(0,src_text/* plural */.LS)(points, 'version')})`;
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
            throw new DataError(`App Store Connect did not name the app of build ${(0,src_text/* oneLine */.TN)(ref.id, 80)}, so its metrics cannot be read.`);
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
            const cancelled = error instanceof transport_NetworkError && error.kind === 'aborted';
            if (!(error instanceof ServiceError || error instanceof DataError || cancelled))
                throw error;
            const unavailable = deadline?.aborted ? late('the metrics') : errors_messageOf(error);
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
        log(`${role === 'build' ? 'Build' : 'Baseline'} ${type}: ${notFound ? 'no data yet (HTTP 404 for a build that exists)' : (0,src_text/* plural */.LS)(list.signatures.length, 'signature')}${list.complete ? '' : ' (more exist)'}.`);
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
        const evaluated = list.signatures.map((signature, index) => judge(signature, index + 1, threshold, index < input.limit, previous, input.maxWeightIncrease));
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
function judge(signature, rank, threshold, reported, previous, maxIncrease) {
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
    const outcomes = settings.identifiers.map(identifier => evaluate_judge(identifier, settings, data, hasBaseline, sameDay));
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
function evaluate_judge(identifier, settings, data, hasBaseline, sameDay) {
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
    return [...window, baseline].sort((a, b) => versions_compareVersions(a.version, b.version));
}
/** Valid versions only, oldest first, one point per version (the first Apple sent). */
function orderedPoints(points) {
    const byVersion = new Map();
    for (const p of points) {
        if (versions_isVersion(p.version) && !byVersion.has(versionKey(p.version)))
            byVersion.set(versionKey(p.version), p);
    }
    return [...byVersion.values()].sort((a, b) => versions_compareVersions(a.version, b.version));
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
    const earlier = versions_isVersion(version)
        ? points.filter(p => versions_compareVersions(p.version, version) < 0)
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
    const versions = reference.versions.map(v => (0,src_text/* oneLine */.TN)(v, 64)).join(', ');
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
        parts.push(`${withUnit(o.point.value, o.unit)} on ${(0,src_text/* oneLine */.TN)(o.point.version, 64)}`);
    }
    if (o.reference && o.change !== undefined) {
        parts.push(`${changeText(o.change, o.limit)} over ${withUnit(o.reference.value, o.unit)} (${o.reference.mode === 'baseline' ? o.reference.versions.map(v => (0,src_text/* oneLine */.TN)(v, 64)).join(', ') : referenceName(o.reference)})`);
    }
    const sentence = (0,src_text/* oneLine */.TN)(parts.join(' '), 400);
    if (o.regressedByApple && !o.regressedByRule)
        return `${sentence}, flagged by Apple's regression insight`;
    return sentence;
}

;// CONCATENATED MODULE: ./src/wording.ts



// The words for findings, shared by the failure line, the annotations, the warnings and the
// report wherever they say the same thing.
/** `hangs, disk writes`: types in running text. */
function typeList(types) {
    return types.map(t => constants_TYPE_LABELS[t].toLowerCase()).join(', ');
}
/** `Hangs 'ExampleApp: …'`, or `Hangs signature '…'`: a signature named in one line. */
function signatureName(s, max, noun = '') {
    return `${constants_TYPE_LABELS[s.diagnosticType]}${noun ? ` ${noun}` : ''} '${(0,src_text/* oneLine */.TN)(s.signature, max)}'`;
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
        return `up from ${(0,src_text/* percent */.KN)(s.baselineWeight)}`;
    if (s.baselineAtMost !== undefined)
        return `up from at most ${(0,src_text/* percent */.KN)(s.baselineAtMost)} (not in the baseline's fetched list)`;
    return 'new since the baseline';
}
/** `Disk writes signature '…' is at 85.0%, above the 50% limit.` */
function breachSentence(s) {
    return `${signatureName(s, 200, 'signature')} is at ${(0,src_text/* percent */.KN)(s.weight)}, above the ${(0,src_text/* limitPercent */.bb)(s.threshold)} limit.`;
}
/** `Hangs signature '…' regressed: 41.0%, up from 29.0%.` */
function wording_regressionSentence(s) {
    return `${signatureName(s, 200, 'signature')} regressed: ${(0,src_text/* percent */.KN)(s.weight)}, ${sinceBaseline(s)}.`;
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
    return `${constants_TYPE_LABELS[subject.diagnosticType].toLowerCase()} diagnostics`;
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
            return `Apple's regression insight flags ${o.label} (${o.identifier})${o.version ? ` on ${(0,src_text/* oneLine */.TN)(o.version, 64)}` : ''}.`;
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

;// CONCATENATED MODULE: ./src/history/remember.ts

/**
 * The run of the previous version whose rollout day is nearest to `day`, with a value for
 * `metric` in `population`: between two days as near, the earlier (fewer users, as now); within
 * a day, its latest run (the figure Apple had by then). Undefined when none is within
 * `maxDistance` days, so the caller falls back to `previous` and says so.
 */
function sameDayValue(previous, metric, population, day, maxDistance = constants_HISTORY.sameDayDistance) {
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
function remember_decisiveRuns(runs) {
    const inOrder = [...runs].sort(byTime);
    const keep = new Set(inOrder.slice(-(constants_HISTORY.maxConfirmRuns - 1)));
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
                missing: `${previous.version} has no run recorded within ${constants_HISTORY.sameDayDistance} day of day ${day}`
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
        parts.push(`${(0,src_text/* plural */.LS)(breaches.length, 'diagnostic signature')} above the threshold; worst: ${signatureName(worst, 120)} at ${(0,src_text/* percent */.KN)(worst.weight)} (limit ${(0,src_text/* limitPercent */.bb)(worst.threshold)}).`);
    }
    const regressions = signaturesOf('signature-regression');
    if (regressions[0]) {
        const worst = regressions[0];
        parts.push(`${(0,src_text/* plural */.LS)(regressions.length, 'regression')} against the baseline build; worst: ${signatureName(worst, 120)} at ${(0,src_text/* percent */.KN)(worst.weight)} (${worst.change === 'new' ? 'new' : sinceBaseline(worst)}).`);
    }
    const emptyTypes = failing.flatMap(f => 'diagnosticType' in f.subject ? [f.subject.diagnosticType] : []);
    if (emptyTypes.length)
        parts.push(`${noDataYet(emptyTypes, build)}, and 'no-data' is 'fail'.`);
    const metrics = [
        ...new Set(failing.flatMap(f => f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []))
    ];
    if (metrics[0]) {
        parts.push(`${(0,src_text/* plural */.LS)(metrics.length, 'metric')} regressed${metrics.length > 1 ? '; first' : ''}: ${regressionSentence(metrics[0])}.`);
    }
    const noMetricData = failing.flatMap(f => f.kind === 'no-data' && 'metric' in f.subject ? [f.subject.metric.identifier] : []);
    const unavailable = verdict.metrics?.unavailable;
    if (noMetricData.length && unavailable) {
        parts.push(`The metrics (${noMetricData.join(', ')}) could not be read, and 'no-data' is 'fail': ${unavailable}`);
    }
    else if (noMetricData.length) {
        const version = verdict.metrics?.version;
        parts.push(`No data yet for ${noMetricData.join(', ')}${version ? ` on version ${(0,src_text/* oneLine */.TN)(version, 64)}` : ''}, and 'no-data' is 'fail'.`);
    }
    return parts.length ? parts.join(' ') : undefined;
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

;// CONCATENATED MODULE: ./src/release/act.ts





/**
 * The "act" step: decides on the version's rollout and, in pause-on-failure mode, pauses it.
 * The rollout is read again just before the PATCH, so the decision is made on its state now,
 * not as it was when the run began. Never throws for App Store Connect problems: they become
 * `error`, and the verdict and the report stay as they are.
 */
async function guardRelease(client, deadline, version, findings, mode, log) {
    // From App Store Connect: one safe line before it reaches a log line, an annotation or the report.
    const versionString = (0,src_text/* oneLine */.TN)(version.versionString, 64);
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
            error: `Could not pause ${name}: ${errors_messageOf(error)}`
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
            ? `; ${(0,src_text/* plural */.LS)(failing, 'finding')} still ${failing === 1 ? 'fails' : 'fail'} the job ('fail-after-rollout' is true)`
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

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
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
    const path = (0,external_node_path_.join)(gitDir, 'index');
    let stat;
    try {
        stat = (0,external_node_fs_.lstatSync)(path);
    }
    catch {
        return { unreadable: `${path} does not exist` };
    }
    if (!stat.isFile())
        return { unreadable: `${path} is not a regular file` };
    if (stat.size > SOURCE_LOOKUP.maxGitIndexBytes) {
        return { unreadable: `${path} is larger than ${SOURCE_LOOKUP.maxGitIndexBytes} bytes` };
    }
    return parseGitIndex((0,external_node_fs_.readFileSync)(path));
}
function findGitDir(root) {
    const dotGit = (0,external_node_path_.join)(root, '.git');
    let stat;
    try {
        stat = (0,external_node_fs_.lstatSync)(dotGit);
    }
    catch {
        return { unreadable: `${root} has no .git` };
    }
    if (stat.isDirectory())
        return dotGit;
    if (!stat.isFile() || stat.size > 4096)
        return { unreadable: `${dotGit} is not a git folder` };
    // A worktree or a submodule: `gitdir: <path>`, relative to the checkout.
    const match = /^gitdir: ?(.+?)\s*$/m.exec((0,external_node_fs_.readFileSync)(dotGit, 'utf8'));
    if (!match)
        return { unreadable: `${dotGit} names no gitdir` };
    return (0,external_node_path_.isAbsolute)(match[1]) ? match[1] : (0,external_node_path_.resolve)(root, match[1]);
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
                    reason: `${(0,src_text/* plural */.LS)(matches.length, 'file')} in the repository end with ${suffix} (${listed}), and the frame does not say which`
                };
            }
        }
        return { ok: false, reason: `no file in the repository is named ${name}` };
    }
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
    if ((0,external_node_fs_.existsSync)((0,external_node_path_.join)(root, '.git'))) {
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
            handle = (0,external_node_fs_.opendirSync)((0,external_node_path_.join)(root, dir));
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
                        return stop(`at its limit of ${(0,src_text/* groupDigits */.K9)(maxWalkedFolders)} folders`);
                    }
                    folders.push(path);
                }
                else if (entry.isFile()) {
                    if (files.length >= maxWalkedFiles) {
                        return stop(`at its limit of ${(0,src_text/* groupDigits */.K9)(maxWalkedFiles)} files`);
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
        return (0,external_node_fs_.statSync)(path).isDirectory();
    }
    catch {
        return false;
    }
}
/** Places the verdict's signatures in the checkout at `root` (GITHUB_WORKSPACE on a runner). */
function locateInWorkspace(verdict, backtraces, root, options = {}) {
    return placeSignatures(placeableSignatures(verdict.outcomes, verdict.regressions), backtraces, async () => listWorkspaceFiles(root, options));
}

;// CONCATENATED MODULE: external "node:timers/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers/promises");
;// CONCATENATED MODULE: ./src/history/layout.ts



/** A path segment from App Store Connect text: only what every file system takes as it is. */
function layout_segment(text) {
    const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    return safe.slice(0, 64) || '_';
}
function layout_appFolder(appId, platform) {
    return `${layout_segment(appId)}-${layout_segment(platform.toLowerCase())}`;
}
function versionFolder(appId, platform, version) {
    return `${layout_appFolder(appId, platform)}/${layout_segment(version)}`;
}
/** `runs/2026-12-02T10-00-00.123Z.json`: the UTC time, with colons no file system minds. */
function runFile(generatedAt) {
    return `runs/${layout_segment(generatedAt.replace(/:/g, '-'))}.json`;
}
/**
 * The index with `entry` added in time order (a run written twice is listed once), capped. Once
 * the rollout is complete, its first complete run stays the last: the guard keeps running while
 * the version is live, and those runs must not push the rollout's days out of the index.
 */
function layout_withRun(index, entry) {
    if (entry.state === 'COMPLETE' && index.runs.some(r => r.state === 'COMPLETE'))
        return index;
    const runs = [...index.runs.filter(r => r.file !== entry.file), entry].sort(byTime);
    return { version: index.version, runs: runs.slice(-constants_HISTORY.maxRunsPerVersion) };
}
/**
 * The version folders to remove so that `keep` remain: the oldest by version order, never the
 * one being written. Folders whose names are not versions are left alone.
 */
function layout_foldersToPrune(versions, current, keep) {
    const ordered = versions.filter(v => isVersion(v) && v !== layout_segment(current)).sort(compareVersions);
    const room = Math.max(0, keep - 1);
    return ordered.slice(0, Math.max(0, ordered.length - room));
}

;// CONCATENATED MODULE: ./src/history/snapshot.ts





/** The head and its root folder: 3 round trips, 1 when the branch does not exist yet. */
async function snapshot_readHead(call, branch) {
    const ref = await call('GET', `git/ref/heads/${branch}`);
    // 404: no such branch yet; 409: a repository without a single commit.
    if (ref.status === 404 || ref.status === 409)
        return { ok: true, at: { root: [] } };
    if (ref.status !== 200)
        return { ok: false, refusal: snapshot_refusalOf(ref) };
    const head = sha(snapshot_object(snapshot_object(ref.body).object).sha);
    const commit = head && (await call('GET', `git/commits/${head}`));
    if (!commit || commit.status !== 200)
        return { ok: false, refusal: snapshot_refusalOf(commit || ref) };
    const tree = sha(snapshot_object(snapshot_object(commit.body).tree).sha);
    if (!tree)
        return { ok: false, refusal: snapshot_refusalOf(commit) };
    const root = await entries(call, tree);
    if ('refusal' in root)
        return { ok: false, refusal: root.refusal };
    return { ok: true, at: { head, tree, root: root.list } };
}
/**
 * From the head, the app's version folders and the indexes of `version` and the one before it:
 * 3 round trips (the app's folder, the two version folders, their indexes), none for a new app.
 */
async function snapshot_readVersions(call, at, appFolder, version) {
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
async function snapshot_readSnapshot(call, branch, appFolder, version) {
    const head = await snapshot_readHead(call, branch);
    return head.ok ? snapshot_readVersions(call, head.at, appFolder, version) : head;
}
async function entries(call, tree) {
    const answer = await call('GET', `git/trees/${tree}`);
    if (answer.status !== 200)
        return { refusal: snapshot_refusalOf(answer) };
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
        return { refusal: snapshot_refusalOf(blob) };
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
    if (findings.length > constants_HISTORY.maxFindingsPerRun || !findings.every(f => text(f, FINDING)))
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
function snapshot_refusalOf(answer, step = 'read') {
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
async function branch_appendRun(call, run, first) {
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
            await delay(HISTORY.retryDelayMs * (1 + Math.random()));
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
        return written(run, tree);
    const commit = await call('POST', 'git/commits', {
        message: `asc-diagnostics-gate: ${folder}/${run.file}`,
        tree: object(tree.body).sha,
        parents: at.head ? [at.head] : []
    });
    if (commit.status !== 201)
        return written(run, commit);
    const sha = String(object(commit.body).sha ?? '');
    const moved = at.head
        ? await call('PATCH', `git/refs/heads/${run.branch}`, { sha, force: false })
        : await call('POST', 'git/refs', { ref: `refs/heads/${run.branch}`, sha });
    if (moved.status !== 200 && moved.status !== 201) {
        // A lost race, only when another run did move the branch (or create it) since it was read;
        // a protected branch or a ruleset also answers 422, and that is GitHub's answer to give.
        const lost = (moved.status === 422 || moved.status === 409) && (await movedSince(call, run, at));
        return lost ? 'race' : written(run, moved);
    }
    return { ok: true, commit: sha, pruned };
}
async function movedSince(call, run, at) {
    const ref = await call('GET', `git/ref/heads/${run.branch}`);
    if (ref.status !== 200)
        return false;
    return object(object(ref.body).object).sha !== at.head;
}
function written(run, answer) {
    return { ok: false, warning: notWritten(run.branch, refusalOf(answer, 'write')) };
}
/** The warning for a write that did not land, naming the permission when GitHub refused it. */
function notWritten(branch, refusal) {
    return `The run's record was not written to the '${branch}' branch: ${branch_github(refusal)}.${branch_permissionHint(refusal)}`;
}
/** "GitHub answered HTTP 403 (Resource not accessible by integration)". */
function branch_github(refusal) {
    const message = refusal.message ? ` (${oneLine(refusal.message, 200)})` : '';
    return `GitHub answered HTTP ${refusal.status}${message}`;
}
/** GitHub answers a token without the permission with 403 (404 for a private repository). */
function branch_permissionHint(refusal) {
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
            return { ok: false, warning: `The run's record was not written: ${errors_messageOf(error)}` };
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
        door.log(`History on '${history.branch}': ${(0,src_text/* plural */.LS)(recorded.current, 'earlier run')} of ${history.current.version}${previous ? `, ${(0,src_text/* plural */.LS)(previous.runs, 'run')} of ${previous.version}` : ', no earlier version'}.`);
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
        error: `Unexpected error: ${errors_messageOf(error)}. Please report it with the debug log (re-run with debug logging enabled).`,
        cause: 'unexpected'
    };
}

// EXTERNAL MODULE: ./src/cli/exit-codes.ts
var exit_codes = __nccwpck_require__(551);
;// CONCATENATED MODULE: ./src/config/bounded-file.ts


/**
 * The text of the file `path`, read only when it is a regular file (or a link to one) of at most
 * `maxBytes`, so a FIFO cannot hang the run and a device or a huge file cannot fill the memory.
 * `refuse` turns the reason ("is a directory, not a file") into the caller's error; no reason
 * includes the contents.
 */
function readBoundedFile(path, maxBytes, refuse) {
    const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MB` : `${maxBytes / 1024} KB`;
    let found;
    try {
        const link = (0,external_node_fs_.lstatSync)(path);
        found = link.isSymbolicLink() ? (0,external_node_fs_.statSync)(path) : link;
    }
    catch (error) {
        throw refuse(`cannot be read (${errorCode(error)})`);
    }
    const unfit = notARegularFile(found, maxBytes, limit);
    if (unfit)
        throw refuse(unfit);
    // Opened without blocking and checked again: the path may have been swapped since the lstat.
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(path, external_node_fs_.constants.O_RDONLY | (external_node_fs_.constants.O_NONBLOCK ?? 0));
    }
    catch (error) {
        throw refuse(`cannot be read (${errorCode(error)})`);
    }
    let refused;
    try {
        const opened = notARegularFile((0,external_node_fs_.fstatSync)(fd), maxBytes, limit);
        if (opened)
            throw (refused = refuse(opened));
        // One byte past the limit tells a file that grew since its stat from one that fits.
        const buffer = Buffer.alloc(Math.min(maxBytes, (0,external_node_fs_.fstatSync)(fd).size) + 1);
        let length = 0;
        for (let read = -1; read !== 0 && length < buffer.length; length += read) {
            read = (0,external_node_fs_.readSync)(fd, buffer, length, buffer.length - length, null);
        }
        if (length > maxBytes || length === buffer.length) {
            throw (refused = refuse(length > maxBytes ? `is larger than ${limit}` : 'grew while it was read'));
        }
        return buffer.toString('utf8', 0, length);
    }
    catch (error) {
        throw error === refused ? error : refuse(`cannot be read (${errorCode(error)})`);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** Why `stats` is not a file to read, or undefined when it is a regular file that fits. */
function notARegularFile(stats, maxBytes, limit) {
    if (stats.isFIFO())
        return 'is a FIFO, not a file';
    if (stats.isDirectory())
        return 'is a directory, not a file';
    if (stats.isCharacterDevice())
        return 'is a character device, not a file';
    if (stats.isBlockDevice())
        return 'is a block device, not a file';
    if (stats.isSocket())
        return 'is a socket, not a file';
    if (!stats.isFile())
        return 'is not a regular file';
    if (stats.size > maxBytes)
        return `is larger than ${limit}`;
    return undefined;
}
function errorCode(error) {
    return error.code ?? errors_messageOf(error);
}

;// CONCATENATED MODULE: ./src/config/key-file.ts



/**
 * The text of the key file `path`, which the variable `name` names: read only when it is a
 * regular file (or a link to one) of at most KEY_FILE_MAX_BYTES (see readBoundedFile). Messages
 * never include the contents.
 */
function readKeyFile(path, name) {
    const refuse = (reason) => new InputError(`${name} names '${path.slice(0, 200)}', which ${reason}; point it at the AuthKey_<KEYID>.p8 file.`);
    const text = readBoundedFile(path, KEY_FILE_MAX_BYTES, refuse);
    // Not "the key is required", as if the variable were unset: the file is there, and empty.
    if (!text.trim())
        throw refuse('is empty');
    return text;
}

;// CONCATENATED MODULE: ./src/cli/flags.ts





// Every action input is a flag of the same name, read from action.yml at build time (see
// scripts/cli-inputs.mjs), with these exceptions:
// - the inputs that only mean something on GitHub (the pull-request comment, the history
//   branch) have no flag;
// - `version` is `--app-version`, since `--version` prints the tool's version;
// - the key is never a flag: flags end up in shell history and process lists.
/** Inputs for what only GitHub shows (the comment, annotations): the tool never writes them. */
const GITHUB_ONLY_INPUTS = [
    'comment',
    'comment-header',
    'pr-number',
    'github-token',
    // Annotations on the blamed lines: the tool writes no annotations (SARIF and JUnit still
    // point at the lines, as in the action).
    'annotate-source',
    // The guard's history lives on a branch of the workflow's repository, written with its token.
    'history',
    'history-branch',
    'history-keep-versions'
];
const RENAMED = { version: 'app-version' };
const KEY = 'private-key';
/** Where the tool differs from the action: it writes no report file unless asked to. */
const DESCRIBED = {
    'report-path': 'Where to write the full JSON report, the decision record replay reads (the same file as the action writes); none when empty.'
};
/**
 * The environment variable of each flag: ASC_GATE_ and the flag's name in upper case with
 * underscores (--build-id: ASC_GATE_BUILD_ID), except the API key's parts, which keep the names
 * App Store Connect tooling uses.
 */
const KEY_ENV = {
    issuerId: 'ASC_ISSUER_ID',
    keyId: 'ASC_KEY_ID',
    privateKey: 'ASC_PRIVATE_KEY',
    privateKeyPath: 'ASC_PRIVATE_KEY_PATH'
};
const ENV_OF_INPUT = {
    'issuer-id': KEY_ENV.issuerId,
    'key-id': KEY_ENV.keyId
};
function envName(flag) {
    return `ASC_GATE_${flag.toUpperCase().replace(/-/g, '_')}`;
}
const flagged = ACTION_INPUTS.filter(input => input.name !== KEY && !GITHUB_ONLY_INPUTS.includes(input.name));
const flagName = (input) => RENAMED[input] ?? input;
/** action.yml's words, with the other inputs it mentions (those with a dash) as flags. */
function flags_describe(input, description) {
    const names = flagged.map(i => i.name).filter(name => name.includes('-'));
    const mentioned = new RegExp(`(?<![\\w-])(${names.join('|')})(?![\\w-])`, 'g');
    return (DESCRIBED[input] ?? description)
        .replace(mentioned, name => `--${flagName(name)}`)
        .replace(/\bwith version live\b/g, 'with --app-version live');
}
const FLAGS = flagged.map(input => ({
    input: input.name,
    flag: flagName(input.name),
    env: ENV_OF_INPUT[input.name] ?? envName(flagName(input.name)),
    description: flags_describe(input.name, input.description),
    default: input.default
}));
/**
 * Parses `args` with `command`; the exit status when parsing ends the run (help or the version
 * printed: 0; a bad flag: 2, with commander's message), undefined when the run goes on.
 */
function parseArguments(command, args) {
    try {
        command.parse([...args], { from: 'user' });
        return undefined;
    }
    catch (error) {
        if (!(error instanceof CommanderError))
            throw error;
        const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
        return done.includes(error.code) ? exit_codes/* EXIT */.dc.passed : exit_codes/* EXIT */.dc.badInput;
    }
}
/**
 * The value of each flag commander parsed, by the input it sets, when `keep` accepts it with
 * where it came from ('cli', 'env', 'default').
 */
function flagValues(command, keep) {
    const values = new Map();
    for (const flag of FLAGS) {
        const option = command.options.find(o => o.long === `--${flag.flag}`);
        if (!option)
            continue;
        const name = option.attributeName();
        const value = command.getOptionValue(name);
        if (keep(command.getOptionValueSource(name), flag, value))
            values.set(flag.input, String(value));
    }
    return values;
}
/**
 * The inputs as the action's parser reads them: a flag's value (commander already took the
 * environment variable or action.yml's default when the flag was not given), the key from the
 * environment, and the comment and annotations turned off.
 */
function inputReader(values, env) {
    return name => {
        if (name === KEY)
            return privateKey(env);
        if (name === 'comment' || name === 'annotate-source')
            return 'false';
        return values.get(name) ?? '';
    };
}
/** ASC_PRIVATE_KEY, or the contents of the file ASC_PRIVATE_KEY_PATH names. */
function privateKey(env) {
    const inline = env[KEY_ENV.privateKey] ?? '';
    const path = (env[KEY_ENV.privateKeyPath] ?? '').trim();
    if (inline.trim() && path) {
        throw new InputError(`Both ${KEY_ENV.privateKey} and ${KEY_ENV.privateKeyPath} are set; set only one.`);
    }
    // Only a small regular file is read: not a FIFO, a device or a directory (see readKeyFile).
    return path ? readKeyFile(path, KEY_ENV.privateKeyPath) : inline;
}
/**
 * The parser's message with the command line's names: `Input 'version'` becomes
 * `Option --app-version`, and the key is named by its environment variables.
 */
function forCommandLine(message, env) {
    const keyName = (env[KEY_ENV.privateKeyPath] ?? '').trim()
        ? KEY_ENV.privateKeyPath
        : KEY_ENV.privateKey;
    const names = new Map(FLAGS.map(f => [f.input, f]));
    return (message
        .replace(`Input '${KEY}' is required: paste the contents of the AuthKey_<KEYID>.p8 file (for example from a secret).`, `The API key is required: set ${KEY_ENV.privateKey} to the contents of the AuthKey_<KEYID>.p8 file, or ${KEY_ENV.privateKeyPath} to its path.`)
        .replace(new RegExp(`Input '${KEY}'`, 'g'), `The key in ${keyName}`)
        .replace(new RegExp(`'${KEY}'`, 'g'), keyName)
        // A quoted value ("is 'limit'") stays as it is, even when it spells an input's name.
        .replace(/(Inputs? )?(?<!\b(?:is|has) )'([a-z-]+)'/g, (whole, prefix, name) => {
        const flag = names.get(name);
        if (!flag)
            return whole;
        const env = ENV_OF_INPUT[name] ? ` (or ${ENV_OF_INPUT[name]})` : '';
        const option = `--${flag.flag}${env}`;
        if (!prefix)
            return option;
        return prefix === 'Input ' ? `Option ${option}` : `Options ${option}`;
    }));
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
        findings: [...new Set(findings)].slice(0, constants_HISTORY.maxFindingsPerRun),
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
        `limit: +${(0,src_text/* limitPercent */.bb)(maxIncrease)} over the reference`
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
    const label = constants_TYPE_LABELS[outcome.type];
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
        `weight: ${(0,src_text/* percent */.KN)(s.weight)} of ${constants_TYPE_SHARES[s.diagnosticType]} (rank ${s.rank})`,
        `limit: ${(0,src_text/* limitPercent */.bb)(s.threshold)}${s.breached ? ' (above it)' : ''}`
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
        .replace(src_text/* VIEWER_UNSAFE */.gU, c => `&#x${c.charCodeAt(0).toString(16)};`);
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
    const label = constants_TYPE_LABELS[type].toLowerCase();
    return {
        id: typeRuleId(type),
        name: TYPE_HELP[type].name,
        short: `A ${label} signature is above its threshold or regressed against the baseline.`,
        full: `App Store Connect's field diagnostics group ${label} by signature, each with its share of the build's ${constants_TYPE_SHARES[type]}. This signature's share is above the threshold set for the gate, or rose by more than the allowed increase over the baseline build.`,
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
    return `${(0,src_text/* safeJson */.oi)(log, 2)}\n`;
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
const WRITE_FLAGS = external_node_fs_.constants.O_WRONLY | external_node_fs_.constants.O_CREAT | external_node_fs_.constants.O_TRUNC | (external_node_fs_.constants.O_NOFOLLOW ?? 0);
/**
 * Writes a report file, scrubbed of secrets; returns its absolute path. A pull request's tree
 * can plant links in the workspace, so the file is never written through one: neither a link at
 * the target nor one among its folders inside the workspace (which are created as needed).
 */
function writeTextFile(path, text, input) {
    const target = (0,external_node_path_.resolve)(path);
    makeFolders(target, input);
    if (isLink(target))
        throw linkRefused(target, input);
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(target, WRITE_FLAGS, 0o666);
    }
    catch (error) {
        if (error.code === 'ELOOP')
            throw linkRefused(target, input);
        throw error;
    }
    try {
        // Secrets are base64 or token characters, so replacing them keeps JSON and XML valid.
        (0,external_node_fs_.writeFileSync)(fd, secrets_scrub(text));
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
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
    const roots = given ? [(0,external_node_path_.resolve)(given), realPath((0,external_node_path_.resolve)(given))] : [];
    return [...new Set([...roots, process.cwd()])];
}
function realPath(path) {
    try {
        return (0,external_node_fs_.realpathSync)(path);
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
    const found = inWorkspace((0,external_node_path_.dirname)(target));
    if (!found) {
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(target), { recursive: true });
        return;
    }
    let folder = found.root;
    for (const part of found.inside.split(external_node_path_.sep).filter(Boolean)) {
        folder = (0,external_node_path_.join)(folder, part);
        try {
            (0,external_node_fs_.mkdirSync)(folder);
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
    const inside = (0,external_node_path_.relative)(root, path);
    return inside === '..' || inside.startsWith(`..${external_node_path_.sep}`) || (0,external_node_path_.isAbsolute)(inside) ? undefined : inside;
}
function isLink(path) {
    try {
        return (0,external_node_fs_.lstatSync)(path).isSymbolicLink();
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
        warnings.push(secrets_scrub(data.history.unavailable));
    const build = data.current.build.label ?? data.current.build.id;
    for (const f of verdict.findings) {
        if (f.kind === 'no-data' && !f.failsJob)
            warnings.push(secrets_scrub(findingSentence(f, build)));
    }
    // The first in the report's order (type by type, heaviest first), not in the order they arrived.
    const unavailable = verdict.outcomes
        .flatMap(o => o.shown)
        .flatMap(s => {
        const result = data.backtraces.get(s.id);
        return result && !result.ok ? [result.reason] : [];
    });
    if (unavailable.length) {
        warnings.push(secrets_scrub(`${unavailable.length} of ${data.backtraces.size} backtraces are unavailable; the verdict does not depend on them. First: ${unavailable[0]}`));
    }
    const baselineEmpty = [...(data.baseline?.lists.values() ?? [])]
        .filter(list => list.signatures.length === 0)
        .map(list => constants_TYPE_LABELS[list.type].toLowerCase());
    if (data.baseline && baselineEmpty.length) {
        warnings.push(`The baseline build ${data.baseline.build.id} has no ${baselineEmpty.join(', ')} diagnostics, so ${baselineEmpty.length === 1 ? 'that type was' : 'those types were'} not compared with it.`);
    }
    if (data.baseline && data.baseline.build.id === data.current.build.id) {
        warnings.push('The baseline is the same build as the one gated, so nothing can regress.');
    }
    return warnings;
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
    return writeTextFile(path ?? (0,external_node_path_.join)(process.env.RUNNER_TEMP || (0,external_node_os_namespaceObject.tmpdir)(), `${ACTION_NAME}-report.json`), recordJson(report), 'report-path');
}
/** A record as its file holds it; writeTextFile scrubs what it writes. */
function recordJson(report) {
    return `${(0,src_text/* safeJson */.oi)(report, 2)}\n`;
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

;// CONCATENATED MODULE: ./src/report/markdown.ts
// Untrusted text in Markdown: everything from App Store Connect must display literally,
// never as HTML, links, mentions, table structure, or a forged sticky-comment marker.


const ZWSP = '\u200b';
/** The shared sanitizer: controls and line breaks become spaces (one cell, one line), bidi goes. */
const flatten = src_text/* sanitize */.aj;
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
    const value = (0,src_text/* truncate */.xv)(defuseComments(flatten(text)), maxLength);
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
    const parsed = markdown_httpsUrl(url);
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
    const parsed = markdown_httpsUrl(url);
    if (parsed && LINK_ORIGINS.includes(parsed.origin))
        return markdown_link(label, url);
    return `${markdown_text(label)}: ${markdown_text((0,src_text/* truncate */.xv)(url, 200))}`;
}
function markdown_httpsUrl(url) {
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
        return versions_isVersion(p.version) && p.version.length <= 32 && value !== undefined
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
        `Apple's power and performance metrics for version ${version}, ${settings.percentile} on ${code(settings.device)}. A metric regresses when it rose more than ${(0,src_text/* limitPercent */.bb)(settings.maxIncrease)} over the reference and the error margins do not overlap.`,
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
    const current = population(layout_withRun(memory.current, history.thisRun));
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
        signatures('breach') ? (0,src_text/* plural */.LS)(signatures('breach'), 'breach', 'breaches') : '',
        signatures('signature-regression')
            ? (0,src_text/* plural */.LS)(signatures('signature-regression'), 'regression')
            : '',
        metrics ? (0,src_text/* plural */.LS)(metrics, 'metric regression') : '',
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
            constants_TYPE_LABELS[s.diagnosticType],
            codeCell(s.signature),
            (0,src_text/* percent */.KN)(s.weight),
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
                constants_TYPE_LABELS[s.diagnosticType],
                codeCell(s.signature),
                (0,src_text/* percent */.KN)(s.weight),
                (0,src_text/* limitPercent */.bb)(s.threshold)
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
        return (0,src_text/* percent */.KN)(s.baselineWeight);
    return s.baselineAtMost === undefined ? '' : `≤ ${(0,src_text/* percent */.KN)(s.baselineAtMost)}`;
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
            return `= ${(0,src_text/* percent */.KN)(s.weight)}`;
        case 'up':
            return `↑ from ${(0,src_text/* percent */.KN)(s.baselineWeight ?? 0)}`;
        case 'down':
            return `↓ from ${(0,src_text/* percent */.KN)(s.baselineWeight ?? 0)}`;
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
        .map(r => `${markdown_text(r.version)}: ${r.value >= 0 && r.value <= 1 ? (0,src_text/* percent */.KN)(r.value) : markdown_text(String(r.value))}`);
    return [arrow, refs.join(', ')].filter(Boolean).join(' ');
}
function typeSection(outcome, verdict, context, detail) {
    const label = constants_TYPE_LABELS[outcome.type];
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
        `${constants_TYPE_LABELS[outcome.type]}: top ${rows}${outcome.complete ? ` of ${outcome.fetched}` : ''}`,
        breached
            ? `${breached} above ${(0,src_text/* limitPercent */.bb)(outcome.threshold)}`
            : `limit ${(0,src_text/* limitPercent */.bb)(outcome.threshold)}`
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
            (0,src_text/* percent */.KN)(s.weight),
            (0,src_text/* limitPercent */.bb)(s.threshold),
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
        return `This build has more than ${outcome.fetched} ${constants_TYPE_LABELS[outcome.type].toLowerCase()} signatures, so none of the baseline's can be called gone.`;
    }
    if (outcome.gone.length === 0)
        return '';
    const items = outcome.gone
        .slice(0, TOP_ROWS)
        .map((s) => `${code(s.signature)} (${(0,src_text/* percent */.KN)(s.weight)})`);
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
    const elided = (n) => `… ${(0,src_text/* plural */.LS)(n, 'frame')} …`;
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
        .map(t => `${constants_TYPE_LABELS[t].toLowerCase()} ${(0,src_text/* limitPercent */.bb)(context.thresholds[t])}`)
        .join(', ');
    const parts = [`Thresholds: ${thresholds}`];
    if (verdict.hasBaseline)
        parts.push(`max rise over baseline ${Number((context.maxWeightIncrease * 100).toFixed(2))} points`);
    const { remaining, limit } = context.rateLimit ?? {};
    if (remaining !== undefined) {
        parts.push(`App Store Connect budget left: ${(0,src_text/* groupDigits */.K9)(remaining)}${limit ? ` of ${(0,src_text/* groupDigits */.K9)(limit)}` : ''} requests this hour`);
    }
    return `<sub>${parts.join(' · ')}</sub>`;
}

;// CONCATENATED MODULE: ./src/cli/terminal.ts
// The terminal report is the Markdown report, re-laid out for a terminal: the same sections in
// the same order with the same words, by construction, including any section the Markdown
// report gains later. It reads only the Markdown subset src/report/ writes. Everything from App
// Store Connect was sanitized on its way into the Markdown (no control characters, so no escape
// sequence can reach the terminal); this only removes Markdown's escaping and adds colour.
const sgr = (open, close) => (text) => `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURS = {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    green: sgr(32, 39)
};
const same = (text) => text;
const PLAIN = { bold: same, dim: same, red: same, yellow: same, green: same };
/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a non-terminal. */
function paletteFor(isTTY, env) {
    return isTTY && !env.NO_COLOR ? COLOURS : PLAIN;
}
/** A table cell's longest shown width: signatures can be 400 characters long. */
const MAX_CELL = 100;
const INDENT = '  ';
/** The Markdown report as terminal text. */
function terminalReport(markdown, palette) {
    const lines = markdown.replace(/\n+$/, '').split('\n');
    const out = [];
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const fence = /^(`{3,})(\w*)$/.exec(line);
        if (fence) {
            const end = lines.indexOf(fence[1], i + 1);
            const body = lines.slice(i + 1, end < 0 ? undefined : end);
            if (fence[2] === 'mermaid')
                out.push(...chart(body, palette));
            else
                out.push(...body.map(code => `${INDENT}${INDENT}${palette.dim(code.replace(/\u200b/g, ''))}`));
            i = end < 0 ? lines.length : end;
            continue;
        }
        if (line.startsWith('|')) {
            let end = i;
            while (end < lines.length && lines[end].startsWith('|'))
                end++;
            out.push(...terminal_table(lines.slice(i, end), palette));
            i = end - 1;
            continue;
        }
        out.push(block(line, palette));
    }
    return `${collapseBlankLines(out).join('\n')}\n`;
}
function block(line, palette) {
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
        const text = inline(heading[2]);
        return heading[1].length <= 3 ? tone(text, palette, palette.bold) : palette.bold(text);
    }
    const summary = /^<details><summary>(.*)<\/summary>$/.exec(line);
    if (summary)
        return palette.bold(inline(summary[1]));
    if (line === '</details>' || line === '<details>')
        return '';
    const small = /^<sub>(.*)<\/sub>$/.exec(line);
    if (small)
        return palette.dim(inline(small[1]));
    return line === '' ? '' : inline(line);
}
const BARS = '▁▂▃▄▅▆▇█';
/**
 * A Mermaid xychart (the report's metric charts) as its title and one sparkline bar per
 * x value with the value beside it; any other diagram is left to the Markdown report.
 */
function chart(body, palette) {
    const source = body.join('\n');
    const title = /^\s*title "(.*)"$/m.exec(source)?.[1];
    const list = (key) => (new RegExp(`^\\s*${key} \\[(.*)\\]$`, 'm').exec(source)?.[1] ?? '')
        .split(',')
        .map(item => item.trim().replace(/^"|"$/g, ''))
        .filter(Boolean);
    const labels = list('x-axis');
    const values = list('(?:line|bar)').map(Number);
    if (!/^\s*xychart/m.test(source) || labels.length !== values.length || values.some(isNaN)) {
        return [`${INDENT}${palette.dim('(a chart: --format markdown has it)')}`];
    }
    const low = Math.min(...values);
    const span = Math.max(...values) - low || 1;
    const width = Math.max(...labels.map(label => label.length));
    return [
        `${INDENT}${title ?? ''}`,
        ...labels.map((label, index) => {
            const bar = BARS[Math.round(((values[index] - low) / span) * (BARS.length - 1))];
            return `${INDENT}${INDENT}${label.padEnd(width)}  ${bar} ${values[index]}`;
        })
    ];
}
/** Red for a failure, yellow for a warning, green for a pass: the report's own emoji say which. */
function tone(text, palette, base = same) {
    if (text.includes('❌'))
        return palette.red(base(text));
    if (text.includes('⚠️'))
        return palette.yellow(base(text));
    if (text.includes('✅'))
        return palette.green(base(text));
    return base(text);
}
function terminal_table(rows, palette) {
    const cells = rows.map(splitRow);
    const alignRow = cells.findIndex(row => row.every(cell => /^:?-+:?$/.test(cell)));
    const right = alignRow < 0 ? [] : cells[alignRow].map(cell => cell.endsWith(':'));
    const body = cells
        .filter((_, index) => index !== alignRow)
        .map(row => row.map(cell => clip(inline(cell))));
    const widths = [];
    for (const row of body)
        row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, width(cell))));
    return body.map((row, r) => {
        const padded = row.map((cell, c) => {
            const gap = ' '.repeat((widths[c] ?? 0) - width(cell));
            return right[c] ? gap + cell : cell + gap;
        });
        const line = `${INDENT}${padded.join('  ').trimEnd()}`;
        return r === 0 && alignRow === 1 ? palette.dim(line) : tone(line, palette);
    });
}
/** The cells of `| a | b |`; a pipe escaped as `\|` stays in its cell. */
function splitRow(row) {
    const cells = [];
    let cell = '';
    for (let i = 1; i < row.length; i++) {
        const char = row[i];
        if (char === '\\' && row[i + 1] === '|') {
            cell += '\\|';
            i++;
        }
        else if (char === '|') {
            cells.push(cell.trim());
            cell = '';
        }
        else {
            cell += char;
        }
    }
    return cells;
}
const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' };
/** Markdown inline text as plain text: code spans, escapes, emphasis, links, entities. */
function inline(markdown) {
    let out = '';
    for (let i = 0; i < markdown.length;) {
        const char = markdown[i];
        if (char === '`') {
            const run = /^`+/.exec(markdown.slice(i))[0];
            const close = findRun(markdown, run.length, i + run.length);
            if (close >= 0) {
                let content = markdown.slice(i + run.length, close);
                if (content.length > 1 && content.startsWith(' ') && content.endsWith(' '))
                    content = content.slice(1, -1);
                out += content.replace(/\\\|/g, '|');
                i = close + run.length;
                continue;
            }
            out += run;
            i += run.length;
            continue;
        }
        if (char === '\\' && i + 1 < markdown.length) {
            out += markdown[i + 1];
            i += 2;
            continue;
        }
        if (char === '*') {
            i++;
            continue;
        }
        if (char === '[') {
            const link = /^\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)/.exec(markdown.slice(i));
            if (link) {
                // The address as the Markdown holds it (percent-encoded): decoding could bring back control bytes.
                out += `${inline(link[1])} (${link[2]})`;
                i += link[0].length;
                continue;
            }
        }
        if (char === '&') {
            const entity = /^&[a-z]+;/.exec(markdown.slice(i));
            if (entity && ENTITIES[entity[0]]) {
                out += ENTITIES[entity[0]];
                i += entity[0].length;
                continue;
            }
        }
        out += char;
        i++;
    }
    // The zero-width spaces that keep GitHub from linking or mentioning have no use here.
    return out.replace(/\u200b/g, '');
}
/** Where the next run of exactly `length` backticks starts, or -1. */
function findRun(text, length, from) {
    const pattern = /`+/g;
    pattern.lastIndex = from;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        if (match[0].length === length)
            return match.index;
    }
    return -1;
}
function clip(text) {
    if (width(text) <= MAX_CELL)
        return text;
    let out = '';
    for (const char of text) {
        if (width(out + char) > MAX_CELL - 1)
            break;
        out += char;
    }
    return `${out}…`;
}
/** Columns a text takes in a terminal: wide for emoji and East Asian characters. */
function width(text) {
    let columns = 0;
    for (const char of text) {
        const code = char.codePointAt(0) ?? 0;
        if (code === 0xfe0f || code === 0x200d || (code >= 0x300 && code <= 0x36f))
            continue;
        columns += isWide(code) ? 2 : 1;
    }
    return columns;
}
function isWide(code) {
    return ([0x231a, 0x231b, 0x23f3, 0x2705, 0x274c, 0x26a0, 0x26d4, 0x2b50, 0x23ed].includes(code) ||
        (code >= 0x1100 && code <= 0x115f) ||
        (code >= 0x2e80 && code <= 0xa4cf) ||
        (code >= 0xac00 && code <= 0xd7a3) ||
        (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xfe30 && code <= 0xfe4f) ||
        (code >= 0xff00 && code <= 0xff60) ||
        (code >= 0xffe0 && code <= 0xffe6) ||
        (code >= 0x1f300 && code <= 0x1faff) ||
        (code >= 0x20000 && code <= 0x3fffd));
}
function collapseBlankLines(lines) {
    return lines.filter((line, i) => line !== '' || (i > 0 && lines[i - 1] !== ''));
}

;// CONCATENATED MODULE: ./src/cli/output.ts











const FORMATS = ['text', 'markdown', 'json'];
const TOOL = 'asc-diagnostics-gate';
/**
 * The command-line tool's sinks: the report on stdout in the chosen format, the report files
 * the action also writes, the reasons on stderr, and the exit status. No GitHub feature.
 */
function commandLineSinks(streams, options) {
    // One line per sentence: the parser lists every input problem on a line of its own.
    const line = (text) => {
        for (const sentence of options.wording(text).split('\n')) {
            streams.stderr.write(`${TOOL}: ${(0,src_text/* oneLine */.TN)(secrets_scrub(sentence), 2000)}\n`);
        }
    };
    const record = (outcome) => jsonReportOf(outcome, options.replay?.json);
    const report = async (outcome) => {
        if (options.format === 'json') {
            streams.stdout.write(`${secrets_scrub((0,src_text/* safeJson */.oi)(record(outcome), 2))}\n`);
        }
        else if (outcome.kind === 'judged') {
            const preface = options.replay ? `${options.replay.preface}\n\n` : '';
            const markdown = secrets_scrub(preface + renderReport(outcome.verdict, reportContext(outcome)));
            streams.stdout.write(options.format === 'markdown' ? markdown : terminalReport(markdown, options.palette));
        }
    };
    // The same files as the action, each when its flag names a path.
    const files = async (outcome) => {
        const path = outcome.config?.reportPath ?? options.reportPath;
        if (path) {
            try {
                writeJsonReport(record(outcome), path);
            }
            catch (error) {
                line(`warning: could not write the JSON report to '${path}': ${errors_messageOf(error)}`);
            }
        }
        for (const file of ciReportFiles(outcome)) {
            if (!file.path || file.text === undefined)
                continue;
            try {
                writeTextFile(file.path, file.text, file.output);
            }
            catch (error) {
                line(`warning: could not write the ${file.what} to '${file.path}': ${errors_messageOf(error)}`);
            }
        }
    };
    const reasons = async (outcome) => {
        if (outcome.kind === 'failed') {
            return outcome.error.split('\n').forEach(error => line(`error: ${error}`));
        }
        if (outcome.kind !== 'judged')
            return;
        // The phased release could not be paused (a 403, say): the verdict stands, the error shows.
        if (outcome.release?.error)
            line(`error: ${outcome.release.error}`);
        if (!options.quiet) {
            for (const warning of gapWarnings(outcome.verdict, outcome.data)) {
                line(`warning: ${warning}`);
            }
        }
        if (outcome.failure)
            line(`gate failed: ${outcome.failure}`);
    };
    const status = async (outcome) => options.exit((0,exit_codes/* exitCode */.I$)(outcome));
    return [report, files, reasons, status];
}

;// CONCATENATED MODULE: ./src/record/fields.ts


/** C0 and C1 controls but the line feed (our sentences list problems a line each), and bidi. */
const UNWRITTEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The longest text a run writes into a record: a signature (4,000) or one of our sentences. */
const TEXT_CAP = 20_000;
/** One position in the record, named the way `jq` would reach it. */
class Field {
    value;
    path;
    constructor(value, path) {
        this.value = value;
        this.path = path;
    }
    /** The member `key` of this object (absent members read as undefined). */
    get(key) {
        return new Field(this.object()[key], `${this.path}.${key}`);
    }
    damaged(problem) {
        return new InputError(`The record is damaged: ${this.path.slice(0, 200)} ${problem}; replay reads a JSON report exactly as a run wrote it.`);
    }
    not(what) {
        return this.damaged(`is ${(0,src_text/* describeValue */.bp)(this.value)}, not ${what}`);
    }
    get missing() {
        return this.value === undefined || this.value === null;
    }
    object() {
        const { value } = this;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            throw this.not('an object');
        }
        return value;
    }
    /** The items of a list of at most `max`. */
    list(max) {
        if (!Array.isArray(this.value))
            throw this.not('a list');
        if (this.value.length > max)
            throw this.damaged(`holds ${this.value.length} items, over ${max}`);
        return this.value.map((item, index) => new Field(item, `${this.path}[${index}]`));
    }
    /** The members of an object of at most `max`, each with its key. */
    entries(max) {
        const keys = Object.keys(this.object());
        if (keys.length > max)
            throw this.damaged(`holds ${keys.length} members, over ${max}`);
        return keys.map(key => [key, this.get(key)]);
    }
    text(cap = TEXT_CAP) {
        if (typeof this.value !== 'string')
            throw this.not('text');
        if (this.value.length > cap)
            throw this.damaged(`is ${this.value.length} characters long, over ${cap}`);
        if (UNWRITTEN.test(this.value)) {
            throw this.damaged('holds control or bidi characters, which a run never writes');
        }
        return this.value;
    }
    /**
     * Our own sentence that may quote an input as given (controls and all: see safeJson); whoever
     * shows it sanitises it, as the run did.
     */
    sentence() {
        if (typeof this.value !== 'string')
            throw this.not('text');
        if (this.value.length > TEXT_CAP)
            throw this.damaged(`is over ${TEXT_CAP} characters long`);
        return this.value;
    }
    /** Text that must match `shape` (an ID, a digest). */
    matching(shape, what) {
        const value = this.text(200);
        if (!shape.test(value))
            throw this.not(what);
        return value;
    }
    number() {
        if (typeof this.value !== 'number' || !Number.isFinite(this.value))
            throw this.not('a number');
        return this.value;
    }
    nonNegative() {
        const value = this.number();
        if (value < 0)
            throw this.not('a number of at least 0');
        return value;
    }
    integer(min = 0) {
        const value = this.number();
        if (!Number.isSafeInteger(value) || value < min)
            throw this.not(`a whole number of at least ${min}`);
        return value;
    }
    boolean() {
        if (typeof this.value !== 'boolean')
            throw this.not('true or false');
        return this.value;
    }
    oneOf(allowed) {
        const value = this.text(100);
        if (!allowed.includes(value))
            throw this.not(`one of ${allowed.join(', ')}`);
        return value;
    }
    /** `read(this)`, or undefined when the value is absent or null. */
    optional(read) {
        return this.missing ? undefined : read(this);
    }
}
/**
 * The object itself, once every member is checked and no other is there. A record's model
 * objects are checked, never rebuilt, so they serialise back to the very bytes they came from.
 */
function checked(field, shape) {
    const object = field.object();
    for (const key of Object.keys(object)) {
        const check = Object.hasOwn(shape.members, key) ? shape.members[key] : undefined;
        if (!check)
            throw field.get(key).damaged('is not a member a run writes');
        check(field.get(key));
    }
    for (const key of shape.required) {
        if (object[key] === undefined)
            throw field.get(key).damaged('is missing');
    }
    return object;
}
/** `{ key: value }` when the value is there, for building objects without undefined members. */
function present(key, value) {
    return (value === undefined ? {} : { [key]: value });
}

;// CONCATENATED MODULE: ./src/record/read.ts











/** Most signatures per list: App Store Connect's largest page, which 'limit' cannot exceed. */
const MAX_SIGNATURES = ASC.maxPageSize;
/** Most backtraces: 'include-logs' of each type, at most 'limit'. */
const MAX_BACKTRACES = DIAGNOSTIC_TYPES.length * ASC.maxPageSize;
/** Generous bounds on lists a run writes far smaller, so a forged record cannot be huge in count. */
const MAX_ITEMS = 1_000;
/** Reads a record; throws an InputError naming the first problem. */
function readRecord(json, name) {
    let parsed;
    try {
        parsed = JSON.parse(json);
    }
    catch (error) {
        const cut = json.trim() === ''
            ? 'is empty'
            : `is not complete JSON (${error.message.slice(0, 120)})`;
        throw new InputError(`${name} ${cut}; the file may have been cut short: download the record again, or give replay the JSON report a run wrote ('report-path').`);
    }
    const root = new Field(parsed, '$');
    root.object();
    schemaVersion(root, name);
    if (!root.get('replay').missing) {
        throw new InputError(`${name} is what a replay under another policy printed, not a run's record; replay the run's own record with those flags instead.`);
    }
    const toolVersion = root.get('toolVersion').text(40);
    const ending = endingOf(root);
    const rateLimit = root.get('rateLimit').optional(f => ({
        ...present('limit', f.get('limit').optional(l => l.integer())),
        ...present('remaining', f.get('remaining').optional(r => r.integer()))
    }));
    return {
        toolVersion,
        generatedAt: root.get('generatedAt').text(40),
        totalMs: root.get('timings').get('total').nonNegative(),
        requests: root.get('requests').integer(),
        ...present('rateLimit', rateLimit),
        ending
    };
}
function schemaVersion(root, name) {
    const tool = root.get('tool');
    if (tool.value !== ACTION_NAME) {
        throw new InputError(`${name} is not a decision record of ${ACTION_NAME} (its 'tool' is ${JSON.stringify(String(tool.value ?? 'missing')).slice(0, 60)}); give replay the JSON report a run wrote ('report-path').`);
    }
    const schema = root.get('schemaVersion').value;
    if (schema === JSON_REPORT_SCHEMA_VERSION)
        return;
    const written = typeof root.get('toolVersion').value === 'string'
        ? ` by ${String(root.get('toolVersion').value).slice(0, 40)}`
        : '';
    if (typeof schema === 'number' && schema > JSON_REPORT_SCHEMA_VERSION) {
        throw new InputError(`${name} is a schema version ${schema} record, written${written || ' by a newer version'}; this ${ACTION_NAME} reads version ${JSON_REPORT_SCHEMA_VERSION}: replay it with the version that wrote it, or a newer one.`);
    }
    throw new InputError(typeof schema === 'number'
        ? `${name} is a schema version ${schema} report${written}, which holds no evidence to replay; records from schema version ${JSON_REPORT_SCHEMA_VERSION} on can be replayed.`
        : `${name} has no valid 'schemaVersion'; give replay the JSON report a run wrote ('report-path').`);
}
function endingOf(root) {
    const skipped = root.get('skipReason').optional(f => f.sentence());
    if (skipped !== undefined)
        return { kind: 'skipped', reason: skipped };
    const error = root.get('error').optional(f => f.sentence());
    if (error !== undefined) {
        return {
            kind: 'failed',
            error,
            cause: root.get('errorCause').oneOf(['input', 'service', 'unexpected'])
        };
    }
    const evidence = root.get('evidence');
    const current = buildData(evidence.get('current'));
    const baseline = evidence.get('baseline').optional(buildData);
    const metrics = evidence.get('metrics').optional(metricsData);
    const timings = root.get('timings');
    const data = {
        current,
        ...present('baseline', baseline),
        backtraces: new Map(root
            .get('backtraces')
            .entries(MAX_BACKTRACES)
            .map(([id, f]) => [signatureId(id, f), backtraceResult(f)])),
        ...present('metrics', metrics),
        timings: {
            builds: timings.get('builds').nonNegative(),
            signatures: timings.get('signatures').nonNegative(),
            logs: timings.get('logs').nonNegative()
        }
    };
    const guard = root.get('phasedRelease').optional(recordedGuard);
    // A run on the live version always records what the guard did, if only "nothing".
    if (current.build.appStoreVersion?.status === 'live' && !guard) {
        throw root.get('phasedRelease').damaged('is missing, and the build is the live version');
    }
    const sources = evidence.get('sources').optional(sourceLookup);
    const history = evidence.get('history').optional(runHistory);
    if (history)
        data.history = history;
    return {
        kind: 'judged',
        inputs: inputsOf(root.get('settings').get('inputs')),
        data,
        ...present('guard', guard),
        ...present('sources', sources),
        ...present('runUrl', evidence.get('runUrl').optional(f => f.matching(RUN_URL, "a workflow run's URL"))),
        pullRequest: evidence.get('pullRequest').boolean(),
        ...present('historyWrite', root.get('historyWrite').optional(historyWrite)),
        verdict: root.get('verdict').value
    };
}
/** What became of the record on the history branch, checked in place. */
function historyWrite(f) {
    const written = f.get('ok').boolean();
    const shape = written
        ? {
            members: {
                ok: () => undefined,
                commit: c => c.matching(/^[0-9a-f]{40}$/, 'a commit SHA'),
                attempts: a => a.integer(1),
                pruned: p => p
                    .list(constants_HISTORY.maxKeepVersions + 1)
                    .forEach(v => v.matching(/^[0-9.]{1,64}$/, 'a version'))
            },
            required: ['ok', 'commit', 'attempts', 'pruned']
        }
        : { members: { ok: () => undefined, warning: w => w.sentence() }, required: ['ok', 'warning'] };
    return checked(f, shape);
}
/** What the guard's history held, checked in place: each index entry exactly as a run writes it. */
function runHistory(f) {
    const branch = (b) => {
        if (!isBranchName(b.text(100)))
            throw b.damaged('is not a branch name');
    };
    const shape = f.get('unavailable').value === undefined
        ? {
            members: { branch, current: read_versionIndex, previous: read_versionIndex },
            required: ['branch', 'current']
        }
        : { members: { branch, unavailable: u => u.sentence() }, required: ['branch', 'unavailable'] };
    return checked(f, shape);
}
function read_versionIndex(f) {
    const runs = (list) => {
        const entries = list.list(constants_HISTORY.maxRunsPerVersion).map(run => {
            const entry = indexEntry(run.value);
            // A member a run does not write, or one out of shape, is refused.
            if (!entry || JSON.stringify(entry) !== JSON.stringify(run.value)) {
                throw run.damaged('is not an index entry a run writes');
            }
            return entry;
        });
        // A run keeps only the runs that decide, in time order: which bounds a record's size too.
        if (JSON.stringify(remember_decisiveRuns(entries)) !== JSON.stringify(entries)) {
            throw list.damaged('holds runs a run does not keep');
        }
    };
    return checked(f, {
        members: {
            version: v => {
                if (layout_segment(v.text(64)) !== v.value)
                    throw v.damaged('is not a version folder');
            },
            runs
        },
        required: ['version', 'runs']
    });
}
/** The only links a record may give the report: a workflow run's page, as the runner names it. */
const RUN_URL = /^https:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+\/actions\/runs\/\d+$/;
const INPUT_NAMES = new Set(ACTION_INPUTS.map(i => i.name));
function inputsOf(field) {
    const inputs = {};
    for (const [name, value] of field.entries(INPUT_NAMES.size)) {
        if (!INPUT_NAMES.has(name))
            throw value.damaged('is not an input of the action');
        if (UNRECORDED_INPUTS.includes(name))
            throw value.damaged('is an input a run never records');
        // As the run read it: an input may hold a tab or a line break that its parser trims.
        inputs[name] = value.sentence();
    }
    return inputs;
}
const id = (f) => f.matching(RESOURCE_ID, 'an App Store Connect resource ID');
function signatureId(key, f) {
    if (!RESOURCE_ID.test(key))
        throw f.damaged('is not keyed by a signature ID');
    return key;
}
function buildData(f) {
    const lists = new Map();
    for (const item of f.get('lists').list(DIAGNOSTIC_TYPES.length)) {
        const type = item.get('type').oneOf(DIAGNOSTIC_TYPES);
        lists.set(type, {
            type,
            complete: item.get('complete').boolean(),
            signatures: item.get('signatures').list(MAX_SIGNATURES).map(signature)
        });
    }
    return { build: checked(f.get('build'), BUILD_FACTS), lists };
}
// The model objects, by shape: every member a run writes, and how it is checked.
const read_text = (cap) => (f) => f.text(cap);
const version = read_text(FIELD_CAPS.version);
const read_identifier = read_text(FIELD_CAPS.identifier);
const read_integer = (min) => (f) => f.integer(min);
const read_boolean = (f) => f.boolean();
const number = (f) => f.number();
const read_nonNegative = (f) => f.nonNegative();
const read_oneOf = (allowed) => (f) => f.oneOf(allowed);
const listOf = (max, item) => (f) => f.list(max).map(item);
const shaped = (shape) => (f) => checked(f, shape);
const ROLLOUT_STATES = [...PHASED_RELEASE_STATES, 'UNKNOWN'];
const read_PHASED_RELEASE = {
    members: {
        id,
        state: read_oneOf(ROLLOUT_STATES),
        day: read_integer(1),
        startDate: read_identifier,
        totalPauseDuration: read_integer(0)
    },
    required: ['id', 'state']
};
const BUILD_FACTS = {
    members: {
        id,
        label: read_text(2 * FIELD_CAPS.version + 3),
        exists: read_boolean,
        appId: id,
        version,
        buildNumber: version,
        processingState: read_identifier,
        appStoreVersion: shaped({
            members: {
                id,
                versionString: version,
                status: read_oneOf(['live', 'replaced']),
                decidedBy: read_oneOf(['appVersionState', 'appStoreState']),
                createdDate: read_identifier,
                buildId: id,
                build: shaped({
                    members: { id, buildNumber: version, processingState: read_identifier },
                    required: ['id']
                }),
                phasedRelease: shaped(read_PHASED_RELEASE)
            },
            required: ['id', 'versionString', 'status', 'decidedBy']
        })
    },
    required: ['id']
};
const read_SIGNATURE = {
    members: {
        id,
        diagnosticType: read_oneOf(DIAGNOSTIC_TYPES),
        signature: read_text(FIELD_CAPS.signature),
        textDigest: (f) => f.matching(/^[0-9a-f]{64}$/, 'a SHA-256 digest'),
        weight: read_nonNegative,
        insight: shaped({
            members: {
                direction: read_oneOf(['UP', 'DOWN', 'UNDEFINED']),
                referenceVersions: listOf(FIELD_CAPS.referenceVersions, shaped({ members: { version, value: number }, required: ['version', 'value'] }))
            },
            required: ['referenceVersions']
        })
    },
    required: ['id', 'diagnosticType', 'signature', 'weight']
};
const signature = (f) => checked(f, read_SIGNATURE);
const BACKTRACE_TEXT = read_text(500);
const FRAME = {
    members: {
        binary: BACKTRACE_TEXT,
        symbol: BACKTRACE_TEXT,
        file: BACKTRACE_TEXT,
        line: BACKTRACE_TEXT,
        blamed: read_boolean,
        category: BACKTRACE_TEXT,
        skippedBefore: read_integer(1)
    },
    required: ['binary', 'symbol', 'blamed']
};
const BACKTRACE_SHAPE = {
    members: {
        signatureId: id,
        frames: listOf(BACKTRACE.maxFrames, shaped(FRAME)),
        basis: read_oneOf(['blamed', 'heaviest']),
        skippedAfter: read_integer(1),
        device: BACKTRACE_TEXT,
        os: BACKTRACE_TEXT,
        appVersion: BACKTRACE_TEXT,
        buildVersion: BACKTRACE_TEXT,
        event: BACKTRACE_TEXT,
        eventDetail: BACKTRACE_TEXT,
        writesCaused: BACKTRACE_TEXT,
        insights: listOf(BACKTRACE.maxInsights, shaped({
            members: { text: BACKTRACE_TEXT, url: read_text(8_000), category: BACKTRACE_TEXT },
            required: ['text']
        }))
    },
    required: ['signatureId', 'frames', 'basis', 'insights']
};
function backtraceResult(f) {
    return f.get('ok').boolean()
        ? checked(f, {
            members: { ok: read_boolean, backtrace: shaped(BACKTRACE_SHAPE) },
            required: ['ok', 'backtrace']
        })
        : checked(f, {
            members: { ok: read_boolean, reason: (r) => r.sentence() },
            required: ['ok', 'reason']
        });
}
function metricsData(f) {
    const versionText = (name) => f.get(name).optional(v => v.text(FIELD_CAPS.version));
    const payload = f.get('payload').optional(p => ({
        series: new Map(p
            .get('series')
            .list(MAX_ITEMS)
            .map(metricSeries)
            .map(series => [series.identifier.toLowerCase(), series])),
        // Regressions and trends, each list capped on its own.
        insights: p
            .get('insights')
            .list(2 * FIELD_CAPS.metricListItems)
            .map(read_appleInsight)
    }));
    return {
        ...present('appId', f.get('appId').optional(id)),
        ...present('version', versionText('version')),
        ...present('baselineVersion', versionText('baselineVersion')),
        ...present('payload', payload),
        ...present('unavailable', f.get('unavailable').optional(v => v.text()))
    };
}
const METRIC_POINT = {
    members: { version, value: number, errorMargin: read_nonNegative, goal: read_text(FIELD_CAPS.metricLabel) },
    required: ['version', 'value']
};
const METRIC_SERIES = {
    members: {
        identifier: read_identifier,
        category: read_oneOf(METRIC_CATEGORIES),
        unit: read_text(FIELD_CAPS.metricLabel),
        recommendedGoal: shaped({
            members: { value: number, detail: read_text(FIELD_CAPS.metricLabel) },
            required: ['value']
        }),
        points: listOf(FIELD_CAPS.metricPoints + 1, shaped(METRIC_POINT))
    },
    required: ['identifier', 'points']
};
const APPLE_INSIGHT = {
    members: {
        kind: read_oneOf(['regression', 'trendingUp']),
        metric: read_identifier,
        category: read_oneOf(METRIC_CATEGORIES),
        latestVersion: version,
        referenceVersions: listOf(FIELD_CAPS.referenceVersions, version),
        highImpact: read_boolean,
        summary: read_text(FIELD_CAPS.insightSummary),
        populations: listOf(FIELD_CAPS.insightPopulations, shaped({
            members: {
                percentile: read_identifier,
                device: read_identifier,
                latestVersionValue: number,
                referenceAverageValue: number,
                deltaPercentage: number
            },
            required: []
        }))
    },
    required: ['kind', 'metric', 'referenceVersions', 'populations']
};
const metricSeries = (f) => checked(f, METRIC_SERIES);
const read_appleInsight = (f) => checked(f, APPLE_INSIGHT);
// Paths in the checkout and our sentences about them: a file name may hold a tab.
const sentence = (f) => f.sentence();
const SOURCE_PLACE_FOUND = {
    members: { ok: read_boolean, path: sentence, line: read_integer(1) },
    required: ['ok', 'path', 'line']
};
const SOURCE_PLACE_MISSING = {
    members: { ok: read_boolean, reason: sentence },
    required: ['ok', 'reason']
};
function sourceLookup(f) {
    const places = new Map();
    for (const [key, place] of f.get('places').entries(MAX_ITEMS)) {
        const shape = place.get('ok').boolean() ? SOURCE_PLACE_FOUND : SOURCE_PLACE_MISSING;
        places.set(signatureId(key, place), checked(place, shape));
    }
    return { places, noCheckout: f.get('noCheckout').boolean() };
}
function recordedGuard(f) {
    const version = f.get('appStoreVersion');
    // The record spells an absent rollout as nulls: rebuilt here, and written out the same way.
    const rollout = (r) => r.get('id').missing
        ? undefined
        : {
            id: id(r.get('id')),
            state: r.get('state').oneOf(ROLLOUT_STATES),
            ...present('day', r.get('day').optional(v => v.integer(1))),
            ...present('startDate', r.get('startDate').optional(read_identifier)),
            ...present('totalPauseDuration', r.get('totalPauseDuration').optional(v => v.integer()))
        };
    const release = rollout(f);
    const decidedOn = f.get('decidedOn').optional(rollout);
    return {
        version: version.get('version').text(FIELD_CAPS.version),
        versionId: id(version.get('id')),
        ...present('release', release),
        ...present('decidedOn', decidedOn),
        paused: f.get('paused').boolean(),
        ...present('error', f.get('error').optional(v => v.sentence()))
    };
}

;// CONCATENATED MODULE: ./src/report/replay.ts


// The section a replay under another policy puts above the report it derives: what changed in
// the policy, then finding by finding what the run decided and what the new policy decides.
const yesNo = (value) => (value ? 'yes' : 'no');
const GUARD_WORDS = {
    paused: 'paused',
    'would-pause': 'would pause',
    'not-paused': 'not paused',
    'could-not-pause': 'could not be paused'
};
/** A finding whose consequences differ, or that is a finding on one side only. */
function decidesOtherwise({ before, after }) {
    return (!before ||
        !after ||
        before.failsJob !== after.failsJob ||
        before.wouldPause !== after.wouldPause);
}
/** The comparison as Markdown, with the command line's flag names. */
function comparisonSection(comparison) {
    const changed = comparison.changed
        .map(c => `${code(`--${c.input}`)} ${code(c.before)} → ${code(c.after)}`)
        .join(', ');
    const lines = [
        `### ↺ Replay under another policy: ${replay_headline(comparison)}`,
        '',
        `Changed: ${changed}. Nothing was asked of App Store Connect; the evidence is the record's.`
    ];
    const changes = comparison.findings.filter(decidesOtherwise);
    const same = comparison.findings.length - changes.length;
    if (changes.length) {
        lines.push('', 'Finding by finding, as the run decided → as this policy decides:', '');
        lines.push(...changes.map(changeLine));
    }
    if (same || !changes.length) {
        lines.push('', comparison.findings.length
            ? `${changes.length ? 'The other' : 'Each of the'} ${(0,src_text/* plural */.LS)(same, 'finding')} ${same === 1 ? 'decides' : 'decide'} as the run decided.`
            : 'No finding under either policy.');
    }
    const { guard, failsJob } = comparison;
    const summary = [
        guard && `**Phased release:** ${GUARD_WORDS[guard.before]} → ${GUARD_WORDS[guard.after]}.`,
        `**Job:** ${failsJob.before ? 'fails' : 'passes'} → ${failsJob.after ? 'fails' : 'passes'} (exit status ${Number(failsJob.before)} → ${Number(failsJob.after)}).`
    ].filter(Boolean);
    lines.push('', summary.join(' '), '', '---');
    return lines.join('\n');
}
/** Whether the guard decided to pause: it did, would have, or tried and could not. */
const acts = (step) => step !== 'not-paused';
function replay_headline({ guard, failsJob }) {
    if (guard && acts(guard.before) !== acts(guard.after)) {
        return guard.after === 'would-pause'
            ? 'the guard would have paused the rollout'
            : 'the guard would not have paused the rollout';
    }
    if (failsJob.before !== failsJob.after) {
        return failsJob.after ? 'the job would have failed' : 'the job would have passed';
    }
    return 'the same decision';
}
/** `- Hang rate (hangRate), metric-regression: fails the job: yes → no · would pause: yes → no`. */
function changeLine(change) {
    const state = !change.after
        ? ' (no longer a finding)'
        : !change.before
            ? ' (a finding only under this policy)'
            : '';
    return `- ${markdown_text(change.name)}, ${change.kind}${state}: fails the job: ${yesNo(change.before?.failsJob)} → ${yesNo(change.after?.failsJob)} · would pause: ${yesNo(change.before?.wouldPause)} → ${yesNo(change.after?.wouldPause)}`;
}

;// CONCATENATED MODULE: ./src/replay/inputs.ts
// What each input of the action is to a replay. One table for every input (a test checks that
// it names them all), so a new input is a decision here, never silently a policy override.
const INPUT_USES = {
    'issuer-id': 'connection',
    'key-id': 'connection',
    'private-key': 'secret',
    'build-id': 'build',
    'app-id': 'build',
    'bundle-id': 'build',
    version: 'build',
    'build-number': 'build',
    platform: 'build',
    'diagnostic-types': 'policy',
    limit: 'policy',
    threshold: 'policy',
    'hangs-threshold': 'policy',
    'disk-writes-threshold': 'policy',
    'launches-threshold': 'policy',
    'fail-on-breach': 'policy',
    'no-data': 'policy',
    'baseline-build-id': 'build',
    'baseline-version': 'build',
    'baseline-build-number': 'build',
    'max-weight-increase': 'policy',
    'fail-on-regression': 'policy',
    'fail-on-metric-regression': 'policy',
    metrics: 'policy',
    'metric-percentile': 'dataset',
    'metric-device': 'dataset',
    'max-metric-increase': 'policy',
    'metric-reference': 'policy',
    'apple-regressions': 'policy',
    'include-logs': 'policy',
    'phased-release': 'policy',
    'pause-on': 'policy',
    'fail-after-rollout': 'policy',
    'confirm-runs': 'policy',
    history: 'github',
    'history-branch': 'github',
    'history-keep-versions': 'github',
    'report-path': 'file',
    'annotate-source': 'github',
    'sarif-path': 'file',
    'junit-path': 'file',
    'timeout-minutes': 'connection',
    comment: 'github',
    'comment-header': 'github',
    'pr-number': 'github',
    'github-token': 'secret',
    'api-base-url': 'connection'
};
/** The inputs a replay writes its own files to: never where the run wrote its own. */
const FILE_INPUTS = Object.keys(INPUT_USES).filter(name => INPUT_USES[name] === 'file');

;// CONCATENATED MODULE: ./src/replay/refusals.ts



// What a replay cannot do: anything that would need App Store Connect to answer again. And,
// for what it can do, the evidence a run under the new settings would have read.
/** Why an override cannot be replayed, in one sentence; undefined when every one can. */
function overrideRefusal(run, overrides) {
    const { ending } = run;
    if (ending.kind !== 'judged') {
        return [...overrides.keys()].some(input => INPUT_USES[input] === 'policy')
            ? `The record holds no verdict (the run ${ending.kind === 'failed' ? 'stopped on an error' : 'was skipped'}), so there is no decision to replay under another policy.`
            : undefined;
    }
    const build = ending.data.current.build;
    for (const input of overrides.keys()) {
        switch (INPUT_USES[input]) {
            case 'build':
                return `'${input}' chooses which build App Store Connect is asked about, and replay asks nothing: it derives the verdict of build ${(0,src_text/* oneLine */.TN)(build.label ?? build.id, 140)} from the record alone; run the gate for another build.`;
            case 'dataset':
                return `'${input}' chooses which metric datasets App Store Connect sends, and the record holds only those for ${(0,src_text/* oneLine */.TN)(ending.inputs['metric-percentile'] ?? '?', 20)} on ${(0,src_text/* oneLine */.TN)(ending.inputs['metric-device'] ?? '?', 40)}; run the gate to read others.`;
            case 'connection':
                return `'${input}' only shapes the requests to App Store Connect, and replay makes none.`;
            case 'github':
            case 'secret':
                return `'${input}' means nothing to a replay, which writes no comment and takes no key.`;
        }
    }
    return undefined;
}
/**
 * The evidence a run under `replayed` would have read, cut from what the run under `recorded`
 * read; or why the record does not hold it, in one sentence.
 */
function evidenceFor(data, recorded, replayed) {
    const extraTypes = replayed.types.filter(t => !recorded.types.includes(t));
    if (extraTypes.length) {
        return {
            refused: `'diagnostic-types' names ${extraTypes.join(', ')}, which the run did not read (the record holds ${recorded.types.join(', ')}); replay can gate fewer types, not other ones.`
        };
    }
    const had = recorded.metrics?.identifiers ?? [];
    const wanted = replayed.metrics?.identifiers ?? [];
    const extraMetrics = wanted.filter(m => !had.some(h => h.toLowerCase() === m.toLowerCase()));
    if (extraMetrics.length) {
        return {
            refused: `'metrics' names ${extraMetrics.join(', ')}, which the run did not read (${had.length ? `the record holds ${had.join(', ')}` : 'it gated no metric'}); replay can gate fewer metrics, not other ones.`
        };
    }
    const reference = replayed.metrics?.reference;
    if (reference === 'auto' && data.baseline && !data.metrics?.baselineVersion) {
        if (recorded.metrics?.reference !== 'auto') {
            return {
                refused: `'metric-reference' 'auto' compares with the baseline's version, which the run did not read ('metric-reference' was '${recorded.metrics?.reference}'); run the gate to compare with the baseline.`
            };
        }
    }
    // Each type's list as a run under `replayed` fetches it: the same count, or fewer.
    const count = fetchLimit(replayed);
    const lists = [data.current, ...(data.baseline ? [data.baseline] : [])].flatMap(b => [
        ...b.lists.values()
    ]);
    // Only more than the run asked for is missing: a list cut short for its own reasons (a
    // paging loop, the page cap) is what a run asking for as many gets.
    const short = count > fetchLimit(recorded)
        ? lists.find(list => !list.complete && list.signatures.length < count)
        : undefined;
    if (short) {
        return {
            refused: `'limit' is ${replayed.limit}, and a run would read ${count} signatures of each type, but the record holds ${(0,src_text/* plural */.LS)(short.signatures.length, 'signature')} of ${short.type} (more exist); replay can report fewer, not more.`
        };
    }
    const cut = (build) => ({
        build: build.build,
        lists: new Map([...build.lists]
            .filter(([type]) => replayed.types.includes(type))
            .map(([type, list]) => [
            type,
            {
                type,
                signatures: list.signatures.slice(0, count),
                complete: list.complete && list.signatures.length <= count
            }
        ]))
    });
    const current = cut(data.current);
    // The backtraces a run fetches: the top `include-logs` of each type, within `limit`.
    const logs = logsLimit(replayed);
    const wantedLogs = [...current.lists.values()].flatMap(list => list.signatures.slice(0, logs).map(s => s.id));
    const missing = wantedLogs.filter(id => !data.backtraces.has(id));
    if (missing.length) {
        return {
            refused: `'include-logs' ${replayed.includeLogs} with 'limit' ${replayed.limit} asks for ${(0,src_text/* plural */.LS)(wantedLogs.length, 'backtrace')}, and the record holds ${wantedLogs.length - missing.length} of them; replay can show fewer backtraces, not more.`
        };
    }
    const kept = new Set(wantedLogs);
    const backtraces = new Map([...data.backtraces].filter(([id]) => kept.has(id)));
    return {
        data: {
            ...data,
            current,
            ...(data.baseline ? { baseline: cut(data.baseline) } : {}),
            backtraces
        }
    };
}

;// CONCATENATED MODULE: ./src/replay/replay.ts







/**
 * Re-derives the run of `run` under its own settings with `overrides` (input name → value) on
 * top. Throws an InputError when an override is not a valid value. Overrides that leave the
 * policy as it was (a report file, a flag with the recorded value) replay the run itself.
 */
function replay(run, overrides) {
    const refused = overrideRefusal(run, overrides);
    if (refused)
        return { refused };
    const { ending } = run;
    const state = {
        started: performance.now(),
        recorded: { generatedAt: run.generatedAt, totalMs: run.totalMs },
        usage: { ...(run.rateLimit ? { rateLimit: run.rateLimit } : {}), requests: run.requests }
    };
    if (ending.kind === 'skipped') {
        return { outcome: { ...state, kind: 'skipped', reason: ending.reason } };
    }
    if (ending.kind === 'failed') {
        return { outcome: { ...state, kind: 'failed', error: ending.error, cause: ending.cause } };
    }
    const recorded = settingsOf(ending.inputs, new Map());
    const asked = settingsOf(ending.inputs, overrides);
    const evidence = evidenceFor(ending.data, recorded, asked);
    if ('refused' in evidence)
        return { refused: evidence.refused };
    const changed = policyOf(recorded) !== policyOf(asked);
    const outcome = judged(run, state, asked, evidence.data, changed);
    if (!changed)
        return { outcome };
    const original = judged(run, state, recorded, ending.data, false);
    return { outcome, comparison: compare(ending.inputs, overrides, original, outcome) };
}
/** The record's inputs, with the overrides on top; report files only where a replay is told. */
function settingsOf(inputs, overrides) {
    const parsed = parseSettings(name => overrides.has(name)
        ? (overrides.get(name) ?? '')
        : FILE_INPUTS.includes(name)
            ? ''
            : (inputs[name] ?? ''));
    // The run's own report paths stay in its inputs, as the record has them.
    const kept = FILE_INPUTS.filter(name => !overrides.has(name) && inputs[name] !== undefined);
    return {
        ...parsed,
        inputs: { ...parsed.inputs, ...Object.fromEntries(kept.map(name => [name, inputs[name]])) }
    };
}
/** What in the settings cannot change a decision: the inputs' text, and where files go. */
const NOT_POLICY = ['inputs', 'reportPath', 'sarifPath', 'junitPath'];
/** Everything in the settings that can change a decision, comparable as text. */
function policyOf(settings) {
    return (0,src_text/* safeJson */.oi)(Object.entries(settings).filter(([key]) => !NOT_POLICY.includes(key)));
}
function judged(run, state, config, data, hypothetical) {
    if (run.ending.kind !== 'judged')
        throw new Error('only a judged record has a verdict');
    const { ending } = run;
    const { verdict, failure } = verdict_judge(config, data);
    const release = guardOf(run, config, verdict.findings, hypothetical);
    return {
        ...state,
        kind: 'judged',
        config,
        data,
        verdict,
        failure: withPause(failure, release),
        ...(release ? { release } : {}),
        ...(ending.sources ? { sources: ending.sources } : {}),
        ...(ending.runUrl ? { runUrl: ending.runUrl } : {}),
        pullRequest: ending.pullRequest,
        ...(ending.historyWrite ? { historyWrite: ending.historyWrite } : {})
    };
}
/**
 * The guard's outcome: as recorded, with its decision derived again from the rollout it was
 * made on; or, under another policy, what the guard would decide on the rollout as first read.
 */
function guardOf(run, config, findings, hypothetical) {
    if (run.ending.kind !== 'judged')
        return undefined;
    const version = run.ending.data.current.build.appStoreVersion;
    const recorded = run.ending.guard;
    if (version?.status !== 'live' || !recorded)
        return undefined;
    const mode = config.phasedRelease;
    if (!hypothetical) {
        return { ...recorded, decision: decideRollout({ release: recorded.decidedOn, findings, mode }) };
    }
    const rollout = version.phasedRelease;
    return {
        version: recorded.version,
        versionId: version.id,
        ...(rollout ? { release: rollout, decidedOn: rollout } : {}),
        decision: decideRollout({ release: rollout, findings, mode }),
        paused: false,
        hypothetical: true
    };
}
function compare(inputs, overrides, before, after) {
    const key = (f) => `${f.kind} ${subjectKey(f)}`;
    const afterByKey = new Map(after.verdict.findings.map(f => [key(f), f]));
    const beforeKeys = new Set(before.verdict.findings.map(key));
    const consequence = (f) => ({ failsJob: f.failsJob, wouldPause: f.wouldPause });
    const findings = [
        ...before.verdict.findings.map(f => {
            const now = afterByKey.get(key(f));
            return {
                name: subjectName(f),
                kind: f.kind,
                before: consequence(f),
                ...(now ? { after: consequence(now) } : {})
            };
        }),
        ...after.verdict.findings
            .filter(f => !beforeKeys.has(key(f)))
            .map(f => ({ name: subjectName(f), kind: f.kind, after: consequence(f) }))
    ];
    return {
        changed: [...overrides]
            .filter(([input, value]) => !FILE_INPUTS.includes(input) && inputs[input] !== value)
            .map(([input, value]) => ({ input, before: inputs[input] ?? '', after: value })),
        findings,
        ...(before.release && after.release
            ? { guard: { before: guardStep(before.release), after: guardStep(after.release) } }
            : {}),
        result: { before: before.verdict.result, after: after.verdict.result },
        failsJob: { before: Boolean(before.failure), after: Boolean(after.failure) }
    };
}
/** One finding's subject across two verdicts: a signature's ID, a metric, or a type. */
function subjectKey(f) {
    const { subject } = f;
    if ('signature' in subject)
        return `signature ${subject.signature.id}`;
    if ('metric' in subject)
        return `metric ${subject.metric.identifier}`;
    return `type ${subject.diagnosticType}`;
}
/** A replay changes nothing: under another policy the guard at most would pause. */
function guardStep(guard) {
    if (guard.hypothetical)
        return guard.decision.action === 'none' ? 'not-paused' : 'would-pause';
    if (guard.paused)
        return 'paused';
    if (guard.error)
        return 'could-not-pause';
    return guard.decision.action === 'would-pause' ? 'would-pause' : 'not-paused';
}

;// CONCATENATED MODULE: ./src/cli/replay.ts















// `asc-diagnostics-gate replay <record.json>`: the verdict of a run derived again from its
// decision record alone (no network, no key), under the run's policy or another one.
const NAME = 'asc-diagnostics-gate replay';
const HELP_AFTER = `
Examples:
  # Why did the guard pause? The run's own report, from its record alone
  ${NAME} asc-diagnostics-gate-report.json
  # Would a 50% limit on metric rises have paused it? (exit status under that policy)
  ${NAME} report.json --max-metric-increase 50%
  # Would pausing on any finding, shares too, have paused the rollout?
  ${NAME} report.json --pause-on any --format markdown

Exit status: the run's, or under changed flags the new policy's (0 passed, 1 failed);
  2 when the record is damaged or from another schema version, or a flag needs
  App Store Connect (another build, other metrics or datasets, more logs).
`;
function replay_program(io) {
    const command = new Command(NAME)
        .description("Derive a run's verdict again from its decision record (the JSON report at report-path): offline, without a key. Give policy flags to see what another policy would have decided, finding by finding.")
        .argument('<record>', 'the JSON report a run wrote')
        .helpOption('-h, --help', 'print this help')
        .exitOverride()
        .configureOutput({
        writeOut: text => void io.stdout.write(text),
        writeErr: text => void io.stderr.write(text)
    })
        .showHelpAfterError(`(${NAME} --help lists every flag)`)
        .addHelpText('after', HELP_AFTER);
    for (const flag of FLAGS) {
        const option = new Option(`--${flag.flag} <value>`, flag.description);
        // The flags that need App Store Connect parse, so that each is refused with its reason.
        if (!['policy', 'file'].includes(INPUT_USES[flag.input] ?? ''))
            option.hideHelp();
        command.addOption(option);
    }
    return command
        .addOption(new Option('--format <format>', 'what stdout gets, as for a run')
        .choices(FORMATS)
        .default('text'))
        .addOption(new Option('-q, --quiet', 'no warnings on stderr (errors still print)'));
}
/** Replays a record; resolves to the exit status. Reads no environment but NO_COLOR. */
async function replayMain(args, io) {
    // Before the parser, which would echo the value.
    if (args.some(arg => /^--private-key(=|$)/.test(arg))) {
        io.stderr.write('asc-diagnostics-gate: error: replay takes no key: it reads the record alone and asks App Store Connect nothing.\n');
        return exit_codes/* EXIT */.dc.badInput;
    }
    const command = replay_program(io);
    const ended = parseArguments(command, args);
    if (ended !== undefined)
        return ended;
    const error = (message) => {
        for (const line of forCommandLine(message, {}).split('\n')) {
            io.stderr.write(`asc-diagnostics-gate: error: ${(0,src_text/* oneLine */.TN)(line, 2000)}\n`);
        }
        return exit_codes/* EXIT */.dc.badInput;
    };
    const quiet = Boolean(command.getOptionValue('quiet'));
    const path = String(command.args[0]);
    const unexpected = (caught) => {
        io.stderr.write(`asc-diagnostics-gate: error: Unexpected error: ${(0,src_text/* oneLine */.TN)(errors_messageOf(caught), 300)}. Please report it with the record.\n`);
        return exit_codes/* EXIT */.dc.bug;
    };
    let run;
    let replayed;
    let drifted = false;
    try {
        const named = `The record '${(0,src_text/* oneLine */.TN)(path, 200)}'`;
        const json = readBoundedFile(path, RECORD_MAX_BYTES, reason => new InputError(`${named} ${reason}; give replay the JSON report a run wrote ('report-path').`));
        run = readRecord(json, named);
        replayed = replay(run, overridesOf(command));
        drifted =
            'outcome' in replayed && !replayed.comparison && replay_decidesOtherwise(run, replayed.outcome);
    }
    catch (caught) {
        return caught instanceof InputError ? error(caught.message) : unexpected(caught);
    }
    if ('refused' in replayed)
        return error(replayed.refused);
    const { outcome, comparison } = replayed;
    if (drifted && !quiet) {
        io.stderr.write(`asc-diagnostics-gate: warning: this version (${TOOL_VERSION}) decides the record differently from the run (${(0,src_text/* oneLine */.TN)(run.toolVersion, 40)}); the report below is today's decision.\n`);
    }
    let status = exit_codes/* EXIT */.dc.bug;
    const sinks = commandLineSinks(io, {
        format: command.getOptionValue('format'),
        palette: paletteFor(io.stdout.isTTY, process.env),
        quiet,
        wording: message => forCommandLine(message, {}),
        exit: code => void (status = code),
        ...(comparison
            ? { replay: { preface: comparisonSection(comparison), json: { ...comparison } } }
            : {})
    });
    try {
        for (const sink of sinks)
            await sink(outcome);
    }
    catch (caught) {
        return unexpected(caught);
    }
    return status;
}
/**
 * Whether today's rules decide the record's own policy differently from the version that wrote
 * it. The recorded verdict is not read field by field, so a verdict too deep to compare counts
 * as damaged.
 */
function replay_decidesOtherwise(run, outcome) {
    if (outcome.kind !== 'judged' || run.ending.kind !== 'judged')
        return false;
    let recorded;
    try {
        recorded = (0,src_text/* safeJson */.oi)(run.ending.verdict);
    }
    catch {
        throw new InputError('The record is damaged: $.verdict is nested deeper than any run writes; replay reads a JSON report exactly as a run wrote it.');
    }
    return (0,src_text/* safeJson */.oi)(jsonReportOf(outcome).verdict) !== recorded;
}
/** The flags given on the command line, as the inputs they set: the record is the rest. */
function overridesOf(command) {
    return flagValues(command, source => source === 'cli');
}

;// CONCATENATED MODULE: ./src/cli/main.ts













const main_NAME = 'asc-diagnostics-gate';
const ENVIRONMENT_HELP = [
    'Environment:',
    ...[
        [
            `${KEY_ENV.issuerId}, ${KEY_ENV.keyId}`,
            "the API key's issuer and key ID (or --issuer-id, --key-id)"
        ],
        [KEY_ENV.privateKey, "the AuthKey_<KEYID>.p8 file's contents, or"],
        [KEY_ENV.privateKeyPath, 'its path; the key is never a flag, since flags end'],
        ['', 'up in shell history and process lists'],
        ['ASC_GATE_<FLAG>', `any other flag: --build-id is ${envName('build-id')},`],
        ['', `--app-version is ${envName('app-version')}; a flag wins`],
        ['NO_COLOR', 'no colour, even in a terminal']
    ].map(([name, text]) => `  ${name.padEnd(27)}${text}`)
].join('\n');
const EXAMPLES_HELP = [
    'Examples:',
    '  # The phased-release guard, every few hours: pause the live rollout when a rate regressed',
    `  ${main_NAME} --bundle-id com.example.app --app-version live --baseline-version previous \\`,
    '    --metrics hangRate,launchTime --phased-release pause-on-failure',
    '  # A build on the App Store, by its resource ID: fail when one signature dominates',
    `  ${main_NAME} --build-id 1a254ec1-8e3d-48e7-bbd6-6b9a30072b29 --threshold 40%`,
    '  # The JSON report of the live version, for a script',
    `  ${main_NAME} --bundle-id com.example.app --app-version live --format json > report.json`
].join('\n');
const COMMANDS_HELP = [
    'Commands:',
    "  replay <record.json>       derive a run's verdict again from its JSON report, offline and",
    '                             without a key, under its policy or another (replay --help)'
].join('\n');
const METRICS_HELP = [
    'Metric identifiers (--metrics; a higher value is worse for each):',
    ...KNOWN_METRICS.map(m => `  ${m.identifier.padEnd(20)}${m.label}, in ${m.unit}`)
].join('\n');
/** The command line's parser: one flag per action input, with action.yml's defaults. */
function main_program(io) {
    const command = new Command(main_NAME)
        .description("Gate a build on App Store Connect's field diagnostics (hangs, disk writes, launches): the GitHub Action's gate, outside GitHub.")
        .usage('--build-id <id> [options]  (the API key from the environment)')
        .version(TOOL_VERSION, '--version', "print the tool's version")
        .helpOption('-h, --help', 'print this help')
        .exitOverride()
        .allowExcessArguments(false)
        .configureOutput({
        writeOut: text => void io.stdout.write(text),
        writeErr: text => void io.stderr.write(text)
    })
        .showHelpAfterError(`(${main_NAME} --help lists every flag)`)
        .addHelpText('after', `\n${COMMANDS_HELP}\n\n${EXAMPLES_HELP}\n\n${METRICS_HELP}\n\n${exit_codes/* EXIT_CODES_HELP */.cU}\n\n${ENVIRONMENT_HELP}\n`);
    for (const flag of FLAGS) {
        const option = new Option(`--${flag.flag} <value>`, flag.description).env(flag.env);
        if (flag.default)
            option.default(flag.default);
        command.addOption(option);
    }
    command
        .addOption(new Option('--format <format>', 'what stdout gets: the terminal report, the Markdown report or the JSON report')
        .choices(FORMATS)
        .default('text')
        .env(envName('format')))
        .addOption(new Option('-q, --quiet', 'no progress and no warnings on stderr (errors still print)').env(envName('quiet')));
    return command;
}
/** Runs the tool; resolves to its exit status. Environment variables come from process.env. */
async function main(args, io) {
    if (args[0] === 'replay')
        return replayMain(args.slice(1), io);
    // Before the parser, which would echo the value: the key in a flag is already in the
    // shell's history, so say where it belongs instead.
    if (args.some(arg => /^--private-key(=|$)/.test(arg))) {
        io.stderr.write(`${main_NAME}: error: the key is not taken as a flag, since flags end up in shell history and process lists; set ${KEY_ENV.privateKey} to the .p8 file's contents or ${KEY_ENV.privateKeyPath} to its path.\n`);
        return exit_codes/* EXIT */.dc.badInput;
    }
    const refused = refusedArguments(args);
    if (refused) {
        io.stderr.write(`${main_NAME}: error: ${refused}\n`);
        return exit_codes/* EXIT */.dc.badInput;
    }
    const command = main_program(io);
    const ended = parseArguments(command, args);
    if (ended !== undefined)
        return ended;
    const env = process.env;
    const values = inputValues(command);
    const quiet = Boolean(command.getOptionValue('quiet'));
    const wording = (message) => forCommandLine(message, env);
    const progress = !quiet && io.stderr.isTTY === true;
    let status = exit_codes/* EXIT */.dc.bug;
    await runGate({
        readInputs: () => {
            try {
                return { config: parseConfig(inputReader(values, env)) };
            }
            catch (error) {
                throw error instanceof InputError ? new InputError(wording(error.message)) : error;
            }
        },
        log: line => {
            if (progress)
                io.stderr.write(`${(0,src_text/* oneLine */.TN)(secrets_scrub(line), 2000)}\n`);
        },
        phase: (_title, work) => work(),
        sinks: commandLineSinks(io, {
            format: command.getOptionValue('format'),
            palette: paletteFor(io.stdout.isTTY, env),
            quiet,
            reportPath: values.get('report-path') || undefined,
            wording,
            exit: code => void (status = code)
        })
    });
    return status;
}
/**
 * What the parser would take but a user surely did not mean: `--version` beside a gate's flags
 * (the action's `version` input is `--app-version` here), and the action's GitHub-only inputs.
 */
function refusedArguments(args) {
    // A flag's value is not a flag: `--comment-header --version` names a header.
    const takesValue = new Set(FLAGS.map(f => `--${f.flag}`).concat('--format'));
    const flags = args.filter((arg, i) => arg.startsWith('--') && !takesValue.has(args[i - 1] ?? ''));
    const names = flags.map(arg => arg.slice(2).split('=')[0]);
    const beside = args.filter(arg => !['--version', '--help', '-h'].includes(arg));
    if (names.includes('version') && beside.length > 0) {
        return "'--version' prints the tool's version; for the App Store version use '--app-version' ('--app-version live' for the version live now).";
    }
    const githubOnly = names.find(name => GITHUB_ONLY_INPUTS.includes(name));
    if (githubOnly?.startsWith('history')) {
        return `'--${githubOnly}' is GitHub-only: the guard's history is kept on a branch of the workflow's repository, written with its token; 'replay' decides again with the history a record holds.`;
    }
    if (githubOnly) {
        return `'--${githubOnly}' is GitHub-only: the command-line tool writes no pull-request comment and no annotations (its report goes to stdout, --report-path, --junit-path and --sarif-path).`;
    }
    return undefined;
}
/**
 * Each input's value: from its flag, else its environment variable, else action.yml's default
 * (commander's order). An input without a default that was not given is absent.
 */
function inputValues(command) {
    // A --no-… flag defaults to true in commander when action.yml gives no default.
    return flagValues(command, (source, flag, value) => typeof value === 'string' && !(source === 'default' && !flag.default));
}


/***/ }),

/***/ 992:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   K9: () => (/* binding */ groupDigits),
/* harmony export */   KN: () => (/* binding */ percent),
/* harmony export */   LS: () => (/* binding */ plural),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   aj: () => (/* binding */ sanitize),
/* harmony export */   bb: () => (/* binding */ limitPercent),
/* harmony export */   bp: () => (/* binding */ describeValue),
/* harmony export */   gU: () => (/* binding */ VIEWER_UNSAFE),
/* harmony export */   oi: () => (/* binding */ safeJson),
/* harmony export */   xv: () => (/* binding */ truncate)
/* harmony export */ });
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


/***/ }),

/***/ 421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 909:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const { Argument } = __nccwpck_require__(154);
const { Command } = __nccwpck_require__(348);
const { CommanderError, InvalidArgumentError } = __nccwpck_require__(135);
const { Help } = __nccwpck_require__(754);
const { Option } = __nccwpck_require__(240);

exports.DM = new Command();

exports.gu = (name) => new Command(name);
exports.Ww = (flags, description) => new Option(flags, description);
exports.er = (name, description) => new Argument(name, description);

/**
 * Expose classes
 */

exports.uB = Command;
exports.c$ = Option;
exports.ef = Argument;
exports._V = Help;

exports.b7 = CommanderError;
exports.Di = InvalidArgumentError;
exports.a2 = InvalidArgumentError; // Deprecated


/***/ }),

/***/ 154:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const { InvalidArgumentError } = __nccwpck_require__(135);

class Argument {
  /**
   * Initialize a new command argument with the given name and description.
   * The default is that the argument is required, and you can explicitly
   * indicate this with <> around the name. Put [] around the name for an optional argument.
   *
   * @param {string} name
   * @param {string} [description]
   */

  constructor(name, description) {
    this.description = description || '';
    this.variadic = false;
    this.parseArg = undefined;
    this.defaultValue = undefined;
    this.defaultValueDescription = undefined;
    this.argChoices = undefined;

    switch (name[0]) {
      case '<': // e.g. <required>
        this.required = true;
        this._name = name.slice(1, -1);
        break;
      case '[': // e.g. [optional]
        this.required = false;
        this._name = name.slice(1, -1);
        break;
      default:
        this.required = true;
        this._name = name;
        break;
    }

    if (this._name.endsWith('...')) {
      this.variadic = true;
      this._name = this._name.slice(0, -3);
    }
  }

  /**
   * Return argument name.
   *
   * @return {string}
   */

  name() {
    return this._name;
  }

  /**
   * @package
   */

  _collectValue(value, previous) {
    if (previous === this.defaultValue || !Array.isArray(previous)) {
      return [value];
    }

    previous.push(value);
    return previous;
  }

  /**
   * Set the default value, and optionally supply the description to be displayed in the help.
   *
   * @param {*} value
   * @param {string} [description]
   * @return {Argument}
   */

  default(value, description) {
    this.defaultValue = value;
    this.defaultValueDescription = description;
    return this;
  }

  /**
   * Set the custom handler for processing CLI command arguments into argument values.
   *
   * @param {Function} [fn]
   * @return {Argument}
   */

  argParser(fn) {
    this.parseArg = fn;
    return this;
  }

  /**
   * Only allow argument value to be one of choices.
   *
   * @param {string[]} values
   * @return {Argument}
   */

  choices(values) {
    this.argChoices = values.slice();
    this.parseArg = (arg, previous) => {
      if (!this.argChoices.includes(arg)) {
        throw new InvalidArgumentError(
          `Allowed choices are ${this.argChoices.join(', ')}.`,
        );
      }
      if (this.variadic) {
        return this._collectValue(arg, previous);
      }
      return arg;
    };
    return this;
  }

  /**
   * Make argument required.
   *
   * @returns {Argument}
   */
  argRequired() {
    this.required = true;
    return this;
  }

  /**
   * Make argument optional.
   *
   * @returns {Argument}
   */
  argOptional() {
    this.required = false;
    return this;
  }
}

/**
 * Takes an argument and returns its human readable equivalent for help usage.
 *
 * @param {Argument} arg
 * @return {string}
 * @private
 */

function humanReadableArgName(arg) {
  const nameOutput = arg.name() + (arg.variadic === true ? '...' : '');

  return arg.required ? '<' + nameOutput + '>' : '[' + nameOutput + ']';
}

exports.Argument = Argument;
exports.humanReadableArgName = humanReadableArgName;


/***/ }),

/***/ 348:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const EventEmitter = (__nccwpck_require__(474).EventEmitter);
const childProcess = __nccwpck_require__(421);
const path = __nccwpck_require__(760);
const fs = __nccwpck_require__(24);
const process = __nccwpck_require__(708);

const { Argument, humanReadableArgName } = __nccwpck_require__(154);
const { CommanderError } = __nccwpck_require__(135);
const { Help, stripColor } = __nccwpck_require__(754);
const { Option, DualOptions } = __nccwpck_require__(240);
const { suggestSimilar } = __nccwpck_require__(30);

class Command extends EventEmitter {
  /**
   * Initialize a new `Command`.
   *
   * @param {string} [name]
   */

  constructor(name) {
    super();
    /** @type {Command[]} */
    this.commands = [];
    /** @type {Option[]} */
    this.options = [];
    this.parent = null;
    this._allowUnknownOption = false;
    this._allowExcessArguments = false;
    /** @type {Argument[]} */
    this.registeredArguments = [];
    this._args = this.registeredArguments; // deprecated old name
    /** @type {string[]} */
    this.args = []; // cli args with options removed
    this.rawArgs = [];
    this.processedArgs = []; // like .args but after custom processing and collecting variadic
    this._scriptPath = null;
    this._name = name || '';
    this._optionValues = {};
    this._optionValueSources = {}; // default, env, cli etc
    this._storeOptionsAsProperties = false;
    this._actionHandler = null;
    this._executableHandler = false;
    this._executableFile = null; // custom name for executable
    this._executableDir = null; // custom search directory for subcommands
    this._defaultCommandName = null;
    this._exitCallback = null;
    this._aliases = [];
    this._combineFlagAndOptionalValue = true;
    this._description = '';
    this._summary = '';
    this._argsDescription = undefined; // legacy
    this._enablePositionalOptions = false;
    this._passThroughOptions = false;
    this._lifeCycleHooks = {}; // a hash of arrays
    /** @type {(boolean | string)} */
    this._showHelpAfterError = false;
    this._showSuggestionAfterError = true;
    this._savedState = null; // used in save/restoreStateBeforeParse

    // see configureOutput() for docs
    this._outputConfiguration = {
      writeOut: (str) => process.stdout.write(str),
      writeErr: (str) => process.stderr.write(str),
      outputError: (str, write) => write(str),
      getOutHelpWidth: () =>
        process.stdout.isTTY ? process.stdout.columns : undefined,
      getErrHelpWidth: () =>
        process.stderr.isTTY ? process.stderr.columns : undefined,
      getOutHasColors: () =>
        useColor() ?? (process.stdout.isTTY && process.stdout.hasColors?.()),
      getErrHasColors: () =>
        useColor() ?? (process.stderr.isTTY && process.stderr.hasColors?.()),
      stripColor: (str) => stripColor(str),
    };

    this._hidden = false;
    /** @type {(Option | null | undefined)} */
    this._helpOption = undefined; // Lazy created on demand. May be null if help option is disabled.
    this._addImplicitHelpCommand = undefined; // undecided whether true or false yet, not inherited
    /** @type {Command} */
    this._helpCommand = undefined; // lazy initialised, inherited
    this._helpConfiguration = {};
    /** @type {string | undefined} */
    this._helpGroupHeading = undefined; // soft initialised when added to parent
    /** @type {string | undefined} */
    this._defaultCommandGroup = undefined;
    /** @type {string | undefined} */
    this._defaultOptionGroup = undefined;
  }

  /**
   * Copy settings that are useful to have in common across root command and subcommands.
   *
   * (Used internally when adding a command using `.command()` so subcommands inherit parent settings.)
   *
   * @param {Command} sourceCommand
   * @return {Command} `this` command for chaining
   */
  copyInheritedSettings(sourceCommand) {
    this._outputConfiguration = sourceCommand._outputConfiguration;
    this._helpOption = sourceCommand._helpOption;
    this._helpCommand = sourceCommand._helpCommand;
    this._helpConfiguration = sourceCommand._helpConfiguration;
    this._exitCallback = sourceCommand._exitCallback;
    this._storeOptionsAsProperties = sourceCommand._storeOptionsAsProperties;
    this._combineFlagAndOptionalValue =
      sourceCommand._combineFlagAndOptionalValue;
    this._allowExcessArguments = sourceCommand._allowExcessArguments;
    this._enablePositionalOptions = sourceCommand._enablePositionalOptions;
    this._showHelpAfterError = sourceCommand._showHelpAfterError;
    this._showSuggestionAfterError = sourceCommand._showSuggestionAfterError;

    return this;
  }

  /**
   * @returns {Command[]}
   * @private
   */

  _getCommandAndAncestors() {
    const result = [];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let command = this; command; command = command.parent) {
      result.push(command);
    }
    return result;
  }

  /**
   * Define a command.
   *
   * There are two styles of command: pay attention to where to put the description.
   *
   * @example
   * // Command implemented using action handler (description is supplied separately to `.command`)
   * program
   *   .command('clone <source> [destination]')
   *   .description('clone a repository into a newly created directory')
   *   .action((source, destination) => {
   *     console.log('clone command called');
   *   });
   *
   * // Command implemented using separate executable file (description is second parameter to `.command`)
   * program
   *   .command('start <service>', 'start named service')
   *   .command('stop [service]', 'stop named service, or all if no name supplied');
   *
   * @param {string} nameAndArgs - command name and arguments, args are `<required>` or `[optional]` and last may also be `variadic...`
   * @param {(object | string)} [actionOptsOrExecDesc] - configuration options (for action), or description (for executable)
   * @param {object} [execOpts] - configuration options (for executable)
   * @return {Command} returns new command for action handler, or `this` for executable command
   */

  command(nameAndArgs, actionOptsOrExecDesc, execOpts) {
    let desc = actionOptsOrExecDesc;
    let opts = execOpts;
    if (typeof desc === 'object' && desc !== null) {
      opts = desc;
      desc = null;
    }
    opts = opts || {};
    const [, name, args] = nameAndArgs.match(/([^ ]+) *(.*)/);

    const cmd = this.createCommand(name);
    if (desc) {
      cmd.description(desc);
      cmd._executableHandler = true;
    }
    if (opts.isDefault) this._defaultCommandName = cmd._name;
    cmd._hidden = !!(opts.noHelp || opts.hidden); // noHelp is deprecated old name for hidden
    cmd._executableFile = opts.executableFile || null; // Custom name for executable file, set missing to null to match constructor
    if (args) cmd.arguments(args);
    this._registerCommand(cmd);
    cmd.parent = this;
    cmd.copyInheritedSettings(this);

    if (desc) return this;
    return cmd;
  }

  /**
   * Factory routine to create a new unattached command.
   *
   * See .command() for creating an attached subcommand, which uses this routine to
   * create the command. You can override createCommand to customise subcommands.
   *
   * @param {string} [name]
   * @return {Command} new command
   */

  createCommand(name) {
    return new Command(name);
  }

  /**
   * You can customise the help with a subclass of Help by overriding createHelp,
   * or by overriding Help properties using configureHelp().
   *
   * @return {Help}
   */

  createHelp() {
    return Object.assign(new Help(), this.configureHelp());
  }

  /**
   * You can customise the help by overriding Help properties using configureHelp(),
   * or with a subclass of Help by overriding createHelp().
   *
   * @param {object} [configuration] - configuration options
   * @return {(Command | object)} `this` command for chaining, or stored configuration
   */

  configureHelp(configuration) {
    if (configuration === undefined) return this._helpConfiguration;

    this._helpConfiguration = configuration;
    return this;
  }

  /**
   * The default output goes to stdout and stderr. You can customise this for special
   * applications. You can also customise the display of errors by overriding outputError.
   *
   * The configuration properties are all functions:
   *
   *     // change how output being written, defaults to stdout and stderr
   *     writeOut(str)
   *     writeErr(str)
   *     // change how output being written for errors, defaults to writeErr
   *     outputError(str, write) // used for displaying errors and not used for displaying help
   *     // specify width for wrapping help
   *     getOutHelpWidth()
   *     getErrHelpWidth()
   *     // color support, currently only used with Help
   *     getOutHasColors()
   *     getErrHasColors()
   *     stripColor() // used to remove ANSI escape codes if output does not have colors
   *
   * @param {object} [configuration] - configuration options
   * @return {(Command | object)} `this` command for chaining, or stored configuration
   */

  configureOutput(configuration) {
    if (configuration === undefined) return this._outputConfiguration;

    this._outputConfiguration = {
      ...this._outputConfiguration,
      ...configuration,
    };
    return this;
  }

  /**
   * Display the help or a custom message after an error occurs.
   *
   * @param {(boolean|string)} [displayHelp]
   * @return {Command} `this` command for chaining
   */
  showHelpAfterError(displayHelp = true) {
    if (typeof displayHelp !== 'string') displayHelp = !!displayHelp;
    this._showHelpAfterError = displayHelp;
    return this;
  }

  /**
   * Display suggestion of similar commands for unknown commands, or options for unknown options.
   *
   * @param {boolean} [displaySuggestion]
   * @return {Command} `this` command for chaining
   */
  showSuggestionAfterError(displaySuggestion = true) {
    this._showSuggestionAfterError = !!displaySuggestion;
    return this;
  }

  /**
   * Add a prepared subcommand.
   *
   * See .command() for creating an attached subcommand which inherits settings from its parent.
   *
   * @param {Command} cmd - new subcommand
   * @param {object} [opts] - configuration options
   * @return {Command} `this` command for chaining
   */

  addCommand(cmd, opts) {
    if (!cmd._name) {
      throw new Error(`Command passed to .addCommand() must have a name
- specify the name in Command constructor or using .name()`);
    }

    opts = opts || {};
    if (opts.isDefault) this._defaultCommandName = cmd._name;
    if (opts.noHelp || opts.hidden) cmd._hidden = true; // modifying passed command due to existing implementation

    this._registerCommand(cmd);
    cmd.parent = this;
    cmd._checkForBrokenPassThrough();

    return this;
  }

  /**
   * Factory routine to create a new unattached argument.
   *
   * See .argument() for creating an attached argument, which uses this routine to
   * create the argument. You can override createArgument to return a custom argument.
   *
   * @param {string} name
   * @param {string} [description]
   * @return {Argument} new argument
   */

  createArgument(name, description) {
    return new Argument(name, description);
  }

  /**
   * Define argument syntax for command.
   *
   * The default is that the argument is required, and you can explicitly
   * indicate this with <> around the name. Put [] around the name for an optional argument.
   *
   * @example
   * program.argument('<input-file>');
   * program.argument('[output-file]');
   *
   * @param {string} name
   * @param {string} [description]
   * @param {(Function|*)} [parseArg] - custom argument processing function or default value
   * @param {*} [defaultValue]
   * @return {Command} `this` command for chaining
   */
  argument(name, description, parseArg, defaultValue) {
    const argument = this.createArgument(name, description);
    if (typeof parseArg === 'function') {
      argument.default(defaultValue).argParser(parseArg);
    } else {
      argument.default(parseArg);
    }
    this.addArgument(argument);
    return this;
  }

  /**
   * Define argument syntax for command, adding multiple at once (without descriptions).
   *
   * See also .argument().
   *
   * @example
   * program.arguments('<cmd> [env]');
   *
   * @param {string} names
   * @return {Command} `this` command for chaining
   */

  arguments(names) {
    names
      .trim()
      .split(/ +/)
      .forEach((detail) => {
        this.argument(detail);
      });
    return this;
  }

  /**
   * Define argument syntax for command, adding a prepared argument.
   *
   * @param {Argument} argument
   * @return {Command} `this` command for chaining
   */
  addArgument(argument) {
    const previousArgument = this.registeredArguments.slice(-1)[0];
    if (previousArgument?.variadic) {
      throw new Error(
        `only the last argument can be variadic '${previousArgument.name()}'`,
      );
    }
    if (
      argument.required &&
      argument.defaultValue !== undefined &&
      argument.parseArg === undefined
    ) {
      throw new Error(
        `a default value for a required argument is never used: '${argument.name()}'`,
      );
    }
    this.registeredArguments.push(argument);
    return this;
  }

  /**
   * Customise or override default help command. By default a help command is automatically added if your command has subcommands.
   *
   * @example
   *    program.helpCommand('help [cmd]');
   *    program.helpCommand('help [cmd]', 'show help');
   *    program.helpCommand(false); // suppress default help command
   *    program.helpCommand(true); // add help command even if no subcommands
   *
   * @param {string|boolean} enableOrNameAndArgs - enable with custom name and/or arguments, or boolean to override whether added
   * @param {string} [description] - custom description
   * @return {Command} `this` command for chaining
   */

  helpCommand(enableOrNameAndArgs, description) {
    if (typeof enableOrNameAndArgs === 'boolean') {
      this._addImplicitHelpCommand = enableOrNameAndArgs;
      if (enableOrNameAndArgs && this._defaultCommandGroup) {
        // make the command to store the group
        this._initCommandGroup(this._getHelpCommand());
      }
      return this;
    }

    const nameAndArgs = enableOrNameAndArgs ?? 'help [command]';
    const [, helpName, helpArgs] = nameAndArgs.match(/([^ ]+) *(.*)/);
    const helpDescription = description ?? 'display help for command';

    const helpCommand = this.createCommand(helpName);
    helpCommand.helpOption(false);
    if (helpArgs) helpCommand.arguments(helpArgs);
    if (helpDescription) helpCommand.description(helpDescription);

    this._addImplicitHelpCommand = true;
    this._helpCommand = helpCommand;
    // init group unless lazy create
    if (enableOrNameAndArgs || description) this._initCommandGroup(helpCommand);

    return this;
  }

  /**
   * Add prepared custom help command.
   *
   * @param {(Command|string|boolean)} helpCommand - custom help command, or deprecated enableOrNameAndArgs as for `.helpCommand()`
   * @param {string} [deprecatedDescription] - deprecated custom description used with custom name only
   * @return {Command} `this` command for chaining
   */
  addHelpCommand(helpCommand, deprecatedDescription) {
    // If not passed an object, call through to helpCommand for backwards compatibility,
    // as addHelpCommand was originally used like helpCommand is now.
    if (typeof helpCommand !== 'object') {
      this.helpCommand(helpCommand, deprecatedDescription);
      return this;
    }

    this._addImplicitHelpCommand = true;
    this._helpCommand = helpCommand;
    this._initCommandGroup(helpCommand);
    return this;
  }

  /**
   * Lazy create help command.
   *
   * @return {(Command|null)}
   * @package
   */
  _getHelpCommand() {
    const hasImplicitHelpCommand =
      this._addImplicitHelpCommand ??
      (this.commands.length &&
        !this._actionHandler &&
        !this._findCommand('help'));

    if (hasImplicitHelpCommand) {
      if (this._helpCommand === undefined) {
        this.helpCommand(undefined, undefined); // use default name and description
      }
      return this._helpCommand;
    }
    return null;
  }

  /**
   * Add hook for life cycle event.
   *
   * @param {string} event
   * @param {Function} listener
   * @return {Command} `this` command for chaining
   */

  hook(event, listener) {
    const allowedValues = ['preSubcommand', 'preAction', 'postAction'];
    if (!allowedValues.includes(event)) {
      throw new Error(`Unexpected value for event passed to hook : '${event}'.
Expecting one of '${allowedValues.join("', '")}'`);
    }
    if (this._lifeCycleHooks[event]) {
      this._lifeCycleHooks[event].push(listener);
    } else {
      this._lifeCycleHooks[event] = [listener];
    }
    return this;
  }

  /**
   * Register callback to use as replacement for calling process.exit.
   *
   * @param {Function} [fn] optional callback which will be passed a CommanderError, defaults to throwing
   * @return {Command} `this` command for chaining
   */

  exitOverride(fn) {
    if (fn) {
      this._exitCallback = fn;
    } else {
      this._exitCallback = (err) => {
        if (err.code !== 'commander.executeSubCommandAsync') {
          throw err;
        } else {
          // Async callback from spawn events, not useful to throw.
        }
      };
    }
    return this;
  }

  /**
   * Call process.exit, and _exitCallback if defined.
   *
   * @param {number} exitCode exit code for using with process.exit
   * @param {string} code an id string representing the error
   * @param {string} message human-readable description of the error
   * @return never
   * @private
   */

  _exit(exitCode, code, message) {
    if (this._exitCallback) {
      this._exitCallback(new CommanderError(exitCode, code, message));
      // Expecting this line is not reached.
    }
    process.exit(exitCode);
  }

  /**
   * Register callback `fn` for the command.
   *
   * @example
   * program
   *   .command('serve')
   *   .description('start service')
   *   .action(function() {
   *      // do work here
   *   });
   *
   * @param {Function} fn
   * @return {Command} `this` command for chaining
   */

  action(fn) {
    const listener = (args) => {
      // The .action callback takes an extra parameter which is the command or options.
      const expectedArgsCount = this.registeredArguments.length;
      const actionArgs = args.slice(0, expectedArgsCount);
      if (this._storeOptionsAsProperties) {
        actionArgs[expectedArgsCount] = this; // backwards compatible "options"
      } else {
        actionArgs[expectedArgsCount] = this.opts();
      }
      actionArgs.push(this);

      return fn.apply(this, actionArgs);
    };
    this._actionHandler = listener;
    return this;
  }

  /**
   * Factory routine to create a new unattached option.
   *
   * See .option() for creating an attached option, which uses this routine to
   * create the option. You can override createOption to return a custom option.
   *
   * @param {string} flags
   * @param {string} [description]
   * @return {Option} new option
   */

  createOption(flags, description) {
    return new Option(flags, description);
  }

  /**
   * Wrap parseArgs to catch 'commander.invalidArgument'.
   *
   * @param {(Option | Argument)} target
   * @param {string} value
   * @param {*} previous
   * @param {string} invalidArgumentMessage
   * @private
   */

  _callParseArg(target, value, previous, invalidArgumentMessage) {
    try {
      return target.parseArg(value, previous);
    } catch (err) {
      if (err.code === 'commander.invalidArgument') {
        const message = `${invalidArgumentMessage} ${err.message}`;
        this.error(message, { exitCode: err.exitCode, code: err.code });
      }
      throw err;
    }
  }

  /**
   * Check for option flag conflicts.
   * Register option if no conflicts found, or throw on conflict.
   *
   * @param {Option} option
   * @private
   */

  _registerOption(option) {
    const matchingOption =
      (option.short && this._findOption(option.short)) ||
      (option.long && this._findOption(option.long));
    if (matchingOption) {
      const matchingFlag =
        option.long && this._findOption(option.long)
          ? option.long
          : option.short;
      throw new Error(`Cannot add option '${option.flags}'${this._name && ` to command '${this._name}'`} due to conflicting flag '${matchingFlag}'
-  already used by option '${matchingOption.flags}'`);
    }

    this._initOptionGroup(option);
    this.options.push(option);
  }

  /**
   * Check for command name and alias conflicts with existing commands.
   * Register command if no conflicts found, or throw on conflict.
   *
   * @param {Command} command
   * @private
   */

  _registerCommand(command) {
    const knownBy = (cmd) => {
      return [cmd.name()].concat(cmd.aliases());
    };

    const alreadyUsed = knownBy(command).find((name) =>
      this._findCommand(name),
    );
    if (alreadyUsed) {
      const existingCmd = knownBy(this._findCommand(alreadyUsed)).join('|');
      const newCmd = knownBy(command).join('|');
      throw new Error(
        `cannot add command '${newCmd}' as already have command '${existingCmd}'`,
      );
    }

    this._initCommandGroup(command);
    this.commands.push(command);
  }

  /**
   * Add an option.
   *
   * @param {Option} option
   * @return {Command} `this` command for chaining
   */
  addOption(option) {
    this._registerOption(option);

    const oname = option.name();
    const name = option.attributeName();

    // store default value
    if (option.negate) {
      // --no-foo is special and defaults foo to true, unless a --foo option is already defined
      const positiveLongFlag = option.long.replace(/^--no-/, '--');
      if (!this._findOption(positiveLongFlag)) {
        this.setOptionValueWithSource(
          name,
          option.defaultValue === undefined ? true : option.defaultValue,
          'default',
        );
      }
    } else if (option.defaultValue !== undefined) {
      this.setOptionValueWithSource(name, option.defaultValue, 'default');
    }

    // handler for cli and env supplied values
    const handleOptionValue = (val, invalidValueMessage, valueSource) => {
      // val is null for optional option used without an optional-argument.
      // val is undefined for boolean and negated option.
      if (val == null && option.presetArg !== undefined) {
        val = option.presetArg;
      }

      // custom processing
      const oldValue = this.getOptionValue(name);
      if (val !== null && option.parseArg) {
        val = this._callParseArg(option, val, oldValue, invalidValueMessage);
      } else if (val !== null && option.variadic) {
        val = option._collectValue(val, oldValue);
      }

      // Fill-in appropriate missing values. Long winded but easy to follow.
      if (val == null) {
        if (option.negate) {
          val = false;
        } else if (option.isBoolean() || option.optional) {
          val = true;
        } else {
          val = ''; // not normal, parseArg might have failed or be a mock function for testing
        }
      }
      this.setOptionValueWithSource(name, val, valueSource);
    };

    this.on('option:' + oname, (val) => {
      const invalidValueMessage = `error: option '${option.flags}' argument '${val}' is invalid.`;
      handleOptionValue(val, invalidValueMessage, 'cli');
    });

    if (option.envVar) {
      this.on('optionEnv:' + oname, (val) => {
        const invalidValueMessage = `error: option '${option.flags}' value '${val}' from env '${option.envVar}' is invalid.`;
        handleOptionValue(val, invalidValueMessage, 'env');
      });
    }

    return this;
  }

  /**
   * Internal implementation shared by .option() and .requiredOption()
   *
   * @return {Command} `this` command for chaining
   * @private
   */
  _optionEx(config, flags, description, fn, defaultValue) {
    if (typeof flags === 'object' && flags instanceof Option) {
      throw new Error(
        'To add an Option object use addOption() instead of option() or requiredOption()',
      );
    }
    const option = this.createOption(flags, description);
    option.makeOptionMandatory(!!config.mandatory);
    if (typeof fn === 'function') {
      option.default(defaultValue).argParser(fn);
    } else if (fn instanceof RegExp) {
      // deprecated
      const regex = fn;
      fn = (val, def) => {
        const m = regex.exec(val);
        return m ? m[0] : def;
      };
      option.default(defaultValue).argParser(fn);
    } else {
      option.default(fn);
    }

    return this.addOption(option);
  }

  /**
   * Define option with `flags`, `description`, and optional argument parsing function or `defaultValue` or both.
   *
   * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space. A required
   * option-argument is indicated by `<>` and an optional option-argument by `[]`.
   *
   * See the README for more details, and see also addOption() and requiredOption().
   *
   * @example
   * program
   *     .option('-p, --pepper', 'add pepper')
   *     .option('--pt, --pizza-type <TYPE>', 'type of pizza') // required option-argument
   *     .option('-c, --cheese [CHEESE]', 'add extra cheese', 'mozzarella') // optional option-argument with default
   *     .option('-t, --tip <VALUE>', 'add tip to purchase cost', parseFloat) // custom parse function
   *
   * @param {string} flags
   * @param {string} [description]
   * @param {(Function|*)} [parseArg] - custom option processing function or default value
   * @param {*} [defaultValue]
   * @return {Command} `this` command for chaining
   */

  option(flags, description, parseArg, defaultValue) {
    return this._optionEx({}, flags, description, parseArg, defaultValue);
  }

  /**
   * Add a required option which must have a value after parsing. This usually means
   * the option must be specified on the command line. (Otherwise the same as .option().)
   *
   * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space.
   *
   * @param {string} flags
   * @param {string} [description]
   * @param {(Function|*)} [parseArg] - custom option processing function or default value
   * @param {*} [defaultValue]
   * @return {Command} `this` command for chaining
   */

  requiredOption(flags, description, parseArg, defaultValue) {
    return this._optionEx(
      { mandatory: true },
      flags,
      description,
      parseArg,
      defaultValue,
    );
  }

  /**
   * Alter parsing of short flags with optional values.
   *
   * @example
   * // for `.option('-f,--flag [value]'):
   * program.combineFlagAndOptionalValue(true);  // `-f80` is treated like `--flag=80`, this is the default behaviour
   * program.combineFlagAndOptionalValue(false) // `-fb` is treated like `-f -b`
   *
   * @param {boolean} [combine] - if `true` or omitted, an optional value can be specified directly after the flag.
   * @return {Command} `this` command for chaining
   */
  combineFlagAndOptionalValue(combine = true) {
    this._combineFlagAndOptionalValue = !!combine;
    return this;
  }

  /**
   * Allow unknown options on the command line.
   *
   * @param {boolean} [allowUnknown] - if `true` or omitted, no error will be thrown for unknown options.
   * @return {Command} `this` command for chaining
   */
  allowUnknownOption(allowUnknown = true) {
    this._allowUnknownOption = !!allowUnknown;
    return this;
  }

  /**
   * Allow excess command-arguments on the command line. Pass false to make excess arguments an error.
   *
   * @param {boolean} [allowExcess] - if `true` or omitted, no error will be thrown for excess arguments.
   * @return {Command} `this` command for chaining
   */
  allowExcessArguments(allowExcess = true) {
    this._allowExcessArguments = !!allowExcess;
    return this;
  }

  /**
   * Enable positional options. Positional means global options are specified before subcommands which lets
   * subcommands reuse the same option names, and also enables subcommands to turn on passThroughOptions.
   * The default behaviour is non-positional and global options may appear anywhere on the command line.
   *
   * @param {boolean} [positional]
   * @return {Command} `this` command for chaining
   */
  enablePositionalOptions(positional = true) {
    this._enablePositionalOptions = !!positional;
    return this;
  }

  /**
   * Pass through options that come after command-arguments rather than treat them as command-options,
   * so actual command-options come before command-arguments. Turning this on for a subcommand requires
   * positional options to have been enabled on the program (parent commands).
   * The default behaviour is non-positional and options may appear before or after command-arguments.
   *
   * @param {boolean} [passThrough] for unknown options.
   * @return {Command} `this` command for chaining
   */
  passThroughOptions(passThrough = true) {
    this._passThroughOptions = !!passThrough;
    this._checkForBrokenPassThrough();
    return this;
  }

  /**
   * @private
   */

  _checkForBrokenPassThrough() {
    if (
      this.parent &&
      this._passThroughOptions &&
      !this.parent._enablePositionalOptions
    ) {
      throw new Error(
        `passThroughOptions cannot be used for '${this._name}' without turning on enablePositionalOptions for parent command(s)`,
      );
    }
  }

  /**
   * Whether to store option values as properties on command object,
   * or store separately (specify false). In both cases the option values can be accessed using .opts().
   *
   * @param {boolean} [storeAsProperties=true]
   * @return {Command} `this` command for chaining
   */

  storeOptionsAsProperties(storeAsProperties = true) {
    if (this.options.length) {
      throw new Error('call .storeOptionsAsProperties() before adding options');
    }
    if (Object.keys(this._optionValues).length) {
      throw new Error(
        'call .storeOptionsAsProperties() before setting option values',
      );
    }
    this._storeOptionsAsProperties = !!storeAsProperties;
    return this;
  }

  /**
   * Retrieve option value.
   *
   * @param {string} key
   * @return {object} value
   */

  getOptionValue(key) {
    if (this._storeOptionsAsProperties) {
      return this[key];
    }
    return this._optionValues[key];
  }

  /**
   * Store option value.
   *
   * @param {string} key
   * @param {object} value
   * @return {Command} `this` command for chaining
   */

  setOptionValue(key, value) {
    return this.setOptionValueWithSource(key, value, undefined);
  }

  /**
   * Store option value and where the value came from.
   *
   * @param {string} key
   * @param {object} value
   * @param {string} source - expected values are default/config/env/cli/implied
   * @return {Command} `this` command for chaining
   */

  setOptionValueWithSource(key, value, source) {
    if (this._storeOptionsAsProperties) {
      this[key] = value;
    } else {
      this._optionValues[key] = value;
    }
    this._optionValueSources[key] = source;
    return this;
  }

  /**
   * Get source of option value.
   * Expected values are default | config | env | cli | implied
   *
   * @param {string} key
   * @return {string}
   */

  getOptionValueSource(key) {
    return this._optionValueSources[key];
  }

  /**
   * Get source of option value. See also .optsWithGlobals().
   * Expected values are default | config | env | cli | implied
   *
   * @param {string} key
   * @return {string}
   */

  getOptionValueSourceWithGlobals(key) {
    // global overwrites local, like optsWithGlobals
    let source;
    this._getCommandAndAncestors().forEach((cmd) => {
      if (cmd.getOptionValueSource(key) !== undefined) {
        source = cmd.getOptionValueSource(key);
      }
    });
    return source;
  }

  /**
   * Get user arguments from implied or explicit arguments.
   * Side-effects: set _scriptPath if args included script. Used for default program name, and subcommand searches.
   *
   * @private
   */

  _prepareUserArgs(argv, parseOptions) {
    if (argv !== undefined && !Array.isArray(argv)) {
      throw new Error('first parameter to parse must be array or undefined');
    }
    parseOptions = parseOptions || {};

    // auto-detect argument conventions if nothing supplied
    if (argv === undefined && parseOptions.from === undefined) {
      if (process.versions?.electron) {
        parseOptions.from = 'electron';
      }
      // check node specific options for scenarios where user CLI args follow executable without scriptname
      const execArgv = process.execArgv ?? [];
      if (
        execArgv.includes('-e') ||
        execArgv.includes('--eval') ||
        execArgv.includes('-p') ||
        execArgv.includes('--print')
      ) {
        parseOptions.from = 'eval'; // internal usage, not documented
      }
    }

    // default to using process.argv
    if (argv === undefined) {
      argv = process.argv;
    }
    this.rawArgs = argv.slice();

    // extract the user args and scriptPath
    let userArgs;
    switch (parseOptions.from) {
      case undefined:
      case 'node':
        this._scriptPath = argv[1];
        userArgs = argv.slice(2);
        break;
      case 'electron':
        // @ts-ignore: because defaultApp is an unknown property
        if (process.defaultApp) {
          this._scriptPath = argv[1];
          userArgs = argv.slice(2);
        } else {
          userArgs = argv.slice(1);
        }
        break;
      case 'user':
        userArgs = argv.slice(0);
        break;
      case 'eval':
        userArgs = argv.slice(1);
        break;
      default:
        throw new Error(
          `unexpected parse option { from: '${parseOptions.from}' }`,
        );
    }

    // Find default name for program from arguments.
    if (!this._name && this._scriptPath)
      this.nameFromFilename(this._scriptPath);
    this._name = this._name || 'program';

    return userArgs;
  }

  /**
   * Parse `argv`, setting options and invoking commands when defined.
   *
   * Use parseAsync instead of parse if any of your action handlers are async.
   *
   * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
   *
   * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
   * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
   * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
   * - `'user'`: just user arguments
   *
   * @example
   * program.parse(); // parse process.argv and auto-detect electron and special node flags
   * program.parse(process.argv); // assume argv[0] is app and argv[1] is script
   * program.parse(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
   *
   * @param {string[]} [argv] - optional, defaults to process.argv
   * @param {object} [parseOptions] - optionally specify style of options with from: node/user/electron
   * @param {string} [parseOptions.from] - where the args are from: 'node', 'user', 'electron'
   * @return {Command} `this` command for chaining
   */

  parse(argv, parseOptions) {
    this._prepareForParse();
    const userArgs = this._prepareUserArgs(argv, parseOptions);
    this._parseCommand([], userArgs);

    return this;
  }

  /**
   * Parse `argv`, setting options and invoking commands when defined.
   *
   * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
   *
   * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
   * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
   * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
   * - `'user'`: just user arguments
   *
   * @example
   * await program.parseAsync(); // parse process.argv and auto-detect electron and special node flags
   * await program.parseAsync(process.argv); // assume argv[0] is app and argv[1] is script
   * await program.parseAsync(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
   *
   * @param {string[]} [argv]
   * @param {object} [parseOptions]
   * @param {string} parseOptions.from - where the args are from: 'node', 'user', 'electron'
   * @return {Promise}
   */

  async parseAsync(argv, parseOptions) {
    this._prepareForParse();
    const userArgs = this._prepareUserArgs(argv, parseOptions);
    await this._parseCommand([], userArgs);

    return this;
  }

  _prepareForParse() {
    if (this._savedState === null) {
      this.saveStateBeforeParse();
    } else {
      this.restoreStateBeforeParse();
    }
  }

  /**
   * Called the first time parse is called to save state and allow a restore before subsequent calls to parse.
   * Not usually called directly, but available for subclasses to save their custom state.
   *
   * This is called in a lazy way. Only commands used in parsing chain will have state saved.
   */
  saveStateBeforeParse() {
    this._savedState = {
      // name is stable if supplied by author, but may be unspecified for root command and deduced during parsing
      _name: this._name,
      // option values before parse have default values (including false for negated options)
      // shallow clones
      _optionValues: { ...this._optionValues },
      _optionValueSources: { ...this._optionValueSources },
    };
  }

  /**
   * Restore state before parse for calls after the first.
   * Not usually called directly, but available for subclasses to save their custom state.
   *
   * This is called in a lazy way. Only commands used in parsing chain will have state restored.
   */
  restoreStateBeforeParse() {
    if (this._storeOptionsAsProperties)
      throw new Error(`Can not call parse again when storeOptionsAsProperties is true.
- either make a new Command for each call to parse, or stop storing options as properties`);

    // clear state from _prepareUserArgs
    this._name = this._savedState._name;
    this._scriptPath = null;
    this.rawArgs = [];
    // clear state from setOptionValueWithSource
    this._optionValues = { ...this._savedState._optionValues };
    this._optionValueSources = { ...this._savedState._optionValueSources };
    // clear state from _parseCommand
    this.args = [];
    // clear state from _processArguments
    this.processedArgs = [];
  }

  /**
   * Throw if expected executable is missing. Add lots of help for author.
   *
   * @param {string} executableFile
   * @param {string} executableDir
   * @param {string} subcommandName
   */
  _checkForMissingExecutable(executableFile, executableDir, subcommandName) {
    if (fs.existsSync(executableFile)) return;

    const executableDirMessage = executableDir
      ? `searched for local subcommand relative to directory '${executableDir}'`
      : 'no directory for search for local subcommand, use .executableDir() to supply a custom directory';
    const executableMissing = `'${executableFile}' does not exist
 - if '${subcommandName}' is not meant to be an executable command, remove description parameter from '.command()' and use '.description()' instead
 - if the default executable name is not suitable, use the executableFile option to supply a custom name or path
 - ${executableDirMessage}`;
    throw new Error(executableMissing);
  }

  /**
   * Execute a sub-command executable.
   *
   * @private
   */

  _executeSubCommand(subcommand, args) {
    args = args.slice();
    let launchWithNode = false; // Use node for source targets so do not need to get permissions correct, and on Windows.
    const sourceExt = ['.js', '.ts', '.tsx', '.mjs', '.cjs'];

    function findFile(baseDir, baseName) {
      // Look for specified file
      const localBin = path.resolve(baseDir, baseName);
      if (fs.existsSync(localBin)) return localBin;

      // Stop looking if candidate already has an expected extension.
      if (sourceExt.includes(path.extname(baseName))) return undefined;

      // Try all the extensions.
      const foundExt = sourceExt.find((ext) =>
        fs.existsSync(`${localBin}${ext}`),
      );
      if (foundExt) return `${localBin}${foundExt}`;

      return undefined;
    }

    // Not checking for help first. Unlikely to have mandatory and executable, and can't robustly test for help flags in external command.
    this._checkForMissingMandatoryOptions();
    this._checkForConflictingOptions();

    // executableFile and executableDir might be full path, or just a name
    let executableFile =
      subcommand._executableFile || `${this._name}-${subcommand._name}`;
    let executableDir = this._executableDir || '';
    if (this._scriptPath) {
      let resolvedScriptPath; // resolve possible symlink for installed npm binary
      try {
        resolvedScriptPath = fs.realpathSync(this._scriptPath);
      } catch {
        resolvedScriptPath = this._scriptPath;
      }
      executableDir = path.resolve(
        path.dirname(resolvedScriptPath),
        executableDir,
      );
    }

    // Look for a local file in preference to a command in PATH.
    if (executableDir) {
      let localFile = findFile(executableDir, executableFile);

      // Legacy search using prefix of script name instead of command name
      if (!localFile && !subcommand._executableFile && this._scriptPath) {
        const legacyName = path.basename(
          this._scriptPath,
          path.extname(this._scriptPath),
        );
        if (legacyName !== this._name) {
          localFile = findFile(
            executableDir,
            `${legacyName}-${subcommand._name}`,
          );
        }
      }
      executableFile = localFile || executableFile;
    }

    launchWithNode = sourceExt.includes(path.extname(executableFile));

    let proc;
    if (process.platform !== 'win32') {
      if (launchWithNode) {
        args.unshift(executableFile);
        // add executable arguments to spawn
        args = incrementNodeInspectorPort(process.execArgv).concat(args);

        proc = childProcess.spawn(process.argv[0], args, { stdio: 'inherit' });
      } else {
        proc = childProcess.spawn(executableFile, args, { stdio: 'inherit' });
      }
    } else {
      this._checkForMissingExecutable(
        executableFile,
        executableDir,
        subcommand._name,
      );
      args.unshift(executableFile);
      // add executable arguments to spawn
      args = incrementNodeInspectorPort(process.execArgv).concat(args);
      proc = childProcess.spawn(process.execPath, args, { stdio: 'inherit' });
    }

    if (!proc.killed) {
      // testing mainly to avoid leak warnings during unit tests with mocked spawn
      const signals = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGHUP'];
      signals.forEach((signal) => {
        process.on(signal, () => {
          if (proc.killed === false && proc.exitCode === null) {
            // @ts-ignore because signals not typed to known strings
            proc.kill(signal);
          }
        });
      });
    }

    // By default terminate process when spawned process terminates.
    const exitCallback = this._exitCallback;
    proc.on('close', (code) => {
      code = code ?? 1; // code is null if spawned process terminated due to a signal
      if (!exitCallback) {
        process.exit(code);
      } else {
        exitCallback(
          new CommanderError(
            code,
            'commander.executeSubCommandAsync',
            '(close)',
          ),
        );
      }
    });
    proc.on('error', (err) => {
      // @ts-ignore: because err.code is an unknown property
      if (err.code === 'ENOENT') {
        this._checkForMissingExecutable(
          executableFile,
          executableDir,
          subcommand._name,
        );
        // @ts-ignore: because err.code is an unknown property
      } else if (err.code === 'EACCES') {
        throw new Error(`'${executableFile}' not executable`);
      }
      if (!exitCallback) {
        process.exit(1);
      } else {
        const wrappedError = new CommanderError(
          1,
          'commander.executeSubCommandAsync',
          '(error)',
        );
        wrappedError.nestedError = err;
        exitCallback(wrappedError);
      }
    });

    // Store the reference to the child process
    this.runningCommand = proc;
  }

  /**
   * @private
   */

  _dispatchSubcommand(commandName, operands, unknown) {
    const subCommand = this._findCommand(commandName);
    if (!subCommand) this.help({ error: true });

    subCommand._prepareForParse();
    let promiseChain;
    promiseChain = this._chainOrCallSubCommandHook(
      promiseChain,
      subCommand,
      'preSubcommand',
    );
    promiseChain = this._chainOrCall(promiseChain, () => {
      if (subCommand._executableHandler) {
        this._executeSubCommand(subCommand, operands.concat(unknown));
      } else {
        return subCommand._parseCommand(operands, unknown);
      }
    });
    return promiseChain;
  }

  /**
   * Invoke help directly if possible, or dispatch if necessary.
   * e.g. help foo
   *
   * @private
   */

  _dispatchHelpCommand(subcommandName) {
    if (!subcommandName) {
      this.help();
    }
    const subCommand = this._findCommand(subcommandName);
    if (subCommand && !subCommand._executableHandler) {
      subCommand.help();
    }

    // Fallback to parsing the help flag to invoke the help.
    return this._dispatchSubcommand(
      subcommandName,
      [],
      [this._getHelpOption()?.long ?? this._getHelpOption()?.short ?? '--help'],
    );
  }

  /**
   * Check this.args against expected this.registeredArguments.
   *
   * @private
   */

  _checkNumberOfArguments() {
    // too few
    this.registeredArguments.forEach((arg, i) => {
      if (arg.required && this.args[i] == null) {
        this.missingArgument(arg.name());
      }
    });
    // too many
    if (
      this.registeredArguments.length > 0 &&
      this.registeredArguments[this.registeredArguments.length - 1].variadic
    ) {
      return;
    }
    if (this.args.length > this.registeredArguments.length) {
      this._excessArguments(this.args);
    }
  }

  /**
   * Process this.args using this.registeredArguments and save as this.processedArgs!
   *
   * @private
   */

  _processArguments() {
    const myParseArg = (argument, value, previous) => {
      // Extra processing for nice error message on parsing failure.
      let parsedValue = value;
      if (value !== null && argument.parseArg) {
        const invalidValueMessage = `error: command-argument value '${value}' is invalid for argument '${argument.name()}'.`;
        parsedValue = this._callParseArg(
          argument,
          value,
          previous,
          invalidValueMessage,
        );
      }
      return parsedValue;
    };

    this._checkNumberOfArguments();

    const processedArgs = [];
    this.registeredArguments.forEach((declaredArg, index) => {
      let value = declaredArg.defaultValue;
      if (declaredArg.variadic) {
        // Collect together remaining arguments for passing together as an array.
        if (index < this.args.length) {
          value = this.args.slice(index);
          if (declaredArg.parseArg) {
            value = value.reduce((processed, v) => {
              return myParseArg(declaredArg, v, processed);
            }, declaredArg.defaultValue);
          }
        } else if (value === undefined) {
          value = [];
        }
      } else if (index < this.args.length) {
        value = this.args[index];
        if (declaredArg.parseArg) {
          value = myParseArg(declaredArg, value, declaredArg.defaultValue);
        }
      }
      processedArgs[index] = value;
    });
    this.processedArgs = processedArgs;
  }

  /**
   * Once we have a promise we chain, but call synchronously until then.
   *
   * @param {(Promise|undefined)} promise
   * @param {Function} fn
   * @return {(Promise|undefined)}
   * @private
   */

  _chainOrCall(promise, fn) {
    // thenable
    if (promise?.then && typeof promise.then === 'function') {
      // already have a promise, chain callback
      return promise.then(() => fn());
    }
    // callback might return a promise
    return fn();
  }

  /**
   *
   * @param {(Promise|undefined)} promise
   * @param {string} event
   * @return {(Promise|undefined)}
   * @private
   */

  _chainOrCallHooks(promise, event) {
    let result = promise;
    const hooks = [];
    this._getCommandAndAncestors()
      .reverse()
      .filter((cmd) => cmd._lifeCycleHooks[event] !== undefined)
      .forEach((hookedCommand) => {
        hookedCommand._lifeCycleHooks[event].forEach((callback) => {
          hooks.push({ hookedCommand, callback });
        });
      });
    if (event === 'postAction') {
      hooks.reverse();
    }

    hooks.forEach((hookDetail) => {
      result = this._chainOrCall(result, () => {
        return hookDetail.callback(hookDetail.hookedCommand, this);
      });
    });
    return result;
  }

  /**
   *
   * @param {(Promise|undefined)} promise
   * @param {Command} subCommand
   * @param {string} event
   * @return {(Promise|undefined)}
   * @private
   */

  _chainOrCallSubCommandHook(promise, subCommand, event) {
    let result = promise;
    if (this._lifeCycleHooks[event] !== undefined) {
      this._lifeCycleHooks[event].forEach((hook) => {
        result = this._chainOrCall(result, () => {
          return hook(this, subCommand);
        });
      });
    }
    return result;
  }

  /**
   * Process arguments in context of this command.
   * Returns action result, in case it is a promise.
   *
   * @private
   */

  _parseCommand(operands, unknown) {
    const parsed = this.parseOptions(unknown);
    this._parseOptionsEnv(); // after cli, so parseArg not called on both cli and env
    this._parseOptionsImplied();
    operands = operands.concat(parsed.operands);
    unknown = parsed.unknown;
    this.args = operands.concat(unknown);

    if (operands && this._findCommand(operands[0])) {
      return this._dispatchSubcommand(operands[0], operands.slice(1), unknown);
    }
    if (
      this._getHelpCommand() &&
      operands[0] === this._getHelpCommand().name()
    ) {
      return this._dispatchHelpCommand(operands[1]);
    }
    if (this._defaultCommandName) {
      this._outputHelpIfRequested(unknown); // Run the help for default command from parent rather than passing to default command
      return this._dispatchSubcommand(
        this._defaultCommandName,
        operands,
        unknown,
      );
    }
    if (
      this.commands.length &&
      this.args.length === 0 &&
      !this._actionHandler &&
      !this._defaultCommandName
    ) {
      // probably missing subcommand and no handler, user needs help (and exit)
      this.help({ error: true });
    }

    this._outputHelpIfRequested(parsed.unknown);
    this._checkForMissingMandatoryOptions();
    this._checkForConflictingOptions();

    // We do not always call this check to avoid masking a "better" error, like unknown command.
    const checkForUnknownOptions = () => {
      if (parsed.unknown.length > 0) {
        this.unknownOption(parsed.unknown[0]);
      }
    };

    const commandEvent = `command:${this.name()}`;
    if (this._actionHandler) {
      checkForUnknownOptions();
      this._processArguments();

      let promiseChain;
      promiseChain = this._chainOrCallHooks(promiseChain, 'preAction');
      promiseChain = this._chainOrCall(promiseChain, () =>
        this._actionHandler(this.processedArgs),
      );
      if (this.parent) {
        promiseChain = this._chainOrCall(promiseChain, () => {
          this.parent.emit(commandEvent, operands, unknown); // legacy
        });
      }
      promiseChain = this._chainOrCallHooks(promiseChain, 'postAction');
      return promiseChain;
    }
    if (this.parent?.listenerCount(commandEvent)) {
      checkForUnknownOptions();
      this._processArguments();
      this.parent.emit(commandEvent, operands, unknown); // legacy
    } else if (operands.length) {
      if (this._findCommand('*')) {
        // legacy default command
        return this._dispatchSubcommand('*', operands, unknown);
      }
      if (this.listenerCount('command:*')) {
        // skip option check, emit event for possible misspelling suggestion
        this.emit('command:*', operands, unknown);
      } else if (this.commands.length) {
        this.unknownCommand();
      } else {
        checkForUnknownOptions();
        this._processArguments();
      }
    } else if (this.commands.length) {
      checkForUnknownOptions();
      // This command has subcommands and nothing hooked up at this level, so display help (and exit).
      this.help({ error: true });
    } else {
      checkForUnknownOptions();
      this._processArguments();
      // fall through for caller to handle after calling .parse()
    }
  }

  /**
   * Find matching command.
   *
   * @private
   * @return {Command | undefined}
   */
  _findCommand(name) {
    if (!name) return undefined;
    return this.commands.find(
      (cmd) => cmd._name === name || cmd._aliases.includes(name),
    );
  }

  /**
   * Return an option matching `arg` if any.
   *
   * @param {string} arg
   * @return {Option}
   * @package
   */

  _findOption(arg) {
    return this.options.find((option) => option.is(arg));
  }

  /**
   * Display an error message if a mandatory option does not have a value.
   * Called after checking for help flags in leaf subcommand.
   *
   * @private
   */

  _checkForMissingMandatoryOptions() {
    // Walk up hierarchy so can call in subcommand after checking for displaying help.
    this._getCommandAndAncestors().forEach((cmd) => {
      cmd.options.forEach((anOption) => {
        if (
          anOption.mandatory &&
          cmd.getOptionValue(anOption.attributeName()) === undefined
        ) {
          cmd.missingMandatoryOptionValue(anOption);
        }
      });
    });
  }

  /**
   * Display an error message if conflicting options are used together in this.
   *
   * @private
   */
  _checkForConflictingLocalOptions() {
    const definedNonDefaultOptions = this.options.filter((option) => {
      const optionKey = option.attributeName();
      if (this.getOptionValue(optionKey) === undefined) {
        return false;
      }
      return this.getOptionValueSource(optionKey) !== 'default';
    });

    const optionsWithConflicting = definedNonDefaultOptions.filter(
      (option) => option.conflictsWith.length > 0,
    );

    optionsWithConflicting.forEach((option) => {
      const conflictingAndDefined = definedNonDefaultOptions.find((defined) =>
        option.conflictsWith.includes(defined.attributeName()),
      );
      if (conflictingAndDefined) {
        this._conflictingOption(option, conflictingAndDefined);
      }
    });
  }

  /**
   * Display an error message if conflicting options are used together.
   * Called after checking for help flags in leaf subcommand.
   *
   * @private
   */
  _checkForConflictingOptions() {
    // Walk up hierarchy so can call in subcommand after checking for displaying help.
    this._getCommandAndAncestors().forEach((cmd) => {
      cmd._checkForConflictingLocalOptions();
    });
  }

  /**
   * Parse options from `argv` removing known options,
   * and return argv split into operands and unknown arguments.
   *
   * Side effects: modifies command by storing options. Does not reset state if called again.
   *
   * Examples:
   *
   *     argv => operands, unknown
   *     --known kkk op => [op], []
   *     op --known kkk => [op], []
   *     sub --unknown uuu op => [sub], [--unknown uuu op]
   *     sub -- --unknown uuu op => [sub --unknown uuu op], []
   *
   * @param {string[]} args
   * @return {{operands: string[], unknown: string[]}}
   */

  parseOptions(args) {
    const operands = []; // operands, not options or values
    const unknown = []; // first unknown option and remaining unknown args
    let dest = operands;

    function maybeOption(arg) {
      return arg.length > 1 && arg[0] === '-';
    }

    const negativeNumberArg = (arg) => {
      // return false if not a negative number
      if (!/^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/.test(arg)) return false;
      // negative number is ok unless digit used as an option in command hierarchy
      return !this._getCommandAndAncestors().some((cmd) =>
        cmd.options
          .map((opt) => opt.short)
          .some((short) => /^-\d$/.test(short)),
      );
    };

    // parse options
    let activeVariadicOption = null;
    let activeGroup = null; // working through group of short options, like -abc
    let i = 0;
    while (i < args.length || activeGroup) {
      const arg = activeGroup ?? args[i++];
      activeGroup = null;

      // literal
      if (arg === '--') {
        if (dest === unknown) dest.push(arg);
        dest.push(...args.slice(i));
        break;
      }

      if (
        activeVariadicOption &&
        (!maybeOption(arg) || negativeNumberArg(arg))
      ) {
        this.emit(`option:${activeVariadicOption.name()}`, arg);
        continue;
      }
      activeVariadicOption = null;

      if (maybeOption(arg)) {
        const option = this._findOption(arg);
        // recognised option, call listener to assign value with possible custom processing
        if (option) {
          if (option.required) {
            const value = args[i++];
            if (value === undefined) this.optionMissingArgument(option);
            this.emit(`option:${option.name()}`, value);
          } else if (option.optional) {
            let value = null;
            // historical behaviour is optional value is following arg unless an option
            if (
              i < args.length &&
              (!maybeOption(args[i]) || negativeNumberArg(args[i]))
            ) {
              value = args[i++];
            }
            this.emit(`option:${option.name()}`, value);
          } else {
            // boolean flag
            this.emit(`option:${option.name()}`);
          }
          activeVariadicOption = option.variadic ? option : null;
          continue;
        }
      }

      // Look for combo options following single dash, eat first one if known.
      if (arg.length > 2 && arg[0] === '-' && arg[1] !== '-') {
        const option = this._findOption(`-${arg[1]}`);
        if (option) {
          if (
            option.required ||
            (option.optional && this._combineFlagAndOptionalValue)
          ) {
            // option with value following in same argument
            this.emit(`option:${option.name()}`, arg.slice(2));
          } else {
            // boolean option
            this.emit(`option:${option.name()}`);
            // remove the processed option and keep processing group
            activeGroup = `-${arg.slice(2)}`;
          }
          continue;
        }
      }

      // Look for known long flag with value, like --foo=bar
      if (/^--[^=]+=/.test(arg)) {
        const index = arg.indexOf('=');
        const option = this._findOption(arg.slice(0, index));
        if (option && (option.required || option.optional)) {
          this.emit(`option:${option.name()}`, arg.slice(index + 1));
          continue;
        }
      }

      // Not a recognised option by this command.
      // Might be a command-argument, or subcommand option, or unknown option, or help command or option.

      // An unknown option means further arguments also classified as unknown so can be reprocessed by subcommands.
      // A negative number in a leaf command is not an unknown option.
      if (
        dest === operands &&
        maybeOption(arg) &&
        !(this.commands.length === 0 && negativeNumberArg(arg))
      ) {
        dest = unknown;
      }

      // If using positionalOptions, stop processing our options at subcommand.
      if (
        (this._enablePositionalOptions || this._passThroughOptions) &&
        operands.length === 0 &&
        unknown.length === 0
      ) {
        if (this._findCommand(arg)) {
          operands.push(arg);
          unknown.push(...args.slice(i));
          break;
        } else if (
          this._getHelpCommand() &&
          arg === this._getHelpCommand().name()
        ) {
          operands.push(arg, ...args.slice(i));
          break;
        } else if (this._defaultCommandName) {
          unknown.push(arg, ...args.slice(i));
          break;
        }
      }

      // If using passThroughOptions, stop processing options at first command-argument.
      if (this._passThroughOptions) {
        dest.push(arg, ...args.slice(i));
        break;
      }

      // add arg
      dest.push(arg);
    }

    return { operands, unknown };
  }

  /**
   * Return an object containing local option values as key-value pairs.
   *
   * @return {object}
   */
  opts() {
    if (this._storeOptionsAsProperties) {
      // Preserve original behaviour so backwards compatible when still using properties
      const result = {};
      const len = this.options.length;

      for (let i = 0; i < len; i++) {
        const key = this.options[i].attributeName();
        result[key] =
          key === this._versionOptionName ? this._version : this[key];
      }
      return result;
    }

    return this._optionValues;
  }

  /**
   * Return an object containing merged local and global option values as key-value pairs.
   *
   * @return {object}
   */
  optsWithGlobals() {
    // globals overwrite locals
    return this._getCommandAndAncestors().reduce(
      (combinedOptions, cmd) => Object.assign(combinedOptions, cmd.opts()),
      {},
    );
  }

  /**
   * Display error message and exit (or call exitOverride).
   *
   * @param {string} message
   * @param {object} [errorOptions]
   * @param {string} [errorOptions.code] - an id string representing the error
   * @param {number} [errorOptions.exitCode] - used with process.exit
   */
  error(message, errorOptions) {
    // output handling
    this._outputConfiguration.outputError(
      `${message}\n`,
      this._outputConfiguration.writeErr,
    );
    if (typeof this._showHelpAfterError === 'string') {
      this._outputConfiguration.writeErr(`${this._showHelpAfterError}\n`);
    } else if (this._showHelpAfterError) {
      this._outputConfiguration.writeErr('\n');
      this.outputHelp({ error: true });
    }

    // exit handling
    const config = errorOptions || {};
    const exitCode = config.exitCode || 1;
    const code = config.code || 'commander.error';
    this._exit(exitCode, code, message);
  }

  /**
   * Apply any option related environment variables, if option does
   * not have a value from cli or client code.
   *
   * @private
   */
  _parseOptionsEnv() {
    this.options.forEach((option) => {
      if (option.envVar && option.envVar in process.env) {
        const optionKey = option.attributeName();
        // Priority check. Do not overwrite cli or options from unknown source (client-code).
        if (
          this.getOptionValue(optionKey) === undefined ||
          ['default', 'config', 'env'].includes(
            this.getOptionValueSource(optionKey),
          )
        ) {
          if (option.required || option.optional) {
            // option can take a value
            // keep very simple, optional always takes value
            this.emit(`optionEnv:${option.name()}`, process.env[option.envVar]);
          } else {
            // boolean
            // keep very simple, only care that envVar defined and not the value
            this.emit(`optionEnv:${option.name()}`);
          }
        }
      }
    });
  }

  /**
   * Apply any implied option values, if option is undefined or default value.
   *
   * @private
   */
  _parseOptionsImplied() {
    const dualHelper = new DualOptions(this.options);
    const hasCustomOptionValue = (optionKey) => {
      return (
        this.getOptionValue(optionKey) !== undefined &&
        !['default', 'implied'].includes(this.getOptionValueSource(optionKey))
      );
    };
    this.options
      .filter(
        (option) =>
          option.implied !== undefined &&
          hasCustomOptionValue(option.attributeName()) &&
          dualHelper.valueFromOption(
            this.getOptionValue(option.attributeName()),
            option,
          ),
      )
      .forEach((option) => {
        Object.keys(option.implied)
          .filter((impliedKey) => !hasCustomOptionValue(impliedKey))
          .forEach((impliedKey) => {
            this.setOptionValueWithSource(
              impliedKey,
              option.implied[impliedKey],
              'implied',
            );
          });
      });
  }

  /**
   * Argument `name` is missing.
   *
   * @param {string} name
   * @private
   */

  missingArgument(name) {
    const message = `error: missing required argument '${name}'`;
    this.error(message, { code: 'commander.missingArgument' });
  }

  /**
   * `Option` is missing an argument.
   *
   * @param {Option} option
   * @private
   */

  optionMissingArgument(option) {
    const message = `error: option '${option.flags}' argument missing`;
    this.error(message, { code: 'commander.optionMissingArgument' });
  }

  /**
   * `Option` does not have a value, and is a mandatory option.
   *
   * @param {Option} option
   * @private
   */

  missingMandatoryOptionValue(option) {
    const message = `error: required option '${option.flags}' not specified`;
    this.error(message, { code: 'commander.missingMandatoryOptionValue' });
  }

  /**
   * `Option` conflicts with another option.
   *
   * @param {Option} option
   * @param {Option} conflictingOption
   * @private
   */
  _conflictingOption(option, conflictingOption) {
    // The calling code does not know whether a negated option is the source of the
    // value, so do some work to take an educated guess.
    const findBestOptionFromValue = (option) => {
      const optionKey = option.attributeName();
      const optionValue = this.getOptionValue(optionKey);
      const negativeOption = this.options.find(
        (target) => target.negate && optionKey === target.attributeName(),
      );
      const positiveOption = this.options.find(
        (target) => !target.negate && optionKey === target.attributeName(),
      );
      if (
        negativeOption &&
        ((negativeOption.presetArg === undefined && optionValue === false) ||
          (negativeOption.presetArg !== undefined &&
            optionValue === negativeOption.presetArg))
      ) {
        return negativeOption;
      }
      return positiveOption || option;
    };

    const getErrorMessage = (option) => {
      const bestOption = findBestOptionFromValue(option);
      const optionKey = bestOption.attributeName();
      const source = this.getOptionValueSource(optionKey);
      if (source === 'env') {
        return `environment variable '${bestOption.envVar}'`;
      }
      return `option '${bestOption.flags}'`;
    };

    const message = `error: ${getErrorMessage(option)} cannot be used with ${getErrorMessage(conflictingOption)}`;
    this.error(message, { code: 'commander.conflictingOption' });
  }

  /**
   * Unknown option `flag`.
   *
   * @param {string} flag
   * @private
   */

  unknownOption(flag) {
    if (this._allowUnknownOption) return;
    let suggestion = '';

    if (flag.startsWith('--') && this._showSuggestionAfterError) {
      // Looping to pick up the global options too
      let candidateFlags = [];
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      let command = this;
      do {
        const moreFlags = command
          .createHelp()
          .visibleOptions(command)
          .filter((option) => option.long)
          .map((option) => option.long);
        candidateFlags = candidateFlags.concat(moreFlags);
        command = command.parent;
      } while (command && !command._enablePositionalOptions);
      suggestion = suggestSimilar(flag, candidateFlags);
    }

    const message = `error: unknown option '${flag}'${suggestion}`;
    this.error(message, { code: 'commander.unknownOption' });
  }

  /**
   * Excess arguments, more than expected.
   *
   * @param {string[]} receivedArgs
   * @private
   */

  _excessArguments(receivedArgs) {
    if (this._allowExcessArguments) return;

    const expected = this.registeredArguments.length;
    const s = expected === 1 ? '' : 's';
    const forSubcommand = this.parent ? ` for '${this.name()}'` : '';
    const message = `error: too many arguments${forSubcommand}. Expected ${expected} argument${s} but got ${receivedArgs.length}.`;
    this.error(message, { code: 'commander.excessArguments' });
  }

  /**
   * Unknown command.
   *
   * @private
   */

  unknownCommand() {
    const unknownName = this.args[0];
    let suggestion = '';

    if (this._showSuggestionAfterError) {
      const candidateNames = [];
      this.createHelp()
        .visibleCommands(this)
        .forEach((command) => {
          candidateNames.push(command.name());
          // just visible alias
          if (command.alias()) candidateNames.push(command.alias());
        });
      suggestion = suggestSimilar(unknownName, candidateNames);
    }

    const message = `error: unknown command '${unknownName}'${suggestion}`;
    this.error(message, { code: 'commander.unknownCommand' });
  }

  /**
   * Get or set the program version.
   *
   * This method auto-registers the "-V, --version" option which will print the version number.
   *
   * You can optionally supply the flags and description to override the defaults.
   *
   * @param {string} [str]
   * @param {string} [flags]
   * @param {string} [description]
   * @return {(this | string | undefined)} `this` command for chaining, or version string if no arguments
   */

  version(str, flags, description) {
    if (str === undefined) return this._version;
    this._version = str;
    flags = flags || '-V, --version';
    description = description || 'output the version number';
    const versionOption = this.createOption(flags, description);
    this._versionOptionName = versionOption.attributeName();
    this._registerOption(versionOption);

    this.on('option:' + versionOption.name(), () => {
      this._outputConfiguration.writeOut(`${str}\n`);
      this._exit(0, 'commander.version', str);
    });
    return this;
  }

  /**
   * Set the description.
   *
   * @param {string} [str]
   * @param {object} [argsDescription]
   * @return {(string|Command)}
   */
  description(str, argsDescription) {
    if (str === undefined && argsDescription === undefined)
      return this._description;
    this._description = str;
    if (argsDescription) {
      this._argsDescription = argsDescription;
    }
    return this;
  }

  /**
   * Set the summary. Used when listed as subcommand of parent.
   *
   * @param {string} [str]
   * @return {(string|Command)}
   */
  summary(str) {
    if (str === undefined) return this._summary;
    this._summary = str;
    return this;
  }

  /**
   * Set an alias for the command.
   *
   * You may call more than once to add multiple aliases. Only the first alias is shown in the auto-generated help.
   *
   * @param {string} [alias]
   * @return {(string|Command)}
   */

  alias(alias) {
    if (alias === undefined) return this._aliases[0]; // just return first, for backwards compatibility

    /** @type {Command} */
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let command = this;
    if (
      this.commands.length !== 0 &&
      this.commands[this.commands.length - 1]._executableHandler
    ) {
      // assume adding alias for last added executable subcommand, rather than this
      command = this.commands[this.commands.length - 1];
    }

    if (alias === command._name)
      throw new Error("Command alias can't be the same as its name");
    const matchingCommand = this.parent?._findCommand(alias);
    if (matchingCommand) {
      // c.f. _registerCommand
      const existingCmd = [matchingCommand.name()]
        .concat(matchingCommand.aliases())
        .join('|');
      throw new Error(
        `cannot add alias '${alias}' to command '${this.name()}' as already have command '${existingCmd}'`,
      );
    }

    command._aliases.push(alias);
    return this;
  }

  /**
   * Set aliases for the command.
   *
   * Only the first alias is shown in the auto-generated help.
   *
   * @param {string[]} [aliases]
   * @return {(string[]|Command)}
   */

  aliases(aliases) {
    // Getter for the array of aliases is the main reason for having aliases() in addition to alias().
    if (aliases === undefined) return this._aliases;

    aliases.forEach((alias) => this.alias(alias));
    return this;
  }

  /**
   * Set / get the command usage `str`.
   *
   * @param {string} [str]
   * @return {(string|Command)}
   */

  usage(str) {
    if (str === undefined) {
      if (this._usage) return this._usage;

      const args = this.registeredArguments.map((arg) => {
        return humanReadableArgName(arg);
      });
      return []
        .concat(
          this.options.length || this._helpOption !== null ? '[options]' : [],
          this.commands.length ? '[command]' : [],
          this.registeredArguments.length ? args : [],
        )
        .join(' ');
    }

    this._usage = str;
    return this;
  }

  /**
   * Get or set the name of the command.
   *
   * @param {string} [str]
   * @return {(string|Command)}
   */

  name(str) {
    if (str === undefined) return this._name;
    this._name = str;
    return this;
  }

  /**
   * Set/get the help group heading for this subcommand in parent command's help.
   *
   * @param {string} [heading]
   * @return {Command | string}
   */

  helpGroup(heading) {
    if (heading === undefined) return this._helpGroupHeading ?? '';
    this._helpGroupHeading = heading;
    return this;
  }

  /**
   * Set/get the default help group heading for subcommands added to this command.
   * (This does not override a group set directly on the subcommand using .helpGroup().)
   *
   * @example
   * program.commandsGroup('Development Commands:);
   * program.command('watch')...
   * program.command('lint')...
   * ...
   *
   * @param {string} [heading]
   * @returns {Command | string}
   */
  commandsGroup(heading) {
    if (heading === undefined) return this._defaultCommandGroup ?? '';
    this._defaultCommandGroup = heading;
    return this;
  }

  /**
   * Set/get the default help group heading for options added to this command.
   * (This does not override a group set directly on the option using .helpGroup().)
   *
   * @example
   * program
   *   .optionsGroup('Development Options:')
   *   .option('-d, --debug', 'output extra debugging')
   *   .option('-p, --profile', 'output profiling information')
   *
   * @param {string} [heading]
   * @returns {Command | string}
   */
  optionsGroup(heading) {
    if (heading === undefined) return this._defaultOptionGroup ?? '';
    this._defaultOptionGroup = heading;
    return this;
  }

  /**
   * @param {Option} option
   * @private
   */
  _initOptionGroup(option) {
    if (this._defaultOptionGroup && !option.helpGroupHeading)
      option.helpGroup(this._defaultOptionGroup);
  }

  /**
   * @param {Command} cmd
   * @private
   */
  _initCommandGroup(cmd) {
    if (this._defaultCommandGroup && !cmd.helpGroup())
      cmd.helpGroup(this._defaultCommandGroup);
  }

  /**
   * Set the name of the command from script filename, such as process.argv[1],
   * or require.main.filename, or __filename.
   *
   * (Used internally and public although not documented in README.)
   *
   * @example
   * program.nameFromFilename(require.main.filename);
   *
   * @param {string} filename
   * @return {Command}
   */

  nameFromFilename(filename) {
    this._name = path.basename(filename, path.extname(filename));

    return this;
  }

  /**
   * Get or set the directory for searching for executable subcommands of this command.
   *
   * @example
   * program.executableDir(__dirname);
   * // or
   * program.executableDir('subcommands');
   *
   * @param {string} [path]
   * @return {(string|null|Command)}
   */

  executableDir(path) {
    if (path === undefined) return this._executableDir;
    this._executableDir = path;
    return this;
  }

  /**
   * Return program help documentation.
   *
   * @param {{ error: boolean }} [contextOptions] - pass {error:true} to wrap for stderr instead of stdout
   * @return {string}
   */

  helpInformation(contextOptions) {
    const helper = this.createHelp();
    const context = this._getOutputContext(contextOptions);
    helper.prepareContext({
      error: context.error,
      helpWidth: context.helpWidth,
      outputHasColors: context.hasColors,
    });
    const text = helper.formatHelp(this, helper);
    if (context.hasColors) return text;
    return this._outputConfiguration.stripColor(text);
  }

  /**
   * @typedef HelpContext
   * @type {object}
   * @property {boolean} error
   * @property {number} helpWidth
   * @property {boolean} hasColors
   * @property {function} write - includes stripColor if needed
   *
   * @returns {HelpContext}
   * @private
   */

  _getOutputContext(contextOptions) {
    contextOptions = contextOptions || {};
    const error = !!contextOptions.error;
    let baseWrite;
    let hasColors;
    let helpWidth;
    if (error) {
      baseWrite = (str) => this._outputConfiguration.writeErr(str);
      hasColors = this._outputConfiguration.getErrHasColors();
      helpWidth = this._outputConfiguration.getErrHelpWidth();
    } else {
      baseWrite = (str) => this._outputConfiguration.writeOut(str);
      hasColors = this._outputConfiguration.getOutHasColors();
      helpWidth = this._outputConfiguration.getOutHelpWidth();
    }
    const write = (str) => {
      if (!hasColors) str = this._outputConfiguration.stripColor(str);
      return baseWrite(str);
    };
    return { error, write, hasColors, helpWidth };
  }

  /**
   * Output help information for this command.
   *
   * Outputs built-in help, and custom text added using `.addHelpText()`.
   *
   * @param {{ error: boolean } | Function} [contextOptions] - pass {error:true} to write to stderr instead of stdout
   */

  outputHelp(contextOptions) {
    let deprecatedCallback;
    if (typeof contextOptions === 'function') {
      deprecatedCallback = contextOptions;
      contextOptions = undefined;
    }

    const outputContext = this._getOutputContext(contextOptions);
    /** @type {HelpTextEventContext} */
    const eventContext = {
      error: outputContext.error,
      write: outputContext.write,
      command: this,
    };

    this._getCommandAndAncestors()
      .reverse()
      .forEach((command) => command.emit('beforeAllHelp', eventContext));
    this.emit('beforeHelp', eventContext);

    let helpInformation = this.helpInformation({ error: outputContext.error });
    if (deprecatedCallback) {
      helpInformation = deprecatedCallback(helpInformation);
      if (
        typeof helpInformation !== 'string' &&
        !Buffer.isBuffer(helpInformation)
      ) {
        throw new Error('outputHelp callback must return a string or a Buffer');
      }
    }
    outputContext.write(helpInformation);

    if (this._getHelpOption()?.long) {
      this.emit(this._getHelpOption().long); // deprecated
    }
    this.emit('afterHelp', eventContext);
    this._getCommandAndAncestors().forEach((command) =>
      command.emit('afterAllHelp', eventContext),
    );
  }

  /**
   * You can pass in flags and a description to customise the built-in help option.
   * Pass in false to disable the built-in help option.
   *
   * @example
   * program.helpOption('-?, --help' 'show help'); // customise
   * program.helpOption(false); // disable
   *
   * @param {(string | boolean)} flags
   * @param {string} [description]
   * @return {Command} `this` command for chaining
   */

  helpOption(flags, description) {
    // Support enabling/disabling built-in help option.
    if (typeof flags === 'boolean') {
      if (flags) {
        if (this._helpOption === null) this._helpOption = undefined; // reenable
        if (this._defaultOptionGroup) {
          // make the option to store the group
          this._initOptionGroup(this._getHelpOption());
        }
      } else {
        this._helpOption = null; // disable
      }
      return this;
    }

    // Customise flags and description.
    this._helpOption = this.createOption(
      flags ?? '-h, --help',
      description ?? 'display help for command',
    );
    // init group unless lazy create
    if (flags || description) this._initOptionGroup(this._helpOption);

    return this;
  }

  /**
   * Lazy create help option.
   * Returns null if has been disabled with .helpOption(false).
   *
   * @returns {(Option | null)} the help option
   * @package
   */
  _getHelpOption() {
    // Lazy create help option on demand.
    if (this._helpOption === undefined) {
      this.helpOption(undefined, undefined);
    }
    return this._helpOption;
  }

  /**
   * Supply your own option to use for the built-in help option.
   * This is an alternative to using helpOption() to customise the flags and description etc.
   *
   * @param {Option} option
   * @return {Command} `this` command for chaining
   */
  addHelpOption(option) {
    this._helpOption = option;
    this._initOptionGroup(option);
    return this;
  }

  /**
   * Output help information and exit.
   *
   * Outputs built-in help, and custom text added using `.addHelpText()`.
   *
   * @param {{ error: boolean }} [contextOptions] - pass {error:true} to write to stderr instead of stdout
   */

  help(contextOptions) {
    this.outputHelp(contextOptions);
    let exitCode = Number(process.exitCode ?? 0); // process.exitCode does allow a string or an integer, but we prefer just a number
    if (
      exitCode === 0 &&
      contextOptions &&
      typeof contextOptions !== 'function' &&
      contextOptions.error
    ) {
      exitCode = 1;
    }
    // message: do not have all displayed text available so only passing placeholder.
    this._exit(exitCode, 'commander.help', '(outputHelp)');
  }

  /**
   * // Do a little typing to coordinate emit and listener for the help text events.
   * @typedef HelpTextEventContext
   * @type {object}
   * @property {boolean} error
   * @property {Command} command
   * @property {function} write
   */

  /**
   * Add additional text to be displayed with the built-in help.
   *
   * Position is 'before' or 'after' to affect just this command,
   * and 'beforeAll' or 'afterAll' to affect this command and all its subcommands.
   *
   * @param {string} position - before or after built-in help
   * @param {(string | Function)} text - string to add, or a function returning a string
   * @return {Command} `this` command for chaining
   */

  addHelpText(position, text) {
    const allowedValues = ['beforeAll', 'before', 'after', 'afterAll'];
    if (!allowedValues.includes(position)) {
      throw new Error(`Unexpected value for position to addHelpText.
Expecting one of '${allowedValues.join("', '")}'`);
    }

    const helpEvent = `${position}Help`;
    this.on(helpEvent, (/** @type {HelpTextEventContext} */ context) => {
      let helpStr;
      if (typeof text === 'function') {
        helpStr = text({ error: context.error, command: context.command });
      } else {
        helpStr = text;
      }
      // Ignore falsy value when nothing to output.
      if (helpStr) {
        context.write(`${helpStr}\n`);
      }
    });
    return this;
  }

  /**
   * Output help information if help flags specified
   *
   * @param {Array} args - array of options to search for help flags
   * @private
   */

  _outputHelpIfRequested(args) {
    const helpOption = this._getHelpOption();
    const helpRequested = helpOption && args.find((arg) => helpOption.is(arg));
    if (helpRequested) {
      this.outputHelp();
      // (Do not have all displayed text available so only passing placeholder.)
      this._exit(0, 'commander.helpDisplayed', '(outputHelp)');
    }
  }
}

/**
 * Scan arguments and increment port number for inspect calls (to avoid conflicts when spawning new command).
 *
 * @param {string[]} args - array of arguments from node.execArgv
 * @returns {string[]}
 * @private
 */

function incrementNodeInspectorPort(args) {
  // Testing for these options:
  //  --inspect[=[host:]port]
  //  --inspect-brk[=[host:]port]
  //  --inspect-port=[host:]port
  return args.map((arg) => {
    if (!arg.startsWith('--inspect')) {
      return arg;
    }
    let debugOption;
    let debugHost = '127.0.0.1';
    let debugPort = '9229';
    let match;
    if ((match = arg.match(/^(--inspect(-brk)?)$/)) !== null) {
      // e.g. --inspect
      debugOption = match[1];
    } else if (
      (match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+)$/)) !== null
    ) {
      debugOption = match[1];
      if (/^\d+$/.test(match[3])) {
        // e.g. --inspect=1234
        debugPort = match[3];
      } else {
        // e.g. --inspect=localhost
        debugHost = match[3];
      }
    } else if (
      (match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+):(\d+)$/)) !== null
    ) {
      // e.g. --inspect=localhost:1234
      debugOption = match[1];
      debugHost = match[3];
      debugPort = match[4];
    }

    if (debugOption && debugPort !== '0') {
      return `${debugOption}=${debugHost}:${parseInt(debugPort) + 1}`;
    }
    return arg;
  });
}

/**
 * @returns {boolean | undefined}
 * @package
 */
function useColor() {
  // Test for common conventions.
  // NB: the observed behaviour is in combination with how author adds color! For example:
  //   - we do not test NODE_DISABLE_COLORS, but util:styletext does
  //   - we do test NO_COLOR, but Chalk does not
  //
  // References:
  // https://no-color.org
  // https://bixense.com/clicolors/
  // https://github.com/nodejs/node/blob/0a00217a5f67ef4a22384cfc80eb6dd9a917fdc1/lib/internal/tty.js#L109
  // https://github.com/chalk/supports-color/blob/c214314a14bcb174b12b3014b2b0a8de375029ae/index.js#L33
  // (https://force-color.org recent web page from 2023, does not match major javascript implementations)

  if (
    process.env.NO_COLOR ||
    process.env.FORCE_COLOR === '0' ||
    process.env.FORCE_COLOR === 'false'
  )
    return false;
  if (process.env.FORCE_COLOR || process.env.CLICOLOR_FORCE !== undefined)
    return true;
  return undefined;
}

exports.Command = Command;
exports.useColor = useColor; // exporting for tests


/***/ }),

/***/ 135:
/***/ ((__unused_webpack_module, exports) => {

/**
 * CommanderError class
 */
class CommanderError extends Error {
  /**
   * Constructs the CommanderError class
   * @param {number} exitCode suggested exit code which could be used with process.exit
   * @param {string} code an id string representing the error
   * @param {string} message human-readable description of the error
   */
  constructor(exitCode, code, message) {
    super(message);
    // properly capture stack trace in Node.js
    Error.captureStackTrace(this, this.constructor);
    this.name = this.constructor.name;
    this.code = code;
    this.exitCode = exitCode;
    this.nestedError = undefined;
  }
}

/**
 * InvalidArgumentError class
 */
class InvalidArgumentError extends CommanderError {
  /**
   * Constructs the InvalidArgumentError class
   * @param {string} [message] explanation of why argument is invalid
   */
  constructor(message) {
    super(1, 'commander.invalidArgument', message);
    // properly capture stack trace in Node.js
    Error.captureStackTrace(this, this.constructor);
    this.name = this.constructor.name;
  }
}

exports.CommanderError = CommanderError;
exports.InvalidArgumentError = InvalidArgumentError;


/***/ }),

/***/ 754:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const { humanReadableArgName } = __nccwpck_require__(154);

/**
 * TypeScript import types for JSDoc, used by Visual Studio Code IntelliSense and `npm run typescript-checkJS`
 * https://www.typescriptlang.org/docs/handbook/jsdoc-supported-types.html#import-types
 * @typedef { import("./argument.js").Argument } Argument
 * @typedef { import("./command.js").Command } Command
 * @typedef { import("./option.js").Option } Option
 */

// Although this is a class, methods are static in style to allow override using subclass or just functions.
class Help {
  constructor() {
    this.helpWidth = undefined;
    this.minWidthToWrap = 40;
    this.sortSubcommands = false;
    this.sortOptions = false;
    this.showGlobalOptions = false;
  }

  /**
   * prepareContext is called by Commander after applying overrides from `Command.configureHelp()`
   * and just before calling `formatHelp()`.
   *
   * Commander just uses the helpWidth and the rest is provided for optional use by more complex subclasses.
   *
   * @param {{ error?: boolean, helpWidth?: number, outputHasColors?: boolean }} contextOptions
   */
  prepareContext(contextOptions) {
    this.helpWidth = this.helpWidth ?? contextOptions.helpWidth ?? 80;
  }

  /**
   * Get an array of the visible subcommands. Includes a placeholder for the implicit help command, if there is one.
   *
   * @param {Command} cmd
   * @returns {Command[]}
   */

  visibleCommands(cmd) {
    const visibleCommands = cmd.commands.filter((cmd) => !cmd._hidden);
    const helpCommand = cmd._getHelpCommand();
    if (helpCommand && !helpCommand._hidden) {
      visibleCommands.push(helpCommand);
    }
    if (this.sortSubcommands) {
      visibleCommands.sort((a, b) => {
        // @ts-ignore: because overloaded return type
        return a.name().localeCompare(b.name());
      });
    }
    return visibleCommands;
  }

  /**
   * Compare options for sort.
   *
   * @param {Option} a
   * @param {Option} b
   * @returns {number}
   */
  compareOptions(a, b) {
    const getSortKey = (option) => {
      // WYSIWYG for order displayed in help. Short used for comparison if present. No special handling for negated.
      return option.short
        ? option.short.replace(/^-/, '')
        : option.long.replace(/^--/, '');
    };
    return getSortKey(a).localeCompare(getSortKey(b));
  }

  /**
   * Get an array of the visible options. Includes a placeholder for the implicit help option, if there is one.
   *
   * @param {Command} cmd
   * @returns {Option[]}
   */

  visibleOptions(cmd) {
    const visibleOptions = cmd.options.filter((option) => !option.hidden);
    // Built-in help option.
    const helpOption = cmd._getHelpOption();
    if (helpOption && !helpOption.hidden) {
      // Automatically hide conflicting flags. Bit dubious but a historical behaviour that is convenient for single-command programs.
      const removeShort = helpOption.short && cmd._findOption(helpOption.short);
      const removeLong = helpOption.long && cmd._findOption(helpOption.long);
      if (!removeShort && !removeLong) {
        visibleOptions.push(helpOption); // no changes needed
      } else if (helpOption.long && !removeLong) {
        visibleOptions.push(
          cmd.createOption(helpOption.long, helpOption.description),
        );
      } else if (helpOption.short && !removeShort) {
        visibleOptions.push(
          cmd.createOption(helpOption.short, helpOption.description),
        );
      }
    }
    if (this.sortOptions) {
      visibleOptions.sort(this.compareOptions);
    }
    return visibleOptions;
  }

  /**
   * Get an array of the visible global options. (Not including help.)
   *
   * @param {Command} cmd
   * @returns {Option[]}
   */

  visibleGlobalOptions(cmd) {
    if (!this.showGlobalOptions) return [];

    const globalOptions = [];
    for (
      let ancestorCmd = cmd.parent;
      ancestorCmd;
      ancestorCmd = ancestorCmd.parent
    ) {
      const visibleOptions = ancestorCmd.options.filter(
        (option) => !option.hidden,
      );
      globalOptions.push(...visibleOptions);
    }
    if (this.sortOptions) {
      globalOptions.sort(this.compareOptions);
    }
    return globalOptions;
  }

  /**
   * Get an array of the arguments if any have a description.
   *
   * @param {Command} cmd
   * @returns {Argument[]}
   */

  visibleArguments(cmd) {
    // Side effect! Apply the legacy descriptions before the arguments are displayed.
    if (cmd._argsDescription) {
      cmd.registeredArguments.forEach((argument) => {
        argument.description =
          argument.description || cmd._argsDescription[argument.name()] || '';
      });
    }

    // If there are any arguments with a description then return all the arguments.
    if (cmd.registeredArguments.find((argument) => argument.description)) {
      return cmd.registeredArguments;
    }
    return [];
  }

  /**
   * Get the command term to show in the list of subcommands.
   *
   * @param {Command} cmd
   * @returns {string}
   */

  subcommandTerm(cmd) {
    // Legacy. Ignores custom usage string, and nested commands.
    const args = cmd.registeredArguments
      .map((arg) => humanReadableArgName(arg))
      .join(' ');
    return (
      cmd._name +
      (cmd._aliases[0] ? '|' + cmd._aliases[0] : '') +
      (cmd.options.length ? ' [options]' : '') + // simplistic check for non-help option
      (args ? ' ' + args : '')
    );
  }

  /**
   * Get the option term to show in the list of options.
   *
   * @param {Option} option
   * @returns {string}
   */

  optionTerm(option) {
    return option.flags;
  }

  /**
   * Get the argument term to show in the list of arguments.
   *
   * @param {Argument} argument
   * @returns {string}
   */

  argumentTerm(argument) {
    return argument.name();
  }

  /**
   * Get the longest command term length.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {number}
   */

  longestSubcommandTermLength(cmd, helper) {
    return helper.visibleCommands(cmd).reduce((max, command) => {
      return Math.max(
        max,
        this.displayWidth(
          helper.styleSubcommandTerm(helper.subcommandTerm(command)),
        ),
      );
    }, 0);
  }

  /**
   * Get the longest option term length.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {number}
   */

  longestOptionTermLength(cmd, helper) {
    return helper.visibleOptions(cmd).reduce((max, option) => {
      return Math.max(
        max,
        this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option))),
      );
    }, 0);
  }

  /**
   * Get the longest global option term length.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {number}
   */

  longestGlobalOptionTermLength(cmd, helper) {
    return helper.visibleGlobalOptions(cmd).reduce((max, option) => {
      return Math.max(
        max,
        this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option))),
      );
    }, 0);
  }

  /**
   * Get the longest argument term length.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {number}
   */

  longestArgumentTermLength(cmd, helper) {
    return helper.visibleArguments(cmd).reduce((max, argument) => {
      return Math.max(
        max,
        this.displayWidth(
          helper.styleArgumentTerm(helper.argumentTerm(argument)),
        ),
      );
    }, 0);
  }

  /**
   * Get the command usage to be displayed at the top of the built-in help.
   *
   * @param {Command} cmd
   * @returns {string}
   */

  commandUsage(cmd) {
    // Usage
    let cmdName = cmd._name;
    if (cmd._aliases[0]) {
      cmdName = cmdName + '|' + cmd._aliases[0];
    }
    let ancestorCmdNames = '';
    for (
      let ancestorCmd = cmd.parent;
      ancestorCmd;
      ancestorCmd = ancestorCmd.parent
    ) {
      ancestorCmdNames = ancestorCmd.name() + ' ' + ancestorCmdNames;
    }
    return ancestorCmdNames + cmdName + ' ' + cmd.usage();
  }

  /**
   * Get the description for the command.
   *
   * @param {Command} cmd
   * @returns {string}
   */

  commandDescription(cmd) {
    // @ts-ignore: because overloaded return type
    return cmd.description();
  }

  /**
   * Get the subcommand summary to show in the list of subcommands.
   * (Fallback to description for backwards compatibility.)
   *
   * @param {Command} cmd
   * @returns {string}
   */

  subcommandDescription(cmd) {
    // @ts-ignore: because overloaded return type
    return cmd.summary() || cmd.description();
  }

  /**
   * Get the option description to show in the list of options.
   *
   * @param {Option} option
   * @return {string}
   */

  optionDescription(option) {
    const extraInfo = [];

    if (option.argChoices) {
      extraInfo.push(
        // use stringify to match the display of the default value
        `choices: ${option.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`,
      );
    }
    if (option.defaultValue !== undefined) {
      // default for boolean and negated more for programmer than end user,
      // but show true/false for boolean option as may be for hand-rolled env or config processing.
      const showDefault =
        option.required ||
        option.optional ||
        (option.isBoolean() && typeof option.defaultValue === 'boolean');
      if (showDefault) {
        extraInfo.push(
          `default: ${option.defaultValueDescription || JSON.stringify(option.defaultValue)}`,
        );
      }
    }
    // preset for boolean and negated are more for programmer than end user
    if (option.presetArg !== undefined && option.optional) {
      extraInfo.push(`preset: ${JSON.stringify(option.presetArg)}`);
    }
    if (option.envVar !== undefined) {
      extraInfo.push(`env: ${option.envVar}`);
    }
    if (extraInfo.length > 0) {
      const extraDescription = `(${extraInfo.join(', ')})`;
      if (option.description) {
        return `${option.description} ${extraDescription}`;
      }
      return extraDescription;
    }

    return option.description;
  }

  /**
   * Get the argument description to show in the list of arguments.
   *
   * @param {Argument} argument
   * @return {string}
   */

  argumentDescription(argument) {
    const extraInfo = [];
    if (argument.argChoices) {
      extraInfo.push(
        // use stringify to match the display of the default value
        `choices: ${argument.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`,
      );
    }
    if (argument.defaultValue !== undefined) {
      extraInfo.push(
        `default: ${argument.defaultValueDescription || JSON.stringify(argument.defaultValue)}`,
      );
    }
    if (extraInfo.length > 0) {
      const extraDescription = `(${extraInfo.join(', ')})`;
      if (argument.description) {
        return `${argument.description} ${extraDescription}`;
      }
      return extraDescription;
    }
    return argument.description;
  }

  /**
   * Format a list of items, given a heading and an array of formatted items.
   *
   * @param {string} heading
   * @param {string[]} items
   * @param {Help} helper
   * @returns string[]
   */
  formatItemList(heading, items, helper) {
    if (items.length === 0) return [];

    return [helper.styleTitle(heading), ...items, ''];
  }

  /**
   * Group items by their help group heading.
   *
   * @param {Command[] | Option[]} unsortedItems
   * @param {Command[] | Option[]} visibleItems
   * @param {Function} getGroup
   * @returns {Map<string, Command[] | Option[]>}
   */
  groupItems(unsortedItems, visibleItems, getGroup) {
    const result = new Map();
    // Add groups in order of appearance in unsortedItems.
    unsortedItems.forEach((item) => {
      const group = getGroup(item);
      if (!result.has(group)) result.set(group, []);
    });
    // Add items in order of appearance in visibleItems.
    visibleItems.forEach((item) => {
      const group = getGroup(item);
      if (!result.has(group)) {
        result.set(group, []);
      }
      result.get(group).push(item);
    });
    return result;
  }

  /**
   * Generate the built-in help text.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {string}
   */

  formatHelp(cmd, helper) {
    const termWidth = helper.padWidth(cmd, helper);
    const helpWidth = helper.helpWidth ?? 80; // in case prepareContext() was not called

    function callFormatItem(term, description) {
      return helper.formatItem(term, termWidth, description, helper);
    }

    // Usage
    let output = [
      `${helper.styleTitle('Usage:')} ${helper.styleUsage(helper.commandUsage(cmd))}`,
      '',
    ];

    // Description
    const commandDescription = helper.commandDescription(cmd);
    if (commandDescription.length > 0) {
      output = output.concat([
        helper.boxWrap(
          helper.styleCommandDescription(commandDescription),
          helpWidth,
        ),
        '',
      ]);
    }

    // Arguments
    const argumentList = helper.visibleArguments(cmd).map((argument) => {
      return callFormatItem(
        helper.styleArgumentTerm(helper.argumentTerm(argument)),
        helper.styleArgumentDescription(helper.argumentDescription(argument)),
      );
    });
    output = output.concat(
      this.formatItemList('Arguments:', argumentList, helper),
    );

    // Options
    const optionGroups = this.groupItems(
      cmd.options,
      helper.visibleOptions(cmd),
      (option) => option.helpGroupHeading ?? 'Options:',
    );
    optionGroups.forEach((options, group) => {
      const optionList = options.map((option) => {
        return callFormatItem(
          helper.styleOptionTerm(helper.optionTerm(option)),
          helper.styleOptionDescription(helper.optionDescription(option)),
        );
      });
      output = output.concat(this.formatItemList(group, optionList, helper));
    });

    if (helper.showGlobalOptions) {
      const globalOptionList = helper
        .visibleGlobalOptions(cmd)
        .map((option) => {
          return callFormatItem(
            helper.styleOptionTerm(helper.optionTerm(option)),
            helper.styleOptionDescription(helper.optionDescription(option)),
          );
        });
      output = output.concat(
        this.formatItemList('Global Options:', globalOptionList, helper),
      );
    }

    // Commands
    const commandGroups = this.groupItems(
      cmd.commands,
      helper.visibleCommands(cmd),
      (sub) => sub.helpGroup() || 'Commands:',
    );
    commandGroups.forEach((commands, group) => {
      const commandList = commands.map((sub) => {
        return callFormatItem(
          helper.styleSubcommandTerm(helper.subcommandTerm(sub)),
          helper.styleSubcommandDescription(helper.subcommandDescription(sub)),
        );
      });
      output = output.concat(this.formatItemList(group, commandList, helper));
    });

    return output.join('\n');
  }

  /**
   * Return display width of string, ignoring ANSI escape sequences. Used in padding and wrapping calculations.
   *
   * @param {string} str
   * @returns {number}
   */
  displayWidth(str) {
    return stripColor(str).length;
  }

  /**
   * Style the title for displaying in the help. Called with 'Usage:', 'Options:', etc.
   *
   * @param {string} str
   * @returns {string}
   */
  styleTitle(str) {
    return str;
  }

  styleUsage(str) {
    // Usage has lots of parts the user might like to color separately! Assume default usage string which is formed like:
    //    command subcommand [options] [command] <foo> [bar]
    return str
      .split(' ')
      .map((word) => {
        if (word === '[options]') return this.styleOptionText(word);
        if (word === '[command]') return this.styleSubcommandText(word);
        if (word[0] === '[' || word[0] === '<')
          return this.styleArgumentText(word);
        return this.styleCommandText(word); // Restrict to initial words?
      })
      .join(' ');
  }
  styleCommandDescription(str) {
    return this.styleDescriptionText(str);
  }
  styleOptionDescription(str) {
    return this.styleDescriptionText(str);
  }
  styleSubcommandDescription(str) {
    return this.styleDescriptionText(str);
  }
  styleArgumentDescription(str) {
    return this.styleDescriptionText(str);
  }
  styleDescriptionText(str) {
    return str;
  }
  styleOptionTerm(str) {
    return this.styleOptionText(str);
  }
  styleSubcommandTerm(str) {
    // This is very like usage with lots of parts! Assume default string which is formed like:
    //    subcommand [options] <foo> [bar]
    return str
      .split(' ')
      .map((word) => {
        if (word === '[options]') return this.styleOptionText(word);
        if (word[0] === '[' || word[0] === '<')
          return this.styleArgumentText(word);
        return this.styleSubcommandText(word); // Restrict to initial words?
      })
      .join(' ');
  }
  styleArgumentTerm(str) {
    return this.styleArgumentText(str);
  }
  styleOptionText(str) {
    return str;
  }
  styleArgumentText(str) {
    return str;
  }
  styleSubcommandText(str) {
    return str;
  }
  styleCommandText(str) {
    return str;
  }

  /**
   * Calculate the pad width from the maximum term length.
   *
   * @param {Command} cmd
   * @param {Help} helper
   * @returns {number}
   */

  padWidth(cmd, helper) {
    return Math.max(
      helper.longestOptionTermLength(cmd, helper),
      helper.longestGlobalOptionTermLength(cmd, helper),
      helper.longestSubcommandTermLength(cmd, helper),
      helper.longestArgumentTermLength(cmd, helper),
    );
  }

  /**
   * Detect manually wrapped and indented strings by checking for line break followed by whitespace.
   *
   * @param {string} str
   * @returns {boolean}
   */
  preformatted(str) {
    return /\n[^\S\r\n]/.test(str);
  }

  /**
   * Format the "item", which consists of a term and description. Pad the term and wrap the description, indenting the following lines.
   *
   * So "TTT", 5, "DDD DDDD DD DDD" might be formatted for this.helpWidth=17 like so:
   *   TTT  DDD DDDD
   *        DD DDD
   *
   * @param {string} term
   * @param {number} termWidth
   * @param {string} description
   * @param {Help} helper
   * @returns {string}
   */
  formatItem(term, termWidth, description, helper) {
    const itemIndent = 2;
    const itemIndentStr = ' '.repeat(itemIndent);
    if (!description) return itemIndentStr + term;

    // Pad the term out to a consistent width, so descriptions are aligned.
    const paddedTerm = term.padEnd(
      termWidth + term.length - helper.displayWidth(term),
    );

    // Format the description.
    const spacerWidth = 2; // between term and description
    const helpWidth = this.helpWidth ?? 80; // in case prepareContext() was not called
    const remainingWidth = helpWidth - termWidth - spacerWidth - itemIndent;
    let formattedDescription;
    if (
      remainingWidth < this.minWidthToWrap ||
      helper.preformatted(description)
    ) {
      formattedDescription = description;
    } else {
      const wrappedDescription = helper.boxWrap(description, remainingWidth);
      formattedDescription = wrappedDescription.replace(
        /\n/g,
        '\n' + ' '.repeat(termWidth + spacerWidth),
      );
    }

    // Construct and overall indent.
    return (
      itemIndentStr +
      paddedTerm +
      ' '.repeat(spacerWidth) +
      formattedDescription.replace(/\n/g, `\n${itemIndentStr}`)
    );
  }

  /**
   * Wrap a string at whitespace, preserving existing line breaks.
   * Wrapping is skipped if the width is less than `minWidthToWrap`.
   *
   * @param {string} str
   * @param {number} width
   * @returns {string}
   */
  boxWrap(str, width) {
    if (width < this.minWidthToWrap) return str;

    const rawLines = str.split(/\r\n|\n/);
    // split up text by whitespace
    const chunkPattern = /[\s]*[^\s]+/g;
    const wrappedLines = [];
    rawLines.forEach((line) => {
      const chunks = line.match(chunkPattern);
      if (chunks === null) {
        wrappedLines.push('');
        return;
      }

      let sumChunks = [chunks.shift()];
      let sumWidth = this.displayWidth(sumChunks[0]);
      chunks.forEach((chunk) => {
        const visibleWidth = this.displayWidth(chunk);
        // Accumulate chunks while they fit into width.
        if (sumWidth + visibleWidth <= width) {
          sumChunks.push(chunk);
          sumWidth += visibleWidth;
          return;
        }
        wrappedLines.push(sumChunks.join(''));

        const nextChunk = chunk.trimStart(); // trim space at line break
        sumChunks = [nextChunk];
        sumWidth = this.displayWidth(nextChunk);
      });
      wrappedLines.push(sumChunks.join(''));
    });

    return wrappedLines.join('\n');
  }
}

/**
 * Strip style ANSI escape sequences from the string. In particular, SGR (Select Graphic Rendition) codes.
 *
 * @param {string} str
 * @returns {string}
 * @package
 */

function stripColor(str) {
  // eslint-disable-next-line no-control-regex
  const sgrPattern = /\x1b\[\d*(;\d*)*m/g;
  return str.replace(sgrPattern, '');
}

exports.Help = Help;
exports.stripColor = stripColor;


/***/ }),

/***/ 240:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const { InvalidArgumentError } = __nccwpck_require__(135);

class Option {
  /**
   * Initialize a new `Option` with the given `flags` and `description`.
   *
   * @param {string} flags
   * @param {string} [description]
   */

  constructor(flags, description) {
    this.flags = flags;
    this.description = description || '';

    this.required = flags.includes('<'); // A value must be supplied when the option is specified.
    this.optional = flags.includes('['); // A value is optional when the option is specified.
    // variadic test ignores <value,...> et al which might be used to describe custom splitting of single argument
    this.variadic = /\w\.\.\.[>\]]$/.test(flags); // The option can take multiple values.
    this.mandatory = false; // The option must have a value after parsing, which usually means it must be specified on command line.
    const optionFlags = splitOptionFlags(flags);
    this.short = optionFlags.shortFlag; // May be a short flag, undefined, or even a long flag (if option has two long flags).
    this.long = optionFlags.longFlag;
    this.negate = false;
    if (this.long) {
      this.negate = this.long.startsWith('--no-');
    }
    this.defaultValue = undefined;
    this.defaultValueDescription = undefined;
    this.presetArg = undefined;
    this.envVar = undefined;
    this.parseArg = undefined;
    this.hidden = false;
    this.argChoices = undefined;
    this.conflictsWith = [];
    this.implied = undefined;
    this.helpGroupHeading = undefined; // soft initialised when option added to command
  }

  /**
   * Set the default value, and optionally supply the description to be displayed in the help.
   *
   * @param {*} value
   * @param {string} [description]
   * @return {Option}
   */

  default(value, description) {
    this.defaultValue = value;
    this.defaultValueDescription = description;
    return this;
  }

  /**
   * Preset to use when option used without option-argument, especially optional but also boolean and negated.
   * The custom processing (parseArg) is called.
   *
   * @example
   * new Option('--color').default('GREYSCALE').preset('RGB');
   * new Option('--donate [amount]').preset('20').argParser(parseFloat);
   *
   * @param {*} arg
   * @return {Option}
   */

  preset(arg) {
    this.presetArg = arg;
    return this;
  }

  /**
   * Add option name(s) that conflict with this option.
   * An error will be displayed if conflicting options are found during parsing.
   *
   * @example
   * new Option('--rgb').conflicts('cmyk');
   * new Option('--js').conflicts(['ts', 'jsx']);
   *
   * @param {(string | string[])} names
   * @return {Option}
   */

  conflicts(names) {
    this.conflictsWith = this.conflictsWith.concat(names);
    return this;
  }

  /**
   * Specify implied option values for when this option is set and the implied options are not.
   *
   * The custom processing (parseArg) is not called on the implied values.
   *
   * @example
   * program
   *   .addOption(new Option('--log', 'write logging information to file'))
   *   .addOption(new Option('--trace', 'log extra details').implies({ log: 'trace.txt' }));
   *
   * @param {object} impliedOptionValues
   * @return {Option}
   */
  implies(impliedOptionValues) {
    let newImplied = impliedOptionValues;
    if (typeof impliedOptionValues === 'string') {
      // string is not documented, but easy mistake and we can do what user probably intended.
      newImplied = { [impliedOptionValues]: true };
    }
    this.implied = Object.assign(this.implied || {}, newImplied);
    return this;
  }

  /**
   * Set environment variable to check for option value.
   *
   * An environment variable is only used if when processed the current option value is
   * undefined, or the source of the current value is 'default' or 'config' or 'env'.
   *
   * @param {string} name
   * @return {Option}
   */

  env(name) {
    this.envVar = name;
    return this;
  }

  /**
   * Set the custom handler for processing CLI option arguments into option values.
   *
   * @param {Function} [fn]
   * @return {Option}
   */

  argParser(fn) {
    this.parseArg = fn;
    return this;
  }

  /**
   * Whether the option is mandatory and must have a value after parsing.
   *
   * @param {boolean} [mandatory=true]
   * @return {Option}
   */

  makeOptionMandatory(mandatory = true) {
    this.mandatory = !!mandatory;
    return this;
  }

  /**
   * Hide option in help.
   *
   * @param {boolean} [hide=true]
   * @return {Option}
   */

  hideHelp(hide = true) {
    this.hidden = !!hide;
    return this;
  }

  /**
   * @package
   */

  _collectValue(value, previous) {
    if (previous === this.defaultValue || !Array.isArray(previous)) {
      return [value];
    }

    previous.push(value);
    return previous;
  }

  /**
   * Only allow option value to be one of choices.
   *
   * @param {string[]} values
   * @return {Option}
   */

  choices(values) {
    this.argChoices = values.slice();
    this.parseArg = (arg, previous) => {
      if (!this.argChoices.includes(arg)) {
        throw new InvalidArgumentError(
          `Allowed choices are ${this.argChoices.join(', ')}.`,
        );
      }
      if (this.variadic) {
        return this._collectValue(arg, previous);
      }
      return arg;
    };
    return this;
  }

  /**
   * Return option name.
   *
   * @return {string}
   */

  name() {
    if (this.long) {
      return this.long.replace(/^--/, '');
    }
    return this.short.replace(/^-/, '');
  }

  /**
   * Return option name, in a camelcase format that can be used
   * as an object attribute key.
   *
   * @return {string}
   */

  attributeName() {
    if (this.negate) {
      return camelcase(this.name().replace(/^no-/, ''));
    }
    return camelcase(this.name());
  }

  /**
   * Set the help group heading.
   *
   * @param {string} heading
   * @return {Option}
   */
  helpGroup(heading) {
    this.helpGroupHeading = heading;
    return this;
  }

  /**
   * Check if `arg` matches the short or long flag.
   *
   * @param {string} arg
   * @return {boolean}
   * @package
   */

  is(arg) {
    return this.short === arg || this.long === arg;
  }

  /**
   * Return whether a boolean option.
   *
   * Options are one of boolean, negated, required argument, or optional argument.
   *
   * @return {boolean}
   * @package
   */

  isBoolean() {
    return !this.required && !this.optional && !this.negate;
  }
}

/**
 * This class is to make it easier to work with dual options, without changing the existing
 * implementation. We support separate dual options for separate positive and negative options,
 * like `--build` and `--no-build`, which share a single option value. This works nicely for some
 * use cases, but is tricky for others where we want separate behaviours despite
 * the single shared option value.
 */
class DualOptions {
  /**
   * @param {Option[]} options
   */
  constructor(options) {
    this.positiveOptions = new Map();
    this.negativeOptions = new Map();
    this.dualOptions = new Set();
    options.forEach((option) => {
      if (option.negate) {
        this.negativeOptions.set(option.attributeName(), option);
      } else {
        this.positiveOptions.set(option.attributeName(), option);
      }
    });
    this.negativeOptions.forEach((value, key) => {
      if (this.positiveOptions.has(key)) {
        this.dualOptions.add(key);
      }
    });
  }

  /**
   * Did the value come from the option, and not from possible matching dual option?
   *
   * @param {*} value
   * @param {Option} option
   * @returns {boolean}
   */
  valueFromOption(value, option) {
    const optionKey = option.attributeName();
    if (!this.dualOptions.has(optionKey)) return true;

    // Use the value to deduce if (probably) came from the option.
    const preset = this.negativeOptions.get(optionKey).presetArg;
    const negativeValue = preset !== undefined ? preset : false;
    return option.negate === (negativeValue === value);
  }
}

/**
 * Convert string from kebab-case to camelCase.
 *
 * @param {string} str
 * @return {string}
 * @private
 */

function camelcase(str) {
  return str.split('-').reduce((str, word) => {
    return str + word[0].toUpperCase() + word.slice(1);
  });
}

/**
 * Split the short and long flag out of something like '-m,--mixed <value>'
 *
 * @private
 */

function splitOptionFlags(flags) {
  let shortFlag;
  let longFlag;
  // short flag, single dash and single character
  const shortFlagExp = /^-[^-]$/;
  // long flag, double dash and at least one character
  const longFlagExp = /^--[^-]/;

  const flagParts = flags.split(/[ |,]+/).concat('guard');
  // Normal is short and/or long.
  if (shortFlagExp.test(flagParts[0])) shortFlag = flagParts.shift();
  if (longFlagExp.test(flagParts[0])) longFlag = flagParts.shift();
  // Long then short. Rarely used but fine.
  if (!shortFlag && shortFlagExp.test(flagParts[0]))
    shortFlag = flagParts.shift();
  // Allow two long flags, like '--ws, --workspace'
  // This is the supported way to have a shortish option flag.
  if (!shortFlag && longFlagExp.test(flagParts[0])) {
    shortFlag = longFlag;
    longFlag = flagParts.shift();
  }

  // Check for unprocessed flag. Fail noisily rather than silently ignore.
  if (flagParts[0].startsWith('-')) {
    const unsupportedFlag = flagParts[0];
    const baseError = `option creation failed due to '${unsupportedFlag}' in option flags '${flags}'`;
    if (/^-[^-][^-]/.test(unsupportedFlag))
      throw new Error(
        `${baseError}
- a short flag is a single dash and a single character
  - either use a single dash and a single character (for a short flag)
  - or use a double dash for a long option (and can have two, like '--ws, --workspace')`,
      );
    if (shortFlagExp.test(unsupportedFlag))
      throw new Error(`${baseError}
- too many short flags`);
    if (longFlagExp.test(unsupportedFlag))
      throw new Error(`${baseError}
- too many long flags`);

    throw new Error(`${baseError}
- unrecognised flag format`);
  }
  if (shortFlag === undefined && longFlag === undefined)
    throw new Error(
      `option creation failed due to no flags found in '${flags}'.`,
    );

  return { shortFlag, longFlag };
}

exports.Option = Option;
exports.DualOptions = DualOptions;


/***/ }),

/***/ 30:
/***/ ((__unused_webpack_module, exports) => {

const maxDistance = 3;

function editDistance(a, b) {
  // https://en.wikipedia.org/wiki/Damerau–Levenshtein_distance
  // Calculating optimal string alignment distance, no substring is edited more than once.
  // (Simple implementation.)

  // Quick early exit, return worst case.
  if (Math.abs(a.length - b.length) > maxDistance)
    return Math.max(a.length, b.length);

  // distance between prefix substrings of a and b
  const d = [];

  // pure deletions turn a into empty string
  for (let i = 0; i <= a.length; i++) {
    d[i] = [i];
  }
  // pure insertions turn empty string into b
  for (let j = 0; j <= b.length; j++) {
    d[0][j] = j;
  }

  // fill matrix
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      let cost = 1;
      if (a[i - 1] === b[j - 1]) {
        cost = 0;
      } else {
        cost = 1;
      }
      d[i][j] = Math.min(
        d[i - 1][j] + 1, // deletion
        d[i][j - 1] + 1, // insertion
        d[i - 1][j - 1] + cost, // substitution
      );
      // transposition
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }

  return d[a.length][b.length];
}

/**
 * Find close matches, restricted to same number of edits.
 *
 * @param {string} word
 * @param {string[]} candidates
 * @returns {string}
 */

function suggestSimilar(word, candidates) {
  if (!candidates || candidates.length === 0) return '';
  // remove possible duplicates
  candidates = Array.from(new Set(candidates));

  const searchingOptions = word.startsWith('--');
  if (searchingOptions) {
    word = word.slice(2);
    candidates = candidates.map((candidate) => candidate.slice(2));
  }

  let similar = [];
  let bestDistance = maxDistance;
  const minSimilarity = 0.4;
  candidates.forEach((candidate) => {
    if (candidate.length <= 1) return; // no one character guesses

    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    const similarity = (length - distance) / length;
    if (similarity > minSimilarity) {
      if (distance < bestDistance) {
        // better edit distance, throw away previous worse matches
        bestDistance = distance;
        similar = [candidate];
      } else if (distance === bestDistance) {
        similar.push(candidate);
      }
    }
  });

  similar.sort((a, b) => a.localeCompare(b));
  if (searchingOptions) {
    similar = similar.map((candidate) => `--${candidate}`);
  }

  if (similar.length > 1) {
    return `\n(Did you mean one of ${similar.join(', ')}?)`;
  }
  if (similar.length === 1) {
    return `\n(Did you mean ${similar[0]}?)`;
  }
  return '';
}

exports.suggestSimilar = suggestSimilar;


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
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
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
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(486);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
