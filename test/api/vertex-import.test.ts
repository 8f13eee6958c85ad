import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportJobNative, VertexModelNative } from '../../src/imports/contract.ts';
import type { LineageNative, VersionNative } from '../../src/registry/contract.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs-server.ts';
import { startGoogleTokenStandIn, type GoogleTokenStandIn, type ServiceAccount } from '../support/google-token-stand-in.ts';
import { startVertexStandIn, type VertexModelSpec, type VertexStandIn } from '../support/vertex-stand-in.ts';

/**
 * Importing a two-version Vertex AI model: its files from Cloud Storage (the real
 * fake-gcs-server), the model's versions from a stand-in of Vertex AI's REST API and the tokens
 * from a stand-in of Google's token endpoint (test/support). Both versions must arrive
 * byte-identical with their metadata and lineage; bad keys, missing versions and Google's
 * refusals are named; the key is never answered back.
 */
vi.setConfig({ testTimeout: 180_000 });

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const BUCKET = 'acme-models';
const V1 = {
  // Over one 8 MiB part: the copy goes up in parts.
  'model.pkl': randomBytes(9 * 1024 * 1024 + 77),
  MLmodel: Buffer.from('flavors:\n  sklearn:\n    sklearn_version: 1.3.2\n'),
  'env/requirements.txt': Buffer.from('scikit-learn==1.3.2\n'),
};
const V2 = { 'model.pkl': randomBytes(4096), MLmodel: Buffer.from('flavors:\n  sklearn: {}\n') };
const CONTAINER = {
  imageUri: 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
  predictRoute: '/predict',
  healthRoute: '/health',
  ports: [{ containerPort: 8080 }],
  env: [{ name: 'MODE', value: 'batch' }],
};

let gcs: FakeGcs;
let tokens: GoogleTokenStandIn;
let vertex: VertexStandIn;
let t: TestApp;
let strict: TestApp;
let owner: TestUser;
let project: { id: number };
let importer: ServiceAccount;
let outsider: ServiceAccount;
let model: VertexModelSpec;

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  for (const [name, data] of Object.entries(V1)) await gcs.upload(BUCKET, `models/churn/1/${name}`, data);
  for (const [name, data] of Object.entries(V2)) await gcs.upload(BUCKET, `models/churn/2/${name}`, data);
  // The console's folder placeholder: an object named like a folder, which is no file.
  await gcs.upload(BUCKET, 'models/churn/2/', Buffer.alloc(0));
  await gcs.upload(BUCKET, 'models/churn/10/other.bin', Buffer.from('not of version 1'));
  tokens = await startGoogleTokenStandIn();
  importer = tokens.account('importer@acme-ml.iam.gserviceaccount.com');
  outsider = tokens.account('outsider@acme-ml.iam.gserviceaccount.com');
  model = {
    project: 'acme-ml',
    projectNumber: '123456789012',
    location: 'us-central1',
    id: '4242',
    readers: [importer.email],
    versions: [
      {
        versionId: '1',
        versionAliases: ['champion'],
        displayName: 'churn',
        description: 'Predicts which customers leave.',
        versionDescription: 'First cut, trained on 2025 data.',
        labels: { team: 'growth', stage: 'prod' },
        artifactUri: `gs://${BUCKET}/models/churn/1`,
        containerSpec: CONTAINER,
      },
      { versionId: '2', versionAliases: ['default', 'challenger'], displayName: 'churn', description: 'Predicts which customers leave.', artifactUri: `gs://${BUCKET}/models/churn/2/` },
      { versionId: '3', displayName: 'churn', artifactUri: '' },
    ],
  };
  const fraud: VertexModelSpec = {
    ...model,
    id: '5151',
    versions: [{ versionId: '1', versionAliases: ['default'], displayName: 'fraud', description: 'Flags card fraud.', artifactUri: `gs://${BUCKET}/models/fraud/1` }],
  };
  vertex = await startVertexStandIn([model, fraud], (token) => tokens.accountOf(token));
  const allow = [gcs.port, tokens.port, vertex.port].map((port) => `127.0.0.1:${port}`).join(',');
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: allow });
  strict = await startTestApp();
  owner = await t.createUser('vertex-importer');
  project = await t.createProject(owner.token, 'vertex-imports');
}, 180_000);

