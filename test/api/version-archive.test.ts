import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeProject } from '../../src/auth/policy.ts';
import { VersionArchiveService } from '../../src/registry/version-archive.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let guest: TestUser;
let outsider: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('arch-dev');
  guest = await t.createUser('arch-guest');
  outsider = await t.createUser('arch-outsider');
  projectId = (await t.createProject(dev.token, 'archives')).id;
  await t.addMember(projectId, guest.id, 10);
});
afterAll(async () => t?.close());

const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;
const artifact = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}`;
const archiveUrl = (modelId: number, version: number) => `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/${version}/archive`;

async function put(url: string, body: string | Buffer): Promise<void> {
  const res = await t.call({ method: 'PUT', url, token: dev.token, payload: body, headers: { 'content-type': 'application/octet-stream' } });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

async function post(url: string, payload: Record<string, unknown>) {
  const res = await t.call({ method: 'POST', url, token: dev.token, payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

const newModel = async (name: string): Promise<number> => (await post(`/api/v4/projects/${projectId}/ml/models`, { name })).id;

/** The archive's entries: type, path, mode, owner, mtime and (for files) content. */
async function entriesOf(archive: Buffer) {
  const entries: { name: string; type: string; mode: number; uid: number; gid: number; mtime: number; content?: string }[] = [];
  const reader = extract();
  Readable.from([archive]).pipe(createGunzip()).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, type, mode, uid, gid, mtime } = entry.header;
    entries.push({ name, type, mode, uid, gid, mtime: mtime.getTime(), ...(type === 'file' ? { content: Buffer.concat(chunks).toString() } : {}) });
  }
  return entries;
}

async function runWithModel(files: Record<string, string>): Promise<{ run: string; artifactRoot: string }> {
  const experimentId = (await post(mlflow('experiments/create'), { name: `exp-${Math.random().toString(36).slice(2)}` })).experiment_id;
  const run = (await post(mlflow('runs/create'), { experiment_id: experimentId })).run;
  const artifactRoot = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
  for (const [path, content] of Object.entries(files)) await put(artifact(`${artifactRoot}/${path}`), content);
  return { run: run.info.run_id, artifactRoot };
}

describe('version archive', () => {
  it("packs a run version's model directory, the same bytes every time, with its SHA-256 as ETag", async () => {
    const { run } = await runWithModel({
      'model/MLmodel': 'flavors: {}\n',
      'model/model.pkl': 'pickle-bytes',
      'model/env/requirements.txt': 'scikit-learn\n',
      // Beside the model directory: never part of it.
      'model-card.md': 'not the model',
      'other/model.pkl': 'other',
    });
    const modelId = await newModel('run-archive');
    await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${run}/model`, run_id: run });

    const first = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: guest.token });
    const second = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('application/gzip');
    expect(first.headers['content-disposition']).toContain('run-archive-1.0.0.tar.gz');
    expect(Number(first.headers['content-length'])).toBe(first.rawPayload.length);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    const sha256 = createHash('sha256').update(first.rawPayload).digest('hex');
    expect(first.headers.etag).toBe(`"${sha256}"`);
    expect(second.headers.etag).toBe(first.headers.etag);

    expect(await entriesOf(first.rawPayload)).toEqual([
      { name: 'MLmodel', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: 'flavors: {}\n' },
      { name: 'env/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { name: 'env/requirements.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: 'scikit-learn\n' },
      { name: 'model.pkl', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: 'pickle-bytes' },
    ]);

    const notModified = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: guest.token, headers: { 'if-none-match': first.headers.etag as string } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
    const head = await t.call({ method: 'HEAD', url: archiveUrl(modelId, 1), token: guest.token });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBe(first.headers.etag);
  });

  it('changes its ETag when a file of the version changes', async () => {
    const { run, artifactRoot } = await runWithModel({ 'model/MLmodel': 'a', 'model/model.pkl': 'one' });
    const modelId = await newModel('changing-archive');
    await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${run}/model` });
    const before = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    await put(artifact(`${artifactRoot}/model/model.pkl`), 'two');
    const after = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.headers.etag).toBe(`"${createHash('sha256').update(after.rawPayload).digest('hex')}"`);
    expect((await entriesOf(after.rawPayload)).find((e) => e.name === 'model.pkl')?.content).toBe('two');
  });

  it("packs a logged model's artifacts for a version registered from it", async () => {
    const experimentId = (await post(mlflow('experiments/create'), { name: 'logged-archive-exp' })).experiment_id;
    const logged = (await post(mlflow('logged-models'), { experiment_id: experimentId, name: 'clf' })).model;
    const root = (logged.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
    await put(artifact(`${root}/MLmodel`), 'artifact_path: model\n');
    await put(artifact(`${root}/model.pkl`), 'weights');
    const modelId = await newModel('logged-archive');
    await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { logged_model_id: logged.info.model_id });
    const res = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    expect(res.statusCode, res.body).toBe(200);
    expect((await entriesOf(res.rawPayload)).map((e) => [e.name, e.content])).toEqual([
      ['MLmodel', 'artifact_path: model\n'],
      ['model.pkl', 'weights'],
    ]);
  });

  it("packs the files uploaded to a version's ml_model package", async () => {
    const modelId = await newModel('files-archive');
    const version = await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, {});
    const files = `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files`;
    await put(`${files}/weights/model.bin`, Buffer.from([0, 1, 2, 255]));
    await put(`${files}/config.json`, '{"k": 1}');
    const res = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: guest.token });
    expect(res.statusCode, res.body).toBe(200);
    expect((await entriesOf(res.rawPayload)).map((e) => [e.type, e.name])).toEqual([
      ['file', 'config.json'],
      ['directory', 'weights/'],
      ['file', 'weights/model.bin'],
    ]);
  });

  it('answers 404 with a message for a version without files, and for unknown models and versions', async () => {
    const modelId = await newModel('empty-archive');
    await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, {});
    const empty = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    expect(empty.statusCode).toBe(404);
    expect(empty.json().message).toBe('Model version (name=empty-archive, version=1) has no files to archive: log the model to its run or upload files to the version');
    expect((await t.call({ method: 'GET', url: archiveUrl(modelId, 7), token: dev.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: archiveUrl(999_999, 1), token: dev.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: archiveUrl(modelId, 0), token: dev.token })).statusCode).toBe(400);
  });

  it('is for readers of the project only', async () => {
    const { run } = await runWithModel({ 'model/MLmodel': 'x' });
    const modelId = await newModel('private-archive');
    await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${run}/model` });
    const asOutsider = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: outsider.token });
    expect(asOutsider.statusCode).toBe(404);
    expect(asOutsider.json().message).toBe('404 Project Not Found');
    expect((await t.call({ method: 'GET', url: archiveUrl(modelId, 1) })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: guest.token })).statusCode).toBe(200);
  });

  it('refuses more files than an archive holds, and sources outside the store, with a message', async () => {
    const { run } = await runWithModel({ 'model/a': '1', 'model/b': '2', 'model/c': '3' });
    const modelId = await newModel('crowded-archive');
    const version = await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${run}/model` });
    const admin = {
      user: { id: 1, username: 'root', name: 'root', isAdmin: true, isBot: false },
      credential: 'personal_token',
      scopes: ['api'],
      projectLimit: null,
      tokenId: null,
      jobId: null,
      ip: null,
    } as const;
    const access = authorizeProject({ ...admin, scopes: [...admin.scopes] }, 'ml:read', { id: projectId, visibility: 'private' }, null);
    const { models, versions, artifacts, packages } = t.services;
    const small = new VersionArchiveService({ models, versions, artifacts, packages }, 2);
    await expect(small.describe(access, modelId, 1)).rejects.toMatchObject({
      code: 'VERSION_ARCHIVE_TOO_MANY_FILES',
      message: 'Model version (name=crowded-archive, version=1) has more than 2 files; an archive holds at most 2',
    });
    expect((await new VersionArchiveService({ models, versions, artifacts, packages }, 3).describe(access, modelId, 1)).files).toHaveLength(3);

    // Versions made before sources were checked may point anywhere.
    await t.services.database.db.updateTable('model_versions').set({ source: 's3://bucket/model' }).where('id', '=', version.id).execute();
    const outside = await t.call({ method: 'GET', url: archiveUrl(modelId, 1), token: dev.token });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().message).toBe("Model version (name=crowded-archive, version=1) has its files at s3://bucket/model, outside Modelyard's store, so they cannot be archived");
  });
});
