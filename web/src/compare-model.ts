/**
 * What the compare page shows of its runs, worked out without React: the rows of the values
 * table, the numeric dimensions the plots draw, and the choices the page opens on.
 */

/** What this module reads of a run (RunNative has more). */
export interface ComparedRun {
  name: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: { key: string; value: number | string; step: number }[];
}

export type ValueSection = 'param' | 'metric' | 'tag';

export interface ValueRow {
  section: ValueSection;
  key: string;
  /** One per run, in the runs' order; null where the run has none. */
  values: (string | number | null)[];
  /** Whether the runs disagree (a run without the value disagrees with one that has it). */
  differs: boolean;
}

/** A number on one axis of a plot, one value per run. */
export interface Dimension {
  /** `param:lr`, `metric:loss`: the runs table's column ids. */
  id: string;
  label: string;
  /** One per run, in the runs' order; null where the run has none, or it is not a finite number. */
  values: (number | null)[];
}

/** MLflow's own tags (run name, user, source, model history) repeat the page's headings or are JSON blobs. */
function shownTag(key: string): boolean {
  return !key.startsWith('mlflow.');
}

function latestMetric(run: ComparedRun, key: string): number | string | null {
  return run.metrics.find((m) => m.key === key)?.value ?? null;
}

function sortedKeys(lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

function row(section: ValueSection, key: string, values: (string | number | null)[]): ValueRow {
  return { section, key, values, differs: new Set(values.map((v) => (v === null ? '\u0000none' : String(v)))).size > 1 };
}

export function valueRows(runs: ComparedRun[]): ValueRow[] {
  return [
    ...sortedKeys(runs.map((r) => Object.keys(r.params))).map((k) =>
      row(
        'param',
        k,
        runs.map((r) => r.params[k] ?? null),
      ),
    ),
    ...sortedKeys(runs.map((r) => r.metrics.map((m) => m.key))).map((k) =>
      row(
        'metric',
        k,
        runs.map((r) => latestMetric(r, k)),
      ),
    ),
    ...sortedKeys(runs.map((r) => Object.keys(r.tags).filter(shownTag))).map((k) =>
      row(
        'tag',
        k,
        runs.map((r) => r.tags[k] ?? null),
      ),
    ),
  ];
}

function finite(value: string | number | null): number | null {
  if (value === null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Params whose every value is a number, then metrics: the axes a plot can draw. */
export function dimensionsOf(runs: ComparedRun[]): Dimension[] {
  return valueRows(runs)
    .filter((r) => r.section !== 'tag')
    .filter((r) => r.section === 'metric' || r.values.every((v) => v === null || finite(v) !== null))
    .map((r) => ({ id: `${r.section}:${r.key}`, label: `${r.section === 'param' ? 'params' : 'metrics'}.${r.key}`, values: r.values.map(finite) }));
}

function coverage(d: Dimension): number {
  return d.values.filter((v) => v !== null).length;
}

function varies(d: Dimension): boolean {
  return new Set(d.values.filter((v) => v !== null)).size > 1;
}

/** Varying dimensions, those most runs have first; the sort is stable, so params stay before metrics. */
function candidates(dimensions: Dimension[]): Dimension[] {
  return dimensions.filter(varies).sort((a, b) => coverage(b) - coverage(a));
}

/**
 * The metric the chart opens on: one every run has whose values differ, a history (a step past
 * 0) before one logged once; then one that differs among the runs that have it; else the first.
 * A metric logged once with the same value everywhere, or by one run only, draws nothing useful.
 */
export function defaultMetric(runs: ComparedRun[]): string {
  const rows = valueRows(runs).filter((r) => r.section === 'metric');
  const have = (r: ValueRow) => r.values.filter((v) => v !== null);
  const everyRun = (r: ValueRow) => have(r).length === runs.length;
  const differsAmongHolders = (r: ValueRow) => new Set(have(r).map(String)).size > 1;
  const hasHistory = (r: ValueRow) => runs.some((run) => (run.metrics.find((m) => m.key === r.key)?.step ?? 0) > 0);
  const choice =
    rows.find((r) => everyRun(r) && differsAmongHolders(r) && hasHistory(r)) ??
    rows.find((r) => everyRun(r) && differsAmongHolders(r)) ??
    rows.filter(differsAmongHolders).sort((a, b) => have(b).length - have(a).length)[0] ??
    rows[0];
  return choice?.key ?? '';
}

/**
 * The scatter's axes: x the varying dimension most runs have (a param before a metric), y the
 * varying one that most runs have together with x, so the plot has as many dots as it can.
 */
export function defaultScatterAxes(dimensions: Dimension[]): { x: string; y: string } {
  const pool = candidates(dimensions);
  const fallback = pool.length ? pool : dimensions;
  const x = fallback[0];
  if (!x) return { x: '', y: '' };
  const together = (d: Dimension) => d.values.filter((v, i) => v !== null && x.values[i] !== null).length;
  const kind = (d: Dimension) => d.id.slice(0, d.id.indexOf(':'));
  // Most runs in common first; then a different kind than x (a param against a metric says most).
  const otherKind = (d: Dimension) => (kind(d) === kind(x) ? 0 : 1);
  const y = fallback.filter((d) => d.id !== x.id).sort((a, b) => together(b) - together(a) || otherKind(b) - otherKind(a))[0];
  return { x: x.id, y: (y ?? x).id };
}

/** More axes than this crowd a plot a page wide; the chooser adds the rest. */
export const DEFAULT_AXES = 6;

/** The parallel coordinates' axes: up to six varying dimensions most runs have, in the page's order. */
export function defaultParallelAxes(dimensions: Dimension[], most = DEFAULT_AXES): string[] {
  const chosen = new Set(
    candidates(dimensions)
      .slice(0, most)
      .map((d) => d.id),
  );
  return dimensions.filter((d) => chosen.has(d.id)).map((d) => d.id);
}

/** Chosen ids that name a dimension of these runs, in the page's order; a stale link's others are dropped. */
export function knownAxes(dimensions: Dimension[], chosen: string[]): string[] {
  const wanted = new Set(chosen);
  return dimensions.filter((d) => wanted.has(d.id)).map((d) => d.id);
}
