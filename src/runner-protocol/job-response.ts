import { Type, type Static } from 'typebox';

/**
 * What `POST /api/v4/jobs/request` answers with 201: GitLab's job response, field for field as
 * GitLab Runner decodes it (common/network.go, JobResponse). Types matter more than usual here:
 * the runner is written in Go, and one value of the wrong type (a number where it reads a
 * string) makes the whole job undecodable. Modelyard sends nothing GitLab does not.
 */

export const JobVariable = Type.Object({
  key: Type.String(),
  value: Type.String(),
  /** Shown in the job's environment listing; false for secrets. */
  public: Type.Boolean(),
  /** A file-type variable: the runner writes the value to a file and sets the path. */
  file: Type.Boolean(),
  /** The runner hides the value in the log. */
  masked: Type.Boolean(),
  /** The runner does not expand `$OTHER` references inside the value. */
  raw: Type.Boolean(),
});
export type JobVariable = Static<typeof JobVariable>;

export const JobInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  stage: Type.String(),
  project_id: Type.Integer(),
  project_name: Type.String(),
  project_full_path: Type.String(),
  pipeline_id: Type.Integer(),
  time_in_queue_seconds: Type.Number(),
  /** A string in GitLab (`+Inf` for project runners), so it is one here. */
  project_jobs_running_on_instance_runners_count: Type.String(),
});

export const GitInfo = Type.Object({
  /** `http://gitlab-ci-token:<job token>@host/<project>.git`: the server serves the repository itself. */
  repo_url: Type.String(),
  repo_object_format: Type.String(),
  ref: Type.String(),
  sha: Type.String(),
  before_sha: Type.String(),
  ref_type: Type.Union([Type.Literal('branch'), Type.Literal('tag')]),
  refspecs: Type.Array(Type.String()),
  depth: Type.Integer({ minimum: 0 }),
  protected: Type.Boolean(),
});
export type GitInfo = Static<typeof GitInfo>;

export const RunnerInfo = Type.Object({
  /** The job's time limit in seconds. */
  timeout: Type.Integer({ minimum: 1 }),
});

export const StepWhen = Type.Union([Type.Literal('on_success'), Type.Literal('on_failure'), Type.Literal('always')]);

/** `script` holds before_script and script; `after_script` runs whatever happened (when: always). */
export const Step = Type.Object({
  name: Type.Union([Type.Literal('script'), Type.Literal('after_script')]),
  script: Type.Array(Type.String()),
  timeout: Type.Integer({ minimum: 1 }),
  when: StepWhen,
  allow_failure: Type.Boolean(),
});
export type Step = Static<typeof Step>;

export const Image = Type.Object({
  name: Type.String(),
  entrypoint: Type.Array(Type.String()),
  ports: Type.Array(Type.Object({ number: Type.Integer(), protocol: Type.String(), name: Type.String() })),
});

export const ARTIFACT_TYPES = ['archive', 'junit', 'dotenv'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];
export const ARTIFACT_FORMATS = ['zip', 'gzip'] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

/** One archive the runner makes and uploads after the script: the `paths` one, or a report. */
export const Artifact = Type.Object({
  name: Type.String(),
  untracked: Type.Boolean(),
  paths: Type.Array(Type.String()),
  exclude: Type.Array(Type.String()),
  when: StepWhen,
  /** A GitLab duration (`30 days`, `never`); empty for the server's default. */
  expire_in: Type.String(),
  artifact_type: Type.Union([Type.Literal('archive'), Type.Literal('junit'), Type.Literal('dotenv')]),
  artifact_format: Type.Union([Type.Literal('zip'), Type.Literal('gzip')]),
});
export type Artifact = Static<typeof Artifact>;

/** A job whose artifacts this one fetches before its script; `token` is the running job's own. */
export const Dependency = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  token: Type.String(),
  artifacts_file: Type.Optional(Type.Object({ filename: Type.String(), size: Type.Integer({ minimum: 0 }) })),
});
export type Dependency = Static<typeof Dependency>;

export const Features = Type.Object({
  trace_sections: Type.Boolean(),
  /** Tokens starting with these are hidden in the log wherever they appear. */
  token_mask_prefixes: Type.Array(Type.String()),
  /** The failure reasons the server knows; the runner maps others to `unknown_failure`. */
  failure_reasons: Type.Array(Type.String()),
});

export const JobResponse = Type.Object({
  id: Type.Integer(),
  token: Type.String(),
  allow_git_fetch: Type.Boolean(),
  job_info: JobInfo,
  git_info: GitInfo,
  runner_info: RunnerInfo,
  variables: Type.Array(JobVariable),
  steps: Type.Array(Step),
  image: Type.Union([Image, Type.Null()]),
  services: Type.Array(Image),
  artifacts: Type.Array(Artifact),
  cache: Type.Array(Type.Object({})),
  credentials: Type.Array(Type.Object({ type: Type.String(), url: Type.String(), username: Type.String(), password: Type.String() })),
  dependencies: Type.Array(Dependency),
  features: Features,
});
export type JobResponse = Static<typeof JobResponse>;

/** The variable that tells a runner not to touch git at all (a job of a project with no repository). */
export const GIT_STRATEGY_NONE = { key: 'GIT_STRATEGY', value: 'none' } as const;
