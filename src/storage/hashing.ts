import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../shared/errors.ts';
import { BackgroundSha256 } from './background-sha256.ts';

export function tooLarge(maxBytes: number): AppError {
  return new AppError('too_large', 'FILE_TOO_LARGE', `413 Payload Too Large: the file is larger than the limit of ${maxBytes} bytes`);
}

/**
 * Counts and hashes bytes as they pass (the hashing on a worker thread), and stops the stream
 * once it exceeds the limit. The digest is asked for as soon as the stream ends, so a hash is
 * never left behind on the worker, whatever the caller does next.
 */
export class MeasuringStream extends Transform {
  private readonly hash: BackgroundSha256 | undefined;
  private sha256: Promise<string> | undefined;
  size = 0;

  constructor(
    private readonly maxBytes: number,
    /** `false` where only the size matters (the parts of an S3 multipart upload). */
    options: { sha256?: boolean } = {},
  ) {
    super();
    this.hash = options.sha256 === false ? undefined : new BackgroundSha256();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(tooLarge(this.maxBytes));
      return;
    }
    let held: Promise<void> | undefined;
    try {
      held = this.hash?.update(chunk);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (held) held.then(() => done(null, chunk), done);
    else done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.hash) {
      this.sha256 = this.hash.digest();
      // Whoever calls digest() sees a failure; nobody calling it must not crash the process.
      this.sha256.catch(() => undefined);
    }
    done();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.sha256) this.hash?.discard();
    callback(error);
  }

  /** The SHA-256 of what passed, once the stream has ended. */
  digest(): Promise<string> {
    return this.sha256 ?? Promise.reject(new Error('the SHA-256 of a stream is known once it has ended'));
  }
}
