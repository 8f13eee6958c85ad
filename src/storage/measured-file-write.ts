import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredBlob } from './blob-store.ts';
import { MeasuringStream } from './hashing.ts';
import { OffThreadFileWriter } from './off-thread-file-writer.ts';

/**
 * Below this announced size a file is hashed and written on the main thread: starting a worker
 * thread costs about 20 ms, more than hashing 16 MiB does, and most artifacts are small.
 */
const OFF_THREAD_MIN_BYTES = 16 * 1024 * 1024;
/**
 * Each off-thread upload keeps two threads busy (hashing, writing); more such uploads than
 * cores would only take turns, so later ones are done on the main thread.
 */
const MAX_OFF_THREAD_UPLOADS = Math.max(2, os.availableParallelism());
let offThreadUploads = 0;

export interface MeasuredWriteOptions {
  maxBytes: number;
  /** The size the client announced (Content-Length), when it did. */
  contentLength?: number;
  /** Write into the existing `file` from this offset (a part of a multipart upload), instead of creating it. */
  at?: number;
  /**
   * false: leave the bytes in the page cache (a part written in place, which its upload's
   * completion flushes with the whole file); otherwise they are on the disk when this resolves.
   */
  flush?: boolean;
}

/**
 * Streams `body` into `file`, which must not exist yet (or, with `at`, into the existing file
 * from that offset, the rest of it untouched), and returns its size and SHA-256
 * computed on the way. Bytes past `maxBytes` fail the write with a 413 error; the caller
 * removes the partial file.
 */
export async function writeMeasuredFile(body: Readable, file: string, options: MeasuredWriteOptions): Promise<StoredBlob> {
  if ((options.contentLength ?? 0) >= OFF_THREAD_MIN_BYTES && offThreadUploads < MAX_OFF_THREAD_UPLOADS) {
    offThreadUploads++;
    try {
      return await writeOffThread(body, file, options.maxBytes, options.at, options.flush ?? true);
    } finally {
      offThreadUploads--;
    }
  }
  const measure = new MeasuringStream(options.maxBytes);
  const into = options.at === undefined ? { flags: 'wx' } : { flags: 'r+', start: options.at };
  await pipeline(body, measure, fs.createWriteStream(file, { ...into, flush: options.flush ?? true }));
  return { size: measure.size, sha256: measure.digest() };
}

async function writeOffThread(body: Readable, file: string, maxBytes: number, at: number | undefined, flush: boolean): Promise<StoredBlob> {
  const handle = await fsp.open(file, at === undefined ? 'wx' : 'r+');
  const writer = new OffThreadFileWriter(handle, maxBytes, at ?? 0, flush);
  try {
    await pipeline(body, writer);
    return { size: writer.size, sha256: writer.digest() };
  } finally {
    // The worker writes through this descriptor: close it only once that thread has stopped,
    // or a write could land in whatever file reuses the number.
    if (!writer.closed) await once(writer, 'close');
    await handle.close();
  }
}
