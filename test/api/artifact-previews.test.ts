import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let developer: TestUser;
let reporter: TestUser;
let stranger: TestUser;
let projectId: number;

const PAGE = '<h1 style="color: teal">Estimator</h1><script>parent.document.title = "pwned"</script>';
const artifact = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}`;
const preview = (path: string) => `/api/v4/projects/${projectId}/ml/artifact_previews/${path}`;
const put = (path: string, body: string | Buffer) => t.call({ method: 'PUT', url: artifact(path), token: developer.token, payload: body, headers: { 'content-type': 'text/html' } });

beforeAll(async () => {
  t = await startTestApp();
  developer = await t.createUser('previewer');
  reporter = await t.createUser('preview-reader');
  stranger = await t.createUser('preview-stranger');
  projectId = (await t.createProject(developer.token, 'previews')).id;
  await t.addMember(projectId, reporter.id, 20);
  expect((await put('1/run/artifacts/estimator.html', PAGE)).statusCode).toBe(200);
  expect((await put('1/models/m-1/artifacts/report.HTM', PAGE)).statusCode).toBe(200);
  expect((await put('1/run/artifacts/notes.txt', 'plain')).statusCode).toBe(200);
  expect((await put('1/run/artifacts/picture.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')).statusCode).toBe(200);
});
afterAll(async () => t?.close());

describe('the inline preview of an HTML artifact', () => {
  it('serves the document inline in a sandbox without scripts or the app origin, to a reporter of a private project', async () => {
    const res = await t.call({ method: 'GET', url: preview('1/run/artifacts/estimator.html'), token: reporter.token });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(PAGE);
    expect({
      type: res.headers['content-type'],
      disposition: res.headers['content-disposition'],
      csp: res.headers['content-security-policy'],
      nosniff: res.headers['x-content-type-options'],
      corp: res.headers['cross-origin-resource-policy'],
      referrer: res.headers['referrer-policy'],
    }).toEqual({
      type: 'text/html; charset=utf-8',
      disposition: 'inline',
      csp: "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      nosniff: 'nosniff',
      corp: 'same-origin',
      referrer: 'no-referrer',
    });
  });

  it("serves a logged model's HTML too (.htm, any case)", async () => {
    const res = await t.call({ method: 'GET', url: preview('1/models/m-1/artifacts/report.HTM'), token: reporter.token });
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('answers 404 to a non-member and to nobody, as downloads do', async () => {
    for (const token of [stranger.token, null]) {
      expect((await t.call({ method: 'GET', url: preview('1/run/artifacts/estimator.html'), token })).statusCode).toBe(404);
      expect((await t.call({ method: 'GET', url: artifact('1/run/artifacts/estimator.html'), token })).statusCode).toBe(404);
    }
  });

  it('refuses anything but an HTML file, a path leading out of the tree, and a missing file', async () => {
    for (const path of ['1/run/artifacts/notes.txt', '1/run/artifacts/picture.svg', '1/run/artifacts']) {
      const res = await t.call({ method: 'GET', url: preview(path), token: reporter.token });
      expect([res.statusCode, res.json().message], path).toEqual([400, expect.stringMatching(/is not an HTML file.*download it instead/)]);
    }
    for (const path of ['1/run/artifacts/../../../etc/x.html', '1/run/artifacts/%2e%2e/%2e%2e/x.html', '/etc/x.html']) {
      const res = await t.call({ method: 'GET', url: preview(path), token: reporter.token });
      expect(res.statusCode, path).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, path).toBeLessThan(500);
      expect(res.headers['content-type'], path).toMatch(/^application\/json/);
    }
    expect((await t.call({ method: 'GET', url: preview('1/run/artifacts/missing.html'), token: reporter.token })).statusCode).toBe(404);
  });

  it('refuses a file over 5 MiB with 413, telling to download it', async () => {
    expect((await put('1/run/artifacts/huge.html', Buffer.alloc(5 * 1024 * 1024 + 1, 'a'))).statusCode).toBe(200);
    const res = await t.call({ method: 'GET', url: preview('1/run/artifacts/huge.html'), token: reporter.token });
    expect([res.statusCode, res.json().message]).toEqual([413, 'the file is 5242881 bytes, over the preview limit of 5242880 bytes: download it instead']);
  });

  it('leaves the download of the same file an attachment of a neutral type', async () => {
    const res = await t.call({ method: 'GET', url: artifact('1/run/artifacts/estimator.html'), token: reporter.token });
    expect({ type: res.headers['content-type'], disposition: res.headers['content-disposition'], csp: res.headers['content-security-policy'] }).toEqual({
      type: 'application/octet-stream',
      disposition: 'attachment; filename=estimator.html',
      csp: "default-src 'none'; sandbox",
    });
  });
});
