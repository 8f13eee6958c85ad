import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import { classifyAddress } from '../../src/events/ssrf.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let strict: TestApp;
let maintainer: TestUser;
let projectId: number;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let failuresLeft = 0;

beforeAll(async () => {
  // The receiver listens on loopback, which only an operator's setting allows.
  t = await startTestApp({ MODELYARD_ALLOW_LOCAL_WEBHOOKS: 'true' });
  strict = await startTestApp();
  maintainer = await t.createUser('hook-maint');
  projectId = (await t.createProject(maintainer.token, 'hooks')).id;
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (d) => (body += d));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        response.writeHead(500).end('try again');
      } else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  receiver?.close();
  await t?.close();
  await strict?.close();
});

const hooks = () => `/api/v4/projects/${projectId}/hooks`;

async function createHook(app: TestApp, token: string, url: string, events = ['registry.*']) {
  return app.call({ method: 'POST', url: `/api/v4/projects/${projectId}/hooks`, token, payload: { url, events } });
}

describe('outgoing webhooks', () => {
  it('deliver registry events signed with HMAC-SHA256 and retry on 500 with a delivery log', async () => {
    const created = await createHook(t, maintainer.token, receiverUrl);
    expect(created.statusCode, created.body).toBe(201);
    const { id: hookId, secret } = created.json() as { id: number; secret: string };
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect((await t.call({ method: 'GET', url: `${hooks()}/${hookId}`, token: maintainer.token })).body).not.toContain(secret);

    failuresLeft = 2;
    const model = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: maintainer.token, payload: { name: 'hooked' } });
    expect(model.statusCode).toBe(201);
    const dispatcher = new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), { pollMs: 10, retryBaseMs: 20, maxAttempts: 5, timeoutMs: 2000, allowLocal: true });
    const deadline = Date.now() + 10_000;
    while (received.length < 3 && Date.now() < deadline) {
      await dispatcher.tick();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(received).toHaveLength(3);
    const last = received[2]!;
    const header = String(last.headers['x-modelyard-signature']);
    const [, timestamp, digest] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
    expect(digest).toBe(createHmac('sha256', secret).update(`${timestamp}.${last.body}`).digest('hex'));
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
    expect(last.headers['x-modelyard-event']).toBe('registry.model.created');
    expect(JSON.parse(last.body)).toMatchObject({ type: 'registry.model.created', project_id: projectId, payload: { name: 'hooked' } });

    const log = (await t.call({ method: 'GET', url: `${hooks()}/${hookId}/deliveries`, token: maintainer.token })).json();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ event_type: 'registry.model.created', state: 'delivered' });
    expect(log[0].attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 204]);
  });

  it('only delivers the event types a hook subscribes to', async () => {
    const other = await createHook(t, maintainer.token, receiverUrl, ['registry.version.approved']);
    await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: maintainer.token, payload: { name: 'not-for-that-hook' } });
    const dispatcher = new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), { pollMs: 10, retryBaseMs: 20, maxAttempts: 5, timeoutMs: 2000, allowLocal: true });
    await dispatcher.tick();
    const log = (await t.call({ method: 'GET', url: `${hooks()}/${other.json().id}/deliveries`, token: maintainer.token })).json();
    expect(log).toEqual([]);
  });

  it('refuses private, loopback, link-local and metadata addresses unless allowed, and metadata always', async () => {
    const owner = await strict.createUser('strict-owner');
    const strictProject = await strict.createProject(owner.token, 'strict');
    const post = (app: TestApp, token: string, project: number, url: string) => app.call({ method: 'POST', url: `/api/v4/projects/${project}/hooks`, token, payload: { url, events: ['*'] } });
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data', 'http://127.0.0.1:9/x', 'http://[::1]/x', 'http://192.168.1.10/x', 'http://0.0.0.0/x', 'http://[fd00:ec2::254]/', 'http://[::ffff:10.0.0.1]/']) {
      const res = await post(strict, owner.token, strictProject.id, url);
      expect(res.statusCode, url).toBe(400);
    }
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/x', 'http://224.0.0.1/x']) {
      expect((await post(t, maintainer.token, projectId, url)).statusCode, url).toBe(400);
    }
    expect((await post(strict, owner.token, strictProject.id, 'ftp://example.com/x')).statusCode).toBe(400);
    expect((await post(strict, owner.token, strictProject.id, 'http://user:pass@example.com/x')).statusCode).toBe(400);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('10.1.2.3')).toBe('local');
    expect(classifyAddress('172.20.0.1')).toBe('local');
    expect(classifyAddress('172.32.0.1')).toBe('public');
    expect(classifyAddress('169.254.169.254')).toBe('forbidden');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('local');
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('forbidden');
    expect(classifyAddress('2001:4860:4860::8888')).toBe('public');
  });

  it('is managed by maintainers only', async () => {
    const dev = await t.createUser('hook-dev');
    await t.addMember(projectId, dev.id, 30);
    expect((await createHook(t, dev.token, receiverUrl)).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: hooks(), token: dev.token })).statusCode).toBe(403);
  });
});
