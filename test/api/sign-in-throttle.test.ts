import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * The sign-in form's throttle: concurrent guesses cannot outrun it, it locks a guesser out of
 * an account by (account, address) so the owner elsewhere still gets in, and one address
 * spraying many accounts is stopped too. Behind a trusted proxy each client is its own address.
 */
let t: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  proxied = await startTestApp({ MODELYARD_TRUSTED_PROXIES: '127.0.0.1/32' });
});
afterAll(async () => {
  await t?.close();
  await proxied?.close();
});

function signIn(app: TestApp, login: string, password: string, from: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.app.inject({ method: 'POST', url: '/api/v4/session', payload: { login, password }, remoteAddress: from, headers });
}

function expectThrottled(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect(res.json().message).toMatch(/too many failed sign-in attempts/);
}

describe('sign-in throttle', () => {
  it('lets 200 concurrent wrong passwords check at most 10 of them', async () => {
    const erin = await t.createUser('erin');
    const checks = vi.spyOn(t.services.users, 'checkPassword');
    try {
      const results = await Promise.all(Array.from({ length: 200 }, () => signIn(t, 'erin', 'wrong-password', '192.0.2.10')));
      const erinChecks = checks.mock.calls.filter(([login]) => login === 'erin').length;
      expect(erinChecks).toBeLessThanOrEqual(10);
      const statuses = results.map((res) => res.statusCode);
      expect(statuses.filter((s) => s === 401).length).toBe(erinChecks);
      expect(statuses.filter((s) => s === 429).length).toBe(200 - erinChecks);
      expectThrottled(results.find((res) => res.statusCode === 429)!);
    } finally {
      checks.mockRestore();
    }
    // The owner, from elsewhere, is not locked out by any of it.
    expect((await signIn(t, 'erin', erin.password, '192.0.2.11')).statusCode).toBe(201);
  });

  it('locks the address that failed 10 times out of that account, while the owner signs in from another address', async () => {
    const fay: TestUser = await t.createUser('fay');
    for (let i = 0; i < 10; i++) expect((await signIn(t, 'fay', 'wrong-password', '198.51.100.20')).statusCode).toBe(401);
    expectThrottled(await signIn(t, 'fay', fay.password, '198.51.100.20'));
    expectThrottled(await signIn(t, 'FAY', fay.password, '198.51.100.20'));
    expect((await signIn(t, 'fay', fay.password, '198.51.100.21')).statusCode).toBe(201);
  });

  it('does not let strangers lock out root', async () => {
    for (let i = 0; i < 12; i++) await signIn(t, 'root', 'guess', '203.0.113.30');
    expectThrottled(await signIn(t, 'root', 'guess', '203.0.113.30'));
    expect((await signIn(t, 'root', 'guess', '203.0.113.31')).statusCode).toBe(401);
  });

  it("forgets an address's failures on an account once it signs in successfully", async () => {
    const gus = await t.createUser('gus');
    for (let i = 0; i < 9; i++) await signIn(t, 'gus', 'wrong-password', '198.51.100.40');
    expect((await signIn(t, 'gus', gus.password, '198.51.100.40')).statusCode).toBe(201);
    for (let i = 0; i < 9; i++) expect((await signIn(t, 'gus', 'wrong-password', '198.51.100.40')).statusCode).toBe(401);
  });

  it('stops one address that sprays passwords over many accounts', async () => {
    const hal = await t.createUser('hal');
    for (let i = 0; i < 50; i++) expect((await signIn(t, `sprayed-${i}`, 'Summer2024!', '203.0.113.50')).statusCode).toBe(401);
    expectThrottled(await signIn(t, 'hal', hal.password, '203.0.113.50'));
    expect((await signIn(t, 'hal', hal.password, '203.0.113.51')).statusCode).toBe(201);
  });

  it('counts an IPv6 client by its /64, so it cannot step around the lockout within its network', async () => {
    for (let i = 0; i < 10; i++) await signIn(t, 'ivy-missing', 'wrong-password', `2001:db8:7:7::${i + 1}`);
    expectThrottled(await signIn(t, 'ivy-missing', 'wrong-password', '2001:db8:7:7::ffff'));
    expect((await signIn(t, 'ivy-missing', 'wrong-password', '2001:db8:7:8::1')).statusCode).toBe(401);
  });

  it('keeps clients behind a trusted proxy apart by their forwarded address', async () => {
    const jo = await proxied.createUser('jo');
    for (let i = 0; i < 10; i++) await signIn(proxied, 'jo', 'wrong-password', '127.0.0.1', { 'x-forwarded-for': '198.51.100.60' });
    expectThrottled(await signIn(proxied, 'jo', jo.password, '127.0.0.1', { 'x-forwarded-for': '198.51.100.60' }));
    expect((await signIn(proxied, 'jo', jo.password, '127.0.0.1', { 'x-forwarded-for': '198.51.100.61' })).statusCode).toBe(201);
  });
});
