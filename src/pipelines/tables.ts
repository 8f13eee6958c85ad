import type { Generated } from 'kysely';
import { sealedColumn } from '../secrets/sealed-column.ts';

export type PipelineStatus = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual';
export type JobStatus = PipelineStatus;
export type PipelineSource = 'push' | 'web' | 'api' | 'trigger' | 'model_registry';

export interface CiSettingsTable {
  project_id: number;
  /**
   * The linked git repository (any URL `git` can fetch; it may carry a token), sealed
   * (CI_REPOSITORY_URL); null: the pipeline file is stored in the project.
   */
  repository_url: string | null;
  default_branch: string;
  /** The pipeline file when no repository is linked. */
  config_content: string | null;
  /** Shared secret of push webhooks (GitLab's token, GitHub's and Gitea's HMAC key), sealed (CI_PUSH_SECRET). */
  webhook_secret: string | null;
  /** JSON list of branch patterns (`*` wildcard) whose pipelines receive protected variables. */
  protected_branches: string;
  /** 1: registry events start pipelines whose rules select them. */
  registry_triggers: number;
  runners_token_hash: string | null;
  /** Whose rights push- and registry-started jobs carry (the maintainer who set up CI). */
  run_as_user_id: number | null;
  updated_at: number;
}

/** What CI stores that it must use later in clear, sealed at rest and bound to its row. */
export const CI_REPOSITORY_URL = sealedColumn('ci_settings', 'repository_url', ['project_id']);
export const CI_PUSH_SECRET = sealedColumn('ci_settings', 'webhook_secret', ['project_id']);
export const CI_VARIABLE_VALUE = sealedColumn('ci_variables', 'value', ['id']);
export const PIPELINE_SEALED_COLUMNS = [CI_REPOSITORY_URL, CI_PUSH_SECRET, CI_VARIABLE_VALUE] as const;

export interface CiVariablesTable {
  id: Generated<number>;
  project_id: number;
  key: string;
  /** Sealed (CI_VARIABLE_VALUE): masked or not, a CI variable is where credentials for jobs live. */
  value: string;
  masked: number;
  protected: number;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface CiTriggersTable {
  id: Generated<number>;
  project_id: number;
  token_hash: string;
  token_hint: string;
  description: string;
  owner_id: number;
  created_at: number;
  last_used_at: number | null;
}

export interface CiPipelinesTable {
  id: Generated<number>;
  project_id: number;
  /** Per-project number, as GitLab's `iid`. */
  iid: number;
  status: PipelineStatus;
  source: PipelineSource;
  ref: string;
  tag: number;
  sha: string | null;
  before_sha: string | null;
  commit_title: string | null;
  config_source: 'repository' | 'project';
  /** JSON list of `{line, column, message}` when the pipeline file is invalid; nothing runs then. */
  yaml_errors: string | null;
  /** JSON object: variables given at trigger time and those of the triggering event. */
  variables: string;
  trigger_event_id: number | null;
  model_version_id: number | null;
  user_id: number | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface CiJobsTable {
  id: Generated<number>;
  pipeline_id: number;
  project_id: number;
  name: string;
  stage: string;
  stage_index: number;
  status: JobStatus;
  when: 'on_success' | 'on_failure' | 'always' | 'manual';
  allow_failure: number;
  /** JSON list of job names this one waits for. */
  needs: string;
  /** JSON list of runner tags the job requires. */
  tags: string;
  /** JSON of what the runner needs: scripts, image, variables, artifacts, environment, retry. */
  spec: string;
  attempt: Generated<number>;
  /** 1 once a newer attempt of the same job exists. */
  retried: Generated<number>;
  runner_id: number | null;
  token_hash: string | null;
  failure_reason: string | null;
  exit_code: number | null;
  timeout_seconds: number;
  trace_size: Generated<number>;
  user_id: number | null;
  created_at: number;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  heartbeat_at: number | null;
  /** When the runner that took the job first reported on it; null while handed out but unconfirmed. */
  confirmed_at: number | null;
  /** How many times the job was handed to a runner (a handout nobody confirmed puts it back). */
  pickups: Generated<number>;
}

export interface CiJobTraceChunksTable {
  job_id: number;
  offset: number;
  /** Text of chunks stored before the log was kept as bytes; '' since. */
  content: string;
  /** The bytes as the runner sent them (a chunk may end inside a UTF-8 character). */
  data: Buffer | null;
}

/** One archive a job's runner uploaded: the `artifacts:paths` zip or a report (GitLab's `ci_job_artifacts`). */
export interface CiJobArtifactsTable {
  id: Generated<number>;
  job_id: number;
  project_id: number;
  file_type: 'archive' | 'junit' | 'dotenv';
  file_format: 'zip' | 'gzip';
  filename: string;
  size: number;
  sha256: string;
  store_key: string;
  /** JSON of what the server read out of a report (dotenv variables, test counts); null for the archive. */
  report: string | null;
  expire_at: number | null;
  created_at: number;
}

/** Artifacts stored file by file by earlier versions; read-only. */
export interface CiJobArtifactLegacyFilesTable {
  job_id: number;
  path: string;
  size: number;
  sha256: string;
  store_key: string;
  expire_at: number | null;
  created_at: number;
}

export interface CiRunnersTable {
  id: Generated<number>;
  token_hash: string;
  token_hint: string;
  description: string;
  runner_type: 'instance_type' | 'project_type';
  project_id: number | null;
  tags: string;
  run_untagged: number;
  paused: number;
  /** JSON the runner reports: version, platform, architecture, executor, gpus. */
  info: string;
  ip: string | null;
  contacted_at: number | null;
  creator_id: number | null;
  created_at: number;
}

export interface PipelineTables {
  ci_settings: CiSettingsTable;
  ci_variables: CiVariablesTable;
  ci_triggers: CiTriggersTable;
  ci_pipelines: CiPipelinesTable;
  ci_jobs: CiJobsTable;
  ci_job_trace_chunks: CiJobTraceChunksTable;
  ci_job_artifacts: CiJobArtifactsTable;
  ci_job_artifact_legacy_files: CiJobArtifactLegacyFilesTable;
  ci_runners: CiRunnersTable;
}
