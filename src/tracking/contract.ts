import { Type, type Static } from 'typebox';
import { PaginationQuery } from '../http/pagination-query.ts';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams, SafeInteger } from '../http/schemas.ts';

/**
 * The native tracking API (`/api/v4/projects/:id/ml/...`): what the web UI and curl send and
 * receive. The MLflow protocol speaks of the same things in its own shapes (src/mlflow).
 */

/** The most points one page of a metric's history holds. */
export const MAX_HISTORY_PAGE = 25_000;
/** The most runs one request reads at once (by id, or their series). */
export const MAX_BULK_RUNS = 100;
/** The most points of one run's downsampled series. */
export const MAX_POINTS_PER_RUN = 2500;

const RUN_ID_PATTERN = '^[0-9a-f]{32}$';
export const RunId = Type.String({ pattern: RUN_ID_PATTERN, description: "A run's 32-hex id" });
const MetricKey = Type.String({ minLength: 1, maxLength: 250 });

// --- requests ---------------------------------------------------------------------------------

export const ViewType = Type.Union([Type.Literal('ACTIVE_ONLY'), Type.Literal('DELETED_ONLY'), Type.Literal('ALL')], {
  description: 'Which lifecycle stages to list: ACTIVE_ONLY (the default), DELETED_ONLY or ALL',
});
export type ViewType = Static<typeof ViewType>;

export const ExperimentParams = Type.Intersect([ProjectIdParams, Type.Object({ experiment_id: NumericId })]);
export const RunParams = Type.Intersect([ProjectIdParams, Type.Object({ run_id: RunId })]);
export const MetricParams = Type.Intersect([RunParams, Type.Object({ key: MetricKey })]);

export const ExperimentsQuery = Type.Intersect([PaginationQuery, Type.Object({ view_type: Type.Optional(ViewType) })]);
export type ExperimentsQuery = Static<typeof ExperimentsQuery>;

export const RunsQuery = Type.Object({
  experiment_id: Type.Optional(Type.Array(NumericId, { minItems: 1, maxItems: 100 })),
  run_id: Type.Optional(Type.Array(RunId, { minItems: 1, maxItems: MAX_BULK_RUNS, description: 'Fetch these runs (in this order) instead of searching' })),
  filter: Type.Optional(Type.String({ maxLength: 10_000, description: "MLflow's filter grammar, plus OR and parentheses" })),
  order_by: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 10 })),
  view_type: Type.Optional(ViewType),
  max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
  page_token: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type RunsQuery = Static<typeof RunsQuery>;

export const MetricHistoryQuery = Type.Object({
  max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE })),
  page_token: Type.Optional(Type.String({ maxLength: 500 })),
});
export type MetricHistoryQuery = Static<typeof MetricHistoryQuery>;

export const MetricSeriesQuery = Type.Object({
  run_id: Type.Array(RunId, { minItems: 1, maxItems: MAX_BULK_RUNS }),
  key: MetricKey,
  start_step: Type.Optional(Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description: 'With end_step: the step range to read (a zoom)' })),
  end_step: Type.Optional(SafeInteger),
  max_points: Type.Optional(Type.Integer({ minimum: 4, maximum: MAX_POINTS_PER_RUN, description: 'Points per run; 1000 unless given' })),
});
export type MetricSeriesQuery = Static<typeof MetricSeriesQuery>;

/** The answer to a request whose If-None-Match names the series as it still is. */
export const SeriesNotModified = Type.Null({ description: 'Not modified: the series still has the ETag asked about' });

// --- answers ----------------------------------------------------------------------------------

const StringMap = (description: string) => Type.Record(Type.String(), Type.String(), { description });
const LifecycleStage = Type.Union([Type.Literal('active'), Type.Literal('deleted')]);

export const ExperimentNative = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    is_default: Type.Boolean({ description: 'The project\'s default experiment (MLflow\'s experiment "0")' }),
    lifecycle_stage: LifecycleStage,
    artifact_location: Type.String({ description: 'Where the MLflow client writes its artifacts: mlflow-artifacts:/<id>' }),
    creation_time: Type.Integer({ description: 'epoch milliseconds' }),
    last_update_time: Type.Integer({ description: 'epoch milliseconds' }),
    tags: StringMap('Tag key → value'),
  },
  { description: 'An experiment' },
);
export type ExperimentNative = Static<typeof ExperimentNative>;

/** JSON has no NaN or ±Infinity: those values are written as these strings, as proto-JSON does. */
export const MetricValue = Type.Union([Type.Number(), Type.Literal('NaN'), Type.Literal('Infinity'), Type.Literal('-Infinity')], {
  description: 'A number, or "NaN", "Infinity", "-Infinity"',
});
export type MetricValue = Static<typeof MetricValue>;

