import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { TrackingErrors } from '../errors.ts';
import { storedValue, type MetricPoint } from './metric-point.ts';

/**
 * MLflow 3 lets a metric logged to a run name a logged model (and the dataset it was computed
 * on); such points are kept on the model as well, in the run's transaction.
 */
export async function recordModelMetrics(db: Kysely<Schema>, projectId: number, runUuid: string, points: readonly MetricPoint[]): Promise<void> {
  const linked = points.filter((p) => p.modelId);
  if (linked.length === 0) return;
  for (const modelId of new Set(linked.map((p) => p.modelId!))) {
    const found = await db.selectFrom('logged_models').select('id').where('id', '=', modelId).where('project_id', '=', projectId).executeTakeFirst();
    if (!found) throw TrackingErrors.LOGGED_MODEL_NOT_FOUND({ id: modelId });
  }
  await db
    .insertInto('logged_model_metrics')
    .values(
      linked.map((p) => ({
        model_id: p.modelId!,
        key: p.key,
        ...storedValue(p.value),
        timestamp: p.timestamp,
        step: p.step,
        run_id: runUuid,
        dataset_name: p.datasetName ?? null,
        dataset_digest: p.datasetDigest ?? null,
      })),
    )
    .execute();
}
