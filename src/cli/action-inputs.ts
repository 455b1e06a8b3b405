// Generated from action.yml by scripts/cli-inputs.mjs (run by `npm run build`): do not edit.

/** One input of the action, as action.yml declares it. */
export interface ActionInput {
  readonly name: string
  readonly description: string
  readonly required: boolean
  /** The default the runner applies when the input is not given. */
  readonly default: string
}

/** The version `--version` prints: package.json's. */
export const TOOL_VERSION = "1.0.0"

export const ACTION_INPUTS: readonly ActionInput[] = [
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
]
