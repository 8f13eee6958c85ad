import { spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve('bin/modelyard.mjs');

/** The environment of a child server: this one's, minus any MODELYARD_* settings, plus `extra`. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
  return { ...clean, MODELYARD_LOG_LEVEL: 'warn', MODELYARD_CHECK_RESPONSES: 'true', ...extra };
}

export interface ServerProcess {
  port: number;
  base: string;
  pid: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `modelyard serve` as its own process and resolves once /-/health answers. */
export async function serveProcess(cwd: string, extra: Record<string, string>): Promise<ServerProcess> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: serverEnv({ MODELYARD_PORT: String(port), ...extra }) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/-/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base,
    pid: child.pid!,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