export const MetricPointNative = Closed({
  step: Type.Integer(),
  timestamp: Type.Integer({ description: 'epoch milliseconds' }),
  value: MetricValue,
});
export type MetricPointNative = Static<typeof MetricPointNative>;

export const LatestMetricNative = Closed(
  { key: Type.String(), step: Type.Integer(), timestamp: Type.Integer({ description: 'epoch milliseconds' }), value: MetricValue },
  { description: "A metric's latest point: highest step, then timestamp, then value" },
);
export type LatestMetricNative = Static<typeof LatestMetricNative>;

export const RunInputNative = Closed(
  {
    name: Type.String(),
    digest: Type.String(),
    source_type: Type.String(),
    source: Type.String(),
    schema: Type.Union([Type.String(), Type.Null()]),
    profile: Type.Union([Type.String(), Type.Null()]),
    tags: StringMap('Input tag key → value (mlflow.data.context: training, evaluation, …)'),
  },
  { description: 'A dataset the run used' },
);
export type RunInputNative = Static<typeof RunInputNative>;

export const RunOutputNative = Closed({ model_id: Type.String({ description: 'A logged model, m-<32 hex>' }), step: Type.Integer() }, { description: 'A logged model the run produced' });
export type RunOutputNative = Static<typeof RunOutputNative>;

export const RunLoggedModelNative = Closed(
  {
    id: Type.String({ description: 'm-<32 hex>' }),
    name: Type.String(),
    status: Type.Enum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']),
    artifact_uri: Type.String({ description: "Where its files are: under the experiment's artifact location, not the run's artifacts" }),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
  },
  { description: 'A model the run logged (MLflow 3: `log_model`)' },
);
export type RunLoggedModelNative = Static<typeof RunLoggedModelNative>;

export const RunStatus = Type.Union([Type.Literal('RUNNING'), Type.Literal('SCHEDULED'), Type.Literal('FINISHED'), Type.Literal('FAILED'), Type.Literal('KILLED')]);
export type RunStatus = Static<typeof RunStatus>;

export const RunNative = Closed(
  {
    id: RunId,
    name: Type.String(),
    experiment_id: Type.Integer(),
    status: RunStatus,
    user_id: Type.String(),
    start_time: Type.Integer({ description: 'epoch milliseconds' }),
    end_time: Type.Union([Type.Integer(), Type.Null()], { description: 'epoch milliseconds; null while the run has not ended' }),
    lifecycle_stage: LifecycleStage,
    artifact_uri: Type.String(),
    ci_job_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The CI job whose token created the run' }),
    params: StringMap('Param key → value'),
    tags: StringMap('Tag key → value'),
    metrics: Type.Array(LatestMetricNative),
    inputs: Type.Array(RunInputNative),
    outputs: Type.Array(RunOutputNative),
  },
  { description: 'A run with its params, tags, latest metrics, inputs and outputs' },
);
export type RunNative = Static<typeof RunNative>;

export const RunsPageNative = Closed(
  {
    runs: Type.Array(RunNative),
    next_page_token: Type.Union([Type.String(), Type.Null()], { description: 'Pass as page_token for the next page; null on the last one' }),
  },
  { description: 'A page of runs' },
);
export type RunsPageNative = Static<typeof RunsPageNative>;

export const RunKeysNative = Closed(
  {
    metrics: Type.Array(Type.String(), { description: 'Sorted; at most 2000' }),
    params: Type.Array(Type.String(), { description: 'Sorted; at most 2000' }),
    tags: Type.Array(Type.String(), { description: 'Sorted, system tags (mlflow.*) included; at most 2000' }),
  },
  { description: "The metric, param and tag keys of all an experiment's runs (active and deleted): the columns a runs table can show" },
);
export type RunKeysNative = Static<typeof RunKeysNative>;

export const MetricHistoryNative = Closed(
  {
    key: Type.String(),
    points: Type.Array(MetricPointNative, { description: 'In (step, timestamp, value) order' }),
    next_page_token: Type.Union([Type.String(), Type.Null()], { description: 'Pass as page_token for the next page; null on the last one' }),
  },
  { description: "A page of a metric's full history" },
);
export type MetricHistoryNative = Static<typeof MetricHistoryNative>;

export const RunSeriesNative = Closed({ run_id: RunId, points: Type.Array(MetricPointNative) });
export type RunSeriesNative = Static<typeof RunSeriesNative>;

export const MetricSeriesNative = Closed(
  { key: Type.String(), series: Type.Array(RunSeriesNative, { description: 'One per run asked for, in that order' }) },
  { description: "Downsampled series of one metric: each bucket's minimum and maximum, and the first and last points" },
);
export type MetricSeriesNative = Static<typeof MetricSeriesNative>;
