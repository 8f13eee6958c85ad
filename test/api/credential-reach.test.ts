import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner, createProjectBot, startJob } from '../support/credentials.ts';

/**
 * The red team's requests, replayed: what a running CI job's token, a project bot and a guest
 * may do (docs/permissions.md, "Credential kinds"). A job token reaches the job-token list in
 * its own project only, never an instance API, whoever the pipeline runs for; approvals are a
 * person's act; a member never has less than a non-member reader.
 */
let t: TestApp;
let maintainer: TestUser;
let developer: TestUser;
let guest: TestUser;
let outsider: TestUser;
let admin: TestUser;
let projectId: number;
let runnerToken: string;

beforeAll(async () => {
  t = await startTestApp();
  maintainer = await t.createUser('reach-maintainer');
  developer = await t.createUser('reach-developer');
  guest = await t.createUser('reach-guest');
  outsider = await t.createUser('reach-outsider');
  admin = await t.createUser('reach-admin', { admin: true });
  projectId = (await t.createProject(maintainer.token, 'reach')).id;
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, guest.id, 10);
  runnerToken = await createInstanceRunner(t);
});
afterAll(async () => t?.close());

const asJob = (token: string) => ({ 'job-token': token });

async function tokensOf(userId: number): Promise<number> {
  const rows = await t.services.database.db.selectFrom('tokens').select('id').where('user_id', '=', userId).where('kind', '=', 'personal').execute();
  return rows.length;
}

describe('a CI job token', () => {
  it("cannot mint a personal access token for the pipeline's user, in any header form", async () => {
    const job = await startJob(t, projectId, runnerToken, developer.token);
    const before = await tokensOf(developer.id);
    const body = { name: 'x', scopes: ['api'] };
    for (const headers of [asJob(job.token), { authorization: `Bearer ${job.token}` }, { authorization: `Basic ${Buffer.from(`gitlab-ci-token:${job.token}`).toString('base64')}` }]) {
      const res = await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', headers, payload: body });
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().message).toMatch(/CI job token cannot use this API/);
    }
    expect(await tokensOf(developer.id)).toBe(before);
    const audited = await t.services.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'authorization.credential_not_allowed').execute();
    expect(audited).toHaveLength(3);
    expect(audited[0]).toMatchObject({ project_id: projectId, target_id: 'POST /api/v4/user/personal_access_tokens' });
    expect(JSON.parse(audited[0]!.details)).toMatchObject({ ability: 'user:tokens-write', credential: 'job_token', job_id: job.id });
  });

  it("of an administrator's pipeline gets none of the administrator's instance rights", async () => {
    const job = await startJob(t, projectId, runnerToken, admin.token);
    const victimToken = (await t.services.tokens.create({ userId: developer.id, kind: 'personal' }, { name: 'victim', scopes: ['api'] }, null)).row.id;
    const usersBefore = (await t.services.database.db.selectFrom('users').select('id').execute()).length;
    const refused: [string, string, unknown?][] = [
      ['POST', '/api/v4/users', { username: 'minted', password: 'minted-password', admin: true }],
      ['POST', `/api/v4/users/${developer.id}/personal_access_tokens`, { name: 'x', scopes: ['api'] }],
      ['POST', '/api/v4/user/personal_access_tokens', { name: 'x', scopes: ['api'] }],
      ['GET', '/api/v4/audit_events'],
      ['GET', '/api/v4/users'],
      ['GET', `/api/v4/users/${developer.id}`],
      ['GET', `/api/v4/personal_access_tokens?user_id=${developer.id}`],
      ['GET', '/api/v4/personal_access_tokens'],
      ['GET', `/api/v4/personal_access_tokens/${victimToken}`],
      ['DELETE', `/api/v4/personal_access_tokens/${victimToken}`],
      ['GET', '/api/v4/runners'],
      ['POST', '/api/v4/user/runners', { runner_type: 'instance_type' }],
      ['GET', '/api/v4/user'],
      ['GET', '/api/v4/projects'],
      ['POST', '/api/v4/projects', { name: 'x', path: 'x' }],
    ];
    for (const [method, url, payload] of refused) {
      const res = await t.call({ method: method as 'GET', url, headers: asJob(job.token), ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
    }
    expect((await t.services.database.db.selectFrom('users').select('id').execute()).length).toBe(usersBefore);
    expect((await t.services.tokens.getById(victimToken)).revoked_at).toBeNull();
    // In its own project it is not an admin either: the project shows no admin flag and settings stay closed.
    const project = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, headers: asJob(job.token) });
    expect(project.json().permissions.is_admin).toBe(false);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/variables`, headers: asJob(job.token) })).statusCode).toBe(403);
  });

  it('still does what the bundled pipeline templates do: MLflow, the registry, evaluations, packages', async () => {
    const job = await startJob(t, projectId, runnerToken, developer.token);
    const mlflow = (endpoint: string, body: unknown) =>
      t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`, headers: asJob(job.token), payload: body as Record<string, unknown> });
    expect((await mlflow('registered-models/create', { name: 'from-ci' })).statusCode).toBe(200);
    expect((await mlflow('model-versions/create', { name: 'from-ci', source: 'mlflow-artifacts:/x' })).statusCode).toBe(200);
    const models = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/models?search=from-ci&per_page=100`, headers: asJob(job.token) });
    expect(models.statusCode).toBe(200);
    const modelId = (models.json() as { id: number; name: string }[]).find((m) => m.name === 'from-ci')!.id;
    const evaluation = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/evaluations`,
      headers: asJob(job.token),
      payload: { metrics: { accuracy: 0.95 } },
    });
    expect(evaluation.statusCode, evaluation.body).toBe(201);
    const pkg = await t.call({
      method: 'PUT',
      url: `/api/v4/projects/${projectId}/packages/generic/model/1.0.0/w.bin`,
      headers: { ...asJob(job.token), 'content-type': 'application/octet-stream' },
      payload: Buffer.from('w'),
    });
    expect(pkg.statusCode).toBe(201);
  });
});