afterAll(async () => {
  await t?.close();
  await strict?.close();
  await vertex?.close();
  await tokens?.close();
  await gcs?.close();
});

const body = (changes: Record<string, unknown> = {}) => ({
  google_project: 'acme-ml',
  location: 'us-central1',
  vertex_model: '4242',
  model: 'churn',
  key: importer.keyJson,
  aiplatform_url: vertex.url,
  storage_url: gcs.url,
  ...changes,
});

const startImport = (payload: Record<string, unknown>, app = t, projectId = project.id) =>
  app.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/imports/vertex`, token: owner.token, payload });

async function job(id: number): Promise<ImportJobNative> {
  return (await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/imports/${id}`, token: owner.token })).json() as ImportJobNative;
}

async function versionOf(versionId: number, paths: string[]): Promise<{ version: VersionNative; files: Record<string, string> }> {
  const row = await t.services.database.db.selectFrom('model_versions').select(['model_id', 'version']).where('id', '=', versionId).executeTakeFirstOrThrow();
  const version = (await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models/${row.model_id}/versions/${row.version}`, token: owner.token })).json() as VersionNative;
  const files: Record<string, string> = {};
  for (const path of paths) {
    const res = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/packages/ml_models/${versionId}/files/${path}`, token: owner.token });
    if (res.statusCode === 200) files[path] = sha256(res.rawPayload);
  }
  return { version, files };
}

const hashes = (files: Record<string, Buffer>) => Object.fromEntries(Object.entries(files).map(([path, data]) => [path, sha256(data)]));
const resource = (versionId: string) => `projects/123456789012/locations/us-central1/models/4242@${versionId}`;

