import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

describe('operations endpoints', () => {
  it('answers health and readiness', async () => {
    expect((await t.call({ method: 'GET', url: '/-/health' })).json()).toEqual({ status: 'ok' });
    expect((await t.call({ method: 'GET', url: '/-/readiness' })).json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('exposes Prometheus metrics by route', async () => {
    await t.call({ method: 'GET', url: '/api/v4/projects' });
    const res = await t.call({ method: 'GET', url: '/-/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/modelyard_http_requests_total\{method="GET",route="\/api\/v4\/projects",status="200"\} \d+/);
    expect(res.body).toContain('modelyard_http_request_duration_seconds_bucket{method="GET",route="/api/v4/projects",status="200",le="+Inf"}');
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/v4/projects/{id}/members'].post.requestBody.content['application/json'].schema.required).toEqual(['user_id', 'access_level']);
    expect(Object.keys(doc.paths)).toContain('/api/v4/user/personal_access_tokens');
  });

  it('documents the answers of every route: a success with its body (or 204, or a redirect) and the error body', async () => {
    type Answer = { description: string; content?: Record<string, { schema: unknown }> };
    const doc = (await t.call({ method: 'GET', url: '/api/v4/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, Answer> }>> };
    const operations = Object.entries(doc.paths).flatMap(([url, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${url}`, responses: operation.responses })),
    );
    expect(operations.length).toBeGreaterThan(240);
    const documentsSuccess = (responses: Record<string, Answer>) =>
      Object.entries(responses).some(([status, answer]) => (/^2\d\d$/.test(status) && (status === '204' || answer.content !== undefined)) || /^3\d\d$/.test(status));
    const undocumented = operations.filter(({ responses }) => !documentsSuccess(responses) || !responses['4XX']?.content).map(({ route }) => route);
    expect(undocumented).toEqual([]);
  });

  it('echoes or assigns a request id', async () => {
    const given = await t.call({ method: 'GET', url: '/-/health', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const assigned = await t.call({ method: 'GET', url: '/-/health' });
    expect(assigned.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not ready when the database is gone', async () => {
    await t.services.database.close();
    const res = await t.call({ method: 'GET', url: '/-/readiness' });
    expect(res.statusCode).toBe(503);
    // reopen so that afterAll can close cleanly
    t.services.database.close = async () => undefined;
  });
});
