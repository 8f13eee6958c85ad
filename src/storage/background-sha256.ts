import { Worker } from 'node:worker_threads';

/**
 * SHA-256 computed on a worker thread. Hashing a 2 GiB upload on the thread that also reads
 * the socket and drives the disk writes took 1.6 s of its time and held uploads to about
 * 300-400 MB/s on a 2-core machine; without it they ran at 400-690 MB/s. Bytes are copied
 * into 1 MiB batches whose memory is handed over (not copied again) to the worker, which
 * hashes them while the next ones arrive. Uploads are held back when more than 32 MiB wait
 * to be hashed, so a slow worker cannot make memory grow.
 */
const BATCH_BYTES = 1024 * 1024;
const MAX_WAITING_BYTES = 32 * 1024 * 1024;

interface Pending {
  digest?: { resolve(hex: string): void; reject(error: Error): void };
  /** Set when the worker died with this hash unfinished: its bytes are lost. */
  failed?: Error;
  waiting: number;
  drained?: () => void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/** Keeps the process alive only while a digest is awaited, so an idle worker never holds it open. */
function refWhileAwaited(): void {
  if (!worker) return;
  if ([...pending.values()].some((p) => p.digest)) worker.ref();
  else worker.unref();
}

function hashWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./hash-worker.mjs', import.meta.url));
  started.unref();
  started.on('message', (message: { id: number; type: 'ack' | 'digest'; length?: number; hex?: string }) => {
    const entry = pending.get(message.id);
    if (!entry) return;
    if (message.type === 'ack') {
      entry.waiting -= message.length!;
      if (entry.waiting <= MAX_WAITING_BYTES / 2 && entry.drained) {
        const drained = entry.drained;
        entry.drained = undefined;
        drained();
      }
    } else {
      pending.delete(message.id);
      entry.digest?.resolve(message.hex!);
      refWhileAwaited();
    }
  });
  const fail = (error: Error) => {
    if (worker === started) worker = undefined;
    for (const [id, entry] of pending) {
      pending.delete(id);
      entry.failed = error;
      entry.digest?.reject(error);
      entry.drained?.();
    }
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the hashing worker stopped (exit code ${code})`)));
  worker = started;
  return started;
}

/** A batch with memory of its own (so it can be handed over), not zero-filled first: the worker reads only the bytes written into it. */
function newBatch(): Uint8Array {
  return Buffer.allocUnsafeSlow(BATCH_BYTES);
}

export class BackgroundSha256 {
  private readonly id = nextId++;
  private readonly entry: Pending = { waiting: 0 };
  private batch = newBatch();
  private used = 0;
  private finished = false;

  constructor() {
    pending.set(this.id, this.entry);
  }

  /** Adds bytes; resolves at once unless too many are still waiting to be hashed. */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.entry.failed) throw this.entry.failed;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, BATCH_BYTES - this.used);
      this.batch.set(chunk.subarray(offset, offset + take), this.used);
      this.used += take;
      offset += take;
      if (this.used === BATCH_BYTES) this.send();
    }
    if (this.entry.waiting <= MAX_WAITING_BYTES) return undefined;
    return new Promise((resolve) => (this.entry.drained = resolve));
  }

  private send(): void {
    if (this.used === 0) return;
    const bytes = this.batch.buffer as ArrayBuffer;
    hashWorker().postMessage({ id: this.id, type: 'data', bytes, length: this.used }, [bytes]);
    this.entry.waiting += this.used;
    this.batch = newBatch();
    this.used = 0;
  }

  /** The hex digest of everything added; call once. */
  digest(): Promise<string> {
    this.finished = true;
    if (this.entry.failed) return Promise.reject(this.entry.failed);
    this.send();
    return new Promise((resolve, reject) => {
      this.entry.digest = { resolve, reject };
      hashWorker().postMessage({ id: this.id, type: 'digest' });
      refWhileAwaited();
    });
  }

  /** Forgets the bytes of an upload that will not be completed. */
  discard(): void {
    if (this.finished) return;
    this.finished = true;
    pending.delete(this.id);
    worker?.postMessage({ id: this.id, type: 'drop' });
  }
}
