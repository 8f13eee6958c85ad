import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.ts';
import { FsBlobStore } from './fs-store.ts';
import { S3BlobStore, s3SettingsFrom } from './s3-store.ts';

/** The store MODELYARD_ARTIFACTS_URL names: a folder (file://) or a bucket (s3://). */
export function openBlobStore(url: string, env: Record<string, string | undefined> = process.env): BlobStore {
  if (url.startsWith('s3://')) return new S3BlobStore(s3SettingsFrom(url, env));
  return new FsBlobStore(fileURLToPath(url.startsWith('file://') ? url : `file://${url}`));
}
