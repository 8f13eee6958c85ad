import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { TEST_DIALECT } from '../support/database.ts';

let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('tracker');
  projectId = (await t.createProject(dev.token, 'tracking')).id;
});
afterAll(async () => t?.close());

const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;

async function post(endpoint: string, body: unknown) {
  const res = await t.call({ method: 'POST', url: mlflow(endpoint), token: dev.token, payload: body as Record<string, unknown> });
  if (res.statusCode !== 200) throw new Error(`${endpoint}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function newRun(experimentId = '0', name?: string): Promise<string> {
  return (await post('runs/create', { experiment_id: experimentId, run_name: name, start_time: Date.now() })).run.info.run_id;
}

async function logSeries(runId: string, key: string, values: number[]) {
  for (let start = 0; start < values.length; start += 1000) {
    const metrics = values.slice(start, start + 1000).map((value, i) => ({ key, value: Number.isFinite(value) ? value : String(value), timestamp: 1000 + start + i, step: start + i }));
    await post('runs/log-batch', { run_id: runId, metrics });
  }
}

/** Every point of a metric's history, following the page tokens, `maxResults` per page. */
async function wholeHistory(runId: string, key: string, maxResults: number): Promise<{ step: number; value: unknown }[]> {
  const seen: { step: number; value: unknown }[] = [];
  let token: string | undefined;
  do {
    const url = mlflow(`metrics/get-history?run_id=${runId}&metric_key=${key}&max_results=${maxResults}${token ? `&page_token=${token}` : ''}`);
    const page = (await t.call({ method: 'GET', url, token: dev.token })).json();
    seen.push(...page.metrics);
    token = page.next_page_token;
  } while (token);
  return seen;
}

describe('metric storage', () => {
  it('keeps NaN and ±Infinity exactly and reports the latest value per key', async () => {
    const run = await newRun();
    await post('runs/log-batch', {
      run_id: run,
      metrics: [
        { key: 'a', value: 'NaN', timestamp: 1, step: 0 },
        { key: 'b', value: 'Infinity', timestamp: 1, step: 0 },
        { key: 'c', value: '-Infinity', timestamp: 1, step: 0 },
        { key: 'd', value: 1, timestamp: 5, step: 3 },
        { key: 'd', value: 9, timestamp: 1, step: 2 },
        { key: 'd', value: 7, timestamp: 9, step: 3 },
      ],
    });
    const data = (await t.call({ method: 'GET', url: mlflow(`runs/get?run_id=${run}`), token: dev.token })).json().run.data;
    const byKey = Object.fromEntries(data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]));
    expect(byKey).toEqual({ a: 'NaN', b: 'Infinity', c: '-Infinity', d: 7 });
    const history = (await t.call({ method: 'GET', url: mlflow(`metrics/get-history?run_id=${run}&metric_key=d`), token: dev.token })).json();
    expect(history.metrics.map((m: { step: number; value: number }) => [m.step, m.value])).toEqual([
      [2, 9],
      [3, 1],
      [3, 7],
    ]);
  });

  it('stores an exact duplicate point once, within a batch and across batches, and keeps the rest of the batch', async () => {
    const run = await newRun();
    const point = (step: number, value: number | string) => ({ key: 'dup', value, timestamp: 10, step });
    await post('runs/log-batch', { run_id: run, metrics: [point(0, 1), point(1, 2)] });
    // The second batch repeats a stored point and one of its own, next to new points, a param
    // and a tag: on PostgreSQL it is the batch whose plain insert meets a duplicate and is redone.
    await post('runs/log-batch', {
      run_id: run,
      metrics: [point(1, 2), point(2, 3), point(2, 3), point(3, 'NaN'), point(1, 5)],
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'w' }],
    });
    await post('runs/log-batch', { run_id: run, metrics: [point(3, 'NaN'), point(4, 4)] });
    const history = (await t.call({ method: 'GET', url: mlflow(`metrics/get-history?run_id=${run}&metric_key=dup`), token: dev.token })).json();
    expect(history.metrics.map((m: { step: number; value: number | string }) => [m.step, m.value])).toEqual([
      [0, 1],
      [1, 2],
      [1, 5],
      [2, 3],
      [3, 'NaN'],
      [4, 4],
    ]);
    const data = (await t.call({ method: 'GET', url: mlflow(`runs/get?run_id=${run}`), token: dev.token })).json().run.data;
    expect(data.params).toEqual([{ key: 'p', value: 'v' }]);
    expect(data.tags).toContainEqual({ key: 't', value: 'w' });
    expect(data.metrics).toEqual([{ key: 'dup', value: 4, timestamp: 10, step: 4 }]);
  });

  it('pages a long history with keyset tokens', async () => {
    const run = await newRun();
    await logSeries(
      run,
      'h',
      Array.from({ length: 2500 }, (_, i) => i),
    );
    const seen = await wholeHistory(run, 'h', 1000);
    expect(seen.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it('pages on across a page that ends on ±Infinity or NaN', async () => {
    const run = await newRun();
    await logSeries(run, 'edges', [Infinity, -Infinity, NaN, 1, Infinity, 2]);
    const seen = await wholeHistory(run, 'edges', 1);
    expect(seen.map((m) => m.value)).toEqual(['Infinity', '-Infinity', 'NaN', 1, 'Infinity', 2]);
  });

  it('downsamples from rollups without losing a spike, matching a brute-force min/max', async () => {
    const run = await newRun();
    const values = Array.from({ length: 20_000 }, (_, i) => Math.sin(i / 300) + (i % 7) / 100);
    const spikes = [777, 5_001, 13_333, 19_998];
    for (const s of spikes) values[s] = 100 + s;
    values[9_000] = -100;
    await logSeries(run, 'spiky', values);
    const res = await t.call({ method: 'GET', url: mlflow(`metrics/get-history-bulk-interval?run_ids=${run}&metric_key=spiky&max_results=320`), token: dev.token });
    const points = res.json().metrics as { step: number; value: number; run_id: string }[];
    expect(points.length).toBeLessThanOrEqual(320);
    expect(points.every((p) => p.run_id === run)).toBe(true);
    for (const s of [...spikes, 9_000]) expect(points.find((p) => p.step === s)?.value).toBe(values[s]);
    expect(points[0]!.step).toBe(0);
    expect(points[points.length - 1]!.step).toBe(19_999);
    // Every returned point is a real one.
    for (const p of points) expect(p.value).toBe(values[p.step]);
    // A zoomed window is exact at its edges and keeps the spike inside it.
    const zoom = (
      await t.call({ method: 'GET', url: mlflow(`metrics/get-history-bulk-interval?run_ids=${run}&metric_key=spiky&start_step=4990&end_step=5020&max_results=100`), token: dev.token })
    ).json();
    expect(zoom.metrics.map((p: { step: number }) => p.step)).toEqual(Array.from({ length: 31 }, (_, i) => 4990 + i));
    const native = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/metrics/series?run_id=${run}&key=spiky&max_points=200&start_step=100&end_step=15000`, token: dev.token });
    const series = native.json().series[0].points as { step: number; value: number }[];
    expect(series.length).toBeLessThanOrEqual(202);
    for (const s of [777, 5_001, 13_333, 9_000]) expect(series.some((p) => p.step === s)).toBe(true);
    expect(series.every((p) => p.step >= 100 && p.step <= 15000)).toBe(true);
  });
});

