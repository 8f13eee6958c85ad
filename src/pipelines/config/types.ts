/**
 * The shapes of a pipeline configuration: what the compiler reads out of `.gitlab-ci.yml`-style
 * YAML (CompiledConfig, JobSpec) and what the planner decides a pipeline holds (PlannedJob).
 * Other rooms code against these names; add optional fields rather than change existing ones.
 */

/** 1-based line and column of the offending node; line 1 column 1 when there is no position. */
export interface ConfigError {
  line: number;
  column: number;
  message: string;
}

export type When = 'on_success' | 'on_failure' | 'always' | 'manual' | 'never';

export interface RuleSpec {
  if?: string;
  when?: When;
  allowFailure?: boolean;
  variables?: Record<string, string>;
}

export interface ArtifactsSpec {
  paths: string[];
  /** `artifacts:name`: the archive's name (`artifacts` when unset). */
  name?: string;
  /** `artifacts:untracked`: also every file git does not track. */
  untracked?: boolean;
  exclude?: string[];
  /** `artifacts:reports`: the report files the server reads (the kinds Modelyard shows). */
  reports?: { dotenv?: string[]; junit?: string[] };
  /** Undefined: the instance's default expiry applies (unless neverExpire). */
  expireInSeconds?: number;
  /** `expire_in: never`. */
  neverExpire?: boolean;
  when?: 'on_success' | 'on_failure' | 'always';
}

export interface EnvironmentSpec {
  name: string;
  action: 'start' | 'prepare' | 'stop' | 'verify' | 'access';
  url?: string;
  /** `deployment_tier`: production, staging, testing, development or other (else guessed from the name). */
  deploymentTier?: 'production' | 'staging' | 'testing' | 'development' | 'other';
  /** `on_stop`: the job (of the same pipeline) that stops the environment. */
  onStop?: string;
  /** `auto_stop_in`: the environment stops this long after the deployment; `never` clears it. */
  autoStopInSeconds?: number | 'never';
}

/** One job as written (before rules and matrix), with `default:` applied. */
export interface JobSpec {
  name: string;
  stage: string;
  script: string[];
  beforeScript: string[];
  afterScript: string[];
  image?: string;
  tags: string[];
  rules?: RuleSpec[];
  /** Undefined: wait for the earlier stages; []: no dependencies. */
  needs?: string[];
  /** The subset of `needs` declared `optional: true`: dropped, not an error, when absent. */
  optionalNeeds?: string[];
  when: When;
  allowFailure: boolean;
  retry: { max: number; when: string[] };
  timeoutSeconds?: number;
  matrix?: Record<string, string[]>[];
  /** `parallel: N`: N instances named `job 1/N`. */
  parallel?: number;
  artifacts?: ArtifactsSpec;
  /** `dependencies:`: the earlier jobs whose artifacts this one fetches; undefined: all it waits for. */
  dependencies?: string[];
  environment?: EnvironmentSpec;
  /** `resource_group`: one job of the group runs at a time in the project. */
  resourceGroup?: string;
  variables: Record<string, string>;
  line: number;
}

export interface CompiledConfig {
  /** Always starts with `.pre` and ends with `.post`. */
  stages: string[];
  variables: Record<string, string>;
  workflowRules?: RuleSpec[];
  /** In file order (included templates' jobs first). */
  jobs: JobSpec[];
}

/** One job that will exist in a pipeline. */
export interface PlannedJob {
  /** Matrix instances are named like GitLab: `train: [0.1, adam]`; `parallel: N` ones `train 1/3`. */
  name: string;
  baseName: string;
  stage: string;
  stageIndex: number;
  script: string[];
  beforeScript: string[];
  afterScript: string[];
  image?: string;
  tags: string[];
  when: Exclude<When, 'never'>;
  allowFailure: boolean;
  retry: { max: number; when: string[] };
  timeoutSeconds?: number;
  artifacts?: ArtifactsSpec;
  /** Planned-job names whose artifacts the job fetches; undefined: those of every job it needs. */
  dependencies?: string[];
  environment?: EnvironmentSpec;
  resourceGroup?: string;
  /** Global < workflow rule's < job < matrix < matching rule's. Pipeline variables are not copied in. */
  variables: Record<string, string>;
  /**
   * Planned-job names this job waits for. With `needs`: the named jobs (a need on a matrix job
   * means all its instances); without: every planned job of all earlier stages.
   */
  needs: string[];
  needsWasDeclared: boolean;
}

export type CompileResult = { ok: true; config: CompiledConfig } | { ok: false; errors: ConfigError[] };

export type PlanResult = { created: true; jobs: PlannedJob[] } | { created: false; reason: string } | { created: false; errors: ConfigError[] };
