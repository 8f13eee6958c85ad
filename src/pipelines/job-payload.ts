import type { Selectable } from 'kysely';
import { MASKED_TOKEN_PREFIXES } from '../auth/secrets.ts';
import type { ProjectRow } from '../projects/projects-service.ts';
import { REPORT_FILE_NAMES, REPORT_FORMAT } from '../runner-protocol/artifacts.ts';
import { GIT_STRATEGY_NONE, type Artifact, type Dependency, type JobResponse, type JobVariable, type Step } from '../runner-protocol/job-response.ts';
import type { CiSettingsRow } from './ci-settings-service.ts';
import { FAILURE_REASONS } from './failure-reasons.ts';
import { readSpec, type JobSpecJson } from './job-spec.ts';
import type { PipelineRow } from './pipeline-creator.ts';
import { jobVariables, pipelineIdVariables, pipelineVariables, type PipelineFacts } from './predefined-variables.ts';
import type { CiJobsTable } from './tables.ts';
import type { CiVariableRow } from './variables-service.ts';

export type JobRow = Selectable<CiJobsTable>;

/** GitLab's default `GIT_DEPTH` for new projects: the runner fetches this many commits. */
const GIT_DEPTH = 20;
const ZERO_SHA = '0000000000000000000000000000000000000000';

