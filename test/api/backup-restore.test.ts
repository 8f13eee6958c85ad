import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/backup/manifest.ts';
import { runCli } from '../support/cli-process.ts';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../support/database.ts';
import { MlflowWriteLoad } from '../support/mlflow-write-load.ts';
import { serveProcess, type ServerProcess } from '../support/process.ts';

const TOKEN = 'backup-admin-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The launcher's line when it rebuilt changed sources first (a developer's checkout), not a complaint of the command. */
const withoutBuildNotice = (stderr: string) => stderr.replace(/^modelyard: building .*\n/m, '');

/**
 * `modelyard backup` against a running server under MLflow write load, then `modelyard
 * restore` into a new data folder and database: a server started on the restore has every
 * write the first one acknowledged before the snapshot, metric points and artifact bytes.
 */
describe(`backup and restore (${TEST_DIALECT})`, () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-backup-'));
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    return db;
  }

  async function serve(cwd: string, env: Record<string, string>): Promise<ServerProcess> {
    const server = await serveProcess(cwd, env);
    cleanup.push(() => server.stop('SIGKILL'));
    return server;
  }

  function readManifest(dir: string): BackupManifest {
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  }

  async function call(base: string, url: string): Promise<Response> {
    return fetch(`${base}${url}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  }

  it('keeps every write acknowledged before the snapshot, under concurrent load, with the key file (0600)', { timeout: 240_000 }, async () => {
    const dir = tempDir();
    const source = await database();
    const sourceEnv = { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_DATABASE_URL: source.url, MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN };
    const server = await serve(dir, sourceEnv);

    const load = new MlflowWriteLoad(server.base, TOKEN);
    load.start(6);
    for (let waited = 0; load.acknowledged.length < 12 && waited < 60_000; waited += 100) await sleep(100);
    const backupDir = path.join(dir, 'backup');
    const backupStarted = Date.now();
    const backup = await runCli(['backup', '--to', backupDir], sourceEnv);
    const backupMs = Date.now() - backupStarted;
    expect(withoutBuildNotice(backup.stderr)).toBe('');
    expect(backup.code).toBe(0);
    const manifest = readManifest(backupDir);
    // Writes acknowledged after the snapshot are left out; wait for some, to show the load went on.
    const finished = Date.parse(manifest.database.snapshot_finished_at);
    for (let waited = 0; !load.acknowledged.some((w) => w.ackedAt > finished) && waited < 30_000; waited += 100) await sleep(100);
    await load.stop();
    await server.stop();
    expect(load.failures).toEqual([]);

    const snapshotAt = Date.parse(manifest.database.snapshot_started_at);
    const before = load.acknowledged.filter((w) => w.ackedAt < snapshotAt);
    const after = load.acknowledged.filter((w) => w.ackedAt > finished);
    expect(before.length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(0); // the load went on while the backup ran
    expect(manifest.database.kind).toBe(TEST_DIALECT);
    expect(manifest.migrations.length).toBeGreaterThan(10);
    expect(manifest.counts.runs).toBeGreaterThanOrEqual(before.length);
    expect(manifest.blobs).toMatchObject({ driver: 'fs', missing: [], changed_after_snapshot: [] });
    expect(manifest.secret_key).toEqual({ included: true, file: 'secret-keys.json' });
    expect(fs.statSync(path.join(backupDir, 'secret-keys.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(backupDir, manifest.database.file)).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toContain('secrets key: included');
    for (const file of manifest.files) {
      expect(
        createHash('sha256')
          .update(fs.readFileSync(path.join(backupDir, file.path)))
          .digest('hex'),
      ).toBe(file.sha256);
    }

    const target = await database();
    const targetEnv = { MODELYARD_DATA_DIR: path.join(dir, 'restored'), MODELYARD_DATABASE_URL: target.url, MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN };
    const restoreStarted = Date.now();
    const restore = await runCli(['restore', '--from', backupDir], targetEnv);
    const restoreMs = Date.now() - restoreStarted;
    expect(withoutBuildNotice(restore.stderr)).toBe('');
    expect(restore.code).toBe(0);
    expect(fs.statSync(path.join(dir, 'restored', 'secret-keys.json')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'restored', 'secret-keys.json'))).toEqual(fs.readFileSync(path.join(dir, 'data', 'secret-keys.json')));

    const restored = await serve(dir, targetEnv);
    for (const write of before) {
      const history = await call(restored.base, `/api/2.0/mlflow/metrics/get-history?run_id=${write.runId}&metric_key=${write.metricKey}`);
      expect(history.status).toBe(200);
      const points = ((await history.json()) as { metrics: { value: number; step: number }[] }).metrics;
      expect(points.map((p) => p.value).sort((a, b) => a - b)).toEqual(write.values);
      const artifact = await call(restored.base, `/api/2.0/mlflow-artifacts/artifacts/${write.artifactPath}`);
      expect(artifact.status).toBe(200);
      expect(
        createHash('sha256')
          .update(Buffer.from(await artifact.arrayBuffer()))
          .digest('hex'),
      ).toBe(write.artifactSha256);
    }
    const snapshotMs = finished - snapshotAt;
    console.log(
      `backup under load (${TEST_DIALECT}, 6 MLflow clients): ${before.length} rounds acknowledged before the snapshot (all read back after restore), ${after.length} after it; ` +
        `snapshot ${snapshotMs} ms, backup command ${backupMs} ms, restore command ${restoreMs} ms; ${manifest.counts.runs} runs, ${manifest.counts.metrics} metric points, ${manifest.files.length} files in the backup`,
    );
  });

  it('refuses to restore into a data folder or database that is not empty, changing nothing', async () => {
    const dir = tempDir();
    const source = await database();
    const sourceEnv = { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_DATABASE_URL: source.url, MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN };
    const server = await serve(dir, sourceEnv);
    await server.stop();
    const backupDir = path.join(dir, 'backup');
    expect((await runCli(['backup', '--to', backupDir], sourceEnv)).code).toBe(0);
    const manifestText = fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8');

    // Backup, too, writes only into a new or empty folder, and a failed one leaves the folder empty.
    const overBackup = await runCli(['backup', '--to', backupDir], sourceEnv);
    expect(overBackup.code).toBe(1);
    expect(overBackup.stderr).toContain(`the backup folder ${backupDir} is not empty`);
    expect(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')).toBe(manifestText);
    const failedDir = path.join(dir, 'failed');
    const noDatabase = TEST_DIALECT === 'sqlite' ? `sqlite:${path.join(dir, 'nothing', 'none.db')}` : source.url.replace(/\/[^/]*$/, '/modelyard_no_such_database');
    const failed = await runCli(['backup', '--to', failedDir], { MODELYARD_DATA_DIR: path.join(dir, 'nothing'), MODELYARD_DATABASE_URL: noDatabase });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(TEST_DIALECT === 'sqlite' ? /there is no database at/ : /does not exist/);
    expect(fs.readdirSync(failedDir)).toEqual([]);

    // A data folder with something in it.
    const target = await database();
    const busyDir = path.join(dir, 'busy');
    fs.mkdirSync(busyDir);
    fs.writeFileSync(path.join(busyDir, 'keep.txt'), 'mine');
    const intoBusyFolder = await runCli(['restore', '--from', backupDir], { MODELYARD_DATA_DIR: busyDir, MODELYARD_DATABASE_URL: target.url });
    expect(intoBusyFolder.code).toBe(1);
    expect(intoBusyFolder.stderr).toContain(`refusing to restore: the data folder ${busyDir} is not empty`);
    expect(fs.readdirSync(busyDir)).toEqual(['keep.txt']);

    // A database already in use (the source itself), with an empty data folder.
    const emptyDir = path.join(dir, 'empty');
    const intoUsedDatabase = await runCli(['restore', '--from', backupDir], { MODELYARD_DATA_DIR: emptyDir, MODELYARD_DATABASE_URL: source.url });
    expect(intoUsedDatabase.code).toBe(1);
    expect(intoUsedDatabase.stderr).toMatch(/refusing to restore: the database .* is not empty/);
    expect(fs.existsSync(emptyDir)).toBe(false);
    const again = await serve(dir, sourceEnv);
    expect((await call(again.base, '/api/v4/projects')).status).toBe(200);
    expect(again.output()).not.toContain('creat');
  });

  it('says loudly that the key is not in a backup of a server whose key comes from MODELYARD_SECRET_KEY, and that an S3 bucket is not either', async () => {
    const dir = tempDir();
    const source = await database();
    const env = { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_DATABASE_URL: source.url, MODELYARD_INITIAL_ADMIN_TOKEN: TOKEN, MODELYARD_SECRET_KEY: Buffer.alloc(32, 9).toString('base64') };
    const server = await serve(dir, env);
    await server.stop();
    const backupDir = path.join(dir, 'backup');
    const backup = await runCli(['backup', '--to', backupDir], env);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('WARNING: THE SECRETS KEY IS NOT IN THIS BACKUP: the server takes it from MODELYARD_SECRET_KEY');
    expect(readManifest(backupDir).secret_key).toMatchObject({ included: false, note: expect.stringContaining('NOT IN THIS BACKUP') });
    expect(fs.existsSync(path.join(backupDir, 'secret-keys.json'))).toBe(false);

    // With the blob store in a bucket, the bucket is not copied, and the backup says so with the snapshot's time.
    const s3BackupDir = path.join(dir, 'backup-s3');
    const s3Backup = await runCli(['backup', '--to', s3BackupDir], { ...env, MODELYARD_ARTIFACTS_URL: 's3://modelyard-backup-test/prefix' });
    expect(s3Backup.code).toBe(0);
    const s3Manifest = readManifest(s3BackupDir);
    expect(s3Manifest.blobs).toMatchObject({ driver: 's3', url: 's3://modelyard-backup-test/prefix' });
    const note = s3Manifest.blobs.driver === 's3' ? s3Manifest.blobs.note : '';
    expect(note).toContain(`its objects are NOT in this backup. Keep the bucket versioned`);
    expect(note).toContain(`at ${s3Manifest.database.snapshot_started_at} (the database snapshot)`);
    expect(s3Backup.stdout).toContain(`WARNING: ${note}`);
    expect(fs.readdirSync(s3BackupDir).sort()).toEqual([s3Manifest.database.file, 'manifest.json']);

    // Without the key, restore refuses before writing anything.
    const target = await database();
    const restoredDir = path.join(dir, 'restored');
    const withoutKey = await runCli(['restore', '--from', backupDir], { MODELYARD_DATA_DIR: restoredDir, MODELYARD_DATABASE_URL: target.url });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toContain('the backup does not hold the secrets key');
    expect(fs.existsSync(restoredDir)).toBe(false);
  });
});
