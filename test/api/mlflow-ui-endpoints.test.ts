import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * What MLflow's web UI and tools call beyond the client's REST API, at every tracking URI (the
 * per-project one and the server root, each with `/api` and `/ajax-api`): artifact listings and
 * downloads as MLflow labels them, the bulk metric history, dataset summaries, the UI's upload,
 * `/health`, `/version` and `/graphql`; and that an unknown MLflow path is MLflow's JSON 404.
 */
let t: TestApp;
let dev: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('ui-endpoints');
  projectId = (await t.createProject(dev.token, 'ui-endpoints')).id;
});
afterAll(async () => t?.close());

/** A tracking URI and the headers that name its project. */
interface Base {
  label: string;
  path: string;
  headers: Record<string, string>;
}
const bases = (): Base[] => [
  { label: 'project mount', path: `/api/v4/projects/${projectId}/ml/mlflow`, headers: {} },
  { label: 'root', path: '', headers: { 'x-modelyard-project': String(projectId) } },
];
const apis = (): { label: string; prefix: string; headers: Record<string, string> }[] =>
  bases().flatMap((b) => ['api', 'ajax-api'].map((api) => ({ label: `${b.label} /${api}`, prefix: `${b.path}/${api}`, headers: b.headers })));

const project = () => bases()[0]!;
async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, options: { payload?: unknown; headers?: Record<string, string>; token?: string | null } = {}) {
  return t.call({ method, url, token: options.token === undefined ? dev.token : options.token, headers: options.headers, payload: options.payload as never });
}
const api = (path: string) => `${project().path}/api/2.0/mlflow/${path}`;