describe('the native metric series', () => {
  it('answers 304 to a client that has the series, and 200 with the new point once one is logged', async () => {
    const run = await newRun();
    await logSeries(run, 'live', [0.9, 0.8, 0.7]);
    const url = `/api/v4/projects/${projectId}/ml/metrics/series?run_id=${run}&key=live&max_points=1000`;
    const first = await t.call({ method: 'GET', url, token: dev.token });
    expect(first.statusCode).toBe(200);
    const tag = String(first.headers.etag);
    expect(tag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('private, no-cache');

    const again = await t.call({ method: 'GET', url, token: dev.token, headers: { 'if-none-match': tag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(tag);

    await post('runs/log-metric', { run_id: run, key: 'live', value: 0.6, timestamp: 5000, step: 3 });
    const after = await t.call({ method: 'GET', url, token: dev.token, headers: { 'if-none-match': tag } });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(tag);
    expect(after.json().series[0].points.map((p: { step: number }) => p.step)).toEqual([0, 1, 2, 3]);
  });

  it('does not answer 304 to a tag it did not give, or to a reader of another series', async () => {
    const run = await newRun();
    await logSeries(run, 'a', [1, 2]);
    await logSeries(run, 'b', [1, 2]);
    const url = (key: string) => `/api/v4/projects/${projectId}/ml/metrics/series?run_id=${run}&key=${key}`;
    const tagOfA = String((await t.call({ method: 'GET', url: url('a'), token: dev.token })).headers.etag);
    expect((await t.call({ method: 'GET', url: url('a'), token: dev.token, headers: { 'if-none-match': '"something-else"' } })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: url('a'), token: dev.token, headers: { 'if-none-match': `"x", W/${tagOfA}` } })).statusCode).toBe(304);
    expect((await t.call({ method: 'GET', url: url('b'), token: dev.token, headers: { 'if-none-match': tagOfA } })).statusCode).toBe(200);
  });
});

describe('bulk-interval answers', () => {
  it('write NaN, ±Infinity and every run exactly as proto-JSON', async () => {
    const [a, b] = [await newRun(), await newRun()];
    await logSeries(a, 'odd key/x:1', [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.25]);
    await logSeries(b, 'odd key/x:1', [42]);
    const res = await t.call({
      method: 'GET',
      url: mlflow(`metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=${encodeURIComponent('odd key/x:1')}&max_results=10`),
      token: dev.token,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().metrics).toEqual([
      { key: 'odd key/x:1', value: 1.5, timestamp: 1000, step: 0, run_id: a },
      { key: 'odd key/x:1', value: 'NaN', timestamp: 1001, step: 1, run_id: a },
      { key: 'odd key/x:1', value: 'Infinity', timestamp: 1002, step: 2, run_id: a },
      { key: 'odd key/x:1', value: '-Infinity', timestamp: 1003, step: 3, run_id: a },
      { key: 'odd key/x:1', value: -0.25, timestamp: 1004, step: 4, run_id: a },
      { key: 'odd key/x:1', value: 42, timestamp: 1000, step: 0, run_id: b },
    ]);
  });
});

describe('downsampling many runs at once', () => {
  it('gives each run exactly what the one-run path gives', async () => {
    const { downsampledSeries } = await import('../../src/tracking/metrics/metric-history.ts');
    const { downsampledSeriesOfRuns } = await import('../../src/tracking/metrics/metric-series-batch.ts');
    // 900 and 1 100 are medium: longer than the 320 points asked for, too short for buckets of 16.
    const lengths = [5, 300, 2_000, 7_777, 12_000, 900, 1_100];
    const ids: number[] = [];
    for (const [i, n] of lengths.entries()) {
      const run = await newRun();
      const values = Array.from({ length: n }, (_, s) => Math.cos(s / (40 + i)) + (s % 977 === 3 ? 9 : 0));
      if (i === 3) values[n - 1] = Number.NaN; // a NaN last point takes the one-run path
      if (i === 2 || i === 6) for (let s = 0; s < n; s++) values[s] = Math.round(values[s]! * 2) / 2; // plateaus: ties must resolve alike
      if (i === 4) [values[5_000], values[9_000]] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]; // survive the packed read
      await logSeries(run, 'shape', values);
      ids.push((await t.services.database.db.selectFrom('runs').select('id').where('uuid', '=', run).executeTakeFirstOrThrow()).id);
    }
    const db = t.services.database.db;
    const dialect = t.services.database.dialect;
    const batch = await downsampledSeriesOfRuns(db, dialect, ids, 'shape', 320);
    for (const [i, id] of ids.entries()) {
      const single = await downsampledSeries(db, id, 'shape', { maxPoints: 320 });
      expect(batch.get(id), `run ${id}`).toEqual(single);
      if (lengths[i]! > 320) expect(single.length, `run ${id}`).toBeLessThanOrEqual(320);
    }
    // An extreme in a partial bucket at the edge of the rollups, next to a boundary of the
    // answer's buckets: steps 1-100, value = step, but -5 at step 10 and -10 at step 12. Asked
    // for 22 points, buckets of 16 are read and steps 1-15 are the edge; the answer's first
    // bucket (steps 1-10) must hold its maximum (step 9) and minimum (step 10) after the first
    // point, on both paths.
    const edgeRun = await newRun();
    await post('runs/log-batch', {
      run_id: edgeRun,
      metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'edge', value: i + 1 === 10 ? -5 : i + 1 === 12 ? -10 : i + 1, timestamp: 1, step: i + 1 })),
    });
    const edgeId = (await db.selectFrom('runs').select('id').where('uuid', '=', edgeRun).executeTakeFirstOrThrow()).id;
    const edgeSingle = await downsampledSeries(db, edgeId, 'edge', { maxPoints: 22 });
    expect((await downsampledSeriesOfRuns(db, dialect, [edgeId], 'edge', 22)).get(edgeId)).toEqual(edgeSingle);
    expect(edgeSingle.filter((p) => p.step <= 10).map((p) => p.step)).toEqual([1, 9, 10]);
    // A medium series keeps its spike (step 3 of every 977) and both ends.
    const medium = batch.get(ids[5]!)!;
    expect(medium.some((p) => p.step === 3 && p.value > 9)).toBe(true);
    expect([medium[0]!.step, medium[medium.length - 1]!.step]).toEqual([0, 899]);
  });
});

