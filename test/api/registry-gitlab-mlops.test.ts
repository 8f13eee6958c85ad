import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markTaggedSemversGiven } from '../../src/db/migrations/0013_explicit_semver.ts';
import type { MigrationDb } from '../../src/db/columns.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

// What GitLab's MLOps client (gitlab-mlops 0.3.0) relies on in MLflow's registry answers: the
// semantic version among a version's aliases, a run for every version made without a source,
// and MLflow's error codes. test/compat/test_gitlab_mlops.py drives the client itself.

let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('mlops-dev');
  projectId = (await t.createProject(dev.token, 'gitlab-mlops')).id;
});
afterAll(async () => t?.close());

const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;
const native = (path: string) => `/api/v4/projects/${projectId}/ml${path}`;

async function post(endpoint: string, payload: Record<string, unknown>, expected = 200) {
  const res = await t.call({ method: 'POST', url: mlflow(endpoint), token: dev.token, payload });
  expect(res.statusCode, res.body).toBe(expected);
  return res.json();
}

async function get(endpoint: string, query: Record<string, string>, expected = 200) {
  const res = await t.call({ method: 'GET', url: `${mlflow(endpoint)}?${new URLSearchParams(query).toString()}`, token: dev.token });
  expect(res.statusCode, res.body).toBe(expected);
  return res.json();
}

async function newModel(name: string): Promise<void> {
  await post('registered-models/create', { name });
}

async function newVersion(name: string, payload: Record<string, unknown> = {}) {
  return (await post('model-versions/create', { name, source: '', ...payload })).model_version;
}

describe("a version's semantic version among its aliases", () => {
  it('is listed when it was given by the gitlab.version or modelyard.semver tag, and never when it was counted on', async () => {
    await newModel('given-semver');
    expect((await newVersion('given-semver', { tags: [{ key: 'gitlab.version', value: '1.2.0' }] })).aliases).toEqual(['1.2.0']);
    expect((await newVersion('given-semver', { tags: [{ key: 'modelyard.semver', value: '2.0.0-rc.1' }] })).aliases).toEqual(['2.0.0-rc.1']);
    const counted = await newVersion('given-semver');
    expect(counted.aliases).toBeUndefined();
    expect((await get('model-versions/get', { name: 'given-semver', version: '1' })).model_version.aliases).toEqual(['1.2.0']);
    expect((await get('model-versions/get', { name: 'given-semver', version: String(counted.version) })).model_version.aliases).toBeUndefined();
    const searched = (await get('model-versions/search', { filter: "name='given-semver'" })).model_versions as { version: string; aliases?: string[] }[];
    expect(Object.fromEntries(searched.map((v) => [v.version, v.aliases ?? []]))).toEqual({ '1': ['1.2.0'], '2': ['2.0.0-rc.1'], '3': [] });
  });

  it("is listed when the native API was given one, beside the version's real aliases, and stays out of the model's alias map", async () => {
    const model = await t.call({ method: 'POST', url: native('/models'), token: dev.token, payload: { name: 'native-semver' } });
    const modelId = model.json().id;
    expect((await t.call({ method: 'POST', url: native(`/models/${modelId}/versions`), token: dev.token, payload: { semver: '3.1.4' } })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: native(`/models/${modelId}/versions`), token: dev.token, payload: {} })).statusCode).toBe(201);
    await post('registered-models/alias', { name: 'native-semver', alias: 'champion', version: '1' });
    expect((await get('model-versions/get', { name: 'native-semver', version: '1' })).model_version.aliases).toEqual(['champion', '3.1.4']);
    expect((await get('model-versions/get', { name: 'native-semver', version: '2' })).model_version.aliases).toBeUndefined();
    expect((await get('registered-models/get', { name: 'native-semver' })).registered_model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
  });

  it('counts as given for versions tagged before the column existed (the migration marks them)', async () => {
    await newModel('tagged-before');
    await newVersion('tagged-before', { tags: [{ key: 'gitlab.version', value: '0.9.0' }] });
    await newVersion('tagged-before');
    const db = t.services.database.db;
    await db.updateTable('model_versions').set({ semver_explicit: 0 }).execute();
    await markTaggedSemversGiven(db as unknown as MigrationDb);
    expect((await get('model-versions/get', { name: 'tagged-before', version: '1' })).model_version.aliases).toEqual(['0.9.0']);
    expect((await get('model-versions/get', { name: 'tagged-before', version: '2' })).model_version.aliases).toBeUndefined();
  });
});

