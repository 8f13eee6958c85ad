import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest, migrateUpTo } from '../../src/db/migrate.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createTestDatabase } from '../support/database.ts';

/**
 * Where an experiment keeps its artifacts. MLflow's `experiments/create` takes an
 * `artifact_location`; Modelyard takes one only inside the project's own storage
 * (`mlflow-artifacts:/<path>`) and places the experiment's runs and logged models under it, as
 * MLflow does. The default experiment is at `mlflow-artifacts:/0`, as MLflow has it.
 */
let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('locations');
  projectId = (await t.createProject(dev.token, 'locations')).id;
});
afterAll(async () => t?.close());

const mounts = () => [
  { label: 'project mount', prefix: `/api/v4/projects/${projectId}/ml/mlflow/api`, headers: {} },
  { label: 'root /api', prefix: '/api', headers: { 'x-modelyard-project': String(projectId) } },
  { label: 'root /ajax-api', prefix: '/ajax-api', headers: { 'x-modelyard-project': String(projectId) } },
];

async function mlflow(method: 'GET' | 'POST', path: string, payload?: unknown, mount = mounts()[0]!) {
  return t.call({ method, url: `${mount.prefix}/2.0/mlflow/${path}`, token: dev.token, headers: mount.headers, payload: payload as never });
}
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

