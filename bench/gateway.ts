import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from './servers.ts';

/**
 * `npx tsx bench/gateway.ts [--requests N] [--seconds S] [--profile DIR]`: what the serving gateway adds to a
 * prediction. A minimal model server (the agent tests' stand-in, answering at once) is called
 * directly and through the gateway, one request at a time for latency, then by a few
 * concurrent clients for throughput. The model server and the load generator share core 1 and
 * the Modelyard server has core 0 (`taskset`), so the difference is the gateway's own work, not
 * contention. An instance is reported ready through the agent protocol by hand (no model files
 * are served: the stand-in answers without them). Each process's CPU time per request is read
 * from /proc as well: on a shared machine the scheduler, not the gateway, may set the pace, and
 * the server's CPU per request and how busy its core was tell the two apart.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const REQUESTS = option('--requests', 5000);
/** `--profile DIR`: the Modelyard server writes a V8 CPU profile there when it stops (`node --cpu-prof`). */
const PROFILE_DIR = args.includes('--profile') ? path.resolve(args[args.indexOf('--profile') + 1]!) : undefined;
const SECONDS = option('--seconds', 10);
const CONCURRENCY = 8;
const ADMIN = 'bench-gateway-admin-token-0123456789';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const log = (line: string) => process.stdout.write(`[bench:gateway] ${line}\n`);

const children: ChildProcess[] = [];
function start(core: number, argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn('taskset', ['-c', String(core), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Both pipes are drained: a full pipe would stop a child that writes to it.
  child.stdout!.on('data', (d) => process.env.BENCH_VERBOSE && process.stderr.write(d));
  child.stderr!.on('data', (d) => process.env.BENCH_VERBOSE && process.stderr.write(d));
  children.push(child);
  return child;
}

async function up(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function call(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = { 'private-token': ADMIN }): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Keep-alive connections for the load generator, as a client of a serving endpoint would hold them. */
const dispatcher = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 60_000 });
const BODY = JSON.stringify({ dataframe_split: { columns: ['x'], data: [[1], [2]] } });

async function once(url: string, headers: Record<string, string>): Promise<void> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: BODY, dispatcher });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
}

async function latencies(url: string, headers: Record<string, string>): Promise<number[]> {
  for (let i = 0; i < 500; i++) await once(url, headers);
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = process.hrtime.bigint();
    await once(url, headers);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/** CPU seconds a process has used so far (user + system), from /proc: contention on a shared machine does not inflate it. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

interface Throughput {
  perSecond: number;
  /** CPU microseconds per request of each measured process during the run. */
  cpuMicros: Record<string, number>;
}

