import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { StorageErrors } from './errors.ts';
import { FileWriterThreadPool, type WriterThreads } from './file-writer-threads.ts';

/**
 * Writes a stream to an open file with the SHA-256 and the disk writes done on worker threads.
 *
 * Why: hashing runs at about 1.3 GB/s on the benchmark machine's cores, so a 2 GiB upload
 * spends 1.6 s hashing; on the thread that also reads the socket, that alone held uploads
 * near 450-540 MB/s. Here the main thread only copies each socket chunk into a shared ring
 * of slots (8 MiB, reused for the whole upload, so memory does not grow with the file); one
 * worker hashes and another writes each full slot while the next ones fill.
 *
 * Why two workers: one thread doing both took 2.4 s of CPU per 2 GiB and was the slowest
 * stage; split, the hashing thread takes 1.1 s and the writing one 0.5 s, and the two share
 * the cores with the socket reader and the client (median of 8 alternating 2 GiB uploads:
 * 686 MB/s against 660 with one worker).
 *
 * Why 1 MiB slots written 128 KiB at a time: each full slot wakes both workers, and waking a
 * thread costs a few microseconds in a VM, so large slots mean fewer wakeups (128 KiB slots:
 * 16,384 per 2 GiB). But the kernel sizes its page-cache pieces after the write() call, and
 * on the benchmark VM writes of 1 MiB and more copied into the page cache at a tenth of the
 * speed of 64-256 KiB ones (`dd bs=4M` 230 MB/s, `bs=64K` 1.3-2 GB/s, both without sync).
 */
const SLOT_BYTES = 1024 * 1024;
/** The size of each write() call the writing worker makes. */
const WRITE_BYTES = 128 * 1024;
const SLOTS = 8;
/** One state and one length per slot, then the abort flag; rounded up to a cache line. */
const CONTROL_BYTES = Math.ceil(((SLOTS * 2 + 1) * 4) / 64) * 64;
/** Slot states: bits, so that each worker can mark a slot done without waiting on the other. */
const STATES = { empty: 0, full: 1, end: 2, hashed: 4, written: 8 } as const;
/** How far the file may run ahead of what has been flushed to the disk (see flushAhead). */
const FLUSH_AHEAD_BYTES = 64 * 1024 * 1024;
/** How long one wait for a free slot lasts before the workers' health is checked again. */
const WAIT_MS = 250;

/** The threads of every upload in this process, kept between uploads. */
export const fileWriterThreads = new FileWriterThreadPool(new URL('./file-writer-worker.mjs', import.meta.url), {
  slotBytes: SLOT_BYTES,
  writeBytes: WRITE_BYTES,
  slots: SLOTS,
  controlBytes: CONTROL_BYTES,
  states: STATES,
});

interface WorkerReport {
  sha256?: string;
  written?: true;
  error?: { message: string; code?: string };
}

export class OffThreadFileWriter extends Writable {
  size = 0;
  private sha256: string | undefined;
  private readonly ring = new SharedArrayBuffer(CONTROL_BYTES + SLOT_BYTES * SLOTS);
  private readonly control = new Int32Array(this.ring, 0, CONTROL_BYTES / 4);
  /** A Buffer view of the slots, for its C++ fill (see copySome). */
  private readonly data = Buffer.from(this.ring, CONTROL_BYTES);
  private readonly threads: WriterThreads;
  private readonly reports: Promise<WorkerReport>[];
  /** Both threads reported the end of this file and went back to the pool: nothing of theirs to stop. */
  private returned = false;
  /** Set once a worker has failed or gone: every wait gives up with it. */
  private failure: Error | undefined;
  private slot = 0;
  private filled = 0;
  /** The flush to the disk in progress, if any, and how much had been published when it began. */
  private flushing: Promise<void> | undefined;
  private flushStartedAt = 0;

  constructor(
    private readonly file: FileHandle,
    private readonly maxBytes: number,
    /** Where in the file the first byte goes (a part of a multipart upload goes at its offset). */
    private readonly start = 0,
    /** false: the caller flushes the file later (a part written in place; see measured-file-write.ts). */
    private readonly flush = true,
  ) {
    super({ highWaterMark: SLOT_BYTES });
    this.threads = fileWriterThreads.take();
    const workers = [this.threads.hash, this.threads.write];
    this.reports = workers.map((worker) => this.reportOf(worker));
    for (const worker of workers) worker.postMessage({ ring: this.ring, fd: file.fd, start: this.start });
  }

  /** The worker's one message at the end of this file, or its failure; a failure also stops every wait. */
  private reportOf(worker: Worker): Promise<WorkerReport> {
    return new Promise((resolve) => {
      const settle = (report: WorkerReport, failure?: Error) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (failure) this.failure ??= failure;
        resolve(report);
      };
      const onMessage = (report: WorkerReport) => settle(report, report.error && Object.assign(new Error(report.error.message), { code: report.error.code }));
      const onError = (error: Error) => settle({ error: { message: error.message } }, error);
      // A worker ends by itself only when it is ended; ending before its message means it was lost.
      const onExit = () => {
        const lost = new Error('a file writer thread stopped before the upload was complete');
        settle({ error: { message: lost.message } }, lost);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
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
      done(StorageErrors.FILE_TOO_LARGE({ maxBytes: this.maxBytes }));
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
      const [hashed, written] = await Promise.all(this.reports);
      if (hashed!.sha256 === undefined || !written!.written) throw this.failure ?? new Error('a file writer thread failed');
      this.sha256 = hashed!.sha256;
      // Both threads are done with this file (their last write is behind the report): the next upload may have them.
      this.returned = true;
      fileWriterThreads.giveBack(this.threads);
      await this.flushing;
      if (this.failure) throw this.failure;
      if (this.flush) await this.file.datasync();
    })().then(() => done(), done);
  }

  /** Stops the workers on an error or an aborted request; none writes to the file after this. */
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.returned) {
      done(error);
      return;
    }
    Atomics.store(this.control, SLOTS * 2, 1);
    for (let slot = 0; slot < SLOTS; slot++) Atomics.notify(this.control, slot * 2);
    // Threads that stopped midway may hold a half-done file's state: they end rather than serve another.
    fileWriterThreads.end(this.threads).then(() => done(error));
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
    this.flushAhead();
  }

  /**
   * Starts flushing what the writing worker has written so far, on libuv's thread pool, once
   * the upload has gone FLUSH_AHEAD_BYTES past the last flush. The upload is on the disk before
   * it is answered (see _final); flushing along the way lets the disk work while the socket is
   * still read, so the last flush has at most this much left to write.
   */
  private flushAhead(): void {
    if (!this.flush || this.flushing || this.size - this.flushStartedAt < FLUSH_AHEAD_BYTES) return;
    this.flushStartedAt = this.size;
    this.flushing = this.file.datasync().then(
      () => {
        this.flushing = undefined;
      },
      (error: Error) => {
        this.failure ??= error;
        this.flushing = undefined;
      },
    );
  }

  /** Waits, without blocking the event loop, until both workers are done with `slot`. */
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
