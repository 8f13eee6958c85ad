import { invalid } from '../shared/errors.ts';
import type { ViewType } from '../tracking/experiments-service.ts';
import { RUN_STATUSES, type RunStatus } from '../tracking/run-model.ts';
import { searchRuns } from '../tracking/search/run-search.ts';
import { endpoint, type MlflowCall, type MlflowEndpoint } from './endpoint.ts';
import {
  CreateExperiment,
  CreateExperiment_Response,
  CreateRun,
  CreateRun_Response,
  DeleteExperiment,
  DeleteExperimentTag,
  DeleteExperimentTag_Response,
  DeleteExperiment_Response,
  DeleteRun,
  DeleteRun_Response,
  DeleteTag,
  DeleteTag_Response,
  GetExperiment,
  GetExperimentByName,
  GetExperimentByName_Response,
  GetExperiment_Response,
  GetMetricHistory,
  GetMetricHistoryBulkInterval,
  GetMetricHistoryBulkInterval_Response,
  GetMetricHistory_Response,
  GetRun,
  GetRun_Response,
  LogBatch,
  LogBatch_Response,
  LogInputs,
  LogInputs_Response,
  LogMetric,
  LogMetric_Response,
  LogOutputs,
  LogOutputs_Response,
  LogParam,
  LogParam_Response,
  RestoreExperiment,
  RestoreExperiment_Response,
  RestoreRun,
  RestoreRun_Response,
  SearchExperiments,
  SearchExperiments_Response,
  SearchRuns,
  SearchRuns_Response,
  SetExperimentTag,
  SetExperimentTag_Response,
  SetTag,
  SetTag_Response,
  UpdateExperiment,
  UpdateExperiment_Response,
  UpdateRun,
  UpdateRun_Response,
} from './contract.ts';

import type { Message } from './message.ts';
import { bulkIntervalJson, presentExperiment, presentMetric, presentRun, presentRunInfo } from './tracking-presenters.ts';
import { given, JsonText, listed } from './proto-json.ts';

/** MLflow's MAX_BATCH_LOG_REQUEST_SIZE. */
const MAX_BATCH_REQUEST_BYTES = 1_000_000;

const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

async function experimentOf(call: MlflowCall) {
  return call.experimentId(call.message.requiredString('experiment_id'));
}

/** A Metric message (log-metric's body, or one item of log-batch's `metrics`). */
function metricOf(m: Message) {
  return {
    key: m.requiredString('key'),
    value: m.double('value') ?? m.missing('value'),
    timestamp: m.requiredInt64('timestamp'),
    step: m.int64('step') ?? 0,
    modelId: m.string('model_id') || undefined,
    datasetName: m.string('dataset_name') || undefined,
    datasetDigest: m.string('dataset_digest') || undefined,
  };
}

