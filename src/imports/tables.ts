import type { Generated } from 'kysely';
import { sealedColumn, type SealedColumn } from '../secrets/sealed-column.ts';

export const IMPORT_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

/** One import: what to fetch from where (`source`, JSON of its kind), into which model, and how far it got. */
export interface ImportJobsTable {
  id: Generated<number>;
  project_id: number;
  /** Which fetcher reads the source: `huggingface` or `vertex_ai`. */
  kind: string;
  source: string;
  /** The pinned source in one string (endpoint, repository, commit, patterns): a re-import of the same key reuses the version. */
  source_key: string;
  model_name: string;
  state: ImportState;
  /** The source's credential (a Hugging Face token, a Google service account key), sealed; erased when the job ends. */
  credential: string | null;
  files_total: number | null;
  bytes_total: number | null;
  files_done: Generated<number>;
  bytes_done: Generated<number>;
  error: string | null;
  /** The version the job made (or found: a re-import of the same commit). */
  version_id: number | null;
  /** The replica working on it, until when: a replica that dies lets the lease run out and another resumes. */
  lease_owner: string | null;
  lease_until: number | null;
  creator_id: number | null;
  started_at: number | null;
  /** When this replica's run began and how many bytes were stored before it: the rate counts this run's bytes only. */
  run_started_at: number | null;
  run_bytes_start: Generated<number>;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One file of a job: its expected size and SHA-256 (when the source gives one), and the parts stored so far. */
export interface ImportJobFilesTable {
  job_id: number;
  path: string;
  size: number;
  sha256: string | null;
  upload_key: string | null;
  upload_id: string | null;
  /** JSON: [{partNumber, etag, size}] of the parts already in the blob store. */
  parts: Generated<string>;
  bytes_done: Generated<number>;
  /** The SHA-256 the blob store computed of the complete file. */
  stored_sha256: string | null;
  done: Generated<number>;
}

export interface ImportTables {
  import_jobs: ImportJobsTable;
  import_job_files: ImportJobFilesTable;
}

export const IMPORT_CREDENTIAL: SealedColumn = sealedColumn('import_jobs', 'credential', ['id']);
export const IMPORT_SEALED_COLUMNS: readonly SealedColumn[] = [IMPORT_CREDENTIAL];
