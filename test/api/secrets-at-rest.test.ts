import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/db/migrate.ts';
import * as sealStoredSecrets from '../../src/db/migrations/0008_seal_stored_secrets.ts';
import { WebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import { WEBHOOK_SECRET } from '../../src/events/webhook-tables.ts';
import { openKeyring } from '../../src/secrets/keyring.ts';
import { assertKeysForStoredSecrets, dropUnusedKeys, resealAll } from '../../src/secrets/rotation.ts';
import { keyUsage, resealWithSealingKey } from '../../src/secrets/sealed-values.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';
import { ConfigError } from '../../src/config/config.ts';
import { SEALED_COLUMNS } from '../../src/server/sealed-columns.ts';
import { BIN, serverEnv } from '../support/process.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let maintainer: TestUser;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.0/8' });
  maintainer = await t.createUser('sealer');
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (d) => (body += d));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  receiver?.close();
  await t?.close();
});

const db = () => t.services.database.db;
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => t.call({ method, url, token: maintainer.token, ...(payload ? { payload } : {}) });

interface Fixture {
  projectId: number;
  hookId: number;
  hookSecret: string;
  variableId: number;
  variableValue: string;
  pushSecret: string;
  repositoryUrl: string;
}

let fixtures = 0;
/** A project with a webhook, a masked CI variable, a push secret and a repository URL that carries a token. */
async function fixture(): Promise<Fixture> {
  const n = ++fixtures;
  const projectId = (await t.createProject(maintainer.token, `sealed-${n}`)).id;
  const hookSecret = `hook-secret-${n}-0123456789abcdef`;
  const hook = await call('POST', `/api/v4/projects/${projectId}/hooks`, { url: receiverUrl, events: ['registry.*'], secret: hookSecret });
  expect(hook.statusCode, hook.body).toBe(201);
  const variableValue = `masked-value-${n}-0123456789`;
  const variable = await call('POST', `/api/v4/projects/${projectId}/variables`, { key: 'DEPLOY_TOKEN', value: variableValue, masked: true });
  expect(variable.statusCode, variable.body).toBe(201);
  const pushSecret = `push-secret-${n}-0123456789`;
  const repositoryUrl = `https://oauth2:glpat-REPOTOKEN${n}xyz@127.0.0.1:9/team/model.git`;
  const settings = await call('PUT', `/api/v4/projects/${projectId}/ci/settings`, { webhook_secret: pushSecret, repository_url: repositoryUrl });
  expect(settings.statusCode, settings.body).toBe(200);
  const row = await db().selectFrom('ci_variables').select('id').where('project_id', '=', projectId).executeTakeFirstOrThrow();
  return { projectId, hookId: (hook.json() as { id: number }).id, hookSecret, variableId: row.id, variableValue, pushSecret, repositoryUrl };
}

async function storedOf(f: Fixture) {
  const hook = await db().selectFrom('webhooks').select('secret').where('id', '=', f.hookId).executeTakeFirstOrThrow();
  const variable = await db().selectFrom('ci_variables').select('value').where('id', '=', f.variableId).executeTakeFirstOrThrow();
  const settings = await db().selectFrom('ci_settings').select(['webhook_secret', 'repository_url']).where('project_id', '=', f.projectId).executeTakeFirstOrThrow();
  return [hook.secret, variable.value, settings.webhook_secret!, settings.repository_url!];
}

/** Every place a secret could still be in clear: the sealed columns, and events and audit entries. */
async function expectNothingInClear(f: Fixture) {
  const stored = await storedOf(f);
  for (const value of stored) expect(value).toMatch(/^v1:[0-9a-f]{16}:/);
  const everything = JSON.stringify([stored, await db().selectFrom('events').selectAll().execute(), await db().selectFrom('audit_events').selectAll().execute()]);
  for (const secret of [f.hookSecret, f.variableValue, f.pushSecret, 'REPOTOKEN']) expect(everything).not.toContain(secret);
}

