import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs-server.ts';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in.ts';

/**
 * The Vertex AI stand-in (test/support/vertex-stand-in.ts) held to Google's own client:
 * google-cloud-aiplatform's aiplatform_v1 over its REST transport, pinned in
 * scripts/vertex-client-venv.sh (the venv's python from MODELYARD_VERTEX_CLIENT_PYTHON, which
 * scripts/test-all.sh sets, else made or reused now), runs test/support/python/vertex_rest_client_check.py
 * against it: uploads, an endpoint, deployments, traffic splits, an undeploy, a prediction and the
 * registry read back. The client polls every operation itself and parses its Any messages
 * strictly, so a field or a type name Google's JSON would not have fails the run. Cloud Storage
 * is the real fake-gcs-server, which the upload's artifact check lists.
 */
vi.setConfig({ testTimeout: 240_000 });

const run = promisify(execFile);
const BUCKET = 'vertex-exports';
const PROJECT = 'acme-ml';
const NUMBER = '123456789012';
const LOCATION = 'us-central1';
const TOKENS: Record<string, string> = { 'ya29.exporter-token': 'exporter@acme-ml.iam.gserviceaccount.com', 'ya29.outsider-token': 'outsider@acme-ml.iam.gserviceaccount.com' };
const MODEL = `projects/${NUMBER}/locations/${LOCATION}/models/churn`;
const ENDPOINT = `projects/${NUMBER}/locations/${LOCATION}/endpoints/churn-prod`;

let gcs: FakeGcs;
let vertex: VertexStandIn;
let summary: Record<string, unknown>;

