import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let owner: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.createUser('owner');
  projectId = (await t.createProject(owner.token, 'stable')).id;
});
afterAll(async () => t?.close());

async function snapshot() {
  const db = t.services.database.db;
  const [projects, members, tokens, users] = await Promise.all([
    db.selectFrom('projects').selectAll().orderBy('id').execute(),
    db.selectFrom('members').selectAll().orderBy('project_id').orderBy('user_id').execute(),
    db.selectFrom('tokens').select(['id', 'revoked_at']).orderBy('id').execute(),
    db.selectFrom('users').select(['id', 'username']).orderBy('id').execute(),
  ]);
  return JSON.stringify({ projects, members, tokens, users });
}

const json = { 'content-type': 'application/json' };

const cases: { name: string; method: 'POST' | 'PUT'; url: () => string; body: string | Buffer; headers?: Record<string, string>; status: number; message: RegExp }[] = [
  { name: 'malformed JSON', method: 'POST', url: () => '/api/v4/projects', body: '{"name": "x",', status: 400, message: /malformed JSON/ },
  { name: 'a JSON array instead of an object', method: 'POST', url: () => '/api/v4/projects', body: '[1,2]', status: 400, message: /body must be object/ },
  { name: 'a number where a string belongs', method: 'POST', url: () => '/api/v4/projects', body: '{"name": 12}', status: 400, message: /name must be string/ },
  {
    name: 'a string where a number belongs',
    method: 'POST',
    url: () => `/api/v4/projects/${projectId}/members`,
    body: '{"user_id": "2", "access_level": 30}',
    status: 400,
    message: /user_id must be integer/,
  },
  { name: 'an over-long name', method: 'POST', url: () => '/api/v4/projects', body: JSON.stringify({ name: 'n'.repeat(256) }), status: 400, message: /too long/ },
  { name: 'an over-long description', method: 'PUT', url: () => `/api/v4/projects/${projectId}`, body: JSON.stringify({ description: 'd'.repeat(20_001) }), status: 400, message: /too long/ },
  { name: 'an unknown field', method: 'PUT', url: () => `/api/v4/projects/${projectId}`, body: '{"name": "ok", "owner_id": 1}', status: 400, message: /unknown field "owner_id"/ },
  { name: 'an unknown visibility', method: 'PUT', url: () => `/api/v4/projects/${projectId}`, body: '{"visibility": "secret"}', status: 400, message: /visibility/ },
  { name: 'an invalid access level', method: 'POST', url: () => `/api/v4/projects/${projectId}/members`, body: '{"user_id": 1, "access_level": 35}', status: 400, message: /access_level/ },
  {
    name: 'non-UTF-8 bytes in the body',
    method: 'POST',
    url: () => '/api/v4/projects',
    body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    status: 400,
    message: /UTF-8/,
  },
  { name: 'a control character in a name', method: 'POST', url: () => '/api/v4/projects', body: JSON.stringify({ name: 'a\u0007b' }), status: 400, message: /control/ },
  { name: 'a path that could be an id', method: 'POST', url: () => '/api/v4/projects', body: JSON.stringify({ name: 'n', path: '12345' }), status: 400, message: /digits/ },
  { name: 'a path with a slash', method: 'POST', url: () => '/api/v4/projects', body: JSON.stringify({ name: 'n', path: '../etc' }), status: 400, message: /path/ },
  { name: 'an empty update', method: 'PUT', url: () => `/api/v4/projects/${projectId}`, body: '{}', status: 400, message: /body/ },
  {
    name: 'a form body where JSON is expected',
    method: 'POST',
    url: () => '/api/v4/projects',
    body: 'name=x',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    message: /Unsupported Media Type/,
  },
];

describe('bad input on the native API', () => {
  for (const c of cases) {
    it(`answers ${c.status} with a message for ${c.name}, changing nothing`, async () => {
      const before = await snapshot();
      const res = await t.call({ method: c.method, url: c.url(), token: owner.token, payload: c.body, headers: c.headers ?? json });
      expect(res.statusCode).toBe(c.status);
      expect(res.json().message).toMatch(c.message);
      expect(await snapshot()).toBe(before);
    });
  }

  it('answers 413 for a JSON body over 1 MiB', async () => {
    const res = await t.call({ method: 'POST', url: '/api/v4/projects', token: owner.token, headers: json, payload: JSON.stringify({ name: 'x', description: 'd'.repeat(1_100_000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBeTruthy();
  });

  it('answers 4xx for malformed query strings and path parameters, never 5xx', async () => {
    const urls = [
      '/api/v4/projects?page=zero',
      '/api/v4/projects?per_page=100000',
      '/api/v4/projects?page=-1',
      '/api/v4/projects?search=%FF%FE',
      '/api/v4/projects?order_by=password',
      `/api/v4/projects/${projectId}/members/abc`,
      '/api/v4/projects/%FF',
      '/api/v4/projects/%',
      `/api/v4/projects/${projectId}/members?page=1e9999`,
      '/api/v4/users/99999999999999999999999',
    ];
    for (const url of urls) {
      const res = await t.call({ method: 'GET', url, token: owner.token });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(typeof res.json().message, url).toBe('string');
    }
  });

  it('answers 404 with a JSON message for unknown routes', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/nothing-here', token: owner.token });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: '404 Not Found' });
  });

  it('refuses a malformed Authorization header with 401', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/user', headers: { authorization: 'Token abc' } });
    expect(res.statusCode).toBe(401);
  });
});
