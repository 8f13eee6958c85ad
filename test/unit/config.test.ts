import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

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

  const bad: [string, Record<string, string>][] = [
    ['MODELYARD_PORT', { MODELYARD_PORT: 'eighty' }],
    ['MODELYARD_PORT', { MODELYARD_PORT: '70000' }],
    ['MODELYARD_DATABASE_URL', { MODELYARD_DATABASE_URL: 'mysql://x' }],
    ['MODELYARD_ARTIFACTS_URL', { MODELYARD_ARTIFACTS_URL: 'ftp://x' }],
    ['MODELYARD_ARTIFACTS_URL', { MODELYARD_ARTIFACTS_URL: 's3://UPPER' }],
    ['MODELYARD_PUBLIC_URL', { MODELYARD_PUBLIC_URL: 'not a url' }],
    ['MODELYARD_LOG_LEVEL', { MODELYARD_LOG_LEVEL: 'loud' }],
    ['MODELYARD_INITIAL_ADMIN_TOKEN', { MODELYARD_INITIAL_ADMIN_TOKEN: 'short' }],
    ['MODELYARD_MAX_UPLOAD_SIZE', { MODELYARD_MAX_UPLOAD_SIZE: 'lots' }],
  ];
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
});
