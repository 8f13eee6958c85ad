import { sql, type Kysely } from 'kysely';
import { bulkInsert, bulkInsertSkippingDuplicates, type BulkColumn } from '../../db/bulk-insert.ts';
import type { Schema } from '../../db/schema.ts';
import { isNewer, storedValue, type MetricPoint } from './metric-point.ts';
import { bucketWidth, ROLLUP_LEVELS } from './rollup-levels.ts';

const INSERT_CHUNK = 1000;

const POINT_COLUMNS: BulkColumn[] = [
  { name: 'run_id', pgType: 'int8' },
  { name: 'key', pgType: 'text' },
  { name: 'step', pgType: 'int8' },
  { name: 'timestamp', pgType: 'int8' },
  { name: 'value', pgType: 'float8' },
  { name: 'is_nan', pgType: 'int4' },
];

const ROLLUP_COLUMNS: BulkColumn[] = [
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
];

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

/**
 * Writes a batch of points for one run in the caller's transaction: the history (exact
 * duplicates ignored, as MLflow's primary key does), the latest value per key, and the
 * per-bucket extremes that downsampled reads use. Work is aggregated per key in memory first,
 * so a batch costs one insert plus one upsert per key and touched bucket.
 */
export async function writeMetrics(db: Kysely<Schema>, runId: number, points: readonly MetricPoint[]): Promise<void> {
  if (points.length === 0) return;
  for (let i = 0; i < points.length; i += INSERT_CHUNK) {
    const rows = points.slice(i, i + INSERT_CHUNK).map((p) => {
      const stored = storedValue(p.value);
      return [runId, p.key, p.step, p.timestamp, stored.value, stored.is_nan];
    });
    await bulkInsertSkippingDuplicates(db, 'metrics', POINT_COLUMNS, rows);
  }
  await updateLatest(db, runId, points);
  await updateRollups(db, runId, points);
}

async function updateLatest(db: Kysely<Schema>, runId: number, points: readonly MetricPoint[]): Promise<void> {
  const newest = new Map<string, MetricPoint>();
  for (const point of points) {
    const current = newest.get(point.key);
    if (!current || isNewer(point, current)) newest.set(point.key, point);
  }
  const rows = [...newest.values()].map((p) => ({ run_id: runId, key: p.key, step: p.step, timestamp: p.timestamp, ...storedValue(p.value) }));
  await db
    .insertInto('latest_metrics')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['run_id', 'key'])
        .doUpdateSet({
          step: sql.ref('excluded.step'),
          timestamp: sql.ref('excluded.timestamp'),
          value: sql.ref('excluded.value'),
          is_nan: sql.ref('excluded.is_nan'),
        })
        .where(
          sql<boolean>`excluded.step > latest_metrics.step
            or (excluded.step = latest_metrics.step and excluded.timestamp > latest_metrics.timestamp)
            or (excluded.step = latest_metrics.step and excluded.timestamp = latest_metrics.timestamp
                and (case when excluded.is_nan = 1 then -1e308 else excluded.value end) > (case when latest_metrics.is_nan = 1 then -1e308 else latest_metrics.value end))`,
        ),
    )
    .execute();
}

async function updateRollups(db: Kysely<Schema>, runId: number, points: readonly MetricPoint[]): Promise<void> {
  const rollups = computeRollups(points);
  const onConflict = `on conflict (run_id, key, level, bucket) do update set
    min_step = case when excluded.min_value < metric_rollups.min_value then excluded.min_step else metric_rollups.min_step end,
    min_timestamp = case when excluded.min_value < metric_rollups.min_value then excluded.min_timestamp else metric_rollups.min_timestamp end,
    min_value = case when excluded.min_value < metric_rollups.min_value then excluded.min_value else metric_rollups.min_value end,
    max_step = case when excluded.max_value > metric_rollups.max_value then excluded.max_step else metric_rollups.max_step end,
    max_timestamp = case when excluded.max_value > metric_rollups.max_value then excluded.max_timestamp else metric_rollups.max_timestamp end,
    max_value = case when excluded.max_value > metric_rollups.max_value then excluded.max_value else metric_rollups.max_value end`;
  for (let i = 0; i < rollups.length; i += INSERT_CHUNK) {
    const rows = rollups.slice(i, i + INSERT_CHUNK).map((r) => [runId, r.key, r.level, r.bucket, r.min.step, r.min.value, r.min.timestamp, r.max.step, r.max.value, r.max.timestamp]);
    await bulkInsert(db, 'metric_rollups', ROLLUP_COLUMNS, rows, onConflict);
  }
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
