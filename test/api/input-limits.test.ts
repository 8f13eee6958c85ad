import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * Input that is valid in form but hostile in size or shape: patterns that take a backtracking
 * engine exponential time, LIKE patterns that cost every row, JSON nested 100 000 deep, empty
 * uploads, impossible dates. Each gets a 2xx or a clear 4xx, never a 5xx or a stalled server.
 */
let t: TestApp;
let dev: TestUser;
let reporter: TestUser;
let projectId: number;
let runId: string;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const mlflow = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${path}`;
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('limits-dev');
  reporter = await t.createUser('limits-reporter');
  projectId = (await t.createProject(dev.token, 'limits')).id;
  await t.addMember(projectId, reporter.id, 20);
  const run = await t.call({ method: 'POST', url: mlflow('runs/create'), token: dev.token, payload: { experiment_id: '0', run_name: 'limits-run' } });
  expect(run.statusCode, run.body).toBe(200);
  runId = run.json().run.info.run_id;
  await t.call({ method: 'POST', url: mlflow('runs/set-tag'), token: dev.token, payload: { run_id: runId, key: 'note', value: 'a'.repeat(8000) } });
});
afterAll(async () => t?.close());

describe('regular expressions in pipeline files', () => {
  it("lints the red team's /^(a|a)*$/ against 28 a's and '!' at once, and /-/health answers meanwhile", async () => {
    const content = `variables:\n  X: "${'a'.repeat(28)}!"\njob:\n  script: [x]\n  rules:\n    - if: '$X =~ /^(a|a)*$/'\n`;
    const started = performance.now();
    const timed = <T>(request: Promise<T>) => request.then((res) => ({ res, ms: performance.now() - started }));
    const lint = timed(t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ci/lint`, token: reporter.token, payload: { content } }));
    // Asked for while the lint runs: a blocked event loop would answer it only after the lint.
    const health = timed(new Promise((resolve) => setTimeout(resolve, 5)).then(() => t.app.inject({ method: 'GET', url: '/-/health' })));
    const [linted, answered] = await Promise.all([lint, health]);
    expect(linted.res.statusCode, linted.res.body).toBe(200);
    expect(linted.res.json()).toMatchObject({ valid: true, warnings: ['no jobs'] });
    expect(linted.ms).toBeLessThan(1000);
    expect(answered.res.statusCode).toBe(200);
    expect(answered.ms).toBeLessThan(1000);
  });

  it('refuses what RE2 cannot run with a lint error, not a 500', async () => {
    const content = "job:\n  script: [x]\n  rules:\n    - if: '$X =~ /(a)\\1/'\n    - if: '$X =~ /a(?=b)/'\n";
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ci/lint`, token: reporter.token, payload: { content } });
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(false);
    expect(res.json().errors.join('\n')).toMatch(/backreferences are not supported[\s\S]*lookaround is not supported/);
  });
});

describe('fixed patterns that a backtracking engine takes super-linear time on', () => {
  const quickly = async <T>(request: Promise<T>): Promise<T> => {
    const started = performance.now();
    const res = await request;
    expect(performance.now() - started).toBeLessThan(1000);
    return res;
  };

  it('checks a generic package version such as "aaa…a!" at once (exponential before)', async () => {
    const res = await quickly(
      t.call({
        method: 'PUT',
        url: `/api/v4/projects/${projectId}/packages/generic/pkg/${'a'.repeat(28)}!/f.txt`,
        token: dev.token,
        payload: 'x',
        headers: { 'content-type': 'application/octet-stream' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/package_version is invalid/);
    for (const version of ['1.0.0', '.v1', 'v1.', '1..2', 'rc-1+build.7']) {
      const ok = await t.call({
        method: 'PUT',
        url: `/api/v4/projects/${projectId}/packages/generic/pkg/${version}/f.txt`,
        token: dev.token,
        payload: 'x',
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(ok.statusCode, version).toBe(201);
    }
    for (const version of ['..1', '1..', '1...2', '.']) {
      const bad = await t.call({
        method: 'PUT',
        url: `/api/v4/projects/${projectId}/packages/generic/pkg/${version}/f.txt`,
        token: dev.token,
        payload: 'x',
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(bad.statusCode, version).toBeGreaterThanOrEqual(400);
      expect(bad.statusCode, version).toBeLessThan(500);
    }
  });

  it('refuses a metric value of 50 000 digits and a letter at once (quadratic before)', async () => {
    const res = await quickly(t.call({ method: 'POST', url: mlflow('runs/log-metric'), token: dev.token, payload: { run_id: runId, key: 'm', value: `${'0'.repeat(50_000)}x`, timestamp: 1 } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json().message.length).toBeLessThan(400);
    const ok = await t.call({ method: 'POST', url: mlflow('runs/log-metric'), token: dev.token, payload: { run_id: runId, key: 'm', value: '1.5e3', timestamp: 1 } });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses an order_by clause with 50 000 spaces inside at once (quadratic before)', async () => {
    const res = await quickly(t.call({ method: 'POST', url: mlflow('runs/search'), token: reporter.token, payload: { experiment_ids: ['0'], order_by: [`metrics.m${' '.repeat(50_000)}x`] } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().message.length).toBeLessThan(400);
    const ok = await t.call({ method: 'POST', url: mlflow('runs/search'), token: reporter.token, payload: { experiment_ids: ['0'], order_by: ['metrics.m   DESC', 'params.lr'] } });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('LIKE and ILIKE patterns in search filters', () => {
  const long = `%${'a'.repeat(250)}%`;
  const wild = `${'%a'.repeat(6)}${'_'.repeat(5)}`;

  it('are capped in length and wildcards on the MLflow protocol with INVALID_PARAMETER_VALUE', async () => {
    for (const [filter, message] of [
      [`tags.note LIKE '${long}'`, /LIKE pattern for .* is too long: at most 250 characters, got 252/],
      [`tags.note ILIKE '${wild}'`, /ILIKE pattern for .* has too many wildcards: at most 10 of '%' and '_', got 11/],
      [`params.lr LIKE '${long}'`, /too long/],
      [`attributes.run_name ILIKE '${long}'`, /too long/],
    ] as const) {
      const res = await t.call({ method: 'POST', url: mlflow('runs/search'), token: reporter.token, payload: { experiment_ids: ['0'], filter } });
      expect(res.statusCode, filter).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.json().message).toMatch(message);
    }
    for (const [path, filter] of [
      ['registered-models/search', `name LIKE '${long}'`],
      ['model-versions/search', `name ILIKE '${wild}'`],
      ['experiments/search', `name LIKE '${wild}'`],
    ] as const) {
      const res = await t.call({
        method: path === 'experiments/search' ? 'POST' : 'GET',
        url: path === 'experiments/search' ? mlflow(path) : mlflow(`${path}?filter=${encodeURIComponent(filter)}`),
        token: reporter.token,
        payload: path === 'experiments/search' ? { filter } : undefined,
      });
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error_code, path).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('are capped on the native API with a 400 message', async () => {
    const res = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/runs?experiment_id=1&filter=${encodeURIComponent(`tags.note LIKE '${long}'`)}`, token: reporter.token });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/too long/);
  });

  it('still search with patterns up to the caps', async () => {
    const res = await t.call({
      method: 'POST',
      url: mlflow('runs/search'),
      token: reporter.token,
      payload: { experiment_ids: ['0'], filter: `tags.note LIKE '${'a%'.repeat(5)}' AND tags.note ILIKE '%${'A'.repeat(200)}%'` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);
  });
});

