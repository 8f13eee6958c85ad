import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let guest: TestUser;
let outsider: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('img-dev');
  guest = await t.createUser('img-guest');
  outsider = await t.createUser('img-outsider');
  projectId = (await t.createProject(dev.token, 'images')).id;
  await t.addMember(projectId, guest.id, 10);
});
afterAll(async () => t?.close());

const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;
const artifact = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}`;
const versionUrl = (modelId: number, version: number) => `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/${version}`;

async function call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, token = dev.token) {
  const res = await t.call({
    method,
    url,
    token,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    ...(typeof payload === 'string' ? { headers: { 'content-type': 'application/octet-stream' } } : {}),
  });
  return res;
}

async function ok(method: 'POST', url: string, payload: unknown) {
  const res = await call(method, url, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** A model version from a run whose model directory holds `files`. */
async function versionWith(name: string, files: Record<string, string>): Promise<number> {
  const experimentId = (await ok('POST', mlflow('experiments/create'), { name: `exp-${name}` })).experiment_id;
  const { run } = await ok('POST', mlflow('runs/create'), { experiment_id: experimentId });
  const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
  for (const [path, content] of Object.entries(files)) {
    const res = await call('PUT', artifact(`${root}/model/${path}`), content);
    expect(res.statusCode, res.body).toBeLessThan(300);
  }
  const modelId = (await ok('POST', `/api/v4/projects/${projectId}/ml/models`, { name })).id as number;
  await ok('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id });
  return modelId;
}

async function entriesOf(archive: Buffer): Promise<Map<string, string | null>> {
  const entries = new Map<string, string | null>();
  const reader = extract();
  Readable.from([archive]).pipe(createGunzip()).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.set(entry.header.name, entry.header.type === 'file' ? Buffer.concat(chunks).toString() : null);
  }
  return entries;
}

const SKLEARN_REQUIREMENTS = 'mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\nscipy==1.17.1';

describe('image context of a version', () => {
  it("holds a Containerfile, the pinned runtime with the version's requirements, an empty wheelhouse and the version's files under model/", async () => {
    const modelId = await versionWith('ctx-clf', { MLmodel: 'flavors: {}\n', 'model.pkl': 'pickle-bytes', 'requirements.txt': SKLEARN_REQUIREMENTS });
    const res = await call('GET', `${versionUrl(modelId, 1)}/image-context`, undefined, guest.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toContain('ctx-clf-1.0.0-image-context.tar.gz');
    const entries = await entriesOf(res.rawPayload);
    expect([...entries.keys()]).toEqual(['Containerfile', 'model/', 'model/MLmodel', 'model/model.pkl', 'model/requirements.txt', 'requirements.txt', 'wheels/', 'wheels/README']);
    expect(entries.get('model/model.pkl')).toBe('pickle-bytes');
    // MLflow's own line gives way to the pinned serving runtime; the rest is kept as logged.
    expect(entries.get('requirements.txt')).toBe('mlflow-skinny==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\nscipy==1.17.1\n');
    const containerfile = entries.get('Containerfile')!;
    expect(containerfile).toContain('ARG BASE\nFROM ${BASE}\n');
    expect(containerfile).toContain('--no-index');
    expect(containerfile).toContain('--mount=type=bind,source=wheels,target=/tmp/wheels');
    expect(containerfile).toContain('USER 10001:10001');
    expect(containerfile).toContain("urlopen('http://127.0.0.1:8080/ping'");
    expect(containerfile).toContain('CMD ["mlflow", "models", "serve", "-m", "/model", "--env-manager", "local", "-h", "0.0.0.0", "-p", "8080"]');
    expect(containerfile).toContain('io.modelyard.model="ctx-clf"');
    // The same version gives the same bytes.
    const again = await call('GET', `${versionUrl(modelId, 1)}/image-context`);
    expect(again.rawPayload.equals(res.rawPayload)).toBe(true);
  });

  it('is refused to whoever may not download the version, and for requirements that are not specifiers', async () => {
    const modelId = await versionWith('ctx-private', { MLmodel: 'flavors: {}\n', 'requirements.txt': 'numpy==2.4.6\n' });
    expect((await call('GET', `${versionUrl(modelId, 1)}/image-context`, undefined, outsider.token)).statusCode).toBe(404);
    for (const [line, why] of [
      ['--extra-index-url https://example.com/simple', 'is a pip option'],
      ['https://example.com/pkg.whl', 'is not a requirement specifier'],
      ['pkg @ file:///etc/passwd', 'is not a requirement specifier'],
    ] as const) {
      const bad = await versionWith(`ctx-bad-${Math.random().toString(36).slice(2)}`, { MLmodel: 'x', 'requirements.txt': `numpy==2.4.6\n${line}\n` });
      const res = await call('GET', `${versionUrl(bad, 1)}/image-context`);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().message).toContain(`requirements.txt line 2 ${why}`);
    }
  });
});

describe('images recorded on a version', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const image = {
    digest,
    size: 123_456_789,
    base: 'localhost/modelyard-model-base:aeef75bf2134ba96',
    reference: 'registry.example.com:5000/team/clf:1.0.0',
    tags: ['1.0.0', 'latest'],
    built_at: '2026-11-30T10:00:00.000Z',
  };

  it('records an image (digest, size, base, reference, tags, build time) and lists it on the version, newest build first', async () => {
    const modelId = await versionWith('img-clf', { MLmodel: 'x' });
    const created = await call('POST', `${versionUrl(modelId, 1)}/images`, image);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ ...image, version: { version: 1 }, job_id: null, author: { id: dev.id } });
    const later = { ...image, digest: `sha256:${'cd'.repeat(32)}`, built_at: '2026-11-30T11:00:00.000Z', tags: undefined };
    expect((await call('POST', `${versionUrl(modelId, 1)}/images`, later)).statusCode).toBe(201);
    const listed = await call('GET', `${versionUrl(modelId, 1)}/images`, undefined, guest.token);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().map((i: { digest: string; tags: string[] }) => [i.digest, i.tags])).toEqual([
      [later.digest, []],
      [digest, ['1.0.0', 'latest']],
    ]);
    const again = await call('POST', `${versionUrl(modelId, 1)}/images`, image);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain(`already has the image ${digest} recorded`);
  });

  it('refuses malformed digests, sizes, references and build times, and callers who may not write', async () => {
    const modelId = await versionWith('img-bad', { MLmodel: 'x' });
    const url = `${versionUrl(modelId, 1)}/images`;
    for (const bad of [
      { digest: 'sha256:abc' },
      { digest: `sha512:${'ab'.repeat(32)}` },
      { digest: `sha256:${'AB'.repeat(32)}` },
      { size: 0 },
      { size: 2 ** 41 },
      { reference: 'Upper/Case:tag' },
      { reference: 'name:tag\nFROM evil' },
      { base: '' },
      { tags: ['bad tag'] },
      { built_at: 'yesterday' },
      { built_at: '2999-01-01T00:00:00Z' },
    ]) {
      const res = await call('POST', url, { ...image, ...bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await call('POST', url, image, guest.token)).statusCode).toBe(403);
    expect((await call('GET', url, undefined, outsider.token)).statusCode).toBe(404);
    expect((await call('GET', url)).json()).toEqual([]);
  });
});
