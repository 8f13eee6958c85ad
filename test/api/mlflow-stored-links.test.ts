import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * Links MLflow stores as given and resolves only when they are read: a model version's source
 * (a run the project never saw, another store's URI), a logged model's source run, and the
 * `mlflow.modelVersions` tag a registration leaves on its logged model. What MLflow refuses
 * (local paths, relative parts, hosts the server would connect to) is refused here too.
 */
let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('links');
  projectId = (await t.createProject(dev.token, 'links')).id;
});
afterAll(async () => t?.close());

const api = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${path}`;
const post = (path: string, payload: unknown) => t.call({ method: 'POST', url: api(path), token: dev.token, payload: payload as never });
const get = (path: string) => t.call({ method: 'GET', url: api(path), token: dev.token });

describe('model-version sources', () => {
  beforeAll(async () => {
    await post('registered-models/create', { name: 'sources' });
  });

  it('stores a runs:/ source of a run the project never held, and answers it unchanged as the download URI', async () => {
    const created = await post('model-versions/create', { name: 'sources', source: 'runs:/run_id/model', run_id: 'run_id' });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().model_version).toMatchObject({ source: 'runs:/run_id/model', run_id: 'run_id' });
    const version = created.json().model_version.version as string;
    expect((await get(`model-versions/get-download-uri?name=sources&version=${version}`)).json()).toEqual({ artifact_uri: 'runs:/run_id/model' });
    // Searchable by the run id it names, as MLflow's registry tests search them.
    const found = await get(`model-versions/search?filter=${encodeURIComponent("run_id = 'run_id'")}`);
    expect(found.json().model_versions.map((v: { version: string }) => v.version)).toEqual([version]);
    // The version's lineage tolerates the missing run: no run, no experiment, no error.
    const models = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/models`, token: dev.token })).json() as { id: number; name: string }[];
    const id = models.find((m) => m.name === 'sources')!.id;
    const lineage = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/models/${id}/versions/${version}/lineage`, token: dev.token });
    expect(lineage.statusCode, lineage.body).toBe(200);
    expect(lineage.json()).toMatchObject({ run: null, experiment: null });
  });

  it("resolves a runs:/ source of the project's run to the run's artifacts", async () => {
    const experiment = (await post('experiments/create', { name: 'sources-exp' })).json().experiment_id;
    const run = (await post('runs/create', { experiment_id: experiment })).json().run.info;
    const created = await post('model-versions/create', { name: 'sources', source: `runs:/${run.run_id}/model/`, run_id: run.run_id });
    const uri = await get(`model-versions/get-download-uri?name=sources&version=${created.json().model_version.version}`);
    expect(uri.json()).toEqual({ artifact_uri: `${run.artifact_uri}/model` });
  });

  it("stores another store's URI without reading it", async () => {
    const created = await post('model-versions/create', { name: 'sources', source: 's3://bucket/path/model' });
    expect(created.statusCode, created.body).toBe(200);
    expect((await get(`model-versions/get-download-uri?name=sources&version=${created.json().model_version.version}`)).json()).toEqual({ artifact_uri: 's3://bucket/path/model' });
  });

  it('refuses what MLflow refuses, in its words, and stores nothing', async () => {
    const before = (await get("model-versions/search?filter=name%3D'sources'")).json().model_versions.length;
    const refusals: [unknown, string][] = [
      [
        { source: 'runs:/run_id/model', run_id: 'another_run' },
        "Invalid model version source: 'runs:/run_id/model'. The run_id request parameter must identify the resource that contains the source.",
      ],
      [{ source: '/etc/passwd' }, "Invalid model version source: '/etc/passwd'. A local path cannot be a model version source"],
      [{ source: 'file:///var/lib/modelyard/data' }, "Invalid model version source: 'file:///var/lib/modelyard/data'. A local path"],
      [{ source: 's3://bucket/models/../../other' }, 'an absolute path must be provided without relative path references present'],
      [{ source: 'mlflow-artifacts:/1/%252e%252e/%252e%252e/secret' }, 'without relative path references present'],
      [{ source: 'http://169.254.169.254/latest' }, "'source' cannot use the 'http' scheme"],
      [{ source: 'mlflow-artifacts://other-host/path' }, "'source' cannot use the 'mlflow-artifacts' scheme"],
      [{ source: 'runs://host/run/model', run_id: 'run' }, 'The run_id request parameter must identify the resource that contains the source.'],
    ];
    for (const [fields, message] of refusals) {
      const res = await post('model-versions/create', { name: 'sources', ...(fields as object) });
      expect([res.statusCode, res.json().error_code], JSON.stringify(fields)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json().message, JSON.stringify(fields)).toContain(message);
    }
    expect((await get("model-versions/search?filter=name%3D'sources'")).json().model_versions.length).toBe(before);
  });
});

describe('logged models', () => {
  let experimentId: string;
  beforeAll(async () => {
    experimentId = (await post('experiments/create', { name: 'logged-links' })).json().experiment_id;
  });

  it('stores a source_run_id the project does not hold, as given', async () => {
    const res = await post('logged-models', { experiment_id: experimentId, name: 'orphan', source_run_id: '123' });
    expect(res.statusCode, res.body).toBe(200);
    const model = res.json().model.info;
    expect(model.source_run_id).toBe('123');
    expect((await get(`logged-models/${model.model_id}`)).json().model.info.source_run_id).toBe('123');
  });

  it('lists every version registered from it in its mlflow.modelVersions tag, as MLflow writes it', async () => {
    const model = (await post('logged-models', { experiment_id: experimentId, name: 'registered' })).json().model.info;
    await post('registered-models/create', { name: 'from-logged' });
    for (let i = 0; i < 2; i++) {
      const res = await post('model-versions/create', { name: 'from-logged', source: model.artifact_uri, model_id: model.model_id });
      expect(res.statusCode, res.body).toBe(200);
    }
    const tags = (await get(`logged-models/${model.model_id}`)).json().model.info.tags as { key: string; value: string }[];
    expect(tags.find((tag) => tag.key === 'mlflow.modelVersions')?.value).toBe('[{"name": "from-logged", "version": 1}, {"name": "from-logged", "version": 2}]');
  });

  it('round-trips the models a run used (log-inputs) and produced (outputs) through runs/get, refusing a model the project lacks', async () => {
    const run = (await post('runs/create', { experiment_id: experimentId })).json().run.info.run_id;
    const used = (await post('logged-models', { experiment_id: experimentId, name: 'used' })).json().model.info.model_id;
    const produced = (await post('logged-models', { experiment_id: experimentId, name: 'produced' })).json().model.info.model_id;
    const dataset = { name: 'd', digest: 'x', source_type: 'local', source: 'd.csv' };
    expect((await post('runs/log-inputs', { run_id: run, datasets: [{ dataset }], models: [{ model_id: used }] })).statusCode).toBe(200);
    expect((await post('runs/outputs', { run_id: run, models: [{ model_id: produced, step: 3 }] })).statusCode).toBe(200);
    const got = (await get(`runs/get?run_id=${run}`)).json().run;
    expect(got.inputs.model_inputs).toEqual([{ model_id: used }]);
    expect(got.inputs.dataset_inputs).toHaveLength(1);
    expect(got.outputs.model_outputs).toEqual([{ model_id: produced, step: 3 }]);
    const missing = await post('runs/log-inputs', { run_id: run, models: [{ model_id: 'm-00000000000000000000000000000000' }] });
    expect([missing.statusCode, missing.json().error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });

  it('keeps the models with a metric on one of the searched datasets', async () => {
    const run = (await post('runs/create', { experiment_id: experimentId })).json().run.info.run_id;
    const scored = (await post('logged-models', { experiment_id: experimentId, name: 'scored' })).json().model.info.model_id;
    const other = (await post('logged-models', { experiment_id: experimentId, name: 'other' })).json().model.info.model_id;
    await post('runs/log-metric', { run_id: run, key: 'acc', value: 0.9, timestamp: 1, step: 0, model_id: scored, dataset_name: 'eval', dataset_digest: 'abc' });
    await post('runs/log-metric', { run_id: run, key: 'acc', value: 0.5, timestamp: 1, step: 0, model_id: other, dataset_name: 'train', dataset_digest: 'def' });
    const search = async (datasets: unknown[]) =>
      ((await post('logged-models/search', { experiment_ids: [experimentId], datasets })).json().models ?? []).map((m: { info: { model_id: string } }) => m.info.model_id);
    expect(await search([{ dataset_name: 'eval', dataset_digest: 'abc' }])).toEqual([scored]);
    expect(await search([{ dataset_name: 'eval' }])).toEqual([scored]);
    expect(await search([{ dataset_name: 'eval', dataset_digest: 'nope' }])).toEqual([]);
    expect((await search([{ dataset_name: 'eval' }, { dataset_name: 'train' }])).sort()).toEqual([scored, other].sort());
  });
});
