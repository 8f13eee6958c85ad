import type { Experiment } from './experiments-service.ts';
import type { MetricPoint } from './metrics/metric-point.ts';
import type { Run } from './run-model.ts';

/** JSON cannot spell NaN or ±Infinity; the native API writes them as strings, as proto-JSON does. */
export function jsonNumber(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

export function presentExperimentNative(experiment: Experiment) {
  return {
    id: experiment.id,
    name: experiment.name,
    is_default: experiment.isDefault,
    lifecycle_stage: experiment.lifecycleStage,
    artifact_location: experiment.artifactLocation,
    creation_time: experiment.creationTime,
    last_update_time: experiment.lastUpdateTime,
    tags: Object.fromEntries(experiment.tags.map((t) => [t.key, t.value])),
  };
}

export function presentPoint(point: MetricPoint) {
  return { step: point.step, timestamp: point.timestamp, value: jsonNumber(point.value) };
}

export function presentRunNative(run: Run) {
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
    params: Object.fromEntries(run.params.map((p) => [p.key, p.value])),
    tags: Object.fromEntries(run.tags.map((t) => [t.key, t.value])),
    metrics: run.metrics.map((m) => ({ key: m.key, ...presentPoint(m) })),
    inputs: run.inputs.map((i) => ({
      name: i.dataset.name,
      digest: i.dataset.digest,
      source_type: i.dataset.sourceType,
      source: i.dataset.source,
      schema: i.dataset.schema,
      profile: i.dataset.profile,
      tags: Object.fromEntries(i.tags.map((t) => [t.key, t.value])),
    })),
    outputs: run.outputs.map((o) => ({ model_id: o.modelId, step: o.step })),
  };
}