/** Creates a registry event, runs the dispatcher until the receiver has it, and checks its signature with `secret`. */
async function expectSignedDelivery(f: Fixture, secret: string) {
  const before = received.length;
  const model = await call('POST', `/api/v4/projects/${f.projectId}/ml/models`, { name: `signed-${received.length}-${Date.now()}` });
  expect(model.statusCode).toBe(201);
  const dispatcher = new WebhookDispatcher(db(), t.services.keyring.box, pino({ level: 'silent' }), t.services.outbound, { pollMs: 10, retryBaseMs: 20, maxAttempts: 3, timeoutMs: 2000 });
  const deadline = Date.now() + 10_000;
  while (received.length === before && Date.now() < deadline) {
    await dispatcher.tick();
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = received.at(-1)!;
  expect(received.length).toBe(before + 1);
  const [, timestamp, digest] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(last.headers['x-modelyard-signature'])) ?? [];
  expect(digest).toBe(createHmac('sha256', secret).update(`${timestamp}.${last.body}`).digest('hex'));
}

/** The values the services open are the ones that were stored. */
async function expectOpensTo(f: Fixture) {
  const variable = await call('GET', `/api/v4/projects/${f.projectId}/variables/DEPLOY_TOKEN`);
  expect(variable.statusCode, variable.body).toBe(200);
  expect(variable.json().value).toBe(f.variableValue);
  const settings = await t.services.ciSettings.of(f.projectId);
  expect(settings.webhook_secret).toBe(f.pushSecret);
  expect(settings.repository_url).toBe(f.repositoryUrl);
  const push = (token: string) =>
    t.call({
      method: 'POST',
      url: `/api/v4/projects/${f.projectId}/ci/push/gitlab`,
      headers: { 'x-gitlab-token': token, 'x-gitlab-event': 'Note Hook', 'content-type': 'application/json' },
      payload: '{}',
    });
  expect((await push(f.pushSecret)).statusCode).toBe(200);
  expect((await push('wrong-secret-0123456789')).statusCode).toBe(401);
}

