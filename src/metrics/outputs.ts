import { safeJson } from '../text.js'
import type { MetricOutcome, MetricsVerdict } from './model.js'

/** One gated metric as the `metrics` output carries it. */
function metricRecord(o: MetricOutcome): Record<string, unknown> {
  const insight = o.appleInsight
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
  }
}

/** The record plus what the JSON report keeps: the reference in full and the raw points. */
function metricReportRecord(o: MetricOutcome): Record<string, unknown> {
  return {
    ...metricRecord(o),
    reference: o.reference ?? null,
    recommendedGoal: o.recommendedGoal ?? null,
    regressedByRule: o.regressedByRule,
    regressedByApple: o.regressedByApple,
    points: o.points
  }
}

export function metricsOutput(metrics: MetricsVerdict | undefined): string {
  return safeJson((metrics?.outcomes ?? []).map(metricRecord))
}

/** The JSON report's `metrics` section; null when no metric is gated. */
export function metricsReport(
  metrics: MetricsVerdict | undefined,
  appId: string | undefined
): Record<string, unknown> | null {
  if (!metrics) return null
  return {
    settings: { ...metrics.settings },
    appId: appId ?? null,
    version: metrics.version ?? null,
    baselineVersion: metrics.baselineVersion ?? null,
    regressionCount: metrics.regressions.length,
    items: metrics.outcomes.map(metricReportRecord)
  }
}
