import type { RunNative, RunsPageNative } from '../../src/tracking/contract.ts';
import { runDuration } from './format.ts';
import { api } from './api.ts';
import { apiPaths } from './api-paths.ts';

export function searchRuns(
  projectId: number,
  experimentIds: (number | string)[],
  options: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string | null; deleted?: boolean },
): Promise<RunsPageNative> {
  const q = new URLSearchParams();
  for (const id of experimentIds) q.append('experiment_id', String(id));
  if (options.filter) q.set('filter', options.filter);
  for (const o of options.orderBy ?? []) q.append('order_by', o);
  q.set('max_results', String(options.maxResults ?? 500));
  if (options.pageToken) q.set('page_token', options.pageToken);
  if (options.deleted) q.set('view_type', 'DELETED_ONLY');
  return api.get<RunsPageNative>(apiPaths.project(projectId).runs(q));
}

export const ATTRIBUTE_KEYS = ['name', 'status', 'start_time', 'duration', 'user_id', 'source', 'models', 'datasets'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];
export type Column = { kind: 'attribute'; key: AttributeKey } | { kind: 'metric' | 'param' | 'tag'; key: string };

export function columnId(c: Column): string {
  return `${c.kind}:${c.key}`;
}

/** The tag MLflow clients set to the script or notebook that started a run. */
const SOURCE_TAG = 'mlflow.source.name';
/** MLflow 2's record of the models a run logged (MLflow 3 records them as the run's outputs). */
const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

/** Whether the server can sort by a column (a duration, models and datasets are put together here, not searched). */
export function sortable(c: Column): boolean {
  return !(c.kind === 'attribute' && (c.key === 'duration' || c.key === 'models' || c.key === 'datasets'));
}

/** The search grammar's name for a column, for order_by. */
export function orderKey(c: Column): string {
  if (c.kind === 'attribute' && c.key === 'source') return `tags.\`${SOURCE_TAG}\``;
  if (c.kind === 'attribute') return c.key === 'name' ? 'attributes.run_name' : `attributes.${c.key}`;
  const prefix = c.kind === 'metric' ? 'metrics' : c.kind === 'param' ? 'params' : 'tags';
  return `${prefix}.\`${c.key}\``;
}

export function cellValue(run: RunNative, c: Column): string | number | null {
  switch (c.kind) {
    case 'attribute':
      switch (c.key) {
        case 'duration':
          return runDuration(run);
        case 'source':
          return run.tags[SOURCE_TAG] ?? null;
        case 'models':
          return loggedModelsOf(run).join(', ') || null;
        case 'datasets':
          return run.inputs.map((d) => (d.tags['mlflow.data.context'] ? `${d.name} (${d.tags['mlflow.data.context']})` : d.name)).join(', ') || null;
        default:
          return run[c.key];
      }
    case 'metric': {
      const m = run.metrics.find((x) => x.key === c.key);
      return m ? (typeof m.value === 'number' ? m.value : m.value) : null;
    }
    case 'param':
      return run.params[c.key] ?? null;
    case 'tag':
      return run.tags[c.key] ?? null;
  }
}

/** The models a run logged: MLflow 3's outputs by id, MLflow 2's by the artifact path its history tag names. */
function loggedModelsOf(run: RunNative): string[] {
  const fromOutputs = run.outputs.map((o) => o.model_id);
  let fromHistory: string[] = [];
  try {
    const history: unknown = JSON.parse(run.tags[LOG_MODEL_HISTORY_TAG] ?? '[]');
    if (Array.isArray(history)) fromHistory = history.flatMap((h: { artifact_path?: unknown }) => (typeof h?.artifact_path === 'string' ? [h.artifact_path] : []));
  } catch {
    // A tag someone set by hand to something else: no models to name from it.
  }
  return [...new Set([...fromHistory, ...fromOutputs])];
}
