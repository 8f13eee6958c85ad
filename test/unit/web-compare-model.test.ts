import { describe, expect, it } from 'vitest';
import { defaultMetric, defaultParallelAxes, defaultScatterAxes, dimensionsOf, knownAxes, valueRows, type ComparedRun } from '../../web/src/compare-model.ts';
import { compareViewQuery, readCompareView } from '../../web/src/compare-view.ts';
import { runColour } from '../../web/src/run-colours.ts';

function run(name: string, params: Record<string, string>, metrics: Record<string, number | [number, number]>, tags: Record<string, string> = {}): ComparedRun {
  return {
    name,
    params,
    tags: { 'mlflow.runName': name, ...tags },
    metrics: Object.entries(metrics).map(([key, v]) => (Array.isArray(v) ? { key, value: v[0], step: v[1] } : { key, value: v, step: 0 })),
  };
}

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('the compare page’s values table', () => {
  const runs = [
    run('r0', { lr: '0.1', seed: '42' }, { loss: 0.5, once: 1 }, { team: 'x' }),
    run('r1', { lr: '0.2', seed: '42' }, { loss: 0.4, once: 1 }, { team: 'x' }),
    run('r2', { lr: '0.3' }, { loss: 0.3, once: 1 }),
  ];

  it('has params, metrics (latest value) and tags as rows, one value per run, without MLflow’s own tags', () => {
    expect(valueRows(runs).map((r) => `${r.section}:${r.key}`)).toEqual(['param:lr', 'param:seed', 'metric:loss', 'metric:once', 'tag:team']);
    expect(valueRows(runs).find((r) => r.key === 'loss')!.values).toEqual([0.5, 0.4, 0.3]);
  });

  it('marks a row as differing when the runs disagree, a missing value included', () => {
    expect(Object.fromEntries(valueRows(runs).map((r) => [r.key, r.differs]))).toEqual({ lr: true, seed: true, loss: true, once: false, team: true });
  });
});

describe('the metric the comparison opens on', () => {
  it('is one every run has that differs, a history before a value logged once', () => {
    // a_partial differs and has a history, but r2 lacks it: a chart of it leaves a run out.
    const runs = [
      run('r0', {}, { a_partial: [1, 5], b_constant: 42, c_once: 0.9, loss: [0.5, 9] }),
      run('r1', {}, { a_partial: [2, 5], b_constant: 42, c_once: 0.8, loss: [0.4, 9] }),
      run('r2', {}, { b_constant: 42, c_once: 0.7, loss: [0.3, 9] }),
    ];
    expect(defaultMetric(runs)).toBe('loss');
    expect(defaultMetric(runs.map((r) => ({ ...r, metrics: r.metrics.filter((m) => m.key !== 'loss') })))).toBe('c_once');
  });

  it('is one that differs among the runs that have it when none is everywhere, else the first', () => {
    expect(defaultMetric([run('r0', {}, { a: 1, b: 2 }), run('r1', {}, { b: 3 }), run('r2', {}, { a: 1, b: 4 }), run('r3', {}, { c: 5 })])).toBe('b');
    expect(defaultMetric([run('r0', {}, { a: 1 }), run('r1', {}, { a: 1 })])).toBe('a');
    expect(defaultMetric([run('r0', {}, {}), run('r1', {}, {})])).toBe('');
  });
});

describe('the plots’ dimensions and default axes', () => {
  it('are numeric params and metrics; a param with a word in it is no axis', () => {
    const dims = dimensionsOf([run('r0', { lr: '0.1', opt: 'adam' }, { loss: 0.5 }), run('r1', { lr: '1e-2', opt: '3' }, { loss: 'NaN' as unknown as number })]);
    expect(dims.map((d) => [d.id, d.label, d.values])).toEqual([
      ['param:lr', 'params.lr', [0.1, 0.01]],
      ['metric:loss', 'metrics.loss', [0.5, null]],
    ]);
  });

  it('scatter two varying keys most runs have together, a param against a metric', () => {
    // Each of p_only0 and p_only1 is in one run: today's first two varying keys, which no run has together.
    const runs = [
      run('r0', { a_only0: '1', lr: '0.1', seed: '7' }, { loss: 0.5, acc: 0.7 }),
      run('r1', { a_only1: '2', lr: '0.2', seed: '7' }, { loss: 0.4, acc: 0.8 }),
      run('r2', { a_only0: '3', lr: '0.3', seed: '7' }, { loss: 0.3, acc: 0.9 }),
    ];
    expect(defaultScatterAxes(dimensionsOf(runs))).toEqual({ x: 'param:lr', y: 'metric:acc' });
    expect(defaultScatterAxes([])).toEqual({ x: '', y: '' });
  });

  it('scatter a param against a param rather than against a metric fewer runs have', () => {
    const runs = [run('r0', { batch: '16', lr: '0.1' }, { sparse: 1 }), run('r1', { batch: '32', lr: '0.2' }, { sparse: 2 }), run('r2', { batch: '64', lr: '0.3' }, {})];
    expect(defaultScatterAxes(dimensionsOf(runs))).toEqual({ x: 'param:batch', y: 'param:lr' });
  });

  it('draw at most six varying axes in parallel coordinates, keeping the page’s order, and drop unknown chosen ones', () => {
    const params = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${String(i).padStart(2, '0')}`, '1']));
    const runs = [0, 1, 2].map((i) => run(`r${i}`, { ...params, ...Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`v${k}`, String(i * k)])) }, { loss: i }));
    const dims = dimensionsOf(runs);
    expect(defaultParallelAxes(dims)).toEqual(['param:v1', 'param:v2', 'param:v3', 'param:v4', 'param:v5', 'param:v6']);
    expect(knownAxes(dims, ['metric:loss', 'param:gone', 'param:v7'])).toEqual(['param:v7', 'metric:loss']);
  });
});

describe('the compare page’s address', () => {
  it('reads back what it wrote', () => {
    const view = { runIds: [A, B], metric: 'loss', onlyDifferences: true, x: 'param:lr', y: 'metric:loss', axes: ['param:lr', 'metric:a b'], chart: { x: 'time' as const, log: true, smoothing: 0.6 } };
    const query = compareViewQuery(view);
    expect(query).toContain(`runs=${A},${B}`);
    expect(query).toContain('diff=1');
    expect(readCompareView(new URLSearchParams(query))).toEqual(view);
  });

  it('tells no choice from a choice of no axes, and drops what a hand-typed link got wrong', () => {
    const chart = { x: 'step' as const, log: false, smoothing: 0 };
    expect(readCompareView(new URLSearchParams(`runs=${A},nope,${A}`))).toEqual({ runIds: [A], metric: null, onlyDifferences: false, x: null, y: null, axes: null, chart });
    expect(readCompareView(new URLSearchParams(`runs=${A}&chart_x=sideways&smooth=7`)).chart).toEqual({ x: 'step', log: false, smoothing: 0.99 });
    const none = { runIds: [A], metric: null, onlyDifferences: false, x: null, y: null, axes: [], chart };
    expect(readCompareView(new URLSearchParams(compareViewQuery(none)))).toEqual(none);
  });
});

describe('run colours', () => {
  it('are distinct for the first runs and stable for each place', () => {
    const colours = Array.from({ length: 20 }, (_, i) => runColour(i));
    expect(new Set(colours).size).toBe(20);
    expect(runColour(3)).toBe(colours[3]);
  });
});
