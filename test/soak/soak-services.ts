import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * The processes of the replica soak, each started by the project's own scripts or binaries on
 * loopback and owned by the harness (it signals them by their own process id, never by name).
 */

export const S3_USER = 'soak-access-key';
export const S3_SECRET = 'soak-secret-key-0123456789';
export const BUCKET = 'modelyard-soak';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(what: string, probe: () => Promise<boolean>, seconds: number, child?: ChildProcess, log?: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    if (child?.exitCode !== null && child?.exitCode !== undefined)
      throw new Error(`${what} exited (${child.exitCode}):\n${log && fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : ''}`);
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${seconds} s:\n${log && fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : ''}`);
    await sleep(200);
  }
}

export const answers = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

/** A child process whose output goes to a log file; `stop` ends it by its own pid. */
export interface Owned {
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

export function own(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): Owned {
  const fd = fs.openSync(log, 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return {
    child,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** PostgreSQL through scripts/postgres.sh on its own port and folder; restartable. */
export class Postgres {
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}
  private env() {
    return { ...process.env, MODELYARD_TEST_PG_PORT: String(this.port), MODELYARD_TEST_PG_DIR: this.dir };
  }
  start(): string {
    return execFileSync('bash', ['scripts/postgres.sh', 'start'], { env: this.env(), encoding: 'utf8' }).trim();
  }
  stop(): void {
    execFileSync('bash', ['scripts/postgres.sh', 'stop'], { env: this.env(), stdio: 'ignore' });
  }
}

export type S3Kind = 'minio' | 'moto';

/** The S3 server: MinIO built by scripts/go-tools.sh, or moto's server from the pinned venv. */
export async function startS3(kind: S3Kind, root: string, python: string): Promise<{ endpoint: string; server: Owned }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = path.join(root, `${kind}.log`);
  let server: Owned;
  if (kind === 'minio') {
    const binary = execFileSync('bash', ['scripts/go-tools.sh', 'minio'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const console = await freePort();
    server = own(
      binary,
      ['server', path.join(root, 'minio-data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${console}`, '--quiet'],
      { ...process.env, MINIO_ROOT_USER: S3_USER, MINIO_ROOT_PASSWORD: S3_SECRET, MINIO_BROWSER: 'off' },
      log,
    );
    await waitUntil('MinIO', () => answers(`${endpoint}/minio/health/ready`), 60, server.child, log);
  } else {
    server = own(path.join(path.dirname(python), 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], process.env, log);
    await waitUntil('moto', () => answers(`${endpoint}/moto-api/`), 60, server.child, log);
  }
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_USER, secretAccessKey: S3_SECRET } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  s3.destroy();
  return { endpoint, server };
}

/** HAProxy in front of the replicas: round robin, readiness checks every 500 ms (down after 3 failures), connection retries. */
export async function startHaproxy(root: string, replicaPorts: number[], port: number): Promise<{ base: string; statsUrl: string; proxy: Owned }> {
  const binary = execFileSync('bash', ['scripts/haproxy.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const statsPort = await freePort();
  const config = path.join(root, 'haproxy.cfg');
  fs.writeFileSync(
    config,
    `global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout check 5s
  retries 3
  option redispatch 1
frontend soak
  bind 127.0.0.1:${port}
  option forwardfor
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /-/readiness
  http-check expect status 200
  default-server inter 500ms fastinter 250ms fall 3 rise 2
${replicaPorts.map((p, i) => `  server replica${i + 1} 127.0.0.1:${p} check`).join('\n')}
frontend stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
`,
  );
  const log = path.join(root, 'haproxy.log');
  const proxy = own(binary, ['-db', '-f', config], process.env, log);
  const base = `http://127.0.0.1:${port}`;
  await waitUntil('HAProxy', () => answers(`${base}/-/readiness`), 30, proxy.child, log);
  return { base, statsUrl: `http://127.0.0.1:${statsPort}/stats;csv`, proxy };
}

/** The frontend's request count and answers by status class, from HAProxy's stats. */
export async function haproxyCounts(statsUrl: string): Promise<Record<string, number>> {
  const csv = await (await fetch(statsUrl)).text();
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
  const names = header!.split(',');
  const front = rows.map((r) => r.split(',')).find((cells) => cells[0] === 'soak' && cells[1] === 'FRONTEND')!;
  const pick = (name: string) => Number(front[names.indexOf(name)] ?? 0);
  const backend = rows.map((r) => r.split(',')).find((cells) => cells[0] === 'replicas' && cells[1] === 'BACKEND')!;
  const back = (name: string) => Number(backend[names.indexOf(name)] ?? 0);
  return {
    requests: pick('req_tot'),
    '1xx': pick('hrsp_1xx'),
    '2xx': pick('hrsp_2xx'),
    '3xx': pick('hrsp_3xx'),
    '4xx': pick('hrsp_4xx'),
    '5xx': pick('hrsp_5xx'),
    other: pick('hrsp_other'),
    backend_connection_errors: back('econ'),
    backend_response_errors: back('eresp'),
    retries: back('wretr'),
    redispatches: back('wredis'),
  };
}
