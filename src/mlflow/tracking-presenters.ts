import type { Experiment } from '../tracking/experiments-service.ts';
import type { LoggedModel } from '../tracking/logged-models-service.ts';
import type { MetricPoint } from '../tracking/metrics/metric-point.ts';
import type { Run, RunRow } from '../tracking/run-model.ts';
import { protoDouble, withoutUnset } from './proto-json.ts';

/**
 * The project's default experiment is MLflow's experiment "0": the client creates runs in it
 * when no experiment is set. Every other experiment keeps its own id.
 */
export class ExperimentIds {
  constructor(readonly defaultId: number) {}

  out(id: number): string {
    return id === this.defaultId ? '0' : String(id);
  }
}

export function presentExperiment(experiment: Experiment, ids: ExperimentIds) {
  return withoutUnset({
    experiment_id: ids.out(experiment.id),
    name: experiment.name,
    artifact_location: experiment.artifactLocation,
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.lastUpdateTime,
    creation_time: experiment.creationTime,
    tags: experiment.tags.length > 0 ? experiment.tags : undefined,
  });
}

export function presentRunInfo(row: RunRow, ids: ExperimentIds) {
  return withoutUnset({
    run_uuid: row.uuid,
    run_id: row.uuid,
    run_name: row.name,
    experiment_id: ids.out(row.experiment_id),
    user_id: row.user_id,
    status: row.status,
    start_time: row.start_time,
    end_time: row.end_time ?? undefined,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  });
}

export function presentMetric(point: MetricPoint) {
  return { key: point.key, value: protoDouble(point.value), timestamp: point.timestamp, step: point.step };
}

export function presentRun(run: Run, ids: ExperimentIds) {
  const data = withoutUnset({
    metrics: run.metrics.length > 0 ? run.metrics.map(presentMetric) : undefined,
    params: run.params.length > 0 ? run.params : undefined,
    tags: run.tags.length > 0 ? run.tags : undefined,
  });
  const inputs = withoutUnset({
    dataset_inputs:
      run.inputs.length > 0
        ? run.inputs.map((input) => ({
            tags: input.tags,
            dataset: withoutUnset({
              name: input.dataset.name,
              digest: input.dataset.digest,
              source_type: input.dataset.sourceType,
              source: input.dataset.source,
              schema: input.dataset.schema ?? undefined,
              profile: input.dataset.profile ?? undefined,
            }),
          }))
        : undefined,
  });
  const outputs = withoutUnset({
    model_outputs: run.outputs.length > 0 ? run.outputs.map((o) => ({ model_id: o.modelId, step: o.step })) : undefined,
  });
  return { info: presentRunInfo(run.row, ids), data, inputs, outputs };
}

export function presentLoggedModel(model: LoggedModel, ids: ExperimentIds) {
  const row = model.row;
  return {
    info: withoutUnset({
      model_id: row.id,
      experiment_id: ids.out(row.experiment_id),
      name: row.name,
      creation_timestamp_ms: row.creation_timestamp,
      last_updated_timestamp_ms: row.last_updated_timestamp,
      artifact_uri: model.artifactUri,
      status: row.status,
      model_type: row.model_type ?? undefined,
      source_run_id: row.source_run_id ?? undefined,
      status_message: row.status_message ?? undefined,
      tags: model.tags.length > 0 ? model.tags : undefined,
    }),
    data: withoutUnset({
      params: model.params.length > 0 ? model.params : undefined,
      metrics:
        model.metrics.length > 0
          ? model.metrics.map((m) =>
              withoutUnset({ ...presentMetric(m), model_id: m.modelId, run_id: m.runId ?? undefined, dataset_name: m.datasetName, dataset_digest: m.datasetDigest }),
            )
          : undefined,
    }),
  };
}
