import { Type, type Static } from 'typebox';
import { Entity } from './message-spec.ts';

/**
 * MLflow's entity messages (service.proto, model_registry.proto) as Modelyard answers them.
 * Proto-JSON leaves unset fields out, so a field is optional here exactly when Modelyard can
 * leave it unset; every object is closed, because Fastify's serializer drops what a schema
 * does not declare.
 */

/** A proto `double`: a JSON number, or one of the strings "NaN", "Infinity", "-Infinity". */
export const ProtoDouble = Type.Unsafe<number | string>({
  type: ['number', 'string'],
  description: 'A double; NaN and ±Infinity are the strings "NaN", "Infinity" and "-Infinity"',
});
export type ProtoDouble = Static<typeof ProtoDouble>;

/** A proto `int64` (epoch milliseconds, steps, sizes). */
export const Int64 = Type.Integer({ format: 'int64' });

function keyValue(title: string, description: string) {
  return Entity({ key: Type.String(), value: Type.String() }, { title, description });
}

export const Param = keyValue('Param', 'A run parameter (immutable once logged)');
export type Param = Static<typeof Param>;
export const RunTag = keyValue('RunTag', 'A run tag');
export type RunTag = Static<typeof RunTag>;
export const ExperimentTag = keyValue('ExperimentTag', 'An experiment tag');
export type ExperimentTag = Static<typeof ExperimentTag>;
export const InputTag = keyValue('InputTag', 'A tag of a dataset input, e.g. context=training');
export type InputTag = Static<typeof InputTag>;
export const LoggedModelTag = keyValue('LoggedModelTag', 'A logged model tag');
export type LoggedModelTag = Static<typeof LoggedModelTag>;
export const LoggedModelParameter = keyValue('LoggedModelParameter', 'A logged model parameter');
export type LoggedModelParameter = Static<typeof LoggedModelParameter>;
export const ModelVersionTag = keyValue('ModelVersionTag', 'A model version tag');
export type ModelVersionTag = Static<typeof ModelVersionTag>;
export const RegisteredModelTag = keyValue('RegisteredModelTag', 'A registered model tag');
export type RegisteredModelTag = Static<typeof RegisteredModelTag>;

export const Metric = Entity(
  {
    key: Type.String(),
    value: ProtoDouble,
    timestamp: Int64,
    step: Int64,
    dataset_name: Type.Optional(Type.String({ description: 'The dataset the value was measured on (logged-model metrics)' })),
    dataset_digest: Type.Optional(Type.String()),
    model_id: Type.Optional(Type.String({ description: 'The logged model the value belongs to (logged-model metrics)' })),
    run_id: Type.Optional(Type.String({ description: 'The run that logged the value (logged-model metrics)' })),
  },
  { title: 'Metric', description: 'One value of a metric at a step' },
);
export type Metric = Static<typeof Metric>;

export const MetricWithRunId = Entity(
  { key: Type.String(), value: ProtoDouble, timestamp: Int64, step: Int64, run_id: Type.String() },
  { title: 'MetricWithRunId', description: 'A metric value and the run it belongs to' },
);
export type MetricWithRunId = Static<typeof MetricWithRunId>;

export const RunStatus = Type.Union([Type.Literal('RUNNING'), Type.Literal('SCHEDULED'), Type.Literal('FINISHED'), Type.Literal('FAILED'), Type.Literal('KILLED')], { title: 'RunStatus' });
export const LifecycleStage = Type.Union([Type.Literal('active'), Type.Literal('deleted')]);

export const RunInfo = Entity(
  {
    run_id: Type.String({ description: '32 hexadecimal digits' }),
    run_uuid: Type.String({ description: 'The same as run_id (deprecated in MLflow)' }),
    run_name: Type.String(),
    experiment_id: Type.String({ description: '"0" is the project\'s default experiment' }),
    user_id: Type.String(),
    status: RunStatus,
    start_time: Int64,
    end_time: Type.Optional(Int64),
    artifact_uri: Type.String({ description: 'mlflow-artifacts:/<experiment>/<run>/artifacts, served by the artifact proxy' }),
    lifecycle_stage: LifecycleStage,
  },
  { title: 'RunInfo', description: "A run's metadata" },
);
export type RunInfo = Static<typeof RunInfo>;

export const RunData = Entity(
  {
    metrics: Type.Optional(Type.Array(Metric, { description: 'The latest value of each metric' })),
    params: Type.Optional(Type.Array(Param)),
    tags: Type.Optional(Type.Array(RunTag)),
  },
  { title: 'RunData' },
);
export type RunData = Static<typeof RunData>;

export const Dataset = Entity(
  {
    name: Type.String(),
    digest: Type.String(),
    source_type: Type.String(),
    source: Type.String(),
    schema: Type.Optional(Type.String()),
    profile: Type.Optional(Type.String()),
  },
  { title: 'Dataset', description: 'A reference to data a run used' },
);
export type Dataset = Static<typeof Dataset>;

export const DatasetInput = Entity({ tags: Type.Array(InputTag), dataset: Dataset }, { title: 'DatasetInput' });
export type DatasetInput = Static<typeof DatasetInput>;