describe('run search', () => {
  it('supports OR, parentheses and sorting on both dialects', async () => {
    const experimentId = (await post('experiments/create', { name: 'search-or' })).experiment_id;
    for (let i = 0; i < 5; i++) {
      const run = await newRun(experimentId, `r${i}`);
      await post('runs/log-batch', { run_id: run, metrics: [{ key: 'score', value: i, timestamp: 1, step: 0 }], params: [{ key: 'kind', value: i % 2 ? 'odd' : 'even' }] });
    }
    const search = async (filter: string, orderBy: string[] = ['metrics.score ASC']) =>
      (await post('runs/search', { experiment_ids: [experimentId], filter, order_by: orderBy })).runs?.map((r: { info: { run_name: string } }) => r.info.run_name) ?? [];
    expect(await search("params.kind = 'odd' OR metrics.score = 4")).toEqual(['r1', 'r3', 'r4']);
    expect(await search("(params.kind = 'odd' OR metrics.score = 4) AND metrics.score > 1")).toEqual(['r3', 'r4']);
    expect(await search("params.kind LIKE 'EV%'")).toEqual([]);
    expect(await search("params.kind ILIKE 'EV%'")).toEqual(['r0', 'r2', 'r4']);
    expect(await search('', ['params.kind DESC', 'metrics.score DESC'])).toEqual(['r3', 'r1', 'r4', 'r2', 'r0']);
    const native = await t.call({
      method: 'GET',
      url: `/api/v4/projects/${projectId}/ml/runs?experiment_id=${experimentId}&filter=${encodeURIComponent('metrics.score >= 3')}&order_by=${encodeURIComponent('metrics.score DESC')}`,
      token: dev.token,
    });
    expect(native.json().runs.map((r: { name: string }) => r.name)).toEqual(['r4', 'r3']);
  });
});

