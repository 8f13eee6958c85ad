import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { freePort } from './servers.ts';

/**
 * `npx tsx bench/gateway.ts [--requests N] [--seconds S] [--profile DIR] [--model-server stand-in|mlflow]`:
 * what the serving gateway adds to a prediction. A model server is called directly and through the gateway, one request at a time for latency, then by a few
 * concurrent clients for throughput. The model server and the load generator share core 1 and
 * the Modelyard server has core 0 (`taskset`), so the difference is the gateway's own work, not
 * contention. An instance is reported ready through the agent protocol by hand (no model files
 * are served: the stand-in answers without them). Each process's CPU time per request is read
 * from /proc as well: on a shared machine the scheduler, not the gateway, may set the pace, and
 * the server's CPU per request and how busy its core was tell the two apart.
 *
 * Two model servers: `stand-in` (the default) is the agent tests' minimal Node.js server, which
 * answers at once without reading a model. It is the worst case for the throughput ratio: a
 * gateway is a server and a client in one, so it spends about twice what that server spends per
 * request. `mlflow` is what the local agent really runs, MLflow's scoring server
 * (`python -m mlflow models serve --env-manager local`, from scripts/python-env.sh's venv) with a
 * one-feature scikit-learn model: the ratio a deployment sees.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const REQUESTS = option('--requests', 5000);
/** `--profile DIR`: the Modelyard server writes a V8 CPU profile there when it stops (`node --cpu-prof`). */
const PROFILE_DIR = args.includes('--profile') ? path.resolve(args[args.indexOf('--profile') + 1]!) : undefined;
const SECONDS = option('--seconds', 10);
const CONCURRENCY = 8;
const MODEL_SERVER = args.includes('--model-server') ? args[args.indexOf('--model-server') + 1]! : 'stand-in';
if (MODEL_SERVER !== 'stand-in' && MODEL_SERVER !== 'mlflow') throw new Error(`--model-server: stand-in or mlflow, not ${MODEL_SERVER}`);
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

/** A scikit-learn model of one feature (`x`, as BODY sends it), saved in MLflow's format. */
const SAVE_MODEL = `
import sys, numpy as np, pandas as pd, mlflow.sklearn
from sklearn.linear_model import LogisticRegression
X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]}); y = np.array([0, 0, 1, 1])
mlflow.sklearn.save_model(LogisticRegression().fit(X, y), sys.argv[1], serialization_format="pickle")
`;

/** Starts the model server on core 1 and returns its process; `mlflow` saves the model into modelDir first. */
function startModelServer(modelDir: string, port: number): ChildProcess {
  if (MODEL_SERVER === 'stand-in') {
    fs.mkdirSync(modelDir);
    fs.writeFileSync(path.join(modelDir, 'answer.txt'), 'setosa');
    return start(1, [process.execPath, path.join(root, 'test/support/agent/fake-model-server.mjs'), String(port), modelDir]);
  }
  const python = execFileSync('bash', [path.join(root, 'scripts/python-env.sh')], { encoding: 'utf8' }).trim();
  execFileSync(python, ['-c', SAVE_MODEL, modelDir], { stdio: 'inherit' });
  return start(1, [python, '-m', 'mlflow', 'models', 'serve', '-m', modelDir, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port)], {
    ...process.env,
    // As the agent starts it (src/agent/server-command.ts): the venv's bin first on PATH, where uvicorn is.
    PATH: [path.dirname(python), process.env.PATH].filter(Boolean).join(path.delimiter),
    MLFLOW_MODELS_WORKERS: '1',
  });
}

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

/** The fields of /proc/PID/stat after the command name, or undefined once the process is gone. */
function statOf(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds a process and its descendants have used so far (user + system), from /proc:
 * contention on a shared machine does not inflate it. Descendants count because MLflow's
 * scoring server answers in a uvicorn process it starts.
 */
function cpuSeconds(pid: number, withDescendants = false): number {
  if (!withDescendants) return ticksOf(statOf(pid)) / CLOCK_TICKS;
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statOf(Number(entry));
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const fields = statOf(current);
    total += ticksOf(fields) / CLOCK_TICKS;
    for (const [child, parent] of parents) if (parent === current) pending.push(child);
  }
  return total;
}
const CLOCK_TICKS = 100;
const ticksOf = (fields: string[] | undefined) => (fields ? Number(fields[11]) + Number(fields[12]) : 0);

interface Throughput {
  perSecond: number;
  /** CPU microseconds per request of each measured process during the run. */
  cpuMicros: Record<string, number>;
}

/** Each measured process by name, with what reads its CPU seconds so far. */
type CpuClocks = Record<string, () => number>;

async function throughput(url: string, headers: Record<string, string>, processes: CpuClocks): Promise<Throughput> {
  const before = Object.fromEntries(Object.entries(processes).map(([name, clock]) => [name, clock()]));
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
  const cpuMicros = Object.fromEntries(Object.entries(processes).map(([name, clock]) => [name, ((clock() - before[name]!) / done) * 1e6]));
  return { perSecond: done / SECONDS, cpuMicros };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
  try {
    const modelPort = await freePort();
    const modelServer = startModelServer(path.join(dir, 'model'), modelPort);
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

    log(`model server: ${MODEL_SERVER}; ${REQUESTS} sequential requests each way, then ${CONCURRENCY} clients for ${SECONDS} s each way`);
    const d = await latencies(`${direct}/invocations`, {});
    const sequentialCpu = cpuSeconds(server.pid!);
    const g = await latencies(gateway, gatewayHeaders);
    // One request at a time, the server's CPU per request does not depend on how requests batch up.
    const sequentialMicros = ((cpuSeconds(server.pid!) - sequentialCpu) / (REQUESTS + 500)) * 1e6;
    const processes: CpuClocks = {
      'load generator': () => cpuSeconds(process.pid),
      'model server': () => cpuSeconds(modelServer.pid!, true),
      'Modelyard server': () => cpuSeconds(server.pid!),
    };
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
