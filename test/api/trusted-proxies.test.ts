import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';

/**
 * The client address every consumer sees (here read back from the audit log, where a refused
 * token records it) comes from X-Forwarded-For only when the TCP peer is a trusted proxy, and
 * then only the address that the trusted hop added.
 */
let direct: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  direct = await startTestApp();
  proxied = await startTestApp({ MODELYARD_TRUSTED_PROXIES: '127.0.0.1/32, fd00::/8' });
});
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
});

/** Presents a bad token from `peer` with `forwardedFor`, and reads the address the audit log recorded. */
async function recordedAddress(t: TestApp, peer: string, forwardedFor?: string): Promise<string | null> {
  const headers: Record<string, string> = { 'private-token': 'not-a-real-token' };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const refused = await t.app.inject({ method: 'GET', url: '/api/v4/user', headers, remoteAddress: peer });
  expect(refused.statusCode).toBe(401);
  const audit = await t.call({ method: 'GET', url: '/api/v4/audit_events?action=authentication.failed&per_page=1', token: ADMIN_TOKEN });
  return (audit.json() as { ip_address: string | null }[])[0]!.ip_address;
}

describe('client addresses without trusted proxies', () => {
  it('ignores X-Forwarded-For: the TCP peer is the client', async () => {
    expect(await recordedAddress(direct, '203.0.113.7', '198.51.100.1')).toBe('203.0.113.7');
    expect(await recordedAddress(direct, '127.0.0.1', '198.51.100.1')).toBe('127.0.0.1');
  });
});

describe('client addresses behind MODELYARD_TRUSTED_PROXIES', () => {
  it('takes the client from X-Forwarded-For when the peer is a trusted proxy', async () => {
    expect(await recordedAddress(proxied, '127.0.0.1', '198.51.100.1')).toBe('198.51.100.1');
    expect(await recordedAddress(proxied, '::ffff:127.0.0.1', '198.51.100.3')).toBe('198.51.100.3');
    expect(await recordedAddress(proxied, 'fd00::5', '2001:db8::9')).toBe('2001:db8::9');
  });

  it('takes only the address the trusted hop added from a spoofed chain', async () => {
    expect(await recordedAddress(proxied, '127.0.0.1', '6.6.6.6, 10.9.9.9, 198.51.100.2')).toBe('198.51.100.2');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await recordedAddress(proxied, '203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('uses the peer when a trusted proxy sends no X-Forwarded-For', async () => {
    expect(await recordedAddress(proxied, '127.0.0.1')).toBe('127.0.0.1');
  });
});
