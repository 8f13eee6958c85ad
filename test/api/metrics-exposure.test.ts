import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { freePort, serveProcess } from '../support/process.ts';

/**
 * `/-/metrics` is for the machine itself by default (by the client address after trusted-proxy
 * resolution), for remote scrapers with MODELYARD_METRICS_TOKEN, or on a listener of its own
 * (MODELYARD_METRICS_ADDRESS); everyone else gets 404.
 */
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let plain: TestApp;
let withToken: TestApp;
let proxied: TestApp;

beforeAll(async () => {
  plain = await startTestApp();
  withToken = await startTestApp({ MODELYARD_METRICS_TOKEN: METRICS_TOKEN });
  proxied = await startTestApp({ MODELYARD_TRUSTED_PROXIES: '127.0.0.1' });
});
afterAll(async () => {
  await plain?.close();
  await withToken?.close();
  await proxied?.close();
});

async function scrape(t: TestApp, remoteAddress: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/-/metrics', remoteAddress, headers });
  if (res.statusCode === 200) expect(res.body).toContain('modelyard_process_uptime_seconds');
  else expect(res.body).not.toContain('modelyard_');
  return res.statusCode;
}

describe('/-/metrics by default', () => {
  it('answers callers on this machine', async () => {
    expect(await scrape(plain, '127.0.0.1')).toBe(200);
    expect(await scrape(plain, '::1')).toBe(200);
    expect(await scrape(plain, '::ffff:127.0.0.1')).toBe(200);
  });

  it('answers 404 to anonymous callers from elsewhere', async () => {
    expect(await scrape(plain, '203.0.113.7')).toBe(404);
    expect(await scrape(plain, '10.0.0.8')).toBe(404);
  });

  it('answers 404 to a request forwarded by a local proxy that is not trusted, which would make everyone look local', async () => {
    expect(await scrape(plain, '127.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).toBe(404);
    expect(await scrape(plain, '127.0.0.1', { forwarded: 'for=203.0.113.7' })).toBe(404);
  });

  it('judges by the client behind a trusted proxy, not by the proxy', async () => {
    expect(await scrape(proxied, '127.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).toBe(404);
    expect(await scrape(proxied, '127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).toBe(200);
    expect(await scrape(proxied, '127.0.0.1')).toBe(200);
  });
});

describe('/-/metrics with MODELYARD_METRICS_TOKEN', () => {
  it('answers a remote scraper that presents the token, and nobody else from afar', async () => {
    expect(await scrape(withToken, '203.0.113.7', { authorization: `Bearer ${METRICS_TOKEN}` })).toBe(200);
    expect(await scrape(withToken, '203.0.113.7', { authorization: `Bearer ${METRICS_TOKEN}x` })).toBe(404);
    expect(await scrape(withToken, '203.0.113.7', { authorization: 'Bearer short' })).toBe(404);
    expect(await scrape(withToken, '203.0.113.7')).toBe(404);
    expect(await scrape(withToken, '127.0.0.1')).toBe(200);
  });
});

describe('/-/metrics on a listener of its own (MODELYARD_METRICS_ADDRESS)', () => {
  it('serves the metrics there and nothing else', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-metrics-'));
    const metricsPort = await freePort();
    const server = await serveProcess(dir, { MODELYARD_DATA_DIR: path.join(dir, 'data'), MODELYARD_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` });
    try {
      await fetch(`${server.base}/api/v4/version`);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/-/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/modelyard_http_requests_total\{method="GET",route="\/api\/v4\/version",status="200"\} 1/);
      const api = await fetch(`http://127.0.0.1:${metricsPort}/api/v4/version`);
      expect(api.status).toBe(404);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
