export type ChartX = 'step' | 'time' | 'relative';

export interface ChartOptions {
  /** `relative`: seconds since each run's first point. */
  x: ChartX;
  log: boolean;
  /** Exponential smoothing weight, 0 (none) to 0.99. */
  smoothing: number;
}

/**
 * Each chart's settings live in the page's address, so a reload or a shared link shows the
 * charts as they were. Only a chart whose settings differ from the default gets a search
 * parameter, `chart.<metric>=<tokens>`, with tokens `time` or `rel` (the x axis), `log`, and
 * `s<percent>` (smoothing): `chart.loss=rel,log,s60`.
 */
export const DEFAULT_CHART: ChartOptions = { x: 'step', log: false, smoothing: 0 };

const PREFIX = 'chart.';

export function chartParam(metricKey: string): string {
  return `${PREFIX}${metricKey}`;
}

export function encodeChart(options: ChartOptions): string {
  const tokens: string[] = [];
  if (options.x === 'time') tokens.push('time');
  if (options.x === 'relative') tokens.push('rel');
  if (options.log) tokens.push('log');
  const percent = Math.round(options.smoothing * 100);
  if (percent > 0) tokens.push(`s${percent}`);
  return tokens.join(',');
}

/** Unknown tokens are ignored: an address written by another version still opens. */
export function decodeChart(value: string | null): ChartOptions {
  const options = { ...DEFAULT_CHART };
  for (const token of (value ?? '').split(',')) {
    if (token === 'time') options.x = 'time';
    else if (token === 'rel') options.x = 'relative';
    else if (token === 'log') options.log = true;
    else if (/^s\d{1,2}$/.test(token)) options.smoothing = Number(token.slice(1)) / 100;
  }
  return options;
}

/** The query with one chart's settings changed; a chart back at the default leaves the address. */
export function withChart(query: URLSearchParams, metricKey: string, options: ChartOptions): URLSearchParams {
  const next = new URLSearchParams(query);
  const encoded = encodeChart(options);
  if (encoded) next.set(chartParam(metricKey), encoded);
  else next.delete(chartParam(metricKey));
  return next;
}
