import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { loadedValue } from './metrics/metric-point.ts';
import type { DatasetInput, KeyValue, LatestMetric, Run, RunRow } from './run-model.ts';

const CHUNK = 900;

async function inChunks<T>(ids: number[], load: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

function groupBy<T extends { run_id: number }>(rows: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.run_id);
    if (list) list.push(row);
    else map.set(row.run_id, [row]);
  }
  return map;
}

/** Loads params, tags, latest metrics, inputs and outputs for many runs with one query per kind. */
export async function hydrateRuns(db: Kysely<Schema>, rows: RunRow[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [params, tags, metrics, inputs, outputs, modelInputs] = await Promise.all([
    inChunks(ids, (chunk) => db.selectFrom('run_params').selectAll().where('run_id', 'in', chunk).orderBy('key').execute()),
    inChunks(ids, (chunk) => db.selectFrom('run_tags').selectAll().where('run_id', 'in', chunk).orderBy('key').execute()),
    inChunks(ids, (chunk) => db.selectFrom('latest_metrics').selectAll().where('run_id', 'in', chunk).orderBy('key').execute()),
    inChunks(ids, (chunk) =>
      db
        .selectFrom('run_inputs')
        .innerJoin('datasets', 'datasets.id', 'run_inputs.dataset_id')
        .select(['run_inputs.run_id', 'run_inputs.tags', 'datasets.name', 'datasets.digest', 'datasets.source_type', 'datasets.source', 'datasets.schema', 'datasets.profile'])
        .where('run_inputs.run_id', 'in', chunk)
        .orderBy('datasets.id')
        .execute(),
    ),
    inChunks(ids, (chunk) => db.selectFrom('run_outputs').selectAll().where('run_id', 'in', chunk).execute()),
    inChunks(ids, (chunk) => db.selectFrom('run_model_inputs').selectAll().where('run_id', 'in', chunk).orderBy('model_id').execute()),
  ]);
  const paramsBy = groupBy(params);
  const tagsBy = groupBy(tags);
  const metricsBy = groupBy(metrics);
  const inputsBy = groupBy(inputs);
  const outputsBy = groupBy(outputs);
  const modelInputsBy = groupBy(modelInputs);
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
