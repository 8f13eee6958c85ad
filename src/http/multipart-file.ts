import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { InputErrors } from '../shared/input-errors.ts';

/**
 * Streams the one file part named `field` of a multipart body to `consume` while it arrives
 * (GitLab Runner sends artifacts this way, chunked, size unknown), and skips everything else.
 * Resolves with what `consume` returns once the body has been read to its end.
 */
export function receiveMultipartFile<T>(body: Readable, headers: Record<string, string | string[] | undefined>, field: string, consume: (file: Readable, filename: string) => Promise<T>): Promise<T> {
  const contentType = String(headers['content-type'] ?? '');
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) return Promise.reject(InputErrors.MULTIPART_EXPECTED({ field }));
  return new Promise<T>((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = new Busboy({ headers: { 'content-type': contentType }, limits: { files: 4, fields: 20, fieldSize: 64 * 1024 } });
    } catch (error) {
      reject(InputErrors.MULTIPART_INVALID({ detail: (error as Error).message }));
      return;
    }
    let consumed: Promise<T> | undefined;
    parser.on('file', (name: string, file: Readable, filename: string) => {
      if (name !== field || consumed) {
        file.resume();
        return;
      }
      consumed = consume(file, filename);
      // The body must keep flowing even if consuming fails: the error is reported at the end.
      consumed.catch(() => file.resume());
    });
    parser.on('error', (error: Error) => reject(InputErrors.MULTIPART_INVALID({ detail: error.message })));
    parser.on('finish', () => {
      if (!consumed) reject(InputErrors.MULTIPART_NO_FILE({ field }));
      else consumed.then(resolve, reject);
    });
    body.on('error', reject);
    body.pipe(parser);
  });
}
