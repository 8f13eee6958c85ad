import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';
import { signInAtProvider, startTestProvider, type TestProvider } from '../support/oidc-provider.ts';

/**
 * Single sign-on against a real OpenID provider (oidc-provider on loopback): the authorization
 * code flow with PKCE as a browser goes through it, and what Modelyard decides at the callback.
 */
const SITE = 'http://modelyard.test';
let provider: TestProvider;
let t: TestApp;
let teamProject: number;
let otherProject: number;

beforeAll(async () => {
  provider = await startTestProvider({
    redirectUris: [`${SITE}/users/auth/corp/callback`, `${SITE}/users/auth/strict/callback`],
    postLogoutUri: `${SITE}/`,
    accounts: {
      'dana-sub': { preferred_username: 'dana', name: 'Dana Doe', email: 'dana@example.com' },
      'erin-sub': { preferred_username: 'erin', groups: ['ml-admins', 'ml-team'] },
      'frank-sub': { preferred_username: 'frank' },
      'gil-sub': { preferred_username: 'gil', groups: ['contractors'] },
      'bad-sub': { preferred_username: '-not a username' },
    },
  });
  const common = { issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret, scopes: 'openid profile email groups', groups_attribute: 'groups' };
  t = await startTestApp({
    MODELYARD_OIDC_PROVIDERS: JSON.stringify([
      { id: 'corp', label: 'Sign in with Corp', admin_groups: ['ml-admins'], ...common },
      { id: 'strict', label: 'Corp (team only)', required_groups: ['ml-team'], ...common },
    ]),
  });
  teamProject = (await t.createProject(ADMIN_TOKEN, 'team-models')).id;
  otherProject = (await t.createProject(ADMIN_TOKEN, 'other-models')).id;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await provider?.close();
});

/** Everything a browser does: start at Modelyard, sign in at the provider, come back. */
async function signIn(login: string, options: { via?: string; returnTo?: string; stateCookie?: string | null } = {}) {
  const via = options.via ?? 'corp';
  const start = await t.call({ method: 'GET', url: `/users/auth/${via}${options.returnTo ? `?return_to=${encodeURIComponent(options.returnTo)}` : ''}` });
  expect(start.statusCode).toBe(302);
  const stateCookie = String(start.headers['set-cookie']).split(';')[0]!;
  const back = new URL(await signInAtProvider(provider, String(start.headers.location), login));
  expect(back.origin + back.pathname).toBe(`${SITE}/users/auth/${via}/callback`);
  const cookie = options.stateCookie === undefined ? stateCookie : options.stateCookie;
  const callback = await t.call({ method: 'GET', url: back.pathname + back.search, headers: cookie ? { cookie } : {} });
  expect(callback.statusCode).toBe(302);
  const cookies = ([] as string[]).concat(callback.headers['set-cookie'] ?? []);
  const session = cookies.find((c) => c.startsWith('modelyard_session='))?.split(';')[0];
  return { location: String(callback.headers.location), session, callbackPath: back.pathname + back.search, stateCookie };
}

