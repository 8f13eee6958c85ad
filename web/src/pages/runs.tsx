import { usePageTitle } from '../page-title.ts';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, formatNumber, formatTime } from '../api.ts';
import { ProjectNav } from '../components/project-nav.tsx';
import { ErrorState, isMissing, Loading, useLoad } from '../components/states.tsx';
import { NotFoundPage } from '../components/not-found.tsx';
import { VirtualRows } from '../components/virtual-rows.tsx';
import { loadProject, powersOf } from '../project.ts';
import { RunBulkActions } from '../components/run-bulk-actions.tsx';
import { SelectedRunsCharts } from '../components/selected-runs-charts.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { parseColumn, readRunsView, runsViewQuery, type RunsView } from '../runs-view.ts';
import { groupRuns, type RunGroup } from '../run-groups.ts';
import { GroupRow } from '../components/run-group-row.tsx';
import { cellValue, columnId, orderKey, searchRuns, sortable, type Column } from '../runs-model.ts';
import { formatAgo, formatDuration, plural, secondsOf } from '../format.ts';
import type { ExperimentNative, RunKeysNative, RunNative } from '../../../src/tracking/contract.ts';
import { apiPaths } from '../api-paths.ts';

/** Always first: which run a row is. */
const NAME: Column = { kind: 'attribute', key: 'name' };
/** Shown until a person chooses columns; the other attributes wait in the chooser. */
const DEFAULT_ATTRIBUTES: Column[] = (['status', 'start_time', 'duration', 'user_id'] as const).map((key) => ({ kind: 'attribute', key }));
const OTHER_ATTRIBUTES: Column[] = (['source', 'models', 'datasets'] as const).map((key) => ({ kind: 'attribute', key }));
const ROW_HEIGHT = 30;
const FIRST_PAGE = 300;
const NEXT_PAGE = 2000;

function label(c: Column): string {
  if (c.kind === 'attribute') {
    return { name: 'Run', status: 'Status', start_time: 'Started', duration: 'Duration', user_id: 'User', source: 'Source', models: 'Models', datasets: 'Datasets' }[c.key];
  }
  // The names the search grammar uses, so a column header is also what to type in the filter.
  return `${c.kind === 'metric' ? 'metrics' : c.kind === 'param' ? 'params' : 'tags'}.${c.key}`;
}

type Row = { kind: 'run'; run: RunNative } | { kind: 'group'; label: string; group: RunGroup };

