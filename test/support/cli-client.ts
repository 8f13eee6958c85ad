import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './app.ts';
import type { CliResult } from './cli-process.ts';
import { BIN, serverEnv } from './process.ts';

/**
 * The client commands as a user runs them: the built CLI as its own process, with a config
 * folder of its own (XDG_CONFIG_HOME) and no MODELYARD_* setting unless the test gives one.
 */
export interface CliUser {
  home: string;
  configDir: string;
  run(args: string[], options?: { env?: Record<string, string>; input?: string; cwd?: string }): Promise<CliResult>;
  /** On a pseudo-terminal (`script`): `stdout` is everything the terminal received, standard error included. */
  runOnTerminal(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string }>;
}

export function cliUser(): CliUser {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-cli-user-'));
  const configDir = path.join(home, 'config');
  return {
    home,
    configDir,
    run: (args, options = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? home, env: { ...serverEnv({}), HOME: home, XDG_CONFIG_HOME: configDir, ...options.env } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.once('error', reject);
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(options.input ?? '');
      }),
    // Spawned without waiting synchronously: the server answering it may run in the test's process.
    runOnTerminal: (args, env) =>
      new Promise((resolve, reject) => {
        const child = spawn('script', ['-qec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], { cwd: home, env: { ...process.env, ...env, XDG_CONFIG_HOME: configDir } });
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.once('error', reject);
        child.once('exit', (status) => resolve({ status, stdout }));
      }),
  };
}

/** The test app listening on a loopback port, for processes that call it over HTTP. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}
