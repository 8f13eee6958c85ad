import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { fakeArchives, modelWithVersions, ScriptedAgent, serveToken, startModelServer, type ModelServer } from '../support/serving.ts';

/**
 * Predictions over a real socket take the fast path (src/serving/invocations-fast-path.ts),
 * which answers before Fastify's routing and hooks; `app.inject` always takes the Fastify
 * route. Every case is sent both ways and must be answered alike: the same status, body and
 * headers, the same refusals, the same request metrics. What the fast path does not serve
 * itself (refusals, chunked bodies, odd URLs) reaches the Fastify route over the socket too.
 */
let t: TestApp;
let projectId: number;
let serve: string;
/** A member's token without the serve scope. */
let readOnly: string;
let model: ModelServer;
let base: string;
const BODY = JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1], [2]] } });

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request over a socket; `chunked` sends the body without a Content-Length. */
function overSocket(path: string, options: { headers?: Record<string, string>; body?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(options.body ?? BODY);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', authorization: `Bearer ${serve}`, ...options.headers };
    if (!options.chunked) headers['content-length'] = body.length;
    const req = http.request(`${base}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (options.chunked) {
      req.write(body.subarray(0, 5));
      req.end(body.subarray(5));
    } else req.end(body);
  });
}

async function injected(path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const res = await t.call({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serve}`, ...options.headers },
    payload: options.body ?? BODY,
  });
  return { status: res.statusCode, body: res.body, headers: res.headers as Answer['headers'] };
}

/** The headers both paths must agree on (the request id is each request's own). */
const comparable = (a: Answer) => ({
  status: a.status,
  body: a.body,
  type: a.headers['content-type'],
  variant: a.headers['x-modelyard-variant'],
  deployment: a.headers['x-modelyard-deployment'],
  nosniff: a.headers['x-content-type-options'],
});

const invocations = (environment: string, project: string | number = projectId) => `/serving/${project}/${environment}/invocations`;

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_SERVING_CACHE_SECONDS: '0.001', MODELYARD_AGENT_STALE_SECONDS: '600' });
  t.services.agentArchives.current = fakeArchives();
  projectId = (await t.createProject(ADMIN_TOKEN, 'fast')).id;
  await modelWithVersions(t, projectId, 'iris', 1);
  serve = await serveToken(t);
  const reader = await t.createUser('fast-reader', { scopes: ['read_api'] });
  await t.addMember(projectId, reader.id, 30);
  readOnly = reader.token;
  model = await startModelServer('v1');
  const agent = await ScriptedAgent.create(t, projectId);
  for (const environment of ['live', 'waiting']) {
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/deployments`, token: ADMIN_TOKEN, payload: { environment, model: 'iris', version: '1' } });
    expect(res.statusCode).toBe(201);
  }
  await agent.serve((instance) => (instance.environment.name === 'live' ? model.url : undefined));
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await model?.close();
  await t?.close();
});

describe('predictions over a socket', () => {
  it('are answered by the fast path exactly as the Fastify route answers them', async () => {
    const served = t.fastPath.served;
    const fast = await overSocket(invocations('live'), { headers: { 'x-request-id': 'caller-chosen-id' } });
    expect(t.fastPath.served).toBe(served + 1);
    expect(fast.status).toBe(200);
    expect(JSON.parse(fast.body)).toEqual({ predictions: ['v1', 'v1'] });
    expect(fast.headers['x-request-id']).toBe('caller-chosen-id');
    expect(comparable(fast)).toEqual(comparable(await injected(invocations('live'))));
  });

  it("pass the model server's own refusal through unchanged", async () => {
    const fast = await overSocket(invocations('live'), { body: 'not json' });
    expect(fast.status).toBe(400);
    expect(comparable(fast)).toEqual(comparable(await injected(invocations('live'), { body: 'not json' })));
  });

  it('decode an escaped project path as the router does, and leave a malformed escape to the route', async () => {
    const served = t.fastPath.served;
    const escaped = await overSocket(invocations('live', '%66ast'));
    expect(escaped.status).toBe(200);
    expect(t.fastPath.served).toBe(served + 1);
    const malformed = await overSocket(invocations('live', '%ZZfast'));
    expect(malformed.status).toBe(400);
    expect(comparable(malformed)).toEqual(comparable(await injected(invocations('live', '%ZZfast'))));
    expect(t.fastPath.served).toBe(served + 1);
  });

  it.each([
    ['no token', () => ({ authorization: '' }), 'live', 401],
    ['a token without the serve scope', () => ({ authorization: `Bearer ${readOnly}` }), 'live', 403],
    ['an unknown environment', () => ({}), 'nowhere', 404],
    ['no ready instance', () => ({}), 'waiting', 503],
  ] as const)('are refused alike for %s', async (_case, headersOf, environment, status) => {
    const headers: Record<string, string> = headersOf();
    const served = t.fastPath.served;
    const fast = await overSocket(invocations(environment), { headers });
    expect(fast.status).toBe(status);
    expect(comparable(fast)).toEqual(comparable(await injected(invocations(environment), { headers })));
    expect(fast.headers['x-request-id']).toBeTruthy();
    expect(t.fastPath.served).toBe(served);
  });

  it('with a chunked body or a trailing slash reach the Fastify route, which answers them', async () => {
    const served = t.fastPath.served;
    const chunked = await overSocket(invocations('live'), { chunked: true });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toEqual({ predictions: ['v1', 'v1'] });
    const slash = await overSocket(`${invocations('live')}/`);
    expect(slash.status).toBe(200);
    expect(t.fastPath.served).toBe(served);
  });

  it('over the body limit are refused with 413 before the body is read', async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}${invocations('live')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serve}`, 'content-length': String(65 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{');
    });
    expect(answer).toBe(413);
  });

  it('are counted in the request metrics under the route template, fast or not', async () => {
    const count = async () => {
      const text = (await t.call({ method: 'GET', url: '/-/metrics', token: ADMIN_TOKEN })).body;
      const line = text.split('\n').find((l) => l.startsWith('modelyard_http_requests_total{method="POST",route="/serving/:id/:environment/invocations",status="200"}'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    await overSocket(invocations('live'));
    await injected(invocations('live'));
    expect(await count()).toBe(before + 2);
  });
});
