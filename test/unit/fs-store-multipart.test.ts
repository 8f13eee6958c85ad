import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-store.ts';

const MiB = 1024 * 1024;
let root: string;
let store: FsBlobStore;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-multipart-'));
  store = new FsBlobStore(root);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A body that sends `first` and then fails, as an aborted request does. */
function failingAfter(first: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield first;
      throw new Error('client went away');
    })(),
  );
}

describe('multipart uploads on the disk store, parts written at their offsets', () => {
  it('land in one staging file in any order, a part sent again replacing its range, and completion renames that file into place', async () => {
    // Parts of 17 MiB go through the off-thread writer, the 3 MiB last one through the main thread.
    const partSize = 17 * MiB;
    const data = randomBytes(2 * partSize + 3 * MiB);
    const part = (n: number) => data.subarray((n - 1) * partSize, n * partSize);
    const id = await store.createMultipart('pkg/file.bin');
    const put = (n: number, body: Readable) => store.putPart('pkg/file.bin', id, n, body, { maxBytes: part(n).length, contentLength: part(n).length, offset: (n - 1) * partSize });

    expect(await put(3, Readable.from([part(3)]))).toMatchObject({ size: part(3).length, sha256: sha256(part(3)) });
    await expect(put(1, failingAfter(part(1).subarray(0, 5 * MiB)))).rejects.toThrow('client went away');
    expect((await put(1, Readable.from([part(1)]))).sha256).toBe(sha256(part(1)));
    expect((await put(2, Readable.from([randomBytes(part(2).length)]))).size).toBe(partSize);
    expect((await put(2, Readable.from([part(2)]))).sha256).toBe(sha256(part(2)));

    const staged = fs.readdirSync(path.join(root, '.uploads', id));
    expect(staged).toEqual(['staged']);
    const stagedInode = fs.statSync(path.join(root, '.uploads', id, 'staged')).ino;
    const blob = await store.completeMultipart(
      'pkg/file.bin',
      id,
      [1, 2, 3].map((n) => ({ partNumber: n, etag: '' })),
      { maxBytes: data.length },
    );
    expect(blob).toEqual({ size: data.length, sha256: sha256(data) });
    // The same file, renamed: completion wrote no second copy.
    expect(fs.statSync(path.join(root, 'pkg/file.bin')).ino).toBe(stagedInode);
    expect(fs.readFileSync(path.join(root, 'pkg/file.bin')).equals(data)).toBe(true);
    expect(fs.existsSync(path.join(root, '.uploads', id))).toBe(false);
    // 55 MiB written, flushed and hashed twice: seconds on a loaded machine.
  }, 60_000);

  it('refuse bytes past a part’s length without writing them into the next part’s range', async () => {
    const id = await store.createMultipart('pkg/short.bin');
    const next = Buffer.alloc(5 * MiB, 2);
    await store.putPart('pkg/short.bin', id, 2, Readable.from([next]), { maxBytes: next.length, contentLength: next.length, offset: 5 * MiB });
    await expect(store.putPart('pkg/short.bin', id, 1, Readable.from([Buffer.alloc(5 * MiB + 1, 1)]), { maxBytes: 5 * MiB, offset: 0 })).rejects.toMatchObject({ kind: 'too_large' });
    const staged = fs.readFileSync(path.join(root, '.uploads', id, 'staged'));
    expect(staged.subarray(5 * MiB).equals(next)).toBe(true);
    await store.abortMultipart('pkg/short.bin', id);
    expect(fs.existsSync(path.join(root, '.uploads', id))).toBe(false);
  });
});
