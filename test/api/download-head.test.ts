import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('header');
  projectId = (await t.createProject(dev.token, 'heads')).id;
});
afterAll(async () => t?.close());

async function call(method: 'GET' | 'HEAD' | 'PUT' | 'POST', url: string, body?: string | Record<string, unknown>) {
  const headers = typeof body === 'string' ? { 'content-type': 'application/octet-stream' } : undefined;
  const res = await t.call({ method, url, token: dev.token, payload: body, headers });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res;
}

/** HEAD answers what GET answers, headers and all, without the body. */
async function expectHeadLikeGet(url: string): Promise<void> {
  const get = await call('GET', url);
  const head = await call('HEAD', url);
  expect(head.statusCode).toBe(get.statusCode);
  expect(Number(get.headers['content-length'])).toBeGreaterThan(0);
  for (const name of ['content-length', 'etag', 'content-type']) expect(head.headers[name], name).toBe(get.headers[name]);
  expect(head.rawPayload.length).toBe(0);
}

describe('HEAD of a download', () => {
  it("answers a generic package file's length, ETag and type", async () => {
    const url = `/api/v4/projects/${projectId}/packages/generic/heads/1.0.0/weights.bin`;
    await call('PUT', url, 'twelve bytes');
    await expectHeadLikeGet(url);
  });

  it("answers a version's file and its archive the same way", async () => {
    const model = (await call('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'heads' })).json();
    const version = (await call('POST', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, {})).json();
    const file = `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/config.json`;
    await call('PUT', file, '{"layers": 3}');
    await expectHeadLikeGet(file);
    await expectHeadLikeGet(`/api/v4/projects/${projectId}/ml/models/${model.id}/versions/1/archive`);
  });
});
