/**
 * What a person has chosen on the compare page — the runs, the chart's metric, "only
 * differences", the scatter's axes and the parallel coordinates' axes — held in the address's
 * query string, so that reloading, Back and a shared link show the same comparison. A value
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
  };
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
  // Commas between run ids stay readable: they need no escaping in a query string.
  return `?${q.toString().replace(/%2C/g, ',')}`;
}
