import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { announcedLength } from '../shared/content-length.ts';
import type { App } from './types.ts';

/** Routes registered on `app` receive bodies of any type unparsed, as streams (uploads). */
export function acceptRawBodies(app: App): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

/**
 * An upload's bytes as a stream, with the size its client announced. A request without a body
 * (no Content-Type and no bytes, as `curl --upload-file` sends an empty file) reaches the
 * handler with no stream at all: that is an empty file, which is a legitimate one to store.
 */
export function uploadOf(request: { body: unknown; headers: IncomingHttpHeaders }): { body: Readable; contentLength: number | undefined } {
  if (request.body instanceof Readable) return { body: request.body, contentLength: announcedLength(request.headers) };
  return { body: Readable.from([]), contentLength: 0 };
}
