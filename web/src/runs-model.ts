import type { RunNative, RunsPageNative } from '../../src/tracking/contract.ts';
import { runDuration } from './format.ts';
import { api } from './api.ts';
import { apiPaths } from './api-paths.ts';

export function searchRuns(
  projectId: number,
  experimentIds: (number | string)[],
  options: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string | null },
): Promise<RunsPageNative> {
  const q = new URLSearchParams();
  for (const id of experimentIds) q.append('experiment_id', String(id));
  if (options.filter) q.set('filter', options.filter);
  for (const o of options.orderBy ?? []) q.append('order_by', o);
  q.set('max_results', String(options.maxResults ?? 500));
  if (options.pageToken) q.set('page_token', options.pageToken);
  return api.get<RunsPageNative>(apiPaths.project(projectId).runs(q));
}

export const ATTRIBUTE_KEYS = ['name', 'status', 'start_time', 'duration', 'user_id'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];
export type Column = { kind: 'attribute'; key: AttributeKey } | { kind: 'metric' | 'param' | 'tag'; key: string };

export function columnId(c: Column): string {
  return `${c.kind}:${c.key}`;
}

/** Whether the server can sort by a column (a duration is computed here, not searched). */
export function sortable(c: Column): boolean {
  return !(c.kind === 'attribute' && c.key === 'duration');
}

/** The search grammar's name for a column, for order_by. */
export function orderKey(c: Column): string {
  if (c.kind === 'attribute') return c.key === 'name' ? 'attributes.run_name' : `attributes.${c.key}`;
  const prefix = c.kind === 'metric' ? 'metrics' : c.kind === 'param' ? 'params' : 'tags';
  return `${prefix}.\`${c.key}\``;
}

export function cellValue(run: RunNative, c: Column): string | number | null {
  switch (c.kind) {
    case 'attribute':
      if (c.key === 'duration') return runDuration(run);
      return c.key === 'name' ? run.name : c.key === 'status' ? run.status : c.key === 'user_id' ? run.user_id : run.start_time;
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

/**
 * The metric a comparison opens on: one whose latest values differ between the runs, a history
 * (a step past 0) before a value logged once; the first metric when none differs.
 */
export function metricToCompare(runs: RunNative[], metricKeys: string[]): string {
  const varies = (key: string) => new Set(runs.map((r) => String(r.metrics.find((m) => m.key === key)?.value ?? ''))).size > 1;
  const hasHistory = (key: string) => runs.some((r) => (r.metrics.find((m) => m.key === key)?.step ?? 0) > 0);
  return metricKeys.find((k) => varies(k) && hasHistory(k)) ?? metricKeys.find(varies) ?? metricKeys[0] ?? '';
}
