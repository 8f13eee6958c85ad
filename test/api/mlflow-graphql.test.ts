import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * `/graphql` as MLflow's web UI queries it, at the project's tracking URI and at the root: its
 * schema's field names, int64 fields as strings, NaN as null, MLflow's answer shape
 * (`{data, errors}` with 200 for errors in the document) and its bounds on a document; the
 * same read permission as the REST API it runs on.
 */
let t: TestApp;
let dev: TestUser;
let outsider: TestUser;
let projectId: number;
let runId: string;
let experimentId: string;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('graphql');
  outsider = await t.createUser('graphql-outsider');
  projectId = (await t.createProject(dev.token, 'graphql')).id;
  const api = (path: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${path}`;
  experimentId = (await t.call({ method: 'POST', url: api('experiments/create'), token: dev.token, payload: { name: 'graphql-exp' } })).json().experiment_id;
  const run = (await t.call({ method: 'POST', url: api('runs/create'), token: dev.token, payload: { experiment_id: experimentId, run_name: 'graphql-run' } })).json().run.info;
  runId = run.run_id;
  await t.call({
    method: 'POST',
    url: api('runs/log-batch'),
    token: dev.token,
    payload: {
      run_id: runId,
      metrics: [
        { key: 'normal', value: 123, timestamp: 1, step: 1 },
        { key: 'nan', value: 'NaN', timestamp: 2, step: 2 },
        { key: 'curve', value: 1, timestamp: 3, step: 0 },
        { key: 'curve', value: 2, timestamp: 4, step: 1 },
      ],
      params: [{ key: 'alpha', value: '0.1' }],
    },
  });
  const path = (run.artifact_uri as string).replace(/^mlflow-artifacts:\//, '');
  await t.call({
    method: 'PUT',
    url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}/model/MLmodel`,
    token: dev.token,
    payload: 'x',
    headers: { 'content-type': 'application/octet-stream' },
  });
  await t.call({ method: 'POST', url: api('registered-models/create'), token: dev.token, payload: { name: 'graphql-model' } });
  await t.call({ method: 'POST', url: api('model-versions/create'), token: dev.token, payload: { name: 'graphql-model', source: `runs:/${runId}/model`, run_id: runId } });
});
afterAll(async () => t?.close());

const bases = () => [
  { label: 'project', url: `/api/v4/projects/${projectId}/ml/mlflow/graphql`, headers: {} as Record<string, string> },
  { label: 'root', url: '/graphql', headers: { 'x-modelyard-project': String(projectId) } },
];
async function graphql(base: { url: string; headers: Record<string, string> }, query: string, token: string = dev.token) {
  return t.call({ method: 'POST', url: base.url, token, headers: base.headers, payload: { query, operationName: 'q' } });
}

