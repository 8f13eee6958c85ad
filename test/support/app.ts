import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/server/app.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { prepareInstance } from '../../src/server/bootstrap.ts';
import { createServices, type Services } from '../../src/server/services.ts';
import { openKeyring } from '../../src/secrets/keyring.ts';
import type { RouteEntry } from '../../src/auth/authorization-hook.ts';
import type { App } from '../../src/http/types.ts';
import type { InvocationsFastPath } from '../../src/serving/invocations-fast-path.ts';
import type { Resolver } from '../../src/outbound/outbound-policy.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
}

export interface TestApp {
  app: App;
  services: Services;
  config: Config;
  routes: RouteEntry[];
  /** Predictions answered before Fastify's routing, when the app listens on a socket. */
  fastPath: InvocationsFastPath;
  database: TestDatabase;
  dataDir: string;
  /** app.inject with a token (PRIVATE-TOKEN) when given. */
  call(options: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>;
  createUser(username: string, options?: { admin?: boolean; scopes?: string[] }): Promise<TestUser>;
  createProject(ownerToken: string, path: string, visibility?: 'private' | 'internal' | 'public'): Promise<{ id: number; path: string }>;
  addMember(projectId: number, userId: number, accessLevel: number): Promise<void>;
  close(): Promise<void>;
}

let userCounter = 0;

/**
 * An app on a fresh database and data folder; or on `given` ones (an upgrade fixture restored
 * into them), which `close` removes as its own. `options.resolver` answers the outbound
 * policy's name lookups (tests name hosts no DNS here knows).
 */
export async function startTestApp(env: Record<string, string> = {}, given?: { database: TestDatabase; dataDir: string }, options: { resolver?: Resolver } = {}): Promise<TestApp> {
  const database = given?.database ?? (await createTestDatabase());
  const dataDir = given?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-data-'));
  const config = loadConfig({
    MODELYARD_DATA_DIR: dataDir,
    MODELYARD_DATABASE_URL: database.url,
    MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN_TOKEN,
    MODELYARD_LOG_LEVEL: 'silent',
    MODELYARD_CHECK_RESPONSES: 'true',
    MODELYARD_PUBLIC_URL: 'http://modelyard.test',
    ...env,
  });
  const keyring = openKeyring(config);
  const db = openDatabase(config.database);
  await migrateToLatest(db, keyring.box);
  const services = createServices(config, db, keyring, options.resolver);
  const logger = pino({ level: 'silent' });
  await prepareInstance(services, logger, { print: () => undefined, interactive: false });
  const { app, routes, invocations } = await buildApp(services, logger);

  const call: TestApp['call'] = (options) => {
    const { token, ...rest } = options;
    const headers = { ...(rest.headers ?? {}) } as Record<string, string>;
    if (token) headers['private-token'] = token;
    return app.inject({ ...rest, headers });
  };

  const testApp: TestApp = {
    app,
    services,
    config,
    routes,
    fastPath: invocations,
    database,
    dataDir,
    call,
    async createUser(username, options = {}) {
      const password = `password-${username}-${++userCounter}`;
      const created = await call({
        method: 'POST',
        url: '/api/v4/users',
        token: ADMIN_TOKEN,
        payload: { username, password, admin: options.admin ?? false },
      });
      if (created.statusCode !== 201) throw new Error(`could not create ${username}: ${created.body}`);
      const user = created.json() as { id: number };
      const token = await call({
        method: 'POST',
        url: `/api/v4/users/${user.id}/personal_access_tokens`,
        token: ADMIN_TOKEN,
        payload: { name: 'test', scopes: options.scopes ?? ['api'] },
      });
      if (token.statusCode !== 201) throw new Error(`could not create a token for ${username}: ${token.body}`);
      return { id: user.id, username, password, token: (token.json() as { token: string }).token };
    },
    async createProject(ownerToken, projectPath, visibility = 'private') {
      const res = await call({ method: 'POST', url: '/api/v4/projects', token: ownerToken, payload: { name: projectPath, path: projectPath, visibility } });
      if (res.statusCode !== 201) throw new Error(`could not create project ${projectPath}: ${res.body}`);
      return res.json() as { id: number; path: string };
    },
    async addMember(projectId, userId, accessLevel) {
      const res = await call({ method: 'POST', url: `/api/v4/projects/${projectId}/members`, token: ADMIN_TOKEN, payload: { user_id: userId, access_level: accessLevel } });
      if (res.statusCode !== 201) throw new Error(`could not add member: ${res.body}`);
    },
    async close() {
      await app.close();
      await db.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}
