import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { fakeArchives, modelWithVersions, ScriptedAgent, serveToken, startModelServer, type ModelServer } from '../support/serving.ts';

/**
 * Agents report endpoints on the server's loopback. One project's agent must not be able to
 * name another project's model server and have the gateway serve it under its own
 * environment: an endpoint a reporting agent holds is refused to every other agent.
 */
let t: TestApp;
let model: ModelServer;
let serve: string;
const projects: { id: number; agent: ScriptedAgent }[] = [];

const predict = (projectId: number) =>
  t.call({ method: 'POST', url: `/serving/${projectId}/production/invocations`, headers: { authorization: `Bearer ${serve}`, 'content-type': 'application/json' }, payload: '{"inputs": [[1]]}' });

async function report(agent: ScriptedAgent, endpoint: string) {
  await agent.sync();
  const [instance] = agent.instances;
  return agent.call('PUT', `/api/v4/agent/instances/${instance!.instance_id}`, { state: 'ready', endpoint, restarts: 0 });
}

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_SERVING_CACHE_SECONDS: '0.001' });
  t.services.agentArchives.current = fakeArchives();
  serve = await serveToken(t);
  model = await startModelServer('victim');
  for (const name of ['victim', 'intruder']) {
    const id = (await t.createProject(ADMIN_TOKEN, `endpoints-${name}`)).id;
    await modelWithVersions(t, id, 'iris', 1);
    const deployed = await t.call({ method: 'POST', url: `/api/v4/projects/${id}/deployments`, token: ADMIN_TOKEN, payload: { environment: 'production', model: 'iris', version: '1' } });
    expect(deployed.statusCode, deployed.body).toBe(201);
    projects.push({ id, agent: await ScriptedAgent.create(t, id) });
  }
});

afterAll(async () => {
  await model?.close();
  await t?.close();
});

describe("agents' endpoints", () => {
  it("refuses an endpoint another reporting agent holds, so one project's agent cannot serve another's model server", async () => {
    const [victim, intruder] = projects as [(typeof projects)[0], (typeof projects)[0]];
    expect((await report(victim.agent, model.url)).statusCode).toBe(200);
    expect((await predict(victim.id)).statusCode).toBe(200);

    const refused = await report(intruder.agent, model.url);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().message).toBe(`409 ${model.url} is the endpoint of another agent's instance: report the port your own model server listens on`);
    expect((await predict(intruder.id)).statusCode).toBe(503);
    expect(model.requests).toBe(1);

    // The holder went silent (its machine, and the port with it, may be gone): the port is free to report.
    const longAgo = Date.now() - 24 * 3600_000;
    await t.services.database.db
      .updateTable('serving_agents')
      .set({ contacted_at: longAgo })
      .where('id', '=', (await agentIdOf(victim.id))!)
      .execute();
    expect((await report(intruder.agent, model.url)).statusCode).toBe(200);
  });
});

async function agentIdOf(projectId: number): Promise<number | undefined> {
  const row = await t.services.database.db.selectFrom('serving_agents').select('id').where('project_id', '=', projectId).executeTakeFirst();
  return row?.id;
}
