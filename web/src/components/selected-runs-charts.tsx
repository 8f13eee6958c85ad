import { useState } from 'react';
import { ChartControls } from './metric-chart.tsx';
import { RunsMetric } from './runs-metric.tsx';
import { DEFAULT_CHART, type ChartOptions } from '../chart-settings.ts';
import { plural } from '../format.ts';
import type { RunNative } from '../../../src/tracking/contract.ts';

/** The series endpoint reads at most this many runs at once. */
const MOST_RUNS = 100;

/** One metric across the selected runs, with chart settings of its own. */
function SelectedRunsMetric({ projectId, runs, metricKey }: { projectId: number; runs: RunNative[]; metricKey: string }) {
  const [options, setOptions] = useState<ChartOptions>(DEFAULT_CHART);
  return (
    <div className="chart-box" data-testid={`metric-${metricKey}`}>
      <RunsMetric projectId={projectId} runs={runs} metric={metricKey} options={options} controls={<ChartControls metric={metricKey} relative options={options} onChange={setOptions} />} />
    </div>
  );
}

/**
 * Charts of every metric of the runs ticked in the table, one chart per metric with a line per
 * run, opened by a button beside the table; each chart has settings of its own.
 */
export function SelectedRunsCharts({ projectId, runs }: { projectId: number; runs: RunNative[] }) {
  const [open, setOpen] = useState(false);
  const keys = [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.key)))].sort();
  const tooMany = runs.length > MOST_RUNS;
  return (
    <>
      <button aria-pressed={open} disabled={runs.length === 0 || tooMany} title={tooMany ? `At most ${MOST_RUNS} runs` : undefined} onClick={() => setOpen(!open)}>
        Chart selected {runs.length > 0 ? `(${runs.length})` : ''}
      </button>
      {open && runs.length > 0 && !tooMany && (
        <section className="selected-charts" aria-label={`Charts of ${plural(runs.length, 'selected run')}`}>
          <div className="charts">
            {keys.map((key) => (
              <SelectedRunsMetric key={key} projectId={projectId} runs={runs} metricKey={key} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}
