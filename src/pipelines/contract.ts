import { Type, type Static, type TSchema } from 'typebox';
import { Bytes, Closed, NoContent } from '../http/responses.ts';

/**
 * The CI API's answers, in GitLab's shapes (python-gitlab and curl scripts read them): pipelines,
 * jobs, runners, CI settings, variables and trigger tokens. Dates are ISO strings, as GitLab's;
 * what Modelyard adds is marked in the descriptions. The runner protocol's own shapes live in
 * src/runner-protocol/, which the runner shares.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const IsoDate = Type.String({ description: 'ISO 8601 date-time' });
const UserRef = Nullable(Closed({ id: Type.Integer() }));

export const PIPELINE_STATUSES = ['created', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual'] as const;
export const PipelineStatus = Type.Enum(PIPELINE_STATUSES);
export const PIPELINE_SOURCES = ['push', 'web', 'api', 'trigger', 'model_registry'] as const;
export const PipelineSource = Type.Enum(PIPELINE_SOURCES);

export const ConfigErrorDetail = Closed({ line: Type.Integer(), column: Type.Integer(), message: Type.String() }, { description: 'A pipeline file error with its place' });

export const Pipeline = Closed(
  {
    id: Type.Integer(),
    iid: Type.Integer({ description: 'The pipeline number within the project' }),
    project_id: Type.Integer(),
    status: PipelineStatus,
    source: PipelineSource,
    ref: Type.String(),
    tag: Type.Boolean(),
    sha: Nullable(Type.String()),
    before_sha: Nullable(Type.String()),
    commit_title: Nullable(Type.String()),
    config_source: Type.Union([Type.Literal('repository_source'), Type.Literal('parameter_source')]),
    yaml_errors: Nullable(Type.String({ description: 'The pipeline file errors, one per line' })),
    yaml_error_details: Type.Array(ConfigErrorDetail),
    user: UserRef,
    model_version_id: Nullable(Type.Integer({ description: 'Modelyard: the registry version whose event started the pipeline' })),
    created_at: Nullable(IsoDate),
    updated_at: Nullable(IsoDate),
    started_at: Nullable(IsoDate),
    finished_at: Nullable(IsoDate),
    duration: Nullable(Type.Number({ description: 'seconds' })),
    web_url: Type.String(),
  },
  { description: 'A pipeline, as GitLab answers it' },
);
export type Pipeline = Static<typeof Pipeline>;

export const JobEnvironment = Closed(
  {
    name: Type.String(),
    action: Type.Enum(['start', 'prepare', 'stop', 'verify', 'access']),
    url: Type.Optional(Type.String()),
    deployment_tier: Type.Optional(Type.Enum(['production', 'staging', 'testing', 'development', 'other'])),
    on_stop: Type.Optional(Type.String()),
    auto_stop_in: Type.Optional(Type.Union([Type.Integer({ description: 'seconds' }), Type.Literal('never')])),
  },
  { description: "The job's `environment:` keyword" },
);

export const ListedArtifactFile = Closed({ file_type: Type.String(), file_format: Nullable(Type.String()), filename: Type.String(), size: Type.Integer() });

export const Job = Closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    stage: Type.String(),
    status: Type.String({ description: 'created, pending, running, success, failed, canceled, skipped or manual' }),
    when: Type.String(),
    allow_failure: Type.Boolean(),
    attempt: Type.Integer(),
    retried: Type.Boolean(),
    failure_reason: Nullable(Type.String()),
    exit_code: Nullable(Type.Integer()),
    needs: Type.Array(Type.String()),
    needs_declared: Type.Boolean({ description: 'Modelyard: whether the job declared `needs:` (an empty list then means "start at once")' }),
    tag_list: Type.Array(Type.String()),
    ref: Type.String(),
    tag: Type.Boolean(),
    timeout: Type.Integer({ description: 'seconds' }),
    environment: Nullable(JobEnvironment),
    created_at: Nullable(IsoDate),
    queued_at: Nullable(IsoDate),
    started_at: Nullable(IsoDate),
    finished_at: Nullable(IsoDate),
    duration: Nullable(Type.Number({ description: 'seconds' })),
    queued_duration: Nullable(Type.Number({ description: 'seconds' })),
    user: UserRef,
    commit: Nullable(Closed({ id: Type.String(), short_id: Type.String(), title: Nullable(Type.String()) })),
    pipeline: Closed({ id: Type.Integer(), iid: Type.Integer(), project_id: Type.Integer(), ref: Type.String(), sha: Nullable(Type.String()), status: PipelineStatus, source: PipelineSource }),
    runner: Nullable(Closed({ id: Type.Integer(), description: Type.String(), runner_type: Type.String() })),
    artifacts: Type.Array(ListedArtifactFile),
    artifacts_file: Nullable(Closed({ filename: Type.String(), size: Type.Integer() })),
    artifacts_expire_at: Nullable(IsoDate),
    trace_size: Type.Integer({ description: "Modelyard: the log's size in bytes" }),
    web_url: Type.String(),
  },
  { description: 'A job, as GitLab answers it' },
);
export type Job = Static<typeof Job>;

export const JunitReport = Closed({
  total: Type.Integer(),
  success: Type.Integer(),
  failed: Type.Integer(),
  error: Type.Integer(),
  skipped: Type.Integer(),
  time: Type.Number({ description: 'seconds' }),
  failures: Type.Array(Closed({ suite: Type.String(), name: Type.String(), classname: Type.String(), status: Type.String(), time: Type.Number(), message: Type.Optional(Type.String()) }), {
    description: 'The failed and errored cases (the first 200)',
  }),
  unread: Type.Optional(Type.String({ description: 'Why the report was not read (too large)' })),
});

export const JobWithReports = Closed(
  {
    ...Job.properties,
    reports: Closed(
      { dotenv: Type.Optional(Closed({ variables: Type.Record(Type.String(), Type.String()) })), junit: Type.Optional(JunitReport) },
      { description: 'Modelyard: what the server read of the reports' },
    ),
  },
  { description: 'A job with what the server read of its reports' },
);

export const ArtifactEntry = Closed(
  { path: Type.String({ description: "The file's path in the archive" }), size: Type.Integer({ minimum: 0, description: 'Bytes, uncompressed' }) },
  { description: "A file in a job's artifacts archive (folders are the paths' prefixes); download one with GET …/artifacts/*path" },
);

// --- runners, as people manage them --------------------------------------------------------------

export const RunnerGpu = Closed({ name: Type.String(), memory_mib: Type.Optional(Type.Integer()), driver: Type.Optional(Type.String()) });

export const Runner = Closed(
  {
    id: Type.Integer(),
    description: Type.String(),
    runner_type: Type.Union([Type.Literal('instance_type'), Type.Literal('project_type')]),
    project_id: Nullable(Type.Integer()),
    tag_list: Type.Array(Type.String()),
    run_untagged: Type.Boolean(),
    paused: Type.Boolean(),
    active: Type.Boolean(),
    is_shared: Type.Boolean(),
    status: Type.Enum(['online', 'offline', 'never_contacted', 'paused']),
    online: Type.Boolean(),
    ip_address: Nullable(Type.String()),
    contacted_at: Nullable(IsoDate),
    created_at: IsoDate,
    version: Nullable(Type.String()),
    platform: Nullable(Type.String()),
    architecture: Nullable(Type.String()),
    executor: Nullable(Type.String()),
    gpus: Type.Array(RunnerGpu, { description: 'Modelyard: the GPUs the runner reported' }),
  },
  { description: 'A runner, as GitLab answers it' },
);
export type Runner = Static<typeof Runner>;

/** A runner's token, shown once: when it is created, registered, verified or reset. */
export const RunnerToken = Closed({ id: Type.Integer(), token: Type.String(), token_expires_at: Type.Null() });
export const ResetRunnerToken = Closed({ token: Type.String(), token_expires_at: Type.Null() });

