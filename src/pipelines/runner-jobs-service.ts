import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import type { UpdateJobRequest } from '../runner-protocol/requests.ts';
import type { DownloadableFile } from '../http/download.ts';
import type { JobArtifactRow, JobArtifactsService } from './job-artifacts-service.ts';
import type { JobHandouts } from './job-handouts.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import type { JobRow } from './job-payload.ts';
import { jobOfToken } from './job-tokens.ts';
import type { AppendOutcome, TracesService } from './traces-service.ts';
import { PipelineErrors } from './errors.ts';

export type UpdateOutcome = { code: 200 | 202; status: JobRow['status'] };

/**
 * The runner's side of a job it took: its reports (status, log, artifacts) and the artifacts of
 * earlier jobs it fetches. Every call names the job and carries the job's token; a job that is
 * no longer running refuses them with its status (GitLab's 403 + `Job-Status`), which is how a
 * runner learns that its job was canceled. The first accepted call confirms the handout.
 */
export class RunnerJobsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly deps: { lifecycle: JobLifecycle; handouts: JobHandouts; traces: TracesService; artifacts: JobArtifactsService },
  ) {}

  /** The job the token belongs to, running and confirmed for this runner; 403 otherwise. */
  async runningJob(jobId: number, token: string | undefined): Promise<JobRow> {
    const job = await jobOfToken(this.db, jobId, token);
    if (job.status !== 'running') throw PipelineErrors.JOB_NOT_RUNNING({ status: job.status }, { jobStatus: job.status });
    if (!(await this.deps.handouts.confirm(job))) throw PipelineErrors.INVALID_JOB_TOKEN();
    return job;
  }

  async statusOf(jobId: number): Promise<JobRow['status']> {
    const row = await this.db.selectFrom('ci_jobs').select('status').where('id', '=', jobId).executeTakeFirstOrThrow();
    return row.status;
  }

  /**
   * `PUT /jobs/:id`: alive (state running) or done. A final state arriving before the whole
   * log did (the runner says how long it is) is answered 202: the runner sends the rest of the
   * log and asks again, so no log tail is lost.
   */
  async update(jobId: number, request: UpdateJobRequest): Promise<UpdateOutcome> {
    const job = await this.runningJob(jobId, request.token);
    const state = request.state === 'success' || request.state === 'failed' ? request.state : 'running';
    if (state === 'running') {
      await this.deps.lifecycle.heartbeat(job);
      return { code: 200, status: 'running' };
    }
    if (request.output?.bytesize !== undefined && request.output.bytesize > job.trace_size) {
      await this.deps.lifecycle.heartbeat(job);
      return { code: 202, status: 'running' };
    }
    await this.deps.lifecycle.finish(job, { state, reason: request.failure_reason, exitCode: request.exit_code });
    return { code: 200, status: await this.statusOf(job.id) };
  }

  async appendTrace(jobId: number, token: string | undefined, start: number, content: Buffer): Promise<AppendOutcome> {
    const job = await jobOfToken(this.db, jobId, token);
    if (job.status === 'running' && !(await this.deps.handouts.confirm(job))) throw PipelineErrors.INVALID_JOB_TOKEN();
    return this.deps.traces.append(job, start, content);
  }

  /** Stores an archive of a job `runningJob` returned (checked before the upload's body was read). */
  async uploadArtifact(job: JobRow, options: { type?: string; format?: string; expireIn?: string; filename?: string }, file: Readable): Promise<JobArtifactRow> {
    return this.deps.artifacts.upload(job, options, file);
  }

  /**
   * `GET /jobs/:id/artifacts`: the zip of job `:id`, for a running job of the same pipeline that
   * fetches it (GitLab gives dependencies the running job's token), or for job `:id` itself.
   */
  async dependencyArchive(jobId: number, token: string | undefined): Promise<DownloadableFile> {
    const holder = token ? await this.db.selectFrom('ci_jobs').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst() : undefined;
    if (!holder) throw PipelineErrors.INVALID_JOB_TOKEN();
    if (holder.id !== jobId) {
      if (holder.status !== 'running') throw PipelineErrors.JOB_NOT_RUNNING({ status: holder.status }, { jobStatus: holder.status });
      const source = await this.db.selectFrom('ci_jobs').select('id').where('id', '=', jobId).where('pipeline_id', '=', holder.pipeline_id).executeTakeFirst();
      if (!source) throw PipelineErrors.INVALID_JOB_TOKEN();
      if (!(await this.deps.handouts.confirm(holder))) throw PipelineErrors.INVALID_JOB_TOKEN();
    }
    return this.deps.artifacts.archive(jobId);
  }
}
