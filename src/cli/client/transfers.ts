import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CliError, ExitCode, exitCodeForStatus } from '../exit-codes.ts';
import type { Api } from './api.ts';
import { progressBar, type Progress } from './progress.ts';

/** Counts bytes into the progress bar as they pass. */
function counting(progress: Progress): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.advance(chunk.length);
      done(null, chunk);
    },
  });
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.error);
  }
}

/**
 * PUTs a file as its raw body with its Content-Length (node:http rather than fetch, which
 * would send a stream chunked and without a length the server checks quotas against).
 */
export async function uploadFile(api: Api, apiPath: string, file: string): Promise<unknown> {
  const size = sizeOf(file);
  const progress = progressBar(`uploading ${file}`, size);
  try {
    return await putBytes(api, apiPath, file, { start: 0, length: size }, progress);
  } finally {
    progress.done();
  }
}

/** PUTs `length` bytes of `file` from `start` (a whole file, or one part of it); resolves to the JSON answer. */
export function putBytes(api: Api, apiPath: string, file: string, range: { start: number; length: number }, progress: Progress, headers: Record<string, string> = {}): Promise<unknown> {
  const url = new URL(api.url(apiPath));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'PUT',
      headers: { ...api.authorization, 'content-type': 'application/octet-stream', 'content-length': String(range.length), ...headers },
    });
    request.once('error', (error) => {
      reject(new CliError(`cannot reach ${api.settings.url}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, ExitCode.server));
    });
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(text ? JSON.parse(text) : undefined);
        let message = text.slice(0, 300);
        try {
          message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
        } catch {
          // not JSON: the text as it came
        }
        reject(new CliError(`upload of ${file} refused: ${status} ${message}`, exitCodeForStatus(status)));
      });
    });
    const source = range.length === 0 ? fs.createReadStream(file) : fs.createReadStream(file, { start: range.start, end: range.start + range.length - 1 });
    source.pipe(counting(progress)).pipe(request);
  });
}

/**
 * GETs a file into `target`, resumably: the bytes arrive in `target.part`, and a later try asks
 * only for what is missing (`Range: bytes=N-`; a server that answers the whole file again starts
 * it over). The SHA-256 the server names in its ETag is checked before the file takes its name.
 */
export async function downloadFile(api: Api, apiPath: string, target: string): Promise<{ bytes: number; resumedAt: number; sha256: string }> {
  const partial = `${target}.part`;
  const have = fs.existsSync(partial) ? fs.statSync(partial).size : 0;
  const res = await api.send('GET', apiPath, { headers: have > 0 ? { range: `bytes=${have}-` } : {} });
  const resumedAt = res.status === 206 ? have : 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const progress = progressBar(`downloading ${target}`, Number.isFinite(length) ? resumedAt + length : undefined, process.stderr, resumedAt);
  try {
    if (res.body) await pipeline(res.body, counting(progress), fs.createWriteStream(partial, { flags: resumedAt > 0 ? 'a' : 'w' }));
    else fs.writeFileSync(partial, '');
  } finally {
    progress.done();
  }
  const sha256 = await sha256Of(partial);
  const etag = /^"([0-9a-f]{64})"$/.exec(res.headers.get('etag') ?? '')?.[1];
  if (etag && etag !== sha256) {
    fs.rmSync(partial, { force: true });
    throw new CliError(`${target}: the bytes received do not match the server's SHA-256 ${etag} (the file changed while it was fetched?): run the command again`, ExitCode.error);
  }
  fs.renameSync(partial, target);
  return { bytes: fs.statSync(target).size, resumedAt, sha256 };
}
