import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * A model version whose source is another registered version (`models:/<name>/<version>`,
 * `@<alias>`, `/latest`, `/<stage>`), as MLflow's `copy_model_version` registers it: resolved
 * in the caller's project to `models:/<name>/<version>`, with that version's run and logged
 * model, and downloaded from that version's files.
 */
let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('copies');
  projectId = (await t.createProject(dev.token, 'copies')).id;
});
afterAll(async () => t?.close());

const mounts = () => [
  { label: 'project mount', prefix: `/api/v4/projects/${projectId}/ml/mlflow`, headers: {} },
  { label: 'root', prefix: '', headers: { 'x-modelyard-project': String(projectId) } },
];
type Mount = ReturnType<typeof mounts>[number];

async function mlflow(mount: Mount, method: 'GET' | 'POST', path: string, payload?: unknown) {
  return t.call({ method, url: `${mount.prefix}/api/2.0/mlflow/${path}`, token: dev.token, headers: mount.headers, payload: payload as never });
}
async function ok(mount: Mount, method: 'GET' | 'POST', path: string, payload?: unknown) {
  const res = await mlflow(mount, method, path, payload);
  expect(res.statusCode, `${mount.label} ${path}: ${res.body}`).toBe(200);
  return res.json();
}
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

/** A registered model with version 1 from a run's `model/` folder, which holds MLmodel. */
async function original(mount: Mount) {
  const experimentId = (await ok(mount, 'POST', 'experiments/create', { name: unique('exp') })).experiment_id;
  const run = (await ok(mount, 'POST', 'runs/create', { experiment_id: experimentId })).run.info;
  const put = await t.call({
    method: 'PUT',
    url: `${mount.prefix}/api/2.0/mlflow-artifacts/artifacts/${(run.artifact_uri as string).replace('mlflow-artifacts:/', '')}/model/MLmodel`,
    token: dev.token,
    headers: { ...mount.headers, 'content-type': 'application/octet-stream' },
    payload: 'flavors: {}',
  });
  expect(put.statusCode, put.body).toBe(200);
  const name = unique('source');
  await ok(mount, 'POST', 'registered-models/create', { name });
  await ok(mount, 'POST', 'model-versions/create', { name, source: `runs:/${run.run_id}/model`, run_id: run.run_id });
  return { name, runId: run.run_id as string, artifactUri: run.artifact_uri as string };
}

describe('model-versions/create with a models:/ source of a registered version', () => {
  it('stores models:/<name>/<version> of the version named now, with its run, and downloads its files, at both mounts', async () => {
    for (const mount of mounts()) {
      const src = await original(mount);
      await ok(mount, 'POST', 'registered-models/alias', { name: src.name, alias: 'champion', version: '1' });
      await ok(mount, 'POST', 'model-versions/create', { name: src.name, source: `runs:/${src.runId}/model`, run_id: src.runId });
      await ok(mount, 'POST', 'model-versions/transition-stage', { name: src.name, version: '1', stage: 'Production', archive_existing_versions: false });
      const dst = unique('copy');
      await ok(mount, 'POST', 'registered-models/create', { name: dst });
      const cases: [string, string][] = [
        [`models:/${src.name}@champion`, `models:/${src.name}/1`],
        [`models:/${src.name}/latest`, `models:/${src.name}/2`],
        [`models:/${src.name}/production`, `models:/${src.name}/1`],
        [`models:/${src.name}/2`, `models:/${src.name}/2`],
      ];
      for (const [given, stored] of cases) {
        const created = (await ok(mount, 'POST', 'model-versions/create', { name: dst, source: given, run_id: src.runId })).model_version;
        expect([created.source, created.run_id], `${mount.label} ${given}`).toEqual([stored, src.runId]);
        const uri = (await ok(mount, 'GET', `model-versions/get-download-uri?name=${dst}&version=${created.version}`)).artifact_uri;
        expect(uri, `${mount.label} ${given}`).toBe(`${src.artifactUri}/model`);
      }
      // Without a run_id the copy takes the original's; a copy of a copy reads the original's files.
      const again = (await ok(mount, 'POST', 'model-versions/create', { name: dst, source: `models:/${dst}/1` })).model_version;
      expect([again.source, again.run_id]).toEqual([`models:/${dst}/1`, src.runId]);
      const file = await t.call({ method: 'GET', url: `${mount.prefix}/model-versions/get-artifact?name=${dst}&version=${again.version}&path=MLmodel`, token: dev.token, headers: mount.headers });
      expect([file.statusCode, file.body], mount.label).toEqual([200, 'flavors: {}']);
    }
  });

  it("refuses another registry, a run_id that is not the original's, and names what the project does not hold; nothing is created", async () => {
    const mount = mounts()[0]!;
    const src = await original(mount);
    const dst = unique('refused');
    await ok(mount, 'POST', 'registered-models/create', { name: dst });
    const elsewhere = (await t.createProject(dev.token, unique('elsewhere'))).id;
    const foreign = unique('foreign');
    const inOther = { label: 'other', prefix: `/api/v4/projects/${elsewhere}/ml/mlflow`, headers: {} };
    await ok(inOther, 'POST', 'registered-models/create', { name: foreign });
    await ok(inOther, 'POST', 'model-versions/create', { name: foreign, source: 's3://bucket/model' });
    const cases: [Record<string, string>, number, string, string][] = [
      [
        { source: `models://other-registry/${src.name}/1` },
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid model version source: 'models://other-registry/${src.name}/1'. Registered model sources must use the active model registry.`,
      ],
      [
        { source: `models:/${src.name}/1`, run_id: '0123456789abcdef0123456789abcdef' },
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid model version source: 'models:/${src.name}/1'. The run_id and model_id request parameters must match the referenced model version.`,
      ],
      [
        { source: `models:/${src.name}/1`, model_id: 'm-0123456789abcdef0123456789abcdef' },
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid model version source: 'models:/${src.name}/1'. The run_id and model_id request parameters must match the referenced model version.`,
      ],
      [{ source: `models:/${src.name}/7` }, 404, 'RESOURCE_DOES_NOT_EXIST', `Model Version (name=${src.name}, version=7) not found`],
      [{ source: `models:/${src.name}@nobody` }, 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered model alias nobody not found.'],
      [{ source: `models:/${src.name}/Staging` }, 404, 'RESOURCE_DOES_NOT_EXIST', `No versions of model with name '${src.name}' and stage 'Staging' found`],
      [{ source: `models:/${foreign}/1` }, 404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${foreign} not found`],
    ];
    for (const [fields, status, code, message] of cases) {
      const res = await mlflow(mount, 'POST', 'model-versions/create', { name: dst, ...fields });
      expect([res.statusCode, res.json()], fields.source).toEqual([status, { error_code: code, message }]);
    }
    expect((await ok(mount, 'GET', `model-versions/search?filter=${encodeURIComponent(`name='${dst}'`)}`)).model_versions ?? []).toEqual([]);
  });
});
