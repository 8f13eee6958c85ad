import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { tooLarge } from './hashing.ts';

/**
 * Writes a stream to an open file with the SHA-256 and the disk writes done on a worker thread.
 *
 * Why: hashing runs at about 1.3 GB/s on the benchmark machine's cores, so a 2 GiB upload
 * spends 1.6 s hashing; on the thread that also reads the socket, that alone held uploads
 * near 450-540 MB/s. Here the main thread only copies each socket chunk into a shared ring
 * of slots (4 MiB, reused for the whole upload, so memory does not grow with the file) and
 * the worker hashes and writes each full slot while the next ones fill.
 *
 * Why slots of 128 KiB: the kernel sizes its page-cache pieces after the write() call, and on
 * the benchmark VM writes of 1 MiB and more copied into the page cache at a tenth of the speed
 * of 64-256 KiB ones (`dd bs=4M` 230 MB/s, `bs=64K` 1.3-2 GB/s, both without sync).
 */
const SLOT_BYTES = 128 * 1024;
const SLOTS = 32;
/** One state and one length per slot, then the abort flag; rounded up to a cache line. */
const CONTROL_BYTES = Math.ceil(((SLOTS * 2 + 1) * 4) / 64) * 64;
const STATES = { empty: 0, full: 1, end: 2 } as const;
/** How long one wait for a free slot lasts before the worker's health is checked again. */
const WAIT_MS = 250;

interface WorkerReport {
  sha256?: string;
  error?: { message: string; code?: string };
}

export class OffThreadFileWriter extends Writable {
  size = 0;
  private sha256: string | undefined;
  private readonly ring = new SharedArrayBuffer(CONTROL_BYTES + SLOT_BYTES * SLOTS);
  private readonly control = new Int32Array(this.ring, 0, CONTROL_BYTES / 4);
  /** A Buffer view of the slots, for its C++ fill (see copySome). */
  private readonly data = Buffer.from(this.ring, CONTROL_BYTES);
  private readonly worker: Worker;
  private readonly report: Promise<WorkerReport>;
  /** Set once the worker has failed or gone: every wait gives up with it. */
  private failure: Error | undefined;
  private slot = 0;
  private filled = 0;

  constructor(file: FileHandle, private readonly maxBytes: number) {
    super({ highWaterMark: SLOT_BYTES });
    this.worker = new Worker(new URL('./file-writer-worker.mjs', import.meta.url), {
      workerData: { ring: this.ring, fd: file.fd, slotBytes: SLOT_BYTES, slots: SLOTS, controlBytes: CONTROL_BYTES, states: STATES },
    });
    this.report = new Promise((resolve) => {
      this.worker.once('message', (report: WorkerReport) => {
        if (report.error) this.failure = Object.assign(new Error(report.error.message), { code: report.error.code });
        resolve(report);
      });
      this.worker.once('error', (error) => {
        this.failure = error;
        resolve({ error: { message: error.message } });
      });
      this.worker.once('exit', () => {
        this.failure ??= new Error('the file writer thread stopped before the upload was complete');
        resolve({ error: { message: this.failure.message } });
      });
    });
  }

  /** The SHA-256 of everything written; known once the stream has finished. */
  digest(): string {
    if (this.sha256 === undefined) throw new Error('the digest is known only once the stream has finished');
    return this.sha256;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(tooLarge(this.maxBytes));
      return;
    }
    // Most chunks fit into free slots at once; only a full ring makes this wait.
    const waitingAt = this.copySome(chunk, 0);
    if (waitingAt === chunk.length) done();
    else this.copyRest(chunk, waitingAt).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    (async () => {
      if (this.filled > 0) this.publish();
      await this.untilFree(this.slot);
      Atomics.store(this.control, this.slot * 2, STATES.end);
      Atomics.notify(this.control, this.slot * 2);
      const report = await this.report;
      if (report.sha256 === undefined) throw this.failure ?? new Error(report.error?.message ?? 'the file writer thread failed');
      this.sha256 = report.sha256;
    })().then(() => done(), done);
  }

  /** Stops the worker on an error or an aborted request; it has the file open for writing no more after this. */
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    Atomics.store(this.control, SLOTS * 2, 1);
    for (let slot = 0; slot < SLOTS; slot++) Atomics.notify(this.control, slot * 2);
    this.worker.terminate().then(
      () => done(error),
      () => done(error),
    );
  }

  /** Copies from `offset` for as long as slots are free; returns where it had to stop. */
  private copySome(chunk: Buffer, offset: number): number {
    while (offset < chunk.length) {
      if (this.filled === 0 && Atomics.load(this.control, this.slot * 2) !== STATES.empty) return offset;
      const length = Math.min(SLOT_BYTES - this.filled, chunk.length - offset);
      const at = this.slot * SLOT_BYTES + this.filled;
      // fill() with a buffer of the range's own length is one memcpy in Node's C++; copy() and
      // set() into shared memory go through V8's relaxed byte-wise copy, which took 15% of this
      // thread's time in a 2 GiB upload.
      this.data.fill(chunk.subarray(offset, offset + length), at, at + length);
      this.filled += length;
      offset += length;
      if (this.filled === SLOT_BYTES) this.publish();
    }
    return offset;
  }

  private async copyRest(chunk: Buffer, offset: number): Promise<void> {
    while (offset < chunk.length) {
      await this.untilFree(this.slot);
      offset = this.copySome(chunk, offset);
    }
  }

  private publish(): void {
    this.control[this.slot * 2 + 1] = this.filled;
    Atomics.store(this.control, this.slot * 2, STATES.full);
    Atomics.notify(this.control, this.slot * 2);
    this.slot = (this.slot + 1) % SLOTS;
    this.filled = 0;
  }

  /** Waits, without blocking the event loop, until the worker has emptied `slot`. */
  private async untilFree(slot: number): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const state = Atomics.load(this.control, slot * 2);
      if (state === STATES.empty) return;
      const waited = Atomics.waitAsync(this.control, slot * 2, state, WAIT_MS);
      if (waited.async) await waited.value;
    }
  }
}
