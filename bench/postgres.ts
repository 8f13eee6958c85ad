import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { median, timed, type MlflowHttp } from './http.ts';
import { registryQueries, seedRegistry } from './registry.ts';
import { cpuMsOf, settled, startMlflow, startModelyard, type RunningServer } from './servers.ts';
import { batchBody, clientFor, createRun, fetchWholeHistory, ingestRound, KEYS, logHistoryModelyard, seedSearchModelyard } from './tracking.ts';

/**
 * `npm run bench -- --db postgres`: Modelyard and the MLflow server side by side, each on its
 * own database in one PostgreSQL on its durable defaults (fsync, synchronous_commit and
 * full_page_writes on), started here through scripts/postgres.sh. Besides wall-clock times it
 * records what is steadier on a shared machine: the CPU the server and PostgreSQL spent per
 * request, and the statements PostgreSQL ran per request (pg_stat_statements).
 */

export interface PostgresBenchOptions {
  quick: boolean;
  log: (line: string) => void;
}

const PORT = Number(process.env.BENCH_PG_PORT ?? 55445);
const DIR = process.env.BENCH_PG_DIR ?? path.join(os.tmpdir(), `modelyard-bench-pg-${PORT}`);
const ADMIN_URL = `postgres://postgres@127.0.0.1:${PORT}/postgres`;
const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${PORT}/${database}`;
const DATABASES = { Modelyard: 'modelyard_bench', MLflow: 'mlflow_bench' } as const;

function postgresScript(command: 'start' | 'stop'): void {
  execFileSync('bash', ['scripts/postgres.sh', command], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      MODELYARD_TEST_PG_PORT: String(PORT),
      MODELYARD_TEST_PG_DIR: DIR,
      MODELYARD_PG_DURABLE: '1',
      // Both only observe: auto_explain stays off until the evidence pass turns it on per database.
      MODELYARD_PG_OPTIONS: '-c shared_preload_libraries=pg_stat_statements,auto_explain -c pg_stat_statements.track=all',
    },
  });
}

async function query<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const SETTINGS = [
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'wal_level',
  'wal_sync_method',
  'shared_buffers',
  'work_mem',
  'effective_cache_size',
  'max_wal_size',
  'checkpoint_timeout',
  'random_page_cost',
  'jit',
];

async function describePostgres(): Promise<string> {
  const [{ version }] = (await query<{ version: string }>(ADMIN_URL, 'select version()')) as [{ version: string }];
  const rows = await query<{ name: string; setting: string }>(ADMIN_URL, 'select name, current_setting(name) as setting from pg_settings where name = any($1) order by name', [SETTINGS]);
  return `${version.split(',')[0]}; ${rows.map((r) => `\`${r.name}=${r.setting}\``).join(', ')}`;
}

function postmasterPid(): number {
  return Number(fs.readFileSync(path.join(DIR, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

async function statementCount(database: string): Promise<number> {
  const [row] = await query<{ calls: string | null }>(
    urlOf(database),
    'select sum(calls)::text as calls from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())',
  );
  return Number(row?.calls ?? 0);
}

async function resetStatements(database: string): Promise<void> {
  await query(urlOf(database), 'select pg_stat_statements_reset()');
}

export interface Workload {
  label: string;
  /** Wall-clock samples: ms per call, or points/s for ingest. */
  samples: number[];
  unit: 'ms' | 'points/s';
  requests: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  statementsPerRequest: number;
  rows: number;
  /** Why a repetition failed (the server closed the connection, an error answer); the rest were not run. */
  error?: string;
}

interface Context {
  server: RunningServer;
  client: MlflowHttp;
  database: string;
  log: (line: string) => void;
}

/** Times `repeats` calls of `work`; counts the CPU and statements they cost in all. */
async function measureWorkload(
  ctx: Context,
  label: string,
  repeats: number,
  work: () => Promise<{ rows: number; requests: number; sample?: number }>,
  unit: Workload['unit'] = 'ms',
): Promise<Workload> {
  await resetStatements(ctx.database);
  const cpuBefore = cpuMsOf(ctx.server.pid);
  const pgBefore = cpuMsOf(postmasterPid());
  const samples: number[] = [];
  let requests = 0;
  let rows = 0;
  const started = performance.now();
  let error: string | undefined;
  for (let i = 0; i < repeats && (i === 0 || performance.now() - started < 90_000); i++) {
    try {
      const { ms, result } = await timed(work);
      samples.push(result.sample ?? ms);
      requests += result.requests;
      rows = result.rows;
    } catch (e) {
      // A failure is a finding for the table, not the end of the whole benchmark.
      error = (e as Error).message.slice(0, 200);
      ctx.log(`${ctx.server.name}: ${label} failed: ${error}`);
      break;
    }
  }
  requests = Math.max(1, requests);
  // The statement count includes the two of this function's own connection (reset and count).
  const statements = Math.max(0, (await statementCount(ctx.database)) - 2);
  const result: Workload = {
    label,
    samples,
    unit,
    requests,
    serverCpuMsPerRequest: (cpuMsOf(ctx.server.pid) - cpuBefore) / requests,
    postgresCpuMsPerRequest: (cpuMsOf(postmasterPid()) - pgBefore) / requests,
    statementsPerRequest: statements / requests,
    rows,
    ...(error ? { error } : {}),
  };
  ctx.log(
    `${ctx.server.name}: ${label}: median ${median(samples).toFixed(1)} ${unit} of ${samples.map((s) => s.toFixed(1)).join(', ')}; ${result.serverCpuMsPerRequest.toFixed(2)} ms server CPU, ${result.postgresCpuMsPerRequest.toFixed(2)} ms PostgreSQL CPU, ${result.statementsPerRequest.toFixed(1)} statements per request`,
  );
  return result;
}

/** Every acknowledged point must read back: each run has `steps` points under each key. */
async function readBack(client: MlflowHttp, acknowledged: Map<string, number>): Promise<{ expected: number; found: number }> {
  let expected = 0;
  let found = 0;
  for (const [runId, steps] of acknowledged) {
    for (const key of KEYS) {
      expected += steps;
      found += await fetchWholeHistory(client, runId, key);
    }
  }
  return { expected, found };
}

function seedMlflow(python: string, args: string[]): void {
  execFileSync(python, [path.resolve('bench/seed_mlflow.py'), args[0]!, urlOf(DATABASES.MLflow).replace('postgres://', 'postgresql://'), ...args.slice(1)], { stdio: 'inherit' });
}

interface SearchCase {
  label: string;
  body: (experimentId: string, runs: number, t0: number) => Record<string, unknown>;
  modelyardOnly?: boolean;
}

const SEARCHES: SearchCase[] = [
  { label: '`metrics.loss < 0.5`, order by `metrics.acc DESC`', body: (e) => ({ experiment_ids: [e], filter: 'metrics.loss < 0.5', order_by: ['metrics.acc DESC'], max_results: 1000 }) },
  { label: "`params.lr != '3'`, order by `params.lr DESC`", body: (e) => ({ experiment_ids: [e], filter: "params.lr != '3'", order_by: ['params.lr DESC'], max_results: 1000 }) },
  {
    label: "`tags.team = 'risk'`, order by `attributes.start_time DESC`",
    body: (e) => ({ experiment_ids: [e], filter: "tags.team = 'risk'", order_by: ['attributes.start_time DESC'], max_results: 1000 }),
  },
  {
    label: '`attributes.start_time` in the middle 10% of the runs, order by `attributes.start_time`',
    body: (e, runs, t0) => ({
      experiment_ids: [e],
      filter: `attributes.start_time >= ${t0 + Math.floor(runs * 0.45)} AND attributes.start_time < ${t0 + Math.floor(runs * 0.55)}`,
      order_by: ['attributes.start_time ASC'],
      max_results: 1000,
    }),
  },
  {
    label: "`(metrics.loss < 0.1 OR params.lr = '3') AND tags.team = 'risk'`, order by `metrics.acc DESC` (OR: Modelyard only)",
    body: (e) => ({ experiment_ids: [e], filter: "(metrics.loss < 0.1 OR params.lr = '3') AND tags.team = 'risk'", order_by: ['metrics.acc DESC'], max_results: 1000 }),
    modelyardOnly: true,
  },
];

export interface ServerResult {
  name: string;
  workloads: Workload[];
  readBack: { expected: number; found: number };
  /** The data of the reads at their largest size, for the plans. */
  search: { experimentId: string; runs: number; t0: number; historyRun: string; bulkRuns: string[] };
}

export interface PostgresBenchResult {
  postgres: string;
  uptimeBefore: string;
  uptimeAfter: string;
  sizes: number[];
  servers: ServerResult[];
  plans: string;
  profile: string;
}

async function benchServer(server: RunningServer, database: string, python: string, quick: boolean, log: (line: string) => void): Promise<ServerResult> {
  const isModelyard = server.name === 'Modelyard';
  const client = clientFor(server);
  const ctx: Context = { server, client, database, log };
  const repeats = quick ? 5 : 15;
  const workloads: Workload[] = [];
  const experiment = async (name: string) => (await client.post<{ experiment_id: string }>('experiments/create', { name: `${name}-${Date.now()}` })).experiment_id;

  const ingestExperiment = await experiment('bench-ingest');
  const acknowledged = new Map<string, number>();
  log(`${server.name}: ingest, 4 writers, ${quick ? 2 : 3} rounds`);
  workloads.push(await measureWorkload(ctx, 'log-batch ingest, 4 writers, 1000 points per call', quick ? 2 : 3, () => ingestRound(client, ingestExperiment, quick ? 5 : 10, acknowledged), 'points/s'));
  const checked = await readBack(client, acknowledged);
  log(`${server.name}: read back ${checked.found} of ${checked.expected} acknowledged points`);

  const searchExperiment = await experiment('bench-search');
  const t0 = Date.now() - 10_000_000;
  let seeded = 0;
  for (const size of quick ? [2_000, 10_000] : [20_000, 100_000]) {
    log(`${server.name}: seeding runs ${seeded}..${size}`);
    const started = performance.now();
    if (isModelyard) await seedSearchModelyard(client, searchExperiment, seeded, size, t0);
    else seedMlflow(python, ['runs', searchExperiment, String(size - seeded), String(seeded), String(t0)]);
    log(`${server.name}: seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    seeded = size;
    // What autovacuum's analyze does within a minute or so of a bulk load; not left to chance here.
    await query(urlOf(database), 'analyze');
    await settled([server.pid, postmasterPid()]);
    for (const search of SEARCHES) {
      if (search.modelyardOnly && !isModelyard) continue;
      const body = search.body(searchExperiment, size, t0);
      workloads.push(
        await measureWorkload(ctx, `runs/search over ${size.toLocaleString('en')} runs, ${search.label}, 1000 rows`, repeats, async () => ({
          rows: (await client.post<{ runs?: unknown[] }>('runs/search', body)).runs?.length ?? 0,
          requests: 1,
        })),
      );
    }
  }

  const historyPoints = quick ? 100_000 : 1_000_000;
  const historyRun = await createRun(client, ingestExperiment);
  log(`${server.name}: seeding a ${historyPoints}-point history`);
  if (isModelyard) await logHistoryModelyard(client, historyRun, 'long', historyPoints);
  else seedMlflow(python, ['history', historyRun, 'long', String(historyPoints)]);
  await settled([server.pid, postmasterPid()]);
  workloads.push(
    await measureWorkload(ctx, `full history of ${historyPoints.toLocaleString('en')} points (get-history, pages of 25,000)`, 3, async () => {
      const rows = await fetchWholeHistory(client, historyRun, 'long');
      return { rows, requests: Math.max(1, Math.ceil(rows / 25_000)) };
    }),
  );

  const bulkRuns: string[] = [];
  const perRun = quick ? 1_000 : 10_000;
  log(`${server.name}: seeding 100 runs × ${perRun} points`);
  for (let i = 0; i < 100; i++) bulkRuns.push(await createRun(client, ingestExperiment));
  if (isModelyard) for (const runId of bulkRuns) await logHistoryModelyard(client, runId, 'curve', perRun);
  else for (const runId of bulkRuns) seedMlflow(python, ['history', runId, 'curve', String(perRun)]);
  await settled([server.pid, postmasterPid()]);
  workloads.push(
    await measureWorkload(ctx, `get-history-bulk-interval, 100 runs × ${perRun.toLocaleString('en')} points, 320 per run`, repeats, async () => ({
      rows: (await client.get<{ metrics?: unknown[] }>('metrics/get-history-bulk-interval', { run_ids: bulkRuns, metric_key: 'curve', max_results: 320 })).metrics?.length ?? 0,
      requests: 1,
    })),
  );

  if (isModelyard) {
    const models = quick ? 500 : 5_000;
    log(`${server.name}: registry, seeding ${models} models × 10 versions`);
    await seedRegistry(server, models, 10, log);
    await query(urlOf(database), 'analyze');
    log(`${server.name}: registry seeded; background work settled after ${(await settled([server.pid, postmasterPid()])).toFixed(0)} s`);
    for (const q of registryQueries(server))
      workloads.push(await measureWorkload(ctx, `registry: ${q.label} (${models.toLocaleString('en')} models)`, repeats, async () => ({ rows: await q.run(), requests: 1 })));
  }
  return { name: server.name, workloads, readBack: checked, search: { experimentId: searchExperiment, runs: seeded, t0, historyRun, bulkRuns } };
}

