import type { Readable } from 'node:stream';

/** What a completed write reports: computed while the bytes streamed through. */
export interface StoredBlob {
  size: number;
  sha256: string;
}

/** A part of a multipart upload as stored: the store's ETag for it, its size and SHA-256. */
export interface StoredPart extends StoredBlob {
  etag: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Where file contents live: a local folder or an S3 bucket. Keys are plain relative paths
 * (checked by safe-path.ts before they get here). Writes are atomic: a blob is readable only
 * once complete, and a failed or oversized write leaves nothing.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** `contentLength`: the size the client announced, when it did (lets big files be written off the main thread). */
  put(key: string, body: Readable, options: { maxBytes: number; contentLength?: number }): Promise<StoredBlob>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /** Multipart uploads, for files too big for one request. */
  createMultipart(key: string): Promise<string>;
  /**
   * `offset`: where the part's bytes go in the file, when the caller knows it (parts of one fixed
   * size): the disk store then writes the part in place and completion copies nothing, and the
   * part's answer does not wait for the disk (it is flushed in the background while the next one
   * arrives, and completion flushes whatever is left before it answers).
   */
  putPart(key: string, uploadId: string, partNumber: number, body: Readable, options: { maxBytes: number; contentLength?: number; offset?: number }): Promise<StoredPart>;
  /**
   * `known`: the file's size and SHA-256 when the caller already hashed the parts as they came
   * in order; the store then does not read the assembled file again to hash it.
   */
  completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], options: { maxBytes: number; known?: StoredBlob }): Promise<StoredBlob>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** Removes temporary data left by writes that never finished (a crash, a killed process). */
  cleanOrphans(): Promise<number>;
}