/** The URL the runner fetches the project's code from: this server, with the job's token as password. */
export function repositoryUrlFor(publicUrl: string, projectPath: string, jobToken: string): string {
  const url = new URL(publicUrl);
  url.username = 'gitlab-ci-token';
  url.password = jobToken;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${projectPath}.git`;
  return url.href;
}

/** GitLab's refspecs: the pipeline's commit under its own ref, and the branch or tag it ran for. */
function refspecsOf(pipeline: PipelineRow): string[] {
  const specs = pipeline.sha ? [`+${pipeline.sha}:refs/pipelines/${pipeline.id}`] : [];
  specs.push(pipeline.tag === 1 ? `+refs/tags/${pipeline.ref}:refs/tags/${pipeline.ref}` : `+refs/heads/${pipeline.ref}:refs/remotes/origin/${pipeline.ref}`);
  return specs;
}

function expireInOf(spec: JobSpecJson): string {
  if (spec.artifacts?.neverExpire) return 'never';
  return spec.artifacts?.expireInSeconds === undefined ? '' : `${spec.artifacts.expireInSeconds} seconds`;
}

/** GitLab's artifact list: the `paths` zip, then one gzip per report kind (uploaded whatever the outcome). */
function artifactsOf(spec: JobSpecJson): Artifact[] {
  const declared = spec.artifacts;
  if (!declared) return [];
  const expireIn = expireInOf(spec);
  const list: Artifact[] = [];
  if (declared.paths.length > 0 || declared.untracked) {
    list.push({
      name: declared.name ?? 'artifacts',
      untracked: declared.untracked ?? false,
      paths: declared.paths,
      exclude: declared.exclude ?? [],
      when: declared.when ?? 'on_success',
      expire_in: expireIn,
      artifact_type: 'archive',
      artifact_format: 'zip',
    });
  }
  for (const [kind, paths] of Object.entries(declared.reports ?? {}) as ['dotenv' | 'junit', string[]][]) {
    list.push({ name: REPORT_FILE_NAMES[kind].replace(/\.gz$/, ''), untracked: false, paths, exclude: [], when: 'always', expire_in: expireIn, artifact_type: kind, artifact_format: REPORT_FORMAT });
  }
  return list;
}

function stepsOf(spec: JobSpecJson, timeout: number): Step[] {
  const steps: Step[] = [{ name: 'script', script: [...spec.beforeScript, ...spec.script], timeout, when: 'on_success', allow_failure: false }];
  if (spec.afterScript.length > 0) steps.push({ name: 'after_script', script: spec.afterScript, timeout, when: 'always', allow_failure: false });
  return steps;
}

/** Variables in one layer of GitLab's precedence, with the flags GitLab gives that layer. */
type Layer = { values: Record<string, string>; public: boolean; raw: boolean; masked?: ReadonlySet<string> };

/**
 * The job as GitLab serves it to a runner. Variables by GitLab's precedence, lowest first:
 * predefined, the file's (global < job < matrix < rule), dotenv reports of the jobs it depends
 * on, the project's CI variables (protected ones only on protected refs), the trigger's; the
 * job's own identity (CI_JOB_*, its token) last, since nothing may impersonate it. Predefined
 * values are exact (`raw`); written ones may refer to others (`$OTHER`), which runners expand.
 */
export function buildJobResponse(input: {
  job: JobRow;
  token: string;
  runner: { id: number; tags: string[]; runnerType: 'instance_type' | 'project_type' };
  pipeline: PipelineRow;
  project: ProjectRow;
  settings: CiSettingsRow;
  protectedRef: boolean;
  projectVariables: CiVariableRow[];
  publicUrl: string;
  startedAt: number;
  dependencies: Dependency[];
  dotenvVariables: Record<string, string>;
}): JobResponse {
  const { job, pipeline, project, settings } = input;
  const spec = readSpec(job);
  const facts: PipelineFacts = {
    publicUrl: input.publicUrl,
    project: { id: project.id, path: project.path, name: project.name },
    pipeline: {
      id: pipeline.id,
      iid: pipeline.iid,
      source: pipeline.source,
      ref: pipeline.ref,
      tag: pipeline.tag === 1,
      sha: pipeline.sha,
      beforeSha: pipeline.before_sha,
      commitTitle: pipeline.commit_title,
    },
    defaultBranch: settings.default_branch,
    protectedRef: input.protectedRef,
  };
  const repoUrl = repositoryUrlFor(input.publicUrl, project.path, input.token);
  const hasRepository = settings.repository_url !== null && pipeline.sha !== null && pipeline.config_source === 'repository';
  const projectValues: Record<string, string> = {};
  const maskedProject = new Set<string>();
  for (const v of input.projectVariables) {
    if (v.protected === 1 && !input.protectedRef) continue;
    projectValues[v.key] = v.value;
    if (v.masked === 1) maskedProject.add(v.key);
  }
  const identity = jobVariables(facts, { id: job.id, name: job.name, stage: job.stage, token: input.token, runnerId: input.runner.id, runnerTags: input.runner.tags, startedAt: input.startedAt });
  const layers: Layer[] = [
    { values: { ...pipelineVariables(facts), ...pipelineIdVariables(facts), ...(hasRepository ? {} : { [GIT_STRATEGY_NONE.key]: GIT_STRATEGY_NONE.value }) }, public: true, raw: true },
    { values: spec.variables, public: true, raw: false },
    { values: input.dotenvVariables, public: false, raw: true },
    { values: projectValues, public: false, raw: false, masked: maskedProject },
    { values: JSON.parse(pipeline.variables) as Record<string, string>, public: false, raw: false },
    { values: { ...identity, CI_REPOSITORY_URL: repoUrl }, public: false, raw: true, masked: new Set(['CI_JOB_TOKEN', 'MLFLOW_TRACKING_TOKEN']) },
  ];
  const merged = new Map<string, JobVariable>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      const masked = layer.masked?.has(key) === true;
      merged.delete(key); // a later layer's value also takes the later position
      merged.set(key, { key, value, public: layer.public && !masked, file: false, masked, raw: layer.raw });
    }
  }
  return {
    id: job.id,
    token: input.token,
    allow_git_fetch: true,
    job_info: {
      id: job.id,
      name: job.name,
      stage: job.stage,
      project_id: project.id,
      project_name: project.name,
      project_full_path: project.path,
      pipeline_id: pipeline.id,
      time_in_queue_seconds: job.queued_at === null ? 0 : Math.max(0, (input.startedAt - job.queued_at) / 1000),
      project_jobs_running_on_instance_runners_count: '+Inf',
    },
    git_info: {
      repo_url: repoUrl,
      repo_object_format: 'sha1',
      ref: pipeline.ref,
      sha: pipeline.sha ?? '',
      before_sha: pipeline.before_sha ?? ZERO_SHA,
      ref_type: pipeline.tag === 1 ? 'tag' : 'branch',
      refspecs: refspecsOf(pipeline),
      depth: GIT_DEPTH,
      protected: input.protectedRef,
    },
    runner_info: { timeout: job.timeout_seconds },
    variables: [...merged.values()],
    steps: stepsOf(spec, job.timeout_seconds),
    image: spec.image ? { name: spec.image, entrypoint: [], ports: [] } : null,
    services: [],
    artifacts: artifactsOf(spec),
    cache: [],
    credentials: [],
    dependencies: input.dependencies,
    features: { trace_sections: true, token_mask_prefixes: [...MASKED_TOKEN_PREFIXES], failure_reasons: [...FAILURE_REASONS] },
  };
}
