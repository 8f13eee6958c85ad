import { useEffect, useRef } from 'react';
import { themeColour } from '../theme.ts';

export interface PlotRow {
  label: string;
  values: Record<string, number | null>;
}

function range(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function colour(t: number): string {
  const hue = 240 - 240 * Math.max(0, Math.min(1, t));
  return `hsl(${hue}, 70%, 45%)`;
}

/** Parallel coordinates: one vertical axis per dimension, one line per run, coloured by the last dimension. */
export function ParallelCoordinates({ rows, dimensions, width = 900, height = 320 }: { rows: PlotRow[]; dimensions: string[]; width?: number; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || dimensions.length < 2) return;
    ctx.clearRect(0, 0, width, height);
    const pad = 40;
    const x = (i: number) => pad + (i * (width - 2 * pad)) / (dimensions.length - 1);
    const ranges = dimensions.map((d) => range(rows.map((r) => r.values[d]).filter((v): v is number => v !== null && Number.isFinite(v))));
    const y = (i: number, v: number) => {
      const [lo, hi] = ranges[i]!;
      return height - pad - ((v - lo) / (hi - lo)) * (height - 2 * pad);
    };
    const colourBy = ranges[ranges.length - 1]!;
    for (const row of rows) {
      const last = row.values[dimensions[dimensions.length - 1]!];
      ctx.strokeStyle = last === null || last === undefined ? '#bbb' : colour((last - colourBy[0]) / (colourBy[1] - colourBy[0]));
      ctx.beginPath();
      let drawing = false;
      dimensions.forEach((d, i) => {
        const v = row.values[d];
        if (v === null || v === undefined || !Number.isFinite(v)) {
          drawing = false;
          return;
        }
        if (drawing) ctx.lineTo(x(i), y(i, v));
        else ctx.moveTo(x(i), y(i, v));
        drawing = true;
      });
      ctx.stroke();
    }
    ctx.fillStyle = themeColour('--text');
    ctx.strokeStyle = themeColour('--border-strong');
    ctx.font = '12px sans-serif';
    dimensions.forEach((d, i) => {
      ctx.beginPath();
      ctx.moveTo(x(i), pad);
      ctx.lineTo(x(i), height - pad);
      ctx.stroke();
      ctx.textAlign = 'center';
      ctx.fillText(d, x(i), pad - 12);
      ctx.fillText(String(+ranges[i]![1].toPrecision(4)), x(i), pad - 1);
      ctx.fillText(String(+ranges[i]![0].toPrecision(4)), x(i), height - pad + 14);
    });
  }, [rows, dimensions, width, height]);
  return <canvas ref={canvas} width={width} height={height} data-testid="parallel-coordinates" />;
}

/** A scatter of two dimensions, one point per run. */
export function Scatter({ rows, xKey, yKey, width = 520, height = 360 }: { rows: PlotRow[]; xKey: string; yKey: string; width?: number; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    const points = rows
      .map((r) => [r.values[xKey], r.values[yKey], r.label] as const)
      .filter((p): p is readonly [number, number, string] => typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1]));
    const pad = 50;
    ctx.strokeStyle = themeColour('--border-strong');
    ctx.strokeRect(pad, 10, width - pad - 10, height - pad - 10);
    ctx.fillStyle = themeColour('--text');
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(xKey, width / 2, height - 10);
    ctx.save();
    ctx.translate(14, height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(yKey, 0, 0);
    ctx.restore();
    if (points.length === 0) return;
    const [x0, x1] = range(points.map((p) => p[0]));
    const [y0, y1] = range(points.map((p) => p[1]));
    ctx.fillText(String(+x0.toPrecision(4)), pad, height - pad + 14);
    ctx.fillText(String(+x1.toPrecision(4)), width - 10, height - pad + 14);
    ctx.textAlign = 'right';
    ctx.fillText(String(+y1.toPrecision(4)), pad - 4, 20);
    ctx.fillText(String(+y0.toPrecision(4)), pad - 4, height - pad);
    ctx.fillStyle = '#1f77b4';
    for (const [x, y] of points) {
      ctx.beginPath();
      ctx.arc(pad + ((x - x0) / (x1 - x0)) * (width - pad - 10), height - pad - ((y - y0) / (y1 - y0)) * (height - pad - 20), 4, 0, Math.PI * 2);
      ctx.fill();
    }
  }, [rows, xKey, yKey, width, height]);
  return <canvas ref={canvas} width={width} height={height} data-testid="scatter" />;
}