// --- CI settings, the stored pipeline file, variables, triggers -----------------------------------

export const CiSettings = Closed(
  {
    repository_url: Nullable(Type.String({ description: 'Credentials in it are shown redacted' })),
    default_branch: Type.String(),
    protected_branches: Type.Array(Type.String()),
    registry_triggers: Type.Boolean(),
    webhook_secret_set: Type.Boolean(),
    config_stored: Type.Boolean(),
    runners_token_set: Type.Boolean(),
    webhook_secret: Type.Optional(Type.String({ description: 'Only in the answer that generated it' })),
  },
  { description: "Modelyard: a project's CI settings" },
);
export type CiSettings = Static<typeof CiSettings>;

export const StoredConfig = Closed({ content: Type.String(), valid: Type.Optional(Type.Boolean()), errors: Type.Optional(Type.Array(Type.String())) });
export type StoredConfig = Static<typeof StoredConfig>;

export const LintResult = Closed(
  {
    valid: Type.Boolean(),
    errors: Type.Array(Type.String()),
    error_details: Type.Array(ConfigErrorDetail),
    warnings: Type.Array(Type.String()),
    stages: Type.Optional(Type.Array(Type.String())),
    jobs: Type.Array(Closed({ name: Type.String(), stage: Type.String(), when: Type.String(), needs: Type.Array(Type.String()), tag_list: Type.Array(Type.String()), allow_failure: Type.Boolean() })),
  },
  { description: "GitLab's lint answer, with the jobs a push to the default branch would run" },
);
export type LintResult = Static<typeof LintResult>;

