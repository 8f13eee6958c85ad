import { metricValue } from '../api.ts';
import { NumberText } from './number-text.tsx';

export interface BarValue {
  label: string;
  value: number | string;
  /** The run's colour where a page colours its runs (the compare page); the default blue otherwise. */
  colour?: string;
}

/**
 * A metric logged once per run (autolog's `training_accuracy_score`): a line needs two points,
 * so each run's value is a bar, from zero, beside a table of the values.
 */
export function MetricBars({ title, values }: { title: string; values: BarValue[] }) {
  const numbers = values.map((v) => metricValue(v.value));
  const largest = Math.max(0, ...numbers.filter(Number.isFinite).map(Math.abs));
  return (
    <div className="metric-bars" data-testid={`bars-${title}`}>
      <h3>{title}</h3>
      <table className="grid bars">
        <tbody>
          {values.map((v, i) => {
            const n = numbers[i]!;
            const width = largest > 0 && Number.isFinite(n) ? (Math.abs(n) / largest) * 100 : 0;
            return (
              <tr key={v.label}>
                <th>{v.label}</th>
                <td className="bar-cell">
                  <span className={n < 0 ? 'bar negative' : 'bar'} style={{ width: `${width}%`, ...(v.colour ? { background: v.colour } : {}) }} />
                </td>
                <td className="number">
                  <NumberText value={v.value} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Whether every series holds at most one point (the server may send it as first, minimum and maximum at once). */
export function loggedOnce(series: { points: { step: number; timestamp: number }[] }[]): boolean {
  return series.every((s) => new Set(s.points.map((p) => `${p.step}:${p.timestamp}`)).size <= 1);
}
