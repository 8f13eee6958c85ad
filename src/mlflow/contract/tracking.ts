import { Type, type Static } from 'typebox';
import { DatasetSummary, Experiment, FileInfo, Metric, MetricWithRunId, Run, RunInfo } from './entities.ts';
import { DoubleIn, EmptyResponse, Int64In, KeyValueIn, RequestMessage, ResponseMessage, StringsIn } from './message-spec.ts';

/** service.proto's experiment, run and metric messages, as Modelyard serves them. */

const ViewType = Type.Union([Type.Literal('ACTIVE_ONLY'), Type.Literal('DELETED_ONLY'), Type.Literal('ALL')], { title: 'ViewType' });
const ExperimentIdIn = Type.String({ description: 'An experiment id; "0" is the project\'s default experiment' });
const RunIdIn = Type.String({ description: 'The run id (32 hexadecimal digits)' });
const DeprecatedRunUuid = Type.String({ description: 'The same as run_id (deprecated in MLflow; still sent by the client)' });

export const CreateExperiment = RequestMessage('CreateExperiment', {
  name: Type.String({ maxLength: 500 }),
  artifact_location: Type.Optional(Type.String({ description: "Only mlflow-artifacts:/ locations inside the project's own storage are accepted (see docs/mlflow-compatibility.md)" })),
  tags: Type.Optional(Type.Array(KeyValueIn('ExperimentTag'))),
});
export const CreateExperiment_Response = ResponseMessage('CreateExperiment_Response', { experiment_id: Type.String() });
export type CreateExperiment_Response = Static<typeof CreateExperiment_Response>;

export const GetExperiment = RequestMessage('GetExperiment', { experiment_id: ExperimentIdIn });
export const GetExperiment_Response = ResponseMessage('GetExperiment_Response', { experiment: Experiment });
export type GetExperiment_Response = Static<typeof GetExperiment_Response>;

export const GetExperimentByName = RequestMessage('GetExperimentByName', { experiment_name: Type.String() });
export const GetExperimentByName_Response = ResponseMessage('GetExperimentByName_Response', { experiment: Experiment });
export type GetExperimentByName_Response = Static<typeof GetExperimentByName_Response>;

export const SearchExperiments = RequestMessage('SearchExperiments', {
  max_results: Type.Optional(Int64In),
  page_token: Type.Optional(Type.String()),
  filter: Type.Optional(Type.String({ description: "e.g. name LIKE 'test-%' AND tags.key = 'value'" })),
  order_by: Type.Optional(StringsIn),
  view_type: Type.Optional(ViewType),
});
export const SearchExperiments_Response = ResponseMessage('SearchExperiments_Response', {
  experiments: Type.Array(Experiment),
  next_page_token: Type.Optional(Type.String()),
});
export type SearchExperiments_Response = Static<typeof SearchExperiments_Response>;

export const UpdateExperiment = RequestMessage('UpdateExperiment', { experiment_id: ExperimentIdIn, new_name: Type.Optional(Type.String()) });
export const UpdateExperiment_Response = EmptyResponse('UpdateExperiment_Response');
export const DeleteExperiment = RequestMessage('DeleteExperiment', { experiment_id: ExperimentIdIn });
export const DeleteExperiment_Response = EmptyResponse('DeleteExperiment_Response');
export const RestoreExperiment = RequestMessage('RestoreExperiment', { experiment_id: ExperimentIdIn });
export const RestoreExperiment_Response = EmptyResponse('RestoreExperiment_Response');
export const SetExperimentTag = RequestMessage('SetExperimentTag', { experiment_id: ExperimentIdIn, key: Type.String(), value: Type.String() });
export const SetExperimentTag_Response = EmptyResponse('SetExperimentTag_Response');
export const DeleteExperimentTag = RequestMessage('DeleteExperimentTag', { experiment_id: ExperimentIdIn, key: Type.String() });
export const DeleteExperimentTag_Response = EmptyResponse('DeleteExperimentTag_Response');

export const CreateRun = RequestMessage('CreateRun', {
  experiment_id: Type.Optional(ExperimentIdIn),
  user_id: Type.Optional(Type.String()),
  run_name: Type.Optional(Type.String()),
  start_time: Type.Optional(Int64In),
  tags: Type.Optional(Type.Array(KeyValueIn('RunTag'))),
});
export const CreateRun_Response = ResponseMessage('CreateRun_Response', { run: Run });
export type CreateRun_Response = Static<typeof CreateRun_Response>;

