import type { Readable } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { DownloadableFile } from '../http/download.ts';
import { now } from '../shared/clock.ts';
import { invalid, notFound } from '../shared/errors.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { readSpec } from './job-spec.ts';
import type { JobRow } from './job-payload.ts';
import type { CiJobArtifactsTable } from './tables.ts';

export type JobArtifactRow = Selectable<CiJobArtifactsTable>;

export function jobArtifactKey(projectId: number, jobId: number, path: string): string {
  return `projects/${projectId}/ci/jobs/${jobId}/${path}`;
}

/**
 * Files a job declared under `artifacts:paths`, uploaded one by one by the runner as they are
 * (streamed, hashed, atomic like every stored file), kept until `expire_in`.
 */
export class JobArtifactsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly maxUploadBytes: number,
  ) {}

  async upload(job: JobRow, rawPath: string, body: Readable, contentLength?: number): Promise<JobArtifactRow> {
    if (job.status !== 'running') throw invalid(`Job is ${job.status}: artifacts are accepted only while it runs`, 'JOB_NOT_RUNNING');
    const path = safeRelativePath(rawPath);
    const spec = readSpec(job);
    const key = jobArtifactKey(job.project_id, job.id, path);
    const stored = await this.store.put(key, body, { maxBytes: this.maxUploadBytes, contentLength });
    const expiresIn = spec.artifacts?.neverExpire ? null : (spec.artifacts?.expireInSeconds ?? 30 * 24 * 3600);
    const row = { job_id: job.id, path, size: stored.size, sha256: stored.sha256, store_key: key, expire_at: expiresIn === null ? null : now() + expiresIn * 1000, created_at: now() };
    await this.db
      .insertInto('ci_job_artifacts')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'path']).doUpdateSet({ size: row.size, sha256: row.sha256, expire_at: row.expire_at, created_at: row.created_at }))
      .execute();
    return row;
  }

  list(jobIds: number[]): Promise<JobArtifactRow[]> {
    if (jobIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('ci_job_artifacts').selectAll().where('job_id', 'in', jobIds).orderBy('job_id').orderBy('path').execute();
  }

  async file(job: JobRow, rawPath: string): Promise<DownloadableFile> {
    const path = safeRelativePath(rawPath);
    const row = await this.db.selectFrom('ci_job_artifacts').selectAll().where('job_id', '=', job.id).where('path', '=', path).executeTakeFirst();
    if (!row || (row.expire_at !== null && row.expire_at < now())) throw notFound('404 Artifact');
    return { name: path.split('/').pop()!, size: row.size, sha256: row.sha256, open: (range) => this.store.get(row.store_key, range) };
  }

  /** Deletes artifacts past their expiry (run by the CI worker). */
  async deleteExpired(): Promise<number> {
    const expired = await this.db.selectFrom('ci_job_artifacts').selectAll().where('expire_at', '<', now()).limit(500).execute();
    for (const row of expired) {
      await this.store.delete(row.store_key).catch(() => undefined);
      await this.db.deleteFrom('ci_job_artifacts').where('job_id', '=', row.job_id).where('path', '=', row.path).execute();
    }
    return expired.length;
  }
}
