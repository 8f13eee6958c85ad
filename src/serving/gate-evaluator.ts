import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { CanaryPolicy } from '../deployments/contract.ts';
import { policyOf } from '../deployments/records.ts';
import type { Rollouts } from '../deployments/rollouts.ts';
import type { Database } from '../db/database.ts';
import { LATENCY_BOUNDS_MS } from './latency.ts';
import { decideGates, type VariantWindow } from './gates.ts';
import type { ServingResultsService } from './results.ts';

/** The advisory lock's key: one replica at a time evaluates gates ("gates" in ASCII). */
const GATE_LOCK = 0x6761746573;

const none = (): VariantWindow => ({ requests: 0, errors: 0, buckets: LATENCY_BOUNDS_MS.map(() => 0) });

/**
 * Decides canary steps. Every few seconds one replica (PostgreSQL advisory lock; SQLite has one
 * process) looks at each environment running a canary, sums the variants' 10-second windows
 * over the step's recent window from every replica's counts, and promotes the step, rolls it
 * back, or waits (gates.ts). A decision acts only if the canary is still the environment's
 * current deployment, so a late or doubled decision changes nothing.
 */
export class GateEvaluator {
  constructor(
    private readonly database: Database,
    private readonly deps: { rollouts: Rollouts; results: ServingResultsService; logger: Logger },
  ) {}

  async tick(): Promise<void> {
    if (this.database.dialect === 'sqlite') return this.evaluate();
    await this.database.db.connection().execute(async (connection) => {
      const locked = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${GATE_LOCK}) as locked`.execute(connection);
      if (!locked.rows[0]?.locked) return;
      try {
        await this.evaluate();
      } finally {
        await sql`select pg_advisory_unlock(${GATE_LOCK})`.execute(connection);
      }
    });
  }

  private async evaluate(): Promise<void> {
    const db = this.database.db;
    const running = await db
      .selectFrom('environments')
      .innerJoin('deployments', 'deployments.id', 'environments.current_deployment_id')
      .select(['environments.id as environment_id', 'environments.name', 'deployments.id', 'deployments.policy', 'deployments.created_at'])
      .where('environments.state', '=', 'available')
      .where('deployments.status', 'in', ['running', 'success'])
      .execute();
    const at = Date.now();
    for (const candidate of running) {
      const policy = policyOf(candidate);
      if (policy.kind !== 'canary') continue;
      const verdict = await this.judge(candidate.id, policy, candidate.created_at, at);
      if (verdict.verdict === 'wait') continue;
      this.deps.logger.info({ environment: candidate.name, deployment: candidate.id, ...verdict }, 'canary gates decided');
      if (verdict.verdict === 'pass') await this.deps.rollouts.gatePassed(candidate.environment_id, candidate.id, verdict.why);
      else await this.deps.rollouts.gateFailed(candidate.environment_id, candidate.id, verdict.why);
    }
  }

  private async judge(deploymentId: number, policy: CanaryPolicy, createdAt: number, at: number) {
    const since = Math.max(createdAt, at - policy.window_seconds * 1000);
    const windows = await this.deps.results.window(deploymentId, since);
    const of = (name: string): VariantWindow => windows.find((w) => w.variant === name) ?? none();
    return decideGates(policy, of('canary'), of('stable'), at - createdAt);
  }
}
