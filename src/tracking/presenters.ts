import type { ExperimentNative, LatestMetricNative, MetricHistoryNative, MetricPointNative, MetricSeriesNative, MetricValue, RunLoggedModelNative, RunNative } from './contract.ts';
import type { LoggedModel } from './logged-models-service.ts';
import type { Experiment } from './experiments-service.ts';
import type { MetricPoint } from './metrics/metric-point.ts';
import type { KeyValue, Run } from './run-model.ts';

/** JSON cannot spell NaN or ±Infinity; the native API writes them as strings, as proto-JSON does. */
export function jsonNumber(value: number): MetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

const mapOf = (list: readonly KeyValue[]): Record<string, string> => Object.fromEntries(list.map((t) => [t.key, t.value]));

export function presentExperimentNative(experiment: Experiment): ExperimentNative {
  return {
    id: experiment.id,
    name: experiment.name,
    is_default: experiment.isDefault,
    lifecycle_stage: experiment.lifecycleStage,
    artifact_location: experiment.artifactLocation,
    creation_time: experiment.creationTime,
    last_update_time: experiment.lastUpdateTime,
    tags: mapOf(experiment.tags),
  };
}

export function presentPoint(point: MetricPoint): MetricPointNative {
  return { step: point.step, timestamp: point.timestamp, value: jsonNumber(point.value) };
}

function presentLatestMetric(metric: { key: string; step: number; timestamp: number; value: number }): LatestMetricNative {
  return { key: metric.key, step: metric.step, timestamp: metric.timestamp, value: jsonNumber(metric.value) };
}

export function presentRunNative(run: Run): RunNative {
  const row = run.row;
  return {
    id: row.uuid,
    name: row.name,
    experiment_id: row.experiment_id,
    status: row.status,
    user_id: row.user_id,
    start_time: row.start_time,
    end_time: row.end_time,
    lifecycle_stage: row.lifecycle_stage,
    artifact_uri: row.artifact_uri,
    ci_job_id: row.job_id,
    params: mapOf(run.params),
    tags: mapOf(run.tags),
    metrics: run.metrics.map(presentLatestMetric),
    inputs: run.inputs.map((i) => ({
      name: i.dataset.name,
      digest: i.dataset.digest,
      source_type: i.dataset.sourceType,
      source: i.dataset.source,
      schema: i.dataset.schema,
      profile: i.dataset.profile,
      tags: mapOf(i.tags),
    })),
    outputs: run.outputs.map((o) => ({ model_id: o.modelId, step: o.step })),
  };
}

export function presentMetricHistory(key: string, page: { points: readonly MetricPoint[]; nextPageToken?: string }): MetricHistoryNative {
  return { key, points: page.points.map(presentPoint), next_page_token: page.nextPageToken ?? null };
}

export function presentMetricSeries(key: string, series: readonly { runId: string; points: readonly MetricPoint[] }[]): MetricSeriesNative {
  return { key, series: series.map((s) => ({ run_id: s.runId, points: s.points.map(presentPoint) })) };
}

export function presentRunLoggedModel(model: LoggedModel): RunLoggedModelNative {
  return { id: model.row.id, name: model.row.name, status: model.row.status, artifact_uri: model.artifactUri, created_at: model.row.creation_timestamp };
}
