import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import type { LineageNative, VersionNative } from '../../src/registry/contract.ts';
import { startHubStandIn, sha256Of, type HubStandIn } from '../support/hub-stand-in.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * Importing from the Hugging Face Hub, against a local stand-in that speaks the Hub's protocol
 * (test/support/hub-stand-in.ts): the job, its progress, the version it makes (files, card,
 * labels, lineage), the refusals, resumption and retries, checksums, cancel and re-import.
 */
const CARD = `---
license: apache-2.0
library_name: transformers
pipeline_tag: text-classification
base_model: google-bert/bert-base-uncased
datasets:
  - imdb
tags:
  - sentiment
  - tiny
---
# Tiny sentiment model

A model made for the tests. <script>alert(1)</script>
`;
const WEIGHTS = randomBytes(20 * 1024 * 1024 + 123);
const files = {
  'README.md': Buffer.from(CARD),
  'config.json': Buffer.from('{"model_type":"bert","hidden_size":8}'),
  'tokenizer/vocab.txt': Buffer.from('[PAD]\n[UNK]\nhello\n'),
  'model.safetensors': WEIGHTS,
  'onnx/model.onnx': randomBytes(3000),
};

let hub: HubStandIn;
let t: TestApp;
let strict: TestApp;
let owner: TestUser;
let reader: TestUser;
let project: { id: number };

beforeAll(async () => {
  hub = await startHubStandIn({
    'acme/tiny-bert': { files, lfs: ['model.safetensors', 'onnx/model.onnx'], refs: undefined },
    'acme/private-bert': {
      files: { 'config.json': files['config.json'], 'model.safetensors': Buffer.from('private weights') },
      lfs: ['model.safetensors'],
      private: true,
      tokens: ['hf_private_token_123'],
    },
    'acme/gated-bert': { files: { 'config.json': files['config.json'] }, gated: true, tokens: ['hf_granted'] },
    'acme/lying-bert': { files: { 'config.json': files['config.json'], 'model.safetensors': Buffer.from('not what it says') }, lfs: ['model.safetensors'], wrongSha: ['model.safetensors'] },
    'acme/leaky-bert': { files: { 'model.safetensors': Buffer.from('weights') }, lfs: ['model.safetensors'] },
  });
  // The stand-in's own address and the name "localhost" (another origin on it, for redirects).
  t = await startTestApp({ MODELYARD_HF_ENDPOINT: hub.url, MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port},localhost:${hub.port}` });
  strict = await startTestApp({ MODELYARD_HF_ENDPOINT: hub.url });
  owner = await t.createUser('importer');
  reader = await t.createUser('import-reader');
  project = await t.createProject(owner.token, 'imports');
  await t.addMember(project.id, reader.id, 20);
}, 180_000);

afterAll(async () => {
  await t?.close();
  await strict?.close();
  await hub?.close();
});

const base = () => `/api/v4/projects/${project.id}/ml/imports`;

async function startImport(payload: Record<string, unknown>, token = owner.token, app = t, projectId = project.id) {
  return app.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/imports/huggingface`, token, payload });
}

async function job(id: number): Promise<ImportJobNative> {
  return (await t.call({ method: 'GET', url: `${base()}/${id}`, token: owner.token })).json() as ImportJobNative;
}

async function versionOf(versionId: number): Promise<{ version: VersionNative; files: Record<string, Buffer> }> {
  const row = await t.services.database.db.selectFrom('model_versions').select(['model_id', 'version']).where('id', '=', versionId).executeTakeFirstOrThrow();
  const version = { row };
  const native = (await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models/${version.row.model_id}/versions/${version.row.version}`, token: owner.token })).json() as VersionNative;
  const contents: Record<string, Buffer> = {};
  for (const path of Object.keys(files)) {
    const res = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/packages/ml_models/${versionId}/files/${path}`, token: owner.token });
    if (res.statusCode === 200) contents[path] = res.rawPayload;
  }
  return { version: native, files: contents };
}

const resolves = (repo: string, path: string) => hub.log.filter((r) => r.path === `/${repo}/resolve/${hub.commitOf(repo)}/${path}`);