describe("MLflow's GraphQL", () => {
  it('reads a run with its experiment, metrics (NaN as null, int64 as strings), params and model versions', async () => {
    for (const base of bases()) {
      const res = await graphql(
        base,
        `query q { mlflowGetRun(input: {runId: "${runId}"}) { run {
          info { runId runName experimentId status startTime }
          data { metrics { key value timestamp step } params { key value } }
          experiment { experimentId name }
          modelVersions { name version source }
        } } }`,
      );
      expect(res.statusCode, base.label).toBe(200);
      const body = res.json();
      expect(body.errors, base.label).toBeNull();
      const run = body.data.mlflowGetRun.run;
      expect(run.info.runId).toBe(runId);
      expect(run.info.runName).toBe('graphql-run');
      expect(run.info.status).toBe('RUNNING');
      expect(typeof run.info.startTime).toBe('string');
      const metrics = Object.fromEntries(run.data.metrics.map((m: { key: string }) => [m.key, m]));
      expect(metrics.normal).toEqual({ key: 'normal', value: 123, timestamp: '1', step: '1' });
      expect(metrics.nan).toEqual({ key: 'nan', value: null, timestamp: '2', step: '2' });
      expect(run.data.params).toEqual([{ key: 'alpha', value: '0.1' }]);
      expect(run.experiment).toEqual({ experimentId, name: 'graphql-exp' });
      expect(run.modelVersions).toEqual([{ name: 'graphql-model', version: '1', source: `runs:/${runId}/model` }]);
    }
  });

  it('searches runs, lists artifacts, reads a metric history and an experiment, and searches model versions', async () => {
    const base = bases()[1]!;
    const res = await graphql(base, `mutation q { mlflowSearchRuns(input: {experimentIds: ["${experimentId}"], filter: "params.alpha = '0.1'"}) { runs { info { runId } } } }`);
    expect(res.json().data.mlflowSearchRuns.runs).toEqual([{ info: { runId } }]);
    const more = await graphql(
      base,
      `query q {
        mlflowListArtifacts(input: {runId: "${runId}"}) { rootUri files { path isDir fileSize } }
        mlflowGetMetricHistoryBulkInterval(input: {runIds: ["${runId}"], metricKey: "curve"}) { metrics { step value runId } }
        mlflowGetExperiment(input: {experimentId: "${experimentId}"}) { experiment { name lifecycleStage } }
        mlflowSearchModelVersions(input: {filter: "name = 'graphql-model'"}) { modelVersions { version runId } }
        test(inputString: "abc") { output }
      }`,
    );
    const data = more.json().data;
    expect(more.json().errors).toBeNull();
    expect(data.mlflowListArtifacts.files).toEqual([{ path: 'model', isDir: true, fileSize: '0' }]);
    expect(data.mlflowGetMetricHistoryBulkInterval.metrics).toEqual([
      { step: '0', value: 1, runId },
      { step: '1', value: 2, runId },
    ]);
    expect(data.mlflowGetExperiment.experiment).toEqual({ name: 'graphql-exp', lifecycleStage: 'active' });
    expect(data.mlflowSearchModelVersions.modelVersions).toEqual([{ version: '1', runId }]);
    expect(data.test).toEqual({ output: 'abc' });
  });

  it('refuses documents past its bounds, and names errors in the document, with 200 as MLflow does', async () => {
    const base = bases()[0]!;
    const wide = `query q { ${Array.from({ length: 12 }, (_, i) => `k${i}: test(inputString: "x") { output }`).join(' ')} }`;
    const tooWide = await graphql(base, wide);
    expect(tooWide.statusCode).toBe(200);
    expect(tooWide.json().errors[0]).toContain('GraphQL queries should have at most 10 root fields');
    const aliased = `query q { mlflowGetExperiment(input: {experimentId: "${experimentId}"}) { ${Array.from({ length: 12 }, (_, i) => `e${i}: experiment { name }`).join(' ')} } }`;
    expect((await graphql(base, aliased)).json().errors[0]).toContain('queries should have at most 10 aliases');
    // Bounded before it is checked against the schema: depth costs nothing to refuse.
    const deep = `query q ${'{ a '.repeat(12)}${'}'.repeat(12)}`;
    expect((await graphql(base, deep)).json().errors).toEqual(['Query exceeds maximum depth of 10']);
    const missing = await graphql(base, 'query q { mlflowGetRun(input: {runId: "0123"}) { run { info { runId } } } }');
    expect(missing.json()).toEqual({ data: { mlflowGetRun: null }, errors: ['Run with id=0123 not found'] });
    const unknown = await graphql(base, 'query q { noSuchField }');
    expect([unknown.statusCode, unknown.json().data]).toEqual([200, null]);
    expect(unknown.json().errors[0]).toContain('noSuchField');
    const notADocument = await t.call({ method: 'POST', url: base.url, token: dev.token, payload: { query: '{{{' } });
    expect([notADocument.statusCode, notADocument.json().error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('answers only to readers of the project, as the REST API does', async () => {
    const res = await graphql(bases()[0]!, `query q { mlflowGetRun(input: {runId: "${runId}"}) { run { info { runId } } } }`, outsider.token);
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('Project Not Found');
  });
});
