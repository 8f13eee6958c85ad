import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBackup } from '../../src/backup/backup.ts';
import { holdBlobDeletions } from '../../src/backup/deletion-hold.ts';
import { BLOB_DELETION_DELAY_MS, BlobDeletions } from '../../src/storage/blob-deletions.ts';
import { now } from '../../src/shared/clock.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let projectId: number;
/** With the server's delay between a row going and its blob being deleted. */
let deletions: BlobDeletions;
/** Without it: what the server's sweep does once a deletion is due. */
let dueAtOnce: BlobDeletions;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('blob-keeper');
  projectId = (await t.createProject(dev.token, 'blob-keeping')).id;
  deletions = new BlobDeletions(t.services.database.db, t.services.blobStore);
  dueAtOnce = new BlobDeletions(t.services.database.db, t.services.blobStore, 0);
});
afterAll(async () => {
  await t?.close();
});

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const db = () => t.services.database.db;
const artifactsUrl = (project: number, p: string) => `/api/v4/projects/${project}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${p}`;

async function put(p: string, body: string, project = projectId) {
  const res = await t.call({ method: 'PUT', url: artifactsUrl(project, p), token: dev.token, payload: body, headers: { 'content-type': 'application/octet-stream' } });
  expect(res.statusCode, res.body).toBe(200);
}

async function storeKeyOf(p: string, project = projectId): Promise<string> {
  const row = await db().selectFrom('artifacts').select('store_key').where('project_id', '=', project).where('path', '=', p).executeTakeFirstOrThrow();
  return row.store_key;
}

async function blobText(key: string): Promise<string> {
  return Buffer.concat(await (await t.services.blobStore.get(key)).toArray()).toString();
}

async function queued(): Promise<string[]> {
  return (await db().selectFrom('blob_deletions').select('store_key').orderBy('id').execute()).map((row) => row.store_key);
}

async function expectGone(key: string): Promise<void> {
  await expect(t.services.blobStore.get(key)).rejects.toMatchObject({ kind: 'not_found' });
}

