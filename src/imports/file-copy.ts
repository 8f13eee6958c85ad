import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { ImportErrors } from './errors.ts';
import type { OpenedFile } from './fetcher.ts';
import type { ImportFileRow } from './import-jobs-service.ts';
import type { JobLease } from './job-lease.ts';

interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** Parts of a large file: the unit a resumed copy keeps. S3 wants ≥ 5 MiB and ≤ 10,000 of them. */
const MIN_PART_BYTES = 8 * 1024 * 1024;
const MAX_PARTS = 9000;

export function partSizeFor(fileSize: number): number {
  return Math.max(MIN_PART_BYTES, Math.ceil(fileSize / MAX_PARTS));
}

export interface CopyTarget {
  projectId: number;
  maxBytes: number;
}

/**
 * Copies one file of a job into the blob store, resumably. A file of one part is written in one
 * go (fetched again whole if cut). A larger one is a multipart upload whose stored parts are
 * recorded on the file's row as each one lands: after a crash, the copy asks the source for the
 * rest (`Range`) and appends to the same upload; a source that answers the whole file instead
 * starts it over. Memory holds one part at most. The complete file is checked against the size
 * and SHA-256 the source announced, and a mismatch removes it and fails the job.
 */
export class FileCopy {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly store: BlobStore,
    private readonly target: CopyTarget,
    private readonly lease: JobLease,
    private readonly stopping: () => boolean,
  ) {}

  private async save(file: ImportFileRow, values: Partial<Pick<ImportFileRow, 'upload_key' | 'upload_id' | 'parts' | 'bytes_done' | 'stored_sha256' | 'done'>>): Promise<ImportFileRow> {
    await this.db.updateTable('import_job_files').set(values).where('job_id', '=', file.job_id).where('path', '=', file.path).execute();
    return { ...file, ...values };
  }

  private newKey(): string {
    return `projects/${this.target.projectId}/packages/${randomUUID()}`;
  }

  async copy(file: ImportFileRow, open: (offset: number) => Promise<OpenedFile>): Promise<void> {
    if (file.done === 1) return;
    const partSize = partSizeFor(file.size);
    const stored = file.size <= partSize ? await this.copyWhole(file, open) : await this.copyInParts(file, open, partSize);
    await this.verify(stored.row, stored.size, stored.sha256);
  }

  private async copyWhole(file: ImportFileRow, open: (offset: number) => Promise<OpenedFile>): Promise<{ row: ImportFileRow; size: number; sha256: string }> {
    const key = this.newKey();
    const row = await this.save(file, { upload_key: key, upload_id: null, parts: '[]', bytes_done: 0 });
    const { body } = await open(0);
    const blob = await this.store.put(key, body, { maxBytes: this.target.maxBytes, contentLength: file.size });
    return { row: await this.save(row, { bytes_done: blob.size }), size: blob.size, sha256: blob.sha256 };
  }

  private async copyInParts(file: ImportFileRow, open: (offset: number) => Promise<OpenedFile>, partSize: number): Promise<{ row: ImportFileRow; size: number; sha256: string }> {
    let row = file;
    let parts = JSON.parse(row.parts) as StoredPart[];
    if (row.upload_id === null || row.upload_key === null) {
      const key = this.newKey();
      row = await this.save(row, { upload_key: key, upload_id: await this.store.createMultipart(key), parts: '[]', bytes_done: 0 });
      parts = [];
    }
    let offset = parts.reduce((sum, part) => sum + part.size, 0);
    if (offset < row.size) {
      const opened = await open(offset);
      if (opened.start !== offset) {
        // The source sent the whole file (no Range support): the stored parts are dropped.
        await this.store.abortMultipart(row.upload_key!, row.upload_id!).catch(() => undefined);
        const key = this.newKey();
        row = await this.save(row, { upload_key: key, upload_id: await this.store.createMultipart(key), parts: '[]', bytes_done: 0 });
        parts = [];
        offset = 0;
      }
      row = await this.appendParts(row, parts, opened.body, partSize);
    }
    const blob = await this.store.completeMultipart(row.upload_key!, row.upload_id!, parts, { maxBytes: this.target.maxBytes });
    return { row: await this.save(row, { upload_id: null }), size: blob.size, sha256: blob.sha256 };
  }

  /** Reads the body into parts of `partSize` bytes, storing and recording each one as it fills. */
  private async appendParts(file: ImportFileRow, parts: StoredPart[], body: Readable, partSize: number): Promise<ImportFileRow> {
    let row = file;
    let chunks: Buffer[] = [];
    let filled = 0;
    const flush = async () => {
      const partNumber = parts.length + 1;
      const part = await this.store.putPart(row.upload_key!, row.upload_id!, partNumber, Readable.from(chunks), { maxBytes: this.target.maxBytes, contentLength: filled });
      parts.push({ partNumber, etag: part.etag, size: part.size });
      chunks = [];
      filled = 0;
      row = await this.save(row, { parts: JSON.stringify(parts), bytes_done: parts.reduce((sum, p) => sum + p.size, 0) });
      await this.lease.progress();
      if (this.stopping()) throw new StoppedMidFile();
    };
    try {
      for await (const received of body as AsyncIterable<Buffer>) {
        // Parts of exactly `partSize` bytes: where a resumed copy starts is the same whatever the chunks were.
        let chunk = received;
        while (filled + chunk.length >= partSize) {
          const head = chunk.subarray(0, partSize - filled);
          chunks.push(head);
          filled += head.length;
          chunk = chunk.subarray(head.length);
          await flush();
        }
        if (chunk.length > 0) {
          chunks.push(chunk);
          filled += chunk.length;
        }
      }
      if (filled > 0) await flush();
    } finally {
      body.destroy();
    }
    return row;
  }

  private async verify(row: ImportFileRow, size: number, sha256: string): Promise<void> {
    const refuse = async (error: Error) => {
      await this.store.delete(row.upload_key!).catch(() => undefined);
      await this.save(row, { upload_key: null, upload_id: null, parts: '[]', bytes_done: 0 });
      throw error;
    };
    if (size !== row.size) await refuse(ImportErrors.IMPORT_SIZE_MISMATCH({ path: row.path, expected: row.size, actual: size }));
    if (row.sha256 !== null && sha256 !== row.sha256) await refuse(ImportErrors.IMPORT_CHECKSUM_MISMATCH({ path: row.path, expected: row.sha256, actual: sha256 }));
    await this.save(row, { stored_sha256: sha256, bytes_done: size, done: 1 });
    await this.lease.progress();
  }
}

/** The server is stopping: the job is left for the next start (or another replica) to resume. */
export class StoppedMidFile extends Error {
  override readonly name = 'StoppedMidFile';
}