export const RegistrationToken = Closed({ token: Type.String() });

export const CiVariable = Closed(
  {
    key: Type.String(),
    value: Type.String(),
    variable_type: Type.Literal('env_var'),
    protected: Type.Boolean(),
    masked: Type.Boolean(),
    raw: Type.Boolean(),
    environment_scope: Type.Literal('*'),
    description: Nullable(Type.String()),
  },
  { description: 'A CI variable, as GitLab answers it' },
);
export type CiVariable = Static<typeof CiVariable>;

export const Trigger = Closed(
  {
    id: Type.Integer(),
    description: Type.String(),
    token: Type.String({ description: 'Whole when created; later only its first characters' }),
    owner: Closed({ id: Type.Integer() }),
    created_at: IsoDate,
    last_used: Nullable(IsoDate),
  },
  { description: 'A pipeline trigger token, as GitLab answers it' },
);
export type Trigger = Static<typeof Trigger>;

export const WebhookOutcome = Closed({ message: Type.String() }, { description: 'A push webhook taken without running a pipeline, and why' });

// --- answers that are bytes ------------------------------------------------------------------------

export const ZipDownload = { 200: Bytes('application/zip', 'The zip archive'), 206: Bytes('application/zip', 'The byte range asked for'), 304: NoContent };
export const FileDownload = { 200: Bytes('application/octet-stream', "The file's bytes (its media type by name)"), 206: Bytes('application/octet-stream', 'The byte range asked for'), 304: NoContent };
export const TraceText = { 200: Bytes('text/plain', "The job's log"), 206: Bytes('text/plain', 'The log after the byte asked for (Range: bytes=N-)') };

// --- the runner protocol's answers (GitLab's) ------------------------------------------------------

export const JobUpdated = Closed({ id: Type.Integer(), status: Type.String() }, { description: "The job's status after the runner's report" });
export const TraceAppended = Closed({ size: Type.Integer({ description: "The log's size in bytes" }) });
export const ArtifactUploaded = Closed({ id: Type.Integer(), file_type: Type.String(), file_format: Nullable(Type.String()), filename: Type.String(), size: Type.Integer() });
export { JobResponse } from '../runner-protocol/job-response.ts';
