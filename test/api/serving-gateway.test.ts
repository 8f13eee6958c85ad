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

/** The tests that send thousands of requests: half a minute alone on PostgreSQL, more on a loaded machine. */
const HEAVY_MS = 180_000;

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
  // The scripted agent calls only when the test says: a long stale window keeps it trusted through the long loops.
  t = await startTestApp({ MODELYARD_SERVING_CACHE_SECONDS: '0.001', MODELYARD_AGENT_STALE_SECONDS: '600' });
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

  it(
    'splits a canary by subject within the binomial bound, keeps each subject on one variant, and rolls a failing canary back at its gates',
    async () => {
      const canary = await deploy({
        environment: 'staging',
        model: 'iris',
        version: '2',
        policy: { kind: 'canary', steps: [10, 50, 100], pause_seconds: 3600, gates: { max_error_rate: 0.05, min_requests: 20 }, window_seconds: 60 },
      });
      expect(canary.variants.map((v) => [v.name, v.weight])).toEqual([
        ['canary', 10],
        ['stable', 90],
      ]);
      await agent.serve(byVersion);

      const seen = new Map<string, string>();
      for (let i = 0; i < 2000; i++) {
        const res = await predict('staging', { subject: `subject-${i}` });
        expect(res.statusCode, `${i}: ${res.body}`).toBe(200);
        seen.set(`subject-${i}`, String(res.headers['x-modelyard-variant']));
      }
      const onCanary = [...seen.values()].filter((v) => v === 'canary').length;
      // Binomial(2000, 0.1): mean 200, sd 13.4; the two-sided 99.9% bound is ±3.29 sd.
      expect(onCanary).toBeGreaterThanOrEqual(156);
      expect(onCanary).toBeLessThanOrEqual(244);
      for (let i = 0; i < 300; i++) {
        const res = await predict('staging', { subject: `subject-${i}` });
        expect(res.headers['x-modelyard-variant'], `subject-${i}`).toBe(seen.get(`subject-${i}`));
      }

      // v2 breaks: the gates see the canary's errors and roll it back, with the reason recorded.
      v2.failing(true);
      for (let i = 0; i < 400; i++) await predict('staging', { subject: `late-${i}` });
      await t.services.serving.metrics.flush();
      await t.services.serving.gates.tick();
      const env = (await t.call({ method: 'GET', url: api(`/environments/${canary.environment.id}`), token: ADMIN_TOKEN })).json();
      expect(env.current_deployment.policy).toEqual({ kind: 'single' });
      expect(env.current_deployment.variants.map((v: { name: string; version: { version: number } }) => [v.name, v.version.version])).toEqual([['stable', 1]]);
      expect(env.current_deployment.rollback_of).toBe(canary.id);
      expect(env.current_deployment.reason).toMatch(/^rollback: error rate \d+\.\d% > 5\.0% \(\d+ of \d+ requests failed\)$/);
      const failed = (await t.call({ method: 'GET', url: api(`/deployments/${canary.id}`), token: ADMIN_TOKEN })).json();
      expect(failed.status).toBe('failed');
      expect(failed.reason).toMatch(/failed its gates: error rate/);
      for (let i = 0; i < 50; i++) expect((await predict('staging', { subject: `after-${i}` })).json()).toEqual({ predictions: ['v1', 'v1'] });
      v2.failing(false);
    },
    HEAVY_MS,
  );

  it('promotes a healthy canary step by step at its gates, then to stable', async () => {
    const canary = await deploy({
      environment: 'staging',
      model: 'iris',
      version: '2',
      policy: { kind: 'canary', steps: [50, 100], pause_seconds: 0, gates: { max_error_rate: 0.05, min_requests: 10 }, window_seconds: 60 },
    });
    await agent.serve(byVersion);
    const drive = async () => {
      for (let i = 0; i < 100; i++) expect((await predict('staging', { subject: `p-${i}` })).statusCode).toBe(200);
      await t.services.serving.metrics.flush();
      await t.services.serving.gates.tick();
    };
    await drive();
    const step2 = (await t.call({ method: 'GET', url: api(`/environments/${canary.environment.id}`), token: ADMIN_TOKEN })).json().current_deployment;
    expect(step2.policy.step).toBe(1);
    expect(step2.lineage_id).toBe(canary.lineage_id);
    expect(step2.reason).toMatch(/^canary step 2 of 2: 100%: gates passed at 50%/);
    await drive();
    const promoted = (await t.call({ method: 'GET', url: api(`/environments/${canary.environment.id}`), token: ADMIN_TOKEN })).json().current_deployment;
    expect(promoted.policy).toEqual({ kind: 'single' });
    expect(promoted.variants.map((v: { name: string; version: { version: number } }) => [v.name, v.version.version])).toEqual([['stable', 2]]);
    expect(promoted.reason).toMatch(/^canary promoted to stable/);
    expect((await predict('staging')).json()).toEqual({ predictions: ['v2', 'v2'] });
  });

  it('rolls back in one call to the previous successful deployment, with the reason', async () => {
    const envId = (await t.call({ method: 'GET', url: api('/environments?name=staging'), token: ADMIN_TOKEN })).json()[0].id;
    await agent.serve(byVersion);
    await t.services.deploymentsWorker.tick();
    const rolledBack = await t.call({ method: 'POST', url: api(`/environments/${envId}/rollback`), token: developer.token, payload: { reason: 'v2 confuses the setosas' } });
    expect(rolledBack.statusCode, rolledBack.body).toBe(201);
    expect(rolledBack.json().reason).toMatch(/^rollback requested by serving-dev to deployment #\d+: v2 confuses the setosas$/);
    expect(rolledBack.json().variants.map((v: { version: { version: number } }) => v.version.version)).toEqual([1]);
    // Until the agent has v1 running again, v2 (the serving deployment) keeps answering: nothing is half-switched.
    expect((await predict('staging')).json()).toEqual({ predictions: ['v2', 'v2'] });
    await agent.serve(byVersion);
    expect((await predict('staging')).json()).toEqual({ predictions: ['v1', 'v1'] });
    const audit = await t.call({ method: 'GET', url: api('/audit_events?per_page=100'), token: ADMIN_TOKEN });
    expect(audit.json().filter((a: { action: string }) => a.action === 'deployments.deployment.created').length).toBeGreaterThanOrEqual(5);
  });
});

