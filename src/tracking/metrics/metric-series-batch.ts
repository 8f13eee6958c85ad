import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../db/database.ts';
import { packedRows, unpackRows } from '../../db/json-aggregate.ts';
import type { Schema } from '../../db/schema.ts';
import { downsampledSeries, minMaxBuckets, toPoint, withEnds, type Row } from './metric-history.ts';
import type { MetricPoint } from './metric-point.ts';
import { bucketWidth, ROLLUP_LEVELS } from './rollup-levels.ts';

type RunRow = Row & { run_id: number };

const CHUNK = 100;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Several independent range reads in one statement, so 100 runs cost one round trip, not 100.
 * PostgreSQL takes the ranges as arrays and joins each to its index scan (`lateral`): a UNION
 * of 100 members cost it more to parse and plan (about 15 ms for 100 runs' first points and
 * 200 edges) than to run. SQLite plans a UNION in a fraction of that and has no arrays.
 */
async function rangesOf(db: Kysely<Schema>, dialect: Dialect, key: string, ranges: { runId: number; from: number; to: number }[]): Promise<RunRow[]> {
  const wanted = ranges.filter((r) => r.from <= r.to);
  if (wanted.length === 0) return [];
  if (dialect === 'postgres') {
    const { rows } = await sql<RunRow>`select m.run_id, m.step, m.timestamp, m.value, m.is_nan
      from unnest(${wanted.map((r) => r.runId)}::int8[], ${wanted.map((r) => r.from)}::int8[], ${wanted.map((r) => r.to)}::int8[]) as r(run_id, step_from, step_to)
      cross join lateral (select run_id, step, timestamp, value, is_nan from metrics
        where run_id = r.run_id and key = ${key} and step >= r.step_from and step <= r.step_to) as m`.execute(db);
    return rows;
  }
  const out: RunRow[] = [];
  for (const part of chunks(wanted)) {
    const members = part.map((r) => sql`select run_id, step, timestamp, value, is_nan from metrics where run_id = ${r.runId} and key = ${key} and step >= ${r.from} and step <= ${r.to}`);
    out.push(...(await sql<RunRow>`${sql.join(members, sql` union all `)}`.execute(db)).rows);
  }
  return out;
}

/** The first point of each run's series (one index probe per run, batched as `rangesOf` is). */
async function firstRows(db: Kysely<Schema>, dialect: Dialect, key: string, runIds: number[]): Promise<Map<number, RunRow>> {
  const out = new Map<number, RunRow>();
  if (dialect === 'postgres') {
    const { rows } = await sql<RunRow>`select f.run_id, f.step, f.timestamp, f.value, f.is_nan from unnest(${runIds}::int8[]) as r(run_id)
      cross join lateral (select run_id, step, timestamp, value, is_nan from metrics where run_id = r.run_id and key = ${key} order by step asc, timestamp asc limit 1) as f`.execute(db);
    for (const row of rows) out.set(Number(row.run_id), row);
    return out;
  }
  for (const part of chunks(runIds)) {
    const members = part.map(
      (runId, i) =>
        sql`select * from (select run_id, step, timestamp, value, is_nan from metrics where run_id = ${runId} and key = ${key} order by step asc, timestamp asc limit 1) as ${sql.raw(`f${i}`)}`,
    );
    for (const row of (await sql<RunRow>`${sql.join(members, sql` union all `)}`.execute(db)).rows) out.set(Number(row.run_id), row);
  }
  return out;
}

const POINT_COLUMNS = ['step', 'timestamp', 'value', 'is_nan'] as const;

/**
 * Whole series of many runs, packed one value per run (see `packedRows`): short and medium
 * series are read whole, up to about four times the points asked for each, and 100 runs of
 * them as separate rows cost more to materialize than to find.
 */
async function wholeSeries(db: Kysely<Schema>, dialect: Dialect, key: string, runIds: number[]): Promise<Map<number, Row[]>> {
  const out = new Map<number, Row[]>();
  for (const part of chunks(runIds)) {
    const { rows } = await sql<{ run_id: number; packed: unknown }>`select run_id, ${packedRows(dialect, POINT_COLUMNS)} as packed
      from metrics where run_id in (${sql.join(part)}) and key = ${key} group by run_id`.execute(db);
    for (const row of rows)
      out.set(
        Number(row.run_id),
        unpackRows(row.packed).map(([step, timestamp, value, is_nan]) => ({ step: step!, timestamp: timestamp!, value: value!, is_nan: is_nan! })),
      );
  }
  return out;
}

// The bucket number is not read: both steps of a rollup lie in its bucket, so it is floor(min_step / width).
const ROLLUP_COLUMNS = ['min_step', 'min_value', 'min_timestamp', 'max_step', 'max_value', 'max_timestamp'] as const;

/** One level's rollups of many runs, packed one value per run (see `packedRows`), in no particular order. */
async function packedRollups(db: Kysely<Schema>, dialect: Dialect, key: string, level: number, runIds: number[]): Promise<Map<number, number[][]>> {
  const out = new Map<number, number[][]>();
  for (const part of chunks(runIds)) {
    const { rows } = await sql<{ run_id: number; packed: unknown }>`select run_id, ${packedRows(dialect, ROLLUP_COLUMNS)} as packed
      from metric_rollups where run_id in (${sql.join(part)}) and key = ${key} and level = ${level} group by run_id`.execute(db);
    for (const row of rows) out.set(Number(row.run_id), unpackRows(row.packed));
  }
  return out;
}

