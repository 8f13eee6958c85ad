import { formatNumber } from '../format.ts';
import type { Dimension } from '../compare-model.ts';
import { runColour } from '../run-colours.ts';

const WIDTH = 520;
const HEIGHT = 360;
const LEFT = 64;
const RIGHT = 16;
const TOP = 14;
const BOTTOM = 52;

/** The ends of an axis; a single value gets some room either side so its dot is not on the frame. */
export function extent(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo !== hi) return [lo, hi];
  const room = Math.abs(lo) / 10 || 1;
  return [lo - room, hi + room];
}

/**
 * One dot per run in its run colour, for two dimensions. Each dot's tooltip names the run and
 * both values; runs without both values are counted under the plot, not drawn at zero.
 */
export function ScatterPlot({ names, x, y }: { names: string[]; x: Dimension; y: Dimension }) {
  const points = names.flatMap((name, i) => {
    const xv = x.values[i];
    const yv = y.values[i];
    return xv === null || xv === undefined || yv === null || yv === undefined ? [] : [{ name, i, xv, yv }];
  });
  const missing = names.length - points.length;
  const [x0, x1] = points.length ? extent(points.map((p) => p.xv)) : [0, 1];
  const [y0, y1] = points.length ? extent(points.map((p) => p.yv)) : [0, 1];
  const px = (v: number) => LEFT + ((v - x0) / (x1 - x0)) * (WIDTH - LEFT - RIGHT);
  const py = (v: number) => HEIGHT - BOTTOM - ((v - y0) / (y1 - y0)) * (HEIGHT - TOP - BOTTOM);
  const ticks = (lo: number, hi: number) => [lo, (lo + hi) / 2, hi];
  return (
    <figure className="plot scatter">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`Scatter of ${y.label} against ${x.label}, ${points.length} of ${names.length} runs`} data-testid="scatter">
        <rect className="frame" x={LEFT} y={TOP} width={WIDTH - LEFT - RIGHT} height={HEIGHT - TOP - BOTTOM} />
        {ticks(x0, x1).map((v, i) => (
          <text key={`x${i}`} x={px(v)} y={HEIGHT - BOTTOM + 16} textAnchor={i === 0 ? 'start' : i === 2 ? 'end' : 'middle'}>
            {formatNumber(v)}
          </text>
        ))}
        {ticks(y0, y1).map((v, i) => (
          <text key={`y${i}`} x={LEFT - 6} y={py(v) + 4} textAnchor="end">
            {formatNumber(v)}
          </text>
        ))}
        <text className="axis-label" x={LEFT + (WIDTH - LEFT - RIGHT) / 2} y={HEIGHT - 12} textAnchor="middle">
          {x.label}
        </text>
        <text className="axis-label" transform={`translate(14 ${TOP + (HEIGHT - TOP - BOTTOM) / 2}) rotate(-90)`} textAnchor="middle">
          {y.label}
        </text>
        {points.map((p) => (
          <circle key={p.i} cx={px(p.xv)} cy={py(p.yv)} r={6} fill={runColour(p.i)} data-run={p.name}>
            <title>{`${p.name}: ${x.label} ${formatNumber(p.xv)}, ${y.label} ${formatNumber(p.yv)}`}</title>
          </circle>
        ))}
      </svg>
      {missing > 0 && <figcaption className="muted">{missing === 1 ? '1 run lacks' : `${missing} runs lack`} one of the two values and is not drawn.</figcaption>}
    </figure>
  );
}
