import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { TEST_DIALECT } from '../support/database.ts';

/**
 * Every route of the registry's native API, each answering with success at least once: the suite
 * runs with the response check on, so each answer below is also held to its route's contract.
 * And the model edit, which once ran as two transactions, is all or nothing.
 */
let t: TestApp;
let dev: TestUser;
let maintainer: TestUser;
let reporter: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('routes-dev');
  maintainer = await t.createUser('routes-maint');
  reporter = await t.createUser('routes-reporter');
  projectId = (await t.createProject(maintainer.token, 'registry-routes')).id;
  await t.addMember(projectId, dev.id, 30);
  await t.addMember(projectId, reporter.id, 20);
});
afterAll(async () => t?.close());

const api = (path: string) => `/api/v4/projects/${projectId}/ml${path}`;

async function call(method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) {
  return t.call({ method, url, token, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

async function ok(method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, status: number, payload?: unknown) {
  const res = await call(method, url, token, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res;
}

async function newModel(name: string, body: Record<string, unknown> = {}): Promise<number> {
  return (await ok('POST', api('/models'), dev.token, 201, { name, ...body })).json().id;
}

/** What the database holds of a model, read past the API. */
async function stored(modelId: number) {
  return t.services.database.db.selectFrom('registered_models').select(['name', 'description', 'card']).where('id', '=', modelId).executeTakeFirstOrThrow();
}

async function eventsOf(modelId: number, type: string) {
  const rows = await t.services.database.db.selectFrom('events').select('payload').where('type', '=', type).where('project_id', '=', projectId).execute();
  return rows.map((r) => JSON.parse(r.payload) as { model_id?: number }).filter((p) => p.model_id === modelId);
}

describe('a model edit (rename, description, card) is one change', () => {
  it('leaves the model unrenamed when its card is refused', async () => {
    const id = await newModel('edit-refused', { description: 'before' });
    const res = await call('PUT', api(`/models/${id}`), dev.token, { name: 'edit-refused-renamed', description: 'after', card: { favourite_colour: 'blue' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/unknown field "favourite_colour"/);
    expect(await stored(id)).toMatchObject({ name: 'edit-refused', description: 'before' });
    expect(await eventsOf(id, 'registry.model.renamed')).toEqual([]);
    expect((await ok('GET', api(`/models/${id}`), reporter.token, 200)).json().name).toBe('edit-refused');
  });

  it('leaves the model unrenamed when writing the card fails after the rename', async () => {
    const id = await newModel('edit-failing', { description: 'before' });
    // A failure injected into the second write (the description), after the rename's.
    if (TEST_DIALECT === 'sqlite') {
      await sql`create trigger fail_description before update of description on registered_models when new.description = 'explode' begin select raise(abort, 'injected failure'); end`.execute(
        t.services.database.db,
      );
    } else {
      await sql`create function fail_description() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(t.services.database.db);
      await sql`create trigger fail_description before update of description on registered_models for each row when (new.description = 'explode') execute function fail_description()`.execute(
        t.services.database.db,
      );
    }
    try {
      const res = await call('PUT', api(`/models/${id}`), dev.token, { name: 'edit-failing-renamed', description: 'explode' });
      expect(res.statusCode).toBe(500);
    } finally {
      await sql`drop trigger fail_description${sql.raw(TEST_DIALECT === 'sqlite' ? '' : ' on registered_models')}`.execute(t.services.database.db);
    }
    expect(await stored(id)).toMatchObject({ name: 'edit-failing', description: 'before' });
    expect(await eventsOf(id, 'registry.model.renamed')).toEqual([]);
  });

  it('applies a rename, a description and card fields together, with an event for each', async () => {
    const id = await newModel('edit-whole', { card: { license: 'MIT' } });
    const res = await ok('PUT', api(`/models/${id}`), dev.token, 200, { name: 'edit-whole-renamed', description: 'now', card: { intended_use: 'scoring', license: null } });
    expect(res.json()).toMatchObject({ id, name: 'edit-whole-renamed', card: { description: 'now', fields: { intended_use: 'scoring', license: 'MIT' } } });
    expect(await eventsOf(id, 'registry.model.renamed')).toMatchObject([{ from: 'edit-whole', to: 'edit-whole-renamed' }]);
    expect(await eventsOf(id, 'registry.model.updated')).toMatchObject([{ name: 'edit-whole-renamed', fields: ['description', 'card'] }]);
    // A name that is taken refuses the whole edit.
    await newModel('edit-taken');
    const clash = await call('PUT', api(`/models/${id}`), dev.token, { name: 'edit-taken', description: 'never' });
    expect(clash.statusCode).toBe(409);
    expect(await stored(id)).toMatchObject({ name: 'edit-whole-renamed', description: 'now' });
  });
});

describe('every registry route answers with its contract', () => {
  it('models, labels and aliases', async () => {
    const id = await newModel('routes-model', { description: '# Hello', card: { intended_use: 'tests' } });
    const list = await ok('GET', api('/models?search=routes-&per_page=5'), reporter.token, 200);
    expect(list.json()).toMatchObject([{ id, name: 'routes-model', latest_version: null }]);
    expect(list.headers['x-total']).toBe('1');
    expect((await ok('HEAD', api('/models'), reporter.token, 200)).body).toBe('');
    expect((await ok('GET', api(`/models/${id}`), reporter.token, 200)).json()).toMatchObject({ card: { description_html: '<h1>Hello</h1>\n', fields: { intended_use: 'tests' } } });
    await ok('POST', api(`/models/${id}/versions`), dev.token, 201, {});
    expect((await ok('POST', api(`/models/${id}/labels`), dev.token, 200, { label: 'team::risk' })).json().labels).toEqual(['team::risk']);
    await ok('DELETE', api(`/models/${id}/labels/team::risk`), dev.token, 204);
    expect((await call('DELETE', api(`/models/${id}/labels/team::risk`), dev.token)).statusCode).toBe(404);
    const aliased = await ok('PUT', api(`/models/${id}/aliases/champion`), dev.token, 200, { version: 1 });
    expect(aliased.json()).toMatchObject({ aliases: [{ alias: 'champion', version: 1 }], latest_version: { version: 1, aliases: ['champion'] } });
    await ok('DELETE', api(`/models/${id}/aliases/champion`), dev.token, 204);
    expect((await ok('GET', api(`/models/${id}`), reporter.token, 200)).json().aliases).toEqual([]);
    await ok('DELETE', api(`/models/${id}`), dev.token, 204);
    expect((await call('GET', api(`/models/${id}`), reporter.token)).json().message).toBe(`Registered model ${id} not found`);
  });

  it('versions, their labels, cards, evaluations and approvals', async () => {
    const id = await newModel('routes-versions');
    await ok('POST', api(`/models/${id}/versions`), dev.token, 201, { semver: '2.0.0', description: 'first', tags: { team: 'risk' } });
    await ok('POST', api(`/models/${id}/versions`), dev.token, 201, {});
    const page = await ok('GET', api(`/models/${id}/versions?per_page=1`), reporter.token, 200);
    expect(page.json()).toMatchObject([{ version: 2, semver: '2.0.1' }]);
    expect(page.headers['x-total']).toBe('2');
    expect((await ok('GET', api(`/models/${id}/versions/1`), reporter.token, 200)).json()).toMatchObject({ semver: '2.0.0', tags: { team: 'risk' }, mlflow_uri: 'models:/routes-versions/1' });
    expect((await ok('PUT', api(`/models/${id}/versions/1`), dev.token, 200, { card: { limitations: 'none known' } })).json().card.fields).toEqual({ limitations: 'none known' });
    expect((await call('PUT', api(`/models/${id}/versions/1`), dev.token, { card: { favourite_colour: 'blue' } })).statusCode).toBe(400);
    expect((await ok('POST', api(`/models/${id}/versions/1/labels`), dev.token, 200, { label: 'stage::staging' })).json().labels).toEqual(['stage::staging']);
    await ok('DELETE', api(`/models/${id}/versions/1/labels/stage::staging`), dev.token, 204);
    expect((await ok('POST', api(`/models/${id}/versions/1/card/fill`), dev.token, 200)).json().card.fields).toEqual({ limitations: 'none known' });

    const evaluation = await ok('POST', api(`/models/${id}/versions/1/evaluations`), dev.token, 201, { metrics: { accuracy: 0.91 }, dataset: 'holdout', passed: true, thresholds: ['accuracy>=0.9'] });
    expect(evaluation.json()).toMatchObject({ metrics: { accuracy: 0.91 }, dataset: 'holdout', passed: true, thresholds: ['accuracy>=0.9'], job_id: null, author: { id: dev.id } });
    await ok('POST', api(`/models/${id}/versions/1/evaluations`), dev.token, 201, { metrics: { loss: 0.2 } });
    expect((await ok('GET', api(`/models/${id}/versions/1/evaluations`), reporter.token, 200)).json()).toMatchObject([
      { metrics: { loss: 0.2 }, passed: null, thresholds: null, dataset: null },
      { passed: true },
    ]);

    const requested = await ok('POST', api(`/models/${id}/versions/1/approval_requests`), dev.token, 201, { comment: 'please' });
    expect(requested.json()).toMatchObject([{ status: 'pending', requester: { id: dev.id, username: 'routes-dev' }, comment: 'please', resolved_at: null, decisions: [] }]);
    expect((await ok('POST', api(`/models/${id}/versions/1/reject`), maintainer.token, 200, { comment: 'not yet' })).json().approval_status).toBe('rejected');
    await ok('POST', api(`/models/${id}/versions/1/approval_requests`), dev.token, 201, {});
    expect((await ok('POST', api(`/models/${id}/versions/1/approve`), maintainer.token, 200, {})).json().approval_status).toBe('approved');
    const history = (await ok('GET', api(`/models/${id}/versions/1/approvals`), reporter.token, 200)).json();
    expect(history).toMatchObject([
      { status: 'approved', decisions: [{ decision: 'approve', approver: { username: 'routes-maint' } }] },
      { status: 'rejected', decisions: [{ decision: 'reject', comment: 'not yet' }] },
    ]);
    expect(typeof history[1].resolved_at).toBe('string');

    await ok('DELETE', api(`/models/${id}/versions/2`), dev.token, 204);
    expect((await call('GET', api(`/models/${id}/versions/2`), reporter.token)).json().message).toBe('Model Version (name=routes-versions, version=2) not found');
  });

  it("lineage of a version without a source (its own run), a run's versions, settings and a version's files", async () => {
    const id = await newModel('routes-files');
    const version = (await ok('POST', api(`/models/${id}/versions`), dev.token, 201, {})).json() as { id: number; run_id: string };
    const lineage = (await ok('GET', api(`/models/${id}/versions/1/lineage`), reporter.token, 200)).json();
    expect(lineage).toMatchObject({
      model: { id, name: 'routes-files' },
      version: { id: version.id, version: 1, semver: '1.0.0', source: '', source_kind: 'files', status: 'READY', approval_status: 'none' },
      logged_model: null,
      run: { id: version.run_id, name: '1.0.0' },
      experiment: { name: '[model]routes-files' },
      git_commit: null,
      ci_job_id: null,
      datasets: [],
    });
    expect((await ok('GET', api(`/runs/${'0'.repeat(32)}/model_versions`), reporter.token, 404)).json().message).toMatch(/not found/i);
    const byRow = (await ok('GET', api(`/model_versions/${version.id}`), reporter.token, 200)).json();
    expect([byRow.id, byRow.model_id, byRow.model_name, byRow.version]).toEqual([version.id, id, 'routes-files', 1]);
    await ok('GET', api('/model_versions/999999'), reporter.token, 404);
    const elsewhere = (await t.createProject(maintainer.token, 'registry-routes-elsewhere')).id;
    await ok('GET', `/api/v4/projects/${elsewhere}/ml/model_versions/${version.id}`, maintainer.token, 404);

    expect((await ok('GET', `/api/v4/projects/${projectId}/ml/registry/settings`, reporter.token, 200)).json()).toEqual({ required_approvals: 1, protected_aliases: [], review_issue_label: null });
    expect((await ok('PUT', `/api/v4/projects/${projectId}/ml/registry/settings`, maintainer.token, 200, { protected_aliases: ['prod', 'prod'] })).json()).toEqual({
      required_approvals: 1,
      protected_aliases: ['prod'],
      review_issue_label: null,
    });
    expect((await call('PUT', `/api/v4/projects/${projectId}/ml/registry/settings`, maintainer.token, { protected_aliases: ['latest'] })).statusCode).toBe(400);
    expect((await ok('GET', `/api/v4/projects/${projectId}/ml/registry/settings`, reporter.token, 200)).json().protected_aliases).toEqual(['prod']);

    const files = `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/`;
    const missing = await call('GET', `${files}model.bin`, reporter.token);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('404 File Not Found');
    const put = await t.call({ method: 'PUT', url: `${files}model.bin`, token: dev.token, payload: Buffer.from('0123456789'), headers: { 'content-type': 'application/octet-stream' } });
    expect(put.statusCode, put.body).toBe(201);
    expect(put.json()).toMatchObject({ file_name: 'model.bin', size: 10 });
    const range = await t.call({ method: 'GET', url: `${files}model.bin`, token: reporter.token, headers: { range: 'bytes=2-4' } });
    expect(range.statusCode).toBe(206);
    expect(range.body).toBe('234');
    const head = await t.call({ method: 'HEAD', url: `${files}model.bin`, token: reporter.token });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const cached = await t.call({ method: 'GET', url: `${files}model.bin`, token: reporter.token, headers: { 'if-none-match': String(head.headers.etag) } });
    expect(cached.statusCode).toBe(304);
    expect((await call('GET', `${files}other.bin`, reporter.token)).json().message).toBe('404 Package file Not Found');
    expect((await call('GET', `/api/v4/projects/${projectId}/packages/ml_models/999999/files/model.bin`, reporter.token)).json().message).toBe('Model version 999999 not found');
  });
});

describe('the OpenAPI document', () => {
  it('declares the answers of every registry route, errors included', async () => {
    const doc = (await t.call({ method: 'GET', url: '/api/v4/openapi.json' })).json() as { paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, unknown> }>> };
    const registry = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags?.includes('registry'))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, codes: Object.keys(op.responses ?? {}) })),
    );
    expect(registry.length).toBeGreaterThanOrEqual(29);
    for (const { route, codes } of registry) {
      expect(
        codes.some((code) => /^2/.test(code)),
        route,
      ).toBe(true);
      expect(
        codes.some((code) => /^4xx$/i.test(code)),
        route,
      ).toBe(true);
    }
    const download = doc.paths['/api/v4/projects/{id}/packages/ml_models/{model_version_id}/files/{*}'] ?? doc.paths['/api/v4/projects/{id}/packages/ml_models/{model_version_id}/files/*'];
    expect(JSON.stringify(download?.get?.responses)).toContain('application/octet-stream');
  });

  it('is valid OpenAPI 3.0 in its number bounds: no JSON Schema 2019 numeric exclusiveMinimum or exclusiveMaximum, which 3.0 clients reject', async () => {
    const text = (await t.call({ method: 'GET', url: '/api/v4/openapi.json' })).body;
    expect(JSON.parse(text)).toMatchObject({ openapi: expect.stringMatching(/^3\.0\./) });
    expect(text.match(/"exclusive(Minimum|Maximum)":\s*-?\d/g) ?? []).toEqual([]);
  });
});
