import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BIN, serveProcess, serverEnv } from '../support/process.ts';

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

function run(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, env: serverEnv({ MODELYARD_DATABASE_URL: database.url, ...extra }), encoding: 'utf8', timeout: 60_000 });
}

const serve = (extra: Record<string, string>) => serveProcess(cwd, { MODELYARD_DATABASE_URL: database.url, ...extra });

describe('modelyard command', () => {
  it('stops with one line naming the variable when configuration is invalid', () => {
    const result = run(['serve'], { MODELYARD_PORT: 'abc' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^modelyard: configuration error: MODELYARD_PORT: /);
  });

  // Starts the CLI five times and a server: on a busy machine (the API suite runs two files at once) that exceeds the default minute.
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
    expect(secret).toMatch(/^glpat-/);
    // An impossible date is refused, not rolled over into the next month.
    const impossible = run(['token', 'create', '--username', 'cli-user', '--name', 'feb30', '--expires-at', '2099-02-30']);
    expect(impossible.status).toBe(1);
    expect(impossible.stderr).toMatch(/expires_at is not a valid date/);
    expect(run(['token', 'create', '--username', 'cli-user', '--name', 'leap', '--expires-at', '2096-02-29']).status).toBe(0);

    const server = await serve({ MODELYARD_INITIAL_ADMIN_TOKEN: 'ignored-because-users-exist-already' });
    try {
      const me = await fetch(`${server.base}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': secret } });
      expect(((await me.json()) as { username: string }).username).toBe('cli-user');
    } finally {
      await server.stop();
    }
  }, 180_000);
});

describe('server-side commands on a data folder that is not there', () => {
  // `token create` once made a new empty ./data/modelyard.db when MODELYARD_DATA_DIR was not repeated, and put the token there.
  it('refuse to create a database, naming the variable, and leave the folder untouched', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-elsewhere-'));
    try {
      const inFolder = (args: string[], extra: Record<string, string>) => spawnSync(process.execPath, [BIN, ...args], { cwd: elsewhere, env: serverEnv(extra), encoding: 'utf8', timeout: 60_000 });
      const commands = [
        ['token', 'create', '--username', 'root', '--name', 'lost'],
        ['admin', 'create-user', '--username', 'lost-user'],
        ['secrets', 'status'],
      ];
      for (const args of commands) {
        const result = inFolder(args, {});
        expect(result.status, args.join(' ')).toBe(1);
        expect(result.stderr).toBe(
          `modelyard: no database at ${path.join(fs.realpathSync(elsewhere), 'data', 'modelyard.db')}: set MODELYARD_DATA_DIR as the server has it (this command does not create a database; modelyard serve or modelyard migrate makes a new one)\n`,
        );
      }
      const named = inFolder(commands[0]!, { MODELYARD_DATABASE_URL: `sqlite:${path.join(elsewhere, 'other.db')}` });
      expect(named.status).toBe(1);
      expect(named.stderr).toMatch(/no database at .*other\.db: set MODELYARD_DATABASE_URL as the server has it/);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('first start on embedded defaults', () => {
  // Embedded defaults mean SQLite whatever the suite's database: MODELYARD_DATABASE_URL is emptied below.
  it('keeps its data under ./data, leaves the admin password in a file only its user reads (not in the log), and honours the initial token', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-fresh-'));
    const previous = cwd;
    cwd = fresh;
    try {
      const extra = { MODELYARD_INITIAL_ADMIN_TOKEN: 'first-start-token-0123456789', MODELYARD_DATABASE_URL: '' };
      const server = await serve(extra);
      const me = await fetch(`${server.base}/api/v4/user`, { headers: { Authorization: 'Bearer first-start-token-0123456789' } });
      expect(await me.json()).toMatchObject({ username: 'root', is_admin: true });
      const project = await fetch(`${server.base}/api/v4/projects/default`, { headers: { 'PRIVATE-TOKEN': 'first-start-token-0123456789' } });
      expect(project.status).toBe(200);
      // Not a terminal: the log names the file, and the password is only in the file.
      const file = path.join(fresh, 'data', 'initial_root_password');
      const password = /^Password: (\S{20,})$/m.exec(fs.readFileSync(file, 'utf8'))![1]!;
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const signedIn = await fetch(`${server.base}/api/v4/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'root', password }) });
      expect(signedIn.status).toBe(201);
      await server.stop();
      expect(server.output()).toContain(`Created the administrator "root". Its password is in ${file}`);
      expect(server.output()).not.toContain(password);
      expect(fs.existsSync(path.join(fresh, 'data', 'modelyard.db'))).toBe(true);
      // A day later, the next start removes the file.
      const dayAgo = new Date(Date.now() - 25 * 3600_000);
      fs.utimesSync(file, dayAgo, dayAgo);
      const again = await serve(extra);
      await again.stop();
      expect(again.output()).not.toMatch(/Created the administrator/);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      cwd = previous;
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