describe('models:/name@<semantic version>', () => {
  it('resolves every version by its semantic version, given or counted on, and unknown ones are not found', async () => {
    await newModel('semver-uri');
    await newVersion('semver-uri', { tags: [{ key: 'gitlab.version', value: '1.0.0' }] });
    await newVersion('semver-uri');
    expect((await get('registered-models/alias', { name: 'semver-uri', alias: '1.0.0' })).model_version.version).toBe('1');
    expect((await get('registered-models/alias', { name: 'semver-uri', alias: '1.0.1' })).model_version.version).toBe('2');
    const missing = await get('registered-models/alias', { name: 'semver-uri', alias: '7.0.0' }, 404);
    expect(missing).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered model alias 7.0.0 not found.' });
    expect((await get('registered-models/alias', { name: 'semver-uri', alias: '1.0' }, 400)).error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('a version named by its semantic version', () => {
  it("is found as GitLab's MLflow API finds it (gitlab-mlops asks for '1.0.0'), and other names stay refused", async () => {
    await newModel('by-semver');
    await newVersion('by-semver');
    await newVersion('by-semver', { tags: [{ key: 'gitlab.version', value: '2.0.0-beta.1' }] });
    expect((await get('model-versions/get', { name: 'by-semver', version: '1.0.0' })).model_version.version).toBe('1');
    expect((await get('model-versions/get', { name: 'by-semver', version: '2.0.0-beta.1' })).model_version).toMatchObject({ version: '2', aliases: ['2.0.0-beta.1'] });
    await post('model-versions/set-tag', { name: 'by-semver', version: '1.0.0', key: 'stage', value: 'tested' });
    expect((await get('model-versions/get', { name: 'by-semver', version: '1' })).model_version.tags).toEqual([{ key: 'stage', value: 'tested' }]);
    expect((await get('model-versions/get', { name: 'by-semver', version: '3.0.0' }, 404)).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await get('model-versions/get', { name: 'by-semver', version: 'one' }, 400)).message).toBe("Invalid model version 'one': it must be an integer");
  });
});

describe('the run of a version made without a source', () => {
  it("is made in the [model]<name> experiment, made only then, and logs into the version's files", async () => {
    await newModel('with-run');
    const experiment = () => t.call({ method: 'GET', url: `${mlflow('experiments/get-by-name')}?experiment_name=${encodeURIComponent('[model]with-run')}`, token: dev.token });
    const ownRun = await post('runs/create', { experiment_id: '0' });
    await newVersion('with-run', { source: `runs:/${ownRun.run.info.run_id}/model`, run_id: ownRun.run.info.run_id });
    expect((await experiment()).statusCode).toBe(404);

    const version = await newVersion('with-run', { tags: [{ key: 'gitlab.version', value: '2.0.0' }] });
    expect(version.run_id).toMatch(/^[0-9a-f]{32}$/);
    const found = await experiment();
    expect(found.statusCode, found.body).toBe(200);
    const run = (await get('runs/get', { run_id: version.run_id })).run;
    expect(run.info.experiment_id).toBe(found.json().experiment.experiment_id);
    expect(run.info.run_name).toBe('2.0.0');
    const versionId = (await t.call({ method: 'GET', url: native('/models'), token: dev.token })).json().find((m: { name: string }) => m.name === 'with-run').id;
    const versions = (await t.call({ method: 'GET', url: native(`/models/${versionId}/versions`), token: dev.token })).json() as { id: number; version: number }[];
    const files = `/api/v4/projects/${projectId}/packages/ml_models/${versions.find((v) => v.version === 2)!.id}/files`;
    expect(run.info.artifact_uri).toBe(`http://modelyard.test${files}`);
    expect((await get('model-versions/get-download-uri', { name: 'with-run', version: '2' })).artifact_uri).toBe(run.info.artifact_uri);

    // What the MLflow client does with that artifact URI: PUT <uri>/<path>; the file is the version's.
    const put = await t.call({
      method: 'PUT',
      url: `${files}/docs/README.md`,
      headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'text/markdown' },
      payload: Buffer.from('# how to run'),
    });
    expect(put.statusCode, put.body).toBe(201);
    expect((await t.call({ method: 'GET', url: `${files}/docs/README.md`, token: dev.token })).body).toBe('# how to run');
    await post('runs/log-parameter', { run_id: version.run_id, key: 'alpha', value: '0.5' });
    expect((await get('runs/get', { run_id: version.run_id })).run.data.params).toEqual([{ key: 'alpha', value: '0.5' }]);

    const second = await newVersion('with-run');
    expect(second.run_id).not.toBe(version.run_id);
    const inExperiment = await post('runs/search', { experiment_ids: [found.json().experiment.experiment_id] });
    expect(inExperiment.runs.map((r: { info: { run_id: string } }) => r.info.run_id).sort()).toEqual([version.run_id, second.run_id].sort());
  });

  it('is not made when the version names a run', async () => {
    await newModel('named-run');
    const ownRun = await post('runs/create', { experiment_id: '0' });
    const version = await newVersion('named-run', { run_id: ownRun.run.info.run_id });
    expect(version.run_id).toBe(ownRun.run.info.run_id);
    expect((await t.call({ method: 'GET', url: `${mlflow('experiments/get-by-name')}?experiment_name=${encodeURIComponent('[model]named-run')}`, token: dev.token })).statusCode).toBe(404);
  });
});

describe('what gitlab-mlops maps from MLflow errors', () => {
  it('answers an empty list for the latest versions of a model without versions', async () => {
    await newModel('no-versions');
    expect(await post('registered-models/get-latest-versions', { name: 'no-versions' })).toEqual({});
    expect(await get('registered-models/get-latest-versions', { name: 'no-versions' })).toEqual({});
  });

  it('names duplicates RESOURCE_ALREADY_EXISTS and missing objects RESOURCE_DOES_NOT_EXIST', async () => {
    await newModel('duplicate-me');
    expect((await post('registered-models/create', { name: 'duplicate-me' }, 400)).error_code).toBe('RESOURCE_ALREADY_EXISTS');
    await newVersion('duplicate-me', { tags: [{ key: 'gitlab.version', value: '1.0.0' }] });
    expect((await post('model-versions/create', { name: 'duplicate-me', source: '', tags: [{ key: 'gitlab.version', value: '1.0.0' }] }, 400)).error_code).toBe('RESOURCE_ALREADY_EXISTS');
    await post('experiments/create', { name: 'duplicate-experiment' });
    expect((await post('experiments/create', { name: 'duplicate-experiment' }, 400)).error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await get('registered-models/get', { name: 'no-such-model' }, 404)).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await get('model-versions/get', { name: 'duplicate-me', version: '9' }, 404)).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await get('runs/get', { run_id: '0'.repeat(32) }, 404)).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
