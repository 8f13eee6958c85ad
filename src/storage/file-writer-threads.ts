import { Worker } from 'node:worker_threads';

/** The two threads one off-thread upload runs on (off-thread-file-writer.ts). */
export interface WriterThreads {
  hash: Worker;
  write: Worker;
}

/** How long a pair waits for the next upload before its threads end. */
const IDLE_MS = 30_000;

/**
 * Keeps the pairs of file-writer threads between uploads. Why: starting a thread costs about
 * 30 ms of CPU (a new V8 isolate), and a multipart upload sends a part per request: a 2 GiB
 * file in 64 MiB parts started 64 threads, about 2 s of the server's CPU, as much as hashing
 * the whole file once. A pair is only reused after its last upload ended cleanly (both threads
 * reported); one that failed or was aborted is ended instead. Idle threads do not keep the
 * process alive and end after IDLE_MS.
 */
export class FileWriterThreadPool {
  private readonly idle: { threads: WriterThreads; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly script: URL,
    /** What every thread is started with: its role is added. */
    private readonly shared: Record<string, unknown>,
  ) {}

  take(): WriterThreads {
    const kept = this.idle.pop();
    const threads = kept?.threads ?? { hash: this.start('hash'), write: this.start('write') };
    if (kept) clearTimeout(kept.timer);
    threads.hash.ref();
    threads.write.ref();
    return threads;
  }

  /** A pair whose upload ended cleanly: kept for the next one. */
  giveBack(threads: WriterThreads): void {
    threads.hash.unref();
    threads.write.unref();
    const entry = {
      threads,
      timer: setTimeout(() => {
        this.idle.splice(this.idle.indexOf(entry), 1);
        void this.end(threads);
      }, IDLE_MS).unref(),
    };
    this.idle.push(entry);
  }

  async end(threads: WriterThreads): Promise<void> {
    await Promise.allSettled([threads.hash.terminate(), threads.write.terminate()]);
  }

  /** Pairs waiting for an upload now. */
  get idleCount(): number {
    return this.idle.length;
  }

  private start(role: 'hash' | 'write'): Worker {
    return new Worker(this.script, { workerData: { ...this.shared, role } });
  }
}