describe('importing a Hub repository', () => {
  let imported: ImportJobNative;

  it('resolves the revision to its commit, lists the files, and queues a job', async () => {
    const res = await startImport({ repository: 'acme/tiny-bert', revision: 'main', model: 'tiny-bert', exclude: ['onnx/'] });
    expect(res.statusCode, res.body).toBe(201);
    imported = res.json() as ImportJobNative;
    expect(imported).toMatchObject({ kind: 'huggingface', state: 'queued', model_name: 'tiny-bert', version_id: null, has_credential: false });
    expect(imported.source).toMatchObject({ repository: 'acme/tiny-bert', revision: 'main', commit: hub.commitOf('acme/tiny-bert'), exclude: ['onnx/'] });
    expect(imported.progress).toMatchObject({
      files_done: 0,
      files_total: 4,
      bytes_done: 0,
      bytes_total: WEIGHTS.length + files['README.md'].length + files['config.json'].length + files['tokenizer/vocab.txt'].length,
    });
    // The tree came in pages linked by `Link`.
    expect(hub.log.filter((r) => r.path.startsWith('/api/models/acme/tiny-bert/tree/')).length).toBe(3);
  });

  it('runs in the background to a new version with every file byte-identical, the card, labels, tags and lineage', async () => {
    // One try answered 503 and one download cut in the middle: both are tried again.
    hub.failNext('/acme/tiny-bert/resolve/', 1, 503);
    hub.cutNext('/cdn-lfs/', 9 * 1024 * 1024);
    await t.services.importWorker.runPending();
    const done = await job(imported.id);
    expect(done.state, done.error ?? '').toBe('succeeded');
    expect(done.progress).toMatchObject({ files_done: 4, files_total: 4, bytes_done: done.progress.bytes_total });
    const { version, files: stored } = await versionOf(done.version_id!);
    for (const path of ['README.md', 'config.json', 'tokenizer/vocab.txt', 'model.safetensors']) expect(sha256Of(stored[path]!), path).toBe(sha256Of(files[path as keyof typeof files]));
    expect(stored['onnx/model.onnx']).toBeUndefined();
    // The cut download went on from the part stored (8 MiB), not from the start.
    const cdn = hub.log.filter((r) => r.path.startsWith('/cdn-lfs/'));
    expect(cdn.map((r) => r.range)).toEqual([null, `bytes=${8 * 1024 * 1024}-`]);
    expect(version.card.description).toContain('# Tiny sentiment model');
    expect(version.card.description_html).not.toContain('<script');
    expect(version.card.fields.license).toBe('apache-2.0');
    expect(version.labels).toEqual(expect.arrayContaining(['license::apache-2.0', 'library::transformers', 'pipeline::text-classification', 'sentiment', 'tiny']));
    expect(version.tags).toMatchObject({
      'huggingface.license': 'apache-2.0',
      'huggingface.pipeline_tag': 'text-classification',
      'huggingface.library_name': 'transformers',
      'huggingface.base_model': 'google-bert/bert-base-uncased',
      'huggingface.datasets': 'imdb',
      'modelyard.import.commit': hub.commitOf('acme/tiny-bert'),
    });
    const lineage = (
      await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models/${version.model_id}/versions/${version.version}/lineage`, token: owner.token })
    ).json() as LineageNative;
    expect(lineage.imported_from).toEqual({ kind: 'huggingface', source: `${hub.url}/acme/tiny-bert`, commit: hub.commitOf('acme/tiny-bert'), import_job_id: imported.id });
  });

  it('makes no second version for the same commit: a re-import answers the version made before, without downloading', async () => {
    const before = hub.log.length;
    const again = await startImport({ repository: 'acme/tiny-bert', model: 'tiny-bert', exclude: ['onnx/'] });
    expect(again.statusCode, again.body).toBe(201);
    const second = again.json() as ImportJobNative;
    expect(second.state).toBe('succeeded');
    expect(second.version_id).toBe((await job(imported.id)).version_id);
    expect(hub.log.slice(before).some((r) => r.path.includes('/resolve/') || r.path.startsWith('/cdn-lfs/'))).toBe(false);
    const versions = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models/${(await versionOf(second.version_id!)).version.model_id}/versions`, token: owner.token });
    expect((versions.json() as unknown[]).length).toBe(1);
  });

  it('lists the jobs of the project to its readers, and records the import in the audit log', async () => {
    const listed = await t.call({ method: 'GET', url: base(), token: reader.token });
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as ImportJobNative[]).map((j) => j.id)).toContain(imported.id);
    const audit = await t.call({ method: 'GET', url: `/api/v4/audit_events?per_page=100`, token: (await import('../support/app.ts')).ADMIN_TOKEN });
    expect(audit.body).toContain('imports.job.created');
    expect(audit.body).toContain('registry.version.created');
    // A reader may follow imports but not start one.
    expect((await startImport({ repository: 'acme/tiny-bert', model: 'x' }, reader.token)).statusCode).toBe(403);
  });
});