interface Plan {
  runId: number;
  from: number;
  to: number;
  first: MetricPoint | undefined;
  last: MetricPoint | undefined;
  level?: number;
  /** Longer than the points asked for, shorter than the coarsest rollup level needs. */
  medium?: boolean;
  firstFull?: number;
  lastFull?: number;
}

/**
 * The downsampled series of one metric for many runs over their whole range, in a handful of
 * statements whatever the number of runs: bounds (first points in one UNION, last points from
 * latest_metrics), rollups per level for all runs at once, and the raw edges in one UNION.
 * Produces what `downsampledSeries` produces for each run.
 */
export async function downsampledSeriesOfRuns(db: Kysely<Schema>, dialect: Dialect, runIds: number[], key: string, maxPoints: number): Promise<Map<number, MetricPoint[]>> {
  const result = new Map<number, MetricPoint[]>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return result;
  const point = toPoint(key);
  const [firsts, lasts] = await Promise.all([
    firstRows(db, dialect, key, runIds),
    db.selectFrom('latest_metrics').select(['run_id', 'step', 'timestamp', 'value', 'is_nan']).where('run_id', 'in', runIds).where('key', '=', key).execute(),
  ]);
  const lastBy = new Map(lasts.map((r) => [r.run_id, r]));
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const plans: Plan[] = [];
  const slow: number[] = [];
  for (const runId of runIds) {
    const first = firsts.get(runId);
    const last = lastBy.get(runId);
    if (!first || !last) continue;
    const plan: Plan = { runId, from: first.step, to: last.step, first: first.is_nan ? undefined : point(first), last: last.is_nan ? undefined : point(last) };
    const span = plan.to - plan.from + 1;
    if (span > maxPoints) {
      if (!plan.first || !plan.last) {
        slow.push(runId);
        continue;
      }
      plan.level = [...ROLLUP_LEVELS].reverse().find((l) => span / bucketWidth(l) >= buckets / 2);
      // Too short for the coarsest rollup level: read whole and reduced below, like a short one.
      if (plan.level === undefined) {
        plan.medium = true;
        plans.push(plan);
        continue;
      }
      const width = bucketWidth(plan.level);
      plan.firstFull = Math.ceil(plan.from / width);
      plan.lastFull = Math.floor((plan.to + 1) / width) - 1;
    }
    plans.push(plan);
  }
  // Raw reads: whole short and medium series, and the partial buckets at the edges of long ones.
  const raw: { runId: number; from: number; to: number }[] = [];
  const whole: number[] = [];
  for (const p of plans) {
    if (p.level === undefined) whole.push(p.runId);
    else {
      const width = bucketWidth(p.level);
      raw.push({ runId: p.runId, from: p.from, to: Math.min(p.to, p.firstFull! * width - 1) });
      raw.push({ runId: p.runId, from: Math.max(p.from, (p.lastFull! + 1) * width), to: p.to });
    }
  }
  const levels = [...new Set(plans.map((p) => p.level).filter((l): l is number => l !== undefined))];
  const [wholeRows, rawRows, ...rollupSets] = await Promise.all([
    wholeSeries(db, dialect, key, whole),
    rangesOf(db, dialect, key, raw),
    ...levels.map((level) =>
      packedRollups(
        db,
        dialect,
        key,
        level,
        plans.filter((p) => p.level === level).map((p) => p.runId),
      ),
    ),
  ]);
  const candidates = new Map<number, MetricPoint[]>(plans.map((p) => [p.runId, []]));
  for (const row of rawRows) candidates.get(Number(row.run_id))?.push(point(row));
  for (const [runId, rows] of wholeRows) candidates.get(runId)?.push(...rows.map(point));
  const planBy = new Map(plans.map((p) => [p.runId, p]));
  for (const set of rollupSets) {
    for (const [runId, rollups] of set) {
      const plan = planBy.get(runId);
      if (!plan) continue;
      const list = candidates.get(runId)!;
      const width = bucketWidth(plan.level!);
      // Bucketing by step below makes the rollups' order irrelevant.
      for (const [minStep, minValue, minTimestamp, maxStep, maxValue, maxTimestamp] of rollups) {
        const bucket = Math.floor(minStep! / width);
        if (bucket < plan.firstFull! || bucket > plan.lastFull!) continue;
        list.push({ key, step: minStep!, timestamp: minTimestamp!, value: minValue! }, { key, step: maxStep!, timestamp: maxTimestamp!, value: maxValue! });
      }
    }
  }
  for (const plan of plans) {
    const points = candidates.get(plan.runId)!;
    if (plan.medium) {
      points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      result.set(plan.runId, withEnds(minMaxBuckets(points, plan.from, plan.to, buckets), plan.first, plan.last));
    } else if (plan.level === undefined) {
      points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
      result.set(plan.runId, points.length <= maxPoints ? points : withEnds(minMaxBuckets(points, plan.from, plan.to, buckets), points[0], points[points.length - 1]));
    } else {
      result.set(plan.runId, withEnds(minMaxBuckets(points, plan.from, plan.to, buckets), plan.first, plan.last));
    }
  }
  // Long series with NaN at an end take the per-run path.
  for (const runId of slow) result.set(runId, await downsampledSeries(db, runId, key, { maxPoints }));
  return result;
}
