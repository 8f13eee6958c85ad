import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, plural, runDuration } from '../../web/src/format.ts';
import { mlflowPlace, pageOfMlflowLink } from '../../web/src/mlflow-links.ts';

describe('the web UI’s formatting', () => {
  it('writes numbers with four significant digits, far ones in exponent form', () => {
    expect([0.9777777777777777, 0.5, 12.345678, 42, 1234.5678, 0.000012346, 123456789.5, -0.25].map(formatNumber)).toEqual(['0.9778', '0.5', '12.35', '42', '1235', '1.235e-5', '1.235e+8', '-0.25']);
  });

  it('writes sizes in binary units', () => {
    expect([0, 940, 1024, 1536, 2048, 1073741824, 79.6 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '940 B', '1 KiB', '1.5 KiB', '2 KiB', '1 GiB', '79.6 GiB']);
  });

  it('writes durations from milliseconds to days', () => {
    expect([0.35, 42, 125, 7260, 3 * 86400 + 4 * 3600, null].map(formatDuration)).toEqual(['350 ms', '42s', '2m 05s', '2h 01m', '3d 4h', '']);
    expect(runDuration({ start_time: 1000, end_time: 3000, status: 'FINISHED' })).toBe(2000);
    expect(runDuration({ start_time: 1000, end_time: null, status: 'RUNNING' }, 5000)).toBe(4000);
    expect(runDuration({ start_time: 1000, end_time: null, status: 'FAILED' })).toBeNull();
  });

  it('counts in the singular for one', () => {
    expect([plural(1, 'model'), plural(2, 'model'), plural(0, 'run'), plural(1200, 'run')]).toEqual(['1 model', '2 models', '0 runs', `${(1200).toLocaleString()} runs`]);
  });
});

describe('links the MLflow client prints', () => {
  const run = 'a'.repeat(32);
  it('name a run, an experiment, a model or a version', () => {
    expect(mlflowPlace(`#/experiments/2/runs/${run}`)).toEqual({ kind: 'run', experimentId: '2', runId: run });
    expect(mlflowPlace('#/experiments/2')).toEqual({ kind: 'experiment', experimentId: '2' });
    expect(mlflowPlace('#/models/my%20model/versions/3')).toEqual({ kind: 'version', modelName: 'my model', version: '3' });
    expect(mlflowPlace('#/models/iris')).toEqual({ kind: 'model', modelName: 'iris' });
    expect(mlflowPlace('#section')).toBeNull();
  });

  it('become pages of the app, whatever host the client knew the server by', () => {
    expect(pageOfMlflowLink(`http://runner-side:8080/api/v4/projects/7/ml/mlflow/#/experiments/2/runs/${run}`)).toBe(`/projects/7/runs/${run}`);
    expect(pageOfMlflowLink('https://host/api/v4/projects/group%2Fvision/ml/mlflow/#/experiments/2')).toBe('/projects/group%2Fvision/experiments/2');
    expect(pageOfMlflowLink('http://host/api/v4/projects/7/ml/mlflow/#/models/iris/versions/1')).toBe('/projects/7#/models/iris/versions/1');
    expect(pageOfMlflowLink('http://host/#/experiments/2')).toBe('/#/experiments/2');
    expect(pageOfMlflowLink('http://host/docs#/experiments/2')).toBeNull();
    expect(pageOfMlflowLink('http://host/api/v4/projects/7/ml/mlflow/')).toBeNull();
  });
});