async function vertexClientPython(): Promise<string> {
  if (process.env.MODELYARD_VERTEX_CLIENT_PYTHON) return process.env.MODELYARD_VERTEX_CLIENT_PYTHON;
  const { stdout } = await run('bash', ['scripts/vertex-client-venv.sh'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split('\n').pop()!;
}

beforeAll(async () => {
  const python = vertexClientPython();
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  await gcs.upload(BUCKET, 'churn/1/model.pkl', Buffer.from('version 1'));
  await gcs.upload(BUCKET, 'churn/2/model.pkl', Buffer.from('version 2'));
  // A neighbour of the empty folder: "churn/3" must not list "churn/30/".
  await gcs.upload(BUCKET, 'churn/30/model.pkl', Buffer.from('not version 3'));
  vertex = await startVertexStandIn(
    [
      {
        project: PROJECT,
        projectNumber: NUMBER,
        location: LOCATION,
        id: '5151',
        readers: [TOKENS['ya29.exporter-token']!],
        versions: [{ versionId: '1', versionAliases: ['default'], displayName: 'fraud', artifactUri: `gs://${BUCKET}/fraud/1` }],
      },
    ],
    (token) => TOKENS[token] ?? null,
    { storageUrl: gcs.url },
  );
  const config = {
    url: vertex.url,
    token: 'ya29.exporter-token',
    project: PROJECT,
    location: LOCATION,
    image: 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
    artifacts: { v1: `gs://${BUCKET}/churn/1`, v2: `gs://${BUCKET}/churn/2/`, empty: `gs://${BUCKET}/churn/3` },
  };
  const { stdout } = await run(await python, ['test/support/python/vertex_rest_client_check.py', JSON.stringify(config)], { timeout: 180_000 }).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`the Vertex AI client's check failed:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
  });
  summary = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}, 600_000);

afterAll(async () => {
  await vertex?.close();
  await gcs?.close();
});

const call = (method: string, path: string, body?: unknown, token = 'ya29.exporter-token') =>
  fetch(`${vertex.url}/v1/${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe("Google's Vertex AI client (REST transport) against the stand-in", () => {
  it('uploads a model and a second version, each through an operation the client polls to its UploadModelResponse', () => {
    expect(summary.upload_metadata).toBe('UploadModelOperationMetadata');
    expect(summary.upload).toEqual({ model: MODEL, model_version_id: '1', done: true });
    expect(summary.get_model).toEqual({
      name: MODEL,
      display_name: 'churn',
      version_id: '1',
      version_aliases: ['default'],
      artifact_uri: `gs://${BUCKET}/churn/1`,
      image_uri: 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
      labels: { team: 'growth' },
    });
    expect(summary.upload_version).toEqual({ model: MODEL, model_version_id: '2' });
  });

  it('fails the upload of an empty artifact folder in its operation: the client raises INVALID_ARGUMENT', () => {
    expect(summary.empty_upload).toEqual({ raised: 'InvalidArgument', code: 'INVALID_ARGUMENT', message: `There are no files under "gs://${BUCKET}/churn/3" to copy.` });
  });

  it('creates the endpoint, deploys both versions and moves the traffic as the client asks', () => {
    expect(summary.create_metadata).toBe('CreateEndpointOperationMetadata');
    expect(summary.create_endpoint).toEqual({ name: ENDPOINT, display_name: 'churn-prod', labels: { env: 'prod' } });
    expect(summary.deploy_metadata).toBe('DeployModelOperationMetadata');
    const [one, two] = summary.deployed as { id: string }[];
    expect(summary.deployed).toEqual([
      { id: expect.stringMatching(/^[0-9]{19}$/), model: MODEL, model_version_id: '1', display_name: 'churn-v1', machine_type: 'n1-standard-2' },
      { id: expect.stringMatching(/^[0-9]{19}$/), model: MODEL, model_version_id: '2', display_name: 'churn-v2', machine_type: 'n1-standard-2' },
    ]);
    expect(summary.split_after_deploys).toEqual({ [one!.id]: 90, [two!.id]: 10 });
    expect(summary.split_after_update).toEqual({ [one!.id]: 50, [two!.id]: 50 });
    expect(summary.refused_undeploy).toEqual({ raised: 'BadRequest', message: expect.stringContaining(`DeployedModel ${one!.id} has 50% of the traffic`) });
    expect(summary.undeploy_metadata).toBe('UndeployModelOperationMetadata');
    expect(summary.undeploy_result).toBe('UndeployModelResponse');
    expect(summary.get_endpoint).toEqual({ name: ENDPOINT, deployed: [{ id: two!.id, model_version_id: '2' }], traffic_split: { [two!.id]: 100 }, has_etag: true, has_times: true });
    expect(summary.predict).toEqual({ predictions: ['churn-v2', 'churn-v2'], deployed_model_id: two!.id, model_version_id: '2' });
  });

  it('reads the registry back for the import side: models, their versions and where they are deployed', () => {
    const two = (summary.deployed as { id: string }[])[1]!.id;
    expect(summary.list_models).toEqual([
      [`projects/${NUMBER}/locations/${LOCATION}/models/5151`, '1', ['default']],
      [MODEL, '1', ['default']],
    ]);
    expect(summary.list_model_versions).toEqual([
      ['1', '', []],
      ['2', 'Retrained.', [[ENDPOINT, two]]],
    ]);
    expect(summary.get_model_version).toEqual({ version_id: '2', artifact_uri: `gs://${BUCKET}/churn/2/`, deployed: [two] });
    expect(summary.refused_delete).toEqual({ raised: 'BadRequest', message: expect.stringContaining('has deployed models') });
    expect(summary.delete_metadata).toBe('DeleteOperationMetadata');
    expect(summary.after_delete).toBe('NotFound');
  });

  it("logs the client's calls: operations polled where the client polls them (/ui/...), every call authenticated", () => {
    const operations = vertex.log.filter((entry) => /\/operations\/[0-9]+$/.test(entry.path));
    expect(operations.length).toBeGreaterThanOrEqual(2 * 6);
    expect(operations.every((entry) => entry.method === 'GET' && entry.path.startsWith('/ui/projects/') && entry.status === 200)).toBe(true);
    expect(vertex.log.every((entry) => entry.account === TOKENS['ya29.exporter-token'])).toBe(true);
    expect(vertex.log.filter((entry) => entry.method === 'PATCH').map((entry) => [entry.path, entry.status])).toEqual([[`/v1/${ENDPOINT}`, 200]]);
    expect(vertex.log.filter((entry) => entry.method === 'POST').map((entry) => [entry.path.split(/[/:]/).pop(), entry.status])).toEqual([
      ['upload', 200],
      ['upload', 200],
      ['upload', 200],
      ['endpoints', 200],
      ['deployModel', 200],
      ['deployModel', 200],
      ['undeployModel', 400],
      ['undeployModel', 200],
      ['predict', 200],
      ['endpoints', 200],
      ['deployModel', 200],
      ['undeployModel', 200],
    ]);
    expect(vertex.log.filter((entry) => entry.method === 'DELETE').map((entry) => [entry.path.split('/').pop(), entry.status])).toEqual([
      ['scratch', 400],
      ['scratch', 200],
    ]);
  });

  it('answers endpoints() and uploadedModels() as GET does', async () => {
    expect(vertex.endpoints()).toEqual([await (await call('GET', ENDPOINT)).json()]);
    expect(vertex.uploadedModels().map((m) => [m.name, m.versionId])).toEqual([
      [MODEL, '1'],
      [MODEL, '2'],
    ]);
    expect(vertex.uploadedModels()[1]).toEqual(await (await call('GET', `${MODEL}@2`)).json());
  });
});

describe('the stand-in on its own', () => {
  it('answers rawPredict with the JSON predictions and the two headers, and 400 FAILED_PRECONDITION without traffic', async () => {
    const two = (summary.deployed as { id: string }[])[1]!.id;
    const raw = await call('POST', `${ENDPOINT}:rawPredict`, {
      instances: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-vertex-ai-endpoint-id')).toBe('churn-prod');
    expect(raw.headers.get('x-vertex-ai-deployed-model-id')).toBe(two);
    expect(await raw.json()).toEqual({ predictions: ['churn-v2', 'churn-v2', 'churn-v2'] });
    const patched = await call('PATCH', `${ENDPOINT}?updateMask=traffic_split`, { trafficSplit: {} });
    expect(((await patched.json()) as { trafficSplit: unknown }).trafficSplit).toEqual({});
    const refused = await call('POST', `${ENDPOINT}:predict`, { instances: [1] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
    expect((await call('PATCH', `${ENDPOINT}?updateMask=trafficSplit`, { trafficSplit: { [two]: 100 } })).status).toBe(200);
  });

  it('refuses bad requests with GoogleRpcStatus bodies', async () => {
    const two = (summary.deployed as { id: string }[])[1]!.id;
    const status = async (res: Response) => [res.status, ((await res.json()) as { error?: { status: string } }).error?.status];
    expect(await status(await call('GET', ENDPOINT, undefined, 'nobody'))).toEqual([401, 'UNAUTHENTICATED']);
    expect(await status(await call('POST', `projects/${PROJECT}/locations/${LOCATION}/endpoints?endpointId=other`, {}))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await call('POST', `projects/${PROJECT}/locations/${LOCATION}/endpoints?endpointId=churn-prod`, { displayName: 'again' }))).toEqual([409, 'ALREADY_EXISTS']);
    expect(await status(await call('POST', `projects/${PROJECT}/locations/${LOCATION}/endpoints?endpointId=0123`, { displayName: 'x' }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await call('GET', `projects/${PROJECT}/locations/${LOCATION}/endpoints/missing`))).toEqual([404, 'NOT_FOUND']);
    expect(await status(await call('PATCH', ENDPOINT, { displayName: 'x' }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await call('PATCH', `${ENDPOINT}?updateMask=trafficSplit`, { trafficSplit: { [two]: 60 } }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await call('PATCH', `${ENDPOINT}?updateMask=trafficSplit`, { trafficSplit: { '42': 100 } }))).toEqual([400, 'INVALID_ARGUMENT']);
    const deploy = (deployedModel: Record<string, unknown>, trafficSplit?: Record<string, number>) => call('POST', `${ENDPOINT}:deployModel`, { deployedModel, trafficSplit });
    const machine = { dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 1 } };
    expect(await status(await deploy({ model: `${MODEL}@9`, ...machine }))).toEqual([404, 'NOT_FOUND']);
    expect(await status(await deploy({ model: 'models/churn', ...machine }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await deploy({ model: MODEL }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await deploy({ model: MODEL, dedicatedResources: { machineSpec: { machineType: 'n1-standard-2' }, minReplicaCount: 0 } }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await deploy({ model: MODEL, ...machine }, { '0': 50 }))).toEqual([400, 'INVALID_ARGUMENT']);
    expect(await status(await call('POST', `${ENDPOINT}:undeployModel`, { deployedModelId: '77' }))).toEqual([404, 'NOT_FOUND']);
    // The outsider reads none of the exporter's uploads.
    expect(await status(await call('GET', MODEL, undefined, 'ya29.outsider-token'))).toEqual([403, 'PERMISSION_DENIED']);
  });

  it('fails the next operation of a kind when asked, and counts the polls as configured', async () => {
    const quick = await startVertexStandIn([], (token) => TOKENS[token] ?? null, { operationPolls: 2, projectNumbers: { [PROJECT]: '42' } });
    try {
      const post = async (path: string, body: unknown) =>
        (await fetch(`${quick.url}/v1/${path}`, { method: 'POST', headers: { authorization: 'Bearer ya29.exporter-token' }, body: JSON.stringify(body) })).json();
      const poll = async (name: string) => (await fetch(`${quick.url}/v1/${name}`, { headers: { authorization: 'Bearer ya29.exporter-token' } })).json() as Promise<Record<string, unknown>>;
      const created = (await post(`projects/${PROJECT}/locations/${LOCATION}/endpoints?endpointId=e1`, { displayName: 'e1' })) as { name: string; done: boolean };
      expect(created.name).toMatch(/^projects\/42\/locations\/us-central1\/endpoints\/e1\/operations\/[0-9]+$/);
      expect(created.done).toBe(false);
      expect((await poll(created.name)).done).toBe(false);
      expect((await poll(created.name)).done).toBe(false);
      const done = await poll(created.name.replace('/endpoints/e1', ''));
      expect(done).toMatchObject({ done: true, response: { '@type': 'type.googleapis.com/google.cloud.aiplatform.v1.Endpoint', name: 'projects/42/locations/us-central1/endpoints/e1' } });
      quick.failNextOperation('createEndpoint', 'The service is out of capacity.');
      const failing = (await post(`projects/${PROJECT}/locations/${LOCATION}/endpoints?endpointId=e2`, { displayName: 'e2' })) as { name: string };
      for (let i = 0; i < 2; i++) await poll(failing.name);
      expect(await poll(failing.name)).toMatchObject({ done: true, error: { code: 13, message: 'The service is out of capacity.' } });
      expect(quick.endpoints().map((e) => e.name)).toEqual(['projects/42/locations/us-central1/endpoints/e1']);
    } finally {
      await quick.close();
    }
  });
});