describe('refusals', () => {
  it.each([
    [{ repository: 'not a repo', model: 'm' }, 'not a Hugging Face repository id'],
    [{ repository: 'a/b/c', model: 'm' }, 'not a Hugging Face repository id'],
    [{ repository: 'acme/tiny-bert', revision: 'main..x', model: 'm' }, 'not a branch, tag or commit'],
    [{ repository: 'acme/tiny-bert', model: 'm', include: ['../x'] }, 'invalid pattern'],
    [{ repository: 'acme/tiny-bert', model: 'm', include: ['*.nothing'] }, 'No file of acme/tiny-bert'],
    [{ repository: 'acme/tiny-bert', model: 'm', token: 42 }, 'token'],
  ])('answers 400 for %j', async (payload, message) => {
    const res = await startImport(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain(message);
  });

  it('names the Hub errors: missing repository, missing revision, gated without a grant', async () => {
    const missing = await startImport({ repository: 'acme/nothing', model: 'm' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: expect.stringContaining('Hugging Face repository acme/nothing not found') });
    const revision = await startImport({ repository: 'acme/tiny-bert', revision: 'v9', model: 'm' });
    expect(revision.statusCode).toBe(404);
    expect(revision.body).toContain('Revision \\"v9\\" of acme/tiny-bert not found');
    const gated = await startImport({ repository: 'acme/gated-bert', model: 'm' });
    expect(gated.statusCode).toBe(422);
    expect(gated.body).toContain('is gated');
    const notGranted = await startImport({ repository: 'acme/gated-bert', model: 'm', token: 'hf_not_granted' });
    expect(notGranted.statusCode).toBe(422);
    expect(notGranted.body).toContain('is gated');
    const list = await t.call({ method: 'GET', url: base(), token: owner.token });
    expect((list.json() as ImportJobNative[]).every((j) => j.source.repository !== 'acme/gated-bert')).toBe(true);
  });

  it('tries a failing Hub again with back-off, then answers 503 (not 500) when it keeps failing', async () => {
    hub.failNext('/api/models/acme/tiny-bert/revision/', 5, 502);
    const res = await startImport({ repository: 'acme/tiny-bert', model: 'unavailable' });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.body).toContain('could not be reached');
    expect(hub.log.filter((r) => r.path === '/api/models/acme/tiny-bert/revision/main').length).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('refuses an endpoint the outbound address policy does not allow, before any request', async () => {
    const user = await strict.createUser('strict-importer');
    const p = await strict.createProject(user.token, 'strict-imports');
    const before = hub.log.length;
    const res = await startImport({ repository: 'acme/tiny-bert', model: 'm' }, user.token, strict, p.id);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('outbound address policy');
    expect(hub.log.length).toBe(before);
  });

  it('fails the job when a redirect leads where the policy does not allow, and stores nothing', async () => {
    hub.redirectLfsTo('http://169.254.169.254');
    try {
      const res = await startImport({ repository: 'acme/leaky-bert', model: 'leaky' });
      expect(res.statusCode, res.body).toBe(201);
      await t.services.importWorker.runPending();
      const failed = await job((res.json() as ImportJobNative).id);
      expect(failed.state).toBe('failed');
      expect(failed.error).toContain('outbound address policy');
      expect(failed.version_id).toBeNull();
    } finally {
      hub.redirectLfsTo(null);
    }
  });

  it('refuses a file whose SHA-256 is not the one the Hub announced: the job fails, no version, nothing kept', async () => {
    const res = await startImport({ repository: 'acme/lying-bert', model: 'lying' });
    expect(res.statusCode, res.body).toBe(201);
    await t.services.importWorker.runPending();
    const failed = await job((res.json() as ImportJobNative).id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/model\.safetensors: its SHA-256 is [0-9a-f]{64}, the source announced [0-9a-f]{64}; the file was refused/);
    const models = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ml/models?search=lying`, token: owner.token });
    expect(models.json()).toEqual([]);
    const kept = await t.services.database.db.selectFrom('import_job_files').select('upload_key').where('job_id', '=', failed.id).where('upload_key', 'is not', null).execute();
    expect(kept).toEqual([]);
  });
});

describe('private repositories and tokens', () => {
  it('imports with a token, which is stored sealed, never returned, sent only to the Hub, and erased at the end', async () => {
    hub.redirectLfsTo(`http://localhost:${hub.port}`);
    try {
      const without = await startImport({ repository: 'acme/private-bert', model: 'private' });
      expect(without.statusCode).toBe(404);
      const res = await startImport({ repository: 'acme/private-bert', model: 'private', token: 'hf_private_token_123' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.body).not.toContain('hf_private_token_123');
      const created = res.json() as ImportJobNative;
      expect(created.has_credential).toBe(true);
      const row = await t.services.database.db.selectFrom('import_jobs').select('credential').where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(row.credential).not.toBeNull();
      expect(row.credential).not.toContain('hf_private_token_123');
      await t.services.importWorker.runPending();
      const done = await job(created.id);
      expect(done.state, done.error ?? '').toBe('succeeded');
      expect(done.has_credential).toBe(false);
      expect((await t.services.database.db.selectFrom('import_jobs').select('credential').where('id', '=', created.id).executeTakeFirstOrThrow()).credential).toBeNull();
      // The storage the LFS file is redirected to (another origin) gets no token.
      const cdn = hub.log.filter((r) => r.path.startsWith('/cdn-lfs/acme%2Fprivate-bert') || r.path.startsWith('/cdn-lfs/acme/private-bert'));
      expect(cdn.length).toBeGreaterThan(0);
      expect(cdn.every((r) => !r.authorized)).toBe(true);
      expect(resolves('acme/private-bert', 'config.json').every((r) => r.authorized)).toBe(true);
    } finally {
      hub.redirectLfsTo(null);
    }
  });
});

describe('cancel', () => {
  it('stops a running job at its next part and removes what it stored; a finished job cannot be canceled', async () => {
    const res = await startImport({ repository: 'acme/tiny-bert', model: 'to-cancel', include: ['model.safetensors'] });
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as ImportJobNative).id;
    hub.throttle(2 * 1024 * 1024);
    try {
      const running = t.services.importWorker.runPending();
      const deadline = Date.now() + 20_000;
      while ((await job(id)).progress.bytes_done === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const mid = await job(id);
      expect(mid.state).toBe('running');
      expect(mid.progress.bytes_per_second === null || mid.progress.bytes_per_second > 0).toBe(true);
      const canceled = await t.call({ method: 'POST', url: `${base()}/${id}/cancel`, token: owner.token });
      expect(canceled.statusCode, canceled.body).toBe(200);
      expect((canceled.json() as ImportJobNative).state).toBe('canceled');
      await running;
    } finally {
      hub.throttle(null);
    }
    const after = await job(id);
    expect(after.state).toBe('canceled');
    expect(after.version_id).toBeNull();
    const kept = await t.services.database.db.selectFrom('import_job_files').select('upload_key').where('job_id', '=', id).where('upload_key', 'is not', null).execute();
    expect(kept).toEqual([]);
    const again = await t.call({ method: 'POST', url: `${base()}/${id}/cancel`, token: owner.token });
    expect(again.statusCode).toBe(409);
    const unknown = await t.call({ method: 'GET', url: `${base()}/999999`, token: owner.token });
    expect(unknown.statusCode).toBe(404);
  }, 60_000);
});
