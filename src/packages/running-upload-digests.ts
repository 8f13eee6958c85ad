import { createHash, type Hash } from 'node:crypto';

/**
 * The whole file's SHA-256 of the uploads this server process started, fed by their parts while
 * they arrive in order (1, 2, 3, ...), so that completion need not read the assembled file again.
 *
 * This is a shortcut, never the record: the upload's state lives in the database and any replica
 * takes any part. So a digest is given up (completion then reads the file, as it always could)
 * as soon as it might not be the file's: a part out of order or sent again, two parts at once, a
 * part taken by another replica (completion compares every part's SHA-256 with the one hashed
 * here), or a restart (nothing here survives it). A part that fails rolls its bytes back out.
 */
export class RunningUploadDigests {
  private readonly running = new Map<string, Running>();

  /** At most this many uploads are followed at once; later ones fall back to the read at completion. */
  constructor(private readonly capacity = 256) {}

  start(uploadId: string): void {
    if (this.running.size < this.capacity) this.running.set(uploadId, { next: 1, hash: createHash('sha256'), busy: false, parts: [] });
  }

  /**
   * The hash that part `partNumber`'s bytes go into, if it is the next one and no other part is
   * on the way; then exactly one of the claim's `accepted` or `refused` must follow.
   */
  claim(uploadId: string, partNumber: number): PartClaim | undefined {
    const running = this.running.get(uploadId);
    if (!running) return undefined;
    if (running.busy || running.next !== partNumber) {
      this.running.delete(uploadId);
      return undefined;
    }
    running.busy = true;
    const before = running.hash.copy();
    return {
      hash: running.hash,
      accepted: (sha256: string) => {
        running.busy = false;
        running.next = partNumber + 1;
        running.parts.push(sha256);
      },
      refused: () => {
        running.busy = false;
        running.hash = before;
      },
    };
  }

  /**
   * The file's SHA-256, when every one of its `partSha256s` (in order) went through here and
   * nothing since could have changed them; the upload is no longer followed either way.
   */
  finish(uploadId: string, partSha256s: string[]): string | undefined {
    const running = this.running.get(uploadId);
    this.running.delete(uploadId);
    if (!running || running.busy || running.parts.length !== partSha256s.length) return undefined;
    if (running.parts.some((sha256, i) => sha256 !== partSha256s[i])) return undefined;
    return running.hash.digest('hex');
  }

  forget(uploadId: string): void {
    this.running.delete(uploadId);
  }
}

interface Running {
  next: number;
  hash: Hash;
  /** A part is streaming into the hash now. */
  busy: boolean;
  /** Each hashed part's own SHA-256, by number - 1. */
  parts: string[];
}

export interface PartClaim {
  hash: Hash;
  accepted(partSha256: string): void;
  refused(): void;
}
