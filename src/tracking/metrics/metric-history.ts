import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { invalid } from '../../shared/errors.ts';
import { loadedValue, type MetricPoint } from './metric-point.ts';
import { bucketWidth, ROLLUP_LEVELS } from './rollup-levels.ts';

interface Cursor {
  s: number;
  t: number;
  v: number;
  n: number;
}

/** ±Infinity has no JSON spelling (JSON.stringify writes null), so a cursor spells it as a string. */
type SpelledCursor = Omit<Cursor, 'v'> & { v: number | 'Infinity' | '-Infinity' };

function encodeCursor(cursor: Cursor): string {
  const spelled: SpelledCursor = { ...cursor, v: Number.isFinite(cursor.v) ? cursor.v : cursor.v > 0 ? 'Infinity' : '-Infinity' };
  return Buffer.from(JSON.stringify(spelled)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<SpelledCursor>;
    const v = c.v === 'Infinity' || c.v === '-Infinity' ? Number(c.v) : c.v;
    if ([c.s, c.t, c.n].every((x) => typeof x === 'number' && Number.isFinite(x)) && typeof v === 'number' && !Number.isNaN(v)) return { s: c.s!, t: c.t!, v, n: c.n! };
  } catch {
    // refused below
  }
  throw invalid(`Invalid page token, could not decode '${token.slice(0, 100)}'`);
}

export type Row = { step: number; timestamp: number; value: number; is_nan: number };

export const toPoint =
  (key: string) =>
  (row: Row): MetricPoint => ({ key, step: row.step, timestamp: row.timestamp, value: loadedValue(row) });

/**
 * A page of a metric's full history in (step, timestamp, value) order. The page token is a
 * position in that order (keyset), so the millionth point costs what the first one does.
 */
export async function metricHistoryPage(
  db: Kysely<Schema>,
  runId: number,
  key: string,
  options: { maxResults: number; pageToken?: string },
): Promise<{ points: MetricPoint[]; nextPageToken?: string }> {
  let query = db.selectFrom('metrics').select(['step', 'timestamp', 'value', 'is_nan']).where('run_id', '=', runId).where('key', '=', key);
  if (options.pageToken) {
    const c = decodeCursor(options.pageToken);
    query = query.where(sql<boolean>`(step, timestamp, value, is_nan) > (${c.s}, ${c.t}, ${c.v}, ${c.n})`);
  }
  const rows = await query
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('value')
    .orderBy('is_nan')
    .limit(options.maxResults + 1)
    .execute();
  const page = rows.slice(0, options.maxResults);
  const last = page[page.length - 1];
  return {
    points: page.map(toPoint(key)),
    nextPageToken: rows.length > options.maxResults && last ? encodeCursor({ s: last.step, t: last.timestamp, v: last.value, n: last.is_nan }) : undefined,
  };
}

async function rawRange(db: Kysely<Schema>, runId: number, key: string, from: number, to: number): Promise<Row[]> {
  if (from > to) return [];
  return db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .where('step', '>=', from)
    .where('step', '<=', to)
    .orderBy('step')
    .orderBy('timestamp')
    .execute();
}

/** Keeps the lowest and the highest point of each of `buckets` equal step ranges, in step order. */
export function minMaxBuckets(points: readonly MetricPoint[], from: number, to: number, buckets: number): MetricPoint[] {
  const span = to - from + 1;
  const lows: (MetricPoint | undefined)[] = new Array(buckets);
  const highs: (MetricPoint | undefined)[] = new Array(buckets);
  for (const point of points) {
    if (Number.isNaN(point.value) || point.step < from || point.step > to) continue;
    const b = Math.min(buckets - 1, Math.floor(((point.step - from) / span) * buckets));
    const low = lows[b];
    const high = highs[b];
    if (!low || point.value < low.value) lows[b] = point;
    if (!high || point.value > high.value) highs[b] = point;
  }
  const out: MetricPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const low = lows[b];
    const high = highs[b];
    if (!low || !high) continue;
    if (low === high) out.push(low);
    else if (low.step < high.step || (low.step === high.step && low.timestamp <= high.timestamp)) out.push(low, high);
    else out.push(high, low);
  }
  return out;
}

/**
 * At most `maxPoints` points of a metric over a step range, keeping every bucket's minimum and
 * maximum (so no spike is lost) plus the first and last points. Short and medium ranges are
 * read whole (medium ones reduced to buckets here); long ones are answered from the
 * coarsest rollup level that still has half as many buckets as asked for, with the partial
 * buckets at the edges of the range read from the raw points.
 */
