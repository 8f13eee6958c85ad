import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { metricValue } from '../api.ts';
import type { MetricPointNative } from '../../../src/tracking/contract.ts';
import { themeColour } from '../theme.ts';
import type { ChartOptions, ChartX } from '../chart-settings.ts';
import { runColour } from '../run-colours.ts';

/** Labels, ticks and grid lines in the page's scheme (uPlot draws them black by default). */
function axisColours() {
  const line = themeColour('--border');
  return { stroke: themeColour('--text'), grid: { stroke: line }, ticks: { stroke: line } };
}

export interface ChartSeries {
  label: string;
  points: MetricPointNative[];
}

export type { ChartOptions, ChartX } from '../chart-settings.ts';

function smooth(values: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return values;
  let last: number | null = null;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last === null ? v : last * weight + v * (1 - weight);
    return last;
  });
}

/**
 * A uPlot chart of one metric for one or many runs. The points come already downsampled by
 * the server (every bucket's minimum and maximum), so what is drawn is faithful to the raw
 * data at screen resolution. Selecting a range with the mouse zooms, and `onZoom` lets the
 * page fetch finer data for that range.
 */
export function MetricChart({
  title,
  series,
  options,
  height = 260,
  onZoom,
}: {
  title: string;
  series: ChartSeries[];
  options: ChartOptions;
  height?: number;
  onZoom?: (from: number, to: number) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const xs = new Set<number>();
    const byRun = series.map((s) => {
      const map = new Map<number, number>();
      // Relative time counts from each run's own first point, so runs started apart line up.
      const origin = Math.min(...s.points.map((p) => p.timestamp));
      for (const p of s.points) {
        const x = options.x === 'step' ? p.step : options.x === 'time' ? p.timestamp / 1000 : (p.timestamp - origin) / 1000;
        const y = metricValue(p.value);
        if (Number.isFinite(y) && (!options.log || y > 0)) {
          xs.add(x);
          map.set(x, y);
        }
      }
      return map;
    });
    const xValues = [...xs].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [
      xValues,
      ...byRun.map((map) =>
        smooth(
          xValues.map((x) => map.get(x) ?? null),
          options.smoothing,
        ),
      ),
    ];
    const axes = axisColours();
    const plot = new uPlot(
      {
        title,
        width: Math.max(240, element.clientWidth || 640),
        height,
        scales: { x: { time: options.x === 'time' }, y: { distr: options.log ? 3 : 1 } },
        axes: [
          { label: X_LABELS[options.x], ...axes },
          { label: title, size: 70, ...axes },
        ],
        // One-pixel lines: without a GPU the browser draws them on a fast path, where 1.5 px
        // strokes made a comparison of 100 runs take two seconds to paint.
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: runColour(i), width: 1, spanGaps: true, points: { show: false } }))],
        legend: { show: series.length <= 12 },
        cursor: { drag: { x: true, y: false } },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width > 2 && onZoom) {
                const from = u.posToVal(u.select.left, 'x');
                const to = u.posToVal(u.select.left + u.select.width, 'x');
                onZoom(Math.floor(from), Math.ceil(to));
              }
            },
          ],
        },
      },
      data,
      element,
    );
    element.dataset.points = String(xValues.length);
    // Axis labels are painted on the canvas; the labels uPlot was given are exposed for tests and tools.
    element.dataset.axes = plot.axes.map((a) => String(a.label ?? '')).join('|');
    element.dataset.axisColour = axes.stroke;
    // The first line's last drawn value (after smoothing), for the same readers.
    const firstLine = data[1] ?? [];
    element.dataset.lastValue = String(firstLine[firstLine.length - 1] ?? '');
    // The extremes drawn: downsampling keeps each bucket's minimum and maximum, so a spike survives it.
    let low = Infinity;
    let high = -Infinity;
    for (const line of data.slice(1)) {
      for (const v of line as (number | null)[]) {
        if (v !== null && Number.isFinite(v)) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
    }
    element.dataset.yRange = low <= high ? `${low}|${high}` : '';
    const resize = () => plot.setSize({ width: Math.max(240, element.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [title, series, options.x, options.log, options.smoothing, height, onZoom]);
  // The canvas says nothing to a screen reader; the container names what it shows.
  const points = series.reduce((n, s) => n + s.points.length, 0);
  return <div ref={host} className="chart" role="img" aria-label={`Chart of ${title} by ${X_LABELS[options.x]}, ${points} points`} data-testid={`chart-${title}`} />;
}

const X_LABELS: Record<ChartX, string> = { step: 'step', time: 'time', relative: 'relative time (s)' };

/**
 * The settings of a chart. `metric` names the chart in the controls' accessible names, where a
 * page has one set of controls per chart; `relative` offers seconds since the first point.
 */
export function ChartControls({ options, onChange, metric, relative = false }: { options: ChartOptions; onChange: (o: ChartOptions) => void; metric?: string; relative?: boolean }) {
  const of = metric === undefined ? '' : ` of ${metric}`;
  return (
    <div className="toolbar">
      <label>
        x axis{' '}
        <select aria-label={`x axis${of}`} value={options.x} onChange={(e) => onChange({ ...options, x: e.target.value as ChartX })}>
          <option value="step">step</option>
          <option value="time">time</option>
          {relative && <option value="relative">relative time</option>}
        </select>
      </label>
      <label>
        <input type="checkbox" aria-label={`log scale${of}`} checked={options.log} onChange={(e) => onChange({ ...options, log: e.target.checked })} /> log scale
      </label>
      <label>
        smoothing{' '}
        <input type="range" aria-label={`smoothing${of}`} min={0} max={0.99} step={0.01} value={options.smoothing} onChange={(e) => onChange({ ...options, smoothing: Number(e.target.value) })} />{' '}
        {options.smoothing.toFixed(2)}
      </label>
    </div>
  );
}
