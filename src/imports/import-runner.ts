import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import { toCallerUser, type UsersService } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { isAppError } from '../shared/errors.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { ImportErrors } from './errors.ts';
import type { ImportFetcher, SourceRecord } from './fetcher.ts';
import { FileCopy, StoppedMidFile } from './file-copy.ts';
import type { ImportedVersion } from './imported-version.ts';
import type { ImportFileRow, ImportJobRow, ImportJobsService } from './import-jobs-service.ts';
import { JobLost, type JobLease } from './job-lease.ts';
import { withRetries, type RetryPolicy } from './retries.ts';
import { IMPORT_CREDENTIAL } from './tables.ts';

export interface ImportRunnerDeps {
  db: Kysely<Schema>;
  store: BlobStore;
  secrets: SecretBox;
  fetchers: ReadonlyMap<string, ImportFetcher<unknown>>;
  users: UsersService;
  projects: ProjectsService;
  jobs: ImportJobsService;
  imported: ImportedVersion;
  maxBytes: number;
  retries: RetryPolicy;
  logger: Logger;
}

type Ending = { state: 'succeeded'; versionId: number } | { state: 'failed'; error: string };

/**
 * Runs one claimed job to its end: copies the files not stored yet (each tried again with
 * back-off when the source or the connection fails, resuming where the stored parts end), makes
 * the version, attaches the files. The job acts as the person who asked for it, as they may act
 * now: one who lost the right to write models in the project fails the job.
 */
export class ImportRunner {
  constructor(private readonly deps: ImportRunnerDeps) {}

  private async accessOf(job: ImportJobRow): Promise<ProjectAccess> {
    const user = job.creator_id === null ? undefined : await this.deps.users.findById(job.creator_id);
    if (!user) throw ImportErrors.IMPORT_CREATOR_GONE();
    const person = toCallerUser(user);
    const caller: Caller = { user: person, credential: 'personal_token', scopes: ['api'], projectLimit: person.isBot ? job.project_id : null, tokenId: null, jobId: null, ip: null };
    return (await this.deps.projects.authorize(caller, job.project_id, 'ml:write')).access;
  }

  private files(jobId: number): Promise<ImportFileRow[]> {
    return this.deps.db.selectFrom('import_job_files').selectAll().where('job_id', '=', jobId).orderBy('path').execute();
  }

  async run(job: ImportJobRow, lease: JobLease, stopping: () => boolean): Promise<void> {
    let access: ProjectAccess | null = null;
    try {
      access = await this.accessOf(job);
      const ending = await this.work(job, access, lease, stopping);
      await this.finish(job, access, lease, ending);
    } catch (error) {
      if (error instanceof JobLost) return this.afterLoss(job);
      if (error instanceof StoppedMidFile || stopping()) return lease.release();
      const message = isAppError(error) ? error.message : `the import stopped: ${(error as Error).message}`;
      if (!isAppError(error)) this.deps.logger.warn({ import_job_id: job.id, err: error }, 'import job failed');
      await this.finish(job, access, lease, { state: 'failed', error: message }).catch((finishError: unknown) => {
        if (!(finishError instanceof JobLost)) throw finishError;
      });
    }
  }

  private async work(job: ImportJobRow, access: ProjectAccess, lease: JobLease, stopping: () => boolean): Promise<Ending> {
    const fetcher = this.deps.fetchers.get(job.kind);
    if (!fetcher) throw ImportErrors.IMPORT_KIND_UNKNOWN({ kind: job.kind });
    let versionId = job.version_id;
    if (versionId === null) {
      const reused = await this.deps.jobs.reusableVersion(access, job.source_key, job.model_name);
      if (reused !== null) {
        await this.removeStored(job.id);
        return { state: 'succeeded', versionId: reused };
      }
      await this.copyFiles(job, fetcher, lease, stopping);
      // Canceled while the last file was copied: no version.
      await lease.renew();
      versionId = await this.deps.imported.create(access, job, fetcher, await this.files(job.id), (trx, id) => lease.recordVersion(trx, id));
    }
    await this.deps.imported.complete(access, job, fetcher, versionId, await this.files(job.id));
    return { state: 'succeeded', versionId };
  }

  private async copyFiles(job: ImportJobRow, fetcher: ImportFetcher<unknown>, lease: JobLease, stopping: () => boolean): Promise<void> {
    const source = JSON.parse(job.source) as SourceRecord;
    const credential = job.credential === null ? null : this.deps.secrets.open(job.credential, IMPORT_CREDENTIAL.context(job.id));
    const copy = new FileCopy(this.deps.db, this.deps.store, { projectId: job.project_id, maxBytes: this.deps.maxBytes }, lease, stopping);
    for (const { path } of await this.files(job.id)) {
      await withRetries(
        this.deps.retries,
        async () => {
          if (stopping()) throw new StoppedMidFile();
          // Read again at every try: a failed try may have stored parts the next one continues from.
          const file = await this.deps.db.selectFrom('import_job_files').selectAll().where('job_id', '=', job.id).where('path', '=', path).executeTakeFirstOrThrow();
          await copy.copy(file, (offset) => fetcher.open(source, credential, file, offset));
        },
        stopping,
      );
    }
  }

  private async finish(job: ImportJobRow, access: ProjectAccess | null, lease: JobLease, ending: Ending): Promise<void> {
    lease.stop();
    const versionId = ending.state === 'succeeded' ? ending.versionId : null;
    const error = ending.state === 'failed' ? ending.error : null;
    await lease.progress();
    await inTransaction(this.deps.db, async (trx) => {
      const at = now();
      const ended = await trx
        .updateTable('import_jobs')
        .set({ state: ending.state, error, version_id: versionId ?? job.version_id, credential: null, lease_owner: null, lease_until: null, finished_at: at, updated_at: at })
        .where('id', '=', job.id)
        .where('state', '=', 'running')
        .executeTakeFirst();
      if (Number(ended.numUpdatedRows) === 0) throw new JobLost(`import job ${job.id} is no longer running`);
      await recordChange(trx, access?.caller ?? null, {
        type: 'imports.job.finished',
        projectId: job.project_id,
        payload: { job_id: job.id, kind: job.kind, model_name: job.model_name, state: ending.state, version_id: versionId, error },
      });
    });
    if (ending.state === 'failed') await this.removeStored(job.id);
  }

  /** A canceled job (noticed by its worker) leaves nothing stored behind. */
  private async afterLoss(job: ImportJobRow): Promise<void> {
    const row = await this.deps.db.selectFrom('import_jobs').select(['state', 'version_id']).where('id', '=', job.id).executeTakeFirst();
    if (row?.state === 'canceled' && row.version_id === null) await this.removeStored(job.id);
  }

  /** Removes what the job stored that no version holds: stored files and multipart uploads in progress. */
  private async removeStored(jobId: number): Promise<void> {
    for (const file of await this.files(jobId)) {
      if (file.upload_key === null) continue;
      const held = await this.deps.db.selectFrom('package_files').select('id').where('store_key', '=', file.upload_key).executeTakeFirst();
      if (held) continue;
      if (file.upload_id !== null) await this.deps.store.abortMultipart(file.upload_key, file.upload_id).catch(() => undefined);
      else await this.deps.store.delete(file.upload_key).catch(() => undefined);
      await this.deps.db
        .updateTable('import_job_files')
        .set({ upload_key: null, upload_id: null, parts: '[]', bytes_done: 0, done: 0 })
        .where('job_id', '=', jobId)
        .where('path', '=', file.path)
        .execute();
    }
  }
}