describe('blobs are never written over, and deleted only later', () => {
  it('gives every upload a key of its own; the replaced blob stays readable until its deletion is due', async () => {
    await put('model/weights.bin', 'first');
    const first = await storeKeyOf('model/weights.bin');
    await put('model/weights.bin', 'second');
    const second = await storeKeyOf('model/weights.bin');
    expect(second).not.toBe(first);
    expect(await blobText(first)).toBe('first');
    expect(await blobText(second)).toBe('second');
    expect(await queued()).toContain(first);

    // Not due yet: a reader that looked the old row up a moment ago still gets its bytes.
    expect(await deletions.sweepAll()).toBe(0);
    expect(await blobText(first)).toBe('first');
    expect(await deletions.sweepAll(now() + BLOB_DELETION_DELAY_MS + 1)).toBeGreaterThan(0);
    await expectGone(first);
    expect(await blobText(second)).toBe('second');
    expect(await queued()).toEqual([]);
  });

  it('queues the blobs of a deleted file and of a deleted directory with the rows, and deletes them when due', async () => {
    await put('dir/a.txt', 'a');
    await put('dir/sub/b.txt', 'b');
    await put('single.txt', 'single');
    const keys = [await storeKeyOf('dir/a.txt'), await storeKeyOf('dir/sub/b.txt'), await storeKeyOf('single.txt')];
    for (const target of ['dir', 'single.txt']) {
      const res = await t.call({ method: 'DELETE', url: artifactsUrl(projectId, target), token: dev.token });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await queued()).sort()).toEqual([...keys].sort());
    for (const key of keys) expect((await blobText(key)).length).toBeGreaterThan(0);
    expect(await dueAtOnce.sweepAll()).toBe(3);
    for (const key of keys) await expectGone(key);
  });

  it('leaves every blob of uploads racing to one path either the file or queued, none forgotten', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => `racer ${i}`);
    await Promise.all(bodies.map((body) => put('race/file.txt', body)));
    const live = await storeKeyOf('race/file.txt');
    const queuedKeys = await queued();
    expect(queuedKeys).toHaveLength(bodies.length - 1);
    expect(queuedKeys).not.toContain(live);
    const written = new Set([live, ...queuedKeys]);
    expect(written.size).toBe(bodies.length);
    expect(bodies).toContain(await blobText(live));
    await dueAtOnce.sweepAll();
    expect(bodies).toContain(await blobText(live));
  });

  it('deletes nothing while a backup holds deletions, and resumes when it lets go', async () => {
    await put('held.txt', 'one');
    const old = await storeKeyOf('held.txt');
    await put('held.txt', 'two');
    const hold = await holdBlobDeletions(t.config.database);
    try {
      expect(await dueAtOnce.sweepAll()).toBe(0);
      expect(await blobText(old)).toBe('one');
    } finally {
      await hold.release();
    }
    expect(await dueAtOnce.sweepAll()).toBe(1);
    await expectGone(old);
  });

  it('queues the bytes of a package file uploaded again, and of a deleted package, with their rows', async () => {
    const url = `/api/v4/projects/${projectId}/packages/generic/kept/1.0.0/model.bin`;
    const upload = async (body: string) => {
      const res = await t.call({ method: 'PUT', url, token: dev.token, payload: body, headers: { 'content-type': 'application/octet-stream' } });
      expect(res.statusCode, res.body).toBe(201);
    };
    const fileKey = async () =>
      await db()
        .selectFrom('package_files')
        .innerJoin('packages', 'packages.id', 'package_files.package_id')
        .select(['store_key', 'package_id'])
        .where('packages.name', '=', 'kept')
        .executeTakeFirstOrThrow();
    await upload('v1');
    const first = await fileKey();
    await upload('v2');
    const second = await fileKey();
    expect(await queued()).toEqual([first.store_key]);
    expect(await blobText(first.store_key)).toBe('v1');
    const res = await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/packages/${second.package_id}`, token: dev.token });
    expect(res.statusCode, res.body).toBe(204);
    expect(await queued()).toEqual([first.store_key, second.store_key]);
    expect(await blobText(second.store_key)).toBe('v2');
    expect(await dueAtOnce.sweepAll()).toBe(2);
    await expectGone(first.store_key);
    await expectGone(second.store_key);
  });

  it("queues a deleted project's whole folder in the transaction that deletes it", async () => {
    const doomed = await t.createProject(dev.token, 'blob-doomed');
    await put('x.txt', 'x', doomed.id);
    const key = await storeKeyOf('x.txt', doomed.id);
    const res = await t.call({ method: 'DELETE', url: `/api/v4/projects/${doomed.id}`, token: dev.token });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(await blobText(key)).toBe('x');
    const rows = await db().selectFrom('blob_deletions').selectAll().execute();
    expect(rows.map((r) => [r.store_key, r.whole_prefix])).toEqual([[`projects/${doomed.id}`, 1]]);
    expect(await dueAtOnce.sweepAll()).toBe(1);
    await expectGone(key);
  });
});

describe('a backup while files are replaced and deleted', () => {
  it('holds the bytes its snapshot refers to: nothing changed after the snapshot, nothing missing', async () => {
    await put('backup/replaced.txt', 'before the snapshot');
    await put('backup/deleted.txt', 'deleted after the snapshot');
    const replacedKey = await storeKeyOf('backup/replaced.txt');
    const deletedKey = await storeKeyOf('backup/deleted.txt');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-held-backup-'));
    try {
      const manifest = await makeBackup(t.config, dir, {
        afterSnapshot: async () => {
          await put('backup/replaced.txt', 'after the snapshot');
          const res = await t.call({ method: 'DELETE', url: artifactsUrl(projectId, 'backup/deleted.txt'), token: dev.token });
          expect(res.statusCode, res.body).toBe(200);
          // Even with the deletions due, the sweep deletes nothing while the backup runs.
          expect(await dueAtOnce.sweepAll()).toBe(0);
        },
      });
      if (manifest.blobs.driver !== 'fs') throw new Error('this test needs the disk store');
      expect(manifest.blobs.changed_after_snapshot).toEqual([]);
      expect(manifest.blobs.missing).toEqual([]);
      const copied = new Map(manifest.files.map((f) => [f.path, f.sha256]));
      expect(copied.get(`blobs/${replacedKey}`)).toBe(sha256('before the snapshot'));
      expect(copied.get(`blobs/${deletedKey}`)).toBe(sha256('deleted after the snapshot'));
      expect(fs.readFileSync(path.join(dir, 'blobs', ...replacedKey.split('/')), 'utf8')).toBe('before the snapshot');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The backup let go: the two blobs its snapshot needed go now.
    expect(await dueAtOnce.sweepAll()).toBe(2);
    await expectGone(replacedKey);
    await expectGone(deletedKey);
    expect(await blobText(await storeKeyOf('backup/replaced.txt'))).toBe('after the snapshot');
  });
});
