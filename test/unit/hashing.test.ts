import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { MeasuringStream } from '../../src/storage/hashing.ts';

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

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

describe('MeasuringStream (SHA-256 on a worker thread)', () => {
  it('hashes and counts exactly what passes, across batch boundaries and several streams at once', async () => {
    const inputs = [randomBytes(3 * 1024 * 1024 + 12345), randomBytes(1), Buffer.alloc(0), randomBytes(1024 * 1024)];
    const results = await Promise.all(
      inputs.map(async (data, i) => {
        const measure = new MeasuringStream(10 * 1024 * 1024);
        await pipeline(pieces(data, [65_536, 1, 777_777, 4096 + i]), measure, sink());
        return { size: measure.size, sha256: await measure.digest() };
      }),
    );
    results.forEach((result, i) => {
      expect(result).toEqual({ size: inputs[i]!.length, sha256: createHash('sha256').update(inputs[i]!).digest('hex') });
    });
  });

  it('stops at the limit with a 413 error, and a later stream still hashes right', async () => {
    const tooBig = new MeasuringStream(1000);
    await expect(pipeline(Readable.from([randomBytes(600), randomBytes(600)]), tooBig, sink())).rejects.toMatchObject({ message: expect.stringContaining('413') });
    await expect(tooBig.digest()).rejects.toThrow(/once it has ended/);
    const data = randomBytes(5000);
    const fine = new MeasuringStream(10_000);
    await pipeline(Readable.from([data]), fine, sink());
    expect(await fine.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