/**
 * The plans of the statements Modelyard runs for each workload, with the actual parameters:
 * auto_explain logs each one's `EXPLAIN (ANALYZE, BUFFERS)` while one call of each runs.
 */
async function capturePlans(server: RunningServer, database: string, work: () => Promise<void>): Promise<string> {
  const settings = ['auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_buffers = on', 'auto_explain.log_nested_statements = on'];
  for (const setting of settings) await query(ADMIN_URL, `alter database ${database} set ${setting}`);
  const logFile = path.join(DIR, 'server.log');
  const from = fs.statSync(logFile).size;
  try {
    await server.restart(); // new connections read the database's settings
    await work();
  } finally {
    await query(ADMIN_URL, `alter database ${database} reset all`);
    await server.restart();
  }
  const text = fs.readFileSync(logFile, 'utf8').slice(from);
  const entries = text.split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/).filter((e) => e.includes('plan:'));
  const seen = new Set<string>();
  const sections: string[] = [];
  for (const entry of entries) {
    // The query text may span lines; the plan starts at the first line with costs.
    const lines = entry.split('\n');
    const textLine = lines.findIndex((l) => l.includes('Query Text:'));
    const planLine = lines.findIndex((l, i) => i > textLine && /\(cost=|\(actual/.test(l));
    if (textLine < 0 || planLine < 0) continue;
    const queryText = [lines[textLine]!.slice(lines[textLine]!.indexOf('Query Text:') + 'Query Text: '.length), ...lines.slice(textLine + 1, planLine)].join('\n');
    const normalized = queryText.replace(/\s+/g, ' ').trim();
    if (!normalized || /^(select pg_|set |show )/i.test(normalized)) continue;
    const key = normalized
      .replace(/\$\d+/g, '?')
      .replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)')
      .slice(0, 200);
    if (seen.has(key)) continue;
    seen.add(key);
    const duration = /duration: ([\d.]+ ms)/.exec(entry)?.[1] ?? '';
    const plan = lines
      .slice(planLine)
      .map((l) => l.replace(/^\t/, ''))
      .join('\n')
      .trimEnd();
    const shown = normalized.length > 700 ? `${normalized.replace(/(\(\$\d+(, \$\d+)*\))(, \(\$\d+(, \$\d+)*\))+/g, '$1, … ').slice(0, 700)} …` : normalized;
    sections.push(`### ${duration}\n\n\`\`\`sql\n${shown}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\``);
  }
  return sections.join('\n\n');
}

