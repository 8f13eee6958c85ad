import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceService } from '../../src/targets/kserve/inference-service-manifest.ts';
import { KUBERNETES_TOKEN } from '../../src/targets/tables.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { resolverOf } from '../support/fixed-resolver.ts';
import { kubeconformStrict } from '../support/kubeconform.ts';
import { startKubernetesStandIn, type KubernetesStandIn } from '../support/kubernetes-stand-in.ts';
import { versionFromRun } from '../support/versions-from-runs.ts';
import { serveToken, startModelServer } from '../support/serving.ts';

/**
 * An environment bound to a Kubernetes namespace (the stand-in, over HTTPS with its own CA):
 * single → canary steps → promotion → rollback, each applied as an InferenceService whose
 * manifest passes kubeconform -strict, and whose status comes back as the environment's health.
 */
let t: TestApp;
let standIn: KubernetesStandIn;
let maintainer: TestUser;
let developer: TestUser;
let projectId: number;
let envId: number;
const TOKEN = 'kserve-sa-token-9f8e7d';
/** What the stand-in reports as an InferenceService's URL in the namespace `routed` (set by a test). */
let reportedInRouted = '';

const api = (path: string) => `/api/v4/projects/${projectId}${path}`;

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) {
  return t.call({ method, url, token, ...(payload ? { payload } : {}) });
}

async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) {
  const res = await call(method, url, token, payload);
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** A registered version from a run that logged an MLflow model (its MLmodel names the pyfunc flavor). */
async function versionWithWeights(modelId: number, weights: string): Promise<void> {
  await versionFromRun(t, projectId, developer.token, modelId, { MLmodel: 'flavors:\n  python_function: {loader_module: mlflow.sklearn}\n  sklearn: {}\n', 'model.pkl': weights });
}

const patches = () => standIn.requests.filter((r) => r.method === 'PATCH').map((r) => ({ query: r.query, manifest: JSON.parse(r.body) as InferenceService }));
/** Lets the deployments worker see what the target reports (KServe has no agent calling in). */
const refresh = () => t.services.deploymentsWorker.tick();

beforeAll(async () => {
  // The cluster's ingress names (the stand-in reports them) resolve to loopback, which the policy allows.
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' }, undefined, {
    resolver: resolverOf({ 'metadata.cluster.test': ['169.254.169.254'], 'internal.cluster.test': ['10.0.0.7', '127.0.0.1'], '*.example.com': ['127.0.0.1'] }),
  });
  standIn = await startKubernetesStandIn({
    token: TOKEN,
    autoReady: true,
    urlOf: (name, namespace) => (namespace === 'routed' ? reportedInRouted : `http://${name}.${namespace}.example.com`),
  });
  maintainer = await t.createUser('kserve-maintainer');
  developer = await t.createUser('kserve-developer');
  projectId = (await t.createProject(maintainer.token, 'kserve')).id;
  await t.addMember(projectId, developer.id, 30);
  const modelId = (await ok('POST', api('/ml/models'), developer.token, { name: 'churn' })).id;
  await versionWithWeights(modelId, 'weights-1');
  await versionWithWeights(modelId, 'weights-2');
  envId = (await ok('POST', api('/environments'), maintainer.token, { name: 'production' })).id;
});
afterAll(async () => {
  await standIn.close();
  await t.close();
});

