import { useMemo } from 'react';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { ChartControls } from '../components/metric-chart.tsx';
import { RunsMetric } from '../components/runs-metric.tsx';
import { ParallelCoordinates } from '../components/parallel-coordinates.tsx';
import { ScatterPlot } from '../components/scatter-plot.tsx';
import { AxisChooser } from '../components/axis-chooser.tsx';
import { CompareValuesTable } from '../components/compare-values-table.tsx';
import { RunLegend } from '../components/run-legend.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { defaultMetric, defaultParallelAxes, defaultScatterAxes, dimensionsOf, knownAxes, valueRows } from '../compare-model.ts';
import { compareViewQuery, readCompareView, type CompareView } from '../compare-view.ts';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject } from '../project.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { plural } from '../format.ts';
import type { RunNative, RunsPageNative } from '../../../src/tracking/contract.ts';
import { apiPaths } from '../api-paths.ts';

export function ComparePage({ projectId }: { projectId: string }) {
  const { query } = useLocation();
  const view = readCompareView(query);
  const ids = view.runIds;
  // What the address named, well-formed or not: a mistyped id is said to be missing, not dropped silently.
  const asked = new Set((query.get('runs') ?? '').split(',').filter(Boolean)).size;
  const [state] = useLoad(['compare-runs', projectId, ids.join(',')], async () => {
    const project = await loadProject(projectId);
    if (ids.length === 0) return { project, runs: [] as RunNative[] };
    const q = new URLSearchParams();
    for (const id of ids) q.append('run_id', id);
    const { runs } = await api.get<RunsPageNative>(apiPaths.project(project.id).runs(q));
    // In the order of the selection, so that a run keeps its colour whatever order the server sends.
    return { project, runs: [...runs].sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id)) };
  });
  return (
    <Show state={state} what="Loading the runs" missing={{ title: 'Project not found', message: `There is no project ${projectId}, or you may not see it.`, back: { to: '/', label: 'All projects' } }}>
      {({ project, runs }) =>
        runs.length < 2 ? (
          <section>
            <PageTitle parts={['Compare runs', project.name]} />
            <ProjectNav project={project} />
            <h1>Compare runs</h1>
            <Empty>
              {asked > runs.length ? `Found ${plural(runs.length, 'run')} of the ${asked} asked for (a mistyped id, or a deleted run). ` : ''}Select two to a hundred runs in an experiment to compare
              them. <Link to={`/projects/${project.id}`}>Back to the project</Link>
            </Empty>
          </section>
        ) : (
          <Comparison project={project} runs={runs} view={view} />
        )
      }
    </Show>
  );
}

function Comparison({ project, runs, view }: { project: Parameters<typeof ProjectNav>[0]['project']; runs: RunNative[]; view: CompareView }) {
  const projectId = project.id;
  const show = (change: Partial<CompareView>, replace = false) => navigate(`/projects/${projectId}/compare${compareViewQuery({ ...view, ...change })}`, replace);
  const rows = useMemo(() => valueRows(runs), [runs]);
  const dimensions = useMemo(() => dimensionsOf(runs), [runs]);
  const metricKeys = rows.filter((r) => r.section === 'metric').map((r) => r.key);
  const metric = view.metric && metricKeys.includes(view.metric) ? view.metric : defaultMetric(runs);
  const scatterDefaults = useMemo(() => defaultScatterAxes(dimensions), [dimensions]);
  const dimension = (id: string | null) => dimensions.find((d) => d.id === id);
  const x = dimension(view.x) ?? dimension(scatterDefaults.x);
  const y = dimension(view.y) ?? dimension(scatterDefaults.y);
  const axes = view.axes ? knownAxes(dimensions, view.axes) : defaultParallelAxes(dimensions);
  const options = view.chart;
  const names = runs.map((r) => r.name);
  return (
    <section className="compare">
      <PageTitle parts={[`Comparing ${runs.length} runs`, project.name]} />
      <ProjectNav project={project} />
      <h1>Comparing {runs.length} runs</h1>
      <h2>Values</h2>
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={view.onlyDifferences} onChange={(e) => show({ onlyDifferences: e.target.checked })} /> Only differences
        </label>
      </div>
      <CompareValuesTable projectId={projectId} runs={runs} rows={rows} onlyDifferences={view.onlyDifferences} />
      <h2>Metrics</h2>
      <div className="toolbar">
        <label>
          metric{' '}
          <select aria-label="metric" value={metric} onChange={(e) => show({ metric: e.target.value })}>
            {metricKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      </div>
      {/* Dragging the smoothing slider replaces the address rather than leaving a step of Back per notch. */}
      <ChartControls options={options} onChange={(chart) => show({ chart }, chart.x === options.x && chart.log === options.log)} />
      {metric ? <RunsMetric projectId={projectId} runs={runs} metric={metric} options={options} coloured height={340} /> : <Empty>These runs logged no metrics.</Empty>}
      <h2>Parallel coordinates</h2>
      {dimensions.length < 2 ? (
        <Empty>These runs have fewer than two numeric params and metrics to draw.</Empty>
      ) : (
        <>
          <AxisChooser dimensions={dimensions} chosen={axes} onChange={(chosen) => show({ axes: chosen })} />
          {axes.length < 2 ? <Empty>Choose two or more axes.</Empty> : <ParallelCoordinates names={names} dimensions={axes.map((id) => dimension(id)!)} />}
          <RunLegend names={names} label="Runs in the parallel coordinates" />
        </>
      )}
      <h2>Scatter</h2>
      {x && y ? (
        <>
          <div className="toolbar">
            <label>
              x{' '}
              <select aria-label="scatter x" value={x.id} onChange={(e) => show({ x: e.target.value })}>
                {dimensions.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              y{' '}
              <select aria-label="scatter y" value={y.id} onChange={(e) => show({ y: e.target.value })}>
                {dimensions.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="plot-box">
            <ScatterPlot names={names} x={x} y={y} />
          </div>
          <RunLegend names={names} label="Runs in the scatter" />
        </>
      ) : (
        <Empty>These runs have no numeric params or metrics to draw.</Empty>
      )}
    </section>
  );
}
