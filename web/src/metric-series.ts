import { api } from './api.ts';
import { apiPaths } from './api-paths.ts';
import type { MetricSeriesNative, RunSeriesNative } from '../../src/tracking/contract.ts';

/**
 * The address of the downsampled series of one metric for the given runs. One run gets up to
 * 1000 points (every bucket's minimum and maximum); many runs share a budget of 50 000 (500
 * each for 100), since a hundred overlapping lines gain nothing visible from more and every
 * point is drawn.
 */
export function seriesPath(projectId: number, runIds: string[], key: string, range?: { from: number; to: number }): string {
  const maxPoints = Math.max(200, Math.min(1000, Math.floor(50_000 / runIds.length)));
  const q = new URLSearchParams({ key, max_points: String(maxPoints) });
  for (const id of runIds) q.append('run_id', id);
  if (range) {
    q.set('start_step', String(Math.max(range.from, -9e15)));
    q.set('end_step', String(range.to));
  }
  return apiPaths.project(projectId).metricSeries(q);
}

export async function loadSeries(projectId: number, runIds: string[], key: string, range?: { from: number; to: number }): Promise<RunSeriesNative[]> {
  return (await api.get<MetricSeriesNative>(seriesPath(projectId, runIds, key, range))).series;
}
