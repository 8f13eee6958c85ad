import fsp from 'node:fs/promises';

interface Flushing {
  running: Promise<void>;
  /** Another part arrived while this flush ran: flush once more when it ends. */
  again: boolean;
  failure?: Error;
}

/**
 * Flushes the staging file of a multipart upload in the background after each part, so that
 * the disk writes one part while the next one arrives. Why: parts are answered from the page
 * cache (their upload's completion is what makes the file durable), and a 2 GiB upload whose
 * one flush came at completion waited there seconds for the whole file to reach the disk, where
 * a single PUT had flushed along the way. A flush asked for while one runs is folded into one
 * more after it; completion (`settle`) waits for them and fails if any did, then flushes what is
 * left. Only this process's parts are followed: a completion on another replica flushes it all.
 */
export class FlushBehind {
  private readonly flushing = new Map<string, Flushing>();

  request(uploadId: string, file: string): void {
    const current = this.flushing.get(uploadId);
    if (current) {
      current.again = true;
      return;
    }
    const entry: Flushing = { running: Promise.resolve(), again: false };
    const run = async (): Promise<void> => {
      do {
        entry.again = false;
        try {
          await flushFile(file);
        } catch (error) {
          // The file is gone (an aborted upload) or the disk failed: completion is told.
          entry.failure ??= error as Error;
          return;
        }
      } while (entry.again);
    };
    entry.running = run().finally(() => {
      if (this.flushing.get(uploadId) === entry && !entry.failure) this.flushing.delete(uploadId);
    });
    this.flushing.set(uploadId, entry);
  }

  /** Waits for the upload's background flushes; throws if one failed. */
  async settle(uploadId: string): Promise<void> {
    const entry = this.flushing.get(uploadId);
    if (!entry) return;
    await entry.running;
    this.flushing.delete(uploadId);
    if (entry.failure) throw entry.failure;
  }

  forget(uploadId: string): void {
    this.flushing.delete(uploadId);
  }
}

/** Puts a file's data on the disk, so that renaming it into place makes it durable (see fs-store.ts's syncDirectory). */
export async function flushFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
