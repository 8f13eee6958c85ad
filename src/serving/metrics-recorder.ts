import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import { bucketIndex, LATENCY_BOUNDS_MS } from './latency.ts';

/** Gate metrics are kept per window of this length. */
export const WINDOW_MS = 10_000;

export interface Observation {
  projectId: number;
  environment: string;
  deploymentId: number;
  variant: string;
  role: 'live' | 'shadow';
  ms: number;
  error: boolean;
  /** Shadow variants: the answer differed from the one returned. */
  mismatch?: boolean;
}

interface Counts {
  requests: number;
  errors: number;
  mismatches: number;
  latencySumMs: number;
  buckets: number[];
}

const empty = (): Counts => ({ requests: 0, errors: 0, mismatches: 0, latencySumMs: 0, buckets: LATENCY_BOUNDS_MS.map(() => 0) });

function count(into: Counts, o: Observation, bucket: number): void {
  into.requests += 1;
  if (o.error) into.errors += 1;
  if (o.mismatch) into.mismatches += 1;
  into.latencySumMs += o.ms;
  into.buckets[bucket]! += 1;
}

function add(into: Counts, from: Counts): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.mismatches += from.mismatches;
  into.latencySumMs += from.latencySumMs;
  from.buckets.forEach((count, i) => (into.buckets[i]! += count));
}

/**
 * The gateway's counts, kept in memory on the request path (no database write per request)
 * and in two forms: per deployment, variant and 10-second window, flushed to the database
 * every few seconds by adding to the window's row (so every replica's counts add up for the
 * gates); and per environment and variant since start, for Prometheus (per process, as it
 * expects).
 */
export class ServingMetrics {
  private pending = new Map<string, { deploymentId: number; variant: string; windowStart: number; counts: Counts }>();
  private readonly totals = new Map<string, { labels: { project: string; environment: string; variant: string; role: string }; counts: Counts }>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly logger: Logger,
  ) {}

  /** On every gateway request: counts in place, no allocation once the variant's window and totals exist. */
  observe(o: Observation): void {
    const bucket = bucketIndex(o.ms);
    const windowStart = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    const key = `${o.deploymentId}\n${o.variant}\n${windowStart}`;
    let entry = this.pending.get(key);
    if (!entry) this.pending.set(key, (entry = { deploymentId: o.deploymentId, variant: o.variant, windowStart, counts: empty() }));
    count(entry.counts, o, bucket);
    const totalKey = `${o.projectId}\n${o.environment}\n${o.variant}\n${o.role}`;
    let total = this.totals.get(totalKey);
    if (!total) this.totals.set(totalKey, (total = { labels: { project: String(o.projectId), environment: o.environment, variant: o.variant, role: o.role }, counts: empty() }));
    count(total.counts, o, bucket);
  }

  /** Adds what was counted since the last flush to the database; kept for the next flush if the database refuses. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const entry of batch.values()) {
      try {
        await this.write(entry);
      } catch (error) {
        const gone = /foreign key|FOREIGN KEY/i.test(String(error));
        if (gone) continue; // the deployment was deleted with its environment: nothing to count into
        this.logger.warn({ err: error }, 'serving metrics could not be written; kept for the next flush');
        const key = `${entry.deploymentId}\n${entry.variant}\n${entry.windowStart}`;
        const again = this.pending.get(key);
        if (again) add(again.counts, entry.counts);
        else this.pending.set(key, entry);
      }
    }
  }

  private async write(entry: { deploymentId: number; variant: string; windowStart: number; counts: Counts }): Promise<void> {
    const { counts } = entry;
    const buckets = Object.fromEntries(counts.buckets.map((count, i) => [`bucket_${i}`, count])) as Record<`bucket_${number}`, number>;
    await this.db
      .insertInto('serving_metrics')
      .values({
        deployment_id: entry.deploymentId,
        variant: entry.variant,
        window_start: entry.windowStart,
        requests: counts.requests,
        errors: counts.errors,
        mismatches: counts.mismatches,
        latency_sum_ms: counts.latencySumMs,
        ...buckets,
      } as never)
      .onConflict((oc) =>
        oc.columns(['deployment_id', 'variant', 'window_start']).doUpdateSet((eb) => {
          const sum = (column: string) => eb(eb.ref(`serving_metrics.${column}` as 'serving_metrics.requests'), '+', eb.ref(`excluded.${column}` as 'excluded.requests'));
          const set: Record<string, unknown> = { requests: sum('requests'), errors: sum('errors'), mismatches: sum('mismatches'), latency_sum_ms: sum('latency_sum_ms') };
          counts.buckets.forEach((_, i) => (set[`bucket_${i}`] = sum(`bucket_${i}`)));
          return set as never;
        }),
      )
      .execute();
  }

  /** Per environment and variant, in Prometheus' text format. */
  render(): string {
    const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const requests = [
      '# HELP modelyard_serving_requests_total Gateway requests per environment and variant (shadow: mirrored requests), by outcome.',
      '# TYPE modelyard_serving_requests_total counter',
    ];
    const mismatches = [
      '# HELP modelyard_serving_shadow_mismatches_total Mirrored requests whose shadow answer differed from the answer returned.',
      '# TYPE modelyard_serving_shadow_mismatches_total counter',
    ];
    const histogram = ['# HELP modelyard_serving_request_duration_seconds Time the variant took to answer through the gateway.', '# TYPE modelyard_serving_request_duration_seconds histogram'];
    for (const { labels, counts } of this.totals.values()) {
      const base = `project="${labels.project}",environment="${escape(labels.environment)}",variant="${escape(labels.variant)}",role="${labels.role}"`;
      requests.push(`modelyard_serving_requests_total{${base},outcome="ok"} ${counts.requests - counts.errors}`);
      requests.push(`modelyard_serving_requests_total{${base},outcome="error"} ${counts.errors}`);
      if (labels.role === 'shadow') mismatches.push(`modelyard_serving_shadow_mismatches_total{${base}} ${counts.mismatches}`);
      let cumulative = 0;
      LATENCY_BOUNDS_MS.forEach((bound, i) => {
        cumulative += counts.buckets[i]!;
        histogram.push(`modelyard_serving_request_duration_seconds_bucket{${base},le="${Number.isFinite(bound) ? bound / 1000 : '+Inf'}"} ${cumulative}`);
      });
      histogram.push(`modelyard_serving_request_duration_seconds_sum{${base}} ${counts.latencySumMs / 1000}`);
      histogram.push(`modelyard_serving_request_duration_seconds_count{${base}} ${counts.requests}`);
    }
    return [...requests, ...mismatches, ...histogram, ''].join('\n');
  }
}
