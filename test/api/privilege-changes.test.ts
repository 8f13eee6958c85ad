import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let rootId: number;

beforeAll(async () => {
  t = await startTestApp();
  rootId = (await t.call({ method: 'GET', url: '/api/v4/user', token: ADMIN_TOKEN })).json().id;
});
afterAll(async () => t?.close());

async function signIn(user: TestUser, password = user.password) {
  const res = await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: user.username, password } });
  expect(res.statusCode, res.body).toBe(201);
  return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrf_token as string };
}

const asSession = (session: { cookie: string }, url = '/api/v4/user') => t.call({ method: 'GET', url, headers: { cookie: session.cookie } });
const asToken = (token: string) => t.call({ method: 'GET', url: '/api/v4/user', token });
const changeUser = (userId: number, payload: object) => t.call({ method: 'PUT', url: `/api/v4/users/${userId}`, token: ADMIN_TOKEN, payload });

describe('sessions when privileges change', () => {
  it('keeps the last administrator one, and lets no one block themselves', async () => {
    const demote = await changeUser(rootId, { admin: false });
    expect(demote.statusCode).toBe(400);
    expect(demote.json().message).toMatch(/last administrator/);
    expect((await t.call({ method: 'POST', url: `/api/v4/users/${rootId}/block`, token: ADMIN_TOKEN })).statusCode).toBe(403);
    expect((await asToken(ADMIN_TOKEN)).json().is_admin).toBe(true);
  });

  it('ends a session made before the user became administrator, and before they stopped being one', async () => {
    const erin = await t.createUser('erin');
    const before = await signIn(erin);
    expect((await asSession(before)).json().is_admin).toBe(false);

    const promoted = await changeUser(erin.id, { admin: true });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json().is_admin).toBe(true);
    const stale = await asSession(before);
    expect(stale.statusCode).toBe(401);
    expect((await asSession(before, '/api/v4/audit_events')).statusCode).toBe(401);

    const after = await signIn(erin);
    expect((await asSession(after)).json().is_admin).toBe(true);
    expect((await changeUser(erin.id, { admin: false })).statusCode).toBe(200);
    expect((await asSession(after)).statusCode).toBe(401);
    // Tokens carry no session; the policy reads the role on every request.
    expect((await asToken(erin.token)).json().is_admin).toBe(false);
  });

  it('signs the user out everywhere when the password changes, and not when only the name does', async () => {
    const fay = await t.createUser('fay');
    const first = await signIn(fay);
    const second = await signIn(fay);
    expect((await changeUser(fay.id, { name: 'Fay F.' })).statusCode).toBe(200);
    expect((await asSession(first)).statusCode).toBe(200);

    expect((await changeUser(fay.id, { password: 'a-new-password-for-fay' })).statusCode).toBe(200);
    expect((await asSession(first)).statusCode).toBe(401);
    expect((await asSession(second)).statusCode).toBe(401);
    expect((await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: 'fay', password: fay.password } })).statusCode).toBe(401);
    await signIn(fay, 'a-new-password-for-fay');
    expect((await changeUser(fay.id, { password: 'short' })).statusCode).toBe(400);
  });

  it('ends a blocked user’s sessions and revokes their tokens at once; unblocking brings neither back', async () => {
    const gus = await t.createUser('gus');
    const session = await signIn(gus);
    expect((await asToken(gus.token)).statusCode).toBe(200);

    const blocked = await t.call({ method: 'POST', url: `/api/v4/users/${gus.id}/block`, token: ADMIN_TOKEN });
    expect(blocked.statusCode).toBe(201);
    expect(blocked.json()).toBe(true);
    expect((await asSession(session)).statusCode).toBe(401);
    expect((await asToken(gus.token)).statusCode).toBe(401);
    expect((await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: 'gus', password: gus.password } })).statusCode).toBe(401);
    expect((await t.call({ method: 'GET', url: `/api/v4/users/${gus.id}`, token: ADMIN_TOKEN })).json().state).toBe('blocked');

    expect((await t.call({ method: 'POST', url: `/api/v4/users/${gus.id}/unblock`, token: ADMIN_TOKEN })).statusCode).toBe(201);
    // The session ended and the token was revoked with the block; unblocking brings neither back.
    expect((await asToken(gus.token)).statusCode).toBe(401);
    expect((await asSession(session)).statusCode).toBe(401);
    const tokens = (await t.call({ method: 'GET', url: `/api/v4/personal_access_tokens?user_id=${gus.id}`, token: ADMIN_TOKEN })).json() as { active: boolean; revoked: boolean }[];
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((token) => token.revoked && !token.active)).toBe(true);
    const fresh = await signIn(gus);
    expect((await asSession(fresh)).statusCode).toBe(200);
    const audit = (await t.call({ method: 'GET', url: '/api/v4/audit_events?per_page=100', token: ADMIN_TOKEN })).json() as { action: string; target_id: string }[];
    expect(audit.filter((e) => Number(e.target_id) === gus.id).map((e) => e.action)).toEqual(expect.arrayContaining(['user.blocked', 'user.unblocked']));
    const blockedEvent = (audit as unknown as { action: string; target_id: string; details: Record<string, unknown> }[]).find((e) => Number(e.target_id) === gus.id && e.action === 'user.blocked');
    expect(blockedEvent?.details).toMatchObject({ sessions_ended: 1, tokens_revoked: tokens.length });
  });

  it('applies a change of project role to a session already open, at its next request', async () => {
    // A session carries no project rights: every request reads the member's role afresh, so a
    // role change needs no sign-out (signing people out of every browser whenever a maintainer
    // adds them to a project would only teach them to ignore it).
    const owner = await t.createUser('hal-owner');
    const ida = await t.createUser('ida');
    const project = await t.createProject(owner.token, 'roles-change');
    const members = `/api/v4/projects/${project.id}/members`;
    const settings = `/api/v4/projects/${project.id}/hooks`;

    const session = await signIn(ida);
    expect((await asSession(session, `/api/v4/projects/${project.id}`)).statusCode).toBe(404);
    expect((await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: ida.id, access_level: 10 } })).statusCode).toBe(201);
    expect((await asSession(session, `/api/v4/projects/${project.id}`)).statusCode).toBe(200);
    expect((await asSession(session, settings)).statusCode).toBe(403);
    expect((await t.call({ method: 'PUT', url: `${members}/${ida.id}`, token: owner.token, payload: { access_level: 40 } })).statusCode).toBe(200);
    expect((await asSession(session, settings)).statusCode).toBe(200);
    expect((await t.call({ method: 'PUT', url: `${members}/${ida.id}`, token: owner.token, payload: { access_level: 10 } })).statusCode).toBe(200);
    expect((await asSession(session, settings)).statusCode).toBe(403);
    expect((await t.call({ method: 'DELETE', url: `${members}/${ida.id}`, token: owner.token })).statusCode).toBe(204);
    expect((await asSession(session, `/api/v4/projects/${project.id}`)).statusCode).toBe(404);
  });

  it('signs out an administrator who changes their own password in the browser, and clears the cookie', async () => {
    const jo = await t.createUser('jo-admin', { admin: true });
    const session = await signIn(jo);
    const res = await t.call({ method: 'PUT', url: `/api/v4/users/${jo.id}`, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload: { password: 'jo-has-a-new-password' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^modelyard_session=; .*Max-Age=0/);
    expect((await asSession(session)).statusCode).toBe(401);
  });

  it('refuses bad changes with 4xx and changes nothing', async () => {
    const kim = await t.createUser('kim');
    expect((await changeUser(kim.id, {})).statusCode).toBe(400);
    expect((await changeUser(kim.id, { admin: 'yes' })).statusCode).toBe(400);
    expect((await changeUser(kim.id, { is_admin: true })).statusCode).toBe(400);
    expect((await changeUser(999_999, { admin: true })).statusCode).toBe(404);
    expect((await t.call({ method: 'PUT', url: `/api/v4/users/${kim.id}`, token: kim.token, payload: { admin: true } })).statusCode).toBe(403);
    expect((await t.call({ method: 'POST', url: `/api/v4/users/${kim.id}/block`, token: kim.token })).statusCode).toBe(403);
    expect((await asToken(kim.token)).json()).toMatchObject({ is_admin: false, state: 'active' });
  });
});