export const GetRun = RequestMessage('GetRun', { run_id: Type.Optional(RunIdIn), run_uuid: Type.Optional(DeprecatedRunUuid) });
export const GetRun_Response = ResponseMessage('GetRun_Response', { run: Run });
export type GetRun_Response = Static<typeof GetRun_Response>;

export const UpdateRun = RequestMessage('UpdateRun', {
  run_id: Type.Optional(RunIdIn),
  run_uuid: Type.Optional(DeprecatedRunUuid),
  status: Type.Optional(Type.Union([Type.Literal('RUNNING'), Type.Literal('SCHEDULED'), Type.Literal('FINISHED'), Type.Literal('FAILED'), Type.Literal('KILLED')])),
  end_time: Type.Optional(Int64In),
  run_name: Type.Optional(Type.String()),
});
export const UpdateRun_Response = ResponseMessage('UpdateRun_Response', { run_info: RunInfo });
export type UpdateRun_Response = Static<typeof UpdateRun_Response>;

export const DeleteRun = RequestMessage('DeleteRun', { run_id: RunIdIn });
export const DeleteRun_Response = EmptyResponse('DeleteRun_Response');
export const RestoreRun = RequestMessage('RestoreRun', { run_id: RunIdIn });
export const RestoreRun_Response = EmptyResponse('RestoreRun_Response');

const MetricFields = {
  key: Type.String(),
  value: DoubleIn,
  timestamp: Int64In,
  step: Type.Optional(Int64In),
  model_id: Type.Optional(Type.String({ description: 'The logged model the value belongs to' })),
  dataset_name: Type.Optional(Type.String()),
  dataset_digest: Type.Optional(Type.String()),
};

export const LogMetric = RequestMessage('LogMetric', { run_id: Type.Optional(RunIdIn), run_uuid: Type.Optional(DeprecatedRunUuid), ...MetricFields });
export const LogMetric_Response = EmptyResponse('LogMetric_Response');
export const LogParam = RequestMessage('LogParam', { run_id: Type.Optional(RunIdIn), run_uuid: Type.Optional(DeprecatedRunUuid), key: Type.String(), value: Type.String() });
export const LogParam_Response = EmptyResponse('LogParam_Response');
export const SetTag = RequestMessage('SetTag', { run_id: Type.Optional(RunIdIn), run_uuid: Type.Optional(DeprecatedRunUuid), key: Type.String(), value: Type.String() });
export const SetTag_Response = EmptyResponse('SetTag_Response');
export const DeleteTag = RequestMessage('DeleteTag', { run_id: RunIdIn, key: Type.String() });
export const DeleteTag_Response = EmptyResponse('DeleteTag_Response');

export const LogBatch = RequestMessage(
  'LogBatch',
  {
    run_id: RunIdIn,
    metrics: Type.Optional(Type.Array(Type.Object(MetricFields, { title: 'Metric', additionalProperties: true }), { maxItems: 1000 })),
    params: Type.Optional(Type.Array(KeyValueIn('Param'), { maxItems: 100 })),
    tags: Type.Optional(Type.Array(KeyValueIn('RunTag'), { maxItems: 100 })),
  },
  'At most 1000 metrics, 100 params, 100 tags, 1000 items in all and 1 MB',
);
export const LogBatch_Response = EmptyResponse('LogBatch_Response');

const DatasetIn = Type.Object(
  {
    name: Type.String(),
    digest: Type.String(),
    source_type: Type.String(),
    source: Type.String(),
    schema: Type.Optional(Type.String()),
    profile: Type.Optional(Type.String()),
  },
  { title: 'Dataset', additionalProperties: true },
);

export const LogInputs = RequestMessage('LogInputs', {
  run_id: RunIdIn,
  datasets: Type.Optional(Type.Array(Type.Object({ tags: Type.Optional(Type.Array(KeyValueIn('InputTag'))), dataset: DatasetIn }, { title: 'DatasetInput', additionalProperties: true }))),
  models: Type.Optional(Type.Array(Type.Object({ model_id: Type.String() }, { title: 'ModelInput', additionalProperties: true }))),
});
export const LogInputs_Response = EmptyResponse('LogInputs_Response');

