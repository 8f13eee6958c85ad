import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid } from '../shared/errors.ts';
import { registryEvent } from './events.ts';
import type { ModelKey } from './models-service.ts';
import type { ModelVersionEvaluationsTable } from './tables.ts';
import type { ModelVersionsService } from './versions-service.ts';

export type EvaluationRow = Selectable<ModelVersionEvaluationsTable>;

export interface EvaluationInput {
  metrics: Record<string, number>;
  dataset?: string;
  /** A validation's verdict and what it checked (`accuracy>=0.9`). */
  passed?: boolean;
  thresholds?: string[];
}

const METRIC = /^[A-Za-z0-9_.\-/ :]{1,250}$/;

/**
 * Evaluations recorded on a model version: the metrics an evaluate job computed on it, and a
 * validate job's pass or fail against thresholds. A job's token records its job id.
 */
export class EvaluationsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly versions: ModelVersionsService,
  ) {}

  async record(access: ProjectAccess, key: ModelKey, version: number, input: EvaluationInput): Promise<EvaluationRow> {
    const entries = Object.entries(input.metrics);
    if (entries.length > 500) throw invalid('at most 500 metrics per evaluation');
    for (const [key, value] of entries) {
      if (!METRIC.test(key)) throw invalid(`metric name '${key.slice(0, 60)}' is not valid`);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`metric ${key} must be a finite number`);
    }
    return inTransaction(this.db, async (trx) => {
      const { model, row } = await this.versions.getRow(access, key, version, trx);
      const created = await trx
        .insertInto('model_version_evaluations')
        .values({
          version_id: row.id,
          metrics: JSON.stringify(input.metrics),
          dataset: input.dataset ?? null,
          passed: input.passed === undefined ? null : input.passed ? 1 : 0,
          thresholds: input.thresholds ? JSON.stringify(input.thresholds) : null,
          job_id: access.caller.jobId,
          pipeline_id: null,
          author_id: access.caller.user?.id ?? null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        registryEvent('registry.version.evaluated', access.project.id, { model_name: model.name, version: row.version, version_id: row.id, evaluation_id: created.id, passed: input.passed ?? null }),
        { action: 'registry.version.evaluated', targetType: 'model_version', targetId: row.id, details: { evaluation_id: created.id, passed: input.passed ?? null } },
      );
      return created;
    });
  }

  async list(access: ProjectAccess, key: ModelKey, version: number): Promise<EvaluationRow[]> {
    const { row } = await this.versions.getRow(access, key, version);
    return this.db.selectFrom('model_version_evaluations').selectAll().where('version_id', '=', row.id).orderBy('id', 'desc').limit(100).execute();
  }
}
