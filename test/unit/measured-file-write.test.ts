import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FsBlobStore } from '../../src/storage/fs-store.ts';
import { writeMeasuredFile } from '../../src/storage/measured-file-write.ts';
import { fileWriterThreads, OffThreadFileWriter } from '../../src/storage/off-thread-file-writer.ts';

const MiB = 1024 * 1024;
let dir: string;
let serial = 0;
const newPath = () => path.join(dir, `file-${++serial}`);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Feeds `data` in pieces of uneven sizes, as a socket would. */
function pieces(data: Buffer, sizes: number[]): Readable {
  const out: Buffer[] = [];
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(out);
}

/** A body that sends `first` and then fails, as an aborted request does. */
function failingAfter(first: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield first;
      throw new Error('client went away');
    })(),
  );
}

const threadCount = () => fs.readdirSync('/proc/self/task').length;

/** A body of two 64 KiB pieces, the second held back until released. */
function held(): { stream: Readable; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stream = Readable.from(
    (async function* () {
      yield randomBytes(65_536);
      await gate;
      yield randomBytes(65_536);
    })(),
  );
  return { stream, release };
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'measured-write-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('OffThreadFileWriter (hashing and writing on two worker threads)', () => {
  it('writes and hashes exactly what passes, across slot boundaries, for several files at once', async () => {
    // Sizes around the 1 MiB slots, their 128 KiB writes and the 8 MiB ring: a wrap, exact
    // fills, a part of one write, one byte, none.
    const inputs = [randomBytes(9 * MiB + 12_345), randomBytes(MiB), randomBytes(128 * 1024 + 7), randomBytes(1), Buffer.alloc(0)];
    const written = await Promise.all(
      inputs.map(async (data, i) => {
        const file = newPath();
        const handle = await fsp.open(file, 'wx');
        const writer = new OffThreadFileWriter(handle, 100 * MiB);
        await pipeline(pieces(data, [65_536, 1, 777_777, 4096 + i]), writer);
        await handle.close();
        return { file, size: writer.size, sha256: writer.digest() };
      }),
    );
    written.forEach((result, i) => {
      expect({ size: result.size, sha256: result.sha256 }).toEqual({ size: inputs[i]!.length, sha256: sha256(inputs[i]!) });
      expect(fs.readFileSync(result.file).equals(inputs[i]!)).toBe(true);
    });
  });

  it("fails with the worker's write error instead of waiting forever", async () => {
    const file = newPath();
    fs.writeFileSync(file, '');
    const readOnly = await fsp.open(file, 'r');
    const writer = new OffThreadFileWriter(readOnly, 100 * MiB);
    await expect(pipeline(pieces(randomBytes(8 * MiB), [65_536]), writer)).rejects.toMatchObject({ code: 'EBADF' });
    await readOnly.close();
  });
});