export const LogOutputs = RequestMessage('LogOutputs', {
  run_id: RunIdIn,
  models: Type.Optional(Type.Array(Type.Object({ model_id: Type.String(), step: Type.Optional(Int64In) }, { title: 'ModelOutput', additionalProperties: true }))),
});
export const LogOutputs_Response = EmptyResponse('LogOutputs_Response');

export const SearchRuns = RequestMessage('SearchRuns', {
  experiment_ids: Type.Optional(Type.Array(ExperimentIdIn)),
  filter: Type.Optional(Type.String({ description: "e.g. metrics.rmse < 1 and params.model_class = 'LogisticRegression' (OR and parentheses too)" })),
  run_view_type: Type.Optional(ViewType),
  max_results: Type.Optional(Int64In),
  order_by: Type.Optional(Type.Array(Type.String())),
  page_token: Type.Optional(Type.String()),
});
export const SearchRuns_Response = ResponseMessage('SearchRuns_Response', { runs: Type.Optional(Type.Array(Run)), next_page_token: Type.Optional(Type.String()) });
export type SearchRuns_Response = Static<typeof SearchRuns_Response>;

export const GetMetricHistory = RequestMessage('GetMetricHistory', {
  run_id: Type.Optional(RunIdIn),
  run_uuid: Type.Optional(DeprecatedRunUuid),
  metric_key: Type.String(),
  page_token: Type.Optional(Type.String()),
  max_results: Type.Optional(Int64In),
});
export const GetMetricHistory_Response = ResponseMessage('GetMetricHistory_Response', { metrics: Type.Optional(Type.Array(Metric)), next_page_token: Type.Optional(Type.String()) });
export type GetMetricHistory_Response = Static<typeof GetMetricHistory_Response>;

export const GetMetricHistoryBulkInterval = RequestMessage('GetMetricHistoryBulkInterval', {
  run_ids: Type.Union([Type.Array(RunIdIn, { maxItems: 100 }), RunIdIn]),
  metric_key: Type.String(),
  start_step: Type.Optional(Int64In),
  end_step: Type.Optional(Int64In),
  max_results: Type.Optional(Int64In),
});
export const GetMetricHistoryBulkInterval_Response = ResponseMessage(
  'GetMetricHistoryBulkInterval_Response',
  { metrics: Type.Array(MetricWithRunId) },
  'Every bucket keeps its minimum and maximum, so no spike is lost',
);
export type GetMetricHistoryBulkInterval_Response = Static<typeof GetMetricHistoryBulkInterval_Response>;

/** The MLflow UI's (Flask-only) bulk history: full histories of one metric for up to 100 runs. */
export const GetMetricHistoryBulk = RequestMessage('GetMetricHistoryBulk', {
  run_id: Type.Union([Type.Array(RunIdIn, { maxItems: 100 }), RunIdIn]),
  metric_key: Type.String(),
  max_results: Type.Optional(Int64In),
});
export const GetMetricHistoryBulk_Response = ResponseMessage('GetMetricHistoryBulk_Response', { metrics: Type.Array(MetricWithRunId) });
export type GetMetricHistoryBulk_Response = Static<typeof GetMetricHistoryBulk_Response>;

export const SearchDatasets = RequestMessage('SearchDatasets', { experiment_ids: Type.Array(ExperimentIdIn, { maxItems: 20 }) });
export const SearchDatasets_Response = ResponseMessage('SearchDatasets_Response', { dataset_summaries: Type.Array(DatasetSummary) });
export type SearchDatasets_Response = Static<typeof SearchDatasets_Response>;

export const ListArtifacts = RequestMessage('ListArtifacts', {
  run_id: Type.Optional(RunIdIn),
  run_uuid: Type.Optional(DeprecatedRunUuid),
  path: Type.Optional(Type.String({ description: "A directory relative to the run's artifact root" })),
  page_token: Type.Optional(Type.String()),
});
export const ListArtifacts_Response = ResponseMessage('ListArtifacts_Response', {
  root_uri: Type.String(),
  files: Type.Optional(Type.Array(FileInfo)),
});
export type ListArtifacts_Response = Static<typeof ListArtifacts_Response>;