export const EXPERIMENT_ENDPOINTS: MlflowEndpoint[] = [
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/create',
    request: CreateExperiment,
    response: CreateExperiment_Response,
    ability: 'ml:write',
    summary: 'Create an experiment',
    async handle(call) {
      const m = call.message;
      // MLflow's order of checks: the name's type, its presence, then the other fields' types.
      const name = m.string('name');
      if (!name) m.missing('name');
      const artifactLocation = m.string('artifact_location') || undefined;
      const tags = m.keyValues('tags');
      const experiment = await call.services.experiments.create(call.access, { name, artifactLocation, tags });
      return { experiment_id: (await call.ids()).out(experiment.id) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/experiments/get',
    request: GetExperiment,
    response: GetExperiment_Response,
    ability: 'ml:read',
    summary: 'Get an experiment',
    async handle(call) {
      const experiment = await call.services.experiments.get(call.access, await experimentOf(call));
      return { experiment: presentExperiment(experiment, await call.ids()) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/experiments/get-by-name',
    request: GetExperimentByName,
    response: GetExperimentByName_Response,
    ability: 'ml:read',
    summary: 'Get an experiment by name',
    async handle(call) {
      const experiment = await call.services.experiments.getByName(call.access, call.message.requiredString('experiment_name'));
      return { experiment: presentExperiment(experiment, await call.ids()) };
    },
  }),
  ...(['GET', 'POST'] as const).map((method) =>
    endpoint({
      method,
      path: '/2.0/mlflow/experiments/search',
      request: SearchExperiments,
      response: SearchExperiments_Response,
      ability: 'ml:read',
      summary: 'Search experiments',
      async handle(call) {
        const m = call.message;
        const result = await call.services.experiments.search(call.access, {
          viewType: m.enumValue('view_type', VIEW_TYPES),
          maxResults: m.int64('max_results'),
          filter: m.string('filter'),
          orderBy: m.stringList('order_by'),
          pageToken: m.string('page_token'),
        });
        const ids = await call.ids();
        return { experiments: result.experiments.map((e) => presentExperiment(e, ids)), ...given('next_page_token', result.nextPageToken) };
      },
    }),
  ),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/update',
    request: UpdateExperiment,
    response: UpdateExperiment_Response,
    ability: 'ml:write',
    summary: 'Rename an experiment',
    async handle(call) {
      await call.services.experiments.rename(call.access, await experimentOf(call), call.message.string('new_name'));
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/delete',
    request: DeleteExperiment,
    response: DeleteExperiment_Response,
    ability: 'ml:write',
    summary: 'Delete an experiment and its runs',
    async handle(call) {
      await call.services.experiments.setLifecycle(call.access, await experimentOf(call), 'deleted');
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/restore',
    request: RestoreExperiment,
    response: RestoreExperiment_Response,
    ability: 'ml:write',
    summary: 'Restore an experiment and its runs',
    async handle(call) {
      await call.services.experiments.setLifecycle(call.access, await experimentOf(call), 'active');
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/set-experiment-tag',
    request: SetExperimentTag,
    response: SetExperimentTag_Response,
    ability: 'ml:write',
    summary: 'Set an experiment tag',
    async handle(call) {
      await call.services.experiments.setTag(call.access, await experimentOf(call), call.message.requiredString('key'), call.message.requiredPresentString('value'));
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/delete-experiment-tag',
    request: DeleteExperimentTag,
    response: DeleteExperimentTag_Response,
    ability: 'ml:write',
    summary: 'Delete an experiment tag',
    async handle(call) {
      await call.services.experiments.deleteTag(call.access, await experimentOf(call), call.message.requiredString('key'));
      return {};
    },
  }),
];

export const RUN_ENDPOINTS: MlflowEndpoint[] = [
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/create',
    request: CreateRun,
    response: CreateRun_Response,
    ability: 'ml:write',
    summary: 'Create a run',
    async handle(call) {
      const m = call.message;
      const run = await call.services.runs.create(call.access, {
        experimentId: await call.experimentId(m.string('experiment_id') || '0'),
        userId: m.string('user_id'),
        runName: m.string('run_name'),
        startTime: m.int64('start_time'),
        tags: m.keyValues('tags'),
      });
      return { run: presentRun(run, await call.ids()) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/runs/get',
    request: GetRun,
    response: GetRun_Response,
    ability: 'ml:read',
    summary: 'Get a run with its latest metrics, params, tags, inputs and outputs',
    async handle(call) {
      return { run: presentRun(await call.services.runs.get(call.access, call.message.runId()), await call.ids()) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/update',
    request: UpdateRun,
    response: UpdateRun_Response,
    ability: 'ml:write',
    summary: 'Update a run',
    async handle(call) {
      const m = call.message;
      const row = await call.services.runs.update(call.access, m.runId(), {
        status: m.enumValue<RunStatus>('status', RUN_STATUSES),
        endTime: m.int64('end_time'),
        runName: m.string('run_name'),
      });
      return { run_info: presentRunInfo(row, await call.ids()) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/delete',
    request: DeleteRun,
    response: DeleteRun_Response,
    ability: 'ml:write',
    summary: 'Delete a run',
    async handle(call) {
      await call.services.runs.setLifecycle(call.access, call.message.runId(), 'deleted');
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/restore',
    request: RestoreRun,
    response: RestoreRun_Response,
    ability: 'ml:write',
    summary: 'Restore a run',
    async handle(call) {
      await call.services.runs.setLifecycle(call.access, call.message.runId(), 'active');
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/log-metric',
    request: LogMetric,
    response: LogMetric_Response,
    ability: 'ml:write',
    summary: 'Log one metric value',
    async handle(call) {
      const m = call.message;
      await call.services.runs.logBatch(call.access, m.runId(), { metrics: [metricOf(m)] });
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/log-parameter',
    request: LogParam,
    response: LogParam_Response,
    ability: 'ml:write',
    summary: 'Log a parameter',
    async handle(call) {
      const m = call.message;
      await call.services.runs.logBatch(call.access, m.runId(), { params: [{ key: m.requiredString('key'), value: m.requiredPresentString('value') }] });
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/set-tag',
    request: SetTag,
    response: SetTag_Response,
    ability: 'ml:write',
    summary: 'Set a run tag',
    async handle(call) {
      const m = call.message;
      await call.services.runs.logBatch(call.access, m.runId(), { tags: [{ key: m.requiredString('key'), value: m.requiredPresentString('value') }] });
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/delete-tag',
    request: DeleteTag,
    response: DeleteTag_Response,
    ability: 'ml:write',
    summary: 'Delete a run tag',
    async handle(call) {
      await call.services.runs.deleteTag(call.access, call.message.runId(), call.message.requiredString('key'));
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/log-batch',
    request: LogBatch,
    response: LogBatch_Response,
    ability: 'ml:write',
    summary: 'Log metrics, params and tags in one call',
    async handle(call) {
      if (call.bodyBytes > MAX_BATCH_REQUEST_BYTES) {
        throw invalid(`Batched logging API requests must be at most ${MAX_BATCH_REQUEST_BYTES} bytes, got a request of size ${call.bodyBytes}.`);
      }
      const m = call.message;
      await call.services.runs.logBatch(call.access, m.runId(), { metrics: m.messages('metrics').map(metricOf), params: m.keyValues('params'), tags: m.keyValues('tags') });
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/log-inputs',
    request: LogInputs,
    response: LogInputs_Response,
    ability: 'ml:write',
    summary: 'Log dataset inputs',
    async handle(call) {
      const m = call.message;
      const datasets = m.messages('datasets').map((input) => {
        const dataset = input.message('dataset') ?? input.missing('dataset');
        return {
          tags: input.keyValues('tags'),
          dataset: {
            name: dataset.requiredString('name'),
            digest: dataset.requiredString('digest'),
            sourceType: dataset.requiredString('source_type'),
            source: dataset.requiredString('source'),
            schema: dataset.string('schema') ?? null,
            profile: dataset.string('profile') ?? null,
          },
        };
      });
      const models = m.messages('models').map((model) => ({ modelId: model.requiredString('model_id') }));
      await call.services.runs.logInputs(call.access, m.runId(), datasets, models);
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/outputs',
    request: LogOutputs,
    response: LogOutputs_Response,
    ability: 'ml:write',
    summary: 'Record the logged models a run produced',
    async handle(call) {
      const m = call.message;
      const models = m.messages('models').map((model) => ({ modelId: model.requiredString('model_id'), step: model.int64('step') ?? 0 }));
      await call.services.runs.logOutputs(call.access, m.runId(), models);
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/runs/search',
    request: SearchRuns,
    response: SearchRuns_Response,
    ability: 'ml:read',
    summary: 'Search runs (filter grammar with OR and parentheses, order_by, page tokens)',
    async handle(call) {
      const m = call.message;
      const experimentIds = await Promise.all(m.stringList('experiment_ids').map((id) => call.experimentId(id, 'experiment_ids')));
      const result = await searchRuns(call.services.db, call.access, {
        experimentIds,
        filter: m.string('filter'),
        runViewType: m.enumValue('run_view_type', VIEW_TYPES),
        maxResults: m.int64('max_results'),
        orderBy: m.stringList('order_by'),
        pageToken: m.string('page_token'),
      });
      const ids = await call.ids();
      return {
        ...listed(
          'runs',
          result.runs.map((r) => presentRun(r, ids)),
        ),
        ...given('next_page_token', result.nextPageToken),
      };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/metrics/get-history',
    request: GetMetricHistory,
    response: GetMetricHistory_Response,
    ability: 'ml:read',
    summary: "A metric's full history, paged",
    async handle(call) {
      const m = call.message;
      const page = await call.services.metrics.history(call.access, m.runId(), m.requiredString('metric_key'), { maxResults: m.int64('max_results'), pageToken: m.string('page_token') });
      return { ...listed('metrics', page.points.map(presentMetric)), ...given('next_page_token', page.nextPageToken) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/metrics/get-history-bulk-interval',
    request: GetMetricHistoryBulkInterval,
    response: GetMetricHistoryBulkInterval_Response,
    ability: 'ml:read',
    summary: 'Downsampled histories of one metric for up to 100 runs (every bucket keeps its minimum and maximum)',
    async handle(call) {
      const m = call.message;
      const runIds = m.stringList('run_ids');
      if (runIds.length === 0) m.missing('run_ids');
      const key = m.requiredString('metric_key');
      const series = await call.services.metrics.bulkInterval(call.access, runIds, key, {
        startStep: m.int64('start_step'),
        endStep: m.int64('end_step'),
        maxResults: m.int64('max_results'),
      });
      return new JsonText(bulkIntervalJson(key, series));
    },
  }),
];
