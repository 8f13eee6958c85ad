import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyReferencedBlobs } from '../../src/backup/copy-blobs.ts';
import { findProgram } from '../../src/backup/find-program.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The blob copy of a backup trusts the database snapshot for what to copy, and its own checksums
 * for what it copied: an artifact replaced after the snapshot, or deleted before its copy, is
 * reported, never passed off as the snapshot's bytes.
 */
describe('copying the blob files a snapshot refers to', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-blobs-'));
    dirs.push(dir);
    return dir;
  }

  it('copies referenced files only, reports replaced and vanished ones, and refuses keys outside the store', async () => {
    const store = tempDir();
    const backup = tempDir();
    fs.mkdirSync(path.join(store, 'projects/1/artifacts'), { recursive: true });
    fs.writeFileSync(path.join(store, 'projects/1/artifacts/same.txt'), 'same');
    fs.writeFileSync(path.join(store, 'projects/1/artifacts/replaced.txt'), 'new bytes');
    fs.writeFileSync(path.join(store, 'projects/1/artifacts/unreferenced.txt'), 'written after the snapshot');
    fs.writeFileSync(path.join(backup, '..', `outside-${path.basename(backup)}`), 'secret');
    dirs.push(path.join(backup, '..', `outside-${path.basename(backup)}`));

    const copied = await copyReferencedBlobs(
      store,
      [
        { key: 'projects/1/artifacts/same.txt', size: 4, sha256: sha('same') },
        { key: 'projects/1/artifacts/same.txt', size: 4, sha256: sha('same') },
        { key: 'projects/1/artifacts/replaced.txt', size: 9, sha256: sha('old bytes') },
        { key: 'projects/1/artifacts/deleted.txt', size: 1, sha256: sha('x') },
        { key: `../outside-${path.basename(backup)}`, size: 6, sha256: sha('secret') },
      ],
      backup,
    );

    expect(copied.referenced).toBe(4);
    expect(copied.files.map((f) => f.path)).toEqual(['blobs/projects/1/artifacts/same.txt', 'blobs/projects/1/artifacts/replaced.txt']);
    expect(copied.files[1]!.sha256).toBe(sha('new bytes'));
    expect(copied.changedAfterSnapshot).toEqual(['projects/1/artifacts/replaced.txt']);
    expect(copied.missing).toEqual(['projects/1/artifacts/deleted.txt', `../outside-${path.basename(backup)}`]);
    expect(fs.existsSync(path.join(backup, 'blobs/projects/1/artifacts/unreferenced.txt'))).toBe(false);
    expect(fs.statSync(path.join(backup, 'blobs/projects/1/artifacts/same.txt')).mode & 0o777).toBe(0o600);
  });
});

describe('finding pg_dump and pg_restore', () => {
  it('names the program and how to install it when it is not on PATH', () => {
    expect(() => findProgram('pg_dump', '/nonexistent-a:/nonexistent-b')).toThrow("pg_dump was not found on PATH: install PostgreSQL's client programs (Debian: postgresql-client)");
    expect(findProgram('sh', '/nonexistent-a:/bin')).toBe('/bin/sh');
  });
});
