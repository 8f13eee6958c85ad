import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('keys');
  projectId = (await t.createProject(dev.token, 'keys')).id;
});
afterAll(async () => t?.close());

async function mlflow(endpoint: string, body: Record<string, unknown>) {
  const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`, token: dev.token, payload: body });
  if (res.statusCode !== 200) throw new Error(`${endpoint}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const keysOf = (experimentId: number | string) => t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/experiments/${experimentId}/run_keys`, token: dev.token });

describe('the keys of an experiment’s runs', () => {
  it('lists every metric, param and tag key of all its runs, deleted ones too, and none of another experiment', async () => {
    const experiment = (await mlflow('experiments/create', { name: 'keyed' })).experiment_id as string;
    const other = (await mlflow('experiments/create', { name: 'elsewhere' })).experiment_id as string;
    const run = async (exp: string, batch: Record<string, unknown>) => {
      const id = (await mlflow('runs/create', { experiment_id: exp, start_time: 1 })).run.info.run_id as string;
      await mlflow('runs/log-batch', { run_id: id, ...batch });
      return id;
    };
    await run(experiment, { metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.1' }] });
    const old = await run(experiment, { metrics: [{ key: 'acc', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'depth', value: '3' }], tags: [{ key: 'team', value: 'a' }] });
    await mlflow('runs/delete', { run_id: old });
    await run(other, { metrics: [{ key: 'f1', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'seed', value: '1' }], tags: [{ key: 'owner', value: 'b' }] });

    const res = await keysOf(experiment);
    expect(res.statusCode).toBe(200);
    const keys = res.json();
    expect(keys.metrics).toEqual(['acc', 'loss']);
    expect(keys.params).toEqual(['depth', 'lr']);
    expect(keys.tags).toContain('team');
    expect(keys.tags).not.toContain('owner');
  });

  it('is a 404 for an experiment the project does not have', async () => {
    const res = await keysOf(999999);
    expect(res.statusCode).toBe(404);
    expect((await keysOf('abc')).statusCode).toBe(400);
  });
});
