import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Api } from './api.ts';
import { progressBar } from './progress.ts';
import { putBytes, sizeOf } from './transfers.ts';

/** Bytes per part, and the size from which a file goes up in parts (the server takes parts of 5 MiB to 5 GiB). */
export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
const RETRIES = 3;

interface Session {
  id: string;
  part_size: number;
  part_count: number;
  parts: { part_number: number; sha256: string }[];
}

interface Remembered {
  upload_id: string;
  size: number;
  mtime_ms: number;
}

/** `$XDG_CACHE_HOME/modelyard/cli-uploads.json`, else `~/.cache/...`: the uploads a later run may resume. */
function statePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'modelyard', 'cli-uploads.json');
}

function loadState(): Record<string, Remembered> {
  try {
    return JSON.parse(fs.readFileSync(statePath(), 'utf8')) as Record<string, Remembered>;
  } catch {
    return {};
  }
}

function remember(key: string, entry: Remembered | null): void {
  const state = loadState();
  if (entry) state[key] = entry;
  else delete state[key];
  const file = statePath();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(state, null, 1));
  fs.renameSync(`${file}.${process.pid}`, file);
}

async function hashRange(file: string, start: number, length: number, whole: ReturnType<typeof createHash>): Promise<string> {
  const part = createHash('sha256');
  if (length > 0) {
    for await (const chunk of fs.createReadStream(file, { start, end: start + length - 1, highWaterMark: 1024 * 1024 })) {
      part.update(chunk as Buffer);
      whole.update(chunk as Buffer);
    }
  }
  return part.digest('hex');
}

/** The session of an earlier run for this file and target, if the file is unchanged (else that upload is aborted). */
async function resumable(api: Api, uploads: string, key: string, fingerprint: { size: number; mtime_ms: number }): Promise<Session | null> {
  const entry = loadState()[key];
  if (!entry) return null;
  const session = `${uploads}/${entry.upload_id}`;
  try {
    if (entry.size === fingerprint.size && entry.mtime_ms === fingerprint.mtime_ms) return await api.get<Session>(session);
    await api.send('DELETE', session);
  } catch (error) {
    if (!(error instanceof CliError && error.exitCode === ExitCode.notFound)) throw error;
  }
  remember(key, null);
  return null;
}

/**
 * Uploads a file in parts through the packages' multipart API (a generic package's sessions
 * under `packagesPath` = .../packages, a version's under .../packages/ml_models), each part with its SHA-256 and
 * the whole file's declared at completion. The upload's id is kept in a state file until it
 * completes: running the same command again after an interruption asks the server which parts
 * it has and sends only the others. Answers the stored file and how many parts were sent.
 */
export async function uploadInParts<T>(
  api: Api,
  packagesPath: string,
  createPath: string,
  file: string,
  partSize: number,
  /** More of the session's creation body: a version's file names itself there (`file_name`). */
  creation: Record<string, unknown> = {},
): Promise<{ stored: T; sent: number; reused: number }> {
  const size = sizeOf(file);
  const fingerprint = { size, mtime_ms: fs.statSync(file).mtimeMs };
  const key = `${api.settings.url}${createPath} ${path.resolve(file)}`;
  const uploads = `${packagesPath}/uploads`;
  let session = await resumable(api, uploads, key, fingerprint);
  if (!session) {
    session = await api.json<Session>('POST', createPath, { ...creation, size, part_size: partSize });
    remember(key, { upload_id: session.id, ...fingerprint });
  }
  const received = new Map(session.parts.map((p) => [p.part_number, p.sha256]));
  const whole = createHash('sha256');
  const progress = progressBar(`uploading ${file}`, size);
  let sent = 0;
  try {
    for (let number = 1; number <= session.part_count; number++) {
      const start = (number - 1) * session.part_size;
      const length = Math.min(session.part_size, size - start);
      const sha256 = await hashRange(file, start, length, whole);
      if (received.get(number) === sha256) {
        progress.advance(length);
        continue;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await putBytes(api, `${uploads}/${session.id}/parts/${number}`, file, { start, length }, progress, { 'x-content-sha256': sha256 });
          break;
        } catch (error) {
          // A cut connection or a server error is tried again; a refusal is not.
          if (attempt > RETRIES || !(error instanceof CliError) || error.exitCode !== ExitCode.server) throw error;
          progress.advance(-length);
          await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
        }
      }
      sent++;
    }
  } finally {
    progress.done();
  }
  try {
    const stored = await api.json<T>('POST', `${uploads}/${session.id}/complete`, { sha256: whole.digest('hex') });
    remember(key, null);
    return { stored, sent, reused: session.part_count - sent };
  } catch (error) {
    // A refused completion (the file changed under us) cannot be resumed: the next run starts over.
    if (error instanceof CliError && error.exitCode !== ExitCode.server) remember(key, null);
    throw error;
  }
}