// Six deployments, each applied over HTTPS, and kubeconform: slow on a busy machine.
describe('KServe target', { timeout: 180_000 }, () => {
  it('refuses bad settings with a 400 and changes nothing; only maintainers set it', async () => {
    const base = { kind: 'kserve', api_url: standIn.url, namespace: 'models', token: TOKEN, ca_pem: standIn.caPem };
    for (const [body, message] of [
      [{ ...base, namespace: 'Models_1' }, /namespace/],
      [{ ...base, api_url: 'https://10.1.2.3:6443' }, /outbound policy refuses 10.1.2.3:6443/],
      [{ ...base, api_url: 'ftp://127.0.0.1/' }, /https:\/\//],
      [{ ...base, api_url: `${standIn.url}?x=1` }, /no user, password, query/],
      [{ ...base, ca_pem: 'not a certificate' }, /ca_pem is not a PEM X.509 certificate/],
      [{ ...base, token: undefined }, /token is missing/],
      [{ ...base, token: 'two words' }, /token/],
      [{ ...base, routing: 'sideways' }, /routing/],
    ] as const) {
      const res = await call('PUT', api(`/environments/${envId}/target`), maintainer.token, body as Record<string, unknown>);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    expect((await call('PUT', api(`/environments/${envId}/target`), developer.token, base)).statusCode).toBe(403);
    expect(await ok('GET', api(`/environments/${envId}/target`), maintainer.token)).toEqual({ environment_id: envId, kind: 'agent', routing: 'gateway', kserve: null, vertex: null });
  });

  it('single → canary 10 % → 50 % → 100 % → promoted → rolled back: each applied by server-side apply, each manifest valid, the rollback the first spec again', async () => {
    const bound = await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, {
      kind: 'kserve',
      api_url: standIn.url,
      namespace: 'models',
      ca_pem: standIn.caPem,
      token: TOKEN,
      routing: 'native',
    });
    expect(bound).toEqual({
      environment_id: envId,
      kind: 'kserve',
      routing: 'native',
      kserve: { api_url: standIn.url, namespace: 'models', ca_pem_set: true, token_set: true, service_account: null, last_error: null },
      vertex: null,
    });
    expect(JSON.stringify(bound)).not.toContain(TOKEN);
    // The token is sealed in its row.
    const stored = await t.services.database.db.selectFrom('kubernetes_targets').select('token').where('environment_id', '=', envId).executeTakeFirstOrThrow();
    expect(stored.token).not.toContain(TOKEN);
    expect(t.services.keyring.box.open(stored.token, KUBERNETES_TOKEN.context(envId))).toBe(TOKEN);

    const deploy = (version: string, policy?: Record<string, unknown>) =>
      ok('POST', api('/deployments'), developer.token, { environment: 'production', model: 'churn', version, ...(policy ? { policy } : {}) });
    await deploy('1');
    await refresh();
    await deploy('2', { kind: 'canary', steps: [10, 50, 100] });
    await refresh();
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await refresh();
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await refresh();
    await ok('POST', api(`/environments/${envId}/promote`), developer.token);
    await refresh();
    const rolledBack = await ok('POST', api(`/environments/${envId}/rollback`), developer.token, { reason: 'v2 drifts' });
    expect(rolledBack.reason).toMatch(/rollback requested by kserve-developer/);
    await refresh();

    const applied = patches();
    for (const { query } of applied) expect(Object.fromEntries(query)).toEqual({ fieldManager: 'modelyard', force: 'true', fieldValidation: 'Strict' });
    expect(standIn.requests.filter((r) => r.method === 'PATCH').every((r) => r.contentType === 'application/apply-patch+yaml' && r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const manifests = applied.map((a) => a.manifest);
    expect(manifests.map((m) => [m.metadata.name, m.spec.predictor.canaryTrafficPercent ?? null, m.metadata.annotations['modelyard.io/version-id']])).toEqual([
      ['production', null, expect.any(String)],
      ['production', 10, expect.any(String)],
      ['production', 50, expect.any(String)],
      ['production', 100, expect.any(String)],
      ['production', null, expect.any(String)],
      ['production', null, expect.any(String)],
    ]);
    const [first, ten, , , promoted, rollback] = manifests;
    expect(ten!.spec.predictor.model.storageUri).not.toBe(first!.spec.predictor.model.storageUri);
    expect(ten!.metadata.annotations['modelyard.io/stable-version-id']).toBe(first!.metadata.annotations['modelyard.io/version-id']);
    expect(promoted!.spec.predictor.model).toEqual(ten!.spec.predictor.model);
    expect(rollback).toEqual(first);
    expect(first!.spec.predictor.model).toMatchObject({ modelFormat: { name: 'mlflow' }, protocolVersion: 'v2' });

    const check = kubeconformStrict(manifests);
    expect(check.output).toContain('Valid: 6, Invalid: 0, Errors: 0');
    expect(check.valid, check.output).toBe(true);

    // What runs now, from the InferenceService's status: version 1, at its URL, and the deployment rolled out.
    const detail = await ok('GET', api(`/environments/${envId}`), developer.token);
    expect(detail.health.status, JSON.stringify(detail.health)).toBe('serving');
    expect(detail.health.variants[0].instances[0]).toMatchObject({ instance_id: 'production', state: 'ready', endpoint: 'http://production.models.example.com' });
    expect((await ok('GET', api(`/deployments/${rolledBack.id}`), developer.token)).status).toBe('success');
  });

  it('the storage URI is a signed link for the environment, good without a credential, only as signed, and only while the environment serves the version', async () => {
    const uri = new URL(patches().at(-1)!.manifest.spec.predictor.model.storageUri);
    expect(uri.pathname).toMatch(/\/1\/model\.tar\.gz$/);
    expect(uri.searchParams.get('environment')).toBe(String(envId));
    const fetched = await t.call({ method: 'GET', url: uri.pathname + uri.search });
    expect(fetched.statusCode, fetched.body).toBe(200);
    expect(fetched.headers['content-type']).toBe('application/gzip');
    const signature = uri.searchParams.get('signature')!;
    const modelId = Number(uri.pathname.split('/')[6]);
    const other = (await ok('POST', api('/environments'), maintainer.token, { name: 'links-elsewhere' })).id;
    const refused = [
      // Altered: another environment, another version, another signature; and no signature.
      `${uri.pathname}?environment=${other}&signature=${signature}`,
      `${uri.pathname.replace(/\/1\/model\.tar\.gz$/, '/2/model.tar.gz')}?environment=${envId}&signature=${signature}`,
      `${uri.pathname}?environment=${envId}&signature=${signature.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`,
      // Signed by the server, but the environment serves version 1 now (rolled back), not 2.
      new URL(t.services.archiveLinks.sign({ projectId, modelId, version: 2 }, envId)).search.replace(/^/, uri.pathname.replace(/\/1\/model\.tar\.gz$/, '/2/model.tar.gz')),
      // Signed, but for an environment that is not bound to a cluster.
      new URL(t.services.archiveLinks.sign({ projectId, modelId, version: 1 }, other)).search.replace(/^/, uri.pathname),
    ];
    for (const url of refused) {
      const res = await t.call({ method: 'GET', url });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().message).toBe('403 Forbidden: the archive link is invalid, or its environment no longer serves this version');
    }
    for (const url of [`${uri.pathname}?environment=${envId}`, `${uri.pathname}?environment=x&signature=${signature}`]) {
      expect((await t.call({ method: 'GET', url })).statusCode, url).toBe(400);
    }
  });

  it('an apply the cluster refuses is kept as the reason, and the deployment stands', async () => {
    await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, { kind: 'kserve', api_url: standIn.url, namespace: 'models', token: 'revoked-token', routing: 'native' });
    const target = await ok('GET', api(`/environments/${envId}/target`), maintainer.token);
    expect(target.kserve.last_error).toMatch(/answered 401 Unauthorized/);
    // The token kept, the CA kept: fixed again with the token alone.
    const fixed = await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, { kind: 'kserve', api_url: standIn.url, namespace: 'models', token: TOKEN, routing: 'native' });
    expect(fixed.kserve).toMatchObject({ ca_pem_set: true, last_error: null });
  });

  it('a cluster that cannot be reached does not keep an environment from leaving KServe', async () => {
    const other = (await ok('POST', api('/environments'), maintainer.token, { name: 'unreachable' })).id;
    // Bound while the stand-in answers, then pointed at a port nothing listens on.
    await ok('PUT', api(`/environments/${other}/target`), maintainer.token, { kind: 'kserve', api_url: standIn.url, namespace: 'models', token: TOKEN, ca_pem: standIn.caPem });
    await t.services.database.db.updateTable('kubernetes_targets').set({ api_url: 'https://127.0.0.1:9' }).where('environment_id', '=', other).execute();
    const removed = await call('DELETE', api(`/environments/${other}/target`), maintainer.token);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().kind).toBe('agent');
  });

  it('gateway routing: one InferenceService per version; removing the target deletes them and hands the environment back to the agents', async () => {
    await ok('PUT', api(`/environments/${envId}/target`), maintainer.token, { kind: 'kserve', api_url: standIn.url, namespace: 'models', routing: 'gateway' });
    expect(standIn.get('models', 'production')).toBeUndefined();
    const perVersion = patches().at(-1)!.manifest;
    expect(perVersion.metadata.name).toMatch(/^production-v\d+$/);
    expect(kubeconformStrict([perVersion]).valid).toBe(true);
    const removed = await ok('DELETE', api(`/environments/${envId}/target`), maintainer.token);
    expect(removed).toEqual({ environment_id: envId, kind: 'agent', routing: 'gateway', kserve: null, vertex: null });
    expect(standIn.get('models', perVersion.metadata.name)).toBeUndefined();
    expect((await call('DELETE', api(`/environments/${envId}/target`), maintainer.token)).statusCode).toBe(404);
    expect(await t.services.database.db.selectFrom('kubernetes_targets').selectAll().execute()).toEqual([]);
  });

  it('the gateway connects only to URLs the cluster reports that pass the outbound address policy, at the addresses it checked', async () => {
    const model = await startModelServer('kserve');
    const serve = await serveToken(t);
    try {
      const { port } = new URL(model.url);
      const routedId = (await ok('POST', api('/environments'), maintainer.token, { name: 'routed' })).id;
      await ok('PUT', api(`/environments/${routedId}/target`), maintainer.token, {
        kind: 'kserve',
        api_url: standIn.url,
        namespace: 'routed',
        ca_pem: standIn.caPem,
        token: TOKEN,
        routing: 'gateway',
      });
      await ok('POST', api('/deployments'), developer.token, { environment: 'routed', model: 'churn', version: '1' });
      const service = patches().at(-1)!.manifest.metadata.name;
      const predict = () =>
        t.call({ method: 'POST', url: `/serving/${projectId}/routed/invocations`, headers: { authorization: `Bearer ${serve}`, 'content-type': 'application/json' }, payload: '{"inputs": [[1]]}' });
      const report = async (url: string) => {
        reportedInRouted = url;
        standIn.markReady('routed', service);
        t.services.serving.routes.invalidate();
        return (await ok('GET', api(`/environments/${routedId}`), developer.token)).health;
      };

      const refused: [string, RegExp][] = [
        [`http://169.254.169.254:${port}`, /169\.254\.169\.254 is a cloud metadata address/],
        [`http://metadata.cluster.test:${port}`, /169\.254\.169\.254 is a cloud metadata address/],
        // One address of the name is refused: the name is.
        [`http://internal.cluster.test:${port}`, /10\.0\.0\.7 is in a special-purpose range \(private\)/],
        [`http://10.0.0.7:${port}/serving/routed`, /10\.0\.0\.7 is in a special-purpose range/],
        [`http://nowhere.cluster.test:${port}`, /does not resolve/],
        [`file:///etc/passwd`, /only http and https/],
        [`http://user:secret@ingress.example.com:${port}`, /credentials/],
      ];
      for (const [url, reason] of refused) {
        const health = await report(url);
        const instance = health.variants[0].instances[0];
        expect(instance, url).toMatchObject({ state: 'refused', endpoint: url });
        expect(instance.message, url).toMatch(reason);
        expect(health.status, url).toBe('down');
        const answer = await predict();
        expect(answer.statusCode, `${url}: ${answer.body}`).toBe(503);
      }
      expect(model.requests).toBe(0);

      // A name no DNS here resolves, admitted through the test's resolver: the answer proves the gateway connected to the checked address.
      const health = await report(`http://ingress.example.com:${port}`);
      expect(health.variants[0].instances[0]).toMatchObject({ state: 'ready', endpoint: `http://ingress.example.com:${port}` });
      const answer = await predict();
      expect(answer.statusCode, answer.body).toBe(200);
      expect(model.requests).toBe(1);
    } finally {
      await model.close();
    }
  });
});
