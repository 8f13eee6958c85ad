import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { cliUser, listen, type CliUser } from '../support/cli-client.ts';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs-server.ts';
import { startGoogleTokenStandIn, type GoogleTokenStandIn, type ServiceAccount } from '../support/google-token-stand-in.ts';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in.ts';

/** `modelyard import vertex`: reads the key from a file, starts one job per version, follows them to their end. */
vi.setConfig({ testTimeout: 180_000 });

const BUCKET = 'cli-models';
const WEIGHTS = { '1': randomBytes(5000), '2': randomBytes(7000) };
let gcs: FakeGcs;
let tokens: GoogleTokenStandIn;
let vertex: VertexStandIn;
let t: TestApp;
let user: CliUser;
let env: Record<string, string>;
let account: ServiceAccount;
let keyFile: string;

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  for (const [version, data] of Object.entries(WEIGHTS)) await gcs.upload(BUCKET, `churn/${version}/model.pkl`, data);
  tokens = await startGoogleTokenStandIn();
  account = tokens.account('cli@acme-ml.iam.gserviceaccount.com');
  vertex = await startVertexStandIn(
    [
      {
        project: 'acme-ml',
        projectNumber: '98765',
        location: 'europe-west4',
        id: '77',
        readers: [account.email],
        versions: [
          { versionId: '1', displayName: 'churn', artifactUri: `gs://${BUCKET}/churn/1` },
          { versionId: '2', versionAliases: ['default'], displayName: 'churn', artifactUri: `gs://${BUCKET}/churn/2` },
        ],
      },
    ],
    (token) => tokens.accountOf(token),
  );
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: [gcs.port, tokens.port, vertex.port].map((port) => `127.0.0.1:${port}`).join(',') });
  t.services.importWorker.start();
  const owner = await t.createUser('cli-vertex');
  await t.createProject(owner.token, 'cli-vertex');
  user = cliUser();
  keyFile = path.join(user.home, 'key.json');
  fs.writeFileSync(keyFile, account.keyJson, { mode: 0o600 });
  env = { MODELYARD_URL: await listen(t), MODELYARD_TOKEN: owner.token, MODELYARD_PROJECT: 'cli-vertex' };
});
afterAll(async () => {
  await t?.services.importWorker.stop();
  await t?.close();
  await vertex?.close();
  await tokens?.close();
  await gcs?.close();
  if (user) fs.rmSync(user.home, { recursive: true, force: true });
});

const common = () => ['--google-project', 'acme-ml', '--location', 'europe-west4', '--key-file', keyFile, '--aiplatform-url', vertex.url, '--storage-url', gcs.url];

describe('modelyard import vertex', () => {
  it('imports every version with the key from the file, waits for the jobs and prints them', async () => {
    const run = await user.run(['import', 'vertex', '77', '--model', 'cli-churn', ...common(), '-o', 'json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const jobs = JSON.parse(run.stdout) as ImportJobNative[];
    expect(jobs.map((j) => [j.state, j.source.resource, j.has_credential])).toEqual([
      ['succeeded', 'projects/98765/locations/europe-west4/models/77@1', false],
      ['succeeded', 'projects/98765/locations/europe-west4/models/77@2', false],
    ]);
    for (const [index, job] of jobs.entries()) {
      const file = await t.call({ method: 'GET', url: `/api/v4/projects/${encodeURIComponent('cli-vertex')}/packages/ml_models/${job.version_id}/files/model.pkl`, token: env.MODELYARD_TOKEN });
      const sent = WEIGHTS[String(index + 1) as '1' | '2'];
      expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(createHash('sha256').update(sent).digest('hex'));
    }
    expect(run.stdout + run.stderr).not.toContain('PRIVATE KEY');
  });

  it("lists the location's models and a model's versions with --list, and asks for --model to import", async () => {
    const models = await user.run(['import', 'vertex', '--list', ...common(), '-o', 'json'], { env });
    expect(models.code, models.stderr).toBe(0);
    expect((JSON.parse(models.stdout) as { vertex_model: string; version_id: string }[]).map((m) => [m.vertex_model, m.version_id])).toEqual([['77', '2']]);
    const versions = await user.run(['import', 'vertex', '77', '--list', ...common()], { env });
    expect(versions.code, versions.stderr).toBe(0);
    expect(versions.stdout).toMatch(/^MODEL +VERSION +ALIASES/);
    expect(versions.stdout).toContain(`gs://${BUCKET}/churn/1`);
    const noModel = await user.run(['import', 'vertex', '77', ...common()], { env });
    expect(noModel.code, noModel.stderr).toBe(2);
  });

  it("exits 5 for a key revoked since its token was granted (naming Google's invalid_grant), 2 for a key file that cannot be read", async () => {
    tokens.revoke(account.email);
    const refused = await user.run(['import', 'vertex', '77', '--model', 'm', ...common(), '--version', '1'], { env });
    expect(refused.code, refused.stderr).toBe(5);
    expect(refused.stderr).toContain('invalid_grant');
    const unreadable = await user.run(['import', 'vertex', '77', '--model', 'm', ...common().map((arg) => (arg === keyFile ? `${keyFile}.missing` : arg))], { env });
    expect(unreadable.code, unreadable.stderr).toBe(2);
  });
});
