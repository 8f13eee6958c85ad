import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RunningServer {
  name: string;
  base: string;
  dataDir: string;
  pid: number;
  /** Stops it for good and removes its data folder (kept with BENCH_KEEP_DATA=1, for a look at its log). */
  stop(): Promise<void>;
  /**
   * Stops it and starts it again on the same port and data: a request the client gave up on
   * may still be running inside the server, holding the database, and must not skew (or
   * lock) the next workload.
   */
  restart(): Promise<void>;
}

export const BENCH_TOKEN = 'bench-admin-token-0123456789abcdef';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, log: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${url} did not come up:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops the server and everything it started (MLflow forks workers and job consumers). */
function stopper(child: ChildProcess): () => Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) {
        signalGroup('SIGKILL');
        return resolve();
      }
      child.once('exit', () => {
        signalGroup('SIGKILL');
        resolve();
      });
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), 10_000).unref();
    });
}

/** Starts a server process and waits until `healthPath` answers; restartable on the same port and data. */
async function launch(name: string, dataDir: string, healthPath: string, spawnOn: (port: number, log: string) => ChildProcess, seconds = 120): Promise<RunningServer> {
  const port = await freePort();
  const log = path.join(dataDir, 'server.log');
  const base = `http://127.0.0.1:${port}`;
  const server: RunningServer = {
    name,
    base,
    dataDir,
    pid: 0,
    stop: async () => {
      await halt();
      // A data folder per server and run (gigabytes after the tracking and artifact suites).
      if (process.env.BENCH_KEEP_DATA !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
    },
    restart: async () => {
      await halt();
      await start();
    },
  };
  let halt: () => Promise<void> = async () => undefined;
  const start = async () => {
    const child = spawnOn(port, log);
    server.pid = child.pid!;
    halt = stopper(child);
    await waitFor(`${base}${healthPath}`, child, log, seconds);
  };
  await start();
  return server;
}

function spawnLogged(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  return spawn(command, args, { env, stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')], detached: true });
}

/**
 * Modelyard on its embedded defaults (SQLite and a local folder) in a fresh data dir;
 * `nodeFlags` go to node itself (`--cpu-prof` is refused in NODE_OPTIONS).
 */
export async function startModelyard(env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<RunningServer> {
  const dataDir = env.MODELYARD_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-modelyard-'));
  return launch('Modelyard', dataDir, '/-/health', (port, log) =>
    spawnLogged(
      process.execPath,
      [...nodeFlags, 'bin/modelyard.mjs', 'serve'],
      { ...process.env, MODELYARD_PORT: String(port), MODELYARD_DATA_DIR: dataDir, MODELYARD_INITIAL_ADMIN_TOKEN: BENCH_TOKEN, MODELYARD_LOG_LEVEL: 'warn', ...env },
      log,
    ),
  );
}

/**
 * The real MLflow server from the pinned venv, serving artifacts from a folder; on SQLite in its
 * data folder unless a `backendStoreUri` (a postgresql:// URL) is given.
 */
export async function startMlflow(python: string, backendStoreUri?: string): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mlflow-'));
  const mlflowBin = path.join(path.dirname(python), 'mlflow');
  const args = (port: number) => [
    'server',
    '--backend-store-uri',
    backendStoreUri ?? `sqlite:///${path.join(dataDir, 'mlflow.db')}`,
    '--artifacts-destination',
    path.join(dataDir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  return launch('MLflow', dataDir, '/health', (port, log) => spawnLogged(mlflowBin, args(port), { ...process.env }, log), 180);
}

/** Resident memory of a process and its children, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (match) total += Number(match[1]) * 1024;
      const children = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
    } catch {
      // the process is gone
    }
  };
  visit(pid);
  return total;
}

/**
 * CPU time (user + system) of a process and its children, in milliseconds (Linux /proc, 10 ms
 * ticks): the living ones' own time, and the time of those that ended (PostgreSQL's backends
 * come and go with the clients' pools), which the kernel adds to their parent's.
 */
export function cpuMsOf(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      // Fields after the command name, which may hold spaces: utime, stime, cutime and cstime are the 12th to 15th.
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      const children = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
    } catch {
      // the process is gone
    }
  };
  visit(pid);
  return ticks * 10;
}

/**
 * Waits until the processes use at most `busyMs` of CPU in a second, for `timeoutMs` at most:
 * after a seeding burst a server is still working through it in the background (the outbox
 * readers handle each registry event), which a measurement of requests must not include.
 * Answers the seconds waited.
 */
export async function settled(pids: number[], timeoutMs = 180_000, busyMs = 100): Promise<number> {
  const started = performance.now();
  const cpu = () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  while (performance.now() - started < timeoutMs) {
    const before = cpu();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (cpu() - before <= busyMs) break;
  }
  return (performance.now() - started) / 1000;
}
