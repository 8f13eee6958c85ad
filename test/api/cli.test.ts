import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../support/database.ts';

const BIN = path.resolve('bin/modelyard.mjs');
let database: TestDatabase;
let cwd: string;

beforeAll(async () => {
  database = await createTestDatabase();
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-cli-'));
});
afterAll(async () => {
  await database?.drop();
  fs.rmSync(cwd, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
  return { ...clean, MODELYARD_DATABASE_URL: database.url, MODELYARD_LOG_LEVEL: 'warn', ...extra };
}

function run(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, env: env(extra), encoding: 'utf8', timeout: 60_000 });
}

/** Starts `serve` and resolves once /-/health answers. */
async function serve(extra: Record<string, string>): Promise<{ stdout: () => string; stop: () => Promise<void>; port: number }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: env({ MODELYARD_PORT: String(port), ...extra }) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/-/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    stdout: () => out,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('modelyard command', () => {
  it('stops with one line naming the variable when configuration is invalid', () => {
    const result = run(['serve'], { MODELYARD_PORT: 'abc' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^modelyard: configuration error: MODELYARD_PORT: /);
  });

  it('migrates, creates users and tokens from the command line, and serves', async () => {
    expect(run(['migrate']).stdout).toMatch(/applied: 0001_foundation|up to date/);
    expect(run(['migrate']).stdout).toMatch(/up to date/);
    const created = run(['admin', 'create-user', '--username', 'cli-user', '--password', 'long-enough-password']);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/created user cli-user/);
    const duplicate = run(['admin', 'create-user', '--username', 'cli-user']);
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toMatch(/taken/);
    const token = run(['token', 'create', '--username', 'cli-user', '--name', 'cli', '--scopes', 'api,read_api']);
    expect(token.status, token.stderr).toBe(0);
    const secret = token.stdout.trim();
    expect(secret).toMatch(/^mypat-/);

    const server = await serve({ MODELYARD_INITIAL_ADMIN_TOKEN: 'ignored-because-users-exist-already' });
    try {
      const me = await fetch(`http://127.0.0.1:${server.port}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': secret } });
      expect(((await me.json()) as { username: string }).username).toBe('cli-user');
    } finally {
      await server.stop();
    }
  });
});

describe('first start on embedded defaults', () => {
  it.runIf(TEST_DIALECT === 'sqlite')('keeps its data under ./data, prints the admin password once, and honours the initial token', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-fresh-'));
    const previous = cwd;
    cwd = fresh;
    try {
      const extra = { MODELYARD_INITIAL_ADMIN_TOKEN: 'first-start-token-0123456789', MODELYARD_DATABASE_URL: '' };
      const server = await serve(extra);
      const me = await fetch(`http://127.0.0.1:${server.port}/api/v4/user`, { headers: { Authorization: 'Bearer first-start-token-0123456789' } });
      expect(await me.json()).toMatchObject({ username: 'root', is_admin: true });
      const project = await fetch(`http://127.0.0.1:${server.port}/api/v4/projects/default`, { headers: { 'PRIVATE-TOKEN': 'first-start-token-0123456789' } });
      expect(project.status).toBe(200);
      await server.stop();
      expect(server.stdout()).toMatch(/password, shown only this once: \S{20,}/);
      expect(fs.existsSync(path.join(fresh, 'data', 'modelyard.db'))).toBe(true);
      const again = await serve(extra);
      await again.stop();
      expect(again.stdout()).not.toMatch(/shown only this once/);
    } finally {
      cwd = previous;
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
