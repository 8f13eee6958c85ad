import type { Selectable } from 'kysely';
import type { ProjectRow } from '../projects/projects-service.ts';
import type { CiSettingsRow } from './ci-settings-service.ts';
import { readSpec } from './job-spec.ts';
import type { PipelineRow } from './pipeline-creator.ts';
import { jobVariables, pipelineIdVariables, pipelineVariables, type PipelineFacts } from './predefined-variables.ts';
import type { CiJobsTable } from './tables.ts';
import type { CiVariableRow } from './variables-service.ts';

export type JobRow = Selectable<CiJobsTable>;

export interface JobVariable {
  key: string;
  value: string;
  masked: boolean;
}

/** What a runner receives with a job: everything it needs, nothing it must ask again for. */
export interface JobPayload {
  id: number;
  token: string;
  name: string;
  stage: string;
  allow_failure: boolean;
  timeout_seconds: number;
  project: { id: number; path: string };
  pipeline: { id: number; iid: number; ref: string; sha: string | null; source: string };
  git: { url: string; sha: string; ref: string } | null;
  image: string | null;
  steps: { before_script: string[]; script: string[]; after_script: string[] };
  variables: JobVariable[];
  artifacts: { paths: string[]; when: string; expire_in_seconds: number | null } | null;
  /** Artifacts of the jobs this one waits for, fetched into the working directory before the script, as GitLab does. */
  dependencies: { id: number; name: string; artifacts: { path: string; size: number }[] }[];
}

/**
 * Variables by GitLab's precedence, lowest first: predefined, the file's (global < job < matrix
 * < rule), the project's CI variables (protected ones only on protected refs), the trigger's;
 * the job's own identity (CI_JOB_*, its token) last, since nothing may impersonate it.
 */
export function buildJobPayload(input: {
  job: JobRow;
  token: string;
  runner: { id: number; tags: string[] };
  pipeline: PipelineRow;
  project: ProjectRow;
  settings: CiSettingsRow;
  protectedRef: boolean;
  projectVariables: CiVariableRow[];
  publicUrl: string;
  startedAt: number;
  dependencies: JobPayload['dependencies'];
}): JobPayload {
  const { job, pipeline, project, settings } = input;
  const spec = readSpec(job);
  const facts: PipelineFacts = {
    publicUrl: input.publicUrl,
    project: { id: project.id, path: project.path, name: project.name },
    pipeline: { id: pipeline.id, iid: pipeline.iid, source: pipeline.source, ref: pipeline.ref, tag: pipeline.tag === 1, sha: pipeline.sha, beforeSha: pipeline.before_sha, commitTitle: pipeline.commit_title },
    defaultBranch: settings.default_branch,
    protectedRef: input.protectedRef,
  };
  const masked = new Set<string>();
  const merged = new Map<string, string>();
  const put = (vars: Record<string, string>) => {
    for (const [key, value] of Object.entries(vars)) merged.set(key, value);
  };
  put(pipelineVariables(facts));
  put(pipelineIdVariables(facts));
  put(spec.variables);
  for (const v of input.projectVariables) {
    if (v.protected === 1 && !input.protectedRef) continue;
    merged.set(v.key, v.value);
    if (v.masked === 1) masked.add(v.key);
  }
  put(JSON.parse(pipeline.variables) as Record<string, string>);
  put(jobVariables(facts, { id: job.id, name: job.name, stage: job.stage, token: input.token, runnerId: input.runner.id, runnerTags: input.runner.tags, startedAt: input.startedAt }));
  masked.add('CI_JOB_TOKEN');
  masked.add('MLFLOW_TRACKING_TOKEN');
  return {
    id: job.id,
    token: input.token,
    name: job.name,
    stage: job.stage,
    allow_failure: job.allow_failure === 1,
    timeout_seconds: job.timeout_seconds,
    project: { id: project.id, path: project.path },
    pipeline: { id: pipeline.id, iid: pipeline.iid, ref: pipeline.ref, sha: pipeline.sha, source: pipeline.source },
    git: settings.repository_url && pipeline.sha && pipeline.config_source === 'repository' ? { url: settings.repository_url, sha: pipeline.sha, ref: pipeline.ref } : null,
    image: spec.image ?? null,
    steps: { before_script: spec.beforeScript, script: spec.script, after_script: spec.afterScript },
    variables: [...merged].map(([key, value]) => ({ key, value, masked: masked.has(key) })),
    dependencies: input.dependencies,
    artifacts: spec.artifacts && spec.artifacts.paths.length > 0 ? { paths: spec.artifacts.paths, when: spec.artifacts.when ?? 'on_success', expire_in_seconds: spec.artifacts.neverExpire ? null : (spec.artifacts.expireInSeconds ?? 30 * 24 * 3600) } : null,
  };
}

/** Values to hide in logs: masked variables and the job's token. */
export function maskedValues(payload: JobPayload): string[] {
  return payload.variables.filter((v) => v.masked && v.value.length >= 4).map((v) => v.value);
}
