import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { fakeArchives, modelWithVersions, ScriptedAgent, serveToken, startModelServer, type ModelServer } from '../support/serving.ts';

/**
 * An agent in a pod of its own (`modelyard agent --listen-address POD_IP`) reports its model
 * servers at that address, and replicas of the server in other pods call them there. Such an
 * endpoint is not loopback, so it is one the gateway admits only through the outbound address
 * policy, as it admits a KServe cluster's URL: the administrator allows the agents' addresses
 * (MODELYARD_OUTBOUND_ALLOW). Here 127.0.0.2 stands for an allowed pod address and 127.0.0.3 for
 * one nobody allowed.
 */
let t: TestApp;
let serve: string;
let projectId: number;
let environmentId: number;
let agent: ScriptedAgent;
const servers: ModelServer[] = [];

const predict = () =>
  t.call({ method: 'POST', url: `/serving/${projectId}/production/invocations`, headers: { authorization: `Bearer ${serve}`, 'content-type': 'application/json' }, payload: '{"inputs": [[1]]}' });

async function report(endpoint: string) {
  await agent.sync();
  const [instance] = agent.instances;
  return agent.call('PUT', `/api/v4/agent/instances/${instance!.instance_id}`, { state: 'ready', endpoint, restarts: 0 });
}

async function health() {
  t.services.serving.routes.invalidate();
  const answer = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/environments/${environmentId}`, token: ADMIN_TOKEN });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json().health;
}

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_SERVING_CACHE_SECONDS: '0.001', MODELYARD_OUTBOUND_ALLOW: '127.0.0.2' });
  t.services.agentArchives.current = fakeArchives();
  serve = await serveToken(t);
  projectId = (await t.createProject(ADMIN_TOKEN, 'pod-agent')).id;
  await modelWithVersions(t, projectId, 'iris', 1);
  const deployed = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/deployments`, token: ADMIN_TOKEN, payload: { environment: 'production', model: 'iris', version: '1' } });
  expect(deployed.statusCode, deployed.body).toBe(201);
  environmentId = deployed.json().environment.id;
  agent = await ScriptedAgent.create(t, projectId);
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await t?.close();
});

describe("an agent's endpoint off loopback", () => {
  it('is served once the outbound address policy allows its address', async () => {
    const pod = await startModelServer('pod', '127.0.0.2');
    servers.push(pod);
    expect((await report(pod.url)).statusCode).toBe(200);
    expect((await health()).variants[0].instances[0]).toMatchObject({ state: 'ready', endpoint: pod.url });
    const answer = await predict();
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toEqual({ predictions: ['pod'] });
    expect(pod.requests).toBe(1);
  });

  it('is refused, shown with the reason and sent nothing, when the policy does not allow it', async () => {
    const elsewhere = await startModelServer('elsewhere', '127.0.0.3');
    servers.push(elsewhere);
    expect((await report(elsewhere.url)).statusCode).toBe(200);
    const shown = await health();
    expect(shown.variants[0].instances[0]).toMatchObject({ state: 'refused', endpoint: elsewhere.url });
    expect(shown.variants[0].instances[0].message).toMatch(/outbound address policy refuses it/);
    expect((await predict()).statusCode).toBe(503);
    expect(elsewhere.requests).toBe(0);
  });

  it('must be a bare http://HOST:PORT: no credentials, path, query or other scheme', async () => {
    for (const endpoint of ['http://user:pw@127.0.0.2:8080', 'http://127.0.0.2:8080/predict', 'http://127.0.0.2:8080?x=1', 'https://127.0.0.2:8080', 'file:///etc/passwd', 'http://127.0.0.2']) {
      const answer = await report(endpoint);
      expect(answer.statusCode, endpoint).toBe(400);
    }
  });
});
