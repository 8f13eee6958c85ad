import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { pack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarGz, UnsafeArchiveError } from '../../src/agent/safe-extract.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-extract-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

type Entry = Partial<Header> & Pick<Header, 'name'> & { content?: string };

/** A tar.gz with exactly these entries, as a hostile server or a corrupted store could send. */
async function archiveOf(entries: Entry[]): Promise<string> {
  const tar = pack();
  const file = path.join(dir, 'archive.tar.gz');
  const written = pipeline(tar, createGzip(), fs.createWriteStream(file));
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => tar.entry(header, content ?? '', (error) => (error ? reject(error) : resolve())));
  }
  tar.finalize();
  await written;
  return file;
}

const root = () => path.join(dir, 'model');

describe('unpacking a version archive', () => {
  it('unpacks files and directories, keeping only the executable bit of modes', async () => {
    const file = await archiveOf([
      { name: 'MLmodel', content: 'flavors: {}' },
      { name: 'env/', type: 'directory' },
      { name: 'env/run.sh', content: '#!/bin/sh', mode: 0o4777 },
      { name: './code/predict.py', content: 'x = 1' },
    ]);
    await extractTarGz(file, root());
    expect(fs.readFileSync(path.join(root(), 'MLmodel'), 'utf8')).toBe('flavors: {}');
    expect(fs.statSync(path.join(root(), 'env/run.sh')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(root(), 'MLmodel')).mode & 0o7777).toBe(0o644);
    expect(fs.readFileSync(path.join(root(), 'code/predict.py'), 'utf8')).toBe('x = 1');
  });

  const hostile: [string, Entry[], RegExp][] = [
    ['a path climbing out with ..', [{ name: '../escaped.txt', content: 'x' }], /outside its directory/],
    ['a path climbing out from a subdirectory', [{ name: 'a/../../escaped.txt', content: 'x' }], /outside its directory/],
    ['an absolute path', [{ name: `${os.tmpdir()}/escaped.txt`, content: 'x' }], /absolute path/],
    ['a symbolic link', [{ name: 'link', type: 'symlink', linkname: '/etc/passwd' }], /holds a symlink/],
    [
      'a symbolic link to write through',
      [
        { name: 'out', type: 'symlink', linkname: '..' },
        { name: 'out/escaped.txt', content: 'x' },
      ],
      /holds a symlink/,
    ],
    ['a hard link', [{ name: 'hard', type: 'link', linkname: '/etc/passwd' }], /holds a link/],
    ['a device', [{ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }], /holds a character-device/],
    ['a FIFO', [{ name: 'pipe', type: 'fifo' }], /holds a fifo/],
    [
      'two entries of one name',
      [
        { name: 'a', content: '1' },
        { name: 'a', content: '2' },
      ],
      /EEXIST/,
    ],
  ];
  for (const [what, entries, message] of hostile) {
    it(`refuses ${what}, writing nothing outside its directory`, async () => {
      const file = await archiveOf(entries);
      await expect(extractTarGz(file, root())).rejects.toThrow(message);
      expect(fs.existsSync(path.join(dir, 'escaped.txt'))).toBe(false);
      expect(fs.existsSync(path.join(os.tmpdir(), 'escaped.txt'))).toBe(false);
      for (const name of fs.existsSync(root()) ? fs.readdirSync(root()) : []) expect(fs.lstatSync(path.join(root(), name)).isSymbolicLink()).toBe(false);
    });
  }

  it('refuses bytes that are not a tar.gz', async () => {
    const file = path.join(dir, 'not.tar.gz');
    fs.writeFileSync(file, 'plain text');
    await expect(extractTarGz(file, root())).rejects.toThrow();
  });

  it('is an UnsafeArchiveError callers can tell apart', async () => {
    const file = await archiveOf([{ name: '../x', content: 'x' }]);
    await expect(extractTarGz(file, root())).rejects.toBeInstanceOf(UnsafeArchiveError);
  });
});
