import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendFinalReport } from '../../src/runner/final-report.ts';
import { ProtocolClient, type Job } from '../../src/runner/protocol-client.ts';

const job = { id: 7, token: 'glcbt-job-token' } as unknown as Job;
const quick = { firstWaitMs: 20, maxWaitMs: 80, giveUpAfterMs: 60_000 };

/**
 * A job server on loopback that is "away" for the first `awayFor` reports of a job's verdict
 * (it drops the connection, or answers 502 as a proxy in front of a dead replica does), then
 * takes the report.
 */
async function serverAwayFor(awayFor: number, how: 'drop' | '502') {
  const received: unknown[] = [];
  let flushes = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'PUT' || req.url !== '/api/v4/jobs/7') return res.writeHead(404).end();
      received.push(JSON.parse(body));
      if (received.length <= awayFor) return how === 'drop' ? req.socket.destroy() : res.writeHead(502).end('Bad Gateway');
      res.writeHead(200, { 'content-type': 'application/json', 'job-status': 'success' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, flush: async () => void flushes++, flushes: () => flushes, close: () => new Promise((r) => server.close(r)) };
}

describe("a runner's final report when the server is away as the job ends", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  for (const how of ['drop', '502'] as const) {
    it(`is sent again with back-off until the server takes it (${how === 'drop' ? 'connections dropped' : '502 from a proxy'}), flushing the log before each try`, async () => {
      const server = await serverAwayFor(14, how);
      closers.push(server.close);
      const client = new ProtocolClient(server.url, 'runner-token', 'r_test');
      const lines: string[] = [];
      const outcome = await sendFinalReport(
        () => client.updateJob(job, { state: 'success', exit_code: 0 }),
        server.flush,
        (l) => lines.push(l),
        quick,
      );
      expect(outcome).toEqual({ code: 200, status: 'success' });
      expect(server.received).toHaveLength(15);
      expect(server.received.every((r) => (r as { state: string }).state === 'success')).toBe(true);
      expect(server.flushes()).toBe(14);
      expect(lines.filter((l) => l.includes('no answer'))).toHaveLength(14);
    });
  }

  it('stops at once when the server answers that the job is no longer running (403)', async () => {
    const server = http.createServer((_req, res) => res.writeHead(403, { 'job-status': 'canceled' }).end('{"message":"403 Forbidden - Job is not running"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((r) => server.close(r)));
    const client = new ProtocolClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'runner-token', 'r_test');
    let tries = 0;
    const outcome = await sendFinalReport(
      () => (tries++, client.updateJob(job, { state: 'success' })),
      async () => undefined,
      () => undefined,
      quick,
    );
    expect(outcome).toEqual({ code: 403, status: 'canceled' });
    expect(tries).toBe(1);
  });

  it('gives up when the server has not answered for its patience, and says so', async () => {
    const lines: string[] = [];
    const outcome = await sendFinalReport(
      () => Promise.reject(new TypeError('fetch failed')),
      async () => undefined,
      (l) => lines.push(l),
      { firstWaitMs: 10, maxWaitMs: 20, giveUpAfterMs: 150 },
    );
    expect(outcome).toBeNull();
    expect(lines.at(-1)).toMatch(/giving up: fetch failed/);
  });
});
