import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

let t: TestApp;
let dev: TestUser;
let dev2: TestUser;
let maintainer: TestUser;
let maintainer2: TestUser;
let reporter: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp();
  dev = await t.createUser('reg-dev');
  dev2 = await t.createUser('reg-dev2');
  maintainer = await t.createUser('reg-maint');
  maintainer2 = await t.createUser('reg-maint2');
  reporter = await t.createUser('reg-reporter');
  projectId = (await t.createProject(maintainer.token, 'registry')).id;
  await t.addMember(projectId, dev.id, 30);
  await t.addMember(projectId, dev2.id, 30);
  await t.addMember(projectId, maintainer2.id, 40);
  await t.addMember(projectId, reporter.id, 20);
});
afterAll(async () => t?.close());

const api = (path: string) => `/api/v4/projects/${projectId}/ml${path}`;
const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', url: string, token: string, payload?: unknown) {
  return t.call({ method, url, token, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

async function newModel(name: string): Promise<number> {
  const res = await call('POST', api('/models'), dev.token, { name });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function newVersion(modelId: number, body: Record<string, unknown> = {}) {
  return call('POST', api(`/models/${modelId}/versions`), dev.token, body);
}

describe('semantic versions', () => {
  it('start at 1.0.0, bump the patch of the highest, take explicit ones and refuse duplicates', async () => {
    const id = await newModel('semver-model');
    expect((await newVersion(id)).json()).toMatchObject({ version: 1, semver: '1.0.0' });
    expect((await newVersion(id)).json()).toMatchObject({ version: 2, semver: '1.0.1' });
    expect((await newVersion(id, { semver: '2.3.0' })).json()).toMatchObject({ version: 3, semver: '2.3.0' });
    expect((await newVersion(id, { semver: '2.0.0' })).json()).toMatchObject({ version: 4, semver: '2.0.0' });
    expect((await newVersion(id)).json()).toMatchObject({ version: 5, semver: '2.3.1' });
    const duplicate = await newVersion(id, { semver: '2.3.0' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().message).toMatch(/already has a version with semantic version 2.3.0/);
    expect((await newVersion(id, { semver: 'banana' })).statusCode).toBe(400);
    expect((await newVersion(id, { tags: { 'gitlab.version': '3.0.0-rc.1' } })).json()).toMatchObject({ semver: '3.0.0-rc.1' });
    expect((await newVersion(id)).json()).toMatchObject({ semver: '3.0.0' });
  });

  it('come from the modelyard.semver tag on the MLflow protocol, and MLflow keeps its integer versions', async () => {
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'mlflow-semver' });
    const created = await call('POST', mlflow('model-versions/create'), dev.token, { name: 'mlflow-semver', source: '', tags: [{ key: 'modelyard.semver', value: '4.2.0' }] });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().model_version.version).toBe('1');
    const dup = await call('POST', mlflow('model-versions/create'), dev.token, { name: 'mlflow-semver', source: '', tags: [{ key: 'modelyard.semver', value: '4.2.0' }] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });
});

describe('aliases and labels', () => {
  it('moves aliases, and only maintainers move protected ones', async () => {
    const id = await newModel('alias-model');
    await newVersion(id);
    await newVersion(id);
    expect((await call('PUT', api(`/models/${id}/aliases/staging`), dev.token, { version: 1 })).statusCode).toBe(200);
    expect((await call('PUT', `/api/v4/projects/${projectId}/ml/registry/settings`, maintainer.token, { protected_aliases: ['champion'] })).statusCode).toBe(200);
    const refused = await call('PUT', api(`/models/${id}/aliases/champion`), dev.token, { version: 2 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/protected/);
    expect((await call('PUT', api(`/models/${id}/aliases/champion`), maintainer.token, { version: 2 })).json().aliases).toEqual([
      { alias: 'champion', version: 2 },
      { alias: 'staging', version: 1 },
    ]);
    const viaMlflow = await call('GET', mlflow(`registered-models/alias?name=alias-model&alias=champion`), reporter.token);
    expect(viaMlflow.json().model_version).toMatchObject({ version: '2', aliases: ['champion'] });
    expect((await call('POST', mlflow('registered-models/alias'), dev.token, { name: 'alias-model', alias: 'latest', version: '1' })).statusCode).toBe(400);
    expect((await call('POST', mlflow('registered-models/alias'), dev.token, { name: 'alias-model', alias: 'v3', version: '1' })).statusCode).toBe(400);
  });

  it('keeps one label per scope', async () => {
    const id = await newModel('label-model');
    await newVersion(id);
    await call('POST', api(`/models/${id}/versions/1/labels`), dev.token, { label: 'stage::staging' });
    await call('POST', api(`/models/${id}/versions/1/labels`), dev.token, { label: 'team::fraud' });
    const version = (await call('POST', api(`/models/${id}/versions/1/labels`), dev.token, { label: 'stage::production' })).json();
    expect(version.labels).toEqual(['stage::production', 'team::fraud']);
    const model = (await call('POST', api(`/models/${id}/labels`), dev.token, { label: 'critical' })).json();
    expect(model.labels).toEqual(['critical']);
    expect((await call('POST', api(`/models/${id}/labels`), dev.token, { label: '<script>' })).statusCode).toBe(400);
    const events = await t.services.database.db.selectFrom('events').select('type').where('type', '=', 'registry.label.changed').execute();
    expect(events.length).toBeGreaterThanOrEqual(4);
  });
});

describe('approvals', () => {
  it('a developer requests, a maintainer approves, with events and audit entries', async () => {
    const id = await newModel('approved-model');
    await newVersion(id);
    const requested = await call('POST', api(`/models/${id}/versions/1/approval_requests`), dev.token, { comment: 'ready for prod' });
    expect(requested.statusCode).toBe(201);
    expect((await call('GET', api(`/models/${id}/versions/1`), dev.token)).json().approval_status).toBe('pending');
    // The requester may not decide, even as a maintainer; reporters and developers may not either.
    expect((await call('POST', api(`/models/${id}/versions/1/approve`), dev.token, {})).statusCode).toBe(403);
    expect((await call('POST', api(`/models/${id}/versions/1/approve`), reporter.token, {})).statusCode).toBe(403);
    const approved = await call('POST', api(`/models/${id}/versions/1/approve`), maintainer.token, { comment: 'looks good' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().approval_status).toBe('approved');
    const history = (await call('GET', api(`/models/${id}/versions/1/approvals`), reporter.token)).json();
    expect(history).toMatchObject([
      { status: 'approved', requester: { username: 'reg-dev' }, comment: 'ready for prod', decisions: [{ decision: 'approve', approver: { username: 'reg-maint' }, comment: 'looks good' }] },
    ]);
    const events = (await t.services.database.db.selectFrom('events').select('type').where('project_id', '=', projectId).execute()).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['registry.version.approval_requested', 'registry.version.approved']));
    const audit = (await call('GET', `/api/v4/projects/${projectId}/audit_events?per_page=100`, maintainer.token)).json().map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['registry.approval.requested', 'registry.approval.approved']));
  });

  it('refuses self-approval by a maintainer who asked', async () => {
    const id = await newModel('self-model');
    await newVersion(id);
    await call('POST', api(`/models/${id}/versions/1/approval_requests`), maintainer.token, {});
    const self = await call('POST', api(`/models/${id}/versions/1/approve`), maintainer.token, {});
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/requester/);
  });

  it('rejects, and counts the approvals the project requires', async () => {
    const id = await newModel('two-approvals');
    await newVersion(id);
    await newVersion(id);
    await call('PUT', `/api/v4/projects/${projectId}/ml/registry/settings`, maintainer.token, { required_approvals: 2 });
    await call('POST', api(`/models/${id}/versions/1/approval_requests`), dev.token, {});
    expect((await call('POST', api(`/models/${id}/versions/1/approve`), maintainer.token, {})).json().approval_status).toBe('pending');
    expect((await call('POST', api(`/models/${id}/versions/1/approve`), maintainer.token, {})).statusCode).toBe(409);
    expect((await call('POST', api(`/models/${id}/versions/1/approve`), maintainer2.token, {})).json().approval_status).toBe('approved');
    await call('POST', api(`/models/${id}/versions/2/approval_requests`), dev2.token, {});
    expect((await call('POST', api(`/models/${id}/versions/2/reject`), maintainer.token, { comment: 'bias found' })).json().approval_status).toBe('rejected');
    await call('PUT', `/api/v4/projects/${projectId}/ml/registry/settings`, maintainer.token, { required_approvals: 1 });
    // A model with an approved version is kept unless a maintainer forces its deletion.
    expect((await call('DELETE', api(`/models/${id}`), dev.token)).statusCode).toBe(409);
    expect((await call('DELETE', api(`/models/${id}?force=true`), dev.token)).statusCode).toBe(403);
    expect((await call('DELETE', api(`/models/${id}?force=true`), maintainer.token)).statusCode).toBe(204);
  });
});

