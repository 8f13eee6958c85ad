import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('configuration', () => {
  it('runs on embedded defaults with no variables', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.database).toEqual({ dialect: 'sqlite', file: path.resolve('data', 'modelyard.db') });
    expect(config.artifactsUrl).toBe(`file://${path.resolve('data', 'artifacts')}`);
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.maxUploadBytes).toBe(10 * 1024 ** 3);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      MODELYARD_HOST: '0.0.0.0',
      MODELYARD_PORT: '9000',
      MODELYARD_DATA_DIR: '/srv/my',
      MODELYARD_DATABASE_URL: 'postgres://u:p@db:5432/modelyard',
      MODELYARD_ARTIFACTS_URL: 's3://bucket/prefix',
      MODELYARD_PUBLIC_URL: 'https://ml.example.com/',
      MODELYARD_LOG_LEVEL: 'DEBUG',
      MODELYARD_MAX_UPLOAD_SIZE: '2GiB',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/srv/my',
      database: { dialect: 'postgres', url: 'postgres://u:p@db:5432/modelyard' },
      artifactsUrl: 's3://bucket/prefix',
      publicUrl: 'https://ml.example.com',
      logLevel: 'debug',
      maxUploadBytes: 2 * 1024 ** 3,
    });
  });

  it("takes libpq's URL of a Unix socket on this machine: a user, no host, the socket's folder", () => {
    const url = 'postgres://modelyard@/modelyard?host=/var/run/postgresql';
    expect(loadConfig({ MODELYARD_DATABASE_URL: url }).database).toEqual({ dialect: 'postgres', url });
  });

  it('reads the connection and metrics settings', () => {
    const defaults = loadConfig({});
    expect(defaults.connections).toEqual({ trustedProxies: [], requestIdleTimeoutMs: 30_000, maxConnectionsPerAddress: 256 });
    expect(defaults.metrics).toEqual({ token: undefined, address: undefined });
    const config = loadConfig({
      MODELYARD_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8',
      MODELYARD_REQUEST_IDLE_TIMEOUT: '5',
      MODELYARD_MAX_CONNECTIONS_PER_ADDRESS: '0',
      MODELYARD_METRICS_TOKEN: 'metrics-token-0123456789',
      MODELYARD_METRICS_ADDRESS: '[::1]:9464',
    });
    expect(config.connections.trustedProxies.map(([address, bits]) => `${address.toString()}/${bits}`)).toEqual(['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8']);
    expect(config.connections.requestIdleTimeoutMs).toBe(5000);
    expect(config.connections.maxConnectionsPerAddress).toBe(0);
    expect(config.metrics).toEqual({ token: 'metrics-token-0123456789', address: { host: '::1', port: 9464 } });
    expect(loadConfig({ MODELYARD_METRICS_ADDRESS: '0.0.0.0:9100' }).metrics.address).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  const bad: [string, Record<string, string>][] = [
    ['MODELYARD_PORT', { MODELYARD_PORT: 'eighty' }],
    ['MODELYARD_PORT', { MODELYARD_PORT: '70000' }],
    ['MODELYARD_DATABASE_URL', { MODELYARD_DATABASE_URL: 'mysql://x' }],
    // A user and no host, and no socket folder either: the driver would try TCP on localhost.
    ['MODELYARD_DATABASE_URL', { MODELYARD_DATABASE_URL: 'postgres://u@/modelyard' }],
    ['MODELYARD_DATABASE_URL', { MODELYARD_DATABASE_URL: 'postgres://h:99999999/modelyard' }],
    ['MODELYARD_ARTIFACTS_URL', { MODELYARD_ARTIFACTS_URL: 'ftp://x' }],
    ['MODELYARD_ARTIFACTS_URL', { MODELYARD_ARTIFACTS_URL: 's3://UPPER' }],
    ['MODELYARD_PUBLIC_URL', { MODELYARD_PUBLIC_URL: 'not a url' }],
    ['MODELYARD_LOG_LEVEL', { MODELYARD_LOG_LEVEL: 'loud' }],
    ['MODELYARD_INITIAL_ADMIN_TOKEN', { MODELYARD_INITIAL_ADMIN_TOKEN: 'short' }],
    ['MODELYARD_MAX_UPLOAD_SIZE', { MODELYARD_MAX_UPLOAD_SIZE: 'lots' }],
    ['MODELYARD_OUTBOUND_ALLOW', { MODELYARD_OUTBOUND_ALLOW: '10.0.0.0/8,not a host' }],
    ['MODELYARD_OUTBOUND_ALLOW', { MODELYARD_OUTBOUND_ALLOW: '10.0.0.0/40' }],
    ['MODELYARD_ALLOW_LOCAL_WEBHOOKS', { MODELYARD_ALLOW_LOCAL_WEBHOOKS: 'sometimes' }],
    ['MODELYARD_TRUSTED_PROXIES', { MODELYARD_TRUSTED_PROXIES: '10.0.0.0/8, proxy.internal' }],
    ['MODELYARD_TRUSTED_PROXIES', { MODELYARD_TRUSTED_PROXIES: '10.0.0.0/33' }],
    ['MODELYARD_REQUEST_IDLE_TIMEOUT', { MODELYARD_REQUEST_IDLE_TIMEOUT: '0' }],
    ['MODELYARD_MAX_CONNECTIONS_PER_ADDRESS', { MODELYARD_MAX_CONNECTIONS_PER_ADDRESS: 'many' }],
    ['MODELYARD_METRICS_TOKEN', { MODELYARD_METRICS_TOKEN: 'short' }],
    ['MODELYARD_METRICS_ADDRESS', { MODELYARD_METRICS_ADDRESS: '9464' }],
    ['MODELYARD_METRICS_ADDRESS', { MODELYARD_METRICS_ADDRESS: '127.0.0.1:99999' }],
    ['MODELYARD_CI_PICKUP_TIMEOUT', { MODELYARD_CI_PICKUP_TIMEOUT: 'soon' }],
    // A handout must go back to the queue before the heartbeat watchdog would fail it.
    ['MODELYARD_CI_PICKUP_TIMEOUT', { MODELYARD_CI_PICKUP_TIMEOUT: '120' }],
  ];
  it('puts back unconfirmed handouts after 60 s by default', () => {
    expect(loadConfig({}).ci.pickupTimeoutMs).toBe(60_000);
    expect(loadConfig({ MODELYARD_CI_PICKUP_TIMEOUT: '300', MODELYARD_CI_HEARTBEAT_TIMEOUT: '600' }).ci.pickupTimeoutMs).toBe(300_000);
  });
  for (const [variable, env] of bad) {
    it(`names ${variable} when it is invalid (${Object.values(env)[0]})`, () => {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
      expect((error as ConfigError).message).not.toContain('\n');
    });
  }

  it('reads the outbound allow-list, and nothing is allowed by default', () => {
    expect(loadConfig({}).outboundAllow).toEqual({ entries: [], localPaths: false });
    const config = loadConfig({ MODELYARD_OUTBOUND_ALLOW: '10.0.0.0/8, git.internal:3000, file://' });
    expect(config.outboundAllow.localPaths).toBe(true);
    expect(config.outboundAllow.entries.map((entry) => entry.text)).toEqual(['10.0.0.0/8', 'git.internal:3000']);
    expect(config.warnings).toEqual([]);
  });

  it('maps the old booleans onto the allow-list, with one warning each naming MODELYARD_OUTBOUND_ALLOW', () => {
    const webhooks = loadConfig({ MODELYARD_ALLOW_LOCAL_WEBHOOKS: 'true' });
    expect(webhooks.outboundAllow.entries.map((entry) => entry.text)).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']);
    expect(webhooks.outboundAllow.localPaths).toBe(false);
    expect(webhooks.warnings).toHaveLength(1);
    expect(webhooks.warnings[0]).toMatch(/^MODELYARD_ALLOW_LOCAL_WEBHOOKS is deprecated .* MODELYARD_OUTBOUND_ALLOW=127\.0\.0\.0\/8,/);

    const both = loadConfig({ MODELYARD_OUTBOUND_ALLOW: 'git.internal', MODELYARD_CI_ALLOW_LOCAL_REPOSITORIES: 'yes', MODELYARD_ALLOW_LOCAL_WEBHOOKS: 'false' });
    expect(both.outboundAllow.localPaths).toBe(true);
    expect(both.outboundAllow.entries[0]!.text).toBe('git.internal');
    expect(both.warnings).toEqual([expect.stringMatching(/^MODELYARD_CI_ALLOW_LOCAL_REPOSITORIES is deprecated .*file:\/\//)]);
  });
});
