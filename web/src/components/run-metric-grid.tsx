import { useCallback, useState } from 'react';
import { ChartControls, MetricChart, type ChartOptions } from './metric-chart.tsx';
import { loggedOnce, MetricBars } from './metric-bars.tsx';
import { Show } from './states.tsx';
import { chartParam, decodeChart, withChart } from '../chart-settings.ts';
import { useLiveSeries } from '../live-series.ts';
import { navigate, useLocation } from '../router.tsx';
import type { RunNative } from '../../../src/tracking/contract.ts';

/**
 * One metric of a run: a line chart with its own settings, or bars and a table for a metric
 * logged once. Zooming (a step range) fetches finer data for that range; while the run runs,
 * the series follows it.
 */
function RunMetric({ projectId, run, metricKey, options, onOptions }: { projectId: number; run: RunNative; metricKey: string; options: ChartOptions; onOptions: (o: ChartOptions) => void }) {
  const [range, setRange] = useState<{ from: number; to: number } | undefined>(undefined);
  const state = useLiveSeries(projectId, [run.id], metricKey, range, run.status === 'RUNNING');
  const onZoom = useCallback((from: number, to: number) => options.x === 'step' && setRange({ from, to }), [options.x]);
  return (
    <div className="chart-box" data-testid={`metric-${metricKey}`}>
      <Show state={state} what={`Loading ${metricKey}`}>
        {(series) =>
          loggedOnce(series) ? (
            <MetricBars title={metricKey} values={series.flatMap((s) => s.points.slice(0, 1).map((p) => ({ label: run.name, value: p.value })))} />
          ) : (
            <>
              <ChartControls metric={metricKey} relative options={options} onChange={onOptions} />
              <MetricChart title={metricKey} series={series.map((s) => ({ label: run.name, points: s.points }))} options={options} onZoom={onZoom} />
            </>
          )
        }
      </Show>
      {range && (
        <button className="link" onClick={() => setRange(undefined)}>
          Reset zoom
        </button>
      )}
    </div>
  );
}

/**
 * Every metric of a run, one chart each; each chart's settings are kept in the address. The
 * page keeps `run` current while it runs, so a metric logged for the first time gets its chart.
 */
export function RunMetricGrid({ projectId, run }: { projectId: number; run: RunNative }) {
  const { path, query } = useLocation();
  const setOptions = (metricKey: string, options: ChartOptions) => {
    const next = withChart(query, metricKey, options).toString();
    navigate(next ? `${path}?${next}` : path, true);
  };
  return (
    <div className="charts">
      {run.metrics.map((m) => (
        <RunMetric key={m.key} projectId={projectId} run={run} metricKey={m.key} options={decodeChart(query.get(chartParam(m.key)))} onOptions={(o) => setOptions(m.key, o)} />
      ))}
    </div>
  );
}
