import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { packFiles, type ArchiveFile } from '../../src/registry/deterministic-tar.ts';

const fileOf = (path: string, content: string): ArchiveFile => ({ path, size: Buffer.byteLength(content), open: async () => Readable.from([Buffer.from(content)]) });

/** `size` bytes made as they are read, 64 KiB at a time, counting how many were read. */
function generated(path: string, size: number, counter: { read: number; destroyed: boolean }): ArchiveFile {
  return {
    path,
    size,
    open: async () => {
      let left = size;
      const chunk = Buffer.alloc(64 * 1024, 7);
      return new Readable({
        read() {
          if (left === 0) return void this.push(null);
          const n = Math.min(left, chunk.length);
          left -= n;
          counter.read += n;
          this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
        },
        destroy(error, callback) {
          counter.destroyed = true;
          callback(error);
        },
      });
    },
  };
}

async function digest(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('deterministic tar.gz', () => {
  it('gives the same bytes for the same files, whatever order they come in', async () => {
    const files = [fileOf('b/x.txt', 'x'), fileOf('MLmodel', 'flavors'), fileOf('a.txt', 'a')];
    const first = await digest(packFiles(files));
    expect(await digest(packFiles([...files].reverse()))).toBe(first);
    expect(await digest(packFiles([fileOf('b/x.txt', 'y'), files[1]!, files[2]!]))).not.toBe(first);
  });

  it('fails, rather than ending cleanly, when a file has fewer bytes than recorded', async () => {
    const short: ArchiveFile = { path: 'model.pkl', size: 10, open: async () => Readable.from([Buffer.from('abc')]) };
    await expect(digest(packFiles([short]))).rejects.toThrow(/size mismatch/i);
  });

  it('streams a large file in constant memory', async () => {
    const counter = { read: 0, destroyed: false };
    const size = 256 * 1024 * 1024;
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const hash = createHash('sha256');
    for await (const chunk of packFiles([generated('big.bin', size, counter)])) {
      hash.update(chunk as Buffer);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(counter.read).toBe(size);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('stops reading and closes the open file when the reader goes away', async () => {
    const counter = { read: 0, destroyed: false };
    const stream = packFiles([generated('big.bin', 256 * 1024 * 1024, counter)]);
    for await (const _chunk of stream) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const readThen = counter.read;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(counter.destroyed).toBe(true);
    expect(counter.read).toBe(readThen);
    expect(readThen).toBeLessThan(16 * 1024 * 1024);
  });
});
