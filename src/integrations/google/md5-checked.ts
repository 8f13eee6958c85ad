import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { GoogleErrors } from './errors.ts';

/** The MD5 a Cloud Storage media answer announces in `x-goog-hash` (`crc32c=…,md5=…`), base64; null when none. */
export function announcedMd5(header: string | string[] | undefined): string | null {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return /(?:^|,)\s*md5=([A-Za-z0-9+/=]+)/.exec(text)?.[1] ?? null;
}

/**
 * The body passed through, its MD5 computed on the way and compared with what Cloud Storage
 * announced when the last byte has passed: a mismatch ends the stream with an error, so the copy
 * reading it fails instead of storing a corrupted file. Only for a whole object (a ranged answer's
 * header still describes the whole object).
 */
export function md5Checked(body: Readable, expectedBase64: string, name: string): Readable {
  const hash = createHash('md5');
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('base64');
      done(actual === expectedBase64 ? null : GoogleErrors.GOOGLE_MD5_MISMATCH({ name, expected: expectedBase64, actual }));
    },
  });
  body.on('error', (error) => check.destroy(error));
  return body.pipe(check);
}
