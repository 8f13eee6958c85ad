import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FlushBehind } from '../../src/storage/flush-behind.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flush-behind-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('flushing a multipart upload’s staging file behind its parts', () => {
  it('flushes after a part, folds the parts that arrive meanwhile into one more flush, and completion waits for them', async () => {
    const file = path.join(dir, 'staged');
    fs.writeFileSync(file, 'part one');
    const opened = vi.spyOn(fsp, 'open');
    const flushes = new FlushBehind();
    flushes.request('u1', file);
    flushes.request('u1', file);
    flushes.request('u1', file);
    await flushes.settle('u1');
    // The first runs at once; the two asked for while it ran become one.
    expect(opened.mock.calls.filter(([f]) => f === file)).toHaveLength(2);
    // Nothing left to wait for afterwards.
    await flushes.settle('u1');
    expect(opened.mock.calls.filter(([f]) => f === file)).toHaveLength(2);
  });

  it('fails the completion when a flush behind the parts failed', async () => {
    const flushes = new FlushBehind();
    flushes.request('u2', path.join(dir, 'missing', 'staged'));
    await expect(flushes.settle('u2')).rejects.toMatchObject({ code: 'ENOENT' });
    // Told once; an abort then forgets the upload.
    await expect(flushes.settle('u2')).resolves.toBeUndefined();
  });

  it('keeps uploads apart', async () => {
    const a = path.join(dir, 'a');
    fs.writeFileSync(a, 'a');
    const flushes = new FlushBehind();
    flushes.request('ua', a);
    flushes.request('ub', path.join(dir, 'missing-b'));
    await expect(flushes.settle('ua')).resolves.toBeUndefined();
    await expect(flushes.settle('ub')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