describe('importing a Vertex AI model', () => {
  let jobs: ImportJobNative[];

  it("resolves the versions, lists each one's artifacts in Cloud Storage, and queues a job per version", async () => {
    const res = await startImport(body({ versions: ['champion', '2'] }));
    expect(res.statusCode, res.body).toBe(201);
    jobs = res.json() as ImportJobNative[];
    expect(jobs.map((j) => [j.kind, j.state, j.source.resource, j.has_credential])).toEqual([
      ['vertex_ai', 'queued', resource('1'), true],
      ['vertex_ai', 'queued', resource('2'), true],
    ]);
    expect(jobs[0]!.progress).toMatchObject({ files_total: 3, bytes_total: Object.values(V1).reduce((sum, data) => sum + data.length, 0) });
    // Neither the placeholder "folder" nor the neighbouring prefix models/churn/10/ is a file of a version.
    expect(jobs[1]!.progress).toMatchObject({ files_total: 2, bytes_total: V2['model.pkl'].length + V2.MLmodel.length });
    expect(res.body).not.toContain('PRIVATE KEY');
    expect(res.body).not.toContain(importer.keyJson.slice(100, 160));
    // The versions were read with the token the key was exchanged for.
    expect(vertex.log.filter((r) => r.account === importer.email && r.status === 200).length).toBeGreaterThanOrEqual(4);
  });

  it('copies both versions byte for byte into registry versions with their metadata and their lineage back to Vertex', async () => {
    await t.services.importWorker.runPending();
    for (const [index, files] of [V1, V2].entries()) {
      const done = await job(jobs[index]!.id);
      expect(done.state, done.error ?? '').toBe('succeeded');
      expect(done.has_credential).toBe(false);
      const { version, files: stored } = await versionOf(done.version_id!, Object.keys(files));
      expect(stored).toEqual(hashes(files));
      const lineage = (
        await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models/${version.model_id}/versions/${version.version}/lineage`, token: owner.token })
      ).json() as LineageNative;
      expect(lineage.imported_from).toEqual({ kind: 'vertex_ai', source: resource(String(index + 1)), commit: String(index + 1), import_job_id: done.id });
    }
    const first = await versionOf((await job(jobs[0]!.id)).version_id!, []);
    expect(first.version.card.description).toBe('Predicts which customers leave.\n\nFirst cut, trained on 2025 data.');
    expect(first.version.labels).toEqual(expect.arrayContaining(['team::growth', 'stage::prod']));
    expect(first.version.tags).toMatchObject({
      'vertex.display_name': 'churn',
      'vertex.version_id': '1',
      'vertex.version_aliases': 'champion',
      'vertex.artifact_uri': `gs://${BUCKET}/models/churn/1`,
      'vertex.container_image': CONTAINER.imageUri,
      'vertex.label.team': 'growth',
    });
    expect(JSON.parse(first.version.tags['vertex.container_spec']!)).toEqual(CONTAINER);
    const second = await versionOf((await job(jobs[1]!.id)).version_id!, []);
    expect(second.version.tags['vertex.version_aliases']).toBe('default,challenger');
  });

  it('imports every version when none is named, and reuses the versions made before', async () => {
    const res = await startImport(body({ vertex_model: '4242', versions: undefined }));
    // Version 3 has no artifacts: the whole request is refused and no job is made.
    expect(res.statusCode, res.body).toBe(422);
    expect(res.body).toContain('has no Cloud Storage artifacts');
    // listVersions came in pages (the stand-in answers one version a page).
    expect(vertex.log.filter((r) => r.path.endsWith(':listVersions')).length).toBe(3);
    const again = await startImport(body({ versions: ['1'] }));
    expect(again.statusCode, again.body).toBe(201);
    const [reused] = again.json() as ImportJobNative[];
    expect(reused).toMatchObject({ state: 'succeeded', version_id: (await job(jobs[0]!.id)).version_id, has_credential: false });
  });

  it('never answers the key back nor keeps it after the job: the job list and the stored jobs hold no trace of it', async () => {
    const listed = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/imports`, token: owner.token });
    expect(listed.body).not.toContain('PRIVATE KEY');
    expect(listed.body).not.toContain('private_key');
    const rows = await t.services.database.db.selectFrom('import_jobs').select(['credential', 'source']).execute();
    expect(rows.every((row) => row.credential === null && !row.source.includes('private_key'))).toBe(true);
  });
});

describe('picking what to import', () => {
  const list = (payload: Record<string, unknown>) => t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/ml/imports/vertex/models`, token: owner.token, payload });
  const listing = (changes: Record<string, unknown> = {}) => ({ google_project: 'acme-ml', location: 'us-central1', key: importer.keyJson, aiplatform_url: vertex.url, ...changes });

  it("lists the location's models at their default versions, every page, and one model's versions", async () => {
    const models = await list(listing());
    expect(models.statusCode, models.body).toBe(200);
    expect((models.json() as VertexModelNative[]).map((m) => [m.vertex_model, m.version_id, m.display_name, m.version_aliases])).toEqual([
      ['4242', '2', 'churn', ['default', 'challenger']],
      ['5151', '1', 'fraud', ['default']],
    ]);
    const versions = await list(listing({ vertex_model: '4242' }));
    expect(versions.statusCode, versions.body).toBe(200);
    expect((versions.json() as VertexModelNative[]).map((m) => [m.resource, m.artifact_uri])).toEqual([
      [resource('1'), `gs://${BUCKET}/models/churn/1`],
      [resource('2'), `gs://${BUCKET}/models/churn/2/`],
      [resource('3'), ''],
    ]);
    expect(models.body + versions.body).not.toContain('PRIVATE KEY');
  });

  it("refuses what importing refuses: a bad key (400), Google's refusal (422); the outsider sees no model", async () => {
    expect((await list(listing({ key: '{}' }))).statusCode).toBe(400);
    const denied = await list(listing({ key: outsider.keyJson, vertex_model: '4242' }));
    expect(denied.statusCode, denied.body).toBe(422);
    expect(denied.body).toContain('403 PERMISSION_DENIED');
    expect((await list(listing({ key: outsider.keyJson }))).json()).toEqual([]);
  });
});

