import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { MlflowHttp, median, pool, timed } from './http.ts';
import { BENCH_TOKEN, type RunningServer } from './servers.ts';

export interface TrackingResult {
  /** Workloads that gave no answer (the client gives up after `REQUEST_TIMEOUT_MS`). */
  failures: string[];
  searchSamples: number;
  ingestPointsPerSecond: number;
  searchMedianMs: number;
  searchRows: number;
  historyMs: number;
  historyPoints: number;
  bulkMedianMs: number;
  bulkPoints: number;
  seedNote: string;
}

export interface TrackingOptions {
  python: string;
  ingestSeconds: number;
  searchRuns: number;
  historyPoints: number;
  bulkRuns: number;
  bulkPointsPerRun: number;
  repeats: number;
}

/**
 * Runs a measurement `repeats` times, or fewer once `budgetMs` is spent (one slow server must
 * not hold the benchmark for an hour); always at least once.
 */
export async function measure<T>(repeats: number, budgetMs: number, work: () => Promise<T>): Promise<{ times: number[]; last: T }> {
  const times: number[] = [];
  const started = performance.now();
  let last: T;
  do {
    const { ms, result } = await timed(work);
    times.push(ms);
    last = result;
  } while (times.length < repeats && performance.now() - started + times[times.length - 1]! < budgetMs);
  return { times, last };
}

export const KEYS = Array.from({ length: 10 }, (_, i) => `metric_${i}`);

/** One request may take this long; past it the workload is reported as unanswered. */
export const REQUEST_TIMEOUT_MS = 180_000;

export function clientFor(server: RunningServer): MlflowHttp {
  return new MlflowHttp(server.base, server.name === 'Modelyard' ? BENCH_TOKEN : undefined, REQUEST_TIMEOUT_MS);
}

/**
 * Times a workload; when the server gives no answer, logs it, restarts the server (the abandoned
 * request may still hold its database) and reports the time waited as a lower bound.
 */
async function measureOrGiveUp<T>(server: RunningServer, label: string, repeats: number, work: () => Promise<T>, log: (line: string) => void): Promise<{ times: number[]; last: T | undefined }> {
  const started = performance.now();
  try {
    return await measure(repeats, 120_000, work);
  } catch (error) {
    log(`${server.name}: ${label} failed after ${((performance.now() - started) / 1000).toFixed(0)} s: ${(error as Error).message}; restarting it`);
    const waited = performance.now() - started;
    await server.restart();
    return { times: [waited], last: undefined };
  }
}

export async function createRun(client: MlflowHttp, experimentId: string, startTime = Date.now()): Promise<string> {
  const created = await client.post<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, start_time: startTime });
  return created.run.info.run_id;
}

/** One log-batch body: 1000 points, 10 keys × 100 consecutive steps. */
export function batchBody(runId: string, stepOffset: number) {
  const metrics = [];
  const now = Date.now();
  for (let s = 0; s < 100; s++) for (const key of KEYS) metrics.push({ key, value: Math.sin(stepOffset + s) + s / 100, timestamp: now, step: stepOffset + s });
  return { run_id: runId, metrics };
}

/**
 * One ingest round: 4 writers, each logging 1000-point batches to its own run for `seconds`.
 * Returns the rate and what each run was acknowledged, for the read-back check.
 */
export async function ingestRound(client: MlflowHttp, experimentId: string, seconds: number, acknowledged: Map<string, number>): Promise<{ rows: number; requests: number; sample: number }> {
  const runs = await Promise.all([0, 1, 2, 3].map(() => createRun(client, experimentId)));
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let points = 0;
  let requests = 0;
  await Promise.all(
    runs.map(async (runId) => {
      let offset = 0;
      while (performance.now() < deadline) {
        await client.post('runs/log-batch', batchBody(runId, offset));
        offset += 100;
        points += 1000;
        requests++;
        acknowledged.set(runId, offset);
      }
    }),
  );
  return { rows: points, requests, sample: points / ((performance.now() - start) / 1000) };
}

/** 4 concurrent writers, each logging 1000-point batches to its own run, for a fixed time. */
async function ingest(client: MlflowHttp, experimentId: string, seconds: number): Promise<number> {
  return (await ingestRound(client, experimentId, seconds, new Map())).sample;
}

/** Runs [from, to) of the search data: run i starts at t0 + i, with a loss, an accuracy, a param and a tag. */
export async function seedSearchModelyard(client: MlflowHttp, experimentId: string, from: number, to: number, t0: number): Promise<void> {
  await pool(to - from, 8, async (n) => {
    const i = from + n;
    const runId = await createRun(client, experimentId, t0 + i);
    await client.post('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'loss', value: ((i * 7919) % 1000) / 1000, timestamp: t0 + i, step: 0 },
        { key: 'acc', value: ((i * 104729) % 1000) / 1000, timestamp: t0 + i, step: 0 },
      ],
      params: [{ key: 'lr', value: String(i % 10) }],
      tags: [{ key: 'team', value: i % 2 ? 'risk' : 'growth' }],
    });
  });
}

