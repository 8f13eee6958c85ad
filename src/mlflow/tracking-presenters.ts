import type { Experiment as ExperimentRecord } from '../tracking/experiments-service.ts';
import type { LoggedModel as LoggedModelRecord } from '../tracking/logged-models-service.ts';
import type { MetricPoint } from '../tracking/metrics/metric-point.ts';
import type { Run as RunRecord, RunRow } from '../tracking/run-model.ts';
import type { DatasetInput, Experiment, LoggedModel, Metric, Run, RunInfo } from './contract.ts';
import { given, listed, protoDouble, protoDoubleText } from './proto-json.ts';

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

export function presentExperiment(experiment: ExperimentRecord, ids: ExperimentIds): Experiment {
  return {
    experiment_id: ids.out(experiment.id),
    name: experiment.name,
    artifact_location: experiment.artifactLocation,
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.lastUpdateTime,
    creation_time: experiment.creationTime,
    ...listed('tags', experiment.tags),
  };
}

export function presentRunInfo(row: RunRow, ids: ExperimentIds): RunInfo {
  return {
    run_uuid: row.uuid,
    run_id: row.uuid,
    run_name: row.name,
    experiment_id: ids.out(row.experiment_id),
    user_id: row.user_id,
    status: row.status,
    start_time: row.start_time,
    ...given('end_time', row.end_time),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
}

export function presentMetric(point: MetricPoint): Metric {
  return { key: point.key, value: protoDouble(point.value), timestamp: point.timestamp, step: point.step };
}

/**
 * `GetMetricHistoryBulkInterval`'s answer, `{"metrics": [{key, value, timestamp, step, run_id}]}`
 * (GetMetricHistoryBulkInterval_Response), for up to 100 runs × 2500 points, written as UTF-8
 * directly: one joined string per run, encoded once, was a third cheaper than building and
 * stringifying an object per point or growing one string for the whole answer.
 */
export function bulkIntervalJson(key: string, series: readonly { runId: string; points: readonly MetricPoint[] }[]): Buffer {
  const head = `{"key":${JSON.stringify(key)},"value":`;
  const chunks: Buffer[] = [Buffer.from('{"metrics":[')];
  for (const { runId, points } of series) {
    if (points.length === 0) continue;
    const tail = `,"run_id":"${runId}"}`;
    const parts: string[] = new Array(points.length);
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      parts[i] = head + protoDoubleText(p.value) + ',"timestamp":' + p.timestamp + ',"step":' + p.step + tail;
    }
    chunks.push(Buffer.from(chunks.length > 1 ? `,${parts.join(',')}` : parts.join(','), 'utf8'));
  }
  chunks.push(Buffer.from(']}'));
  return Buffer.concat(chunks);
}

function presentDatasetInput(input: RunRecord['inputs'][number]): DatasetInput {
  const dataset = input.dataset;
  return {
    tags: input.tags,
    dataset: {
      name: dataset.name,
      digest: dataset.digest,
      source_type: dataset.sourceType,
      source: dataset.source,
      ...given('schema', dataset.schema),
      ...given('profile', dataset.profile),
    },
  };
}

export function presentRun(run: RunRecord, ids: ExperimentIds): Run {
  return {
    info: presentRunInfo(run.row, ids),
    data: { ...listed('metrics', run.metrics.map(presentMetric)), ...listed('params', run.params), ...listed('tags', run.tags) },
    inputs: {
      ...listed('dataset_inputs', run.inputs.map(presentDatasetInput)),
      ...listed(
        'model_inputs',
        run.modelInputs.map((i) => ({ model_id: i.modelId })),
      ),
    },
    outputs: {
      ...listed(
        'model_outputs',
        run.outputs.map((o) => ({ model_id: o.modelId, step: o.step })),
      ),
    },
  };
}

export function presentLoggedModel(model: LoggedModelRecord, ids: ExperimentIds): LoggedModel {
  const row = model.row;
  return {
    info: {
      model_id: row.id,
      experiment_id: ids.out(row.experiment_id),
      name: row.name,
      creation_timestamp_ms: row.creation_timestamp,
      last_updated_timestamp_ms: row.last_updated_timestamp,
      artifact_uri: model.artifactUri,
      status: row.status,
      ...given('model_type', row.model_type),
      ...given('source_run_id', row.source_run_id),
      ...given('status_message', row.status_message),
      ...listed('tags', model.tags),
    },
    data: {
      ...listed('params', model.params),
      ...listed(
        'metrics',
        model.metrics.map((m): Metric => ({
          ...presentMetric(m),
          ...given('model_id', m.modelId),
          ...given('run_id', m.runId),
          ...given('dataset_name', m.datasetName),
          ...given('dataset_digest', m.datasetDigest),
        })),
      ),
    },
  };
}
