import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/** What a person does to their own account: `PUT /user/password`, `POST /personal_access_tokens/:id/rotate`. */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function signIn(user: TestUser, password = user.password) {
  const res = await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: user.username, password } });
  expect(res.statusCode, res.body).toBe(201);
  return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrf_token as string };
}

const asSession = (session: { cookie: string }) => t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie: session.cookie } });
const changePassword = (session: { cookie: string; csrf: string }, payload: object) =>
  t.call({ method: 'PUT', url: '/api/v4/user/password', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload });

describe('changing one’s own password', () => {
  it('takes the current password, keeps this browser signed in and signs every other one out', async () => {
    const ann = await t.createUser('ann');
    const here = await signIn(ann);
    const elsewhere = await signIn(ann);
    const changed = await changePassword(here, { current_password: ann.password, new_password: 'a-brand-new-password' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ sessions_ended: 1 });
    expect((await asSession(here)).statusCode).toBe(200);
    expect((await asSession(elsewhere)).statusCode).toBe(401);
    expect((await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: 'ann', password: ann.password } })).statusCode).toBe(401);
    await signIn(ann, 'a-brand-new-password');
    // Tokens are not passwords: they keep working.
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: ann.token })).statusCode).toBe(200);
    const audit = (await t.call({ method: 'GET', url: '/api/v4/audit_events?per_page=100', token: ADMIN_TOKEN })).json() as { action: string; target_id: string; details: object }[];
    expect(audit.find((e) => e.action === 'user.password_changed' && Number(e.target_id) === ann.id)?.details).toMatchObject({ sessions_ended: 1, by: 'self' });
  });

  it('works with a personal access token too, ending every session', async () => {
    const ben = await t.createUser('ben');
    const session = await signIn(ben);
    const changed = await t.call({ method: 'PUT', url: '/api/v4/user/password', token: ben.token, payload: { current_password: ben.password, new_password: 'bens-new-password' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ sessions_ended: 1 });
    expect((await asSession(session)).statusCode).toBe(401);
  });

  it('refuses a wrong current password, a short or unchanged new one, and changes nothing', async () => {
    const cy = await t.createUser('cy');
    const session = await signIn(cy);
    const wrong = await changePassword(session, { current_password: 'not-the-password', new_password: 'whatever-long-enough' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toMatch(/current_password is wrong/);
    const short = await changePassword(session, { current_password: cy.password, new_password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toMatch(/too short/);
    const same = await changePassword(session, { current_password: cy.password, new_password: cy.password });
    expect(same.statusCode).toBe(400);
    expect((await changePassword(session, { current_password: cy.password })).statusCode).toBe(400);
    expect((await asSession(session)).statusCode).toBe(200);
    await signIn(cy);
  });

  it('counts wrong current passwords against the sign-in throttle', async () => {
    const dee = await t.createUser('dee');
    const session = await signIn(dee);
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) answers.push((await changePassword(session, { current_password: `guess-${i}-wrong`, new_password: 'never-set-this-one' })).statusCode);
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(answers[10]).toBe(429);
    // Even the right password waits now, from this address, as the sign-in form does.
    expect((await changePassword(session, { current_password: dee.password, new_password: 'never-set-this-one' })).statusCode).toBe(429);
  });
});

describe('rotating a personal access token', () => {
  it('revokes the old secret and answers a new one with its name and scopes, expiring in a week', async () => {
    const eve = await t.createUser('eve');
    const made = await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token: eve.token, payload: { name: 'ci', scopes: ['read_api'] } });
    const old = made.json() as { id: number; token: string };
    const rotated = await t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${old.id}/rotate`, token: eve.token });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const fresh = rotated.json() as { id: number; token: string; name: string; scopes: string[]; expires_at: string };
    expect(fresh).toMatchObject({ name: 'ci', scopes: ['read_api'] });
    expect(fresh.id).not.toBe(old.id);
    expect(Date.parse(fresh.expires_at) - Date.now()).toBeGreaterThan(6 * 24 * 3600 * 1000);
    expect(Date.parse(fresh.expires_at) - Date.now()).toBeLessThan(8 * 24 * 3600 * 1000);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: old.token })).statusCode).toBe(401);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: fresh.token })).statusCode).toBe(200);
    // A revoked token is not rotated again, and another person's token does not exist for you.
    expect((await t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${old.id}/rotate`, token: eve.token })).statusCode).toBe(400);
    const fay = await t.createUser('fay');
    expect((await t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${fresh.id}/rotate`, token: fay.token })).statusCode).toBe(404);
    const chosen = await t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${fresh.id}/rotate?expires_at=2099-01-31`, token: eve.token });
    expect(chosen.statusCode, chosen.body).toBe(200);
    expect(chosen.json().expires_at).toBe('2099-01-31');
    expect((await t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${chosen.json().id}/rotate?expires_at=2001-01-01`, token: eve.token })).statusCode).toBe(400);
    // A refused rotation revokes nothing.
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: chosen.json().token })).statusCode).toBe(200);
  });
});

describe('rotating a token twice at once', () => {
  it('makes one successor, not two', async () => {
    const hal = await t.createUser('hal');
    const made = (await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token: hal.token, payload: { name: 'deploy', scopes: ['api'] } })).json() as { id: number };
    const answers = await Promise.all([1, 2, 3].map(() => t.call({ method: 'POST', url: `/api/v4/personal_access_tokens/${made.id}/rotate`, token: hal.token })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 400, 400]);
    const tokens = (await t.call({ method: 'GET', url: '/api/v4/personal_access_tokens?per_page=100', token: hal.token })).json() as { name: string; active: boolean }[];
    expect(tokens.filter((token) => token.name === 'deploy' && token.active)).toHaveLength(1);
  });
});

describe('a browser whose session ended elsewhere', () => {
  it('is told to forget the cookie, and may still sign in and read public pages', async () => {
    const gil = await t.createUser('gil');
    const stale = await signIn(gil);
    expect((await t.call({ method: 'POST', url: `/api/v4/users/${gil.id}/block`, token: ADMIN_TOKEN })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: `/api/v4/users/${gil.id}/unblock`, token: ADMIN_TOKEN })).statusCode).toBe(201);

    const refused = await asSession(stale);
    expect(refused.statusCode).toBe(401);
    expect(String(refused.headers['set-cookie'])).toMatch(/modelyard_session=;.*Max-Age=0/);
    // Public routes (the sign-in form, the web UI's pages) treat the ended session as no session.
    const providers = await t.call({ method: 'GET', url: '/api/v4/session/providers', headers: { cookie: stale.cookie } });
    expect(providers.statusCode).toBe(200);
    expect(String(providers.headers['set-cookie'])).toMatch(/Max-Age=0/);
    const again = await t.call({ method: 'POST', url: '/api/v4/session', headers: { cookie: stale.cookie }, payload: { login: 'gil', password: gil.password } });
    expect(again.statusCode, again.body).toBe(201);
  });
});