describe('shadow variants', () => {
  it('mirror a share of requests whose answers are recorded and never returned', async () => {
    await deploy({ environment: 'shadowed', model: 'iris', version: '1', variants: [{ version: '2', role: 'shadow', shadow_share: 100 }] });
    await agent.serve(byVersion);
    const before = v2.requests;
    for (let i = 0; i < 20; i++) expect((await predict('shadowed')).json()).toEqual({ predictions: ['v1', 'v1'] });
    await new Promise((r) => setTimeout(r, 100));
    expect(v2.requests - before).toBe(20);
    await t.services.serving.metrics.flush();
    const envId = (await t.call({ method: 'GET', url: api('/environments?name=shadowed'), token: ADMIN_TOKEN })).json()[0].id;
    const results = (await t.call({ method: 'GET', url: api(`/environments/${envId}/results`), token: ADMIN_TOKEN })).json();
    const shadow = results.variants.find((v: { name: string }) => v.name === 'shadow');
    expect(shadow).toMatchObject({ role: 'shadow', requests: 20, errors: 0, mismatches: 20 });
  });
});

describe('A/B tests', () => {
  it(
    "report a truly better variant as best with P(best) > 0.95 after 2 000 subjects' feedback",
    async () => {
      await deploy({
        environment: 'ab',
        policy: { kind: 'ab', subject_header: 'X-User', reward: 'binary' },
        variants: [
          { name: 'a', model: 'iris', version: 1, weight: 50 },
          { name: 'b', model: 'iris', version: 2, weight: 50 },
        ],
      });
      await agent.serve(byVersion);
      // A seeded population: a converts at 10%, b at 15%.
      let state = 42;
      const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const counts = { a: 0, b: 0 };
      for (let i = 0; i < 2000; i++) {
        const subject = `user-${i}`;
        const answer = await t.call({
          method: 'POST',
          url: gateway('ab'),
          headers: { authorization: `Bearer ${serve}`, 'content-type': 'application/json', 'x-user': subject },
          payload: JSON.stringify({ inputs: [[1]] }),
        });
        const variant = String(answer.headers['x-modelyard-variant']) as 'a' | 'b';
        counts[variant]++;
        const converted = random() < (variant === 'b' ? 0.15 : 0.1) ? 1 : 0;
        const feedback = await t.call({ method: 'POST', url: gateway('ab', 'feedback'), headers: { authorization: `Bearer ${serve}` }, payload: { subject, value: converted } });
        expect(feedback.statusCode, feedback.body).toBe(200);
        expect(feedback.json().variant).toBe(variant);
      }
      expect(counts.a + counts.b).toBe(2000);
      await t.services.serving.metrics.flush();
      const envId = (await t.call({ method: 'GET', url: api('/environments?name=ab'), token: ADMIN_TOKEN })).json()[0].id;
      const results = (await t.call({ method: 'GET', url: api(`/environments/${envId}/results`), token: ADMIN_TOKEN })).json();
      const [a, b] = results.variants;
      expect(a.reward.n + b.reward.n).toBe(2000);
      expect(b.reward.probability_best).toBeGreaterThan(0.95);
      expect(a.reward.probability_best + b.reward.probability_best).toBeCloseTo(1, 5);
      expect(b.reward.ci_low).toBeLessThan(b.reward.mean);
      expect(b.reward.ci_high).toBeGreaterThan(b.reward.mean);
      expect(a.requests + b.requests).toBe(2000);
      expect(a.latency_ms.p50).not.toBeNull();
      const binary = await t.call({ method: 'POST', url: gateway('ab', 'feedback'), headers: { authorization: `Bearer ${serve}` }, payload: { subject: 'x', value: 0.5 } });
      expect(binary.statusCode).toBe(400);
      expect(binary.json().message).toMatch(/not a binary reward/);
    },
    HEAVY_MS,
  );
});