describe('model cards', () => {
  const payloads = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload=alert(1)><circle/></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name=x></form>',
    '<math><mtext><img src=x onerror=alert(1)></mtext></math>',
    '<details open ontoggle=alert(1)>',
    '<body onload=alert(1)>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<style>@import "javascript:alert(1)";</style>',
    '[x](vbscript:msgbox(1))',
    '![x](javascript:alert(1))',
  ];

  it('render Markdown to HTML without any script, handler, javascript: URL or frame', async () => {
    const id = await newModel('card-model');
    for (const payload of payloads) {
      const res = await call('PUT', api(`/models/${id}`), dev.token, { description: `# Card\n\n${payload}\n\nok **bold**`, card: { limitations: payload } });
      expect(res.statusCode).toBe(200);
      const card = res.json().card;
      for (const html of [card.description_html, card.fields_html.limitations]) {
        expect(html, payload).not.toMatch(/<script|<iframe|<object|<embed|<form|<svg|<math|<style|<meta|<base|<body/i);
        expect(html, payload).not.toMatch(/\son\w+\s*=/i);
        expect(html, payload).not.toMatch(/javascript:|vbscript:|data:text\/html/i);
      }
      expect(card.description_html).toContain('<strong>bold</strong>');
      expect(card.description).toContain(payload);
    }
  });

  const trackers = [
    '![pixel](https://tracker.example/p.gif?reader=1)',
    '![pixel][ref]\n\n[ref]: http://tracker.example/p.gif',
    '<img src="http://tracker.example/p.gif">',
    '<img src="//tracker.example/p.gif" alt="pixel">',
    '<img src="/\\tracker.example/p.gif">',
    '<img src="\\\\tracker.example/p.gif">',
    '<img src="  https://tracker.example/p.gif  ">',
    '<img src="ht\ttps://tracker.example/p.gif">',
    '<IMG SRC="HTTPS://tracker.example/p.gif">',
    '<img src="https://tracker.example/p.gif" onerror="alert(1)" onload="alert(2)">',
    '<img src="&#104;ttps://tracker.example/p.gif">',
    '<img srcset="https://tracker.example/p.gif 1x" src="chart.png">',
    '<picture><source srcset="https://tracker.example/p.gif"><img src="chart.png"></picture>',
    '<video poster="https://tracker.example/p.gif" src="https://tracker.example/v.mp4"></video>',
    '<audio src="https://tracker.example/a.mp3"></audio>',
    '[![build](https://tracker.example/badge.svg)](https://ci.example/build)',
    '<div style="background:url(https://tracker.example/p.gif)">x</div>',
    '<link rel="stylesheet" href="https://tracker.example/s.css">',
    '<input type="image" src="https://tracker.example/p.gif">',
    '<svg><image href="https://tracker.example/p.gif"/></svg>',
    '<table background="https://tracker.example/p.gif"><tr><td>x</td></tr></table>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+">',
    '<img src="javascript:alert(1)">',
    '<img src="/api/v4/user">',
    '<img src="../../../../../user">',
    '<img src="%2e%2e/%2e%2e/%2e%2e/user">',
    '<img src="a%2F..%2F..%2F..%2Fuser">',
  ];
  const LINK = /<a href="[^"<>]*" rel="nofollow noopener noreferrer">/g;

  it("turn remote images into links, drop other images, and keep only a version's own files as images", async () => {
    // A project of its own: the files uploaded here must not show in the registry project's packages.
    const cardProject = (await t.createProject(dev.token, 'card-images')).id;
    await t.addMember(cardProject, reporter.id, 20);
    const cardApi = (path: string) => `/api/v4/projects/${cardProject}/ml${path}`;
    const id = (await call('POST', cardApi('/models'), dev.token, { name: 'tracked-card' })).json().id as number;
    const version = (await call('POST', cardApi(`/models/${id}/versions`), dev.token, {})).json() as { id: number; version: number };
    const files = `/api/v4/projects/${cardProject}/packages/ml_models/${version.id}/files/`;
    for (const payload of [...trackers, ...payloads]) {
      const model = await call('PUT', cardApi(`/models/${id}`), dev.token, { description: payload, card: { evaluation_metrics: payload } });
      const versionCard = await call('PUT', cardApi(`/models/${id}/versions/${version.version}`), dev.token, { description: payload });
      expect(model.statusCode, payload).toBe(200);
      expect(versionCard.statusCode, versionCard.body).toBe(200);
      for (const html of [model.json().card.description_html, model.json().card.fields_html.evaluation_metrics, versionCard.json().card.description_html]) {
        // The only remote address left is a link's, which the reader must choose to follow.
        expect(html.replace(LINK, ''), payload).not.toContain('tracker.example');
        for (const img of html.match(/<img[^>]*>/g) ?? []) expect(img, payload).toMatch(new RegExp(`^<img src="${files}[^"]+"`));
        expect(html, payload).not.toMatch(/srcset|poster|background|<video|<audio|<source|<link|<input|<svg|<image|style=/i);
        expect(html, payload).not.toMatch(/\son\w+\s*=|javascript:|data:/i);
      }
      expect(model.json().card.description_html, payload).not.toContain('<img');
    }

    const pixel = await call('PUT', cardApi(`/models/${id}`), dev.token, { description: 'Read me ![pixel](https://tracker.example/p.gif?reader=1) and //x' });
    expect(pixel.json().card.description_html).toContain('<a href="https://tracker.example/p.gif?reader=1" rel="nofollow noopener noreferrer">image: pixel</a>');
    const relative = await call('PUT', cardApi(`/models/${id}`), dev.token, { description: '![ROC curve](plots/roc.png)' });
    expect(relative.json().card.description_html).toBe('<p><span>image: ROC curve</span></p>\n');

    const upload = await t.call({ method: 'PUT', url: `${files}plots/roc.png`, token: dev.token, payload: Buffer.from('PNG!'), headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.statusCode, upload.body).toBe(201);
    const own = await call('PUT', cardApi(`/models/${id}/versions/${version.version}`), dev.token, { description: '![ROC curve](plots/roc.png) ![again](./plots/../plots/roc.png)' });
    const html = own.json().card.description_html as string;
    expect(html).toContain(`<img src="${files}plots/roc.png" alt="ROC curve" />`);
    expect(html).toContain(`<img src="${files}plots/roc.png" alt="again" />`);
    const image = await t.call({ method: 'GET', url: `${files}plots/roc.png`, token: reporter.token });
    expect(image.statusCode).toBe(200);
    expect(image.body).toBe('PNG!');
  });

  it('keep structured fields and refuse unknown ones', async () => {
    const id = await newModel('structured-card');
    const res = await call('PUT', api(`/models/${id}`), dev.token, { card: { intended_use: 'Fraud scoring', license: 'Apache-2.0' } });
    expect(res.json().card.fields).toEqual({ intended_use: 'Fraud scoring', license: 'Apache-2.0' });
    expect((await call('PUT', api(`/models/${id}`), dev.token, { card: { favourite_colour: 'blue' } })).statusCode).toBe(400);
  });
});