describe('experiments/create with artifact_location', () => {
  it('keeps a folder of the project storage, normalized, and places the runs and logged models under it, at every mount', async () => {
    for (const mount of mounts()) {
      const folder = unique('team');
      const created = await mlflow('POST', 'experiments/create', { name: unique('chosen'), artifact_location: `mlflow-artifacts:/${folder}//shared/` }, mount);
      expect(created.statusCode, `${mount.label}: ${created.body}`).toBe(200);
      const experimentId = created.json().experiment_id as string;
      const experiment = (await mlflow('GET', `experiments/get?experiment_id=${experimentId}`, undefined, mount)).json().experiment;
      expect(experiment.artifact_location, mount.label).toBe(`mlflow-artifacts:/${folder}/shared`);

      const run = (await mlflow('POST', 'runs/create', { experiment_id: experimentId }, mount)).json().run.info;
      expect(run.artifact_uri, mount.label).toBe(`mlflow-artifacts:/${folder}/shared/${run.run_id}/artifacts`);
      const logged = (await mlflow('POST', 'logged-models', { experiment_id: experimentId, name: 'm' }, mount)).json().model.info;
      expect(logged.artifact_uri, mount.label).toBe(`mlflow-artifacts:/${folder}/shared/models/${logged.model_id}/artifacts`);

      // The files go where the run says, and the run's listing finds them there.
      const put = await t.call({
        method: 'PUT',
        url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${folder}/shared/${run.run_id}/artifacts/a.txt`,
        token: dev.token,
        headers: { 'content-type': 'application/octet-stream' },
        payload: 'abc',
      });
      expect(put.statusCode, put.body).toBe(200);
      const listed = await mlflow('GET', `artifacts/list?run_id=${run.run_id}`, undefined, mount);
      expect(listed.json(), mount.label).toEqual({ root_uri: run.artifact_uri, files: [{ path: 'a.txt', is_dir: false, file_size: 3 }] });
    }
  });

  it('refuses every location outside the project storage with INVALID_PARAMETER_VALUE, and creates nothing', async () => {
    const outside = [
      'my_location',
      '/var/lib/modelyard/data',
      'file:///etc',
      's3://bucket/prefix',
      'gs://bucket/prefix',
      'http://169.254.169.254/latest',
      'mlflow-artifacts://other-host/path',
      'mlflow-artifacts:/a/../../../secret',
      'mlflow-artifacts:/a/%2e%2e/b',
      'mlflow-artifacts:/a/%252e%252e/b',
      'mlflow-artifacts:/a\\..\\b',
      'mlflow-artifacts:/./a',
      'mlflow-artifacts:/a?x=1',
      'mlflow-artifacts:/',
      'MLFLOW-ARTIFACTS:/a/../..',
    ];
    for (const location of outside) {
      const name = unique('refused');
      const res = await mlflow('POST', 'experiments/create', { name, artifact_location: location });
      expect([res.statusCode, res.json().error_code], location).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.json().message, location).toContain("for parameter 'artifact_location': an experiment's artifacts stay in its project's storage");
      expect((await mlflow('GET', `experiments/get-by-name?experiment_name=${name}`)).statusCode, location).toBe(404);
    }
  });

  it("refuses what MLflow refuses in MLflow's words", async () => {
    const cases: [string, string][] = [
      ['runs:/0123456789abcdef0123456789abcdef/model', "Artifact location cannot be a runs:/ URI. Given: 'runs:/0123456789abcdef0123456789abcdef/model'"],
      ['mlflow-artifacts:/a#fragment', "'artifact_location' URL can't include fragments or params."],
      ['mlflow-artifacts:/a;params', "'artifact_location' URL can't include fragments or params."],
      [`mlflow-artifacts:/${'a'.repeat(2100)}`, 'Invalid artifact path length. The length of the artifact path cannot be greater than 2048 characters.'],
    ];
    for (const [location, message] of cases) {
      const res = await mlflow('POST', 'experiments/create', { name: unique('mlflow-refused'), artifact_location: location });
      expect([res.statusCode, res.json()], location.slice(0, 60)).toEqual([400, { error_code: 'INVALID_PARAMETER_VALUE', message }]);
    }
  });
});

describe("experiments/create's type refusals", () => {
  it('quote a number as MLflow prints what the caller sent (9.0 stays 9.0)', async () => {
    const cases: [string, string][] = [
      ['{"name": "typed", "artifact_location": 9.0}', "Invalid value 9.0 for parameter 'artifact_location' supplied"],
      ['{"name": "typed", "artifact_location": 1e2}', "Invalid value 100.0 for parameter 'artifact_location' supplied"],
      ['{"name": 123}', "Invalid value 123 for parameter 'name' supplied"],
    ];
    for (const [body, message] of cases) {
      const res = await t.call({ method: 'POST', url: `${mounts()[0]!.prefix}/2.0/mlflow/experiments/create`, token: dev.token, headers: { 'content-type': 'application/json' }, payload: body });
      expect([res.statusCode, res.json().message], body).toEqual([400, expect.stringContaining(message)]);
    }
  });
});

describe("the default experiment's artifact location", () => {
  it('is mlflow-artifacts:/0 as in MLflow, with its runs under it, at every mount', async () => {
    const other = (await t.createProject(dev.token, unique('default-location'))).id;
    for (const mount of [
      { label: 'project mount', prefix: `/api/v4/projects/${other}/ml/mlflow/api`, headers: {} },
      { label: 'root', prefix: '/api', headers: { 'x-modelyard-project': String(other) } },
    ]) {
      const experiment = (await mlflow('GET', 'experiments/get?experiment_id=0', undefined, mount)).json().experiment;
      expect(experiment.artifact_location, mount.label).toBe('mlflow-artifacts:/0');
      const run = (await mlflow('POST', 'runs/create', { experiment_id: '0' }, mount)).json().run.info;
      expect(run.artifact_uri, mount.label).toBe(`mlflow-artifacts:/0/${run.run_id}/artifacts`);
    }
  });

  it('stays where it was for experiments made before locations were kept (their files are there)', async () => {
    const database = await createTestDatabase();
    const db = openDatabase(database.config);
    try {
      await migrateUpTo(db, t.services.keyring.box, '0012_run_model_inputs');
      const raw = db.db as never as import('kysely').Kysely<{
        projects: { id?: number; name: string; path: string; created_at: number; updated_at: number };
        experiments: { id?: number; project_id: number; name: string; is_default: number; creation_time: number; last_update_time: number };
      }>;
      const project = await raw.insertInto('projects').values({ name: 'old', path: 'old', created_at: 1, updated_at: 1 }).returning('id').executeTakeFirstOrThrow();
      const old = await raw
        .insertInto('experiments')
        .values([
          { project_id: project.id!, name: 'Default', is_default: 1, creation_time: 1, last_update_time: 1 },
          { project_id: project.id!, name: 'older', is_default: 0, creation_time: 1, last_update_time: 1 },
        ])
        .returning('id')
        .execute();
      await migrateToLatest(db, t.services.keyring.box);
      const rows = await db.db.selectFrom('experiments').select(['id', 'artifact_location']).orderBy('id').execute();
      expect(rows).toEqual(old.map(({ id }) => ({ id, artifact_location: `mlflow-artifacts:/${id}` })));
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