describe('what cannot serve', () => {
  it('answers 404 for an unknown environment and 503 with a message for an empty or stopped one', async () => {
    expect((await predict('nowhere')).statusCode).toBe(404);
    const created = await t.call({ method: 'POST', url: api('/environments'), token: ADMIN_TOKEN, payload: { name: 'empty' } });
    expect(created.statusCode).toBe(201);
    const empty = await predict('empty');
    expect(empty.statusCode).toBe(503);
    expect(empty.json().message).toMatch(/nothing is deployed/);
    await deploy({ environment: 'doomed', model: 'iris', version: '1' });
    await agent.serve(byVersion);
    expect((await predict('doomed')).statusCode).toBe(200);
    const envId = (await t.call({ method: 'GET', url: api('/environments?name=doomed'), token: ADMIN_TOKEN })).json()[0].id;
    const stopped = await t.call({ method: 'POST', url: api(`/environments/${envId}/stop`), token: ADMIN_TOKEN, payload: {} });
    expect(stopped.json().state).toBe('stopped');
    const answer = await predict('doomed');
    expect(answer.statusCode).toBe(503);
    expect(answer.json().message).toMatch(/environment doomed is stopped/);
    // Its instances leave the agent's assignments.
    await agent.sync();
    expect(agent.instances.some((i) => i.environment.name === 'doomed')).toBe(false);
  });

  it('answers 503 naming the agent when the agent of an environment stopped reporting', async () => {
    await deploy({ environment: 'silent', model: 'iris', version: '1' });
    await agent.serve(byVersion);
    expect((await predict('silent')).statusCode).toBe(200);
    await t.services.database.db
      .updateTable('serving_agents')
      .set({ contacted_at: Date.now() - 86_400_000 })
      .execute();
    await new Promise((r) => setTimeout(r, 5)); // the gateway's cache period (1 ms here)
    const answer = await predict('silent');
    expect(answer.statusCode).toBe(503);
    expect(answer.json().message).toMatch(/no ready instance of stable/);
    const envId = (await t.call({ method: 'GET', url: api('/environments?name=silent'), token: ADMIN_TOKEN })).json()[0].id;
    const health = (await t.call({ method: 'GET', url: api(`/environments/${envId}`), token: ADMIN_TOKEN })).json().health;
    expect(health.status).toBe('agent_not_reporting');
    expect(health.message).toMatch(/agent not reporting/);
    await agent.sync();
    expect((await predict('silent')).statusCode).toBe(200);
  });
});

describe('serve tokens', () => {
  it('are the only tokens the gateway takes, and take nothing else', async () => {
    const api_scoped = await t.services.tokens.create({ userId: developer.id, kind: 'personal' }, { name: 'api', scopes: ['api'] }, null);
    const refused = await predict('staging', { token: api_scoped.secret });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/insufficient_scope/);
    expect((await t.call({ method: 'POST', url: gateway('staging'), headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(401);
    const developerServe = await serveToken(t, developer.id);
    expect((await predict('staging', { token: developerServe })).statusCode).toBe(200);
    const outsider = await t.createUser('serving-outsider');
    const outsiderServe = await serveToken(t, outsider.id);
    expect((await predict('staging', { token: outsiderServe })).statusCode).toBe(404);
    // A serve token reads nothing and changes nothing.
    for (const [method, url] of [
      ['GET', api('')],
      ['GET', api('/environments')],
      ['POST', api('/deployments')],
      ['GET', '/api/v4/user'],
    ] as const) {
      const res = await t.call({ method, url, headers: { authorization: `Bearer ${developerServe}` }, ...(method === 'POST' ? { payload: { environment: 'staging' } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    // Revoked: refused once the cache period has passed.
    const id = (await t.services.tokens.lookup(developerServe)).token!.id;
    await t.services.tokens.revoke(await t.services.tokens.getById(id), null);
    await new Promise((r) => setTimeout(r, 5));
    expect((await predict('staging', { token: developerServe })).statusCode).toBe(401);
  });
});

describe('metrics', () => {
  it('shows requests and latency per environment and variant in /-/metrics', async () => {
    const res = await t.call({ method: 'GET', url: '/-/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(new RegExp(`modelyard_serving_requests_total\\{project="${projectId}",environment="staging",variant="canary",role="live",outcome="error"\\} [1-9]`));
    expect(res.body).toMatch(/modelyard_serving_request_duration_seconds_bucket\{project="\d+",environment="ab",variant="b",role="live",le="\+Inf"\} \d+/);
    expect(res.body).toMatch(/modelyard_serving_shadow_mismatches_total\{project="\d+",environment="shadowed",variant="shadow",role="shadow"\} 20/);
  });
});
