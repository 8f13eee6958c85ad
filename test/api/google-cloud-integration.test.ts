import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY } from '../../src/integrations/google/integration-tables.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { startGoogleTokenStandIn, type GoogleTokenStandIn, type ServiceAccount } from '../support/google-token-stand-in.ts';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in.ts';

/**
 * A project's Google Cloud integration: one service-account key, set by a maintainer, sealed,
 * never answered back, and used by the project's Vertex AI imports and Vertex AI environments
 * that bring no key of their own; removed, those are refused with a reason again.
 */
let t: TestApp;
let tokens: GoogleTokenStandIn;
let vertex: VertexStandIn;
let account: ServiceAccount;
let other: ServiceAccount;
let maintainer: TestUser;
let developer: TestUser;
let projectId: number;

const path = () => `/api/v4/projects/${projectId}/integrations/google-cloud`;
const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, token: string, payload?: Record<string, unknown>) => t.call({ method, url, token, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  tokens = await startGoogleTokenStandIn();
  account = tokens.account('team@acme-ml.iam.gserviceaccount.com', 'acme-ml');
  other = tokens.account('other@acme-ml.iam.gserviceaccount.com', 'acme-ml');
  vertex = await startVertexStandIn(
    [
      {
        project: 'acme-ml',
        projectNumber: '123456789012',
        location: 'us-central1',
        id: '4242',
        readers: [account.email],
        versions: [{ versionId: '1', versionAliases: ['default'], displayName: 'churn' }],
      },
    ],
    (token) => tokens.accountOf(token),
  );
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: [tokens.port, vertex.port].map((port) => `127.0.0.1:${port}`).join(',') });
  maintainer = await t.createUser('gcp-maintainer');
  developer = await t.createUser('gcp-developer');
  projectId = (await t.createProject(maintainer.token, 'gcp-integration')).id;
  await t.addMember(projectId, developer.id, 30);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await vertex?.close();
  await tokens?.close();
});

describe("a project's Google Cloud integration", () => {
  it('is inactive until a maintainer sets a key; a bad key is a 400 that changes nothing; developers may not see or set it', async () => {
    expect((await call('GET', path(), maintainer.token)).json()).toEqual({ active: false, service_account: null, google_project: null, updated_at: null });
    const bad = await call('PUT', path(), maintainer.token, { service_account_key: '{"type": "authorized_user", "client_id": "x"}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/"type" is not "service_account"/);
    expect((await call('GET', path(), developer.token)).statusCode).toBe(403);
    expect((await call('PUT', path(), developer.token, { service_account_key: account.keyJson })).statusCode).toBe(403);
    expect(await t.services.database.db.selectFrom('google_cloud_integrations').selectAll().execute()).toEqual([]);
  });

  it('keeps the key sealed and shows only its account', async () => {
    const set = await call('PUT', path(), maintainer.token, { service_account_key: account.keyJson });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ active: true, service_account: account.email, google_project: 'acme-ml' });
    expect(set.body).not.toContain('PRIVATE KEY');
    const row = await t.services.database.db.selectFrom('google_cloud_integrations').selectAll().where('project_id', '=', projectId).executeTakeFirstOrThrow();
    expect(row.service_account_key).not.toContain('PRIVATE KEY');
    expect(t.services.keyring.box.open(row.service_account_key, GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY.context(projectId))).toBe(account.keyJson);
    const audit = await call('GET', `/api/v4/projects/${projectId}/audit_events`, maintainer.token);
    expect(audit.body).toContain('integration.google_cloud.set');
    expect(audit.body).not.toContain('PRIVATE KEY');
  });

  it("serves Vertex AI imports that bring no key: the listing is made with the integration's account", async () => {
    const listed = await call('POST', `/api/v4/projects/${projectId}/ml/imports/vertex/models`, developer.token, { google_project: 'acme-ml', location: 'us-central1', aiplatform_url: vertex.url });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().map((m: { vertex_model: string }) => m.vertex_model)).toEqual(['4242']);
    expect(vertex.log.at(-1)!.account).toBe(account.email);
    // A key given with the request still wins.
    const own = await call('POST', `/api/v4/projects/${projectId}/ml/imports/vertex/models`, developer.token, {
      google_project: 'acme-ml',
      location: 'us-central1',
      aiplatform_url: vertex.url,
      key: other.keyJson,
    });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toEqual([]);
    expect(vertex.log.at(-1)!.account).toBe(other.email);
  });

  it('serves Vertex AI environments bound without a key, and follows its rotation', async () => {
    const envId = (await call('POST', `/api/v4/projects/${projectId}/environments`, maintainer.token, { name: 'production' })).json().id;
    const bound = await call('PUT', `/api/v4/projects/${projectId}/environments/${envId}/target`, maintainer.token, {
      kind: 'vertex',
      gcp_project: 'acme-ml',
      location: 'us-central1',
      staging_uri: 'gs://acme-staging',
      api_url: vertex.url,
    });
    expect(bound.statusCode, bound.body).toBe(200);
    expect(bound.json().vertex).toMatchObject({ service_account: account.email, key_source: 'project_integration' });
    expect((await t.services.database.db.selectFrom('vertex_targets').select('service_account_key').executeTakeFirstOrThrow()).service_account_key).toBeNull();
    await call('PUT', path(), maintainer.token, { service_account_key: other.keyJson });
    expect((await call('GET', `/api/v4/projects/${projectId}/environments/${envId}/target`, maintainer.token)).json().vertex.service_account).toBe(other.email);
  });

  it('once removed, imports and new Vertex AI environments without a key are refused with the reason', async () => {
    const removed = await call('DELETE', path(), maintainer.token);
    expect(removed.json()).toEqual({ active: false, service_account: null, google_project: null, updated_at: null });
    const listed = await call('POST', `/api/v4/projects/${projectId}/ml/imports/vertex/models`, developer.token, { google_project: 'acme-ml', location: 'us-central1', aiplatform_url: vertex.url });
    expect(listed.statusCode).toBe(400);
    expect(listed.json().message).toMatch(/give `key`, or set the project's Google Cloud integration/);
    const envId = (await call('POST', `/api/v4/projects/${projectId}/environments`, maintainer.token, { name: 'staging' })).json().id;
    const refused = await call('PUT', `/api/v4/projects/${projectId}/environments/${envId}/target`, maintainer.token, {
      kind: 'vertex',
      gcp_project: 'acme-ml',
      location: 'us-central1',
      staging_uri: 'gs://acme-staging',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/service_account_key is missing/);
    // The environment bound earlier says why it cannot reach Vertex AI now.
    const production = (await call('GET', `/api/v4/projects/${projectId}/environments`, maintainer.token)).json().find((e: { name: string }) => e.name === 'production');
    const view = (await call('GET', `/api/v4/projects/${projectId}/environments/${production.id}/target`, maintainer.token)).json();
    expect(view.vertex).toMatchObject({ service_account: null, key_source: 'project_integration' });
  });
});