async function throughput(url: string, headers: Record<string, string>, processes: Record<string, number>): Promise<Throughput> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await once(url, headers);
        done++;
      }
    }),
  );
  const cpuMicros = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, ((cpuSeconds(pid) - before[name]!) / done) * 1e6]));
  return { perSecond: done / SECONDS, cpuMicros };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
  try {
    const modelDir = path.join(dir, 'model');
    fs.mkdirSync(modelDir);
    fs.writeFileSync(path.join(modelDir, 'answer.txt'), 'setosa');
    const modelPort = await freePort();
    const modelServer = start(1, [process.execPath, path.join(root, 'test/support/agent/fake-model-server.mjs'), String(modelPort), modelDir]);
    const direct = `http://127.0.0.1:${modelPort}`;
    await up(`${direct}/ping`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
    const profile = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
    const server = start(0, [process.execPath, ...profile, path.join(root, 'bin/modelyard.mjs'), 'serve'], {
      ...clean,
      MODELYARD_PORT: String(port),
      MODELYARD_DATA_DIR: path.join(dir, 'data'),
      MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN,
      MODELYARD_LOG_LEVEL: 'warn',
      // The hand-made agent below reports once: keep its instance trusted for the whole run.
      MODELYARD_AGENT_STALE_SECONDS: '3600',
    });
    await up(`${base}/-/health`);

    const project = await call(base, 'POST', '/api/v4/projects', { name: 'bench', path: 'bench' });
    const pid = project.id as number;
    const model = await call(base, 'POST', `/api/v4/projects/${pid}/ml/models`, { name: 'bench-model' });
    const version = await call(base, 'POST', `/api/v4/projects/${pid}/ml/models/${model.id as number}/versions`, {});
    // A file, so that the version has an archive to assign (the stand-in does not read it).
    const put = await fetch(`${base}/api/v4/projects/${pid}/packages/ml_models/${version.id as number}/files/answer.txt`, { method: 'PUT', headers: { 'private-token': ADMIN }, body: 'setosa' });
    if (!put.ok) throw new Error(`upload: ${put.status} ${await put.text()}`);
    await call(base, 'POST', `/api/v4/projects/${pid}/deployments`, { environment: 'bench', model: 'bench-model', version: '1' });
    const agent = await call(base, 'POST', `/api/v4/projects/${pid}/serving_agents`, { description: 'bench' });
    const agentHeaders = { authorization: `Bearer ${agent.token as string}` };
    await call(base, 'POST', '/api/v4/agent/sessions', { version: 'bench', platform: 'linux/x64' }, agentHeaders);
    const assignments = await call(base, 'GET', '/api/v4/agent/assignments', undefined, agentHeaders);
    const [instance] = assignments.instances as { instance_id: string }[];
    if (!instance) throw new Error('no instance assigned');
    await call(base, 'PUT', `/api/v4/agent/instances/${instance.instance_id}`, { state: 'ready', endpoint: direct, restarts: 0 }, agentHeaders);
    const admin = await call(base, 'GET', '/api/v4/user');
    const serve = await call(base, 'POST', `/api/v4/users/${admin.id as number}/personal_access_tokens`, { name: 'bench', scopes: ['serve'] });
    const gateway = `${base}/serving/${pid}/bench/invocations`;
    const gatewayHeaders = { authorization: `Bearer ${serve.token as string}` };
    await up(`${base}/-/health`);

    // This process is the load generator: on core 1 with the model server.
    fs.writeFileSync('/proc/self/comm', 'bench-loadgen');
    spawn('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));

    log(`${REQUESTS} sequential requests each way, then ${CONCURRENCY} clients for ${SECONDS} s each way`);
    const d = await latencies(`${direct}/invocations`, {});
    const sequentialCpu = cpuSeconds(server.pid!);
    const g = await latencies(gateway, gatewayHeaders);
    // One request at a time, the server's CPU per request does not depend on how requests batch up.
    const sequentialMicros = ((cpuSeconds(server.pid!) - sequentialCpu) / (REQUESTS + 500)) * 1e6;
    const processes = { 'load generator': process.pid, 'model server': modelServer.pid!, 'Modelyard server': server.pid! };
    const rd = await throughput(`${direct}/invocations`, {}, processes);
    const rg = await throughput(gateway, gatewayHeaders, processes);
    const row = (name: string, s: number[]) => `${name}: p50 ${percentile(s, 50).toFixed(3)} ms, p99 ${percentile(s, 99).toFixed(3)} ms`;
    log(row('direct ', d));
    log(row('gateway', g));
    log(`added: p50 ${(percentile(g, 50) - percentile(d, 50)).toFixed(3)} ms, p99 ${(percentile(g, 99) - percentile(d, 99)).toFixed(3)} ms`);
    log(`throughput: direct ${rd.perSecond.toFixed(0)} req/s, gateway ${rg.perSecond.toFixed(0)} req/s (${((rg.perSecond / rd.perSecond) * 100).toFixed(0)} %)`);
    const cpu = (t: Throughput) =>
      Object.entries(t.cpuMicros)
        .map(([name, micros]) => `${name} ${micros.toFixed(0)} µs`)
        .join(', ');
    log(`CPU per request: direct: ${cpu(rd)}; gateway: ${cpu(rg)}`);
    // Below 100 %, the gateway's core was waiting on the other: the throughput row is not the gateway's limit.
    log(`Modelyard server: ${sequentialMicros.toFixed(0)} µs CPU per sequential request; busy ${((rg.cpuMicros['Modelyard server']! * rg.perSecond) / 1e4).toFixed(0)} % of its core under load`);
  } finally {
    // Wait for them to stop: the server writes its profile (--profile) on the way out.
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(null) : (child.once('exit', done), child.kill('SIGTERM'))))));
    await dispatcher.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
