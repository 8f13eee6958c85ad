import type { Kysely } from 'kysely';
import { bulkInsert, bulkInsertTogether, insertSkippingDuplicates, insertsTogether } from '../../db/bulk-insert.ts';
import type { Schema } from '../../db/schema.ts';
import { isNewer, storedValue, type MetricPoint } from './metric-point.ts';
import { bucketWidth, ROLLUP_LEVELS } from './rollup-levels.ts';

const INSERT_CHUNK = 1000;

/** The columns of a point, in `metrics` and in `latest_metrics` alike. */
const POINT_COLUMNS = [
  { name: 'run_id', pgType: 'int8' },
  { name: 'key', pgType: 'text' },
  { name: 'step', pgType: 'int8' },
  { name: 'timestamp', pgType: 'int8' },
  { name: 'value', pgType: 'float8' },
  { name: 'is_nan', pgType: 'int4' },
] as const;

const ROLLUP_COLUMNS = [
  { name: 'run_id', pgType: 'int8' },
  { name: 'key', pgType: 'text' },
  { name: 'level', pgType: 'int4' },
  { name: 'bucket', pgType: 'int8' },
  { name: 'min_step', pgType: 'int8' },
  { name: 'min_value', pgType: 'float8' },
  { name: 'min_timestamp', pgType: 'int8' },
  { name: 'max_step', pgType: 'int8' },
  { name: 'max_value', pgType: 'float8' },
  { name: 'max_timestamp', pgType: 'int8' },
] as const;

/** A newer point replaces a key's latest value: MLflow's order, highest step, then timestamp, then value (NaN lowest). */
const LATEST_ON_CONFLICT = `on conflict (run_id, key) do update set
    step = excluded.step, "timestamp" = excluded."timestamp", value = excluded.value, is_nan = excluded.is_nan
  where excluded.step > latest_metrics.step
    or (excluded.step = latest_metrics.step and excluded."timestamp" > latest_metrics."timestamp")
    or (excluded.step = latest_metrics.step and excluded."timestamp" = latest_metrics."timestamp"
        and (case when excluded.is_nan = 1 then -1e308 else excluded.value end) > (case when latest_metrics.is_nan = 1 then -1e308 else latest_metrics.value end))`;

/** A bucket keeps the lower minimum and the higher maximum of what it held and what arrives. */
const ROLLUP_ON_CONFLICT = `on conflict (run_id, key, level, bucket) do update set
    min_step = case when excluded.min_value < metric_rollups.min_value then excluded.min_step else metric_rollups.min_step end,
    min_timestamp = case when excluded.min_value < metric_rollups.min_value then excluded.min_timestamp else metric_rollups.min_timestamp end,
    min_value = case when excluded.min_value < metric_rollups.min_value then excluded.min_value else metric_rollups.min_value end,
    max_step = case when excluded.max_value > metric_rollups.max_value then excluded.max_step else metric_rollups.max_step end,
    max_timestamp = case when excluded.max_value > metric_rollups.max_value then excluded.max_timestamp else metric_rollups.max_timestamp end,
    max_value = case when excluded.max_value > metric_rollups.max_value then excluded.max_value else metric_rollups.max_value end`;

interface Rollup {
  key: string;
  level: number;
  bucket: number;
  min: MetricPoint;
  max: MetricPoint;
}

/**
 * The extremes of every touched bucket at every level. The finest level is built from the
 * points; each coarser one from the level below (buckets grow by 4), so a batch costs about
 * one pass over its points whatever the number of levels.
 */
export function computeRollups(points: readonly MetricPoint[]): Rollup[] {
  const out: Rollup[] = [];
  const finest = ROLLUP_LEVELS[0];
  const width = bucketWidth(finest);
  const byKey = new Map<string, Map<number, Rollup>>();
  for (const point of points) {
    if (Number.isNaN(point.value)) continue; // NaN has no place in a minimum or maximum
    let buckets = byKey.get(point.key);
    if (!buckets) byKey.set(point.key, (buckets = new Map()));
    const bucket = Math.floor(point.step / width);
    const current = buckets.get(bucket);
    if (!current) buckets.set(bucket, { key: point.key, level: finest, bucket, min: point, max: point });
    else {
      if (point.value < current.min.value) current.min = point;
      if (point.value > current.max.value) current.max = point;
    }
  }
  for (const buckets of byKey.values()) {
    let level: Map<number, Rollup> = buckets;
    for (const rollup of level.values()) out.push(rollup);
    for (const next of ROLLUP_LEVELS.slice(1)) {
      const coarser = new Map<number, Rollup>();
      for (const fine of level.values()) {
        const bucket = Math.floor(fine.bucket / 4);
        const current = coarser.get(bucket);
        if (!current) coarser.set(bucket, { key: fine.key, level: next, bucket, min: fine.min, max: fine.max });
        else {
          if (fine.min.value < current.min.value) current.min = fine.min;
          if (fine.max.value > current.max.value) current.max = fine.max;
        }
      }
      for (const rollup of coarser.values()) out.push(rollup);
      level = coarser;
    }
  }
  return out;
}