describe('lineage, files and card filling', () => {
  it('returns version → run → experiment, params, metrics, datasets, commit and CI job in one call', async () => {
    const experimentId = (await call('POST', mlflow('experiments/create'), dev.token, { name: 'lineage-exp' })).json().experiment_id;
    const run = (
      await call('POST', mlflow('runs/create'), dev.token, {
        experiment_id: experimentId,
        tags: [
          { key: 'mlflow.source.git.commit', value: 'abc123' },
          { key: 'gitlab.CI_JOB_ID', value: '42' },
        ],
      })
    ).json().run.info.run_id;
    await call('POST', mlflow('runs/log-batch'), dev.token, { run_id: run, params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'auc', value: 0.93, timestamp: 1, step: 3 }] });
    await call('POST', mlflow('runs/log-inputs'), dev.token, {
      run_id: run,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'cards', digest: 'd1', source_type: 's3', source: '{"uri": "s3://b/cards"}' } }],
    });
    const id = await newModel('lineage-model');
    const version = await newVersion(id, { source: `runs:/${run}/model`, run_id: run });
    expect(version.statusCode, version.body).toBe(201);
    const lineage = (await call('GET', api(`/models/${id}/versions/1/lineage`), reporter.token)).json();
    expect(lineage).toMatchObject({
      model: { name: 'lineage-model' },
      version: { version: 1, semver: '1.0.0' },
      run: { id: run, params: { lr: '0.1' }, metrics: [{ key: 'auc', value: 0.93 }] },
      experiment: { name: 'lineage-exp' },
      git_commit: 'abc123',
      ci_job_id: 42,
      datasets: [{ name: 'cards', digest: 'd1' }],
    });
    const reverse = (await call('GET', api(`/runs/${run}/model_versions`), reporter.token)).json();
    expect(reverse).toMatchObject([{ model_name: 'lineage-model', version: 1 }]);
    const filled = (await call('POST', api(`/models/${id}/versions/1/card/fill`), dev.token)).json();
    expect(filled.card.fields.evaluation_metrics).toContain('| auc | 0.93 | 3 |');
    expect(filled.card.fields.training_data).toContain('**cards**');
    expect(filled.card.fields.training_data).toContain('abc123');
    const uri = (await call('GET', mlflow(`model-versions/get-download-uri?name=lineage-model&version=1`), reporter.token)).json();
    expect(uri.artifact_uri).toMatch(new RegExp(`^mlflow-artifacts:/\\d+/${run}/artifacts/model$`));
  });

  it("keeps a version's uploaded files as an ml_model package", async () => {
    const id = await newModel('files-model');
    const version = (await newVersion(id)).json();
    const put = await t.call({
      method: 'PUT',
      url: `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/weights/model.bin`,
      token: dev.token,
      payload: Buffer.from('weights!'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.statusCode).toBe(201);
    expect(put.json().file_name).toBe('weights/model.bin');
    const get = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/weights/model.bin`, token: reporter.token });
    expect(get.body).toBe('weights!');
    const packages = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/packages?package_type=ml_model`, token: reporter.token })).json();
    expect(packages).toMatchObject([{ name: 'files-model', version: '1.0.0', package_type: 'ml_model' }]);
    const traversal = await t.call({
      method: 'PUT',
      url: `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/a%2F..%2F..%2Fx`,
      token: dev.token,
      payload: 'x',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(traversal.statusCode).toBe(400);
    // An empty file, sent with no body, is stored as one.
    const empty = await t.app.inject({ method: 'PUT', url: `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/empty.txt`, headers: { 'private-token': dev.token } });
    expect(empty.statusCode, empty.body).toBe(201);
    expect(empty.json()).toMatchObject({ file_name: 'empty.txt', size: 0, file_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
    const back = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/empty.txt`, token: reporter.token });
    expect(back.statusCode).toBe(200);
    expect(back.rawPayload.length).toBe(0);
  });
});

describe('MLflow registry protocol', () => {
  it('searches, gets latest versions per stage, tags and transitions', async () => {
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'mlflow-reg', tags: [{ key: 'team', value: 'risk' }] });
    for (let i = 0; i < 3; i++) await call('POST', mlflow('model-versions/create'), dev.token, { name: 'mlflow-reg', source: '' });
    await call('POST', mlflow('model-versions/transition-stage'), dev.token, { name: 'mlflow-reg', version: '2', stage: 'Production', archive_existing_versions: true });
    const latest = (await call('POST', mlflow('registered-models/get-latest-versions'), dev.token, { name: 'mlflow-reg', stages: ['Production', 'None'] })).json().model_versions;
    expect(latest.map((v: { version: string; current_stage: string }) => [v.version, v.current_stage])).toEqual([
      ['2', 'Production'],
      ['3', 'None'],
    ]);
    const found = (await call('GET', mlflow(`registered-models/search?filter=${encodeURIComponent("tags.team = 'risk'")}`), dev.token)).json();
    expect(found.registered_models.map((m: { name: string }) => m.name)).toEqual(['mlflow-reg']);
    const versions = (await call('GET', mlflow(`model-versions/search?filter=${encodeURIComponent("name = 'mlflow-reg' AND version_number >= 2")}`), dev.token)).json();
    // MLflow's default order: the most recently updated first (version 2 was transitioned last).
    expect(versions.model_versions.map((v: { version: string }) => v.version)).toEqual(['2', '3']);
    const byNumber = (await call('GET', mlflow(`model-versions/search?filter=${encodeURIComponent("name = 'mlflow-reg'")}&order_by=version_number%20DESC`), dev.token)).json();
    expect(byNumber.model_versions.map((v: { version: string }) => v.version)).toEqual(['3', '2', '1']);
    expect((await call('GET', mlflow('registered-models/get?name=missing-model'), dev.token)).json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await call('POST', mlflow('registered-models/create'), dev.token, { name: 'mlflow-reg' })).json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await call('POST', mlflow('registered-models/create'), dev.token, { name: 'bad/name' })).statusCode).toBe(400);
    // Another store's URI is stored as MLflow stores it; a host the server would connect to is not.
    expect((await call('POST', mlflow('model-versions/create'), dev.token, { name: 'mlflow-reg', source: 's3://elsewhere/model' })).statusCode).toBe(200);
    expect((await call('POST', mlflow('model-versions/create'), dev.token, { name: 'mlflow-reg', source: 'http://169.254.169.254/model' })).statusCode).toBe(400);
    expect((await call('POST', mlflow('registered-models/create'), reporter.token, { name: 'nope' })).statusCode).toBe(403);
  });

  it("filters models and versions by tag, where `!=` also matches those without the tag (the client's prompt filter)", async () => {
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'tagfilter-prompt', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'tagfilter-model', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'false' }] });
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'tagfilter-untagged' });
    for (const name of ['tagfilter-prompt', 'tagfilter-model', 'tagfilter-untagged']) {
      const tags = name === 'tagfilter-untagged' ? [] : [{ key: 'stage-gate', value: name === 'tagfilter-prompt' ? 'open' : 'closed' }];
      expect((await call('POST', mlflow('model-versions/create'), dev.token, { name, source: '', tags })).statusCode).toBe(200);
    }
    const models = async (filter: string) =>
      ((await call('GET', mlflow(`registered-models/search?filter=${encodeURIComponent(filter)}`), dev.token)).json().registered_models ?? []).map((m: { name: string }) => m.name).sort();
    expect(await models("name LIKE 'tagfilter-%' AND tags.`mlflow.prompt.is_prompt` != 'true'")).toEqual(['tagfilter-model', 'tagfilter-untagged']);
    expect(await models("name LIKE 'tagfilter-%' AND tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual(['tagfilter-prompt']);
    const versions = async (filter: string) =>
      ((await call('GET', mlflow(`model-versions/search?filter=${encodeURIComponent(filter)}`), dev.token)).json().model_versions ?? []).map((v: { name: string }) => v.name).sort();
    expect(await versions("name LIKE 'tagfilter-%' AND tags.`stage-gate` != 'open'")).toEqual(['tagfilter-model', 'tagfilter-untagged']);
    expect(await versions("name LIKE 'tagfilter-%' AND tags.`stage-gate` LIKE 'clo%'")).toEqual(['tagfilter-model']);
  });

  it("answers a missing model or version tag with TAG_NOT_FOUND's registry wording, the key alone", async () => {
    await call('POST', mlflow('registered-models/create'), dev.token, { name: 'untagged-reg' });
    await call('POST', mlflow('model-versions/create'), dev.token, { name: 'untagged-reg', source: '' });
    const onModel = await call('DELETE', mlflow('registered-models/delete-tag'), dev.token, { name: 'untagged-reg', key: 'absent' });
    expect([onModel.statusCode, onModel.json()]).toEqual([404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "No tag with key 'absent'" }]);
    const onVersion = await call('DELETE', mlflow('model-versions/delete-tag'), dev.token, { name: 'untagged-reg', version: '1', key: 'absent' });
    expect([onVersion.statusCode, onVersion.json()]).toEqual([404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "No tag with key 'absent'" }]);
  });

  it('is admin-visible through the project token too', async () => {
    expect((await call('GET', mlflow('registered-models/search'), ADMIN_TOKEN)).statusCode).toBe(200);
  });
});
