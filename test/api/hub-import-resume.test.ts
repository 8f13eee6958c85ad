import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startHubStandIn, sha256Of, type HubStandIn } from '../support/hub-stand-in.ts';
import { serveProcess, type ServerProcess } from '../support/process.ts';

/**
 * A server killed (SIGKILL) while it copies a large file from the Hub: the next start resumes
 * the job once its lease runs out, fetches no file it had finished again, and asks the Hub only
 * for the rest of the cut file (`Range`), after the parts it had stored.
 */
const TOKEN = 'resume-test-admin-token-0123456789';
const PART = 8 * 1024 * 1024;
const BIG = randomBytes(5 * PART + 4321);
const SMALL = { 'README.md': Buffer.from('---\nlicense: mit\n---\n# Resumed\n'), 'config.json': Buffer.from('{"a":1}') };

let database: TestDatabase;
let cwd: string;
let hub: HubStandIn;
let server: ServerProcess | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-import-resume-'));
  hub = await startHubStandIn({ 'acme/big': { files: { ...SMALL, 'zz-model.safetensors': BIG }, lfs: ['zz-model.safetensors'] } });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  await hub?.close();
  await database?.drop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

const env = () => ({
  MODELYARD_DATABASE_URL: database.url,
  MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN,
  MODELYARD_DATA_DIR: path.join(cwd, 'data'),
  MODELYARD_HF_ENDPOINT: hub.url,
  MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port}`,
  MODELYARD_IMPORT_LEASE_SECONDS: '1',
});

async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server!.base}${url}`, {
    method,
    headers: { 'private-token': TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a server killed in the middle of an import', () => {
  it('resumes after a restart without fetching completed files again, and the cut file from where its parts end', async () => {
    server = await serveProcess(cwd, env());
    await api('POST', '/api/v4/projects', { name: 'resumed', path: 'resumed' });
    hub.throttle(4 * 1024 * 1024);
    const created = await api<ImportJobNative>('POST', '/api/v4/projects/resumed/ml/imports/huggingface', { repository: 'acme/big', model: 'big' });
    const jobUrl = `/api/v4/projects/resumed/ml/imports/${created.id}`;
    let seen: ImportJobNative | null = null;
    await waitFor(
      'two parts of the large file',
      async () => {
        seen = await api<ImportJobNative>('GET', jobUrl);
        return seen.progress.files_done === 2 && seen.progress.bytes_done >= 2 * PART;
      },
      60_000,
    );
    expect(seen!.state).toBe('running');
    await server.stop('SIGKILL');
    server = null;
    hub.throttle(null);

    server = await serveProcess(cwd, env());
    let finished: ImportJobNative | null = null;
    await waitFor(
      'the job to end',
      async () => {
        finished = await api<ImportJobNative>('GET', jobUrl);
        return ['succeeded', 'failed', 'canceled'].includes(finished.state);
      },
      60_000,
    );
    expect(finished!.state, finished!.error ?? '').toBe('succeeded');

    const commit = hub.commitOf('acme/big');
    for (const name of Object.keys(SMALL)) expect(hub.log.filter((r) => r.path === `/acme/big/resolve/${commit}/${name}`).length, name).toBe(1);
    const big = hub.log.filter((r) => r.path.startsWith('/cdn-lfs/'));
    expect(big.length).toBe(2);
    expect(big[0]!.range).toBeNull();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(big[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(2 * PART);
    expect(resumedAt % PART).toBe(0);

    const file = await fetch(`${server.base}/api/v4/projects/resumed/packages/ml_models/${finished!.version_id}/files/zz-model.safetensors`, { headers: { 'private-token': TOKEN } });
    expect(file.status).toBe(200);
    expect(sha256Of(Buffer.from(await file.arrayBuffer()))).toBe(sha256Of(BIG));
  }, 240_000);
});
