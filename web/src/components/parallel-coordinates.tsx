import { formatNumber } from '../format.ts';
import type { Dimension } from '../compare-model.ts';
import { runColour } from '../run-colours.ts';
import { extent } from './scatter-plot.tsx';

const SPACING = 130;
const LEFT = 40;
/** Room for the last label, which slants to the right of its axis. */
const RIGHT = 150;
/** Room for the slanted labels above the axes. */
const TOP = 110;
const BOTTOM = 30;
const HEIGHT = 380;
/** Slanted 30°, a label of this many characters reaches the next axis's label line but not its text. */
const LABEL_CHARACTERS = 22;

function shortened(label: string): string {
  return label.length > LABEL_CHARACTERS ? `${label.slice(0, LABEL_CHARACTERS - 1)}…` : label;
}

/**
 * One vertical axis per chosen dimension, one line per run in its run colour. Labels slant and
 * are shortened so that many axes do not overwrite one another; the full name is each label's
 * tooltip. The plot keeps its width and scrolls inside its box on a narrow screen.
 */
export function ParallelCoordinates({ names, dimensions }: { names: string[]; dimensions: Dimension[] }) {
  const width = LEFT + RIGHT + SPACING * (dimensions.length - 1);
  const ax = (i: number) => LEFT + i * SPACING;
  const ranges = dimensions.map((d) => extent(d.values.filter((v): v is number => v !== null).concat(d.values.every((v) => v === null) ? [0] : [])));
  const ay = (i: number, v: number) => {
    const [lo, hi] = ranges[i]!;
    return HEIGHT - BOTTOM - ((v - lo) / (hi - lo)) * (HEIGHT - TOP - BOTTOM);
  };
  const path = (run: number) =>
    dimensions
      .map((d, i) => {
        const v = d.values[run];
        if (v === null || v === undefined) return null;
        const previous = i > 0 ? dimensions[i - 1]!.values[run] : null;
        // A run without a value on an axis breaks its line there rather than dropping to zero.
        return `${previous === null || previous === undefined ? 'M' : 'L'}${ax(i)},${ay(i, v)}`;
      })
      .filter(Boolean)
      .join(' ');
  return (
    // Focusable, so that a keyboard can scroll a plot wider than the screen.
    <div className="plot-scroll" tabIndex={0} role="region" aria-label="Parallel coordinates, scrolls sideways">
      <svg
        width={width}
        height={HEIGHT}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        role="img"
        aria-label={`Parallel coordinates of ${names.length} runs on ${dimensions.map((d) => d.label).join(', ')}`}
        data-testid="parallel-coordinates"
      >
        {names.map((name, run) => (
          <path key={run} d={path(run)} stroke={runColour(run)} className="run-line" data-run={name}>
            <title>{`${name}: ${dimensions.map((d) => `${d.label} ${d.values[run] === null ? '—' : formatNumber(d.values[run]!)}`).join(', ')}`}</title>
          </path>
        ))}
        {dimensions.map((d, i) => (
          <g key={d.id} className="axis">
            <line x1={ax(i)} x2={ax(i)} y1={TOP} y2={HEIGHT - BOTTOM} />
            <text x={ax(i)} y={TOP - 6} textAnchor="middle">
              {formatNumber(ranges[i]![1])}
            </text>
            <text x={ax(i)} y={HEIGHT - BOTTOM + 16} textAnchor="middle">
              {formatNumber(ranges[i]![0])}
            </text>
            <text className="axis-label" transform={`translate(${ax(i)} ${TOP - 26}) rotate(-30)`} data-axis={d.id}>
              <title>{d.label}</title>
              {shortened(d.label)}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
