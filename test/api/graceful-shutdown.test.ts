import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess, type ServerProcess } from '../support/process.ts';

const TOKEN = 'shutdown-admin-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM (a rolling restart, a replica scaled down): the server stops taking connections,
 * finishes what it is doing (an upload half sent), ends long polls at once with "no job"
 * instead of holding the shutdown for their 50 s, and exits 0 promptly.
 */
describe('a server told to stop (SIGTERM)', () => {
  let dir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-shutdown-'));
    server = await serveProcess(dir, { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finishes an upload in flight, answers a waiting runner 204 at once, and exits 0 within seconds', async () => {
    const headers = { 'private-token': TOKEN, 'content-type': 'application/json' };
    const created = await fetch(`${server.base}/api/v4/user/runners`, { method: 'POST', headers, body: JSON.stringify({ runner_type: 'instance_type', tag_list: ['nothing-matches'] }) });
    expect(created.status).toBe(201);
    const runnerToken = ((await created.json()) as { token: string }).token;

    const longPoll = fetch(`${server.base}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: runnerToken, last_update: 'x' }) });
    const payload = Buffer.alloc(256 * 1024, 7);
    const slowBody = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let i = 0; i < 8; i++) {
          controller.enqueue(payload.subarray(i * 32 * 1024, (i + 1) * 32 * 1024));
          await sleep(200);
        }
        controller.close();
      },
    });
    const upload = fetch(`${server.base}/api/v4/projects/default/packages/generic/drain/1.0.0/model.bin`, {
      method: 'PUT',
      headers: { 'private-token': TOKEN, 'content-length': String(payload.length) },
      body: slowBody,
      duplex: 'half',
    } as RequestInit);
    await sleep(500);

    const signalled = Date.now();
    const exited = server.stop('SIGTERM').then(() => Date.now() - signalled);
    const [poll, uploaded] = await Promise.all([longPoll.then((r) => ({ status: r.status, ms: Date.now() - signalled })), upload]);
    expect(poll.status).toBe(204);
    expect(poll.ms).toBeLessThan(3000);
    expect(uploaded.status).toBe(201);
    expect(await exited).toBeLessThan(8000);
    expect(server.output()).not.toMatch(/"level":50|request failed/);

    // What was acknowledged is there after a restart.
    const again = await serveProcess(dir, { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN });
    try {
      const read = await fetch(`${again.base}/api/v4/projects/default/packages/generic/drain/1.0.0/model.bin`, { headers: { 'private-token': TOKEN } });
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer()).equals(payload)).toBe(true);
    } finally {
      await again.stop();
    }
  });
});
