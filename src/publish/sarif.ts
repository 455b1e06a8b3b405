import type * as Sarif from 'sarif'
import {
  ACTION_NAME,
  ACTION_URL,
  DIAGNOSTIC_TYPES,
  TYPE_LABELS,
  TYPE_SHARES,
  type DiagnosticType
} from '../constants.js'
import { findingsOf, metricFindings, type Finding } from '../decision/findings.js'
import type { MetricOutcome, MetricsVerdict } from '../metrics/model.js'
import type { Evaluated } from '../model.js'
import { safeJson } from '../text.js'
import { findingSentence } from '../wording.js'
import {
  findingText,
  metricFingerprint,
  signatureFingerprint,
  type FindingsInput
} from './ci-shared.js'

// A SARIF 2.1.0 log for code scanning (github/codeql-action/upload-sarif): one rule per
// diagnostic type (and per gated metric), one result per breached or regressed signature.

/** What a rule says; the rule list is this table, so a gated metric is one more entry. */
export interface RuleEntry {
  id: string
  name: string
  short: string
  full: string
  helpUri: string
  tags: string[]
}

const TYPE_HELP: Readonly<Record<DiagnosticType, { name: string; helpUri: string }>> = {
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
}

const METRICS_HELP_URI =
  'https://developer.apple.com/documentation/xcode/analyzing-the-performance-of-your-shipping-app'

/** `diagnostics/hangs`: the rule of a diagnostic type's signatures. */
function typeRuleId(type: DiagnosticType): string {
  return `diagnostics/${type.toLowerCase().replace('_', '-')}`
}

/** One rule per diagnostic type, in a fixed order so that rule indexes are stable. */
export const TYPE_RULES: readonly RuleEntry[] = DIAGNOSTIC_TYPES.map(type => {
  const label = TYPE_LABELS[type].toLowerCase()
  return {
    id: typeRuleId(type),
    name: TYPE_HELP[type].name,
    short: `A ${label} signature is above its threshold or regressed against the baseline.`,
    full: `App Store Connect's field diagnostics group ${label} by signature, each with its share of the build's ${TYPE_SHARES[type]}. This signature's share is above the threshold set for the gate, or rose by more than the allowed increase over the baseline build.`,
    helpUri: TYPE_HELP[type].helpUri,
    tags: ['performance', 'app-store-connect', label]
  }
})

/** `metrics/hangRate`: the rule of one gated metric. */
function metricRuleId(identifier: string): string {
  return `metrics/${identifier}`
}

/** One rule per gated metric, after the diagnostic types. */
function metricRules(metrics: MetricsVerdict | undefined): RuleEntry[] {
  return (metrics?.outcomes ?? [])
    .filter(o => o.status !== 'not-gated')
    .map(o => ({
      id: metricRuleId(o.identifier),
      name: o.identifier,
      short: `${o.label} regressed against its reference.`,
      full: `App Store Connect's power and performance metric ${o.label} (${o.identifier}) rose by more than the allowed increase over its reference, beyond the error margins, or Apple flagged it as a regression.`,
      helpUri: METRICS_HELP_URI,
      tags: ['performance', 'app-store-connect', 'metrics']
    }))
}

/** The SARIF log as text (JSON, two-space indented). */
export function buildSarif(input: FindingsInput): string {
  const { verdict } = input
  const rules = [...TYPE_RULES, ...metricRules(verdict.metrics)]
  const ruleIndex = (id: string) => rules.findIndex(rule => rule.id === id)
  const log: Sarif.Log = {
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
          ...metricsWithFindings(verdict).map(o =>
            metricResult(o, metricFindings(verdict.findings, o.identifier), input, ruleIndex)
          )
        ],
        properties: {
          buildId: input.buildId,
          ...(input.baselineBuildId ? { baselineBuildId: input.baselineBuildId } : {}),
          passed: verdict.passed
        }
      }
    ]
  }
  return `${safeJson(log, 2)}\n`
}

/** The signatures with a finding (breaches first, worst first), each once. */
function reportedSignatures({ verdict }: FindingsInput): Evaluated[] {
  const signatures = verdict.findings.flatMap(f =>
    'signature' in f.subject ? [f.subject.signature] : []
  )
  return [...new Set(signatures)]
}

function ruleDescriptor(rule: RuleEntry): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.short },
    fullDescription: { text: rule.full },
    helpUri: rule.helpUri,
    help: { text: `${rule.full} See ${rule.helpUri}` },
    defaultConfiguration: { level: 'error' },
    properties: { tags: rule.tags, precision: 'high', 'problem.severity': 'error' }
  }
}

function result(
  s: Evaluated,
  input: FindingsInput,
  ruleIndex: (id: string) => number
): Sarif.Result {
  const ruleId = typeRuleId(s.diagnosticType)
  const place = input.sources?.places.get(s.id)
  const findings = findingsOf(input.verdict.findings, s.id)
  const location: Sarif.Location = place?.ok
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
      }
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
  }
}

/** A regressed metric: no source line, so its location is the metric itself. */
function metricResult(
  o: MetricOutcome,
  findings: readonly Finding[],
  input: FindingsInput,
  ruleIndex: (id: string) => number
): Sarif.Result {
  const ruleId = metricRuleId(o.identifier)
  const population = `${o.identifier}/${o.percentile}/${o.device}`
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
  }
}

/** The regressed metrics (by the rule or by Apple's insight), each once. */
function metricsWithFindings(verdict: FindingsInput['verdict']): MetricOutcome[] {
  const metrics = verdict.findings.flatMap(f =>
    f.kind !== 'no-data' && 'metric' in f.subject ? [f.subject.metric] : []
  )
  return [...new Set(metrics)]
}

/** An error when a finding fails the job; a warning when it is only reported. */
function levelOf(findings: readonly Finding[]): 'error' | 'warning' {
  return findings.some(f => f.failsJob) ? 'error' : 'warning'
}

function consequenceProperties(findings: readonly Finding[]): Record<string, unknown> {
  return {
    failsJob: findings.some(f => f.failsJob),
    pauses: findings.some(f => f.pauses),
    findings: findings.map(f => f.kind)
  }
}

/** A repository path as a relative URI: each segment percent-encoded. */
function uriOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