export function RunsPage({ projectId, experimentId }: { projectId: string; experimentId: string }) {
  const [projectState] = useLoad(['project', projectId], () => loadProject(projectId));
  const [experimentState] = useLoad(['experiment', projectId, experimentId], () => api.get<ExperimentNative>(apiPaths.project(projectId).experiment(experimentId)));
  const project = projectState.status === 'ready' ? projectState.data : null;
  const experiment = experimentState.status === 'ready' ? experimentState.data : null;
  usePageTitle(experiment?.name ?? 'Experiment', project?.name);
  const { query } = useLocation();
  const view = useMemo(() => readRunsView(query), [query]);
  const { filter, sort, groupBy } = view;
  // Each change is a step in the browser's history: Back undoes it, a reload or a copied link keeps it.
  const show = (change: Partial<RunsView>) => navigate(`/projects/${encodeURIComponent(projectId)}/experiments/${encodeURIComponent(experimentId)}${runsViewQuery({ ...view, ...change })}`);
  const [filterText, setFilterText] = useState(filter);
  // Back or a link changes the filter under the box; the box follows (adjusted while rendering, as React advises).
  const [boxFollows, setBoxFollows] = useState(filter);
  if (boxFollows !== filter) {
    setBoxFollows(filter);
    setFilterText(filter);
  }
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [choosing, setChoosing] = useState(false);

  // The runs, a page at a time (more as the table nears its end), cached per filter and order.
  const orderBy = sort ? [`${orderKey(sort.column)} ${sort.ascending ? 'ASC' : 'DESC'}`] : [];
  const search = useInfiniteQuery({
    queryKey: ['runs', project?.id, experimentId, filter, orderBy, view.deleted],
    enabled: project !== null,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => searchRuns(project!.id, [experimentId], { filter, orderBy, maxResults: pageParam === null ? FIRST_PAGE : NEXT_PAGE, pageToken: pageParam, deleted: view.deleted }),
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
  // A filter the server cannot parse is the person's typo, shown beside the filter; any other
  // failure is the page's.
  const filterError = search.isError && filter ? (search.error as Error).message : null;
  const runs = useMemo(() => (search.data ? search.data.pages.flatMap((page) => page.runs) : filterError !== null ? [] : null), [search.data, filterError]);
  const error = projectState.status === 'error' ? projectState.error : experimentState.status === 'error' ? experimentState.error : search.isError && !filter ? search.error : null;

  // Columns offered: every key any run of the experiment has (the server knows them all, not
  // only those of the pages loaded), and any a run loaded since has brought.
  const [keysState] = useLoad(['run-keys', projectId, experimentId], () => api.get<RunKeysNative>(apiPaths.project(projectId).experimentRunKeys(experimentId)));
  const available = useMemo(() => {
    const seen = new Map<string, Column>();
    const offer = (c: Column) => seen.set(columnId(c), c);
    OTHER_ATTRIBUTES.forEach(offer);
    DEFAULT_ATTRIBUTES.forEach(offer);
    const keys = keysState.status === 'ready' ? keysState.data : { metrics: [], params: [], tags: [] };
    keys.metrics.forEach((key) => offer({ kind: 'metric', key }));
    keys.params.forEach((key) => offer({ kind: 'param', key }));
    keys.tags.filter((key) => !key.startsWith('mlflow.')).forEach((key) => offer({ kind: 'tag', key }));
    for (const run of runs ?? []) {
      for (const m of run.metrics) offer({ kind: 'metric', key: m.key });
      for (const k of Object.keys(run.params)) offer({ kind: 'param', key: k });
      for (const k of Object.keys(run.tags)) if (!k.startsWith('mlflow.')) offer({ kind: 'tag', key: k });
    }
    return [...seen.values()];
  }, [runs, keysState]);
  const columns = view.columns ?? [...DEFAULT_ATTRIBUTES, ...available.filter((c) => c.kind === 'metric').slice(0, 4), ...available.filter((c) => c.kind === 'param').slice(0, 3)];

  const shown = [NAME, ...columns];
  const shownMetrics = shown.flatMap((c) => (c.kind === 'metric' ? [c.key] : []));
  const shownMetricsKey = JSON.stringify(shownMetrics);
  const rows: Row[] = useMemo(() => {
    if (!runs) return [];
    const by = parseColumn(groupBy);
    if (!by || (by.kind !== 'param' && by.kind !== 'tag')) return runs.map((run) => ({ kind: 'run' as const, run }));
    const groups = groupRuns(runs, { kind: by.kind === 'param' ? 'param' : 'tag', key: by.key }, JSON.parse(shownMetricsKey) as string[]);
    return groups.flatMap((group) => [{ kind: 'group' as const, label: `${by.key} = ${group.value ?? '(none)'}`, group }, ...group.runs.map((run) => ({ kind: 'run' as const, run }))]);
  }, [runs, groupBy, shownMetricsKey]);

  const queryClient = useQueryClient();
  // Tagged, deleted or restored runs: the table and its columns are read again, the ticks cleared.
  const afterBulkAction = () => {
    setSelected(new Set());
    void queryClient.invalidateQueries({ queryKey: ['runs', project?.id, experimentId] });
    void queryClient.invalidateQueries({ queryKey: ['run-keys', projectId, experimentId] });
  };

  const loadMore = () => {
    if (search.hasNextPage && !search.isFetchingNextPage) void search.fetchNextPage();
  };

  if (error) {
    if (!isMissing(error)) return <ErrorState error={error} />;
    return (
      <NotFoundPage
        title="Experiment not found"
        message={`There is no experiment ${experimentId} in this project, or you may not see it.`}
        back={{ to: `/projects/${encodeURIComponent(projectId)}`, label: 'Back to the project' }}
      />
    );
  }
  if (!project) return <Loading what="Loading the experiment" />;
  const widths = shown.map((c) => (c.kind === 'attribute' && c.key === 'name' ? 220 : 140));
  const template = `32px ${widths.map((w) => `${w}px`).join(' ')}`;
  // The header and the rows scroll sideways together when the columns are wider than the page.
  const tableWidth = 32 + widths.reduce((a, b) => a + b, 0);
  return (
    <section>
      <ProjectNav project={project} />
      <h1>{experiment?.name ?? '…'}</h1>
      <form
        className="filter"
        onSubmit={(e) => {
          e.preventDefault();
          show({ filter: filterText.trim() });
        }}
      >
        <input aria-label="Filter runs" placeholder="metrics.loss < 0.5 AND (params.model = 'cnn' OR params.model = 'rnn')" value={filterText} onChange={(e) => setFilterText(e.target.value)} />
        <button type="submit">Search</button>
        {filterError && (
          <p className="error inline" role="alert" data-testid="filter-error">
            {filterError}
          </p>
        )}
      </form>
      <div className="toolbar">
        <button onClick={() => setChoosing(!choosing)}>Columns</button>
        <label>
          Group by{' '}
          <select aria-label="Group by" value={groupBy} onChange={(e) => show({ groupBy: e.target.value })}>
            <option value="">nothing</option>
            {available
              .filter((c) => c.kind === 'param' || c.kind === 'tag')
              .map((c) => (
                <option key={columnId(c)} value={`${c.kind}:${c.key}`}>
                  {c.kind} {c.key}
                </option>
              ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={view.deleted} onChange={(e) => show({ deleted: e.target.checked })} /> Deleted runs
        </label>
        <RunBulkActions projectId={project.id} selected={[...selected]} deletedView={view.deleted} canWrite={powersOf(project).canWrite} onDone={afterBulkAction} />
        <span className="muted" data-testid="runs-count">
          {runs ? (search.hasNextPage ? `${runs.length.toLocaleString()}+ runs` : plural(runs.length, 'run')) : ''}
        </span>
      </div>
      <SelectedRunsCharts projectId={project.id} runs={(runs ?? []).filter((run) => selected.has(run.id))} />
      {choosing && (
        <div className="chooser" data-testid="column-chooser">
          {available.map((c) => {
            const on = columns.some((x) => columnId(x) === columnId(c));
            return (
              <label key={columnId(c)}>
                <input type="checkbox" checked={on} onChange={() => show({ columns: on ? columns.filter((x) => columnId(x) !== columnId(c)) : [...columns, c] })} /> {label(c)}
              </label>
            );
          })}
        </div>
      )}
      <div className="runs-table" role="table" aria-label="Runs">
        <div style={{ minWidth: tableWidth }}>
          <div className="vrow header" role="row" style={{ gridTemplateColumns: template }}>
            <span role="columnheader" aria-label="Selected" />
            {shown.map((c) => (
              <button
                key={columnId(c)}
                role="columnheader"
                className="th"
                disabled={!sortable(c)}
                onClick={() =>
                  show({ sort: sort && columnId(sort.column) === columnId(c) ? { column: c, ascending: !sort.ascending } : { column: c, ascending: c.kind === 'attribute' && c.key !== 'start_time' } })
                }
              >
                {label(c)}
                {sort && columnId(sort.column) === columnId(c) ? (sort.ascending ? ' ▲' : ' ▼') : ''}
              </button>
            ))}
          </div>
          {runs === null ? (
            <Loading what="Loading runs" />
          ) : runs.length === 0 ? (
            <div className="state empty">{filter ? 'No run matches this filter.' : view.deleted ? 'No deleted runs in this experiment.' : 'No runs in this experiment yet.'}</div>
          ) : (
            <VirtualRows
              items={rows}
              rowHeight={ROW_HEIGHT}
              height={Math.min(600, rows.length * ROW_HEIGHT + 4)}
              onNearEnd={search.hasNextPage ? loadMore : undefined}
              renderRow={(row) =>
                row.kind === 'group' ? (
                  <GroupRow label={row.label} group={row.group} shown={shown} template={template} />
                ) : (
                  <div className="cells" role="row" style={{ gridTemplateColumns: template }}>
                    <span role="cell">
                      <input
                        type="checkbox"
                        aria-label={`Select ${row.run.name}`}
                        checked={selected.has(row.run.id)}
                        onChange={() => {
                          const next = new Set(selected);
                          if (next.has(row.run.id)) next.delete(row.run.id);
                          else next.add(row.run.id);
                          setSelected(next);
                        }}
                      />
                    </span>
                    {shown.map((c) => {
                      const value = cellValue(row.run, c);
                      if (c.kind === 'attribute' && c.key === 'name') {
                        return (
                          <span key="name" role="cell">
                            <Link to={`/projects/${project.id}/runs/${row.run.id}`}>{row.run.name}</Link>
                          </span>
                        );
                      }
                      const text =
                        c.kind === 'attribute' && c.key === 'start_time'
                          ? formatAgo(row.run.start_time)
                          : c.kind === 'attribute' && c.key === 'duration'
                            ? formatDuration(secondsOf(typeof value === 'number' ? value : null))
                            : c.kind === 'metric'
                              ? formatNumber(value)
                              : (value ?? '');
                      // A number's exact value is on hover; a text's whole value where the cell cuts it.
                      return (
                        <span
                          key={columnId(c)}
                          role="cell"
                          title={c.kind === 'metric' ? String(value ?? '') : c.kind === 'attribute' && c.key === 'start_time' ? formatTime(row.run.start_time) : String(text)}
                        >
                          {text}
                        </span>
                      );
                    })}
                  </div>
                )
              }
            />
          )}
        </div>
      </div>
    </section>
  );
}