describe('approvals', () => {
  async function pendingVersion(name: string): Promise<number> {
    const created = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, token: developer.token, payload: { name } });
    const modelId = created.json().id as number;
    await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, token: developer.token, payload: {} });
    const requested = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/approval_requests`, token: developer.token, payload: {} });
    expect(requested.statusCode).toBe(201);
    return modelId;
  }

  it("are a person's act: no job token (even a maintainer's) and no project bot approves or rejects", async () => {
    const modelId = await pendingVersion('needs-approval');
    const version = `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1`;
    const job = await startJob(t, projectId, runnerToken, maintainer.token);
    const bot = await createProjectBot(t, projectId, 40, ['api']);
    for (const decision of ['approve', 'reject']) {
      expect((await t.call({ method: 'POST', url: `${version}/${decision}`, headers: asJob(job.token), payload: {} })).statusCode).toBe(403);
      expect((await t.call({ method: 'POST', url: `${version}/${decision}`, token: bot.token, payload: {} })).statusCode).toBe(403);
    }
    expect((await t.call({ method: 'GET', url: version, token: maintainer.token })).json().approval_status).toBe('pending');
    // Nor the rest of registry maintenance, which a maintainer's pipeline would otherwise hand to any developer's code.
    expect((await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/registry/settings`, headers: asJob(job.token), payload: { required_approvals: 1 } })).statusCode).toBe(403);
    const approved = await t.call({ method: 'POST', url: `${version}/approve`, token: maintainer.token, payload: {} });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().approval_status).toBe('approved');
  });

  it("keep protected aliases out of a maintainer's pipeline", async () => {
    const modelId = await pendingVersion('protected-alias');
    await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/registry/settings`, token: maintainer.token, payload: { protected_aliases: ['production'] } });
    const job = await startJob(t, projectId, runnerToken, maintainer.token);
    const moved = await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/aliases/production`, headers: asJob(job.token), payload: { version: 1 } });
    expect(moved.statusCode).toBe(403);
    expect((await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/aliases/production`, token: maintainer.token, payload: { version: 1 } })).statusCode).toBe(200);
  });
});

describe('a project bot', () => {
  it('creates no project, and the refusal writes nothing', async () => {
    const bot = await createProjectBot(t, projectId, 40, ['api']);
    const res = await t.call({ method: 'POST', url: '/api/v4/projects', token: bot.token, payload: { name: 'x', path: 'x' } });
    expect(res.statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v4/projects/x', token: ADMIN_TOKEN })).statusCode).toBe(404);
  });

  it('reads itself as in GitLab, and no other instance API', async () => {
    const bot = await createProjectBot(t, projectId, 40, ['api']);
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: bot.token })).json()).toMatchObject({ id: bot.userId, bot: true });
    expect((await t.call({ method: 'GET', url: '/api/v4/personal_access_tokens/self', token: bot.token })).statusCode).toBe(200);
    for (const url of ['/api/v4/users', '/api/v4/personal_access_tokens', '/api/v4/runners', '/api/v4/audit_events']) {
      expect((await t.call({ method: 'GET', url, token: bot.token })).statusCode, url).toBe(403);
    }
    expect((await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token: bot.token, payload: { name: 'x', scopes: ['api'] } })).statusCode).toBe(403);
  });
});

describe('a job token of a project (as the red team sent it)', () => {
  it('creates no project either', async () => {
    const job = await startJob(t, projectId, runnerToken, developer.token);
    const res = await t.call({ method: 'POST', url: '/api/v4/projects', headers: asJob(job.token), payload: { name: 'y', path: 'y' } });
    expect(res.statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v4/projects/y', token: ADMIN_TOKEN })).statusCode).toBe(404);
  });
});

describe('roles are monotonic', () => {
  it('gives a guest of an internal project at least what a signed-in outsider reads', async () => {
    const internal = (await t.createProject(maintainer.token, 'reach-internal', 'internal')).id;
    await t.addMember(internal, guest.id, 10);
    const api = `/api/v4/projects/${internal}`;
    const pkg = await t.call({
      method: 'PUT',
      url: `${api}/packages/generic/tool/1.0.0/tool.bin`,
      token: maintainer.token,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from('tool'),
    });
    expect(pkg.statusCode).toBe(201);
    const job = await startJob(t, internal, runnerToken, maintainer.token);
    await t.call({ method: 'PATCH', url: `/api/v4/jobs/${job.id}/trace`, headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': '0-5' }, payload: 'hello\n' });
    const urls = [`${api}/packages`, `${api}/packages/generic/tool/1.0.0/tool.bin`, `${api}/pipelines`, `${api}/jobs/${job.id}`, `${api}/jobs/${job.id}/trace`, `${api}/ci/config`];
    for (const url of urls) {
      const asOutsider = await t.call({ method: 'GET', url, token: outsider.token });
      const asGuest = await t.call({ method: 'GET', url, token: guest.token });
      expect(asOutsider.statusCode, `outsider ${url}`).toBe(200);
      expect(asGuest.statusCode, `guest ${url}: ${asGuest.body}`).toBe(200);
    }
  });

  it('gives a guest of a public project at least what an anonymous reader gets', async () => {
    const open = (await t.createProject(maintainer.token, 'reach-public', 'public')).id;
    await t.addMember(open, guest.id, 10);
    await t.call({ method: 'PUT', url: `/api/v4/projects/${open}/ci/config`, token: maintainer.token, payload: { content: 'job:\n  script: [echo]\n' } });
    for (const url of [`/api/v4/projects/${open}/packages`, `/api/v4/projects/${open}/pipelines`, `/api/v4/projects/${open}/ci/config`]) {
      expect((await t.call({ method: 'GET', url })).statusCode, url).toBe(200);
      expect((await t.call({ method: 'GET', url, token: guest.token })).statusCode, url).toBe(200);
    }
  });

  it('still keeps guests of a private project out of packages and pipelines', async () => {
    for (const url of [`/api/v4/projects/${projectId}/packages`, `/api/v4/projects/${projectId}/pipelines`]) {
      expect((await t.call({ method: 'GET', url, token: guest.token })).statusCode, url).toBe(403);
    }
  });
});