export const ModelInput = Entity({ model_id: Type.String() }, { title: 'ModelInput', description: 'A logged model a run used' });
export type ModelInput = Static<typeof ModelInput>;

export const RunInputs = Entity({ dataset_inputs: Type.Optional(Type.Array(DatasetInput)), model_inputs: Type.Optional(Type.Array(ModelInput)) }, { title: 'RunInputs' });
export type RunInputs = Static<typeof RunInputs>;

export const ModelOutput = Entity({ model_id: Type.String(), step: Int64 }, { title: 'ModelOutput', description: 'A logged model a run produced' });
export type ModelOutput = Static<typeof ModelOutput>;

export const RunOutputs = Entity({ model_outputs: Type.Optional(Type.Array(ModelOutput)) }, { title: 'RunOutputs' });
export type RunOutputs = Static<typeof RunOutputs>;

export const Run = Entity({ info: RunInfo, data: RunData, inputs: RunInputs, outputs: RunOutputs }, { title: 'Run' });
export type Run = Static<typeof Run>;

export const Experiment = Entity(
  {
    experiment_id: Type.String(),
    name: Type.String(),
    artifact_location: Type.String(),
    lifecycle_stage: LifecycleStage,
    last_update_time: Int64,
    creation_time: Int64,
    tags: Type.Optional(Type.Array(ExperimentTag)),
  },
  { title: 'Experiment' },
);
export type Experiment = Static<typeof Experiment>;

export const FileInfo = Entity(
  {
    path: Type.String({ description: 'Relative to the root the listing names' }),
    is_dir: Type.Boolean(),
    file_size: Type.Optional(Type.Integer({ description: 'Bytes; unset for directories' })),
  },
  { title: 'FileInfo' },
);
export type FileInfo = Static<typeof FileInfo>;

export const DatasetSummary = Entity(
  { experiment_id: Type.String(), name: Type.String(), digest: Type.String(), context: Type.Optional(Type.String({ description: 'The input\'s "mlflow.data.context" tag' })) },
  { title: 'DatasetSummary' },
);
export type DatasetSummary = Static<typeof DatasetSummary>;

export const LoggedModelStatus = Type.Union([Type.Literal('LOGGED_MODEL_PENDING'), Type.Literal('LOGGED_MODEL_READY'), Type.Literal('LOGGED_MODEL_UPLOAD_FAILED')], {
  title: 'LoggedModelStatus',
});

export const LoggedModelInfo = Entity(
  {
    model_id: Type.String({ description: 'm-<32 hexadecimal digits>' }),
    experiment_id: Type.String(),
    name: Type.String(),
    creation_timestamp_ms: Int64,
    last_updated_timestamp_ms: Int64,
    artifact_uri: Type.String(),
    status: LoggedModelStatus,
    model_type: Type.Optional(Type.String()),
    source_run_id: Type.Optional(Type.String()),
    status_message: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(LoggedModelTag)),
  },
  { title: 'LoggedModelInfo' },
);
export type LoggedModelInfo = Static<typeof LoggedModelInfo>;

export const LoggedModelData = Entity({ params: Type.Optional(Type.Array(LoggedModelParameter)), metrics: Type.Optional(Type.Array(Metric)) }, { title: 'LoggedModelData' });
export type LoggedModelData = Static<typeof LoggedModelData>;

export const LoggedModel = Entity({ info: LoggedModelInfo, data: LoggedModelData }, { title: 'LoggedModel', description: 'A model logged by MLflow 3 (log_model)' });
export type LoggedModel = Static<typeof LoggedModel>;

export const ModelVersion = Entity(
  {
    name: Type.String(),
    version: Type.String({ description: "MLflow's integer version, as a string" }),
    creation_timestamp: Int64,
    last_updated_timestamp: Int64,
    user_id: Type.String(),
    current_stage: Type.String({ description: 'None, Staging, Production or Archived' }),
    description: Type.String(),
    source: Type.String(),
    run_id: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('PENDING_REGISTRATION'), Type.Literal('FAILED_REGISTRATION'), Type.Literal('READY')]),
    status_message: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Array(ModelVersionTag)),
    aliases: Type.Optional(Type.Array(Type.String(), { description: "The version's aliases (and its explicit semantic version, as GitLab lists it)" })),
    model_id: Type.Optional(Type.String({ description: 'The logged model the version registers' })),
  },
  { title: 'ModelVersion' },
);
export type ModelVersion = Static<typeof ModelVersion>;

export const RegisteredModelAlias = Entity({ alias: Type.String(), version: Type.String() }, { title: 'RegisteredModelAlias' });
export type RegisteredModelAlias = Static<typeof RegisteredModelAlias>;

export const RegisteredModel = Entity(
  {
    name: Type.String(),
    creation_timestamp: Int64,
    last_updated_timestamp: Int64,
    description: Type.String({ description: 'The model card, in Markdown' }),
    latest_versions: Type.Optional(Type.Array(ModelVersion, { description: 'The latest version in each stage' })),
    tags: Type.Optional(Type.Array(RegisteredModelTag)),
    aliases: Type.Optional(Type.Array(RegisteredModelAlias)),
  },
  { title: 'RegisteredModel' },
);
export type RegisteredModel = Static<typeof RegisteredModel>;
