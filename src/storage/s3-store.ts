import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobStore, ByteRange, StoredBlob, StoredPart } from './blob-store.ts';
import { fileNotFound, StorageErrors, uploadNotFound } from './errors.ts';
import { MeasuringStream } from './hashing.ts';

export interface S3Settings {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

/** Reads `s3://bucket/prefix` and the usual AWS variables (credentials come from the SDK's chain). */
export function s3SettingsFrom(url: string, env: Record<string, string | undefined>): S3Settings {
  const parsed = new URL(url);
  const endpoint = env.MODELYARD_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const pathStyle = env.MODELYARD_S3_FORCE_PATH_STYLE;
  return {
    bucket: parsed.hostname,
    prefix: parsed.pathname.replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle: pathStyle === undefined ? endpoint !== undefined : /^(1|true|yes)$/i.test(pathStyle),
  };
}

/** S3's answers to a bad multipart request are the caller's mistakes, so they become 4xx. */
function multipartError(error: unknown): unknown {
  const name = (error as { name?: string }).name;
  if (name === 'EntityTooSmall') return StorageErrors.PART_TOO_SMALL();
  if (name === 'InvalidPart' || name === 'InvalidPartOrder') return StorageErrors.INVALID_PART();
  if (name === 'NoSuchUpload') return uploadNotFound();
  return error;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/**
 * Blobs as objects in any S3-compatible store. S3 makes an object visible only when its upload
 * completes (a single PUT, or CompleteMultipartUpload), which is the atomicity the interface
 * promises; an upload that fails is aborted.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({ region: settings.region, endpoint: settings.endpoint, forcePathStyle: settings.forcePathStyle });
  }

  private objectKey(key: string): string {
    return this.settings.prefix ? `${this.settings.prefix}/${key}` : key;
  }

  async put(key: string, body: Readable, options: { maxBytes: number; contentLength?: number }): Promise<StoredBlob> {
    const measure = new MeasuringStream(options.maxBytes);
    body.on('error', (error) => measure.destroy(error));
    body.pipe(measure);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.objectKey(key), Body: measure },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
    return { size: measure.size, sha256: measure.digest() };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      return result.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw fileNotFound();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: `${this.objectKey(prefix)}/`, ContinuationToken: token }));
      const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: keys, Quiet: true } }));
      token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (token);
    await this.delete(prefix).catch(() => undefined);
  }

  async createMultipart(key: string): Promise<string> {
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    if (!created.UploadId) throw new Error('the object store returned no upload id');
    return created.UploadId;
  }

  async putPart(key: string, uploadId: string, partNumber: number, body: Readable, options: { maxBytes: number; contentLength?: number; offset?: number }): Promise<StoredPart> {
    if (options.contentLength === undefined) throw StorageErrors.LENGTH_REQUIRED();
    if (options.contentLength > options.maxBytes) throw StorageErrors.FILE_TOO_LARGE({ maxBytes: options.maxBytes });
    const measure = new MeasuringStream(options.maxBytes);
    body.on('error', (error) => measure.destroy(error));
    body.pipe(measure);
    try {
      const result = await this.client.send(
        new UploadPartCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), UploadId: uploadId, PartNumber: partNumber, Body: measure, ContentLength: options.contentLength }),
      );
      return { etag: result.ETag ?? '', size: measure.size, sha256: measure.digest() };
    } catch (error) {
      if (isMissing(error)) throw uploadNotFound();
      throw multipartError(error);
    }
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[], options: { maxBytes: number; known?: StoredBlob }): Promise<StoredBlob> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.client
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: this.settings.bucket,
          Key: this.objectKey(key),
          UploadId: uploadId,
          MultipartUpload: { Parts: ordered.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      )
      .catch((error: unknown) => {
        throw multipartError(error);
      });
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    const size = head.ContentLength ?? 0;
    if (size > options.maxBytes) {
      await this.delete(key);
      throw StorageErrors.FILE_TOO_LARGE({ maxBytes: options.maxBytes });
    }
    if (options.known && options.known.size === size) return { size, sha256: options.known.sha256 };
    // Parts that arrived in parallel, out of order or on other replicas: the file's SHA-256 is taken by reading it once.
    const hash = createHash('sha256');
    for await (const chunk of await this.get(key)) hash.update(chunk as Buffer);
    return { size, sha256: hash.digest('hex') };
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), UploadId: uploadId })).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  /** Incomplete multipart uploads older than a day are what a crash leaves; they are aborted. */
  async cleanOrphans(): Promise<number> {
    const listed = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.settings.bucket, Prefix: this.settings.prefix || undefined }));
    let removed = 0;
    for (const upload of listed.Uploads ?? []) {
      if (upload.Initiated && Date.now() - upload.Initiated.getTime() > 24 * 3600 * 1000 && upload.Key && upload.UploadId) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: upload.Key, UploadId: upload.UploadId }));
        removed++;
      }
    }
    return removed;
  }
}