const whoIs = async (cookie: string) => (await t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie } })).json() as { username: string; is_admin: boolean; name: string };
const levelIn = async (projectId: number, username: string) => {
  const members = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/members?per_page=100`, token: ADMIN_TOKEN })).json() as { username: string; access_level: number }[];
  return members.find((m) => m.username === username)?.access_level ?? null;
};
const refusal = (location: string) => new URL(location, SITE).searchParams.get('sign_in_error');

describe('single sign-on', () => {
  it('lists the providers and the sign-in path of each for the sign-in page', async () => {
    const res = await t.call({ method: 'GET', url: '/api/v4/session/providers' });
    expect(res.json()).toEqual({
      password_sign_in: true,
      providers: [
        { id: 'corp', label: 'Sign in with Corp', sign_in_path: '/users/auth/corp' },
        { id: 'strict', label: 'Corp (team only)', sign_in_path: '/users/auth/strict' },
      ],
    });
  });

  it('sends the browser to the provider with PKCE, a state and a nonce', async () => {
    const start = await t.call({ method: 'GET', url: '/users/auth/corp' });
    const url = new URL(String(start.headers.location));
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${SITE}/users/auth/corp/callback`);
    for (const name of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(name)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(String(start.headers['set-cookie'])).toMatch(/^modelyard_sso_state=[^;]+; Path=\/users\/auth; HttpOnly; SameSite=Lax; Max-Age=600/);
    expect((await t.call({ method: 'GET', url: '/users/auth/nobody' })).statusCode).toBe(404);
  });

  it('makes a new person an account from the username claim, opens a session and goes back to the page the sign-in started from', async () => {
    const dana = await signIn('dana-sub', { returnTo: '/projects/team-models' });
    expect(dana.location).toBe('/projects/team-models');
    expect(await whoIs(dana.session!)).toMatchObject({ username: 'dana', name: 'Dana Doe', is_admin: false });
    // The same provider account is the same person the next time.
    const again = await signIn('dana-sub', { returnTo: '//evil.example/steal' });
    expect(again.location).toBe('/');
    expect((await whoIs(again.session!)).username).toBe('dana');
    // An account made by the provider has no password to change.
    const csrf = (await t.call({ method: 'GET', url: '/api/v4/session', headers: { cookie: again.session! } })).json().csrf_token as string;
    const change = await t.call({
      method: 'PUT',
      url: '/api/v4/user/password',
      headers: { cookie: again.session!, 'x-csrf-token': csrf },
      payload: { current_password: 'x', new_password: 'a-new-password' },
    });
    expect(change.statusCode).toBe(400);
    expect(change.json().message).toContain('no password');
    const users = (await t.call({ method: 'GET', url: '/api/v4/users?username=dana', token: ADMIN_TOKEN })).json() as unknown[];
    expect(users).toHaveLength(1);
  });

  it('applies the groups at every sign-in: administrators by admin_groups, project roles by group links, and takes them back', async () => {
    const link = await t.call({ method: 'POST', url: `/api/v4/projects/${teamProject}/sso_group_links`, token: ADMIN_TOKEN, payload: { provider: 'corp', group_name: 'ml-team', access_level: 30 } });
    expect(link.statusCode).toBe(201);
    const erin = await signIn('erin-sub');
    expect((await whoIs(erin.session!)).is_admin).toBe(true);
    expect(await levelIn(teamProject, 'erin')).toBe(30);
    // A role a person gave by hand is not the link's to take.
    const erinId = ((await t.call({ method: 'GET', url: '/api/v4/users?username=erin', token: ADMIN_TOKEN })).json() as { id: number }[])[0]!.id;
    await t.addMember(otherProject, erinId, 20);

    provider.accounts['erin-sub']!.groups = [];
    const later = await signIn('erin-sub');
    expect((await whoIs(later.session!)).is_admin).toBe(false);
    expect(await levelIn(teamProject, 'erin')).toBeNull();
    expect(await levelIn(otherProject, 'erin')).toBe(20);
    const audit = (await t.call({ method: 'GET', url: '/api/v4/audit_events?per_page=100', token: ADMIN_TOKEN })).json() as { event_name?: string; details: Record<string, unknown> }[];
    expect(JSON.stringify(audit)).toContain('authentication.sso');
  });

  it('never takes over an account by its username: an administrator links it first', async () => {
    const frank = await t.createUser('frank');
    const refused = await signIn('frank-sub');
    expect(refused.session).toBeUndefined();
    expect(refusal(refused.location)).toContain('an account named "frank" already exists');
    const linked = await t.call({ method: 'PUT', url: `/api/v4/users/${frank.id}`, token: ADMIN_TOKEN, payload: { provider: 'corp', extern_uid: 'frank-sub' } });
    expect(linked.statusCode).toBe(200);
    // Administrators see the link (GitLab's `identities`); the person's peers do not.
    expect(linked.json().identities).toEqual([{ provider: 'corp', extern_uid: 'frank-sub' }]);
    expect((await t.call({ method: 'GET', url: `/api/v4/users/${frank.id}`, token: ADMIN_TOKEN })).json().identities).toEqual([{ provider: 'corp', extern_uid: 'frank-sub' }]);
    expect((await t.call({ method: 'GET', url: `/api/v4/users/${frank.id}`, token: frank.token })).json().identities).toBeUndefined();
    const after = await signIn('frank-sub');
    expect((await whoIs(after.session!)).username).toBe('frank');
    // One provider account, one person.
    const dana = ((await t.call({ method: 'GET', url: '/api/v4/users?username=dana', token: ADMIN_TOKEN })).json() as { id: number }[])[0]!;
    expect((await t.call({ method: 'PUT', url: `/api/v4/users/${dana.id}`, token: ADMIN_TOKEN, payload: { provider: 'corp', extern_uid: 'frank-sub' } })).statusCode).toBe(409);
    expect((await t.call({ method: 'PUT', url: `/api/v4/users/${dana.id}`, token: ADMIN_TOKEN, payload: { provider: 'corp' } })).statusCode).toBe(400);
    expect((await t.call({ method: 'PUT', url: `/api/v4/users/${dana.id}`, token: ADMIN_TOKEN, payload: { provider: 'nowhere', extern_uid: 'x' } })).statusCode).toBe(404);
    // Unlinked, the provider account is refused again (its username is taken).
    expect((await t.call({ method: 'DELETE', url: `/api/v4/users/${frank.id}/identities/corp`, token: ADMIN_TOKEN })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v4/users/${frank.id}`, token: ADMIN_TOKEN })).json().identities).toEqual([]);
    expect(refusal((await signIn('frank-sub')).location)).toContain('already exists');
    expect((await t.call({ method: 'DELETE', url: `/api/v4/users/${frank.id}/identities/corp`, token: ADMIN_TOKEN })).statusCode).toBe(404);
  });

  it('refuses a callback not started in this browser, a replayed one, and an ID token whose signature does not verify', async () => {
    const foreign = await signIn('dana-sub', { stateCookie: null });
    expect(foreign.session).toBeUndefined();
    expect(refusal(foreign.location)).toContain('did not start in this browser');

    const first = await signIn('dana-sub');
    expect(first.session).toBeDefined();
    const replay = await t.call({ method: 'GET', url: first.callbackPath, headers: { cookie: first.stateCookie } });
    expect(String(replay.headers['set-cookie'])).not.toContain('modelyard_session=');
    expect(refusal(String(replay.headers.location))).toContain('did not start in this browser');

    provider.tamper = true;
    try {
      const forged = await signIn('dana-sub');
      expect(forged.session).toBeUndefined();
      expect(refusal(forged.location)).toContain('answer did not verify');
    } finally {
      provider.tamper = false;
    }
  });

  it('refuses a blocked account, a person outside required_groups, and a username the instance cannot take', async () => {
    const gil = await signIn('gil-sub');
    const gilId = ((await t.call({ method: 'GET', url: '/api/v4/users?username=gil', token: ADMIN_TOKEN })).json() as { id: number }[])[0]!.id;
    expect((await t.call({ method: 'POST', url: `/api/v4/users/${gilId}/block`, token: ADMIN_TOKEN })).statusCode).toBe(201);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie: gil.session! } })).statusCode).toBe(401);
    expect(refusal((await signIn('gil-sub')).location)).toContain('blocked');

    expect(refusal((await signIn('dana-sub', { via: 'strict' })).location)).toContain('none of the groups');
    expect(refusal((await signIn('bad-sub')).location)).toContain('no usable username');
  });

  it('signs out at the provider too, through its end-session page', async () => {
    const dana = await signIn('dana-sub');
    const csrf = ((await t.call({ method: 'GET', url: '/api/v4/session', headers: { cookie: dana.session! } })).json() as { csrf_token: string }).csrf_token;
    const out = await t.call({ method: 'DELETE', url: '/api/v4/session', headers: { cookie: dana.session!, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(200);
    const end = new URL(out.json().end_session_url);
    expect(end.origin).toBe(provider.issuer);
    expect(end.searchParams.get('client_id')).toBe(provider.clientId);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${SITE}/`);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', headers: { cookie: dana.session! } })).statusCode).toBe(401);
  });

  it('keeps group links to maintainers, below the owner role, and validates them', async () => {
    const dev = await t.createUser('sso-dev');
    await t.addMember(teamProject, dev.id, 30);
    expect(
      (await t.call({ method: 'POST', url: `/api/v4/projects/${teamProject}/sso_group_links`, token: dev.token, payload: { provider: 'corp', group_name: 'x', access_level: 30 } })).statusCode,
    ).toBe(403);
    expect(
      (await t.call({ method: 'POST', url: `/api/v4/projects/${teamProject}/sso_group_links`, token: ADMIN_TOKEN, payload: { provider: 'corp', group_name: 'x', access_level: 50 } })).statusCode,
    ).toBe(400);
    expect(
      (await t.call({ method: 'POST', url: `/api/v4/projects/${teamProject}/sso_group_links`, token: ADMIN_TOKEN, payload: { provider: 'nowhere', group_name: 'x', access_level: 30 } })).statusCode,
    ).toBe(404);
    const links = (await t.call({ method: 'GET', url: `/api/v4/projects/${teamProject}/sso_group_links`, token: dev.token })).json() as { id: number }[];
    expect(links).toHaveLength(1);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${teamProject}/sso_group_links/${links[0]!.id}`, token: ADMIN_TOKEN })).statusCode).toBe(204);
  });
});

describe('with password sign-in turned off', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await startTestApp({
      MODELYARD_PASSWORD_SIGN_IN: 'false',
      MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ id: 'corp', label: 'Corp', issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret }]),
    });
  });
  afterAll(async () => closed?.close());

  it('refuses the password form and says so on the sign-in options; tokens still work', async () => {
    const user = await closed.createUser('pat');
    const res = await closed.call({ method: 'POST', url: '/api/v4/session', payload: { login: 'pat', password: user.password } });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('password sign-in is disabled');
    expect((await closed.call({ method: 'GET', url: '/api/v4/session/providers' })).json().password_sign_in).toBe(false);
    expect((await closed.call({ method: 'GET', url: '/api/v4/user', token: user.token })).statusCode).toBe(200);
    // Nobody signs in with a password here, so nobody sets one either.
    const change = await closed.call({ method: 'PUT', url: '/api/v4/user/password', token: user.token, payload: { current_password: user.password, new_password: 'another-password' } });
    expect(change.statusCode).toBe(403);
    expect(change.json().message).toContain('password sign-in is disabled');
  });
});