describe('credentials at rest', () => {
  it('are sealed in the database, under their row, never returned or written to events and audit entries', async () => {
    const f = await fixture();
    await expectNothingInClear(f);
    for (const value of await storedOf(f)) expect(SecretBox.keyIdOf(value)).toBe(t.services.keyring.box.sealingKey().id);
    const hook = await call('GET', `/api/v4/projects/${f.projectId}/hooks/${f.hookId}`);
    const hooks = await call('GET', `/api/v4/projects/${f.projectId}/hooks`);
    const settings = await call('GET', `/api/v4/projects/${f.projectId}/ci/settings`);
    for (const res of [hook, hooks, settings]) {
      expect(res.statusCode).toBe(200);
      for (const secret of [f.hookSecret, f.pushSecret, 'REPOTOKEN', 'v1:']) expect(res.body).not.toContain(secret);
    }
    expect(settings.json()).toMatchObject({ webhook_secret_set: true, repository_url: 'https://oauth2:*****@127.0.0.1:9/team/model.git' });
    await expectOpensTo(f);
    await expectSignedDelivery(f, f.hookSecret);
  });

  it('do not open when a sealed value is copied into another row', async () => {
    const a = await fixture();
    const b = await fixture();
    const [hookSecretOfA, variableOfA] = await storedOf(a);
    await db().updateTable('ci_variables').set({ value: variableOfA! }).where('id', '=', b.variableId).execute();
    const variable = await call('GET', `/api/v4/projects/${b.projectId}/variables/DEPLOY_TOKEN`);
    expect(variable.statusCode).toBe(503);
    expect(variable.json().message).toMatch(/ci_variables\.value#\d+ cannot be read: it was altered or belongs to another row/);
    expect(variable.body).not.toContain(a.variableValue);

    await db().updateTable('webhooks').set({ secret: hookSecretOfA! }).where('id', '=', b.hookId).execute();
    const before = received.length;
    await call('POST', `/api/v4/projects/${b.projectId}/ml/models`, { name: 'moved-secret' });
    const dispatcher = new WebhookDispatcher(db(), t.services.keyring.box, pino({ level: 'silent' }), t.services.outbound, { pollMs: 10, retryBaseMs: 60_000, maxAttempts: 3, timeoutMs: 2000 });
    await dispatcher.tick();
    expect(received.length).toBe(before);
    const log = (await call('GET', `/api/v4/projects/${b.projectId}/hooks/${b.hookId}/deliveries`)).json();
    expect(log[0].attempts[0]).toMatchObject({ status_code: null });
    expect(log[0].attempts[0].error).toMatch(/webhooks\.secret#\d+ cannot be read/);
  });

  it('stored in clear by the previous version are sealed by the upgrade, and the webhook still signs with its secret', async () => {
    const f = await fixture();
    // The state the previous version left: the same rows with their values in clear (migration
    // 0008, which seals them, then runs as it does on an upgrade).
    await db().updateTable('webhooks').set({ secret: f.hookSecret }).where('id', '=', f.hookId).execute();
    await db().updateTable('ci_variables').set({ value: f.variableValue }).where('id', '=', f.variableId).execute();
    await db().updateTable('ci_settings').set({ webhook_secret: f.pushSecret, repository_url: f.repositoryUrl }).where('project_id', '=', f.projectId).execute();
    const seal = () => sealStoredSecrets.up(db() as never, t.services.database.dialect, t.services.keyring.box);
    expect(listMigrations()).toContain('0008_seal_stored_secrets');
    await seal();
    await expectNothingInClear(f);
    await expectOpensTo(f);
    await expectSignedDelivery(f, f.hookSecret);

    // Interrupted after its work but before its record, the migration runs again and seals nothing twice.
    const sealed = await storedOf(f);
    await seal();
    expect(await storedOf(f)).toEqual(sealed);
    await expectOpensTo(f);
  });
});

describe('key rotation', () => {
  it('seals every value again with a new key, survives a stop halfway, and drops old keys only once unused', async () => {
    const f = await fixture();
    const keyring = t.services.keyring;
    const file = keyring.file!;
    const first = keyring.box.sealingKey().id;

    // A rotation that stops after one table: both keys are in use, and both open.
    const second = file.add().id;
    await resealWithSealingKey(db(), keyring.box, WEBHOOK_SECRET);
    const halfway = await keyUsage(db(), SEALED_COLUMNS);
    expect(halfway.get(second)).toBeGreaterThan(0);
    expect(halfway.get(first)).toBeGreaterThan(0);
    expect((await dropUnusedKeys(db(), keyring, SEALED_COLUMNS)).removed).toEqual([]);
    await expectOpensTo(f);
    await expectSignedDelivery(f, f.hookSecret);

    const report = await resealAll(db(), keyring, SEALED_COLUMNS);
    expect(report.sealingKey).toBe(second);
    expect([...(await keyUsage(db(), SEALED_COLUMNS)).keys()]).toEqual([second]);
    expect((await dropUnusedKeys(db(), keyring, SEALED_COLUMNS)).removed).toEqual([first]);
    expect(keyring.box.keyIds()).toEqual([second]);
    expect(JSON.parse(fs.readFileSync(file.file, 'utf8')).keys.map((k: { id: string }) => k.id)).toEqual([second]);
    await expectOpensTo(f);
    await expectSignedDelivery(f, f.hookSecret);
  });

  it('by the command, while the server runs: the server opens what the command sealed', async () => {
    // The command is another process on the same database and data folder, as an operator runs it.
    const env = serverEnv({ MODELYARD_DATABASE_URL: t.database.url, MODELYARD_DATA_DIR: t.dataDir });
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'secrets', ...args], { env, encoding: 'utf8', timeout: 60_000 });
    const f = await fixture();
    const rotated = run('rotate', '--drop-old');
    expect(rotated.status, rotated.stderr).toBe(0);
    const added = /added key ([0-9a-f]{16})/.exec(rotated.stdout)?.[1];
    expect(rotated.stdout).toMatch(/ci_variables\.value: \d+ values sealed again/);
    expect(rotated.stdout).toMatch(/removed keys [0-9a-f]{16}/);
    expect([...(await keyUsage(db(), SEALED_COLUMNS)).keys()]).toEqual([added]);
    await expectOpensTo(f);
    await expectSignedDelivery(f, f.hookSecret);
    const status = run('status');
    expect(status.stdout).toContain(`${added} (seals new values)`);
    expect(status.stdout + status.stderr).not.toContain(f.variableValue);
  });

  it('a server whose keys do not open the stored values refuses to start, saying that replicas need the same key', async () => {
    await fixture();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-other-replica-'));
    try {
      const otherReplica = openKeyring({ dataDir: elsewhere, secretKeys: undefined });
      const refusal = assertKeysForStoredSecrets(db(), otherReplica, SEALED_COLUMNS);
      await expect(refusal).rejects.toBeInstanceOf(ConfigError);
      await expect(refusal).rejects.toThrow(/the database holds secrets sealed with key [0-9a-f]{16}, which this server does not have .*set the same MODELYARD_SECRET_KEY on each/);
      await expect(assertKeysForStoredSecrets(db(), t.services.keyring, SEALED_COLUMNS)).resolves.toBeUndefined();
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