describe('writeMeasuredFile', () => {
  for (const [label, contentLength] of [
    ['a small file, on the main thread', undefined],
    ['a large announced file, on worker threads', 64 * MiB],
  ] as const) {
    it(`stores ${label} with its size and SHA-256`, async () => {
      const data = randomBytes(20 * MiB + 7);
      const file = newPath();
      const stored = await writeMeasuredFile(pieces(data, [65_536, 3000]), file, { maxBytes: 100 * MiB, contentLength });
      expect(stored).toEqual({ size: data.length, sha256: sha256(data) });
      expect(fs.readFileSync(file).equals(data)).toBe(true);
    });

    it(`stops ${label} at the size limit with a 413 error`, async () => {
      const file = newPath();
      await expect(writeMeasuredFile(pieces(randomBytes(20 * MiB), [65_536]), file, { maxBytes: 5 * MiB, contentLength })).rejects.toMatchObject({
        kind: 'too_large',
        message: expect.stringContaining('413'),
      });
      expect(fs.statSync(file).size).toBeLessThanOrEqual(5 * MiB);
    });

    it(`gives up ${label} when the body fails midway`, async () => {
      await expect(writeMeasuredFile(failingAfter(randomBytes(2 * MiB)), newPath(), { maxBytes: 100 * MiB, contentLength })).rejects.toThrow('client went away');
    });
  }

  it('runs a large announced file on a pair of writer threads (hashing, writing) kept for the next one, a small one on the main thread', async () => {
    // The process's threads and the pool's idle pairs while a write waits for its second piece.
    const during = async (contentLength: number, body = held()) => {
      const writing = writeMeasuredFile(body.stream, newPath(), { maxBytes: 100 * MiB, contentLength });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = { threads: threadCount(), idle: fileWriterThreads.idleCount };
      body.release();
      expect((await writing).size).toBe(2 * 65_536);
      return seen;
    };
    const before = { threads: threadCount(), idle: fileWriterThreads.idleCount };
    expect(await during(1024)).toEqual(before);
    const first = await during(64 * MiB);
    // An idle pair from an earlier test is taken, or a new one is started.
    expect(first).toEqual(before.idle > 0 ? { threads: before.threads, idle: before.idle - 1 } : { threads: before.threads + 2, idle: 0 });
    const after = { threads: threadCount(), idle: fileWriterThreads.idleCount };
    expect(after.idle).toBe(Math.max(1, before.idle));
    // The next large file starts no thread: it takes the pair the first one gave back.
    expect(await during(64 * MiB)).toEqual({ threads: after.threads, idle: after.idle - 1 });
  });

  it('ends the threads of an upload that failed instead of keeping them', async () => {
    await writeMeasuredFile(Readable.from([randomBytes(65_536)]), newPath(), { maxBytes: 100 * MiB, contentLength: 64 * MiB });
    const idle = fileWriterThreads.idleCount;
    const threads = threadCount();
    await expect(writeMeasuredFile(failingAfter(randomBytes(2 * MiB)), newPath(), { maxBytes: 100 * MiB, contentLength: 64 * MiB })).rejects.toThrow('client went away');
    // It took an idle pair and did not give it back.
    expect(fileWriterThreads.idleCount).toBe(idle - 1);
    await expect.poll(() => threadCount()).toBe(threads - 2);
  });

  it('counts what arrives, not what the client announced', async () => {
    const data = randomBytes(3 * MiB);
    const stored = await writeMeasuredFile(pieces(data, [65_536]), newPath(), { maxBytes: 100 * MiB, contentLength: 1024 * MiB });
    expect(stored).toEqual({ size: data.length, sha256: sha256(data) });
  });

  it('keeps every file right when more large uploads run than may go off the main thread', async () => {
    const inputs = Array.from({ length: os.availableParallelism() + 3 }, () => randomBytes(5 * MiB + 1));
    const stored = await Promise.all(inputs.map((data) => writeMeasuredFile(pieces(data, [65_536]), newPath(), { maxBytes: 100 * MiB, contentLength: 32 * MiB })));
    stored.forEach((result, i) => expect(result).toEqual({ size: inputs[i]!.length, sha256: sha256(inputs[i]!) }));
  });
});

describe('durability: an upload is on the disk before it is answered', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('flushes a large file along the way and once more at the end (worker threads)', async () => {
    const data = Buffer.alloc(200 * MiB, 7);
    const handle = await fsp.open(newPath(), 'wx');
    const datasync = vi.spyOn(handle, 'datasync');
    const writer = new OffThreadFileWriter(handle, 1024 * MiB);
    let flushesWhileArriving = 0;
    const body = Readable.from(
      (async function* () {
        for (let offset = 0; offset < data.length; offset += MiB) yield data.subarray(offset, offset + MiB);
        flushesWhileArriving = datasync.mock.calls.length;
      })(),
    );
    await pipeline(body, writer);
    await handle.close();
    // Every 64 MiB a flush starts while the rest still arrives (one still running makes the next
    // wait, and the writer may still be catching up when the body ends, so their count depends
    // on timing); at least one more comes after it all; and never one per chunk.
    expect(flushesWhileArriving).toBeGreaterThanOrEqual(1);
    expect(datasync.mock.calls.length).toBeGreaterThan(flushesWhileArriving);
    expect(datasync.mock.calls.length).toBeLessThanOrEqual(Math.ceil(data.length / (64 * MiB)) + 1);
  });

  it('flushes a small file before it resolves (main thread)', async () => {
    const fsync = vi.spyOn(fs, 'fsync');
    await writeMeasuredFile(Readable.from([Buffer.from('small')]), newPath(), { maxBytes: MiB });
    expect(fsync).toHaveBeenCalledTimes(1);
  });

  it('syncs the folder that a stored file is renamed into', async () => {
    const store = new FsBlobStore(path.join(dir, 'store'));
    const handle = await fsp.open(newPath(), 'wx');
    const sync = vi.spyOn(Object.getPrototypeOf(handle), 'sync');
    await handle.close();
    await store.put('a/b/file.txt', Readable.from([Buffer.from('x')]), { maxBytes: MiB });
    expect(sync).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(path.join(dir, 'store', 'a/b/file.txt'), 'utf8')).toBe('x');
  });
});
