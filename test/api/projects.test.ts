import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let owner: TestUser;
let dev: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.createUser('p-owner');
  dev = await t.createUser('p-dev');
});
afterAll(async () => t?.close());

describe('projects', () => {
  it('has the default project, owned by the first admin', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/projects/default', token: ADMIN_TOKEN });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ path: 'default', visibility: 'private', permissions: { project_access: { access_level: 50 } } });
  });

  it('creates with GitLab fields, derives the path from the name, and refuses a taken path', async () => {
    const res = await t.call({ method: 'POST', url: '/api/v4/projects', token: owner.token, payload: { name: 'Fraud Detection', description: 'cards' } });
    expect(res.statusCode).toBe(201);
    const project = res.json();
    expect(project).toMatchObject({ name: 'Fraud Detection', path: 'fraud-detection', path_with_namespace: 'fraud-detection', description: 'cards', visibility: 'private' });
    expect(project.web_url).toBe('http://modelyard.test/fraud-detection');
    expect(new Date(project.created_at).toISOString()).toBe(project.created_at);
    const again = await t.call({ method: 'POST', url: '/api/v4/projects', token: dev.token, payload: { name: 'x', path: 'Fraud-Detection' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/taken/);
  });

  it('refuses a path whose web_url would be one of the server’s own pages, and changes nothing', async () => {
    for (const path of ['admin', 'Runners', 'api', 'projects', 'user']) {
      const res = await t.call({ method: 'POST', url: '/api/v4/projects', token: owner.token, payload: { name: `n-${path}`, path } });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().message).toMatch(/reserved/);
    }
    const derived = await t.call({ method: 'POST', url: '/api/v4/projects', token: owner.token, payload: { name: 'Admin' } });
    expect(derived.statusCode).toBe(400);
    const listed = (await t.call({ method: 'GET', url: '/api/v4/projects?search=admin', token: ADMIN_TOKEN })).json() as { path: string }[];
    expect(listed.map((p) => p.path.toLowerCase())).not.toContain('admin');
  });

  it('gets by id and by URL-encoded path', async () => {
    const project = await t.createProject(owner.token, 'by-path');
    const byId = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}`, token: owner.token });
    const byPath = await t.call({ method: 'GET', url: '/api/v4/projects/by%2Dpath', token: owner.token });
    expect(byId.json().id).toBe(project.id);
    expect(byPath.json().id).toBe(project.id);
  });

  it('updates fields and records visibility changes in the audit log', async () => {
    const project = await t.createProject(owner.token, 'to-update');
    const res = await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}`, token: owner.token, payload: { description: 'new', visibility: 'public' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ description: 'new', visibility: 'public' });
    const audit = (await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/audit_events`, token: owner.token })).json() as { action: string; details: Record<string, unknown> }[];
    expect(audit.find((e) => e.action === 'project.visibility_changed')?.details).toMatchObject({ from: 'private', to: 'public' });
    // the outbox has the event for webhooks and pipeline triggers
    const events = await t.services.database.db.selectFrom('events').selectAll().where('project_id', '=', project.id).execute();
    expect(events.map((e) => e.type)).toEqual(['project.created', 'project.updated']);
  });

  it('deletes (owners only) and then answers 404', async () => {
    const project = await t.createProject(owner.token, 'to-delete');
    await t.addMember(project.id, dev.id, 40);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${project.id}`, token: dev.token })).statusCode).toBe(403);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${project.id}`, token: owner.token })).statusCode).toBe(202);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}`, token: owner.token })).statusCode).toBe(404);
  });

  it('lists only what the caller can see, paginated with GitLab headers', async () => {
    const lister = await t.createUser('lister');
    for (let i = 0; i < 5; i++) await t.createProject(lister.token, `listed-${i}`);
    await t.createProject(owner.token, 'not-for-lister');
    const first = await t.call({ method: 'GET', url: '/api/v4/projects?membership=true&per_page=2&order_by=path&sort=asc', token: lister.token });
    expect(first.statusCode).toBe(200);
    expect(first.json().map((p: { path: string }) => p.path)).toEqual(['listed-0', 'listed-1']);
    expect(first.headers['x-total']).toBe('5');
    expect(first.headers['x-total-pages']).toBe('3');
    expect(first.headers['x-next-page']).toBe('2');
    expect(first.headers['x-prev-page']).toBe('');
    expect(first.headers.link).toContain('<http://modelyard.test/api/v4/projects?membership=true&per_page=2&order_by=path&sort=asc&page=2>; rel="next"');
    expect(first.headers.link).toContain('rel="last"');
    const last = await t.call({ method: 'GET', url: '/api/v4/projects?membership=true&per_page=2&page=3&order_by=path&sort=asc', token: lister.token });
    expect(last.json().map((p: { path: string }) => p.path)).toEqual(['listed-4']);
    expect(last.headers['x-next-page']).toBe('');
    const searched = await t.call({ method: 'GET', url: '/api/v4/projects?search=LISTED-3', token: lister.token });
    expect(searched.json().map((p: { path: string }) => p.path)).toEqual(['listed-3']);
    const wildcard = await t.call({ method: 'GET', url: '/api/v4/projects?search=%25', token: lister.token });
    expect(wildcard.json()).toEqual([]);
  });
});

describe('members', () => {
  it('adds, changes and removes members with audit entries', async () => {
    const project = await t.createProject(owner.token, 'team');
    const added = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: owner.token, payload: { user_id: dev.id, access_level: 30 } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ id: dev.id, username: 'p-dev', access_level: 30, role: 'developer' });
    const duplicate = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: owner.token, payload: { user_id: dev.id, access_level: 30 } });
    expect(duplicate.statusCode).toBe(409);
    const changed = await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}/members/${dev.id}`, token: owner.token, payload: { access_level: 40 } });
    expect(changed.json().access_level).toBe(40);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${project.id}/members/${dev.id}`, token: owner.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}`, token: dev.token })).statusCode).toBe(404);
    const actions = ((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/audit_events`, token: owner.token })).json() as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['member.added', 'member.access_level_changed', 'member.removed']));
  });

  it('keeps owner rights with owners and always keeps one owner', async () => {
    const project = await t.createProject(owner.token, 'owners');
    const maintainer = await t.createUser('m-maint');
    await t.addMember(project.id, maintainer.id, 40);
    const promote = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: maintainer.token, payload: { user_id: dev.id, access_level: 50 } });
    expect(promote.statusCode).toBe(403);
    const demoteOwner = await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}/members/${owner.id}`, token: maintainer.token, payload: { access_level: 10 } });
    expect(demoteOwner.statusCode).toBe(403);
    const lastOwner = await t.call({ method: 'DELETE', url: `/api/v4/projects/${project.id}/members/${owner.id}`, token: owner.token });
    expect(lastOwner.statusCode).toBe(400);
    expect(lastOwner.json().message).toMatch(/last owner/);
  });

  it('answers 404 for an unknown user', async () => {
    const project = await t.createProject(owner.token, 'unknown-user');
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: owner.token, payload: { user_id: 999999, access_level: 30 } });
    expect(res.statusCode).toBe(404);
  });
});
