import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { failCommitRecording } from '../support/fail-injection.ts';

let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('packager');
  projectId = (await t.createProject(dev.token, 'packaging')).id;
});
afterAll(async () => t?.close());

const generic = (name: string, version: string, file: string, query = '') => `/api/v4/projects/${projectId}/packages/generic/${name}/${version}/${file}${query}`;
const upload = (url: string, body: string) => t.call({ method: 'PUT', url, token: dev.token, payload: body, headers: { 'content-type': 'application/octet-stream' } });
const get = (url: string, headers: Record<string, string> = {}) => t.call({ method: 'GET', url, token: dev.token, headers });

describe('generic packages', () => {
  it("answer GitLab's shapes: upload, list, one package, its files, download, delete", async () => {
    const plain = await upload(generic('shapes', '1.0.0', 'a.txt'), 'alpha');
    expect(plain.statusCode).toBe(201);
    expect(plain.json()).toEqual({ message: '201 Created' });
    const selected = await upload(generic('shapes', '1.0.0', 'b.bin', '?select=package_file'), 'bravo!');
    expect(selected.statusCode).toBe(201);
    const file = selected.json();
    expect(file).toEqual({
      id: expect.any(Number),
      package_id: expect.any(Number),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      file_name: 'b.bin',
      size: 6,
      file_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    const list = await get(`/api/v4/projects/${projectId}/packages?package_type=generic&package_name=shap`);
    expect(list.statusCode).toBe(200);
    expect(list.headers['x-total']).toBe('1');
    const [pkg] = list.json();
    expect(pkg).toEqual({
      id: file.package_id,
      name: 'shapes',
      version: '1.0.0',
      package_type: 'generic',
      status: 'default',
      created_at: expect.any(String),
      last_downloaded_at: null,
      tags: [],
      _links: { web_path: `/projects/${projectId}/packages/${file.package_id}`, delete_api_path: `http://modelyard.test/api/v4/projects/${projectId}/packages/${file.package_id}` },
    });
    expect((await get(`/api/v4/projects/${projectId}/packages/${pkg.id}`)).json()).toEqual(pkg);
    const files = await get(`/api/v4/projects/${projectId}/packages/${pkg.id}/package_files`);
    expect(files.json().map((f: { file_name: string }) => f.file_name)).toEqual(['a.txt', 'b.bin']);

    const download = await get(generic('shapes', '1.0.0', 'a.txt'));
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('alpha');
    expect(download.headers['content-type']).toMatch(/^text\/plain/);
    expect((await get(generic('shapes', '1.0.0', 'b.bin'), { range: 'bytes=1-2' })).body).toBe('ra');
    expect((await get(generic('shapes', '1.0.0', 'b.bin'), { 'if-none-match': `"${file.file_sha256}"` })).statusCode).toBe(304);

    const usage = (await get(`/api/v4/projects/${projectId}/storage`)).json();
    expect(usage).toEqual({ artifacts: { files: 0, bytes: 0 }, packages: { files: 2, bytes: 11 }, total_bytes: 11 });

    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/packages/${pkg.id}/package_files/${file.id}`, token: dev.token })).statusCode).toBe(204);
    const gone = await get(generic('shapes', '1.0.0', 'b.bin'));
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ message: '404 Package file Not Found' });
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/packages/${pkg.id}`, token: dev.token })).statusCode).toBe(204);
    expect((await get(`/api/v4/projects/${projectId}/packages/${pkg.id}`)).json()).toEqual({ message: '404 Package Not Found' });
    expect((await get(`/api/v4/projects/${projectId}/storage`)).json().packages).toEqual({ files: 0, bytes: 0 });
  });

  it("keeps a replaced file's bytes until the replacement is committed", async () => {
    const url = generic('replaced', '1.0.0', 'model.bin');
    expect((await upload(url, 'first version')).statusCode).toBe(201);
    const restore = await failCommitRecording(t.services.database.db, 'packages.file.uploaded');
    try {
      expect((await upload(url, 'second version')).statusCode).toBe(500);
    } finally {
      await restore();
    }
    const download = await get(url);
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe('first version');
    expect((await upload(url, 'third version')).statusCode).toBe(201);
    expect((await get(url)).body).toBe('third version');
  });
});
