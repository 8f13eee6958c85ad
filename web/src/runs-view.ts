import { ATTRIBUTE_KEYS, columnId, type Column } from './runs-model.ts';

/**
 * What a person has made of the runs table — filter, order, columns, grouping, deleted runs —
 * held in the address's query string, so that reloading, Back and a shared link show the same
 * table. Unknown or malformed values are dropped, never an error: a link is typed by hand too.
 */
export interface RunsView {
  filter: string;
  sort: { column: Column; ascending: boolean } | null;
  /** null: the default columns (no choice made yet). */
  columns: Column[] | null;
  /** A param or tag column id (`param:optimizer`), or '' for no grouping. */
  groupBy: string;
  /** Deleted runs instead of active ones. */
  deleted: boolean;
}

export function parseColumn(id: string): Column | null {
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  const kind = id.slice(0, colon);
  const key = id.slice(colon + 1);
  if (!key) return null;
  if (kind === 'attribute') {
    const attribute = ATTRIBUTE_KEYS.find((k) => k === key);
    return attribute ? { kind, key: attribute } : null;
  }
  return kind === 'metric' || kind === 'param' || kind === 'tag' ? { kind, key } : null;
}

export function readRunsView(query: URLSearchParams): RunsView {
  const sortColumn = parseColumn(query.get('sort') ?? '');
  const group = parseColumn(query.get('group') ?? '');
  return {
    filter: query.get('filter') ?? '',
    sort: sortColumn ? { column: sortColumn, ascending: query.get('order') === 'asc' } : null,
    // `col=` alone is a choice of no extra columns; no `col` at all is no choice yet.
    columns: query.has('col') ? query.getAll('col').flatMap((id) => parseColumn(id) ?? []) : null,
    groupBy: group && (group.kind === 'param' || group.kind === 'tag') ? columnId(group) : '',
    deleted: query.get('view') === 'deleted',
  };
}

export function runsViewQuery(view: RunsView): string {
  const q = new URLSearchParams();
  if (view.filter) q.set('filter', view.filter);
  if (view.sort) {
    q.set('sort', columnId(view.sort.column));
    q.set('order', view.sort.ascending ? 'asc' : 'desc');
  }
  if (view.columns) {
    if (view.columns.length === 0) q.append('col', '');
    for (const c of view.columns) q.append('col', columnId(c));
  }
  if (view.groupBy) q.set('group', view.groupBy);
  if (view.deleted) q.set('view', 'deleted');
  const text = q.toString();
  return text ? `?${text}` : '';
}
