import { WEBHOOK_SECRET } from '../../src/events/webhook-tables.ts';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIVER_UNREACHABLE, WebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import { WEBHOOK_TARGET_REFUSED } from '../../src/events/webhook-target.ts';
import { EMPTY_ALLOW_LIST, parseAllowList } from '../../src/outbound/allow-list.ts';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.ts';
import { resolverOf } from '../support/fixed-resolver.ts';
import { closedPort } from '../support/local-servers.ts';
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
  // The receiver listens on loopback, which only the administrator's allow-list opens.
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' });
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

const FAST = { pollMs: 10, retryBaseMs: 20, maxAttempts: 5, timeoutMs: 2000 };
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
    const dispatcher = new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), t.services.outbound, FAST);
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
    const dispatcher = new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), t.services.outbound, FAST);
    await dispatcher.tick();
    const log = (await t.call({ method: 'GET', url: `${hooks()}/${other.json().id}/deliveries`, token: maintainer.token })).json();
    expect(log).toEqual([]);
  });

  it('refuses private, loopback, link-local and metadata addresses unless allowed, and metadata always', async () => {
    const owner = await strict.createUser('strict-owner');
    const strictProject = await strict.createProject(owner.token, 'strict');
    const post = (app: TestApp, token: string, project: number, url: string) => app.call({ method: 'POST', url: `/api/v4/projects/${project}/hooks`, token, payload: { url, events: ['*'] } });
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://127.0.0.1:9/x',
      'http://[::1]/x',
      'http://192.168.1.10/x',
      'http://0.0.0.0/x',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:10.0.0.1]/',
    ]) {
      const res = await post(strict, owner.token, strictProject.id, url);
      expect(res.statusCode, url).toBe(400);
    }
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/x', 'http://224.0.0.1/x']) {
      expect((await post(t, maintainer.token, projectId, url)).statusCode, url).toBe(400);
    }
    expect((await post(strict, owner.token, strictProject.id, 'ftp://example.com/x')).statusCode).toBe(400);
    expect((await post(strict, owner.token, strictProject.id, 'http://user:pass@example.com/x')).statusCode).toBe(400);
  });

  it('refuses every special-purpose address form when saved, in one text that does not tell refused from unresolvable', async () => {
    const owner = await strict.createUser('forms-owner');
    const project = await strict.createProject(owner.token, 'forms');
    const forms = [
      'http://[64:ff9b::a9fe:a9fe]/', // NAT64 carrying the metadata address
      'http://[2002:a9fe:a9fe::1]/', // 6to4
      'http://[::a9fe:a9fe]/', // IPv4-compatible
      'http://[fec0::1]/', // site-local
      'http://[100::1]/', // discard-only
      'http://198.18.0.1/', // benchmarking
      'http://192.0.0.1/', // IETF protocol assignments
      'http://0x7f000001/', // hex loopback
      'http://2130706433/', // decimal loopback
      'http://0177.0.0.1/', // octal loopback
      'http://[::ffff:7f00:1]/', // IPv4-mapped loopback
      'http://no-such-host.invalid/', // does not resolve
    ];
    for (const url of forms) {
      const res = await strict.call({ method: 'POST', url: `/api/v4/projects/${project.id}/hooks`, token: owner.token, payload: { url, events: ['*'] } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toBe(WEBHOOK_TARGET_REFUSED);
    }
    expect((await strict.call({ method: 'GET', url: `/api/v4/projects/${project.id}/hooks`, token: owner.token })).json()).toEqual([]);
  });

  it('still honours MODELYARD_ALLOW_LOCAL_WEBHOOKS for one release, with a warning naming MODELYARD_OUTBOUND_ALLOW', async () => {
    const legacy = await startTestApp({ MODELYARD_ALLOW_LOCAL_WEBHOOKS: 'true' });
    try {
      expect(legacy.config.warnings).toEqual([expect.stringContaining('MODELYARD_OUTBOUND_ALLOW=127.0.0.0/8,')]);
      const owner = await legacy.createUser('legacy-owner');
      const project = await legacy.createProject(owner.token, 'legacy');
      const post = (url: string) => legacy.call({ method: 'POST', url: `/api/v4/projects/${project.id}/hooks`, token: owner.token, payload: { url, events: ['*'] } });
      for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.1/hook', 'http://192.168.1.10/x', 'http://[::1]/x']) expect((await post(url)).statusCode, url).toBe(201);
      for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'http://100.100.100.200/']) expect((await post(url)).statusCode, url).toBe(400);
    } finally {
      await legacy.close();
    }
  });

  it('delivers to the address it checked and nowhere else, follows no redirect, and logs refusals and dead ports alike', async () => {
    const project = await t.createProject(maintainer.token, 'hooks-outbound');
    const deliveriesBefore = received.length;
    const closed = await closedPort();
    const redirector = http.createServer((_request, response) => response.writeHead(302, { location: receiverUrl }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const redirectPort = (redirector.address() as AddressInfo).port;
    const receiverPort = new URL(receiverUrl).port;
    try {
      // Rows the policy would refuse today, written as a hook saved under a looser policy would be
      // (its secret sealed under its row, as the service seals it).
      const insert = async (url: string) => {
        const db = t.services.database.db;
        const row = await db
          .insertInto('webhooks')
          .values({ project_id: project.id, url, secret: '', events: '["registry.*"]', enabled: 1, creator_id: maintainer.id, created_at: Date.now() })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .updateTable('webhooks')
          .set({ secret: t.services.keyring.box.seal('a-secret-of-sixteen+', WEBHOOK_SECRET.context(row.id)) })
          .where('id', '=', row.id)
          .execute();
        return row;
      };
      // Only the dispatcher's resolver knows this name: reaching the receiver proves the
      // connection went to the address the policy checked, not to a second lookup.
      const pinned = await insert(`http://receiver.test:${receiverPort}/pinned`);
      const refused = await insert(`http://127.0.0.2:${receiverPort}/refused`);
      const dead = await insert(`http://127.0.0.1:${closed}/dead`);
      const redirected = await insert(`http://127.0.0.1:${redirectPort}/redirect`);
      const resolver = resolverOf({ 'receiver.test': ['127.0.0.1'] });
      const policy = new OutboundPolicy(parseAllowList(`127.0.0.1:${receiverPort},127.0.0.1:${closed},127.0.0.1:${redirectPort}`), resolver);
      await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/ml/models`, token: maintainer.token, payload: { name: 'outbound' } });
      await new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), policy, FAST).tick();

      const attempts = async (id: number) =>
        (await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/hooks/${id}/deliveries`, token: maintainer.token })).json()[0].attempts as {
          status_code: number | null;
          error: string | null;
        }[];
      expect(await attempts(pinned.id)).toEqual([expect.objectContaining({ status_code: 204, error: null })]);
      expect(await attempts(refused.id)).toEqual([expect.objectContaining({ status_code: null, error: RECEIVER_UNREACHABLE })]);
      expect(await attempts(dead.id)).toEqual([expect.objectContaining({ status_code: null, error: RECEIVER_UNREACHABLE })]);
      expect(await attempts(redirected.id)).toEqual([expect.objectContaining({ status_code: 302 })]);
      // One delivery arrived (the pinned one); the refused hook and the redirect reached nothing.
      expect(received.slice(deliveriesBefore).map((r) => r.headers['x-modelyard-event'])).toEqual(['registry.model.created']);

      // A policy with no exceptions refuses, at delivery, what was allowed when the hook was saved.
      const strictPolicy = new OutboundPolicy(EMPTY_ALLOW_LIST, resolver);
      await t.services.database.db.updateTable('webhook_deliveries').set({ state: 'pending', next_attempt_at: 0 }).where('webhook_id', '=', pinned.id).execute();
      await new WebhookDispatcher(t.services.database.db, t.services.keyring.box, pino({ level: 'silent' }), strictPolicy, FAST).tick();
      expect((await attempts(pinned.id)).at(-1)).toEqual(expect.objectContaining({ status_code: null, error: RECEIVER_UNREACHABLE }));
      expect(received.length).toBe(deliveriesBefore + 1);
    } finally {
      redirector.close();
    }
  });

  it('can be changed and deleted, and is then gone', async () => {
    const created = await createHook(t, maintainer.token, receiverUrl, ['registry.*']);
    expect(created.statusCode, created.body).toBe(201);
    const hook = `${hooks()}/${created.json().id}`;
    const changed = await t.call({ method: 'PUT', url: hook, token: maintainer.token, payload: { events: ['project.*', 'project.member.added'], enabled: false } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ url: receiverUrl, events: ['project.*', 'project.member.added'], enabled: false });
    expect(changed.json()).not.toHaveProperty('secret');
    expect((await t.call({ method: 'GET', url: hook, token: maintainer.token })).json()).toEqual(changed.json());
    expect((await t.call({ method: 'DELETE', url: hook, token: maintainer.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: hook, token: maintainer.token })).statusCode).toBe(404);
    const listed = (await t.call({ method: 'GET', url: hooks(), token: maintainer.token })).json() as { id: number }[];
    expect(listed.map((h) => h.id)).not.toContain(created.json().id);
  });

  it('is managed by maintainers only', async () => {
    const dev = await t.createUser('hook-dev');
    await t.addMember(projectId, dev.id, 30);
    expect((await createHook(t, dev.token, receiverUrl)).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: hooks(), token: dev.token })).statusCode).toBe(403);
  });
});
