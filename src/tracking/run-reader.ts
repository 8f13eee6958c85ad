import type { Kysely } from 'kysely';
import { rowsOfIds } from '../db/rows-of-ids.ts';
import type { Schema } from '../db/schema.ts';
import { groupedBy } from '../shared/grouped-by.ts';
import { loadedValue } from './metrics/metric-point.ts';
import type { DatasetInput, KeyValue, LatestMetric, Run, RunRow } from './run-model.ts';

/** Loads params, tags, latest metrics, inputs and outputs for many runs with one query per kind. */
export async function hydrateRuns(db: Kysely<Schema>, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [params, tags, metrics, inputs, outputs, modelInputs] = await Promise.all([
    rowsOfIds(db, 'run_id', ids, (matches) => db.selectFrom('run_params').selectAll().where(matches).orderBy('key')),
    rowsOfIds(db, 'run_id', ids, (matches) => db.selectFrom('run_tags').selectAll().where(matches).orderBy('key')),
    rowsOfIds(db, 'run_id', ids, (matches) => db.selectFrom('latest_metrics').selectAll().where(matches).orderBy('key')),
    rowsOfIds(db, 'run_inputs.run_id', ids, (matches) =>
      db
        .selectFrom('run_inputs')
        .innerJoin('datasets', 'datasets.id', 'run_inputs.dataset_id')
        .select(['run_inputs.run_id', 'run_inputs.tags', 'datasets.name', 'datasets.digest', 'datasets.source_type', 'datasets.source', 'datasets.schema', 'datasets.profile'])
        .where(matches)
        .orderBy('datasets.id'),
    ),
    rowsOfIds(db, 'run_id', ids, (matches) => db.selectFrom('run_outputs').selectAll().where(matches)),
    rowsOfIds(db, 'run_id', ids, (matches) => db.selectFrom('run_model_inputs').selectAll().where(matches).orderBy('model_id')),
  ]);
  const byRun = (row: { run_id: number }) => row.run_id;
  const paramsBy = groupedBy(params, byRun);
  const tagsBy = groupedBy(tags, byRun);
  const metricsBy = groupedBy(metrics, byRun);
  const inputsBy = groupedBy(inputs, byRun);
  const outputsBy = groupedBy(outputs, byRun);
  const modelInputsBy = groupedBy(modelInputs, byRun);
  const kv = (list: { key: string; value: string }[] | undefined): KeyValue[] => (list ?? []).map((r) => ({ key: r.key, value: r.value }));
  return rows.map((row) => ({
    row,
    params: kv(paramsBy.get(row.id)),
    tags: kv(tagsBy.get(row.id)),
    metrics: (metricsBy.get(row.id) ?? []).map((m): LatestMetric => ({ key: m.key, value: loadedValue(m), timestamp: m.timestamp, step: m.step })),
    inputs: (inputsBy.get(row.id) ?? []).map((i): DatasetInput => ({
      tags: JSON.parse(i.tags) as KeyValue[],
      dataset: { name: i.name, digest: i.digest, sourceType: i.source_type, source: i.source, schema: i.schema, profile: i.profile },
    })),
    modelInputs: (modelInputsBy.get(row.id) ?? []).map((i) => ({ modelId: i.model_id })),
    outputs: (outputsBy.get(row.id) ?? []).map((o) => ({ modelId: o.model_id, step: o.step })),
  }));
}
