import type { ArtifactsSpec, EnvironmentSpec, PlannedJob } from './config/types.ts';
import type { CiJobsTable } from './tables.ts';
import type { JobState } from './pipeline-status.ts';

/** What a job row keeps of its planned job for the runner (the `spec` column). */
export interface JobSpecJson {
  baseName: string;
  script: string[];
  beforeScript: string[];
  afterScript: string[];
  image?: string;
  variables: Record<string, string>;
  artifacts?: ArtifactsSpec;
  /** Planned-job names whose artifacts the job fetches; undefined: every job in `needs`. */
  dependencies?: string[];
  environment?: EnvironmentSpec;
  retry: { max: number; when: string[] };
  needsWasDeclared: boolean;
}

/** GitLab's default job timeout: one hour. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 3600;

export function specOf(job: PlannedJob): JobSpecJson {
  return {
    baseName: job.baseName,
    script: job.script,
    beforeScript: job.beforeScript,
    afterScript: job.afterScript,
    image: job.image,
    variables: job.variables,
    artifacts: job.artifacts,
    dependencies: job.dependencies,
    environment: job.environment,
    retry: job.retry,
    needsWasDeclared: job.needsWasDeclared,
  };
}

export function readSpec(row: { spec: string }): JobSpecJson {
  return JSON.parse(row.spec) as JobSpecJson;
}

type JobRowLike = Pick<CiJobsTable, 'name' | 'status' | 'when' | 'allow_failure' | 'needs' | 'spec'>;

export function stateOf(row: JobRowLike): JobState {
  return {
    name: row.name,
    status: row.status,
    when: row.when,
    allowFailure: row.allow_failure === 1,
    needs: JSON.parse(row.needs) as string[],
    needsWasDeclared: readSpec(row).needsWasDeclared,
  };
}
