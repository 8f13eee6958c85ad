import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { EnvironmentSpec } from './config/types.ts';
import type { JobRow } from './job-payload.ts';
import { readSpec } from './job-spec.ts';

/**
 * What the deployments domain asks of CI about a job: which environment it deploys to (a job
 * token deploys only there), and how a deployment presents the job that made it (GitLab's
 * `deployable`).
 */
export interface DeployableJob {
  id: number;
  name: string;
  status: string;
  stage: string;
  projectId: number;
  pipeline: { id: number; iid: number; ref: string; sha: string | null; status: string };
  environment: EnvironmentSpec | null;
}

export async function deployableJobs(db: Kysely<Schema>, jobIds: readonly number[]): Promise<Map<number, DeployableJob>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('ci_jobs')
    .innerJoin('ci_pipelines', 'ci_pipelines.id', 'ci_jobs.pipeline_id')
    .select([
      'ci_jobs.id',
      'ci_jobs.name',
      'ci_jobs.status',
      'ci_jobs.stage',
      'ci_jobs.spec',
      'ci_jobs.project_id',
      'ci_pipelines.id as pipeline_id',
      'ci_pipelines.iid as pipeline_iid',
      'ci_pipelines.ref',
      'ci_pipelines.sha',
      'ci_pipelines.status as pipeline_status',
    ])
    .where('ci_jobs.id', 'in', [...new Set(jobIds)])
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        name: row.name,
        status: row.status,
        stage: row.stage,
        projectId: row.project_id,
        pipeline: { id: row.pipeline_id, iid: row.pipeline_iid, ref: row.ref, sha: row.sha, status: row.pipeline_status },
        environment: readSpec(row).environment ?? null,
      },
    ]),
  );
}

export async function deployableJob(db: Kysely<Schema>, jobId: number): Promise<DeployableJob | undefined> {
  return (await deployableJobs(db, [jobId])).get(jobId);
}

/** The latest attempt of a job of a pipeline, by name (an environment's `on_stop` job). */
export async function jobOfPipeline(db: Kysely<Schema>, pipelineId: number, name: string): Promise<JobRow | undefined> {
  return db.selectFrom('ci_jobs').selectAll().where('pipeline_id', '=', pipelineId).where('name', '=', name).where('retried', '=', 0).orderBy('id', 'desc').executeTakeFirst();
}
