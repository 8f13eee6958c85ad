import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * The Hugging Face Hub's read protocol over the registry (src/hub/): what huggingface_hub
 * reads, request by request. test/hub/ runs the real client against a server.
 */

let t: TestApp;
let dev: TestUser;
let guest: TestUser;
let outsider: TestUser;
let projectId: number;
const PATH = 'hub-models';

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('hub-dev');
  guest = await t.createUser('hub-guest');
  outsider = await t.createUser('hub-outsider');
  projectId = (await t.createProject(dev.token, PATH)).id;
  await t.addMember(projectId, guest.id, 10);
});
afterAll(async () => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function post(url: string, payload: Record<string, unknown>) {
  const res = await t.call({ method: 'POST', url, token: dev.token, payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** A model with one version per file set (uploaded files); answers the versions' ids. */
async function modelWithVersions(name: string, versions: { semver?: string; files: Record<string, string> }[]): Promise<{ modelId: number; versionIds: number[] }> {
  const modelId = (await post(`/api/v4/projects/${projectId}/ml/models`, { name })).id as number;
  const versionIds: number[] = [];
  for (const version of versions) {
    const created = await post(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, version.semver ? { semver: version.semver } : {});
    versionIds.push(created.id as number);
    for (const [path, content] of Object.entries(version.files)) await upload(created.id as number, path, content);
  }
  return { modelId, versionIds };
}

async function upload(versionId: number, path: string, content: string): Promise<void> {
  const res = await t.call({
    method: 'PUT',
    url: `/api/v4/projects/${projectId}/packages/ml_models/${versionId}/files/${path}`,
    token: dev.token,
    payload: Buffer.from(content),
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(res.statusCode, res.body).toBe(201);
}

const info = (repo: string, revision?: string, token: string | null = guest.token) =>
  t.call({ method: 'GET', url: `/api/hf/api/models/${repo}${revision === undefined ? '' : `/revision/${encodeURIComponent(revision)}`}`, headers: token ? bearer(token) : {} });

describe('Hugging Face Hub read protocol', () => {
  it('answers model_info by semantic version, alias, version number, main and sha, with a stable 40-hex sha', async () => {
    const { modelId } = await modelWithVersions('resolver', [
      { semver: '1.0.0', files: { 'config.json': '{"a":1}', 'weights/model.safetensors': 'w1' } },
      { semver: '1.1.0', files: { 'config.json': '{"a":2}' } },
    ]);
    await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/aliases/champion`, token: dev.token, payload: { version: 1 } });

    const bySemver = await info(`${PATH}/resolver`, '1.0.0');
    expect(bySemver.statusCode, bySemver.body).toBe(200);
    const body = bySemver.json();
    expect(body).toMatchObject({ id: `${PATH}/resolver`, author: PATH, private: true, gated: false });
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(body.siblings).toEqual([{ rfilename: 'config.json' }, { rfilename: 'weights/model.safetensors' }]);
    for (const revision of ['champion', '1', body.sha]) expect((await info(`${PATH}/resolver`, revision)).json().sha, revision).toBe(body.sha);
    // By project id as well as by path; the sha is the same on every call.
    expect((await info(`${projectId}/resolver`, '1.0.0')).json().sha).toBe(body.sha);

    // `main`: the newest version, until an alias `main` says otherwise.
    const newest = (await info(`${PATH}/resolver`, '1.1.0')).json().sha;
    expect(newest).not.toBe(body.sha);
    expect((await info(`${PATH}/resolver`)).json().sha).toBe(newest);
    expect((await info(`${PATH}/resolver`, 'main')).json().sha).toBe(newest);
    await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/aliases/main`, token: dev.token, payload: { version: 1 } });
    expect((await info(`${PATH}/resolver`)).json().sha).toBe(body.sha);

    const blobs = await t.call({ method: 'GET', url: `/api/hf/api/models/${PATH}/resolver/revision/1.0.0?blobs=true`, headers: bearer(guest.token) });
    expect(blobs.json().siblings[0]).toMatchObject({ rfilename: 'config.json', size: 7, lfs: { sha256: sha256('{"a":1}'), size: 7 } });
  });

  it("changes a version's sha when its files change, and the old sha names nothing any more", async () => {
    const { versionIds } = await modelWithVersions('growing', [{ files: { 'a.txt': 'a' } }]);
    const before = (await info(`${PATH}/growing`, '1')).json().sha;
    await upload(versionIds[0]!, 'b.txt', 'b');
    const after = (await info(`${PATH}/growing`, '1')).json().sha;
    expect(after).toMatch(/^[0-9a-f]{40}$/);
    expect(after).not.toBe(before);
    const stale = await info(`${PATH}/growing`, before);
    expect(stale.statusCode).toBe(404);
    expect(stale.headers['x-error-code']).toBe('RevisionNotFound');
    // A file uploaded again with other bytes: the sha moves on, and the file is not served under the old one.
    await upload(versionIds[0]!, 'a.txt', 'A');
    const replaced = (await info(`${PATH}/growing`, '1')).json().sha;
    expect(replaced).not.toBe(after);
    const old = await t.call({ method: 'GET', url: `/api/hf/${PATH}/growing/resolve/${after}/a.txt`, headers: bearer(guest.token) });
    expect([old.statusCode, old.headers['x-error-code']]).toEqual([404, 'RevisionNotFound']);
    expect((await t.call({ method: 'GET', url: `/api/hf/${PATH}/growing/resolve/${replaced}/a.txt`, headers: bearer(guest.token) })).body).toBe('A');
  });

  it('lists the tree recursively as LFS files, in pages linked by Link on the same origin', async () => {
    await modelWithVersions('listing', [{ files: { 'config.json': '{}', 'tokenizer/vocab.txt': 'hello', 'tokenizer/nested/x.bin': 'xx', 'z.bin': 'zzz' } }]);
    const { sha } = (await info(`${PATH}/listing`, '1')).json();
    const entries: { type: string; path: string; size: number; oid: string; lfs?: { oid: string; size: number; pointerSize: number } }[] = [];
    let url: string | undefined = `/api/hf/api/models/${PATH}/listing/tree/${sha}?recursive=true&expand=false&limit=2`;
    let pages = 0;
    while (url) {
      const page = await t.call({ method: 'GET', url, headers: { ...bearer(guest.token), host: 'models.example:8443' } });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.headers['x-repo-commit']).toBe(sha);
      entries.push(...page.json());
      const next = /<([^>]+)>; rel="next"/.exec(String(page.headers.link ?? ''))?.[1];
      if (next) expect(new URL(next).origin).toBe('http://models.example:8443');
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'file:config.json',
      'directory:tokenizer',
      'directory:tokenizer/nested',
      'file:tokenizer/nested/x.bin',
      'file:tokenizer/vocab.txt',
      'file:z.bin',
    ]);
    const vocab = entries.find((e) => e.path === 'tokenizer/vocab.txt')!;
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256('hello')}\nsize 5\n`;
    expect(vocab).toEqual({
      type: 'file',
      path: 'tokenizer/vocab.txt',
      size: 5,
      oid: createHash('sha1').update(`blob ${pointer.length}\0${pointer}`).digest('hex'),
      lfs: { oid: sha256('hello'), size: 5, pointerSize: pointer.length },
    });

    const top = await t.call({ method: 'GET', url: `/api/hf/api/models/${PATH}/listing/tree/1`, headers: bearer(guest.token) });
    expect(top.json().map((e: { path: string }) => e.path)).toEqual(['config.json', 'tokenizer', 'z.bin']);
    const under = await t.call({ method: 'GET', url: `/api/hf/api/models/${PATH}/listing/tree/1/tokenizer%2Fnested`, headers: bearer(guest.token) });
    expect(under.json().map((e: { path: string }) => e.path)).toEqual(['tokenizer/nested/x.bin']);
    const missing = await t.call({ method: 'GET', url: `/api/hf/api/models/${PATH}/listing/tree/1/nowhere`, headers: bearer(guest.token) });
    expect([missing.statusCode, missing.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
    const badCursor = await t.call({ method: 'GET', url: `/api/hf/api/models/${PATH}/listing/tree/1?cursor=nonsense`, headers: bearer(guest.token) });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error).toMatch(/cursor/);
  });

  it('serves files with the headers hf_hub_download needs, byte ranges and no Xet headers', async () => {
    await modelWithVersions('files', [{ semver: '2.0.0', files: { 'weights.bin': '0123456789' } }]);
    const { sha } = (await info(`${PATH}/files`, '2.0.0')).json();
    const url = `/api/hf/${PATH}/files/resolve/2.0.0/weights.bin`;
    const head = await t.call({ method: 'HEAD', url, headers: bearer(guest.token) });
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({
      'x-repo-commit': sha,
      etag: `"${sha256('0123456789')}"`,
      'x-linked-etag': `"${sha256('0123456789')}"`,
      'x-linked-size': '10',
      'content-length': '10',
    });
    expect(Object.keys(head.headers).filter((h) => h.startsWith('x-xet'))).toEqual([]);
    expect(head.headers.location).toBeUndefined();
    const get = await t.call({ method: 'GET', url: `/api/hf/${PATH}/files/resolve/${sha}/weights.bin`, headers: bearer(guest.token) });
    expect([get.statusCode, get.body]).toEqual([200, '0123456789']);
    const range = await t.call({ method: 'GET', url, headers: { ...bearer(guest.token), range: 'bytes=3-5' } });
    expect([range.statusCode, range.body, range.headers['content-range']]).toEqual([206, '345', 'bytes 3-5/10']);
    const missing = await t.call({ method: 'HEAD', url: `/api/hf/${PATH}/files/resolve/2.0.0/other.bin`, headers: bearer(guest.token) });
    expect([missing.statusCode, missing.headers['x-error-code'], missing.headers['x-repo-commit']]).toEqual([404, 'EntryNotFound', sha]);
  });

  it('serves the model directory of a version registered from a run', async () => {
    const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;
    const experimentId = (await post(mlflow('experiments/create'), { name: 'hub-run' })).experiment_id;
    const run = (await post(mlflow('runs/create'), { experiment_id: experimentId })).run;
    const root = (run.info.artifact_uri as string).replace('mlflow-artifacts:/', '');
    for (const [path, content] of Object.entries({ 'model/MLmodel': 'flavors: {}\n', 'model/model.pkl': 'pickle', 'beside.txt': 'no' })) {
      const res = await t.call({
        method: 'PUT',
        url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${root}/${path}`,
        token: dev.token,
        payload: content,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    await post(mlflow('registered-models/create'), { name: 'from-run' });
    await post(mlflow('model-versions/create'), { name: 'from-run', source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id });
    expect((await info(`${PATH}/from-run`, '1')).json().siblings).toEqual([{ rfilename: 'MLmodel' }, { rfilename: 'model.pkl' }]);
    const file = await t.call({ method: 'GET', url: `/api/hf/${PATH}/from-run/resolve/1/model.pkl`, headers: bearer(guest.token) });
    expect(file.body).toBe('pickle');
  });

  it('serves a model under its slug, and neither of two models whose slugs collide', async () => {
    // Names outside the packages' rule hold no uploaded files: these versions are empty, which the Hub serves too.
    await modelWithVersions('Détecteur de chats (v2)', [{ files: {} }]);
    const accented = await info(`${PATH}/Detecteur-de-chats-v2`, '1');
    expect([accented.statusCode, accented.json().siblings]).toEqual([200, []]);
    await modelWithVersions('twin model', [{ files: {} }]);
    await modelWithVersions('twin-model', [{ files: {} }]);
    const ambiguous = await info(`${PATH}/twin-model`, '1');
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.json().error).toContain('"twin model", "twin-model"');
  });

  it('refuses with the Hub error codes: 401 without a credential and 404 with one for what the caller cannot see', async () => {
    await modelWithVersions('secret', [{ files: { 'a.txt': 'a' } }]);
    const anonymous = await info(`${PATH}/secret`, '1', null);
    expect([anonymous.statusCode, anonymous.headers['x-error-code']]).toEqual([401, 'RepoNotFound']);
    const stranger = await info(`${PATH}/secret`, '1', outsider.token);
    expect([stranger.statusCode, stranger.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    const noSuchProject = await info('no-such-project/secret', '1', outsider.token);
    expect([noSuchProject.statusCode, noSuchProject.headers['x-error-code'], noSuchProject.body]).toEqual([404, 'RepoNotFound', stranger.body]);
    const noSuchModel = await info(`${PATH}/nothing-here`, '1');
    expect([noSuchModel.statusCode, noSuchModel.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    const badToken = await info(`${PATH}/secret`, '1', 'not-a-token');
    expect([badToken.statusCode, badToken.headers['x-error-message']]).toEqual([401, 'Invalid credentials in Authorization header']);
    for (const revision of ['9.9.9', '7', 'no-such-alias', 'refs/pr/1', '0000000100000000000000000000000000000000']) {
      const res = await info(`${PATH}/secret`, revision);
      expect([res.statusCode, res.headers['x-error-code']], revision).toEqual([404, 'RevisionNotFound']);
    }
    const serveOnly = await t.createUser('hub-serve-only', { scopes: ['serve'] });
    await t.addMember(projectId, serveOnly.id, 30);
    const gated = await info(`${PATH}/secret`, '1', serveOnly.token);
    expect([gated.statusCode, gated.headers['x-error-code']]).toEqual([403, 'GatedRepo']);
  });

  it('lets anyone read a public project without a credential', async () => {
    const publicId = (await t.createProject(dev.token, 'hub-public', 'public')).id;
    const modelId = (await t.call({ method: 'POST', url: `/api/v4/projects/${publicId}/ml/models`, token: dev.token, payload: { name: 'open' } })).json().id;
    const version = (await t.call({ method: 'POST', url: `/api/v4/projects/${publicId}/ml/models/${modelId}/versions`, token: dev.token, payload: {} })).json();
    await t.call({
      method: 'PUT',
      url: `/api/v4/projects/${publicId}/packages/ml_models/${version.id}/files/a.txt`,
      token: dev.token,
      payload: Buffer.from('a'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const res = await info('hub-public/open', '1', null);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().private).toBe(false);
    const missing = await info('hub-public/nothing', '1', null);
    expect([missing.statusCode, missing.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
  });
});
