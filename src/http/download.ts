import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { downloadType } from './content-type.ts';
import { parseRange } from './range.ts';
import type { ByteRange } from '../storage/blob-store.ts';

export interface DownloadableFile {
  name: string;
  size: number;
  sha256: string;
  open(range?: ByteRange): Promise<Readable>;
}

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** How a protocol labels its downloads, where its clients compare the headers exactly. */
export interface DownloadLabel {
  contentType(fileName: string): string;
  contentDisposition(fileName: string): string;
}

/**
 * Streams a stored file with the headers a careful download needs: its length, its SHA-256 as
 * the ETag, byte ranges, a type that cannot run script, nosniff, a sandboxing CSP, and
 * `attachment` for anything a browser might otherwise render.
 */
export async function sendDownload(request: FastifyRequest, reply: FastifyReply, file: DownloadableFile, label?: DownloadLabel) {
  const etag = `"${file.sha256}"`;
  const type = downloadType(file.name);
  reply.header('Accept-Ranges', 'bytes');
  reply.header('ETag', etag);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
  reply.header('Content-Type', label ? label.contentType(file.name) : type.contentType);
  reply.header('Content-Disposition', label ? label.contentDisposition(file.name) : contentDisposition(type.inline ? 'inline' : 'attachment', file.name));
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  const range = parseRange(request.headers.range, file.size);
  if (range) {
    reply.status(206);
    reply.header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    reply.header('Content-Length', String(range.end - range.start + 1));
  } else {
    reply.header('Content-Length', String(file.size));
  }
  if (request.method === 'HEAD') return reply.send();
  return reply.send(await file.open(range));
}
