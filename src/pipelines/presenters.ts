import type { EnvironmentSpec } from './config/types.ts';
import type { Job, Pipeline } from './contract.ts';
import { readSpec } from './job-spec.ts';
import type { JobRow } from './job-payload.ts';
import type { PipelineRow } from './pipeline-creator.ts';
import type { RunnerRow } from './runners-service.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (from: number | null, to: number | null) => (from === null ? null : ((to ?? Date.now()) - from) / 1000);

/** GitLab's pipeline shape, plus the registry version that started it. */
export function presentPipeline(row: PipelineRow, publicUrl: string): Pipeline {
  return {
    id: row.id,
    iid: row.iid,
    project_id: row.project_id,
    status: row.status,
    source: row.source,
    ref: row.ref,
    tag: row.tag === 1,
    sha: row.sha,
    before_sha: row.before_sha,
    commit_title: row.commit_title,
    config_source: row.config_source === 'repository' ? 'repository_source' : 'parameter_source',
    yaml_errors:
      row.yaml_errors === null ? null : (JSON.parse(row.yaml_errors) as { line: number; column: number; message: string }[]).map((e) => `line ${e.line}, column ${e.column}: ${e.message}`).join('\n'),
    yaml_error_details: row.yaml_errors === null ? [] : JSON.parse(row.yaml_errors),
    user: row.user_id === null ? null : { id: row.user_id },
    model_version_id: row.model_version_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    duration: row.started_at === null ? null : seconds(row.started_at, row.finished_at),
    web_url: `${publicUrl}/projects/${row.project_id}/pipelines/${row.id}`,
  };
}

/** One entry of a job's `artifacts` list, as GitLab lists them (the archive, reports). */
export interface ListedArtifact {
  file_type: string;
  file_format: string | null;
  filename: string;
  size: number;
  expire_at: number | null;
}

/** The job's `environment:` keyword in the keyword's own (GitLab's) spelling. */
function presentEnvironment(spec: EnvironmentSpec): NonNullable<Job['environment']> {
  return {
    name: spec.name,
    action: spec.action,
    ...(spec.url === undefined ? {} : { url: spec.url }),
    ...(spec.deploymentTier === undefined ? {} : { deployment_tier: spec.deploymentTier }),
    ...(spec.onStop === undefined ? {} : { on_stop: spec.onStop }),
    ...(spec.autoStopInSeconds === undefined ? {} : { auto_stop_in: spec.autoStopInSeconds }),
  };
}

export function presentJob(row: JobRow, pipeline: PipelineRow, publicUrl: string, extra: { artifacts?: ListedArtifact[]; runner?: RunnerRow | null } = {}): Job {
  const spec = readSpec(row);
  const listed = extra.artifacts ?? [];
  const archive = listed.find((a) => a.file_type === 'archive' && a.file_format === 'zip');
  return {
    id: row.id,
    name: row.name,
    stage: row.stage,
    status: row.status,
    when: row.when,
    allow_failure: row.allow_failure === 1,
    attempt: row.attempt,
    retried: row.retried === 1,
    failure_reason: row.failure_reason,
    exit_code: row.exit_code,
    needs: JSON.parse(row.needs) as string[],
    needs_declared: spec.needsWasDeclared,
    tag_list: JSON.parse(row.tags) as string[],
    ref: pipeline.ref,
    tag: pipeline.tag === 1,
    timeout: row.timeout_seconds,
    environment: spec.environment ? presentEnvironment(spec.environment) : null,
    created_at: iso(row.created_at),
    queued_at: iso(row.queued_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    duration: seconds(row.started_at, row.finished_at),
    queued_duration: row.queued_at === null ? null : ((row.started_at ?? Date.now()) - row.queued_at) / 1000,
    user: row.user_id === null ? null : { id: row.user_id },
    commit: pipeline.sha === null ? null : { id: pipeline.sha, short_id: pipeline.sha.slice(0, 8), title: pipeline.commit_title },
    pipeline: { id: pipeline.id, iid: pipeline.iid, project_id: pipeline.project_id, ref: pipeline.ref, sha: pipeline.sha, status: pipeline.status, source: pipeline.source },
    runner: extra.runner ? { id: extra.runner.id, description: extra.runner.description, runner_type: extra.runner.runner_type } : null,
    artifacts: listed.map((a) => ({ file_type: a.file_type, file_format: a.file_format, filename: a.filename, size: a.size })),
    artifacts_file: archive ? { filename: archive.filename, size: archive.size } : null,
    artifacts_expire_at: iso(listed.find((a) => a.file_type === 'archive')?.expire_at ?? null),
    trace_size: row.trace_size,
    web_url: `${publicUrl}/projects/${row.project_id}/jobs/${row.id}`,
  };
}
