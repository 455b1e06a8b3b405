import type { BuildData } from '../collect.js'
import { decisivePoints, forGatedPopulation } from '../metrics/evaluate.js'
import type { MetricSettings, MetricsData } from '../metrics/model.js'
import type { Judged } from '../outcome.js'

// The decision record's `evidence`: what the evaluation read, as it read it (already sanitised
// and capped by the readers). `replay` (./read.ts) derives the verdict again from it alone.

/** The evidence of a judged run; the backtraces are the report's own `backtraces`. */
export function evidenceRecord(outcome: Judged): Record<string, unknown> {
  const { data, sources } = outcome
  return {
    current: buildEvidence(data.current),
    baseline: data.baseline ? buildEvidence(data.baseline) : null,
    metrics:
      data.metrics && outcome.config.metrics
        ? metricsEvidence(data.metrics, outcome.config.metrics)
        : null,
    sources: sources
      ? { places: Object.fromEntries(sources.places), noCheckout: sources.noCheckout }
      : null,
    runUrl: outcome.runUrl ?? null,
    pullRequest: outcome.pullRequest ?? false,
    history: data.history ?? null
  }
}

/** A build's facts (with the App Store version and its rollout as first read) and its lists. */
function buildEvidence({ build, lists }: BuildData): Record<string, unknown> {
  return {
    build,
    lists: [...lists.values()].map(list => ({
      type: list.type,
      complete: list.complete,
      signatures: list.signatures
    }))
  }
}

/**
 * The metrics as read: each series cut to the points a decision can read, and Apple's insights
 * to those that can count for the gated percentile and device (a replay cannot change either).
 */
function metricsEvidence(metrics: MetricsData, settings: MetricSettings): Record<string, unknown> {
  const { payload } = metrics
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
  }
}
