import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Instance } from '../agent-protocol/protocol.ts';
import type { AgentClient } from './protocol-client.ts';
import { extractTarGz } from './safe-extract.ts';

/** A download that sends nothing for this long is abandoned (and retried by its instance). */
const STALL_MS = 60_000;
/** Archives no instance uses that are kept for a quick way back (a rollback). */
const SPARE_ARCHIVES = 3;

export class ArchiveMismatchError extends Error {
  override readonly name = 'ArchiveMismatchError';
}

/**
 * Version archives, downloaded once and unpacked, by SHA-256: `<dir>/<sha256>/` is the model
 * directory. A directory appears under its final name only when complete and verified, so a
 * killed agent leaves at most a `.partial-…` that the next one removes.
 */
export class ArchiveCache {
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly dir: string,
    private readonly client: AgentClient,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) if (name.includes('.partial-')) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }

  /**
   * The unpacked directory of these files: from the cache, else downloaded, verified and
   * unpacked. Several instances of one archive share one download; `signal` stops only this
   * caller's wait.
   */
  async ensure(files: Instance['files'], signal: AbortSignal): Promise<string> {
    const target = path.join(this.dir, files.sha256);
    if (fs.existsSync(target)) {
      const now = new Date();
      fs.utimesSync(target, now, now);
      return target;
    }
    let fetching = this.fetching.get(files.sha256);
    if (!fetching) {
      fetching = this.fetch(files, target).finally(() => this.fetching.delete(files.sha256));
      this.fetching.set(files.sha256, fetching);
    }
    return abortable(fetching, signal);
  }

  private async fetch(files: Instance['files'], target: string): Promise<string> {
    const partial = `${target}.partial-${randomBytes(6).toString('hex')}`;
    const archive = `${partial}.tar.gz`;
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), STALL_MS);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const body = await this.client.download(files.url, stall.signal);
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          clearTimeout(timer);
          timer = setTimeout(() => stall.abort(), STALL_MS);
          hash.update(chunk);
          size += chunk.length;
          callback(null, size > files.size ? undefined : chunk);
        },
      });
      await pipeline(Readable.fromWeb(body as never), measure, fs.createWriteStream(archive, { mode: 0o600 }));
      const sha256 = hash.digest('hex');
      if (size !== files.size || sha256 !== files.sha256) {
        throw new ArchiveMismatchError(`the archive ${files.url} has ${size} bytes with SHA-256 ${sha256}; the server announced ${files.size} bytes with ${files.sha256}`);
      }
      await extractTarGz(archive, partial);
      fs.renameSync(partial, target);
      return target;
    } catch (error) {
      if (stall.signal.aborted) throw new Error(`the download of ${files.url} stalled for ${STALL_MS / 1000} s`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
      fs.rmSync(archive, { force: true });
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }

  /** Removes archives no instance uses, but the few most recently used. */
  prune(inUse: ReadonlySet<string>): void {
    const unused = fs
      .readdirSync(this.dir)
      .filter((name) => /^[0-9a-f]{64}$/.test(name) && !inUse.has(name) && !this.fetching.has(name))
      .map((name) => ({ name, used: fs.statSync(path.join(this.dir, name)).mtimeMs }))
      .sort((a, b) => b.used - a.used);
    for (const { name } of unused.slice(SPARE_ARCHIVES)) fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }
}

/** The promise's outcome, or a rejection as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('stopped'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
