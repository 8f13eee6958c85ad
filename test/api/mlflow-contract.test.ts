import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * The MLflow adapter's contract as the OpenAPI document shows it: every endpoint once, at the
 * project mount, with its request message's fields and a response schema named as in MLflow's
 * protos; and the adapter reads requests as MLflow does, ignoring fields it does not know.
 */
let t: TestApp;
let dev: TestUser;
let projectId: number;

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { title?: string; properties?: Record<string, unknown> } }> };
  responses: Record<string, { content?: Record<string, { schema: { title?: string; properties?: Record<string, unknown> } }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

let paths: Paths;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('contract');
  projectId = (await t.createProject(dev.token, 'contract')).id;
  paths = (await t.call({ method: 'GET', url: '/api/v4/openapi.json' })).json().paths as Paths;
});
afterAll(async () => t?.close());

const MOUNT = '/api/v4/projects/{id}/ml/mlflow/api';
const operations = () => Object.entries(paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })));

describe('the MLflow endpoints in the OpenAPI document', () => {
  it('are listed once, at the project mount, at least 40 of them', () => {
    const mlflow = operations().filter((o) => /\/(2\.0|3\.0)\/mlflow(-artifacts)?\//.test(o.path) || o.path.endsWith('/mlflow-artifacts/artifacts'));
    expect(mlflow.length).toBeGreaterThanOrEqual(40);
    expect(mlflow.filter((o) => !o.path.startsWith(MOUNT)).map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  it('declare a response for every status they answer, JSON messages named as in the protos', () => {
    const mlflow = operations().filter((o) => o.path.startsWith(MOUNT));
    for (const { path, method, operation } of mlflow) {
      const ok = operation.responses['200']?.content;
      expect(ok, `${method} ${path}`).toBeDefined();
      expect(operation.responses['4XX']?.content?.['application/json']?.schema.properties, `${method} ${path}`).toHaveProperty('error_code');
      const json = ok!['application/json'];
      if (json) expect(json.schema.title, `${method} ${path}`).toMatch(/_Response$/);
    }
    const experiment = paths[`${MOUNT}/2.0/mlflow/experiments/get`]!.get!;
    expect(experiment.responses['200']!.content!['application/json']!.schema.title).toBe('GetExperiment_Response');
    expect(experiment.responses['200']!.content!['application/json']!.schema.properties).toHaveProperty('experiment');
    const download = paths[`${MOUNT}/2.0/mlflow-artifacts/artifacts/{*}`]!.get!;
    expect(Object.keys(download.responses['200']!.content!)).toEqual(['application/octet-stream']);
  });

  it('document the request message: its fields in the body, or as query parameters for GET', () => {
    const create = paths[`${MOUNT}/2.0/mlflow/experiments/create`]!.post!;
    const body = create.requestBody!.content['application/json']!.schema;
    expect(body.title).toBe('CreateExperiment');
    expect(Object.keys(body.properties!)).toEqual(['name', 'artifact_location', 'tags']);
    const search = paths[`${MOUNT}/2.0/mlflow/runs/search`]!.post!;
    expect(search.requestBody!.content['application/json']!.schema.title).toBe('SearchRuns');
    const version = paths[`${MOUNT}/2.0/mlflow/model-versions/get`]!.get!;
    expect(version.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(['name', 'version']);
    const loggedModel = paths[`${MOUNT}/2.0/mlflow/logged-models/{model_id}`]!.get!;
    expect(
      loggedModel
        .parameters!.filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['id', 'model_id']);
  });
});

describe('the MLflow adapter', () => {
  it('ignores fields it does not know, as MLflow does, where the native API refuses them', async () => {
    const url = `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/experiments/create`;
    const created = await t.call({ method: 'POST', url, token: dev.token, payload: { name: 'unknown-fields', a_field_from_a_newer_client: { nested: true } } });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ experiment_id: expect.stringMatching(/^\d+$/) });
    const listed = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=unknown-fields&page=3`, token: dev.token });
    expect(listed.statusCode).toBe(200);
    const native = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: dev.token, payload: { name: 'm', a_field_from_a_newer_client: 1 } });
    expect(native.statusCode).toBe(400);
  });

  it('still reads numbers sent as strings (proto-JSON), which a strict schema would refuse', async () => {
    const base = `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow`;
    const run = (await t.call({ method: 'POST', url: `${base}/runs/create`, token: dev.token, payload: { experiment_id: '0', start_time: '1700000000000' } })).json().run;
    expect(run.info.start_time).toBe(1700000000000);
    const logged = await t.call({ method: 'POST', url: `${base}/runs/log-metric`, token: dev.token, payload: { run_id: run.info.run_id, key: 'm', value: '1.5', timestamp: '5', step: '2' } });
    expect(logged.statusCode).toBe(200);
  });
});