describe('refusals', () => {
  it('answers 400 for a key that cannot be one, and for names that are not Google ids, without echoing the key', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ key: 'not json' }, 'service account key is not usable: it is not JSON'],
      [{ key: JSON.stringify({ ...JSON.parse(importer.keyJson), type: 'authorized_user' }) }, '"type" is not "service_account"'],
      [{ key: JSON.stringify({ ...JSON.parse(importer.keyJson), private_key: 'nope' }) }, '"private_key" is not a PEM private key'],
      [{ location: 'us central' }, 'not a Google Cloud region'],
      [{ vertex_model: '../x' }, 'not a Vertex AI id'],
      [{ versions: ['1@2'] }, 'not a Vertex AI id'],
      [{ storage_url: 'http://u:p@127.0.0.1/' }, 'storage_url must be an http(s) URL'],
    ];
    for (const [changes, message] of cases) {
      const res = await startImport(body(changes));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.body).toContain(message.replaceAll('"', '\\"'));
      expect(res.body).not.toContain('PRIVATE KEY');
    }
  });

  it("names Google's refusals: a key the token endpoint does not know, an account without access, a version that is not there", async () => {
    const unknownKey = JSON.stringify({
      ...JSON.parse(importer.keyJson),
      private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    });
    const badKey = await startImport(body({ key: unknownKey }));
    expect(badKey.statusCode, badKey.body).toBe(422);
    expect(badKey.json()).toEqual({ message: expect.stringContaining(`refused the service account ${importer.email}: invalid_grant (Invalid JWT Signature.)`) });
    const denied = await startImport(body({ key: outsider.keyJson, versions: ['1'] }));
    expect(denied.statusCode, denied.body).toBe(422);
    expect(denied.body).toContain('403 PERMISSION_DENIED');
    const missing = await startImport(body({ versions: ['9'] }));
    expect(missing.statusCode, missing.body).toBe(404);
    expect(missing.body).toContain('NOT_FOUND: The Model does not exist.');
    const none = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/imports`, token: owner.token });
    expect((none.json() as ImportJobNative[]).filter((j) => j.kind === 'vertex_ai').length).toBe(3);
  });

  it('keeps to the outbound policy: the token endpoint, Vertex AI and Cloud Storage must be allowed', async () => {
    const strictOwner = await strict.createUser('strict-vertex');
    const strictProject = await strict.createProject(strictOwner.token, 'strict-vertex');
    const res = await strict.call({ method: 'POST', url: `/api/v4/projects/${strictProject.id}/ml/imports/vertex`, token: strictOwner.token, payload: body({ versions: ['1'] }) });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.body).toContain(`http://127.0.0.1:${tokens.port} is not reachable under the outbound address policy`);
  });

  it("fails the job with Cloud Storage's answer when an artifact is gone before it is copied", async () => {
    await gcs.upload(BUCKET, 'models/gone/1/model.pkl', Buffer.from('soon gone'));
    model.versions.push({ versionId: '4', displayName: 'churn', artifactUri: `gs://${BUCKET}/models/gone/1` });
    const res = await startImport(body({ versions: ['4'], model: 'gone' }));
    expect(res.statusCode, res.body).toBe(201);
    const [queued] = res.json() as ImportJobNative[];
    const deleted = await fetch(`${gcs.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent('models/gone/1/model.pkl')}`, { method: 'DELETE' });
    expect(deleted.ok).toBe(true);
    await t.services.importWorker.runPending();
    const failed = await job(queued!.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain(`${gcs.url} answered 404 NOT_FOUND`);
    expect(failed.has_credential).toBe(false);
  });
});
