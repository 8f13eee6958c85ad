import { describe, expect, it } from 'vitest';
import { parseFilter, parseOrderBy } from '../../src/tracking/search/filter-parser.ts';
import { minMaxBuckets } from '../../src/tracking/metrics/metric-history.ts';

describe('search filter grammar', () => {
  it('parses MLflow comparisons with every identifier form', () => {
    expect(parseFilter(`metrics.loss < 0.5 AND params."learning rate" = '0.1' AND tags.\`a b\` LIKE '%x' AND run_name = "r1"`)).toEqual({
      kind: 'and',
      items: [
        { kind: 'compare', prefix: 'metrics', key: 'loss', comparator: '<', literal: { type: 'number', value: 0.5, text: '0.5' } },
        { kind: 'compare', prefix: 'params', key: 'learning rate', comparator: '=', literal: { type: 'string', value: '0.1' } },
        { kind: 'compare', prefix: 'tags', key: 'a b', comparator: 'LIKE', literal: { type: 'string', value: '%x' } },
        { kind: 'compare', prefix: null, key: 'run_name', comparator: '=', literal: { type: 'string', value: 'r1' } },
      ],
    });
  });

  it('reads keys with slashes, dashes, colons and dots', () => {
    expect(parseFilter('metrics.val/loss-2:x.y >= -1e-3')).toMatchObject({ prefix: 'metrics', key: 'val/loss-2:x.y', comparator: '>=', literal: { value: -0.001 } });
  });

  it('gives OR lower precedence than AND and honours parentheses', () => {
    const node = parseFilter("params.a = '1' OR params.b = '2' AND params.c = '3'");
    expect(node).toMatchObject({ kind: 'or', items: [{ key: 'a' }, { kind: 'and', items: [{ key: 'b' }, { key: 'c' }] }] });
    const grouped = parseFilter("(params.a = '1' OR params.b = '2') AND params.c = '3'");
    expect(grouped).toMatchObject({ kind: 'and', items: [{ kind: 'or' }, { key: 'c' }] });
  });

  it('parses IN, NOT IN, IS NULL and IS NOT NULL, case-insensitively', () => {
    expect(parseFilter("attributes.run_id in ('a', 'b')")).toMatchObject({ comparator: 'IN', literal: { type: 'list', values: ['a', 'b'] } });
    expect(parseFilter("attributes.status NOT IN ('FAILED')")).toMatchObject({ comparator: 'NOT IN' });
    expect(parseFilter('tags.x is null')).toMatchObject({ comparator: 'IS NULL' });
    expect(parseFilter('tags.x IS NOT NULL')).toMatchObject({ comparator: 'IS NOT NULL' });
    expect(parseFilter("tags.q = 'it''s'")).toMatchObject({ literal: { value: "it's" } });
  });

  it('treats blank filters as no condition', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   ')).toBeNull();
  });

  for (const bad of [
    'metrics.loss <',
    'metrics.loss < 1 AND',
    '(metrics.loss < 1',
    'metrics.loss < 1)',
    'params.a = unquoted',
    "tags.t IN 'x'",
    "tags.t IN ('x' 'y')",
    'metrics.loss ! 1',
    "'lonely'",
    'metrics. = 1',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with a message`, () => {
      expect(() => parseFilter(bad)).toThrow(/Invalid filter|expected|unexpected/);
    });
  }

  it('parses order_by clauses', () => {
    expect(parseOrderBy('metrics.loss DESC')).toEqual({ prefix: 'metrics', key: 'loss', ascending: false });
    expect(parseOrderBy('start_time')).toEqual({ prefix: null, key: 'start_time', ascending: true });
    expect(parseOrderBy('params.`lr` asc')).toEqual({ prefix: 'params', key: 'lr', ascending: true });
    expect(() => parseOrderBy('metrics.loss DESC extra')).toThrow();
  });
});

describe('min/max downsampling', () => {
  it('keeps every rare spike of a long series', () => {
    const points = Array.from({ length: 100_000 }, (_, step) => ({ key: 'm', step, timestamp: step, value: Math.sin(step / 1000) }));
    const spikes = [1234, 45_678, 99_001];
    for (const s of spikes) points[s]!.value = 50;
    points[70_000]!.value = -50;
    const sampled = minMaxBuckets(points, 0, 99_999, 500);
    expect(sampled.length).toBeLessThanOrEqual(1000);
    for (const s of [...spikes, 70_000]) expect(sampled.some((p) => p.step === s)).toBe(true);
    const steps = sampled.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });
});