async function newRun(): Promise<{ runId: string; artifactPath: string; experimentId: string }> {
  const experimentId = (await call('POST', api('experiments/create'), { payload: { name: `ui-${Math.random().toString(36).slice(2, 10)}` } })).json().experiment_id as string;
  const run = (await call('POST', api('runs/create'), { payload: { experiment_id: experimentId } })).json().run.info;
  return { runId: run.run_id, artifactPath: (run.artifact_uri as string).replace(/^mlflow-artifacts:\//, ''), experimentId };
}
async function upload(path: string, body: string | Buffer) {
  const res = await call('PUT', `${project().path}/api/2.0/mlflow-artifacts/artifacts/${path}`, { payload: body, headers: { 'content-type': 'application/octet-stream' } });
  expect(res.statusCode, res.body).toBe(200);
}

describe("a run's artifacts for the MLflow UI", () => {
  it('lists them relative to the run, sorted by path, at every mount, and refuses a path that leaves the run', async () => {
    const { runId, artifactPath } = await newRun();
    await upload(`${artifactPath}/dir/b.txt`, 'b');
    await upload(`${artifactPath}/a.txt`, 'a');
    await upload(`${artifactPath}/dir/sub/c.txt`, 'cc');
    for (const a of apis()) {
      const top = await call('GET', `${a.prefix}/2.0/mlflow/artifacts/list?run_id=${runId}`, { headers: a.headers });
      expect(top.statusCode, a.label).toBe(200);
      expect(top.json(), a.label).toEqual({
        root_uri: `mlflow-artifacts:/${artifactPath}`,
        files: [
          { path: 'a.txt', is_dir: false, file_size: 1 },
          { path: 'dir', is_dir: true },
        ],
      });
      const nested = await call('GET', `${a.prefix}/2.0/mlflow/artifacts/list?run_uuid=${runId}&path=dir`, { headers: a.headers });
      expect(nested.json().files, a.label).toEqual([
        { path: 'dir/b.txt', is_dir: false, file_size: 1 },
        { path: 'dir/sub', is_dir: true },
      ]);
      const escape = await call('GET', `${a.prefix}/2.0/mlflow/artifacts/list?run_id=${runId}&path=${encodeURIComponent('../other')}`, { headers: a.headers });
      expect([escape.statusCode, escape.json()], a.label).toEqual([400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' }]);
    }
  });

  it('downloads one through get-artifact with the headers MLflow sends, sandboxed, and refuses a path that leaves the run', async () => {
    const { runId, artifactPath } = await newRun();
    await upload(`${artifactPath}/a.txt`, 'abcdefg');
    await upload(`${artifactPath}/report.pdf`, '%PDF-1.4');
    await upload(`${artifactPath}/MLproject`, 'name: x');
    await upload(`${artifactPath}/page.html`, '<script>alert(1)</script>');
    for (const b of bases()) {
      const get = (query: string) => call('GET', `${b.path}/get-artifact?${query}`, { headers: b.headers });
      const text = await get(`run_id=${runId}&path=a.txt`);
      expect([text.statusCode, text.body], b.label).toEqual([200, 'abcdefg']);
      expect(text.headers['content-type'], b.label).toBe('text/plain');
      expect(text.headers['content-disposition'], b.label).toBe('attachment; filename=a.txt');
      expect(text.headers['x-content-type-options'], b.label).toBe('nosniff');
      expect(text.headers['content-security-policy'], b.label).toContain('sandbox');
      expect((await get(`run_uuid=${runId}&path=report.pdf`)).headers['content-type'], b.label).toBe('application/pdf');
      expect((await get(`run_id=${runId}&path=MLproject`)).headers['content-type'], b.label).toBe('text/plain');
      // MLflow would send text/html; a page of a run's artifacts never runs in the server's origin.
      expect((await get(`run_id=${runId}&path=page.html`)).headers['content-type'], b.label).toBe('application/octet-stream');
      const escape = await get(`run_id=${runId}&path=${encodeURIComponent('../../secret')}`);
      expect([escape.statusCode, escape.json().message], b.label).toEqual([400, 'Invalid path']);
    }
  });

  it('downloads a file of a model version stored under the project, and refuses a source elsewhere without reading it', async () => {
    const { runId, artifactPath } = await newRun();
    await upload(`${artifactPath}/model/MLmodel`, 'flavors: {}');
    await call('POST', api('registered-models/create'), { payload: { name: 'ui-model' } });
    const created = await call('POST', api('model-versions/create'), { payload: { name: 'ui-model', source: `runs:/${runId}/model`, run_id: runId } });
    expect(created.statusCode, created.body).toBe(200);
    await call('POST', api('model-versions/create'), { payload: { name: 'ui-model', source: 's3://bucket/elsewhere' } });
    for (const b of bases()) {
      const file = await call('GET', `${b.path}/model-versions/get-artifact?name=ui-model&version=1&path=MLmodel`, { headers: b.headers });
      expect([file.statusCode, file.body, file.headers['content-disposition']], b.label).toEqual([200, 'flavors: {}', 'attachment; filename=MLmodel']);
      const elsewhere = await call('GET', `${b.path}/model-versions/get-artifact?name=ui-model&version=2&path=MLmodel`, { headers: b.headers });
      expect([elsewhere.statusCode, elsewhere.json().error_code], b.label).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    }
  });

  it("uploads a file through the UI's upload-artifact (any body type) and refuses what MLflow refuses", async () => {
    const { runId } = await newRun();
    for (const [i, a] of apis().entries()) {
      const upload = (query: string, body: string, type = 'text/plain') =>
        call('POST', `${a.prefix}/2.0/mlflow/upload-artifact?${query}`, { payload: body, headers: { ...a.headers, 'content-type': type } });
      const res = await upload(`run_uuid=${runId}&path=up/${i}.txt`, 'uploaded', 'image/png');
      expect([res.statusCode, res.json()], a.label).toEqual([200, {}]);
      const back = await call('GET', `${project().path}/get-artifact?run_id=${runId}&path=up/${i}.txt`);
      expect(back.body, a.label).toBe('uploaded');
      expect((await upload(`path=x.txt`, 'x')).json().message, a.label).toBe('Request must specify run_uuid.');
      expect((await upload(`run_uuid=${runId}`, 'x')).json().message, a.label).toBe('Request must specify path.');
      expect((await upload(`run_uuid=${runId}&path=empty.txt`, '')).json().message, a.label).toBe('Request must specify data.');
      expect((await upload(`run_uuid=${runId}&path=..%2Fescape.txt`, 'x')).json().message, a.label).toBe('Invalid path');
    }
  });

  it("lists and downloads a logged model's files at /api and /ajax-api", async () => {
    const { experimentId } = await newRun();
    const model = (await call('POST', api('logged-models'), { payload: { experiment_id: experimentId, name: 'ui-logged' } })).json().model.info;
    const path = (model.artifact_uri as string).replace(/^mlflow-artifacts:\//, '');
    await upload(`${path}/MLmodel`, 'artifact_path: model');
    await upload(`${path}/data/weights.bin`, Buffer.alloc(3, 1));
    for (const a of apis()) {
      const listing = await call('GET', `${a.prefix}/2.0/mlflow/logged-models/${model.model_id}/artifacts/directories`, { headers: a.headers });
      expect(listing.json(), a.label).toEqual({
        root_uri: model.artifact_uri,
        files: [
          { path: 'MLmodel', is_dir: false, file_size: 20 },
          { path: 'data', is_dir: true },
        ],
      });
      const file = await call('GET', `${a.prefix}/2.0/mlflow/logged-models/${model.model_id}/artifacts/files?artifact_file_path=MLmodel`, { headers: a.headers });
      expect([file.statusCode, file.body, file.headers['content-type']], a.label).toEqual([200, 'artifact_path: model', 'text/plain']);
    }
  });
});

describe('metrics and datasets for the MLflow UI', () => {
  it('answers whole histories of one metric for several runs, ordered by run, timestamp, step and value, at most max_results', async () => {
    const { runId: first } = await newRun();
    const { runId: second } = await newRun();
    const points = [
      { key: 'loss', timestamp: 2, step: 3, value: 12 },
      { key: 'loss', timestamp: 1, step: 3, value: 12 },
      { key: 'loss', timestamp: 1, step: 3, value: 11 },
      { key: 'loss', timestamp: 1, step: 2, value: 10 },
    ];
    for (const run of [first, second]) await call('POST', api('runs/log-batch'), { payload: { run_id: run, metrics: points } });
    const [low, high] = [first, second].sort();
    for (const a of apis()) {
      const bulk = await call('GET', `${a.prefix}/2.0/mlflow/metrics/get-history-bulk?run_id=${second}&run_id=${first}&metric_key=loss`, { headers: a.headers });
      expect(bulk.statusCode, a.label).toBe(200);
      const ordered = [...points].sort((x, y) => x.timestamp - y.timestamp || x.step - y.step || x.value - y.value);
      expect(bulk.json().metrics, a.label).toEqual([...ordered.map((p) => ({ ...p, run_id: low })), ...ordered.map((p) => ({ ...p, run_id: high }))]);
      const capped = await call('GET', `${a.prefix}/2.0/mlflow/metrics/get-history-bulk?run_id=${first}&metric_key=loss&max_results=2`, { headers: a.headers });
      expect(capped.json().metrics.length, a.label).toBe(2);
    }
    const refuse = async (query: string) => (await call('GET', `${project().path}/ajax-api/2.0/mlflow/metrics/get-history-bulk?${query}`)).json().message as string;
    expect(await refuse('metric_key=loss')).toBe('GetMetricHistoryBulk request must specify at least one run_id.');
    expect(await refuse(`${Array.from({ length: 101 }, (_, i) => `run_id=${i}`).join('&')}&metric_key=loss`)).toBe(
      'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
    );
    expect(await refuse(`run_id=${first}`)).toBe('GetMetricHistoryBulk request must specify a metric_key.');
  });

  it("asks for run_ids on bulk-interval in MLflow's words", async () => {
    const res = await call('GET', `${project().path}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=loss`);
    expect([res.statusCode, res.json().message]).toEqual([400, "Missing value for required parameter 'run_ids'."]);
  });

  it("lists the datasets of some experiments' runs, with their context, and refuses what MLflow refuses", async () => {
    const { runId, experimentId } = await newRun();
    const dataset = (name: string, digest: string) => ({ name, digest, source_type: 'local', source: 'file.csv' });
    await call('POST', api('runs/log-inputs'), {
      payload: {
        run_id: runId,
        datasets: [
          { dataset: dataset('train', 'd1'), tags: [{ key: 'mlflow.data.context', value: 'training' }] },
          { dataset: dataset('eval', 'd2'), tags: [] },
        ],
      },
    });
    for (const a of apis()) {
      const res = await call('POST', `${a.prefix}/2.0/mlflow/experiments/search-datasets`, { payload: { experiment_ids: [experimentId] }, headers: a.headers });
      expect(res.json(), a.label).toEqual({
        dataset_summaries: [
          { experiment_id: experimentId, name: 'eval', digest: 'd2' },
          { experiment_id: experimentId, name: 'train', digest: 'd1', context: 'training' },
        ],
      });
    }
    const refuse = async (ids: string[]) => (await call('POST', `${project().path}/ajax-api/2.0/mlflow/experiments/search-datasets`, { payload: { experiment_ids: ids } })).json().message as string;
    expect(await refuse([])).toBe('SearchDatasets request must specify at least one experiment_id.');
    expect(await refuse(Array.from({ length: 21 }, (_, i) => String(i + 1)))).toBe('SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.');
  });
});

describe("MLflow's plain endpoints and unknown paths", () => {
  it('answers /health and /version as MLflow does, at every tracking URI', async () => {
    for (const b of bases()) {
      const health = await call('GET', `${b.path}/health`, { headers: b.headers, token: null });
      expect([health.statusCode, health.body], b.label).toEqual([200, 'OK']);
      const version = await call('GET', `${b.path}/version`, { headers: b.headers, token: null });
      expect(version.statusCode, b.label).toBe(200);
      expect(version.body, b.label).toMatch(/^\d+\.\d+\.\d+$/);
      expect(version.headers['content-type'], b.label).toMatch(/^text\/plain/);
    }
  });

  it('answers an unknown MLflow endpoint with ENDPOINT_NOT_FOUND whatever its body, never the web page', async () => {
    for (const a of apis()) {
      for (const [type, body] of [
        ['application/json', '{}'],
        ['text/plain', 'plain'],
        ['application/x-protobuf', 'bytes'],
      ] as const) {
        const res = await call('POST', `${a.prefix}/2.0/mlflow/traces`, { payload: body, headers: { ...a.headers, 'content-type': type } });
        expect([res.statusCode, res.json().error_code], `${a.label} ${type}`).toEqual([404, 'ENDPOINT_NOT_FOUND']);
      }
      // The GenAI families stay out of scope, at 3.0 too; prompt lab runs among them.
      expect((await call('POST', `${a.prefix}/2.0/mlflow/runs/create-promptlab-run`, { payload: {}, headers: a.headers })).json().error_code, a.label).toBe('ENDPOINT_NOT_FOUND');
      expect((await call('GET', `${a.prefix}/3.0/mlflow/scorers/list`, { headers: a.headers })).json().error_code, a.label).toBe('ENDPOINT_NOT_FOUND');
    }
    const underApi = await call('GET', '/api/no-such-thing', { headers: { accept: 'text/html' } });
    expect(underApi.statusCode).toBe(404);
    expect(underApi.headers['content-type']).toMatch(/^application\/json/);
  });

  it("merges a doubled slash right after a tracking URI, as MLflow's server does, and nowhere else under the API", async () => {
    for (const b of bases()) {
      const res = await call('GET', `${b.path}//model-versions/get-artifact?name=m&version=1&path=..%2Fx`, { headers: b.headers });
      expect([res.statusCode, res.headers.location], b.label).toEqual([308, `${b.path}/model-versions/get-artifact?name=m&version=1&path=..%2Fx`]);
    }
    expect([400, 404]).toContain((await call('GET', `/api/v4/projects/${projectId}/packages/generic/a//b`)).statusCode);
    expect((await call('GET', `/api/v4/projects/${projectId}/no-such//thing`)).statusCode).toBe(404);
  });

  it('sends a browser opening a tracking URI to the project, and answers a client there with a 404', async () => {
    const browser = await call('GET', project().path, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect([browser.statusCode, browser.headers.location]).toEqual([302, `/projects/${projectId}`]);
    const client = await call('GET', project().path, { headers: { accept: 'application/json' } });
    expect([client.statusCode, client.json().error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
  });

  it("asks for an experiment's name in MLflow's words", async () => {
    const res = await call('POST', api('experiments/create'), { payload: {} });
    expect([res.statusCode, res.json().message]).toEqual([400, "Missing value for required parameter 'name'."]);
  });
});
