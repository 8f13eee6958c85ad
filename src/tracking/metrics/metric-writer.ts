import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { isNewer, storedValue, type MetricPoint } from './metric-point.ts';
import { bucketOf, ROLLUP_LEVELS } from './rollup-levels.ts';

const INSERT_CHUNK = 1000;

interface Rollup {
  key: string;
  level: number;
  bucket: number;
  min: MetricPoint;
  max: MetricPoint;
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
    const chunk = points.slice(i, i + INSERT_CHUNK);
    await db
      .insertInto('metrics')
      .values(chunk.map((p) => ({ run_id: runId, key: p.key, step: p.step, timestamp: p.timestamp, ...storedValue(p.value) })))
      .onConflict((oc) => oc.doNothing())
      .execute();
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
  const rollups = new Map<string, Rollup>();
  for (const point of points) {
    if (Number.isNaN(point.value)) continue; // NaN has no place in a minimum or maximum
    for (const level of ROLLUP_LEVELS) {
      const bucket = bucketOf(point.step, level);
      const id = `${level}\u0000${bucket}\u0000${point.key}`;
      const current = rollups.get(id);
      if (!current) {
        rollups.set(id, { key: point.key, level, bucket, min: point, max: point });
      } else {
        if (point.value < current.min.value) current.min = point;
        if (point.value > current.max.value) current.max = point;
      }
    }
  }
  const rows = [...rollups.values()].map((r) => ({
    run_id: runId,
    key: r.key,
    level: r.level,
    bucket: r.bucket,
    min_step: r.min.step,
    min_value: r.min.value,
    min_timestamp: r.min.timestamp,
    max_step: r.max.step,
    max_value: r.max.value,
    max_timestamp: r.max.timestamp,
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db
      .insertInto('metric_rollups')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['run_id', 'key', 'level', 'bucket']).doUpdateSet({
          min_step: sql`case when excluded.min_value < metric_rollups.min_value then excluded.min_step else metric_rollups.min_step end`,
          min_timestamp: sql`case when excluded.min_value < metric_rollups.min_value then excluded.min_timestamp else metric_rollups.min_timestamp end`,
          min_value: sql`case when excluded.min_value < metric_rollups.min_value then excluded.min_value else metric_rollups.min_value end`,
          max_step: sql`case when excluded.max_value > metric_rollups.max_value then excluded.max_step else metric_rollups.max_step end`,
          max_timestamp: sql`case when excluded.max_value > metric_rollups.max_value then excluded.max_timestamp else metric_rollups.max_timestamp end`,
          max_value: sql`case when excluded.max_value > metric_rollups.max_value then excluded.max_value else metric_rollups.max_value end`,
        }),
      )
      .execute();
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
