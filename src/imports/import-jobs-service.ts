import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { isAppError } from '../shared/errors.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { ImportErrors } from './errors.ts';
import type { ImportFetcher, ImportPlan } from './fetcher.ts';
import { IMPORT_CREDENTIAL, type ImportJobFilesTable, type ImportJobsTable, type ImportState } from './tables.ts';

export type ImportJobRow = Selectable<ImportJobsTable>;
export type ImportFileRow = Selectable<ImportJobFilesTable>;

/** Called when a job is queued, so that the worker picks it up now rather than at its next round. */
export type Wake = () => void;

const ENDED: readonly ImportState[] = ['succeeded', 'failed', 'canceled'];

/**
 * Import jobs as a caller sees them: created (the source resolved and listed first, so a
 * missing repository or revision is the caller's 4xx), read, listed, canceled. The work itself
 * is the worker's (import-worker.ts).
 */
export class ImportJobsService {
  private wake: Wake = () => undefined;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: SecretBox,
    private readonly versions: ModelVersionsService,
  ) {}

  onQueued(wake: Wake): void {
    this.wake = wake;
  }

  async create<R>(access: ProjectAccess, fetcher: ImportFetcher<R>, request: R & { model: string }, credential: string | null): Promise<ImportJobRow> {
    return (await this.createAll(access, fetcher, [request], credential))[0]!;
  }

  /**
   * One job per request (a Vertex model's versions, each into a version of its own), all planned
   * before any is recorded: a source that refuses one of them makes none.
   */
  async createAll<R>(access: ProjectAccess, fetcher: ImportFetcher<R>, requests: readonly (R & { model: string })[], credential: string | null): Promise<ImportJobRow[]> {
    const planned: { plan: ImportPlan; model: string }[] = [];
    for (const request of requests) {
      const plan = await fetcher.plan(request, credential);
      // A path the registry could not store fails here, before anything is fetched: the caller may exclude it.
      for (const file of plan.files) safeRelativePath(file.path, 'file');
      planned.push({ plan, model: request.model });
    }
    const jobs: ImportJobRow[] = [];
    for (const { plan, model } of planned) jobs.push(await this.record(access, fetcher.kind, plan, model, credential));
    if (jobs.some((job) => job.state === 'queued')) this.wake();
    return jobs;
  }

  private async record(access: ProjectAccess, kind: string, plan: ImportPlan, modelName: string, credential: string | null): Promise<ImportJobRow> {
    const reused = await this.reusableVersion(access, plan.sourceKey, modelName);
    return inTransaction(this.db, async (trx) => {
      const at = now();
      const inserted = await trx
        .insertInto('import_jobs')
        .values({
          project_id: access.project.id,
          kind,
          source: JSON.stringify(plan.source),
          source_key: plan.sourceKey,
          model_name: modelName,
          state: reused === null ? 'queued' : 'succeeded',
          credential: null,
          files_total: plan.files.length,
          bytes_total: plan.files.reduce((sum, file) => sum + file.size, 0),
          version_id: reused,
          creator_id: access.caller.user?.id ?? null,
          finished_at: reused === null ? null : at,
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (reused === null) await this.recordFiles(trx, inserted.id, plan);
      const sealed = reused === null && credential !== null ? this.secrets.seal(credential, IMPORT_CREDENTIAL.context(inserted.id)) : null;
      const row = sealed === null ? inserted : await trx.updateTable('import_jobs').set({ credential: sealed }).where('id', '=', inserted.id).returningAll().executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        { type: 'imports.job.created', projectId: access.project.id, payload: { job_id: row.id, kind: row.kind, model_name: row.model_name, source_key: row.source_key } },
        { action: 'imports.job.created', targetType: 'import_job', targetId: row.id, details: { kind: row.kind, source: plan.sourceKey, model: modelName, reused_version_id: reused } },
      );
      return row;
    });
  }

  private async recordFiles(trx: Kysely<Schema>, jobId: number, plan: ImportPlan): Promise<void> {
    // In slices: SQLite takes at most 32766 bound values in one statement.
    for (let start = 0; start < plan.files.length; start += 500) {
      const slice = plan.files.slice(start, start + 500).map((file) => ({ job_id: jobId, path: file.path, size: file.size, sha256: file.sha256 }));
      await trx.insertInto('import_job_files').values(slice).execute();
    }
  }

  /** The version an earlier import of the same pinned source into the same model made, if it still exists. */
  async reusableVersion(access: ProjectAccess, sourceKey: string, modelName: string): Promise<number | null> {
    const earlier = await this.db
      .selectFrom('import_jobs')
      .select('version_id')
      .where('project_id', '=', access.project.id)
      .where('source_key', '=', sourceKey)
      .where('model_name', '=', modelName)
      .where('state', '=', 'succeeded')
      .where('version_id', 'is not', null)
      .orderBy('id', 'desc')
      .execute();
    for (const { version_id: versionId } of earlier) {
      const found = await this.versions.getById(access, versionId!).then(
        (version) => version.model.name === modelName,
        (error: unknown) => {
          if (isAppError(error) && error.kind === 'not_found') return false;
          throw error;
        },
      );
      if (found) return versionId;
    }
    return null;
  }

  async get(access: ProjectAccess, id: number, db: Kysely<Schema> = this.db): Promise<ImportJobRow> {
    const row = await db.selectFrom('import_jobs').selectAll().where('id', '=', id).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw ImportErrors.IMPORT_JOB_NOT_FOUND({ id });
    return row;
  }

  async list(access: ProjectAccess, options: { offset: number; limit: number; state?: ImportState }): Promise<{ total: number; items: ImportJobRow[] }> {
    let query = this.db.selectFrom('import_jobs').where('project_id', '=', access.project.id);
    if (options.state) query = query.where('state', '=', options.state);
    const { total } = await query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
    const items = await query.selectAll().orderBy('id', 'desc').offset(options.offset).limit(options.limit).execute();
    return { total: Number(total), items };
  }

  /** Stops a queued or running job; the worker holding it notices at its next step and removes what it stored. */
  async cancel(access: ProjectAccess, id: number): Promise<ImportJobRow> {
    return inTransaction(this.db, async (trx) => {
      const job = await this.get(access, id, trx);
      if (ENDED.includes(job.state)) throw ImportErrors.IMPORT_ALREADY_FINISHED({ id, state: job.state });
      if (job.version_id !== null) throw ImportErrors.IMPORT_FINISHING({ id });
      const at = now();
      // Only while no version is made: the job's worker records its version in the version's own
      // transaction, so exactly one of the two wins, and a job with a version goes on to finish.
      const row = await trx
        .updateTable('import_jobs')
        .set({ state: 'canceled', credential: null, finished_at: at, updated_at: at })
        .where('id', '=', id)
        .where('state', 'in', ['queued', 'running'])
        .where('version_id', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const current = await this.get(access, id, trx);
        throw ENDED.includes(current.state) ? ImportErrors.IMPORT_ALREADY_FINISHED({ id, state: current.state }) : ImportErrors.IMPORT_FINISHING({ id });
      }
      await recordChange(
        trx,
        access.caller,
        { type: 'imports.job.finished', projectId: access.project.id, payload: { job_id: id, kind: row.kind, model_name: row.model_name, state: 'canceled', version_id: null, error: null } },
        { action: 'imports.job.canceled', targetType: 'import_job', targetId: id, details: { kind: row.kind } },
      );
      return row;
    });
  }
}
