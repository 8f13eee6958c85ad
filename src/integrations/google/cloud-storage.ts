import type { Readable } from 'node:stream';
import { GoogleErrors } from './errors.ts';
import { announcedMd5, md5Checked } from './md5-checked.ts';
import type { GoogleApi } from './google-api.ts';
import type { ServiceAccountKey } from './service-account-key.ts';

/** Google's public Cloud Storage JSON API; a private endpoint or an emulator replaces it. */
export const DEFAULT_STORAGE_URL = 'https://storage.googleapis.com';

export interface StorageObject {
  name: string;
  size: number;
  /** Base64 of the MD5 (absent for composite objects). */
  md5Hash: string | null;
}

/** Listing pages followed at most: 1000 objects each. */
const MAX_PAGES = 1000;

/** `gs://bucket/some/prefix` → the bucket and the prefix as a folder ("some/prefix/"; "" for the whole bucket). */
export function parseGsUri(uri: string): { bucket: string; prefix: string } | null {
  const match = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) return null;
  const path = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1]!, prefix: path === '' ? '' : `${path}/` };
}

/**
 * Cloud Storage's JSON API: what an import reads — the objects under a prefix (`objects.list`,
 * followed by `nextPageToken`) and one object's media (`alt=media`), from a byte offset with
 * `Range` for a resumed copy, a whole object checked against the MD5 its answer announces
 * (`x-goog-hash`) — and what a deployment to Vertex AI writes: one object by a single-request
 * media upload (`uploadType=media`), and whether an object is there (`objects.get`).
 */
export class CloudStorage {
  readonly base: string;

  constructor(
    private readonly api: GoogleApi,
    base: string,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  private objectsUrl(bucket: string): string {
    return `${this.base}/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  }

  async list(bucket: string, prefix: string, key: ServiceAccountKey): Promise<StorageObject[]> {
    const objects: StorageObject[] = [];
    let pageToken: string | null = null;
    for (let page = 0; page === 0 || pageToken !== null; page++) {
      if (page >= MAX_PAGES) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: `more than ${MAX_PAGES} listing pages` });
      const url = new URL(this.objectsUrl(bucket));
      url.searchParams.set('prefix', prefix);
      if (pageToken !== null) url.searchParams.set('pageToken', pageToken);
      const body = await this.api.json<{ items?: { name?: unknown; size?: unknown; md5Hash?: unknown }[]; nextPageToken?: unknown }>(url, key);
      for (const item of body.items ?? []) {
        const size = Number(item.size);
        if (typeof item.name !== 'string' || !Number.isSafeInteger(size) || size < 0) throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: 'an object without a name or size' });
        objects.push({ name: item.name, size, md5Hash: typeof item.md5Hash === 'string' ? item.md5Hash : null });
      }
      pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' ? body.nextPageToken : null;
    }
    return objects;
  }

  /** Uploads one object in a single request (Google takes objects up to 5 TiB so). */
  async upload(bucket: string, name: string, body: { open: () => Promise<Readable>; size: number }, key: ServiceAccountKey): Promise<void> {
    const url = new URL(`${this.base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`);
    url.searchParams.set('uploadType', 'media');
    url.searchParams.set('name', name);
    await this.api.send('POST', url, key, { open: body.open, size: body.size, contentType: 'application/octet-stream' });
  }

  /** Whether an object is there (its metadata, `objects.get`). */
  async exists(bucket: string, name: string, key: ServiceAccountKey): Promise<boolean> {
    try {
      await this.api.json(new URL(`${this.objectsUrl(bucket)}/${encodeURIComponent(name)}`), key);
      return true;
    } catch (error) {
      if (GoogleErrors.GOOGLE_NOT_FOUND.is(error)) return false;
      throw error;
    }
  }

  /** One object's bytes from `offset`: `start` is 0 when the server sent the whole object instead. */
  async open(bucket: string, name: string, key: ServiceAccountKey, offset: number): Promise<{ body: Readable; start: number }> {
    const url = new URL(`${this.objectsUrl(bucket)}/${encodeURIComponent(name)}?alt=media`);
    const response = await this.api.get(url, key, { 'accept-encoding': 'identity', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) });
    if (offset > 0 && response.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''))?.[1]);
      if (start === offset) return { body: response.body, start };
      response.body.destroy();
      throw GoogleErrors.GOOGLE_BAD_ANSWER({ endpoint: this.base, detail: `asked for bytes from ${offset}, got ${String(response.headers['content-range'])}` });
    }
    const md5 = announcedMd5(response.headers['x-goog-hash']);
    return { body: md5 === null ? response.body : md5Checked(response.body, md5, name), start: 0 };
  }
}
