import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let carol: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  carol = await t.createUser('carol');
});
afterAll(async () => t?.close());

async function signIn(login: string, password: string) {
  return t.call({ method: 'POST', url: '/api/v4/session', payload: { login, password } });
}

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const header = String(res.headers['set-cookie']);
  return header.split(';')[0]!;
}

describe('browser sessions', () => {
  it('sets an HttpOnly cookie and returns a CSRF token', async () => {
    const res = await signIn('carol', carol.password);
    expect(res.statusCode).toBe(201);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^modelyard_session=mysess-/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(res.json().csrf_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const me = await t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie: cookieOf(res) } });
    expect(me.json().username).toBe('carol');
    const session = await t.call({ method: 'GET', url: '/api/v4/session', headers: { cookie: cookieOf(res) } });
    expect(session.json().csrf_token).toBe(res.json().csrf_token);
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const res = await signIn('carol', carol.password);
    const cookie = cookieOf(res);
    const csrf = res.json().csrf_token as string;
    const without = await t.call({ method: 'POST', url: '/api/v4/projects', headers: { cookie }, payload: { name: 'csrf-less' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().message).toMatch(/CSRF/);
    const wrong = await t.call({ method: 'POST', url: '/api/v4/projects', headers: { cookie, 'x-csrf-token': 'x'.repeat(32) }, payload: { name: 'csrf-wrong' } });
    expect(wrong.statusCode).toBe(403);
    const withToken = await t.call({ method: 'POST', url: '/api/v4/projects', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'csrf-ok' } });
    expect(withToken.statusCode).toBe(201);
    const projects = (await t.call({ method: 'GET', url: '/api/v4/projects', token: carol.token })).json() as { path: string }[];
    expect(projects.map((p) => p.path)).toEqual(['csrf-ok']);
  });

  it('signs out, after which the cookie no longer works', async () => {
    const res = await signIn('carol', carol.password);
    const cookie = cookieOf(res);
    const out = await t.call({ method: 'DELETE', url: '/api/v4/session', headers: { cookie, 'x-csrf-token': res.json().csrf_token } });
    expect(out.statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie } })).statusCode).toBe(401);
  });

  it('refuses wrong passwords with 401, audits them, and throttles after ten', async () => {
    const dave = await t.createUser('dave');
    for (let i = 0; i < 10; i++) expect((await signIn('dave', 'wrong-password')).statusCode).toBe(401);
    const throttled = await signIn('dave', dave.password);
    expect(throttled.statusCode).toBe(429);
    // Retry-After: the rest of the 15-minute window that the first failure opened.
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(900);
    const audit = (await t.call({ method: 'GET', url: '/api/v4/audit_events?action=authentication.failed&per_page=100', token: ADMIN_TOKEN })).json() as { target_id: string }[];
    expect(audit.filter((e) => e.target_id === 'dave')).toHaveLength(10);
  });

  it('does not sign in bot users or unknown logins', async () => {
    expect((await signIn('nobody', 'password1')).statusCode).toBe(401);
  });
});
