import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { serveProcess } from '../support/process.ts';

const TOKEN = 'crash-test-admin-token-0123456789';
let database: TestDatabase;
let cwd: string;

beforeAll(async () => {
  database = await createTestDatabase();
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-crash-'));
});
afterAll(async () => {
  await database?.drop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('a server killed in the middle of an upload', () => {
  it('leaves no visible file and no row, and the next start removes the temporary data', async () => {
    const env = { MODELYARD_DATABASE_URL: database.url, MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN, MODELYARD_DATA_DIR: path.join(cwd, 'data') };
    const server = await serveProcess(cwd, env);
    const url = `${server.base}/api/2.0/mlflow-artifacts/artifacts/1/run/artifacts/huge.bin`;
    // Send 4 MiB of a declared 64 MiB, then kill the server with the request still open.
    const request = http.request(url, { method: 'PUT', headers: { 'private-token': TOKEN, 'content-type': 'application/octet-stream', 'content-length': String(64 * 1024 * 1024) } });
    request.on('error', () => undefined);
    request.write(Buffer.alloc(4 * 1024 * 1024, 1));
    const artifactsRoot = path.join(cwd, 'data', 'artifacts');
    const deadline = Date.now() + 10_000;
    while (filesUnder(path.join(artifactsRoot, '.tmp')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(filesUnder(path.join(artifactsRoot, '.tmp')).length).toBe(1);
    await server.stop('SIGKILL');
    request.destroy();

    const visible = filesUnder(artifactsRoot).filter((f) => !f.includes(`${path.sep}.tmp${path.sep}`));
    expect(visible).toEqual([]);

    const restarted = await serveProcess(cwd, env);
    try {
      expect(filesUnder(path.join(artifactsRoot, '.tmp'))).toEqual([]);
      const listed = await fetch(`${restarted.base}/api/2.0/mlflow-artifacts/artifacts?path=1/run/artifacts`, { headers: { 'private-token': TOKEN } });
      expect(await listed.json()).toEqual({ files: [] });
      const usage = await fetch(`${restarted.base}/api/v4/projects/default/storage`, { headers: { 'private-token': TOKEN } });
      expect(((await usage.json()) as { artifacts: { files: number } }).artifacts.files).toBe(0);
    } finally {
      await restarted.stop();
    }
    // Two starts of a whole server process: under a loaded CI machine each took over 25 s.
  }, 180_000);
});
