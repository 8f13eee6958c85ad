import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';

/**
 * Requests Node's HTTP parser refuses before any route sees them are answered with the error
 * body of the API they were meant for (found by the fuzz run's response checks: a query string
 * past 16 KiB got Fastify's own `{error, message, statusCode}`). Real sockets: app.inject has no parser.
 */
let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t?.close());

/** Sends raw bytes and resolves with everything the server answered before it closed. */
function exchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(raw));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;

describe('requests the HTTP parser refuses', () => {
  it("answer 431 with the native error body on the native API, and with MLflow's on MLflow's", async () => {
    const huge = 'x'.repeat(20_000);
    const native = await exchange(`GET /api/v4/projects/1/ml/runs?order_by=${huge} HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: ${ADMIN_TOKEN}\r\n\r\n`);
    expect(native.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(native).toContain('Content-Type: application/json');
    expect(bodyOf(native)).toEqual({ message: '431 Request Header Fields Too Large: the request line and headers are larger than 16 KiB' });
    const mlflow = await exchange(`GET /api/2.0/mlflow/runs/get?run_id=${huge} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(bodyOf(mlflow)).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: '431 Request Header Fields Too Large: the request line and headers are larger than 16 KiB' });
  });

  it('answer 400 with the error body to bytes that are not HTTP', async () => {
    const answer = await exchange('NOT HTTP AT ALL\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(bodyOf(answer)).toEqual({ message: '400 Bad Request: the request is not valid HTTP' });
  });
});

describe('git URLs the git routes do not take', () => {
  it("are a JSON 404, never the web UI's page (git would read HTML as refs)", async () => {
    // A project id with ".g" in it: the router cannot split it from ".git", so no git route matches.
    const res = await t.call({ method: 'GET', url: '/a.gx%0A.git/info/refs?service=git-upload-pack', token: ADMIN_TOKEN });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ message: '404 Not Found' });
  });
});
