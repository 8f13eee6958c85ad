import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERTEX_SERVICE_ACCOUNT_KEY } from '../../src/targets/tables.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs-server.ts';
import { startGoogleTokenStandIn, type GoogleTokenStandIn, type ServiceAccount } from '../support/google-token-stand-in.ts';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in.ts';
import { versionFromRun } from '../support/versions-from-runs.ts';

/**
 * An environment bound to a Vertex AI project: versions staged in Cloud Storage (the real
 * fake-gcs-server), uploaded as models and deployed on one endpoint of the Vertex AI stand-in
 * (built from Google's discovery document, and held to google-cloud-aiplatform's own REST
 * client in vertex-stand-in-client.test.ts), their traffic split per canary step, a rollback
 * deploying the earlier version again, a failed operation kept as the reason, and unbinding
 * undeploying everything. Every long-running operation is polled until done.
 */
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const BUCKET = 'acme-staging';
const WEIGHTS = { 1: Buffer.from('pickled weights of version one'), 2: Buffer.from('pickled weights of version two, larger') } as const;
const MLMODEL = 'flavors:\n  python_function: {loader_module: mlflow.sklearn}\n  sklearn: {sklearn_version: 1.5.2}\n';

let gcs: FakeGcs;
let tokens: GoogleTokenStandIn;
let vertex: VertexStandIn;
let deployer: ServiceAccount;
let t: TestApp;
let maintainer: TestUser;
let developer: TestUser;
let projectId: number;
let envId: number;
const versionIds: number[] = [];

const api = (path: string) => `/api/v4/projects/${projectId}${path}`;

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) {
  return t.call({ method, url, token, ...(payload ? { payload } : {}) });
}

async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) {
  const res = await call(method, url, token, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function storedObject(name: string): Promise<Buffer | null> {
  const res = await fetch(`${gcs.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}?alt=media`);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
}

const endpointOf = () =>
  vertex.endpoints().find((e) => String(e.name).endsWith(`/endpoints/modelyard-p${projectId}-e${envId}`)) as
    { name: string; deployedModels?: { id: string; model: string }[]; trafficSplit?: Record<string, number> } | undefined;
/** The endpoint's split as version ids → percent, through the model each deployed model runs. */
async function splitByVersion(): Promise<Record<number, number>> {
  const endpoint = endpointOf();
  const models = await t.services.database.db.selectFrom('vertex_target_models').selectAll().where('environment_id', '=', envId).execute();
  const split: Record<number, number> = {};
  for (const deployed of endpoint?.deployedModels ?? []) {
    const version = models.find((m) => m.model_name === deployed.model.split('@')[0])?.version_id;
    split[Number(version)] = endpoint?.trafficSplit?.[deployed.id] ?? 0;
  }
  return split;
}
const settled = () => t.services.vertex.settled(envId);
const refresh = () => t.services.deploymentsWorker.tick();
const deploy = (version: string, policy?: Record<string, unknown>) =>
  ok('POST', api('/deployments'), developer.token, { environment: 'production', model: 'churn', version, ...(policy ? { policy } : {}) });

const settings = () => ({
  kind: 'vertex',
  gcp_project: 'acme-ml',
  location: 'us-central1',
  staging_uri: `gs://${BUCKET}/serving/`,
  service_account_key: deployer.keyJson,
  api_url: vertex.url,
  storage_url: gcs.url,
  machine_type: 'n1-standard-4',
});

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  tokens = await startGoogleTokenStandIn();
  deployer = tokens.account('deployer@acme-ml.iam.gserviceaccount.com', 'acme-ml');
  vertex = await startVertexStandIn([], (token) => tokens.accountOf(token), { storageUrl: gcs.url, projectNumbers: { 'acme-ml': '123456789012' } });
  const allow = [gcs.port, tokens.port, vertex.port].map((port) => `127.0.0.1:${port}`).join(',');
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: allow });
  maintainer = await t.createUser('vertex-maintainer');
  developer = await t.createUser('vertex-developer');
  projectId = (await t.createProject(maintainer.token, 'vertex-serving')).id;
  await t.addMember(projectId, developer.id, 30);
  const modelId = (await ok('POST', api('/ml/models'), developer.token, { name: 'churn' })).id;
  for (const weights of [WEIGHTS[1], WEIGHTS[2]]) versionIds.push((await versionFromRun(t, projectId, developer.token, modelId, { MLmodel: MLMODEL, 'model.pkl': weights })).id);
  envId = (await ok('POST', api('/environments'), maintainer.token, { name: 'production' })).id;
}, 180_000);