export async function logHistoryModelyard(client: MlflowHttp, runId: string, key: string, points: number): Promise<void> {
  const now = Date.now();
  await pool(Math.ceil(points / 1000), 4, async (b) => {
    const metrics = [];
    for (let step = b * 1000; step < Math.min(points, (b + 1) * 1000); step++) metrics.push({ key, value: ((step * 2654435761) % 10007) / 10007, timestamp: now + step, step });
    await client.post('runs/log-batch', { run_id: runId, metrics });
  });
}

export async function fetchWholeHistory(client: MlflowHttp, runId: string, key: string): Promise<number> {
  let token: string | undefined;
  let count = 0;
  do {
    const page: { metrics?: unknown[]; next_page_token?: string } = await client.get('metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      ...(token ? { page_token: token } : {}),
    });
    count += page.metrics?.length ?? 0;
    token = page.next_page_token;
  } while (token);
  return count;
}

function seedMlflow(python: string, server: RunningServer, args: string[]): void {
  execFileSync(python, [path.resolve('bench/seed_mlflow.py'), args[0]!, path.join(server.dataDir, 'mlflow.db'), ...args.slice(1)], { stdio: 'inherit' });
}

export async function benchTracking(server: RunningServer, options: TrackingOptions, log: (line: string) => void): Promise<TrackingResult> {
  const client = clientFor(server);
  const isModelyard = server.name === 'Modelyard';
  const experimentId = (await client.post<{ experiment_id: string }>('experiments/create', { name: `bench-${Date.now()}` })).experiment_id;

  log(`${server.name}: ingest, 4 writers × ${options.ingestSeconds} s`);
  const ingestPointsPerSecond = await ingest(client, experimentId, options.ingestSeconds);

  const searchExperiment = (await client.post<{ experiment_id: string }>('experiments/create', { name: `bench-search-${Date.now()}` })).experiment_id;
  log(`${server.name}: seeding ${options.searchRuns} runs`);
  const seedStart = performance.now();
  if (isModelyard) await seedSearchModelyard(client, searchExperiment, 0, options.searchRuns, Date.now() - options.searchRuns);
  else seedMlflow(options.python, server, ['runs', searchExperiment, String(options.searchRuns)]);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`${server.name}: seeded in ${seedSeconds.toFixed(1)} s`);

  const searchBody = { experiment_ids: [searchExperiment], filter: 'metrics.loss < 0.5', order_by: ['metrics.acc DESC'], max_results: 1000 };
  log(`${server.name}: search`);
  const search = await measureOrGiveUp(server, 'search', options.repeats, () => client.post<{ runs?: unknown[] }>('runs/search', searchBody), log);
  const searchTimes = search.times;
  const searchRows = search.last?.runs?.length ?? 0;

  log(`${server.name}: history of ${options.historyPoints} points`);
  const historyRun = await createRun(client, experimentId);
  if (isModelyard) await logHistoryModelyard(client, historyRun, 'long', options.historyPoints);
  else seedMlflow(options.python, server, ['history', historyRun, 'long', String(options.historyPoints)]);
  const history = await measureOrGiveUp(server, 'history', 3, () => fetchWholeHistory(client, historyRun, 'long'), log);
  const historyTimes = history.times;
  const historyPoints = history.last ?? 0;

  log(`${server.name}: ${options.bulkRuns} runs × ${options.bulkPointsPerRun} points for bulk-interval`);
  const bulkRuns: string[] = [];
  for (let i = 0; i < options.bulkRuns; i++) bulkRuns.push(await createRun(client, experimentId));
  if (isModelyard) {
    for (const runId of bulkRuns) await logHistoryModelyard(client, runId, 'curve', options.bulkPointsPerRun);
  } else {
    for (const runId of bulkRuns) seedMlflow(options.python, server, ['history', runId, 'curve', String(options.bulkPointsPerRun)]);
  }
  const bulk = await measureOrGiveUp(
    server,
    'bulk-interval',
    options.repeats,
    () => client.get<{ metrics?: unknown[] }>('metrics/get-history-bulk-interval', { run_ids: bulkRuns, metric_key: 'curve', max_results: 320 }),
    log,
  );
  const bulkTimes = bulk.times;
  const bulkPoints = bulk.last?.metrics?.length ?? 0;
  const failed = (times: number[], rows: number) => rows === 0 && times.length === 1;

  return {
    ingestPointsPerSecond,
    searchMedianMs: median(searchTimes),
    searchSamples: searchTimes.length,
    searchRows,
    historyMs: median(historyTimes),
    historyPoints,
    bulkMedianMs: median(bulkTimes),
    bulkPoints,
    failures: [...(failed(searchTimes, searchRows) ? ['search'] : []), ...(failed(historyTimes, historyPoints) ? ['history'] : []), ...(failed(bulkTimes, bulkPoints) ? ['bulk-interval'] : [])],
    seedNote: isModelyard ? `seeded over HTTP (runs/create + log-batch) in ${seedSeconds.toFixed(0)} s` : `seeded directly into its SQLite file in ${seedSeconds.toFixed(0)} s`,
  };
}
