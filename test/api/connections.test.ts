import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';

/**
 * Real sockets against a listening server (app.inject has no sockets): a client that stops
 * sending its body is dropped after the idle timeout, one that keeps sending is not, a long
 * poll that holds its response is not, and one address cannot hold more than its budget.
 */
const IDLE_TIMEOUT_S = 1;
const BUDGET = 5;

let t: TestApp;
let port: number;

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_REQUEST_IDLE_TIMEOUT: String(IDLE_TIMEOUT_S), MODELYARD_MAX_CONNECTIONS_PER_ADDRESS: String(BUDGET) });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t?.close());

interface RawClient {
  socket: net.Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves with the milliseconds until the server closed the connection, or null if it did not within `withinMs`. */
  closedWithin(withinMs: number): Promise<number | null>;
}

async function connect(localAddress = '127.0.0.1'): Promise<RawClient> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  let closed = false;
  socket.on('data', (chunk) => (data += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset from the server is one of the outcomes under test
  socket.once('close', () => (closed = true));
  const startedAt = Date.now();
  return {
    socket,
    received: () => data,
    closedWithin: (withinMs) =>
      new Promise((resolve) => {
        if (closed) return resolve(Date.now() - startedAt);
        const timer = setTimeout(() => resolve(null), withinMs);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(Date.now() - startedAt);
        });
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function untilReceived(client: RawClient, pattern: RegExp, withinMs = 10_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  while (!pattern.test(client.received())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} from the server; got ${JSON.stringify(client.received().slice(0, 200))}`);
    await sleep(20);
  }
  return client.received();
}

describe('request bodies that stop arriving', () => {
  it('closes connections that sent headers and 9 bytes of a 100 000-byte body after the idle timeout', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connect()));
    for (const client of clients) {
      client.socket.write('POST /api/v4/session HTTP/1.1\r\nHost: modelyard.test\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"login":');
    }
    const closedAfter = await Promise.all(clients.map((client) => client.closedWithin(IDLE_TIMEOUT_S * 1000 * 4)));
    for (const ms of closedAfter) {
      expect(ms, 'the server kept a stalled body open').not.toBeNull();
      expect(ms!).toBeGreaterThanOrEqual(IDLE_TIMEOUT_S * 1000 - 50);
    }
  });

  it('closes a stalled body that the server answered without reading (an unknown URL, a refused upload)', async () => {
    const unknown = await connect();
    unknown.socket.write('PUT /no/such/route HTTP/1.1\r\nHost: modelyard.test\r\nContent-Length: 100000\r\n\r\n123456789');
    const refused = await connect();
    refused.socket.write('PUT /api/v4/projects/1/packages/generic/x/1.0.0/f.bin HTTP/1.1\r\nHost: modelyard.test\r\nContent-Length: 100000\r\n\r\n123456789');
    expect(await untilReceived(unknown, /^HTTP\/1\.1 404/)).toBeTruthy();
    expect(await untilReceived(refused, /^HTTP\/1\.1 404/)).toBeTruthy(); // an anonymous caller does not see project 1
    expect(await unknown.closedWithin(IDLE_TIMEOUT_S * 1000 * 4), 'the server kept a stalled body open after answering').not.toBeNull();
    expect(await refused.closedWithin(IDLE_TIMEOUT_S * 1000 * 4), 'the server kept a stalled body open after answering').not.toBeNull();
  });

  it('keeps an upload that trickles in slower than the idle timeout, chunk by chunk, and stores it', async () => {
    const project = await t.createProject(ADMIN_TOKEN, 'trickle');
    const chunk = Buffer.alloc(64 * 1024, 'm');
    const chunks = 12;
    const client = await connect();
    client.socket.write(
      `PUT /api/v4/projects/${project.id}/packages/generic/slow/1.0.0/model.bin HTTP/1.1\r\nHost: modelyard.test\r\nPRIVATE-TOKEN: ${ADMIN_TOKEN}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${chunk.length * chunks}\r\n\r\n`,
    );
    // 12 chunks 300 ms apart: 3.3 s in all, more than three idle timeouts, never 1 s silent.
    for (let i = 0; i < chunks; i++) {
      await sleep(300);
      client.socket.write(chunk);
    }
    expect(await untilReceived(client, /^HTTP\/1\.1 \d{3}/)).toMatch(/^HTTP\/1\.1 201/);
    client.socket.destroy();
    const stored = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/packages/generic/slow/1.0.0/model.bin`, token: ADMIN_TOKEN });
    expect(stored.rawPayload.length).toBe(chunk.length * chunks);
  });

  it('keeps a runner long poll that holds its response longer than the idle timeout', async () => {
    const runner = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', tag_list: ['nothing-matches'] } });
    // A runner that sends last_update asks the server to hold the request (GitLab's long poll).
    const body = JSON.stringify({ token: runner.json().token, info: {}, last_update: 'none' });
    const client = await connect();
    client.socket.write(`POST /api/v4/jobs/request HTTP/1.1\r\nHost: modelyard.test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    // Three idle timeouts later the server still holds the request open, unanswered.
    expect(await client.closedWithin(IDLE_TIMEOUT_S * 1000 * 3)).toBeNull();
    expect(client.received()).toBe('');
    client.socket.destroy();
  });
});

describe('connections per address', () => {
  it('refuses the connection beyond the budget from one address, lets another address in, and frees a slot on close', async () => {
    const held = await Promise.all(Array.from({ length: BUDGET }, () => connect('127.0.0.1')));
    for (const client of held) {
      client.socket.write('GET /-/health HTTP/1.1\r\nHost: modelyard.test\r\n\r\n');
      await untilReceived(client, /"status":"ok"/);
    }

    const extra = await connect('127.0.0.1');
    extra.socket.write('GET /-/health HTTP/1.1\r\nHost: modelyard.test\r\n\r\n');
    expect(await extra.closedWithin(5000), 'the connection beyond the budget stayed open').not.toBeNull();
    expect(extra.received()).toMatch(/^HTTP\/1\.1 503/);
    expect(extra.received()).not.toContain('"status":"ok"');

    const elsewhere = await connect('127.0.0.2');
    elsewhere.socket.write('GET /-/health HTTP/1.1\r\nHost: modelyard.test\r\n\r\n');
    await untilReceived(elsewhere, /"status":"ok"/);

    held[0]!.socket.destroy();
    await sleep(100);
    const again = await connect('127.0.0.1');
    again.socket.write('GET /-/health HTTP/1.1\r\nHost: modelyard.test\r\n\r\n');
    await untilReceived(again, /"status":"ok"/);

    for (const client of [...held, elsewhere, again]) client.socket.destroy();
  });
});