afterAll(async () => {
  await t?.close();
  await vertex?.close();
  await tokens?.close();
  await gcs?.close();
});

describe('Vertex AI target', { timeout: 180_000 }, () => {
  it('refuses bad settings with a 400 and changes nothing; only maintainers set it', async () => {
    for (const [changes, message] of [
      [{ service_account_key: '{"type": "authorized_user"}' }, /service_account/],
      [{ service_account_key: undefined }, /service_account_key is missing: a Vertex AI target needs a service-account key of its own, or the project's Google Cloud integration/],
      [{ service_account_key: null }, /service_account_key is missing/],
      [{ staging_uri: 'gs://' }, /staging_uri/],
      [{ staging_uri: 'gs://Not_A_Bucket!/x' }, /staging_uri must be a Cloud Storage folder/],
      [{ location: 'mars' }, /location/],
      [{ gcp_project: 'x' }, /gcp_project/],
      [{ routing: 'gateway' }, /splits its traffic itself/],
      [{ min_replicas: 3, max_replicas: 2 }, /max_replicas \(2\) must be at least min_replicas \(3\)/],
      [{ api_url: 'http://10.1.2.3:8080' }, /api_url is not usable: the outbound policy refuses 10\.1\.2\.3:8080/],
      [{ storage_url: `${gcs.url}?user=x` }, /storage_url is not usable/],
      [{ machine_type: 'N1 STANDARD' }, /machine_type/],
    ] as const) {
      const res = await call('PUT', api(`/environments/${envId}/target`), maintainer.token, { ...settings(), ...changes });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    expect((await call('PUT', api(`/environments/${envId}/target`), developer.token, settings())).statusCode).toBe(403);
    expect(await ok('GET', api(`/environments/${envId}/target`), maintainer.token)).toEqual({ environment_id: envId, kind: 'agent', routing: 'gateway', kserve: null, vertex: null });
    expect(await t.services.database.db.selectFrom('vertex_targets').selectAll().execute()).toEqual([]);
  });

  it('binds with the key sealed and never answered back', async () => {
    const bound = await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, settings());
    expect(bound).toEqual({
      environment_id: envId,
      kind: 'vertex',
      routing: 'native',
      kserve: null,
      vertex: {
        gcp_project: 'acme-ml',
        location: 'us-central1',
        staging_uri: `gs://${BUCKET}/serving`,
        machine_type: 'n1-standard-4',
        min_replicas: 1,
        max_replicas: 1,
        api_url: vertex.url,
        storage_url: gcs.url,
        service_account: deployer.email,
        key_source: 'environment',
        last_error: null,
      },
    });
    const stored = await t.services.database.db.selectFrom('vertex_targets').select('service_account_key').where('environment_id', '=', envId).executeTakeFirstOrThrow();
    expect(stored.service_account_key).not.toContain('PRIVATE KEY');
    expect(t.services.keyring.box.open(stored.service_account_key!, VERTEX_SERVICE_ACCOUNT_KEY.context(envId))).toBe(deployer.keyJson);
    const audit = await ok('GET', api('/audit_events'), maintainer.token);
    expect(JSON.stringify(audit)).not.toContain('PRIVATE KEY');
  });

  it('single → canary 10 % → 50 % → 100 % → promoted → rolled back, as deployed models and traffic splits on one endpoint', async () => {
    const [v1, v2] = versionIds as [number, number];
    await deploy('1');
    await settled();
    expect(await splitByVersion()).toEqual({ [v1]: 100 });
    // Staged byte for byte, then uploaded with Google's prebuilt sklearn container.
    const folder = `serving/modelyard/${projectId}/v${v1}/`;
    expect(sha256((await storedObject(`${folder}model.pkl`))!)).toBe(sha256(WEIGHTS[1]));
    expect((await storedObject(`${folder}MLmodel`))!.toString()).toBe(MLMODEL);
    const [uploaded] = vertex.uploadedModels() as { artifactUri: string; containerSpec: { imageUri: string }; labels: Record<string, string> }[];
    expect(uploaded).toMatchObject({
      artifactUri: `gs://${BUCKET}/${folder.slice(0, -1)}`,
      containerSpec: { imageUri: 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest' },
      labels: { 'modelyard-version': String(v1) },
    });

    await refresh();
    const detail = await ok('GET', api(`/environments/${envId}`), developer.token);
    expect(detail.health.status, JSON.stringify(detail.health)).toBe('serving');
    expect(detail.health.variants[0].instances[0]).toMatchObject({ state: 'ready', endpoint: `${vertex.url}/v1/${endpointOf()!.name}:predict` });

    await deploy('2', { kind: 'canary', steps: [10, 50, 100] });
    await settled();
    expect(await splitByVersion()).toEqual({ [v2]: 10, [v1]: 90 });
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await settled();
    expect(await splitByVersion()).toEqual({ [v2]: 50, [v1]: 50 });
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await settled();
    expect(await splitByVersion()).toEqual({ [v2]: 100, [v1]: 0 });
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await settled();
    // Promoted: version 1 is undeployed.
    expect(await splitByVersion()).toEqual({ [v2]: 100 });
    await refresh();

    const rolledBack = await ok('POST', api(`/environments/${envId}/rollback`), developer.token, { reason: 'v2 drifts' });
    await settled();
    expect(await splitByVersion()).toEqual({ [v1]: 100 });
    await refresh();
    expect((await ok('GET', api(`/deployments/${rolledBack.id}`), developer.token)).status).toBe('success');
    // Each version was uploaded once; the rollback deployed version 1's model again.
    expect(vertex.uploadedModels()).toHaveLength(2);
    const calls = vertex.log.filter((entry) => entry.status < 300).map((entry) => `${entry.method} ${entry.path.replace(/^.*\/(endpoints|models|operations)\b/, '$1')}`);
    expect(calls.filter((c) => c.endsWith(':deployModel'))).toHaveLength(3);
    expect(calls.filter((c) => c.endsWith(':undeployModel'))).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('GET operations/')).length).toBeGreaterThanOrEqual(6);
    expect(vertex.log.every((entry) => entry.account === deployer.email)).toBe(true);
  });

  it('an operation Vertex fails is kept as the reason, the deployment stands, and the next apply finishes the work', async () => {
    const [v1, v2] = versionIds as [number, number];
    vertex.failNextOperation('deployModel', 'The machine type n1-standard-4 is out of quota in us-central1.');
    await deploy('2');
    await settled();
    const target = await ok('GET', api(`/environments/${envId}/target`), maintainer.token);
    expect(target.vertex.last_error).toMatch(/failed with code \d+: The machine type n1-standard-4 is out of quota/);
    expect(await splitByVersion()).toEqual({ [v1]: 100 });
    // Binding again (the key kept) applies the current deployment again.
    const { service_account_key: _kept, ...withoutKey } = settings();
    const fixed = await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, withoutKey);
    expect(fixed.vertex.last_error).toBeNull();
    await settled();
    expect(await splitByVersion()).toEqual({ [v2]: 100 });
    expect((await ok('GET', api(`/environments/${envId}/target`), maintainer.token)).vertex.last_error).toBeNull();
  });

  it('a deployment with a shadow variant is refused by the target with its reason; unbinding undeploys everything and deletes the endpoint', async () => {
    const [, v2] = versionIds as [number, number];
    // The deployment is committed (it is the environment's story); the target says why it does not serve it.
    await ok('POST', api('/deployments'), developer.token, { environment: 'production', model: 'churn', version: '1', variants: [{ version: 2, role: 'shadow', shadow_share: 50 }] });
    await settled();
    expect((await ok('GET', api(`/environments/${envId}/target`), maintainer.token)).vertex.last_error).toMatch(/Vertex AI cannot serve this single deployment: it has shadow variants/);
    expect(await splitByVersion()).toEqual({ [v2]: 100 });
    const removed = await ok('DELETE', api(`/environments/${envId}/target`), maintainer.token);
    expect(removed).toEqual({ environment_id: envId, kind: 'agent', routing: 'gateway', kserve: null, vertex: null });
    await settled();
    expect(endpointOf()).toBeUndefined();
    expect(await t.services.database.db.selectFrom('vertex_target_models').selectAll().where('environment_id', '=', envId).execute()).toEqual([]);
  });

  it('moving to another kind of target undeploys the Vertex AI endpoint first and forgets the key', async () => {
    const [v1] = versionIds as [number];
    await deploy('1');
    await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, settings());
    await settled();
    expect(await splitByVersion()).toEqual({ [v1]: 100 });
    // A KServe target whose API answers nothing useful: its apply fails, which is not what is looked at here.
    const moved = await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, { kind: 'kserve', api_url: vertex.url, namespace: 'models', token: 'kube-token' });
    expect(moved).toMatchObject({ kind: 'kserve', vertex: null });
    await settled();
    expect(endpointOf()).toBeUndefined();
    expect(await t.services.database.db.selectFrom('vertex_targets').selectAll().where('environment_id', '=', envId).execute()).toEqual([]);
    const { service_account_key: _forgotten, ...withoutKey } = settings();
    const refused = await call('PUT', api(`/environments/${envId}/target`), maintainer.token, withoutKey);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/service_account_key is missing/);
  });

  it("a flavor Google has no prebuilt container for runs the version's pushed image, by digest; without one, the reason says so", async () => {
    const modelId = (await ok('POST', api('/ml/models'), developer.token, { name: 'boosted' })).id;
    const version = await versionFromRun(t, projectId, developer.token, modelId, { MLmodel: 'flavors:\n  python_function: {}\n  xgboost: {model_format: xgb}\n', 'model.xgb': 'booster' });
    const other = (await ok('POST', api('/environments'), maintainer.token, { name: 'boosting' })).id;
    await ok('PUT', api(`/environments/${other}/target`), maintainer.token, settings());
    await ok('POST', api('/deployments'), developer.token, { environment: 'boosting', model: 'boosted', version: '1' });
    await t.services.vertex.settled(other);
    expect((await ok('GET', api(`/environments/${other}/target`), maintainer.token)).vertex.last_error).toMatch(
      /no prebuilt container for this model's MLflow flavors \(python_function, xgboost\) and the version has no pushed image/,
    );
    const digest = `sha256:${'ab'.repeat(32)}`;
    // Only in a builder's local storage: of no use to Google.
    await ok('POST', api(`/ml/models/${modelId}/versions/1/images`), developer.token, {
      digest: `sha256:${'cd'.repeat(32)}`,
      size: 1000,
      base: 'localhost/base:1',
      reference: 'localhost/team/boosted:1',
    });
    await ok('POST', api(`/ml/models/${modelId}/versions/1/images`), developer.token, { digest, size: 1000, base: 'localhost/base:1', reference: 'registry.example.com/team/boosted:1' });
    await ok('PUT', api(`/environments/${other}/target`), maintainer.token, settings());
    await t.services.vertex.settled(other);
    expect((await ok('GET', api(`/environments/${other}/target`), maintainer.token)).vertex.last_error).toBeNull();
    const uploaded = vertex.uploadedModels().find((m) => (m.labels as Record<string, string>)['modelyard-version'] === String(version.id));
    expect(uploaded?.containerSpec).toEqual({ imageUri: `registry.example.com/team/boosted:1@${digest}`, predictRoute: '/invocations', healthRoute: '/ping', ports: [{ containerPort: 8080 }] });
  });
});
