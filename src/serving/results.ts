import { sql, type Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import { DeploymentErrors } from '../deployments/errors.ts';
import { presentVariant } from '../deployments/present.ts';
import { deploymentRow, environmentById, policyOf, variantsOf } from '../deployments/records.ts';
import type { Schema } from '../db/schema.ts';
import type { ServingResults, VariantResult } from './contract.ts';
import { LATENCY_BOUNDS_MS, percentile } from './latency.ts';
import { WINDOW_MS } from './metrics-recorder.ts';
import { estimateRewards } from './statistics.ts';

/** The charts show this much recent history. */
const RECENT_MS = 10 * 60 * 1000;
const BUCKET_COLUMNS = LATENCY_BOUNDS_MS.map((_, i) => `bucket_${i}`);

interface Aggregate {
  variant: string;
  requests: number;
  errors: number;
  mismatches: number;
  buckets: number[];
}

/**
 * Per-variant results of a deployment series (an A/B test or a canary, across its steps):
 * traffic, errors and latency percentiles from the gateway's 10-second windows, and the mean
 * reward with its interval and probability of being best from the feedback (statistics.ts).
 */
export class ServingResultsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async results(access: ProjectAccess, environmentId: number, deploymentId: number | undefined): Promise<ServingResults> {
    const env = await environmentById(this.db, access.project.id, environmentId);
    const id = deploymentId ?? env.current_deployment_id;
    if (id === null) throw DeploymentErrors.ENVIRONMENT_EMPTY({ name: env.name });
    const deployment = await deploymentRow(this.db, access.project.id, id);
    if (deployment.environment_id !== env.id) throw DeploymentErrors.DEPLOYMENT_NOT_FOUND({ id });
    const lineage = deployment.lineage_id ?? deployment.id;
    const series = (await this.db.selectFrom('deployments').select('id').where('lineage_id', '=', lineage).execute()).map((d) => d.id);
    const ids = [...new Set([...series, deployment.id])];
    const [totals, recent, feedback, variants] = await Promise.all([
      this.totals(ids),
      this.recent(ids),
      this.db.selectFrom('serving_feedback').selectAll().where('lineage_id', '=', lineage).execute(),
      variantsOf(this.db, deployment.id),
    ]);
    const policy = policyOf(deployment);
    const reward = policy.kind === 'ab' ? policy.reward : 'continuous';
    const live = variants.filter((v) => v.role === 'live');
    const summaries = live.map((v) => {
      const row = feedback.find((f) => f.variant === v.name);
      return { n: row?.n ?? 0, successes: row?.successes ?? 0, sum: row?.sum ?? 0, sumSquares: row?.sum_squares ?? 0 };
    });
    const estimates = estimateRewards(summaries, reward);
    return {
      environment: { id: env.id, name: env.name, tier: env.tier },
      deployment_id: deployment.id,
      lineage_id: lineage,
      policy,
      reward,
      variants: variants.map((v): VariantResult => {
        const total = totals.find((t) => t.variant === v.name);
        const index = live.indexOf(v);
        const estimate = index >= 0 ? estimates[index]! : { mean: null, low: null, high: null, probabilityBest: null };
        const requests = total?.requests ?? 0;
        return {
          ...presentVariant(v),
          requests,
          errors: total?.errors ?? 0,
          error_rate: requests === 0 ? null : (total?.errors ?? 0) / requests,
          mismatches: total?.mismatches ?? 0,
          latency_ms: { p50: percentile(total?.buckets ?? [], 0.5), p95: percentile(total?.buckets ?? [], 0.95), p99: percentile(total?.buckets ?? [], 0.99) },
          reward: { n: index >= 0 ? summaries[index]!.n : 0, mean: estimate.mean, ci_low: estimate.low, ci_high: estimate.high, probability_best: estimate.probabilityBest },
          windows: recent.filter((w) => w.variant === v.name).map((w) => ({ t: new Date(w.windowStart).toISOString(), requests: w.requests, errors: w.errors, p95_ms: percentile(w.buckets, 0.95) })),
        };
      }),
    };
  }

  private async totals(ids: number[]): Promise<Aggregate[]> {
    const rows = await this.db
      .selectFrom('serving_metrics')
      .select([
        'variant',
        sql<number>`sum(requests)`.as('requests'),
        sql<number>`sum(errors)`.as('errors'),
        sql<number>`sum(mismatches)`.as('mismatches'),
        ...BUCKET_COLUMNS.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c)),
      ])
      .where('deployment_id', 'in', ids)
      .groupBy('variant')
      .execute();
    return rows.map((row) => {
      const r = row as unknown as Record<string, number | string>;
      return { variant: String(r.variant), requests: Number(r.requests), errors: Number(r.errors), mismatches: Number(r.mismatches), buckets: BUCKET_COLUMNS.map((c) => Number(r[c])) };
    });
  }

  private async recent(ids: number[]): Promise<(Aggregate & { windowStart: number })[]> {
    const since = Math.floor((Date.now() - RECENT_MS) / WINDOW_MS) * WINDOW_MS;
    const rows = await this.db.selectFrom('serving_metrics').selectAll().where('deployment_id', 'in', ids).where('window_start', '>=', since).orderBy('window_start').execute();
    const merged = new Map<string, Aggregate & { windowStart: number }>();
    for (const row of rows) {
      const r = row as unknown as Record<string, number>;
      const key = `${row.variant}\n${row.window_start}`;
      const entry = merged.get(key) ?? { variant: row.variant, windowStart: row.window_start, requests: 0, errors: 0, mismatches: 0, buckets: BUCKET_COLUMNS.map(() => 0) };
      entry.requests += row.requests;
      entry.errors += row.errors;
      entry.mismatches += row.mismatches;
      BUCKET_COLUMNS.forEach((c, i) => (entry.buckets[i]! += Number(r[c])));
      merged.set(key, entry);
    }
    return [...merged.values()];
  }

  /** The gates' view of one deployment: per variant over the last `windowMs`, since `since`. */
  async window(deploymentId: number, since: number): Promise<Aggregate[]> {
    const from = Math.floor(since / WINDOW_MS) * WINDOW_MS;
    const rows = await this.db.selectFrom('serving_metrics').selectAll().where('deployment_id', '=', deploymentId).where('window_start', '>=', from).execute();
    const byVariant = new Map<string, Aggregate>();
    for (const row of rows) {
      const r = row as unknown as Record<string, number>;
      const entry = byVariant.get(row.variant) ?? { variant: row.variant, requests: 0, errors: 0, mismatches: 0, buckets: BUCKET_COLUMNS.map(() => 0) };
      entry.requests += row.requests;
      entry.errors += row.errors;
      entry.mismatches += row.mismatches;
      BUCKET_COLUMNS.forEach((c, i) => (entry.buckets[i]! += Number(r[c])));
      byVariant.set(row.variant, entry);
    }
    return [...byVariant.values()];
  }
}