export async function downsampledSeries(db: Kysely<Schema>, runId: number, key: string, options: { startStep?: number; endStep?: number; maxPoints: number }): Promise<MetricPoint[]> {
  let from = options.startStep;
  let to = options.endStep;
  // Without a range, the series' own first and last points bound it (and are its ends).
  let ends: [MetricPoint | undefined, MetricPoint | undefined] | undefined;
  if (from === undefined || to === undefined) {
    const [first, last] = await Promise.all([boundRow(db, runId, key, 'asc'), boundRow(db, runId, key, 'desc')]);
    if (first === undefined || last === undefined) return [];
    from = first.step;
    to = last.step;
    if (!first.is_nan && !last.is_nan) ends = [toPoint(key)(first), toPoint(key)(last)];
  }
  if (from > to) return [];
  const toPointOfKey = toPoint(key);
  const buckets = Math.max(1, Math.floor((options.maxPoints - 2) / 2));
  const span = to - from + 1;
  if (span <= options.maxPoints) {
    const points = (await rawRange(db, runId, key, from, to)).map(toPointOfKey);
    if (points.length <= options.maxPoints) return points;
    return withEnds(minMaxBuckets(points, from, to, buckets), points[0], points[points.length - 1]);
  }
  const rangeFrom = from;
  const rangeTo = to;
  const [first, last] = ends ?? (await Promise.all([edgePoint(db, runId, key, rangeFrom, rangeTo, 'asc'), edgePoint(db, runId, key, rangeFrom, rangeTo, 'desc')]));
  const level = [...ROLLUP_LEVELS].reverse().find((l) => span / bucketWidth(l) >= buckets / 2);
  // A range too short for the coarsest level that fits (under about four times the points asked
  // for) is read whole and reduced here, as the batch path does (metric-series-batch.ts).
  if (level === undefined) return withEnds(minMaxBuckets((await rawRange(db, runId, key, from, to)).map(toPointOfKey), from, to, buckets), first, last);
  const width = bucketWidth(level);
  const firstFull = Math.ceil(from / width);
  const lastFull = Math.floor((to + 1) / width) - 1;
  const [rollups, head, tail] = await Promise.all([
    db
      .selectFrom('metric_rollups')
      .select(['min_step', 'min_value', 'min_timestamp', 'max_step', 'max_value', 'max_timestamp'])
      .where('run_id', '=', runId)
      .where('key', '=', key)
      .where('level', '=', level)
      .where('bucket', '>=', firstFull)
      .where('bucket', '<=', lastFull)
      .execute(),
    // The partial buckets at the edges are read raw: reduced on a grid of their own, they could
    // drop the extreme of an answer bucket that straddles the edge.
    rawRange(db, runId, key, from, Math.min(to, firstFull * width - 1)),
    rawRange(db, runId, key, Math.max(from, (lastFull + 1) * width), to),
  ]);
  const candidates: MetricPoint[] = head.map(toPointOfKey);
  for (const r of rollups) {
    candidates.push({ key, step: r.min_step, timestamp: r.min_timestamp, value: r.min_value });
    candidates.push({ key, step: r.max_step, timestamp: r.max_timestamp, value: r.max_value });
  }
  candidates.push(...tail.map(toPointOfKey));
  return withEnds(minMaxBuckets(candidates, from, to, buckets), first, last);
}

async function boundRow(db: Kysely<Schema>, runId: number, key: string, direction: 'asc' | 'desc'): Promise<Row | undefined> {
  return db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .orderBy('step', direction)
    .orderBy('timestamp', direction)
    .limit(1)
    .executeTakeFirst();
}

async function edgePoint(db: Kysely<Schema>, runId: number, key: string, from: number, to: number, direction: 'asc' | 'desc'): Promise<MetricPoint | undefined> {
  const row = await db
    .selectFrom('metrics')
    .select(['step', 'timestamp', 'value', 'is_nan'])
    .where('run_id', '=', runId)
    .where('key', '=', key)
    .where('step', '>=', from)
    .where('step', '<=', to)
    .where('is_nan', '=', 0)
    .orderBy('step', direction)
    .orderBy('timestamp', direction)
    .limit(1)
    .executeTakeFirst();
  return row ? toPoint(key)(row) : undefined;
}

/** Adds the range's first and last points so the drawn line starts and ends where the data does. */
export function withEnds(points: MetricPoint[], first: MetricPoint | undefined, last: MetricPoint | undefined): MetricPoint[] {
  const out = [...points];
  const same = (a: MetricPoint, b: MetricPoint) => a.step === b.step && a.timestamp === b.timestamp && Object.is(a.value, b.value);
  if (first && !(out[0] && same(out[0], first))) out.unshift(first);
  if (last && !(out[out.length - 1] && same(out[out.length - 1]!, last))) out.push(last);
  return out;
}
