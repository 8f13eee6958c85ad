import { Readable } from 'node:stream';
import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DownloadableFile } from '../http/download.ts';
import { REPORT_FILE_NAMES } from '../runner-protocol/artifacts.ts';
import { ARTIFACT_FORMATS, ARTIFACT_TYPES, type ArtifactFormat, type ArtifactType } from '../runner-protocol/job-response.ts';
import { now } from '../shared/clock.ts';
import { isAppError } from '../shared/errors.ts';
import { deleteBlobsLater } from '../storage/blob-deletions.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { safeRelativePath } from '../storage/safe-path.ts';
import { parseDotenv, parseJunit } from './artifact-reports.ts';
import { parseDuration } from './config/durations.ts';
import { readSpec } from './job-spec.ts';
import type { JobRow } from './job-payload.ts';
import type { CiJobArtifactLegacyFilesTable, CiJobArtifactsTable } from './tables.ts';
import { ZipArchive, type ZipEntryInfo } from './zip-archive.ts';
import { PipelineErrors } from './errors.ts';

export type JobArtifactRow = Selectable<CiJobArtifactsTable>;
type LegacyFileRow = Selectable<CiJobArtifactLegacyFilesTable>;

/** GitLab's default expiry of job artifacts. */
const DEFAULT_EXPIRE_SECONDS = 30 * 24 * 3600;
/** Reports are parsed in memory; bigger ones are refused. */
const MAX_REPORT_BYTES = 10 * 1024 * 1024;
/** The format each artifact type must come in (what GitLab Runner makes of it). */
const FORMAT_OF: Record<ArtifactType, ArtifactFormat> = { archive: 'zip', junit: 'gzip', dotenv: 'gzip' };

export function jobArtifactKey(projectId: number, jobId: number, type: ArtifactType): string {
  return `projects/${projectId}/ci/jobs/${jobId}/${type}`;
}

const isLive = (row: { expire_at: number | null }) => row.expire_at === null || row.expire_at >= now();

/**
 * Job artifacts as GitLab keeps them: one stored archive per job and type, as the runner
 * uploaded it (the `paths` zip; gzip reports, which are also read: dotenv variables for later
 * jobs, JUnit counts for the job page), kept until `expire_in`. Single files are read out of the
 * zip on demand. Artifacts of earlier versions, stored file by file, stay readable.
 */
