import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const BIN = path.resolve('bin/modelyard.mjs');

/** The environment of a child server: this one's, minus any MODELYARD_* settings, plus `extra`. */
export function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
  return { ...clean, MODELYARD_LOG_LEVEL: 'warn', MODELYARD_CHECK_RESPONSES: 'true', ...extra };
}

/** A loopback port nothing listens on now, as the system hands them out. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
  // A test that must know the address before the server starts (a provider's redirect URI) names the port.
  const port = extra.MODELYARD_PORT ? Number(extra.MODELYARD_PORT) : await freePort();
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
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${out}`);
    }
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
