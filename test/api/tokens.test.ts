import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let alice: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  alice = await t.createUser('alice');
  projectId = (await t.createProject(alice.token, 'alice-project')).id;
});
afterAll(async () => t?.close());

async function auditActions(): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const res = await t.call({ method: 'GET', url: '/api/v4/audit_events?per_page=100', token: ADMIN_TOKEN });
  return res.json();
}

async function createToken(token: string, body: Record<string, unknown>) {
  return t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token, payload: body });
}

describe('personal access tokens', () => {
  it('shows the secret once, stores only its hash, and works through every header form', async () => {
    const res = await createToken(alice.token, { name: 'ci', scopes: ['api'] });
    expect(res.statusCode).toBe(201);
    const created = res.json() as { id: number; token: string; scopes: string[]; token_hint: string };
    expect(created.token).toMatch(/^glpat-[A-Za-z0-9_-]{32}$/);
    expect(created.token.startsWith(created.token_hint)).toBe(true);
    const stored = await t.services.database.db.selectFrom('tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(created.token);

    const listed = await t.call({ method: 'GET', url: '/api/v4/personal_access_tokens', token: alice.token });
    expect(listed.body).not.toContain(created.token);

    const viaPrivate = await t.call({ method: 'GET', url: '/api/v4/user', headers: { 'private-token': created.token } });
    const viaBearer = await t.call({ method: 'GET', url: '/api/v4/user', headers: { authorization: `Bearer ${created.token}` } });
    const viaBasic = await t.call({ method: 'GET', url: '/api/v4/user', headers: { authorization: `Basic ${Buffer.from(`alice:${created.token}`).toString('base64')}` } });
    for (const res of [viaPrivate, viaBearer, viaBasic]) {
      expect(res.statusCode).toBe(200);
      expect(res.json().username).toBe('alice');
    }
  });

  it('records when a token was last used', async () => {
    const { token, id } = (await createToken(alice.token, { name: 'used', scopes: ['read_api'] })).json() as { token: string; id: number };
    const before = (await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens/${id}`, token: alice.token })).json();
    expect(before.last_used_at).toBeNull();
    await t.call({ method: 'GET', url: '/api/v4/user', token });
    const after = (await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens/${id}`, token: alice.token })).json();
    expect(typeof after.last_used_at).toBe('string');
  });

  it('refuses a revoked token with 401 and audits the refusal', async () => {
    const { token, id } = (await createToken(alice.token, { name: 'to-revoke', scopes: ['api'] })).json() as { token: string; id: number };
    expect((await t.call({ method: 'DELETE', url: `/api/v4/personal_access_tokens/${id}`, token: alice.token })).statusCode).toBe(204);
    const refused = await t.call({ method: 'GET', url: '/api/v4/user', token });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/revoked/);
    const audit = await auditActions();
    expect(audit.some((e) => e.action === 'personal_access_token.revoked')).toBe(true);
    expect(audit.some((e) => e.action === 'authentication.failed' && e.details.reason === 'token_revoked' && e.details.token_id === id)).toBe(true);
  });

  it('refuses an expired token with 401 and audits the refusal', async () => {
    const { token, id } = (await createToken(alice.token, { name: 'short', scopes: ['api'], expires_at: '2999-01-01' })).json() as { token: string; id: number };
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token })).statusCode).toBe(200);
    // Move the expiry into the past rather than waiting for it.
    await t.services.database.db
      .updateTable('tokens')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', id)
      .execute();
    const refused = await t.call({ method: 'GET', url: '/api/v4/user', token });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().message).toMatch(/expired/);
    expect((await auditActions()).some((e) => e.action === 'authentication.failed' && e.details.reason === 'token_expired')).toBe(true);
  });

  it('refuses an unknown token with 401, even on a public route, and audits it', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/projects', token: 'mypat-not-a-real-token-at-all-000000' });
    expect(res.statusCode).toBe(401);
    expect((await auditActions()).some((e) => e.action === 'authentication.failed' && e.details.reason === 'token_unknown')).toBe(true);
  });

  it('lets a read_api token read but not write, with 403 and an audit entry', async () => {
    const { token } = (await createToken(alice.token, { name: 'reader', scopes: ['read_api'] })).json() as { token: string };
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, token })).statusCode).toBe(200);
    const write = await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}`, token, payload: { description: 'changed' } });
    expect(write.statusCode).toBe(403);
    expect(write.json().message).toMatch(/insufficient_scope/);
    const create = await t.call({ method: 'POST', url: '/api/v4/projects', token, payload: { name: 'nope' } });
    expect(create.statusCode).toBe(403);
    const project = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, token: alice.token })).json();
    expect(project.description).toBe('');
    expect((await auditActions()).some((e) => e.action === 'authorization.insufficient_scope')).toBe(true);
  });

  it('does not let a registry-scoped token use the general API', async () => {
    const { token } = (await createToken(alice.token, { name: 'registry', scopes: ['read_model_registry'] })).json() as { token: string };
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, token })).statusCode).toBe(403);
  });

  it('validates names, scopes and expiry dates', async () => {
    expect((await createToken(alice.token, { name: 'x', scopes: [] })).statusCode).toBe(400);
    expect((await createToken(alice.token, { name: 'x', scopes: ['sudo'] })).json().message).toMatch(/scopes/);
    expect((await createToken(alice.token, { name: 'x', scopes: ['api'], expires_at: '2001-01-01' })).json().message).toMatch(/future/);
    expect((await createToken(alice.token, { name: 'x', scopes: ['api'], expires_at: 'tomorrow' })).statusCode).toBe(400);
    // Impossible calendar dates are refused rather than rolled over (2099-02-30 is not March 2nd).
    const before = await t.services.database.db.selectFrom('tokens').select('id').execute();
    for (const expires_at of ['2099-02-30', '2099-04-31', '2098-02-29', '2099-02-30T10:00:00Z', '2099-01-01T25:00:00Z']) {
      const res = await createToken(alice.token, { name: 'x', scopes: ['api'], expires_at });
      expect(res.statusCode, expires_at).toBe(400);
      expect(res.json().message, expires_at).toMatch(/expires_at is not a valid date/);
      const projectToken = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/access_tokens`, token: alice.token, payload: { name: 'bot', scopes: ['api'], expires_at } });
      expect(projectToken.statusCode, expires_at).toBe(400);
    }
    expect(await t.services.database.db.selectFrom('tokens').select('id').execute()).toEqual(before);
    const leapDay = await createToken(alice.token, { name: 'leap', scopes: ['api'], expires_at: '2096-02-29' });
    expect(leapDay.statusCode).toBe(201);
    expect(leapDay.json().expires_at).toBe('2096-02-29');
    expect((await createToken(alice.token, { name: '', scopes: ['api'] })).statusCode).toBe(400);
  });

  it("hides other people's tokens and lets admins see them", async () => {
    const bob = await t.createUser('bob');
    const { id } = (await createToken(alice.token, { name: 'private', scopes: ['api'] })).json() as { id: number };
    expect((await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens/${id}`, token: bob.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/personal_access_tokens/${id}`, token: bob.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens?user_id=${alice.id}`, token: bob.token })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens/${id}`, token: ADMIN_TOKEN })).statusCode).toBe(200);
  });

  it('revokes the token in use through /self', async () => {
    const { token } = (await createToken(alice.token, { name: 'self', scopes: ['api'] })).json() as { token: string };
    expect((await t.call({ method: 'GET', url: '/api/v4/personal_access_tokens/self', token })).json().name).toBe('self');
    expect((await t.call({ method: 'DELETE', url: '/api/v4/personal_access_tokens/self', token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token })).statusCode).toBe(401);
  });
});