describe('a page of many runs', () => {
  it('reads the params of 950 runs in one statement on PostgreSQL (one per 900 runs on SQLite), each run with its own', async () => {
    const experimentId = (await post('experiments/create', { name: 'many-runs' })).experiment_id;
    const first = await newRun(experimentId, 'copy-0');
    const db = t.services.database.db;
    const template = await db.selectFrom('runs').selectAll().where('uuid', '=', first).executeTakeFirstOrThrow();
    const { id: _id, ...columns } = template;
    for (let from = 1; from < 950; from += 200) {
      const copies = Array.from({ length: Math.min(200, 950 - from) }, (_, i) => ({
        ...columns,
        uuid: `${first.slice(0, 24)}${String(from + i).padStart(8, '0')}`,
        name: `copy-${from + i}`,
        start_time: columns.start_time - (from + i),
      }));
      await db.insertInto('runs').values(copies).execute();
    }
    const runs = await db.selectFrom('runs').select(['id', 'name']).where('experiment_id', '=', template.experiment_id).execute();
    await db
      .insertInto('run_params')
      .values(runs.map((r) => ({ run_id: r.id, key: 'name', value: r.name })))
      .execute();

    const executeQuery = vi.spyOn(db.getExecutor(), 'executeQuery');
    const answer = await post('runs/search', { experiment_ids: [experimentId], max_results: 1000 });
    // PostgreSQL reads them through one lateral lookup per id (src/db/rows-of-ids.ts), SQLite by chunks of ids.
    const paramReads = executeQuery.mock.calls.filter(([query]) => query.sql.startsWith('select * from "run_params"') || query.sql.includes('lateral (select * from "run_params"')).length;
    executeQuery.mockRestore();

    expect(answer.runs).toHaveLength(950);
    expect(paramReads).toBe(TEST_DIALECT === 'postgres' ? 1 : 2);
    for (const run of answer.runs as { info: { run_name: string }; data: { params: { key: string; value: string }[] } }[]) expect(run.data.params).toEqual([{ key: 'name', value: run.info.run_name }]);
  });
});

