import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { fakeArchives, modelWithVersions, ScriptedAgent, serveToken, startModelServer, type ModelServer } from '../support/serving.ts';

/**
 * The gateway end to end inside one process: deployments made through the API, a scripted
 * agent reporting instances, and tiny model servers answering as MLflow's scoring server:
 * pass-through of every input format, sticky canary assignment, gates that roll back a failing
 * canary, shadow variants, A/B feedback and results, serve-scoped tokens, and 503s with a
 * message for environments that cannot serve.
 */
let t: TestApp;
let projectId: number;
let serve: string;
let v1: ModelServer;
let v2: ModelServer;
let agent: ScriptedAgent;
let developer: TestUser;

const api = (path: string) => `/api/v4/projects/${projectId}${path}`;
const gateway = (env: string, path = 'invocations') => `/serving/${projectId}/${encodeURIComponent(env)}/${path}`;

async function deploy(payload: Record<string, unknown>, token = ADMIN_TOKEN) {
  const res = await t.call({ method: 'POST', url: api('/deployments'), token, payload });
  if (res.statusCode !== 201) throw new Error(`deploy: ${res.statusCode} ${res.body}`);
  return res.json() as { id: number; status: string; environment: { id: number }; variants: { name: string; weight: number }[]; reason: string; lineage_id: number };
}

/** The scripted agent serves version 1 on v1's server and version 2 on v2's. */
const byVersion = (instance: { model: { version: number } }) => (instance.model.version === 1 ? v1.url : instance.model.version === 2 ? v2.url : undefined);

function predict(env: string, options: { subject?: string; body?: string; contentType?: string; token?: string } = {}) {
  return t.call({
    method: 'POST',
    url: gateway(env),
    headers: {
      authorization: `Bearer ${options.token ?? serve}`,
      'content-type': options.contentType ?? 'application/json',
      ...(options.subject ? { 'x-subject': options.subject } : {}),
    },
    payload: options.body ?? JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1], [2]] } }),
  });
}

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_SERVING_CACHE_SECONDS: '0.001' });
  t.services.agentArchives.current = fakeArchives();
  projectId = (await t.createProject(ADMIN_TOKEN, 'serving')).id;
  developer = await t.createUser('serving-dev');
  await t.addMember(projectId, developer.id, 30);
  await modelWithVersions(t, projectId, 'iris', 3);
  serve = await serveToken(t);
  v1 = await startModelServer('v1');
  v2 = await startModelServer('v2');
  agent = await ScriptedAgent.create(t, projectId);
});

afterAll(async () => {
  await v1?.close();
  await v2?.close();
  await t?.close();
});

describe('the gateway', () => {
  it('passes predictions through unchanged once the agent reports the instance ready', async () => {
    const first = await deploy({ environment: 'staging', model: 'iris', version: '1' });
    expect(first.status).toBe('running');
    const before = await predict('staging');
    expect(before.statusCode).toBe(503);
    expect(before.json().message).toMatch(/no ready instance of stable/);

    await agent.serve(byVersion);
    const deployment = await t.call({ method: 'GET', url: api(`/deployments/${first.id}`), token: ADMIN_TOKEN });
    expect(deployment.json().status).toBe('success');

    const answer = await predict('staging');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toEqual({ predictions: ['v1', 'v1'] });
    expect(answer.headers['x-modelyard-variant']).toBe('stable');
    for (const body of [{ dataframe_records: [{ x: 1 }] }, { instances: [[1], [2], [3]] }, { inputs: [[1]] }]) {
      const res = await predict('staging', { body: JSON.stringify(body) });
      expect(res.statusCode).toBe(200);
    }
    const csv = await predict('staging', { body: 'x\n1\n2\n3\n', contentType: 'text/csv' });
    expect(csv.json()).toEqual({ predictions: ['v1', 'v1', 'v1'] });
    // The model server's own 400 for bad input comes back as it was.
    const bad = await predict('staging', { body: '{not json' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error_code: 'BAD_REQUEST', message: 'Invalid input' });
    expect((await t.call({ method: 'GET', url: gateway('staging', 'ping'), headers: { authorization: `Bearer ${serve}` } })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: gateway('staging', 'version'), headers: { authorization: `Bearer ${serve}` } })).body).toBe('2.22.1');
  });
});