/** The heaviest functions of a V8 CPU profile (self time), and the share of time per area. */
function summarizeProfile(file: string): string {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
  const total = profile.samples.length;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const area = (url: string, name: string) => {
    if (name === '(idle)') return 'idle (waiting for PostgreSQL or the client)';
    if (name === '(garbage collector)') return 'garbage collector';
    if (name === '(program)') return 'V8 and native (parsing, compiling, I/O)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return `library ${m[1]}`;
    if (url.startsWith('node:')) return 'Node.js core (HTTP, streams, net)';
    if (url.includes('/dist/')) return 'Modelyard code';
    return url ? url : 'built-in (JSON.parse, string ops)';
  };
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*?(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
  }
  const pct = (n: number) => `${((n / total) * 100).toFixed(1)}%`;
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${pct(v)} |`)
      .join('\n');
  return `Samples: ${total}.\n\n| Area | Share of samples |\n| --- | --- |\n${top(byArea, 12)}\n\n| Function (self time) | Share |\n| --- | --- |\n${top(byFunction, 25)}`;
}

/** A CPU profile of the server (`node --cpu-prof`) while 4 writers log batches, summarised. */
export async function profileIngest(quick: boolean): Promise<string> {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  try {
    const profiled = await startModelyard({ MODELYARD_DATABASE_URL: urlOf(DATABASES.Modelyard) }, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
    try {
      const client = clientFor(profiled);
      const experimentId = (await client.post<{ experiment_id: string }>('experiments/create', { name: `bench-profile-${Date.now()}` })).experiment_id;
      await ingestRound(client, experimentId, quick ? 5 : 10, new Map());
    } finally {
      await profiled.stop();
    }
    const profiles = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    const largest = profiles.map((f) => path.join(profileDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    return largest ? summarizeProfile(largest) : 'no profile written (the server did not exit cleanly)';
  } finally {
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
}

export async function benchPostgres(python: string, options: PostgresBenchOptions): Promise<PostgresBenchResult> {
  const { quick, log } = options;
  // Built once up front: a server started on sources newer than dist/ builds first, and inside
  // the profiled server that build was most of the profile's samples.
  execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();
  postgresScript('stop');
  fs.rmSync(DIR, { recursive: true, force: true });
  postgresScript('start');
  try {
    const postgres = await describePostgres();
    log(`PostgreSQL: ${postgres}`);
    for (const database of Object.values(DATABASES)) {
      await query(ADMIN_URL, `drop database if exists ${database} with (force)`);
      await query(ADMIN_URL, `create database ${database}`);
      await query(urlOf(database), 'create extension if not exists pg_stat_statements');
    }
    const servers: ServerResult[] = [];
    let plans = '';
    const modelyard = await startModelyard({ MODELYARD_DATABASE_URL: urlOf(DATABASES.Modelyard) });
    try {
      const result = await benchServer(modelyard, DATABASES.Modelyard, python, quick, log);
      servers.push(result);
      log('Modelyard: capturing plans');
      const client = clientFor(modelyard);
      const { experimentId, runs, t0, historyRun, bulkRuns } = result.search;
      plans = await capturePlans(modelyard, DATABASES.Modelyard, async () => {
        const runId = await createRun(client, experimentId);
        await client.post('runs/log-batch', batchBody(runId, 0));
        await client.post('runs/log-batch', batchBody(runId, 100));
        for (const search of SEARCHES) await client.post('runs/search', search.body(experimentId, runs, t0));
        await client.get('metrics/get-history', { run_id: historyRun, metric_key: 'long', max_results: 25000 });
        await client.get('metrics/get-history-bulk-interval', { run_ids: bulkRuns, metric_key: 'curve', max_results: 320 });
        for (const q of registryQueries(modelyard)) await q.run();
      });
    } finally {
      await modelyard.stop();
    }
    // SQLAlchemy is told the driver: psycopg2, which bench/requirements-postgres.txt installs.
    const mlflow = await startMlflow(python, urlOf(DATABASES.MLflow).replace('postgres://', 'postgresql+psycopg2://'));
    try {
      servers.push(await benchServer(mlflow, DATABASES.MLflow, python, quick, log));
    } catch (e) {
      log(`MLflow: stopped early: ${(e as Error).message}`);
      servers.push({ name: 'MLflow', workloads: [], readBack: { expected: 0, found: 0 }, search: { experimentId: '', runs: 0, t0: 0, historyRun: '', bulkRuns: [] } });
    } finally {
      await mlflow.stop();
    }
    log('Modelyard: CPU profile under ingest');
    let profile: string;
    try {
      profile = await profileIngest(quick);
    } catch (e) {
      // The measurements above stand without it.
      profile = `no profile: ${(e as Error).message.slice(0, 300)}`;
    }
    const uptimeAfter = execFileSync('uptime', { encoding: 'utf8' }).trim();
    return { postgres, uptimeBefore, uptimeAfter, sizes: quick ? [2_000, 10_000] : [20_000, 100_000], servers, plans, profile };
  } finally {
    postgresScript('stop');
  }
}

/** Median and spread (lowest–highest) of the samples. */
export function spread(w: Workload): string {
  if (w.samples.length === 0) return `failed: ${w.error ?? 'no answer'}`;
  const fmt = (v: number) => (w.unit === 'ms' ? `${v.toFixed(1)} ms` : `${Math.round(v).toLocaleString('en')}/s`);
  if (w.samples.length === 1) return fmt(w.samples[0]!);
  return `${fmt(median(w.samples))} (${fmt(Math.min(...w.samples))}–${fmt(Math.max(...w.samples))}, n=${w.samples.length})`;
}
