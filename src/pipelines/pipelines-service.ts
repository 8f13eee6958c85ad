import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { notFound } from '../shared/errors.ts';
import type { JobRow } from './job-payload.ts';
import type { PipelineRow } from './pipeline-creator.ts';
import type { JobStatus, PipelineSource } from './tables.ts';

export interface PipelineFilter {
  status?: JobStatus;
  ref?: string;
  sha?: string;
  source?: PipelineSource;
  modelVersionId?: number;
}

/** Reading pipelines and jobs of a project; every read goes through the project's access. */
export class PipelinesService {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(access: ProjectAccess, filter: PipelineFilter, window: { offset: number; limit: number }): Promise<{ total: number; items: PipelineRow[] }> {
    let query = this.db.selectFrom('ci_pipelines').where('project_id', '=', access.project.id);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.ref) query = query.where('ref', '=', filter.ref);
    if (filter.sha) query = query.where('sha', '=', filter.sha);
    if (filter.source) query = query.where('source', '=', filter.source);
    if (filter.modelVersionId !== undefined) query = query.where('model_version_id', '=', filter.modelVersionId);
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const items = await query.selectAll().orderBy('id', 'desc').offset(window.offset).limit(window.limit).execute();
    return { total, items };
  }

  async get(access: ProjectAccess, pipelineId: number): Promise<PipelineRow> {
    const row = await this.db.selectFrom('ci_pipelines').selectAll().where('id', '=', pipelineId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw notFound('404 Pipeline');
    return row;
  }

  /** A pipeline's jobs, latest attempts only unless asked. */
  async jobs(access: ProjectAccess, pipelineId: number, options: { includeRetried?: boolean; scope?: JobStatus[] } = {}): Promise<JobRow[]> {
    await this.get(access, pipelineId);
    let query = this.db.selectFrom('ci_jobs').selectAll().where('pipeline_id', '=', pipelineId);
    if (!options.includeRetried) query = query.where('retried', '=', 0);
    if (options.scope && options.scope.length > 0) query = query.where('status', 'in', options.scope);
    return query.orderBy('stage_index').orderBy('id').execute();
  }

  async projectJobs(access: ProjectAccess, scope: JobStatus[], window: { offset: number; limit: number }): Promise<{ total: number; items: JobRow[] }> {
    let query = this.db.selectFrom('ci_jobs').where('project_id', '=', access.project.id);
    if (scope.length > 0) query = query.where('status', 'in', scope);
    const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const items = await query.selectAll().orderBy('id', 'desc').offset(window.offset).limit(window.limit).execute();
    return { total, items };
  }

  /**
   * GitLab's `jobs/artifacts/:ref/download?job=`: the named job of the newest successful
   * pipeline for the ref (its latest attempt).
   */
  async latestSuccessfulJob(access: ProjectAccess, ref: string, jobName: string): Promise<JobRow> {
    const job = await this.db
      .selectFrom('ci_jobs')
      .innerJoin('ci_pipelines', 'ci_pipelines.id', 'ci_jobs.pipeline_id')
      .selectAll('ci_jobs')
      .where('ci_pipelines.project_id', '=', access.project.id)
      .where('ci_pipelines.ref', '=', ref)
      .where('ci_pipelines.status', '=', 'success')
      .where('ci_jobs.name', '=', jobName)
      .where('ci_jobs.retried', '=', 0)
      .orderBy('ci_pipelines.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!job) throw notFound('404 Job');
    return job;
  }

  async job(access: ProjectAccess, jobId: number): Promise<{ job: JobRow; pipeline: PipelineRow }> {
    const job = await this.db.selectFrom('ci_jobs').selectAll().where('id', '=', jobId).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!job) throw notFound('404 Job');
    const pipeline = await this.db.selectFrom('ci_pipelines').selectAll().where('id', '=', job.pipeline_id).executeTakeFirstOrThrow();
    return { job, pipeline };
  }

  async pipelineOfJob(job: JobRow): Promise<PipelineRow> {
    return this.db.selectFrom('ci_pipelines').selectAll().where('id', '=', job.pipeline_id).executeTakeFirstOrThrow();
  }

  /** Pipelines started by events of a model version, newest first (shown on the version). */
  async ofModelVersion(projectId: number, versionId: number): Promise<PipelineRow[]> {
    return this.db.selectFrom('ci_pipelines').selectAll().where('project_id', '=', projectId).where('model_version_id', '=', versionId).orderBy('id', 'desc').limit(20).execute();
  }
}
