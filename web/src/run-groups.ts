import type { RunNative } from '../../src/tracking/contract.ts';
import { formatNumber, plural } from './format.ts';

/** A metric's mean, minimum and maximum over the runs of a group that have a number for it. */
export interface Aggregate {
  mean: number;
  min: number;
  max: number;
  count: number;
}

export interface RunGroup {
  /** The param's or tag's value the runs share; null for runs without it. */
  value: string | null;
  runs: RunNative[];
  metrics: Map<string, Aggregate>;
}

/** Runs grouped by a param or tag, groups in the order their first run comes, with each metric aggregated. */
export function groupRuns(runs: RunNative[], by: { kind: 'param' | 'tag'; key: string }, metricKeys: string[]): RunGroup[] {
  const groups = new Map<string | null, RunNative[]>();
  for (const run of runs) {
    const value = (by.kind === 'param' ? run.params[by.key] : run.tags[by.key]) ?? null;
    const members = groups.get(value);
    if (members) members.push(run);
    else groups.set(value, [run]);
  }
  return [...groups.entries()].map(([value, members]) => ({ value, runs: members, metrics: new Map(metricKeys.flatMap((key) => aggregateOf(members, key))) }));
}

function aggregateOf(runs: RunNative[], key: string): [string, Aggregate][] {
  // NaN and ±Infinity (sent as strings) would make every aggregate meaningless; they are left out.
  const values = runs.flatMap((run) => {
    const value = run.metrics.find((m) => m.key === key)?.value;
    return typeof value === 'number' ? [value] : [];
  });
  if (values.length === 0) return [];
  // Reduced, not spread into Math.min: a group can hold more runs than a call takes arguments.
  const sum = values.reduce((a, b) => a + b, 0);
  const min = values.reduce((a, b) => (b < a ? b : a));
  const max = values.reduce((a, b) => (b > a ? b : a));
  return [[key, { mean: sum / values.length, min, max, count: values.length }]];
}

/** The whole aggregate in words, for a tooltip. */
export function describeAggregate(a: Aggregate): string {
  return `mean ${a.mean}, min ${a.min}, max ${a.max} over ${plural(a.count, 'run')}`;
}

/** The aggregate as a table cell shows it: the mean, then the range. */
export function aggregateText(a: Aggregate): { mean: string; range: string } {
  return { mean: formatNumber(a.mean), range: a.count > 1 ? `${formatNumber(a.min)} – ${formatNumber(a.max)}` : '' };
}
