import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';
import { FIXTURE_ADMIN_TOKEN, fixtureDir, type FixtureFacts } from './fixture.ts';

/**
 * `npx tsx test/upgrade/make-fixture.ts RELEASE sqlite|postgres [POSTGRES_ADMIN_URL]`: makes the
 * upgrade fixture of a release — run from a checkout of that release (its tag), so the schema
 * and the rows are what that release wrote. It starts the release's own server on an empty data
 * folder, fills it through the public APIs as a team would (a project, users and tokens, an
 * experiment with runs, metrics and artifacts, a registered model with an alias, a sealed CI
 * variable, an environment with a deployment), stops it, and keeps the data folder (with the
 * secrets key, the artifacts, and on SQLite the database) and on PostgreSQL a plain `pg_dump`.
 * `facts.json` lists what the upgrade test must read back.
 */
const [release, dialect, pgAdminUrl] = process.argv.slice(2);
if (!release || (dialect !== 'sqlite' && dialect !== 'postgres') || (dialect === 'postgres' && !pgAdminUrl)) {
  console.error('usage: make-fixture.ts RELEASE sqlite|postgres [POSTGRES_ADMIN_URL]');
  process.exit(2);
}

const out = fixtureDir(release, dialect);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-fixture-'));
const dataDir = path.join(work, 'data');
fs.mkdirSync(dataDir);
const pgDatabase = `modelyard_fixture_${process.pid}`;
let databaseUrl = `sqlite:${path.join(dataDir, 'modelyard.db')}`;
if (dialect === 'postgres') {
  const admin = new URL(pgAdminUrl!);
  execFileSync('psql', [admin.toString(), '-q', '-c', `create database ${pgDatabase}`]);
  admin.pathname = `/${pgDatabase}`;
  databaseUrl = admin.toString();
}

const server = await serveProcess(process.cwd(), {
  MODELYARD_DATA_DIR: dataDir,
  MODELYARD_DATABASE_URL: databaseUrl,
  MODELYARD_INITIAL_ADMIN_TOKEN: FIXTURE_ADMIN_TOKEN,
  MODELYARD_PUBLIC_URL: 'http://modelyard.test',
});
try {
  const admin = new Seeder(server.base, FIXTURE_ADMIN_TOKEN);
  const alice = await admin.user('alice', 'alice-password-0123');
  const project = await admin.call<{ id: number; path_with_namespace: string }>('POST', '/api/v4/projects', { name: 'fraud-detector' });
  await admin.call('POST', `/api/v4/projects/${project.id}/members`, { user_id: alice.id, access_level: 30 });

  const experiment = await admin.mlflow<{ experiment_id: string }>(project.id, 'experiments/create', { name: 'churn', tags: [{ key: 'team', value: 'risk' }] });
  const runIds: string[] = [];
  for (const [index, lr] of ['0.1', '0.01'].entries()) {
    const { run } = await admin.mlflow<{ run: { info: { run_id: string } } }>(project.id, 'runs/create', {
      experiment_id: experiment.experiment_id,
      run_name: `lr-${lr}`,
      start_time: 1_700_000_000_000 + index,
    });
    const runId = run.info.run_id;
    runIds.push(runId);
    const metrics = [0, 1, 2].map((step) => ({ key: 'loss', value: 1 / (step + 1 + index), timestamp: 1_700_000_000_000 + step, step }));
    await admin.mlflow(project.id, 'runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: lr }], metrics, tags: [{ key: 'stage', value: 'tuning' }] });
    await admin.mlflow(project.id, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 1_700_000_100_000 });
  }
  const artifactBytes = crypto.randomBytes(4096);
  const runArtifacts = `${experiment.experiment_id}/${runIds[0]}/artifacts`;
  await admin.artifact(project.id, `${runArtifacts}/model/MLmodel`, 'artifact_path: model\nflavors: {}\n', 'text/plain');
  await admin.artifact(project.id, `${runArtifacts}/model/model.bin`, artifactBytes);

  await admin.mlflow(project.id, 'registered-models/create', { name: 'churn-model', description: 'predicts churn' });
  await admin.mlflow(project.id, 'model-versions/create', { name: 'churn-model', source: `mlflow-artifacts:/${runArtifacts}/model`, run_id: runIds[0] });
  await admin.mlflow(project.id, 'registered-models/alias', { name: 'churn-model', alias: 'champion', version: '1' });

  await admin.call('POST', `/api/v4/projects/${project.id}/variables`, { key: 'DEPLOY_KEY', value: 'sealed-value-0123456789', masked: true });
  const deployment = await admin.call<{ id: number }>('POST', `/api/v4/projects/${project.id}/deployments`, { environment: 'staging', model: 'churn-model', version: '1', reason: 'first deploy' });

  const facts: FixtureFacts = {
    release,
    projectId: project.id,
    projectPath: project.path_with_namespace,
    aliceToken: alice.token,
    experimentId: experiment.experiment_id,
    runIds,
    artifactPath: `${runArtifacts}/model/model.bin`,
    artifactSha256: crypto.createHash('sha256').update(artifactBytes).digest('hex'),
    variable: { key: 'DEPLOY_KEY', value: 'sealed-value-0123456789' },
    deploymentId: deployment.id,
  };
  await server.stop();

  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  if (dialect === 'postgres') {
    const dump = execFileSync('pg_dump', ['--no-owner', '--no-privileges', databaseUrl], { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
    // psql before 17.6 does not know \restrict (a guard against a hostile dump's meta-commands);
    // this dump is made here and committed, so it goes, and any psql restores it.
    fs.writeFileSync(path.join(out, 'dump.sql'), dump.replace(/^\\(un)?restrict .*\n/gm, ''));
  }
  fs.cpSync(dataDir, path.join(out, 'data'), { recursive: true });
  fs.writeFileSync(path.join(out, 'facts.json'), `${JSON.stringify(facts, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  await server.stop();
  if (dialect === 'postgres') execFileSync('psql', [pgAdminUrl!, '-q', '-c', `drop database if exists ${pgDatabase}`]);
  fs.rmSync(work, { recursive: true, force: true });
}
