import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-store.ts';

let root: string;
let outside: string;
let store: FsBlobStore;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-confined-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
  // A symbolic link inside the store that leads out of it, as an operator's mistake or an attacker with shell access could leave.
  fs.mkdirSync(path.join(root, 'projects', '1'), { recursive: true });
  fs.symlinkSync(outside, path.join(root, 'projects', '1', 'escape'));
  store = new FsBlobStore(root);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

/**
 * Keys are made by the server (artifact paths no longer name store locations), but the disk store
 * still refuses any key whose location a symbolic link leads out of the root.
 */
describe('the disk store stays inside its root', () => {
  it('refuses to read, write or delete through a symbolic link that leads out', async () => {
    const key = 'projects/1/escape/secret.txt';
    await expect(store.get(key)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(store.put(key, Readable.from([Buffer.from('pwned')]), { maxBytes: 100 })).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(store.delete(key)).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(store.deletePrefix('projects/1/escape')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('still reads and writes keys inside', async () => {
    await store.put('projects/1/artifact-blobs/a', Readable.from([Buffer.from('fine')]), { maxBytes: 100 });
    expect(Buffer.concat(await (await store.get('projects/1/artifact-blobs/a')).toArray()).toString()).toBe('fine');
  });
});
