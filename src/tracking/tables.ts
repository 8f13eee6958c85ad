import type { Generated } from 'kysely';

export interface ExperimentsTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  /** The project's default experiment, which the MLflow protocol calls "0". */
  is_default: number;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
  /** mlflow-artifacts:/<path> chosen at creation (or /0 for the default); null: mlflow-artifacts:/<id>. */
  artifact_location: string | null;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

/** Runs have a 32-hex public id and an integer key that the large tables reference. */
export interface RunsTable {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  experiment_id: number;
  name: string;
  user_id: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
  deleted_time: number | null;
  creator_id: number | null;
  /** The CI job whose token created the run, for lineage. */
  job_id: number | null;
}

export interface RunParamsTable {
  run_id: number;
  key: string;
  value: string;
}

export interface RunTagsTable {
  run_id: number;
  key: string;
  value: string;
}

/** Every logged point. Primary key (run_id, key, step, timestamp, value, is_nan), as MLflow's. */
export interface MetricsTable {
  run_id: number;
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

/** The newest point per key (highest step, then timestamp, then value): what search filters and sorts. */
export interface LatestMetricsTable {
  run_id: number;
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

/**
 * Precomputed minimum and maximum per bucket of steps, at widths 4^1 to 4^10, so that a chart of
 * a million points can be drawn from a few thousand rows without losing a spike.
 */
export interface MetricRollupsTable {
  run_id: number;
  key: string;
  level: number;
  bucket: number;
  min_step: number;
  min_value: number;
  min_timestamp: number;
  max_step: number;
  max_value: number;
  max_timestamp: number;
}

export interface DatasetsTable {
  id: Generated<number>;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface RunInputsTable {
  run_id: number;
  dataset_id: number;
  /** JSON array of {key, value}; `mlflow.data.context` among them. */
  tags: string;
  /** The value of the `mlflow.data.context` tag, kept apart so that searches can use it. */
  context: string | null;
}

export interface RunModelInputsTable {
  run_id: number;
  model_id: string;
}

export interface RunOutputsTable {
  run_id: number;
  model_id: string;
  step: number;
}

export interface LoggedModelsTable {
  id: string;
  project_id: number;
  experiment_id: number;
  name: string;
  model_type: string | null;
  source_run_id: string | null;
  status: 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
  status_message: string | null;
  lifecycle_stage: 'active' | 'deleted';
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export interface LoggedModelParamsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelTagsTable {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
  run_id: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

export interface TrackingTables {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  run_params: RunParamsTable;
  run_tags: RunTagsTable;
  metrics: MetricsTable;
  latest_metrics: LatestMetricsTable;
  metric_rollups: MetricRollupsTable;
  datasets: DatasetsTable;
  run_inputs: RunInputsTable;
  run_outputs: RunOutputsTable;
  run_model_inputs: RunModelInputsTable;
  logged_models: LoggedModelsTable;
  logged_model_params: LoggedModelParamsTable;
  logged_model_tags: LoggedModelTagsTable;
  logged_model_metrics: LoggedModelMetricsTable;
}