export class JobArtifactsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly maxUploadBytes: number,
  ) {}

  /** Stores one uploaded archive of a running job (`file`: the multipart file part, streamed). */
  async upload(job: JobRow, options: { type?: string; format?: string; expireIn?: string; filename?: string }, file: Readable): Promise<JobArtifactRow> {
    if (job.status !== 'running') throw PipelineErrors.JOB_NOT_RUNNING({ status: job.status }, { jobStatus: job.status });
    const type = (options.type ?? 'archive') as ArtifactType;
    if (!ARTIFACT_TYPES.includes(type)) throw PipelineErrors.ARTIFACT_TYPE_UNSUPPORTED({ types: ARTIFACT_TYPES });
    const format = (options.format ?? FORMAT_OF[type]) as ArtifactFormat;
    if (!ARTIFACT_FORMATS.includes(format) || format !== FORMAT_OF[type]) throw PipelineErrors.ARTIFACT_FORMAT_UNSUPPORTED({ type, format: FORMAT_OF[type] });
    const expireAt = this.expiry(job, options.expireIn);
    const exists = await this.db.selectFrom('ci_job_artifacts').select('id').where('job_id', '=', job.id).where('file_type', '=', type).executeTakeFirst();
    if (exists) throw PipelineErrors.ARTIFACT_EXISTS({ type });
    const key = jobArtifactKey(job.project_id, job.id, type);
    let report: string | null = null;
    let stored;
    if (type === 'archive') {
      stored = await this.store.put(key, file, { maxBytes: this.maxUploadBytes });
      try {
        await new ZipArchive(this.store, key, stored.size).entries();
      } catch (error) {
        await this.store.delete(key).catch(() => undefined);
        if (isAppError(error)) throw error;
        throw PipelineErrors.ARTIFACT_NOT_ZIP({ detail: (error as Error).message });
      }
    } else {
      const data = await this.readReport(file);
      report = JSON.stringify(type === 'dotenv' ? parseDotenv(data) : parseJunit(data));
      stored = await this.store.put(key, Readable.from([data]), { maxBytes: this.maxUploadBytes });
    }
    const filename =
      type === 'archive'
        ? safeRelativePath(options.filename || 'artifacts.zip', 'filename')
            .split('/')
            .pop()!
        : REPORT_FILE_NAMES[type];
    const row = {
      job_id: job.id,
      project_id: job.project_id,
      file_type: type,
      file_format: format,
      filename,
      size: stored.size,
      sha256: stored.sha256,
      store_key: key,
      report,
      expire_at: expireAt,
      created_at: now(),
    };
    try {
      return await this.db.insertInto('ci_job_artifacts').values(row).returningAll().executeTakeFirstOrThrow();
    } catch (error) {
      // Two uploads of the same type raced: the first one keeps the stored file.
      if (await this.db.selectFrom('ci_job_artifacts').select('id').where('job_id', '=', job.id).where('file_type', '=', type).executeTakeFirst()) throw PipelineErrors.ARTIFACT_EXISTS({ type });
      throw error;
    }
  }

  private async readReport(file: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of file) {
      size += (chunk as Buffer).length;
      if (size > MAX_REPORT_BYTES) throw PipelineErrors.REPORT_TOO_LARGE({ limit: MAX_REPORT_BYTES });
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** `expire_in` as the runner sent it, else the job's, else 30 days; `never` keeps them. */
  private expiry(job: JobRow, expireIn: string | undefined): number | null {
    const spec = readSpec(job).artifacts;
    if (expireIn !== undefined && expireIn !== '') {
      if (expireIn.trim().toLowerCase() === 'never') return null;
      const seconds = parseDuration(expireIn);
      if (seconds === undefined) throw PipelineErrors.INVALID_EXPIRE_IN({ given: expireIn });
      return now() + seconds * 1000;
    }
    if (spec?.neverExpire) return null;
    return now() + (spec?.expireInSeconds ?? DEFAULT_EXPIRE_SECONDS) * 1000;
  }

  /** The archives and reports of these jobs that have not expired. */
  async archivesOf(jobIds: number[]): Promise<JobArtifactRow[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db.selectFrom('ci_job_artifacts').selectAll().where('job_id', 'in', jobIds).orderBy('job_id').orderBy('id').execute();
    return rows.filter(isLive);
  }

  private async legacyFilesOf(jobIds: number[]): Promise<LegacyFileRow[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db.selectFrom('ci_job_artifact_legacy_files').selectAll().where('job_id', 'in', jobIds).orderBy('job_id').orderBy('path').execute();
    return rows.filter(isLive);
  }

  /** What the jobs API lists under `artifacts` for each job (GitLab's file_type entries). */
  async listed(jobIds: number[]): Promise<Map<number, { file_type: string; file_format: string | null; filename: string; size: number; expire_at: number | null }[]>> {
    const out = new Map<number, { file_type: string; file_format: string | null; filename: string; size: number; expire_at: number | null }[]>();
    const add = (jobId: number, entry: { file_type: string; file_format: string | null; filename: string; size: number; expire_at: number | null }) =>
      out.set(jobId, [...(out.get(jobId) ?? []), entry]);
    for (const row of await this.archivesOf(jobIds)) add(row.job_id, { file_type: row.file_type, file_format: row.file_format, filename: row.filename, size: row.size, expire_at: row.expire_at });
    for (const row of await this.legacyFilesOf(jobIds)) add(row.job_id, { file_type: 'archive', file_format: null, filename: row.path, size: row.size, expire_at: row.expire_at });
    return out;
  }

  private async archiveOf(jobId: number): Promise<JobArtifactRow | undefined> {
    return (await this.archivesOf([jobId])).find((row) => row.file_type === 'archive');
  }

  /** Whether the job has an artifacts archive to download. */
  async hasArchive(jobId: number): Promise<boolean> {
    return (await this.archiveOf(jobId)) !== undefined;
  }

  /** The artifacts zip, as the runner uploaded it. */
  async archive(jobId: number): Promise<DownloadableFile> {
    const row = await this.archiveOf(jobId);
    if (!row) throw PipelineErrors.ARTIFACT_NOT_FOUND();
    return { name: row.filename, size: row.size, sha256: row.sha256, open: (range) => this.store.get(row.store_key, range) };
  }

  /** One file: out of the zip, or (for jobs of earlier versions) stored on its own. */
  async file(jobId: number, rawPath: string): Promise<DownloadableFile> {
    const path = safeRelativePath(rawPath);
    const row = await this.archiveOf(jobId);
    if (row) {
      const entry = await new ZipArchive(this.store, row.store_key, row.size).file(path);
      return { name: path.split('/').pop()!, size: entry.size, sha256: `${row.sha256.slice(0, 16)}-${entry.crc32.toString(16)}`, open: entry.open };
    }
    const legacy = (await this.legacyFilesOf([jobId])).find((f) => f.path === path);
    if (!legacy) throw PipelineErrors.ARTIFACT_NOT_FOUND();
    return { name: path.split('/').pop()!, size: legacy.size, sha256: legacy.sha256, open: (range) => this.store.get(legacy.store_key, range) };
  }

  /** Every file of the job's artifacts, for browsing. */
  async entries(jobId: number): Promise<{ path: string; size: number }[]> {
    const row = await this.archiveOf(jobId);
    if (row) {
      const list: ZipEntryInfo[] = await new ZipArchive(this.store, row.store_key, row.size).entries();
      return list.filter((e) => !e.path.endsWith('/')).map((e) => ({ path: e.path, size: e.size }));
    }
    return (await this.legacyFilesOf([jobId])).map((f) => ({ path: f.path, size: f.size }));
  }

  /** The reports the server read (dotenv variables, JUnit counts), by type. */
  async reports(jobId: number): Promise<Record<string, unknown>> {
    const rows = (await this.archivesOf([jobId])).filter((row) => row.report !== null);
    return Object.fromEntries(rows.map((row) => [row.file_type, JSON.parse(row.report!)]));
  }

  /** Deletes artifacts past their expiry (run by the CI worker); their bytes go later, with the rows committed. */
  async deleteExpired(): Promise<number> {
    const at = now();
    return inTransaction(this.db, async (trx) => {
      const expired = await trx
        .deleteFrom('ci_job_artifacts')
        .where('id', 'in', (eb) => eb.selectFrom('ci_job_artifacts').select('id').where('expire_at', '<', at).limit(500))
        .returning('store_key')
        .execute();
      const legacy = await trx
        .deleteFrom('ci_job_artifact_legacy_files')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(refTuple('job_id', 'path'), 'in', selectFrom('ci_job_artifact_legacy_files').select(['job_id', 'path']).where('expire_at', '<', at).limit(500).$asTuple('job_id', 'path')),
        )
        .returning('store_key')
        .execute();
      await deleteBlobsLater(
        trx,
        [...expired, ...legacy].map((row) => row.store_key),
      );
      return expired.length + legacy.length;
    });
  }
}
