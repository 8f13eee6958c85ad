import type { ReactNode } from 'react';
import { MetricChart, type ChartOptions } from './metric-chart.tsx';
import { loggedOnce, MetricBars } from './metric-bars.tsx';
import { Show, type Loadable } from './states.tsx';
import { useLiveSeries } from '../live-series.ts';
import { runColour } from '../run-colours.ts';
import type { RunNative, RunSeriesNative } from '../../../src/tracking/contract.ts';

/**
 * One metric across some runs (the compared ones, the ones ticked beside the runs table): a line
 * each, or a bar each for a metric logged once; followed live while any of them runs, as a run's
 * own page follows it. Lines are coloured in the runs' order, and bars too when `coloured`.
 */
export function RunsMetric({
  projectId,
  runs,
  metric,
  options,
  controls,
  coloured = false,
  height,
}: {
  projectId: number;
  runs: RunNative[];
  metric: string;
  options: ChartOptions;
  /** Shown above the chart (not above bars, which have no settings). */
  controls?: ReactNode;
  coloured?: boolean;
  height?: number;
}) {
  const runIds = runs.map((r) => r.id);
  const live = useLiveSeries(
    projectId,
    runIds,
    metric,
    undefined,
    runs.some((r) => r.status === 'RUNNING'),
  );
  // The chart colours its lines in the order given: the runs' order, whatever order the server sends.
  const state: Loadable<RunSeriesNative[]> = live.status === 'ready' ? { status: 'ready', data: [...live.data].sort((a, b) => runIds.indexOf(a.run_id) - runIds.indexOf(b.run_id)) } : live;
  const nameOf = new Map(runs.map((r) => [r.id, r.name]));
  const label = (runId: string) => nameOf.get(runId) ?? runId;
  return (
    <Show state={state} what={`Loading ${metric}`}>
      {(series) =>
        loggedOnce(series) ? (
          <MetricBars
            title={metric}
            values={series.flatMap((s) => s.points.slice(0, 1).map((p) => ({ label: label(s.run_id), value: p.value, ...(coloured ? { colour: runColour(runIds.indexOf(s.run_id)) } : {}) })))}
          />
        ) : (
          <>
            {controls}
            <MetricChart title={metric} series={series.map((s) => ({ label: label(s.run_id), points: s.points }))} options={options} height={height} />
          </>
        )
      }
    </Show>
  );
}