describe('run search pages', () => {
  it('ends with no token when a page sorted by a metric holds exactly the last runs, so a count is exact', async () => {
    const experimentId = (await post('experiments/create', { name: 'exactly-three' })).experiment_id;
    for (let i = 0; i < 3; i++) {
      const run = await newRun(experimentId, `e${i}`);
      await post('runs/log-batch', { run_id: run, metrics: [{ key: 'score', value: i, timestamp: 1, step: 0 }] });
    }
    const page = async (orderBy: string) =>
      (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs?experiment_id=${experimentId}&max_results=3&order_by=${encodeURIComponent(orderBy)}`, token: dev.token })).json();
    for (const orderBy of ['metrics.score DESC', 'params.missing ASC']) {
      const answer = await page(orderBy);
      expect([answer.runs.length, answer.next_page_token], orderBy).toEqual([3, null]);
    }
    // A run without the metric sorts after the others: the full page still leads to it.
    const last = await newRun(experimentId, 'no-score');
    const first = await page('metrics.score DESC');
    expect([first.runs.length, typeof first.next_page_token]).toEqual([3, 'string']);
    const rest = (
      await t.call({
        method: 'GET',
        url: `/api/v4/projects/${projectId}/ml/runs?experiment_id=${experimentId}&max_results=3&order_by=${encodeURIComponent('metrics.score DESC')}&page_token=${first.next_page_token}`,
        token: dev.token,
      })
    ).json();
    expect([rest.runs.map((r: { id: string }) => r.id), rest.next_page_token]).toEqual([[last], null]);
  });
});

describe("a run's user", () => {
  it('is the signed-in caller when the client sends MLflow\'s placeholder "unknown" (MlflowClient.create_run), and as given otherwise', async () => {
    const userOf = async (userId?: string) => (await post('runs/create', { experiment_id: '0', user_id: userId, start_time: 1 })).run.info.user_id;
    expect(await userOf('unknown')).toBe('tracker');
    expect(await userOf(undefined)).toBe('tracker');
    expect(await userOf('alice')).toBe('alice');
  });
});

describe('native tracking API', () => {
  it('lists experiments, gets and deletes runs', async () => {
    const list = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/experiments?per_page=100`, token: dev.token });
    expect(list.statusCode).toBe(200);
    expect(Number(list.headers['x-total'])).toBeGreaterThanOrEqual(2);
    expect(list.json().some((e: { is_default: boolean }) => e.is_default)).toBe(true);
    const run = await newRun();
    await post('runs/log-batch', { run_id: run, params: [{ key: 'p', value: 'v' }], metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] });
    const got = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs/${run}`, token: dev.token });
    expect(got.json()).toMatchObject({ id: run, params: { p: 'v' }, metrics: [{ key: 'm', value: 'NaN' }], lifecycle_stage: 'active' });
    const history = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs/${run}/metrics/m/history`, token: dev.token });
    expect(history.json().points).toEqual([{ step: 0, timestamp: 1, value: 'NaN' }]);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/ml/runs/${run}`, token: dev.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs/${run}`, token: dev.token })).json().lifecycle_stage).toBe('deleted');
  });

  it('gets one experiment, and deletes it with its runs but never the default one', async () => {
    const experimentId = (await post('experiments/create', { name: 'native-doomed', tags: [{ key: 'team', value: 'vision' }] })).experiment_id;
    const run = await newRun(experimentId);
    const native = `/api/v4/projects/${projectId}/ml/experiments/${experimentId}`;
    const got = await t.call({ method: 'GET', url: native, token: dev.token });
    expect(got.json()).toEqual({
      id: Number(experimentId),
      name: 'native-doomed',
      is_default: false,
      lifecycle_stage: 'active',
      artifact_location: `mlflow-artifacts:/${experimentId}`,
      creation_time: expect.any(Number),
      last_update_time: expect.any(Number),
      tags: { team: 'vision' },
    });
    expect((await t.call({ method: 'DELETE', url: native, token: dev.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: native, token: dev.token })).json().lifecycle_stage).toBe('deleted');
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs/${run}`, token: dev.token })).json().lifecycle_stage).toBe('deleted');
    const again = await t.call({ method: 'DELETE', url: native, token: dev.token });
    expect(again.json()).toEqual({ message: `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.` });
    const listed = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/experiments?per_page=100`, token: dev.token })).json();
    const defaultId = listed.find((e: { is_default: boolean }) => e.is_default).id;
    const refused = await t.call({ method: 'DELETE', url: `/api/v4/projects/${projectId}/ml/experiments/${defaultId}`, token: dev.token });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ message: 'Cannot delete the default experiment of a project.' });
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/experiments/999999`, token: dev.token })).json()).toEqual({ message: 'No Experiment with id=999999 exists' });
  });

  it("answers tracking's named errors with the texts MLflow's clients know", async () => {
    const failing = async (endpoint: string, body: unknown) => {
      const res = await t.call({ method: 'POST', url: mlflow(endpoint), token: dev.token, payload: body as Record<string, unknown> });
      return { status: res.statusCode, ...(res.json() as { error_code: string; message: string }) };
    };
    const byName = await t.call({ method: 'GET', url: mlflow('experiments/get-by-name?experiment_name=no-such-experiment'), token: dev.token });
    expect(byName.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'no-such-experiment'" });
    await post('experiments/create', { name: 'named-errors' });
    expect(await failing('experiments/create', { name: 'named-errors' })).toEqual({ status: 400, error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Experiment(name=named-errors) already exists.' });
    const missingRun = 'e'.repeat(32);
    expect(await failing('runs/delete-tag', { run_id: missingRun, key: 'k' })).toEqual({ status: 404, error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${missingRun} not found` });
    const run = await newRun();
    expect(await failing('runs/delete-tag', { run_id: run, key: 'absent' })).toEqual({ status: 404, error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No tag with name: absent in run with id ${run}` });
    expect(await failing('experiments/delete-experiment-tag', { experiment_id: '0', key: 'absent' })).toMatchObject({
      status: 404,
      message: expect.stringMatching(/^No tag with name: absent in experiment with id \d+ Not Found$/),
    });
    const model = (await post('logged-models', { experiment_id: '0', name: 'lm' })).model.info.model_id;
    const deleteModelTag = await t.call({ method: 'DELETE', url: mlflow(`logged-models/${model}/tags/absent`), token: dev.token });
    expect(deleteModelTag.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No tag with key 'absent' on logged model '${model}'` });
    expect(await failing('runs/log-batch', { run_id: run, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0, model_id: 'm-absent' }] })).toEqual({
      status: 404,
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Logged model with ID 'm-absent' not found.",
    });
    await post('runs/delete', { run_id: run });
    expect(await failing('runs/log-batch', { run_id: run, params: [{ key: 'p', value: 'v' }] })).toEqual({
      status: 400,
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `The run ${run} must be in the 'active' state. Current state is deleted.`,
    });
  });

  it('fetches many runs by id in one request, in the order asked, and refuses mixed or unknown ids', async () => {
    const ids = [await newRun(), await newRun(), await newRun()];
    await post('runs/log-batch', { run_id: ids[1], params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 3 }] });
    const asked = [ids[2]!, ids[0]!, ids[1]!, ids[2]!];
    const url = (list: string[], extra = '') => `/api/v4/projects/${projectId}/ml/runs?${list.map((id) => `run_id=${id}`).join('&')}${extra}`;
    const res = await t.call({ method: 'GET', url: url(asked), token: dev.token });
    expect(res.statusCode).toBe(200);
    expect(res.json().runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(res.json().runs[2]).toMatchObject({ params: { lr: '0.1' }, metrics: [{ key: 'loss', value: 0.5, step: 3 }] });
    // One unknown id, or one from another project, fails the whole request like a single GET.
    const other = await t.createProject(dev.token, 'tracking-batch-other');
    const foreign = (await t.call({ method: 'POST', url: `/api/v4/projects/${other.id}/ml/mlflow/api/2.0/mlflow/runs/create`, token: dev.token, payload: { experiment_id: '0' } })).json().run.info
      .run_id;
    expect((await t.call({ method: 'GET', url: url([ids[0]!, foreign]), token: dev.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: url([ids[0]!, 'f'.repeat(32)]), token: dev.token })).statusCode).toBe(404);
    const mixed = await t.call({ method: 'GET', url: url([ids[0]!], '&experiment_id=1'), token: dev.token });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().message).toMatch(/run_id lists runs by id/);
    const neither = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs`, token: dev.token });
    expect(neither.statusCode).toBe(400);
    expect(neither.json().message).toMatch(/experiment_id .* or run_id/);
    expect((await t.call({ method: 'GET', url: url(Array.from({ length: 101 }, () => ids[0]!)), token: dev.token })).statusCode).toBe(400);
  });

  it('keeps projects apart: a run id from another project is not found', async () => {
    const other = await t.createProject(dev.token, 'tracking-other');
    const run = await newRun();
    const res = await t.call({ method: 'GET', url: `/api/v4/projects/${other.id}/ml/mlflow/api/2.0/mlflow/runs/get?run_id=${run}`, token: dev.token });
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('removes every metric point when a project is deleted', async () => {
    const doomed = await t.createProject(dev.token, 'tracking-doomed');
    const base = `/api/v4/projects/${doomed.id}/ml/mlflow/api/2.0/mlflow`;
    const run = (await t.call({ method: 'POST', url: `${base}/runs/create`, token: dev.token, payload: { experiment_id: '0' } })).json().run.info.run_id;
    await t.call({ method: 'POST', url: `${base}/runs/log-batch`, token: dev.token, payload: { run_id: run, metrics: [{ key: 'x', value: 1, timestamp: 1, step: 0 }] } });
    const count = async () =>
      Number(
        (
          await t.services.database.db
            .selectFrom('metrics')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect((await t.call({ method: 'DELETE', url: `/api/v4/projects/${doomed.id}`, token: dev.token })).statusCode).toBe(202);
    expect(await count()).toBe(before - 1);
  });
});

describe("a run's logged models", () => {
  const loggedModel = async (experimentId: string, name: string, sourceRunId?: string): Promise<{ id: string; artifactUri: string }> => {
    const info = (await post('logged-models', { experiment_id: experimentId, name, source_run_id: sourceRunId })).model.info;
    return { id: info.model_id, artifactUri: info.artifact_uri };
  };
  const listed = (runId: string) => t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs/${runId}/logged_models`, token: dev.token });

  it('lists the models naming the run as their source and those it recorded as outputs, with where their files are', async () => {
    const experimentId = (await post('experiments/create', { name: 'logged-models-of-a-run' })).experiment_id as string;
    const run = await newRun(experimentId);
    const other = await newRun(experimentId);
    const own = await loggedModel(experimentId, 'own', run);
    const output = await loggedModel(experimentId, 'output-only');
    await loggedModel(experimentId, 'elsewhere', other);
    await post('runs/outputs', { run_id: run, models: [{ model_id: output.id, step: 3 }] });
    const res = await listed(run);
    expect(res.statusCode, res.body).toBe(200);
    const models = res.json() as { id: string; name: string; artifact_uri: string; status: string }[];
    expect(models.map((m) => [m.id, m.name, m.artifact_uri, m.status])).toEqual([
      [own.id, 'own', own.artifactUri, 'LOGGED_MODEL_PENDING'],
      [output.id, 'output-only', output.artifactUri, 'LOGGED_MODEL_PENDING'],
    ]);
    expect(own.artifactUri.endsWith(`/models/${own.id}/artifacts`)).toBe(true);
  });

  it('answers 404 for a run the project does not hold', async () => {
    const res = await listed('0'.repeat(32));
    expect(res.statusCode).toBe(404);
  });
});