describe('deeply nested JSON', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('answers 400 INVALID_PARAMETER_VALUE on the MLflow protocol, at both mounts', async () => {
    for (const url of [mlflow('runs/log-batch'), '/api/2.0/mlflow/runs/log-batch']) {
      const res = await t.call({
        method: 'POST',
        url,
        token: dev.token,
        headers: { ...json, 'x-modelyard-project': String(projectId) },
        payload: `{"run_id": "${runId}", "tags": ${nested(100_000)}}`,
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'the JSON body nests arrays and objects deeper than 64 levels' });
    }
  });

  it('answers 400 with a message on the native API and the trigger API', async () => {
    const res = await t.call({ method: 'POST', url: '/api/v4/projects', token: dev.token, headers: json, payload: `{"name": ${nested(100_000)}}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'the JSON body nests arrays and objects deeper than 64 levels' });
    const trigger = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/trigger/pipeline`,
      headers: json,
      payload: `{"token": "x", "ref": "main", "variables": {"A": ${nested(100_000)}}}`,
    });
    expect(trigger.statusCode).toBe(400);
    expect(trigger.json().message).toMatch(/deeper than 64 levels/);
  });

  it('accepts 64 levels and refuses 65', async () => {
    const at = (depth: number) => t.call({ method: 'POST', url: mlflow('runs/log-batch'), token: dev.token, headers: json, payload: `{"run_id": "${runId}", "tags": ${nested(depth - 1)}}` });
    expect((await at(64)).json().message).not.toMatch(/deeper/);
    expect((await at(65)).json().message).toMatch(/deeper than 64 levels/);
  });

  it('keeps error messages short whatever the size of the value they name', async () => {
    const wide = await t.call({ method: 'POST', url: mlflow('runs/log-batch'), token: dev.token, headers: json, payload: JSON.stringify({ run_id: runId, tags: { many: 'x'.repeat(500_000) } }) });
    expect(wide.statusCode).toBe(400);
    expect(wide.json().message.length).toBeLessThan(400);
    const deep = await t.call({
      method: 'POST',
      url: mlflow('runs/log-batch'),
      token: dev.token,
      headers: json,
      payload: `{"run_id": "${runId}", "params": "${'p'.repeat(500_000)}", "tags": ${nested(60)}}`,
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().message.length).toBeLessThan(400);
    const field = await t.call({ method: 'POST', url: '/api/v4/projects', token: dev.token, headers: json, payload: JSON.stringify({ name: 'x', ['k'.repeat(100_000)]: 1 }) });
    expect(field.statusCode).toBe(400);
    expect(field.json().message.length).toBeLessThan(400);
  });

  it('still takes the largest legitimate bodies', async () => {
    const metrics = Array.from({ length: 900 }, (_, i) => ({ key: `m${i % 10}`, value: i, timestamp: 1, step: i }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'v'.repeat(5000) }));
    const batch = await t.call({ method: 'POST', url: mlflow('runs/log-batch'), token: dev.token, payload: { run_id: runId, metrics, tags } });
    expect(batch.statusCode, batch.body).toBe(200);
    const content = `${Array.from({ length: 500 }, (_, i) => `job${i}:\n  script: [echo ${i}]\n  rules:\n    - if: '$CI_COMMIT_BRANCH =~ /^main$/'\n`).join('')}`;
    const lint = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ci/lint`, token: reporter.token, payload: { content } });
    expect(lint.statusCode).toBe(200);
    expect(lint.json().jobs).toHaveLength(500);
  });
});

describe('empty uploads', () => {
  it('stores an empty generic package file sent with no body, and serves it back', async () => {
    const url = `/api/v4/projects/${projectId}/packages/generic/empty/1.0.0/empty.txt`;
    const put = await t.app.inject({ method: 'PUT', url: `${url}?select=package_file`, headers: { 'private-token': dev.token } });
    expect(put.statusCode, put.body).toBe(201);
    expect(put.json()).toMatchObject({ file_name: 'empty.txt', size: 0, file_sha256: EMPTY_SHA256 });
    const zero = await t.app.inject({ method: 'PUT', url: url.replace('empty.txt', 'zero.txt'), headers: { 'private-token': dev.token, 'content-length': '0' } });
    expect(zero.statusCode, zero.body).toBe(201);
    const get = await t.call({ method: 'GET', url, token: reporter.token });
    expect(get.statusCode).toBe(200);
    expect(get.rawPayload.length).toBe(0);
    expect(get.headers.etag).toBe(`"${EMPTY_SHA256}"`);
  });
});

describe('dates', () => {
  it('refuses impossible calendar dates in audit filters', async () => {
    for (const date of ['2024-02-30', '2023-02-29T00:00:00Z', '1']) {
      const res = await t.call({ method: 'GET', url: `/api/v4/audit_events?created_after=${encodeURIComponent(date)}`, token: ADMIN_TOKEN });
      expect(res.statusCode, date).toBe(400);
      expect(res.json().message).toMatch(/created_after is not a valid date/);
    }
    expect((await t.call({ method: 'GET', url: '/api/v4/audit_events?created_after=2024-02-29&created_before=2999-01-01T00:00:00Z', token: ADMIN_TOKEN })).statusCode).toBe(200);
  });
});
