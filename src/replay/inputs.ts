// What each input of the action is to a replay. One table for every input (a test checks that
// it names them all), so a new input is a decision here, never silently a policy override.

/**
 * `policy`: a replay may change it (the evidence is checked to hold what it reads);
 * `file`: where the replay writes its own files; `build`, `dataset`, `connection`: what App
 * Store Connect is asked, refused with the reason; `github`: no flag; `secret`: never recorded.
 */
export type InputUse = 'policy' | 'file' | 'build' | 'dataset' | 'connection' | 'github' | 'secret'

export const INPUT_USES: Readonly<Record<string, InputUse>> = {
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
}

/** The inputs a replay writes its own files to: never where the run wrote its own. */
export const FILE_INPUTS = Object.keys(INPUT_USES).filter(name => INPUT_USES[name] === 'file')
