import type { Kysely } from 'kysely';
import type { JobTokenResolver } from '../auth/authenticate.ts';
import { isJobToken, sha256Hex } from '../auth/secrets.ts';
import { CALLER_USER_COLUMNS, splitCallerUser } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';
import type { JobRow } from './job-payload.ts';
import { PipelineErrors } from './errors.ts';

/**
 * CI job tokens as callers: valid only while their job runs, limited to the job's project, with
 * the rights of the job's user, as GitLab's: the person who played a manual job or retried one,
 * else the person the pipeline runs for. Whatever the job does is theirs — a deployment it makes
 * counts as triggered by them, so they cannot approve it themselves. The abilities that list
 * `job_token` (ML, packages, reading the project and its pipelines, deploying) are all they
 * reach. Runs logged with one record the job.
 */
export function jobTokenResolver(db: Kysely<Schema>): JobTokenResolver {
  return async (secret, ip) => {
    if (!isJobToken(secret)) return null;
    // The job acts as the person who started it (the job's own user, else its pipeline's), read in the same statement.
    const row = await db
      .selectFrom('ci_jobs')
      .innerJoin('ci_pipelines', 'ci_pipelines.id', 'ci_jobs.pipeline_id')
      .leftJoin('users', (join) => join.on((eb) => eb('users.id', '=', eb.fn.coalesce('ci_jobs.user_id', 'ci_pipelines.user_id'))))
      .select(['ci_jobs.id', 'ci_jobs.project_id', 'ci_jobs.status', 'ci_jobs.pipeline_id', 'ci_jobs.user_id as job_user_id', 'ci_pipelines.user_id as pipeline_user_id'])
      .select(CALLER_USER_COLUMNS)
      .where('ci_jobs.token_hash', '=', sha256Hex(secret))
      .executeTakeFirst();
    if (!row || row.status !== 'running') return null;
    const { own: job, user } = splitCallerUser(row);
    // A job of a pipeline started by no one (a registry event's, with no user to run as) acts without a user; one whose user is blocked is refused.
    if (!user && (job.job_user_id ?? job.pipeline_user_id) !== null) return null;
    return { user, credential: 'job_token', scopes: ['api'], projectLimit: job.project_id, tokenId: null, jobId: job.id, pipelineId: job.pipeline_id, ip };
  };
}

/**
 * The runner's reports about a job carry the job's token (GitLab's `JOB-TOKEN`, or `token` in
 * the body); it is checked against the job itself, so a runner can still learn that its job was
 * canceled, which a caller's token could not tell it.
 */
export async function jobOfToken(db: Kysely<Schema>, jobId: number, token: string | undefined): Promise<JobRow> {
  const job = token ? await db.selectFrom('ci_jobs').selectAll().where('id', '=', jobId).where('token_hash', '=', sha256Hex(token)).executeTakeFirst() : undefined;
  if (!job) throw PipelineErrors.INVALID_JOB_TOKEN();
  return job;
}
