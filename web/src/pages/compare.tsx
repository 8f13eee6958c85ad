import { useMemo, useState } from 'react';
import { PageTitle } from '../page-title.ts';
import { api, metricValue } from '../api.ts';
import { ChartControls, MetricChart, type ChartOptions } from '../components/metric-chart.tsx';
import { ParallelCoordinates, Scatter, type PlotRow } from '../components/plots.tsx';
import { loggedOnce, MetricBars } from '../components/metric-bars.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { metricToCompare } from '../runs-model.ts';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject } from '../project.ts';
import { Link, useLocation } from '../router.tsx';
import type { RunNative, RunsPageNative } from '../../../src/tracking/contract.ts';
import { loadSeries } from './run.tsx';
import { apiPaths } from '../api-paths.ts';

function numeric(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function ComparePage({ projectId }: { projectId: string }) {
  const { query } = useLocation();
  const ids = (query.get('runs') ?? '')
    .split(',')
    .filter((id) => /^[0-9a-f]{32}$/.test(id))
    .slice(0, 100);
  const [state] = useLoad(['compare-runs', projectId, ids.join(',')], async () => {
    const project = await loadProject(projectId);
    if (ids.length === 0) return { project, runs: [] as RunNative[] };
    const q = new URLSearchParams();
    for (const id of ids) q.append('run_id', id);
    const { runs } = await api.get<RunsPageNative>(apiPaths.project(project.id).runs(q));
    return { project, runs };
  });
  return (
    <Show state={state} what="Loading the runs">
      {({ project, runs }) => (runs.length < 2 ? <Empty>Select two to a hundred runs in an experiment to compare them.</Empty> : <Comparison projectId={project.id} project={project} runs={runs} />)}
    </Show>
  );
}

function Comparison({ projectId, project, runs }: { projectId: number; project: Parameters<typeof ProjectNav>[0]['project']; runs: RunNative[] }) {
  const metricKeys = useMemo(() => [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.key)))].sort(), [runs]);
  const paramKeys = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort(), [runs]);
  const [metric, setMetric] = useState(() => metricToCompare(runs, metricKeys));
  const [options, setOptions] = useState<ChartOptions>({ x: 'step', log: false, smoothing: 0 });
  const [series] = useLoad(['compare-metric-series', projectId, metric, runs.map((r) => r.id).join(',')], () =>
    metric
      ? loadSeries(
          projectId,
          runs.map((r) => r.id),
          metric,
        )
      : Promise.resolve([]),
  );
  const numericParams = paramKeys.filter((k) => runs.every((r) => r.params[k] === undefined || numeric(r.params[k]) !== null));
  const rows: PlotRow[] = runs.map((r) => ({
    label: r.name,
    values: Object.fromEntries([
      ...numericParams.map((k) => [`params.${k}`, numeric(r.params[k])]),
      ...metricKeys.map((k) => [`metrics.${k}`, metricValue(r.metrics.find((m) => m.key === k)?.value ?? Number.NaN)]),
    ]),
  }));
  const dimensions = Object.keys(rows[0]?.values ?? {});
  // The scatter opens on dimensions that differ between the runs: a constant is one dot column.
  const varying = dimensions.filter((d) => new Set(rows.map((r) => r.values[d])).size > 1);
  const [x, setX] = useState(varying[0] ?? dimensions[0] ?? '');
  const [y, setY] = useState(varying[1] ?? dimensions[1] ?? dimensions[0] ?? '');
  const names = new Map(runs.map((r) => [r.id, r.name]));
  return (
    <section>
      <PageTitle parts={[`Comparing ${runs.length} runs`, project.name]} />
      <ProjectNav project={project} />
      <h1>Comparing {runs.length} runs</h1>
      <h2>Metrics</h2>
      <div className="toolbar">
        <label>
          metric{' '}
          <select aria-label="metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
            {metricKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      </div>
      <ChartControls options={options} onChange={setOptions} />
      <Show state={series} what="Loading metric histories">
        {(data) =>
          loggedOnce(data) ? (
            <MetricBars title={metric} values={data.flatMap((s) => s.points.slice(0, 1).map((p) => ({ label: names.get(s.run_id) ?? s.run_id, value: p.value })))} />
          ) : (
            <MetricChart title={metric} series={data.map((s) => ({ label: names.get(s.run_id) ?? s.run_id, points: s.points }))} options={options} height={340} />
          )
        }
      </Show>
      <h2>Parameters</h2>
      <table className="grid diff" data-testid="params-diff">
        <thead>
          <tr>
            <th>param</th>
            {runs.map((r) => (
              <th key={r.id}>
                <Link to={`/projects/${projectId}/runs/${r.id}`}>{r.name}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {paramKeys.map((k) => {
            const differs = new Set(runs.map((r) => r.params[k] ?? '')).size > 1;
            return (
              <tr key={k} className={differs ? 'differs' : ''}>
                <th>{k}</th>
                {runs.map((r) => (
                  <td key={r.id}>{r.params[k] ?? '—'}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Parallel coordinates</h2>
      <p className="muted">Numeric params, then metrics; lines coloured by the last axis ({dimensions[dimensions.length - 1]}).</p>
      <ParallelCoordinates rows={rows} dimensions={dimensions} />
      <h2>Scatter</h2>
      <div className="toolbar">
        <label>
          x{' '}
          <select aria-label="scatter x" value={x} onChange={(e) => setX(e.target.value)}>
            {dimensions.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          y{' '}
          <select aria-label="scatter y" value={y} onChange={(e) => setY(e.target.value)}>
            {dimensions.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
      </div>
      <Scatter rows={rows} xKey={x} yKey={y} />
    </section>
  );
}
