/**
 * One colour per run, by its place in the selection, for every place that draws runs: the metric
 * chart's lines (metric-chart.tsx), the values table, the scatter and the parallel coordinates,
 * so a run keeps its colour everywhere.
 */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function runColour(index: number): string {
  if (index < PALETTE.length) return PALETTE[index]!;
  // Past ten runs the palette repeats no colour: hues a golden angle apart stay distinct longest.
  return `hsl(${Math.round((index * 137.508) % 360)}, 60%, 50%)`;
}
