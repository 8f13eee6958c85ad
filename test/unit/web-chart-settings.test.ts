import { describe, expect, it } from 'vitest';
import { decodeChart, encodeChart, withChart } from '../../web/src/chart-settings.ts';

describe('chart settings in the address', () => {
  it('round-trips every setting in a few characters', () => {
    const options = { x: 'relative' as const, log: true, smoothing: 0.6 };
    expect(encodeChart(options)).toBe('rel,log,s60');
    expect(decodeChart('rel,log,s60')).toEqual(options);
    expect(decodeChart(encodeChart({ x: 'time', log: false, smoothing: 0.99 }))).toEqual({ x: 'time', log: false, smoothing: 0.99 });
  });

  it('leaves a chart at the default out of the address and keeps other parameters', () => {
    const query = withChart(new URLSearchParams('tab=metrics&chart.loss=log'), 'loss', { x: 'step', log: false, smoothing: 0 });
    expect(query.toString()).toBe('tab=metrics');
    expect(withChart(query, 'val/acc', { x: 'time', log: false, smoothing: 0 }).get('chart.val/acc')).toBe('time');
  });

  it('opens an address with tokens it does not know at the default for them', () => {
    expect(decodeChart('bogus,s500,log')).toEqual({ x: 'step', log: true, smoothing: 0 });
    expect(decodeChart(null)).toEqual({ x: 'step', log: false, smoothing: 0 });
  });
});