describe('project access tokens', () => {
  it('act as a bot member with the chosen role, in that project only', async () => {
    const res = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/access_tokens`,
      token: alice.token,
      payload: { name: 'deploy', scopes: ['api'], access_level: 20 },
    });
    expect(res.statusCode).toBe(201);
    const created = res.json() as { id: number; token: string; access_level: number };
    expect(created.token).toMatch(/^glpat-/); // GitLab gives project access tokens the same prefix
    expect(created.access_level).toBe(20);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, token: created.token })).statusCode).toBe(200);
    // A reporter may not change the project.
    expect((await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}`, token: created.token, payload: { description: 'x' } })).statusCode).toBe(403);
    // Another project, even a public one, is out of reach.
    const other = await t.createProject(alice.token, 'alice-public', 'public');
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${other.id}`, token: created.token })).statusCode).toBe(404);
    const members = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/members`, token: alice.token })).json() as { bot: boolean }[];
    expect(members.some((m) => m.bot)).toBe(true);

    const one = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/access_tokens/${created.id}`, token: alice.token });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: created.id, name: 'deploy', kind: 'project', project_id: projectId, access_level: 20, active: true });
    expect(one.json()).not.toHaveProperty('token');

    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/access_tokens/${created.id}`, token: alice.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, token: created.token })).statusCode).toBe(401);
    // Revoked, the token stays listed; its bot has lost its role.
    const revoked = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/access_tokens/${created.id}`, token: alice.token });
    expect(revoked.json()).toMatchObject({ revoked: true, active: false, access_level: null });
    const audit = await auditActions();
    expect(audit.some((e) => e.action === 'project_access_token.created')).toBe(true);
    expect(audit.some((e) => e.action === 'project_access_token.revoked')).toBe(true);
  });

  it('cannot be given a role above its creator', async () => {
    const maintainer = await t.createUser('pat-maintainer');
    await t.addMember(projectId, maintainer.id, 40);
    const res = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/access_tokens`,
      token: maintainer.token,
      payload: { name: 'too-high', scopes: ['api'], access_level: 50 },
    });
    expect(res.statusCode).toBe(403);
  });
});
