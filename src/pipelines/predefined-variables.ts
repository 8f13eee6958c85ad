/**
 * GitLab's predefined CI variables where they exist, plus the ML ones that make a job's
 * MLflow client and model code work with nothing else set.
 */
export interface PipelineFacts {
  publicUrl: string;
  project: { id: number; path: string; name: string };
  pipeline: { id: number; iid: number; source: string; ref: string; tag: boolean; sha: string | null; beforeSha: string | null; commitTitle: string | null };
  defaultBranch: string;
  protectedRef: boolean;
}

export interface JobFacts {
  id: number;
  name: string;
  stage: string;
  token: string;
  runnerId: number;
  runnerTags: string[];
  startedAt: number;
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/** Known before the pipeline exists: what `workflow:rules` and job `rules` may test. */
export function pipelineVariables(facts: Omit<PipelineFacts, 'pipeline'> & { pipeline: Omit<PipelineFacts['pipeline'], 'id' | 'iid'> }): Record<string, string> {
  const { pipeline, project } = facts;
  const sha = pipeline.sha ?? '';
  const vars: Record<string, string> = {
    CI: 'true',
    CI_SERVER: 'yes',
    CI_SERVER_URL: facts.publicUrl,
    CI_API_V4_URL: `${facts.publicUrl}/api/v4`,
    CI_PROJECT_ID: String(project.id),
    CI_PROJECT_PATH: project.path,
    CI_PROJECT_NAME: project.path.split('/').pop() ?? project.path,
    CI_PROJECT_TITLE: project.name,
    CI_PROJECT_URL: `${facts.publicUrl}/projects/${project.id}`,
    CI_PIPELINE_SOURCE: pipeline.source,
    CI_DEFAULT_BRANCH: facts.defaultBranch,
    CI_COMMIT_REF_NAME: pipeline.ref,
    CI_COMMIT_REF_SLUG: slug(pipeline.ref),
    CI_COMMIT_REF_PROTECTED: String(facts.protectedRef),
    CI_COMMIT_SHA: sha,
    CI_COMMIT_SHORT_SHA: sha.slice(0, 8),
    CI_COMMIT_BEFORE_SHA: pipeline.beforeSha ?? ZERO_SHA,
    MLFLOW_TRACKING_URI: `${facts.publicUrl}/api/v4/projects/${project.id}/ml/mlflow`,
  };
  if (pipeline.tag) vars.CI_COMMIT_TAG = pipeline.ref;
  else vars.CI_COMMIT_BRANCH = pipeline.ref;
  if (pipeline.commitTitle) vars.CI_COMMIT_TITLE = pipeline.commitTitle;
  return vars;
}

/** Added once the pipeline has its id. */
export function pipelineIdVariables(facts: PipelineFacts): Record<string, string> {
  return {
    CI_PIPELINE_ID: String(facts.pipeline.id),
    CI_PIPELINE_IID: String(facts.pipeline.iid),
    CI_PIPELINE_URL: `${facts.publicUrl}/projects/${facts.project.id}/pipelines/${facts.pipeline.id}`,
  };
}

/** Known when a runner takes the job; the token is valid only while the job runs. */
export function jobVariables(facts: PipelineFacts, job: JobFacts): Record<string, string> {
  return {
    CI_JOB_ID: String(job.id),
    CI_JOB_NAME: job.name,
    CI_JOB_NAME_SLUG: slug(job.name),
    CI_JOB_STAGE: job.stage,
    CI_JOB_TOKEN: job.token,
    CI_JOB_URL: `${facts.publicUrl}/projects/${facts.project.id}/jobs/${job.id}`,
    CI_JOB_STARTED_AT: new Date(job.startedAt).toISOString(),
    CI_RUNNER_ID: String(job.runnerId),
    CI_RUNNER_TAGS: JSON.stringify(job.runnerTags),
    MLFLOW_TRACKING_TOKEN: job.token,
  };
}

/** GitLab's `$CI_COMMIT_REF_SLUG`: lowercased, non-alphanumerics to '-', at most 63 characters. */
export function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}