type Row = readonly unknown[];

function pointRow(runId: number, point: MetricPoint): Row {
  const stored = storedValue(point.value);
  return [runId, point.key, point.step, point.timestamp, stored.value, stored.is_nan];
}

/** The newest point of each key. */
function latestRows(runId: number, points: readonly MetricPoint[]): Row[] {
  const newest = new Map<string, MetricPoint>();
  for (const point of points) {
    const current = newest.get(point.key);
    if (!current || isNewer(point, current)) newest.set(point.key, point);
  }
  return [...newest.values()].map((p) => pointRow(runId, p));
}

function rollupRows(runId: number, points: readonly MetricPoint[]): Row[] {
  return computeRollups(points).map((r) => [runId, r.key, r.level, r.bucket, r.min.step, r.min.value, r.min.timestamp, r.max.step, r.max.value, r.max.timestamp]);
}

/**
 * Whether {@link writeMetrics} is one statement, atomic without a transaction around it: on
 * PostgreSQL. A batch of metrics alone then needs no `begin` and `commit`.
 */
export function writesMetricsAtOnce(db: Kysely<Schema>): boolean {
  return insertsTogether(db);
}

/**
 * Writes a batch of points for one run: the history (exact duplicates ignored, as MLflow's
 * primary key does), the latest value per key, and the per-bucket extremes that downsampled
 * reads use. Work is aggregated per key in memory first, so a batch costs one insert plus one
 * upsert per key and touched bucket. On PostgreSQL the three are one statement, whatever the
 * batch's size (its rows travel as arrays); on SQLite, three or more in the caller's
 * transaction (its parameters are limited, so rows go in chunks).
 */
export async function writeMetrics(db: Kysely<Schema>, runId: number, points: readonly MetricPoint[]): Promise<void> {
  if (points.length === 0) return;
  const latest = latestRows(runId, points);
  const rollups = rollupRows(runId, points);
  if (insertsTogether(db)) {
    const history = points.map((p) => pointRow(runId, p));
    await insertSkippingDuplicates(db, (onConflict) =>
      bulkInsertTogether(db, [
        { table: 'metrics', columns: POINT_COLUMNS, rows: history, suffix: onConflict },
        { table: 'latest_metrics', columns: POINT_COLUMNS, rows: latest, suffix: LATEST_ON_CONFLICT },
        { table: 'metric_rollups', columns: ROLLUP_COLUMNS, rows: rollups, suffix: ROLLUP_ON_CONFLICT },
      ]),
    );
    return;
  }
  for (let i = 0; i < points.length; i += INSERT_CHUNK) {
    const history = points.slice(i, i + INSERT_CHUNK).map((p) => pointRow(runId, p));
    await bulkInsert(db, 'metrics', POINT_COLUMNS, history, 'on conflict do nothing');
  }
  await bulkInsert(db, 'latest_metrics', POINT_COLUMNS, latest, LATEST_ON_CONFLICT);
  for (let i = 0; i < rollups.length; i += INSERT_CHUNK) await bulkInsert(db, 'metric_rollups', ROLLUP_COLUMNS, rollups.slice(i, i + INSERT_CHUNK), ROLLUP_ON_CONFLICT);
}

/** Removes every point of a project's runs; the metric tables carry no foreign keys, for speed. */
export async function deleteMetricsOfProject(db: Kysely<Schema>, projectId: number): Promise<void> {
  for (const table of ['metrics', 'latest_metrics', 'metric_rollups'] as const) {
    await db
      .deleteFrom(table)
      .where('run_id', 'in', (eb) => eb.selectFrom('runs').select('runs.id').where('runs.project_id', '=', projectId))
      .execute();
  }
}
