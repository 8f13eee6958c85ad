import type { ChartOptions, ChartX } from './chart-settings.ts';
/**
 * What a person has chosen on the compare page — the runs, the chart's metric, "only
 * differences", the scatter's axes and the parallel coordinates' axes — held in the address's
 * query string (the chart's controls too), so that reloading, Back and a shared link show the same comparison. A value
 * that is missing means "no choice yet" (the page's default); nothing typed by hand is an error.
 */
export interface CompareView {
  runIds: string[];
  /** null: the page chooses a metric that differs between the runs. */
  metric: string | null;
  onlyDifferences: boolean;
  /** Dimension ids (`param:lr`, `metric:loss`); null: the page's defaults. */
  x: string | null;
  y: string | null;
  /** null: the default axes; [] a choice of none. */
  axes: string[] | null;
  /** The metric chart's controls (metric-chart.tsx's ChartOptions). */
  chart: ChartOptions;
}

/** The slider's range: 0 (none) to 0.99. */
function smoothing(text: string | null): number {
  const n = Number(text ?? 0);
  return Number.isFinite(n) ? Math.min(0.99, Math.max(0, n)) : 0;
}

const RUN_ID = /^[0-9a-f]{32}$/;
/** The server takes at most a hundred run ids in one search. */
const MOST_RUNS = 100;

export function readCompareView(query: URLSearchParams): CompareView {
  return {
    runIds: [...new Set((query.get('runs') ?? '').split(',').filter((id) => RUN_ID.test(id)))].slice(0, MOST_RUNS),
    metric: query.get('metric') || null,
    onlyDifferences: query.get('diff') === '1',
    x: query.get('x') || null,
    y: query.get('y') || null,
    // `axis=` alone is a choice of no axes; no `axis` at all is no choice yet.
    axes: query.has('axis') ? query.getAll('axis').filter(Boolean) : null,
    chart: { x: chartX(query.get('chart_x')), log: query.get('log') === '1', smoothing: smoothing(query.get('smooth')) },
  };
}

/** The chart's x axis from the address: step unless it names time or relative time. */
function chartX(value: string | null): ChartX {
  return value === 'time' || value === 'relative' ? value : 'step';
}

export function compareViewQuery(view: CompareView): string {
  const q = new URLSearchParams();
  q.set('runs', view.runIds.join(','));
  if (view.metric) q.set('metric', view.metric);
  if (view.onlyDifferences) q.set('diff', '1');
  if (view.x) q.set('x', view.x);
  if (view.y) q.set('y', view.y);
  if (view.axes) {
    if (view.axes.length === 0) q.append('axis', '');
    for (const axis of view.axes) q.append('axis', axis);
  }
  if (view.chart.x !== 'step') q.set('chart_x', view.chart.x);
  if (view.chart.log) q.set('log', '1');
  if (view.chart.smoothing > 0) q.set('smooth', String(view.chart.smoothing));
  // Commas between run ids stay readable: they need no escaping in a query string.
  return `?${q.toString().replace(/%2C/g, ',')}`;
}
