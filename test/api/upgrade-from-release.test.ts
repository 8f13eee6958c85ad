import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/db/migrate.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTestDatabase, TEST_DIALECT } from '../support/database.ts';
import { FIXTURE_ADMIN_TOKEN, fixtureDir, type FixtureFacts } from '../upgrade/fixture.ts';

/**
 * An instance that release 0.1.0 filled (test/data/upgrade/0.1.0/, made by
 * test/upgrade/make-fixture.ts from the v0.1.0 tag: its own server, its own schema, data written
 * through its APIs) is started by today's server: every migration since runs on it, and
 * everything the team had is there and still works — runs and their metric history, artifact
 * bytes, the registered model and its alias, a sealed CI variable (the secrets key in the data
 * folder opens it), a member's token, the deployment history.
 */
const RELEASE = '0.1.0';
const fixture = fixtureDir(RELEASE, TEST_DIALECT);
const facts = JSON.parse(fs.readFileSync(path.join(fixture, 'facts.json'), 'utf8')) as FixtureFacts;

let t: TestApp;
const admin = { token: FIXTURE_ADMIN_TOKEN };

beforeAll(async () => {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-upgrade-'));
  fs.cpSync(path.join(fixture, 'data'), dataDir, { recursive: true });
  // git keeps no file modes but the executable bit: a clone has the key file readable by all,
  // which the keyring refuses (as it should for an operator's data folder).
  fs.chmodSync(path.join(dataDir, 'secret-keys.json'), 0o600);
  if (database.config.dialect === 'sqlite') fs.renameSync(path.join(dataDir, 'modelyard.db'), database.config.file);
  else execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', path.join(fixture, 'dump.sql'), database.url], { stdio: ['ignore', 'ignore', 'pipe'] });
  t = await startTestApp({ MODELYARD_INITIAL_ADMIN_TOKEN: FIXTURE_ADMIN_TOKEN }, { database, dataDir });
}, 60_000);
afterAll(async () => t?.close());

const get = async (url: string, token = admin.token) => {
  const res = await t.call({ method: 'GET', url, token });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};
const mlflow = async (endpoint: string, body: unknown) => {
  const res = await t.call({ method: 'POST', url: `/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`, token: admin.token, payload: body as object });
  expect(res.statusCode, `${endpoint}: ${res.body}`).toBe(200);
  return res.json();
};

describe(`an instance made by release ${RELEASE}`, () => {
  it('is migrated to the current schema', async () => {
    const applied = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(t.services.database.db);
    expect(applied.rows.map((r) => r.name)).toEqual(listMigrations());
  });

  it('keeps its experiment, runs, parameters and metric history', async () => {
    const { experiment } = await get(`/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=churn`);
    expect(experiment.experiment_id).toBe(facts.experimentId);
    expect(experiment.tags).toContainEqual({ key: 'team', value: 'risk' });
    const { runs } = await mlflow('runs/search', { experiment_ids: [facts.experimentId], order_by: ['attributes.start_time ASC'] });
    expect(runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual(facts.runIds);
    expect(runs[0].data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(runs[0].info.status).toBe('FINISHED');
    const history = await get(`/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow/metrics/get-history?run_id=${facts.runIds[1]}&metric_key=loss`);
    expect(history.metrics.map((m: { step: number; value: number }) => [m.step, m.value])).toEqual([
      [0, 1 / 2],
      [1, 1 / 3],
      [2, 1 / 4],
    ]);
  });

  it('serves the artifact bytes it stored', async () => {
    const res = await t.call({ method: 'GET', url: `/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${facts.artifactPath}`, token: admin.token });
    expect(res.statusCode).toBe(200);
    expect(crypto.createHash('sha256').update(res.rawPayload).digest('hex')).toBe(facts.artifactSha256);
  });

  it('keeps the registered model, its version and alias', async () => {
    const { model_version } = await get(`/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow/registered-models/alias?name=churn-model&alias=champion`);
    expect(model_version).toMatchObject({ name: 'churn-model', version: '1', run_id: facts.runIds[0] });
  });

  it("opens its sealed CI variable with the data folder's secrets key", async () => {
    const variable = await get(`/api/v4/projects/${facts.projectId}/variables/${facts.variable.key}`);
    expect(variable.value).toBe(facts.variable.value);
  });

  it("takes its member's token and keeps the deployment history", async () => {
    expect((await get('/api/v4/user', facts.aliceToken)).username).toBe('alice');
    const deployments = await get(`/api/v4/projects/${facts.projectId}/deployments?environment=staging`);
    expect(deployments.map((d: { id: number }) => d.id)).toEqual([facts.deploymentId]);
  });

  it('takes new writes next to the old rows', async () => {
    await mlflow('runs/log-metric', { run_id: facts.runIds[0], key: 'loss', value: 0.05, timestamp: 1_700_000_200_000, step: 3 });
    await mlflow('model-versions/create', { name: 'churn-model', source: `runs:/${facts.runIds[1]}/model`, run_id: facts.runIds[1] });
    const { model_versions } = await get(`/api/v4/projects/${facts.projectId}/ml/mlflow/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name='churn-model'")}`);
    expect(model_versions.map((v: { version: string }) => v.version).sort()).toEqual(['1', '2']);
  });
});
