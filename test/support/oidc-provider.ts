import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** What the provider says about each person, by the login typed on its sign-in page (their `sub`). */
export type Accounts = Record<string, { preferred_username?: string; name?: string; email?: string; groups?: string[] }>;

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Accounts;
  /** While true, the token endpoint's ID token has one character of its signature changed. */
  tamper: boolean;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`, the certified Node.js implementation) on loopback, with
 * its development sign-in pages (any login, any password) and one confidential client for
 * Modelyard. It sits behind a small forwarding proxy whose only trick is `tamper`, so a test can
 * hand Modelyard an ID token whose signature does not verify. Claims follow the spec's default:
 * the ID token carries `sub`, the scopes' claims come from the userinfo endpoint.
 */
export async function startTestProvider(options: { redirectUris: string[]; postLogoutUri: string; accounts: Accounts }): Promise<TestProvider> {
  const inner = http.createServer();
  await new Promise<void>((resolve) => inner.listen(0, '127.0.0.1', resolve));
  const front = http.createServer();
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const state: TestProvider = {
    issuer,
    clientId: 'modelyard',
    clientSecret: 'modelyard-client-secret-0123456789',
    accounts: options.accounts,
    tamper: false,
    async close() {
      await Promise.all([new Promise((r) => inner.close(r)), new Promise((r) => front.close(r))]);
    },
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: [options.postLogoutUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    findAccount: (_ctx, id) => {
      const account = state.accounts[id];
      return account ? { accountId: id, claims: () => ({ sub: id, ...account, email_verified: account.email !== undefined }) } : undefined;
    },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ['test-provider-cookie-key'] },
  });
  provider.proxy = true;
  inner.on('request', provider.callback());
  const innerBase = `http://127.0.0.1:${(inner.address() as AddressInfo).port}`;
  front.on('request', async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
    // The provider builds its page URLs from the request's host: it must see the front door's
    // (fetch sets Host itself, so it travels as X-Forwarded-Host, which `proxy` makes it read).
    headers['x-forwarded-host'] = new URL(issuer).host;
    headers['x-forwarded-proto'] = 'http';
    const upstream = await fetch(`${innerBase}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: 'manual' });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (state.tamper && req.url === '/token' && upstream.ok) {
      const tokens = JSON.parse(body.toString()) as { id_token: string };
      const last = tokens.id_token.at(-2) === 'A' ? 'B' : 'A';
      tokens.id_token = `${tokens.id_token.slice(0, -2)}${last}${tokens.id_token.at(-1)}`;
      body = Buffer.from(JSON.stringify(tokens));
    }
    const out: Record<string, string | string[]> = {};
    upstream.headers.forEach((value, key) => {
      if (key !== 'set-cookie' && key !== 'content-length' && key !== 'content-encoding' && key !== 'transfer-encoding') out[key] = value;
    });
    const cookies = upstream.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    res.writeHead(upstream.status, out).end(body);
  });
  return state;
}

/**
 * A browser's part of a sign-in at the provider, done with fetch: follows its redirects with
 * its cookies, fills its sign-in form (the login is the account's `sub`) and consent form, and
 * stops at the first redirect that leaves the provider (back to Modelyard), which it returns.
 */
export async function signInAtProvider(provider: TestProvider, authorizationUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let next: { url: string; method: string; body?: string } = { url: authorizationUrl, method: 'GET' };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: { cookie: cookieHeader(), ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: next.body,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (location) {
      const target = new URL(location, next.url).toString();
      if (!target.startsWith(provider.issuer)) return target;
      next = { url: target, method: 'GET' };
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${next.url} (${res.status}): ${html.slice(0, 300)}`);
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) form.set(name!, value!);
    if (html.includes('name="login"')) {
      form.set('login', login);
      form.set('password', 'any-password');
    }
    next = { url: new URL(action.replace(/&amp;/g, '&'), next.url).toString(), method: 'POST', body: form.toString() };
  }
  throw new Error('the provider never sent the browser back');
}
