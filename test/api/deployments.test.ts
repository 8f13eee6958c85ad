import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner, createProjectBot } from '../support/credentials.ts';
import { modelWithVersions } from '../support/serving.ts';

/**
 * The deployments API in GitLab's shapes: environments, deployments, protected environments
 * and approvals, the production-approval setting, the validation of every policy, and what a
 * policy change leaves behind (events, audit entries, and nothing at all when it fails).
 */
let t: TestApp;
let projectId: number;
let modelId: number;
let maintainer: TestUser;
let otherMaintainer: TestUser;
let developer: TestUser;
let reporter: TestUser;

const api = (path: string) => `/api/v4/projects/${projectId}${path}`;
const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string, payload?: Record<string, unknown>) => t.call({ method, url: api(path), token, ...(payload ? { payload } : {}) });

async function count(table: 'deployments' | 'environments' | 'events'): Promise<number> {
  return (
    await t.services.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n;
}

beforeAll(async () => {
  t = await startTestApp();
  maintainer = await t.createUser('dep-maintainer');
  otherMaintainer = await t.createUser('dep-maintainer-2');
  developer = await t.createUser('dep-developer');
  reporter = await t.createUser('dep-reporter');
  projectId = (await t.createProject(maintainer.token, 'deploying')).id;
  await t.addMember(projectId, otherMaintainer.id, 40);
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, reporter.id, 20);
  modelId = await modelWithVersions(t, projectId, 'churn', 3, maintainer.token);
  await t.call({ method: 'PUT', url: api(`/ml/models/${modelId}/aliases/champion`), token: maintainer.token, payload: { version: 2 } });
});

afterAll(async () => t?.close());

describe('environments', () => {
  it("are GitLab's: created with a tier guessed from the name, listed, changed, stopped, then deleted", async () => {
    const created = await call('POST', '/environments', maintainer.token, { name: 'prod-eu', external_url: 'https://churn.example', agent_labels: ['gpu'] });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'prod-eu',
      slug: 'prod-eu',
      tier: 'production',
      state: 'available',
      external_url: 'https://churn.example',
      agent_labels: ['gpu'],
      timeout_ms: 30000,
      current_deployment_id: null,
    });
    expect(created.json().serving_url).toBe(`http://modelyard.test/serving/${projectId}/prod-eu`);
    expect((await call('POST', '/environments', maintainer.token, { name: 'prod-eu' })).statusCode).toBe(409);
    expect((await call('POST', '/environments', developer.token, { name: 'dev-made' })).statusCode).toBe(403);
    expect((await call('POST', '/environments', maintainer.token, { name: '/leading-slash' })).statusCode).toBe(400);
    const id = created.json().id as number;
    const detail = await call('GET', `/environments/${id}`, reporter.token);
    expect(detail.json()).toMatchObject({ last_deployment: null, current_deployment: null, health: { status: 'no_deployment' } });
    const list = await call('GET', '/environments?search=prod', reporter.token);
    expect(list.headers['x-total']).toBe('1');
    const changed = await call('PUT', `/environments/${id}`, maintainer.token, { timeout_ms: 2000, tier: 'staging' });
    expect(changed.json()).toMatchObject({ timeout_ms: 2000, tier: 'staging' });
    const renamed = await call('PUT', `/environments/${id}`, maintainer.token, { name: 'other' });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().message).toMatch(/name cannot change/);
    const refused = await call('DELETE', `/environments/${id}`, maintainer.token);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/stop it before deleting it/);
    expect((await call('POST', `/environments/${id}/stop`, developer.token, {})).json().state).toBe('stopped');
    expect((await call('DELETE', `/environments/${id}`, maintainer.token)).statusCode).toBe(204);
    expect((await call('GET', `/environments/${id}`, reporter.token)).statusCode).toBe(404);
  });
});

describe('deploying', () => {
  it('makes the environment, resolves version numbers, semantic versions and aliases, and records events and audit entries', async () => {
    const eventsBefore = await count('events');
    const first = await call('POST', '/deployments', developer.token, { environment: 'staging', model: 'churn', version: '1', reason: 'first model' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      iid: 1,
      status: 'running',
      ref: 'main',
      user: { username: 'dep-developer' },
      deployable: null,
      environment: { name: 'staging', tier: 'staging' },
      variants: [{ name: 'stable', model: { id: modelId, name: 'churn' }, version: { version: 1, semver: '1.0.0' }, weight: 100, role: 'live', shadow_share: 0 }],
      policy: { kind: 'single' },
      reason: 'first model',
      rollback_of: null,
      previous_deployment_id: null,
      approvals: [],
      pending_approval_count: 0,
    });
    const bySemver = await call('POST', '/deployments', developer.token, { environment: 'staging', model: 'churn', version: '1.0.2' });
    expect(bySemver.json().variants[0].version.version).toBe(3);
    expect(bySemver.json().previous_deployment_id).toBe(first.json().id);
    const byAlias = await call('POST', '/deployments', developer.token, { environment: 'staging', model: 'churn', version: 'champion' });
    expect(byAlias.json().variants[0].version.version).toBe(2);
    const types = (await t.services.database.db.selectFrom('events').select('type').where('id', '>', eventsBefore).execute()).map((e) => e.type);
    expect(types.filter((type) => type === 'deployments.deployment.created')).toHaveLength(3);
    expect(types).toContain('deployments.environment.created');
    const audit = await call('GET', '/audit_events?per_page=100', maintainer.token);
    const entry = audit.json().find((a: { action: string; target_id: string }) => a.action === 'deployments.deployment.created' && a.target_id === String(first.json().id));
    expect(entry).toMatchObject({ author_name: 'dep-developer', details: { environment: 'staging', reason: 'first model', policy: { kind: 'single' }, variants: ['stable=churn@1.0.0:100%'] } });
    const listed = await call('GET', '/deployments?environment=staging&sort=desc&per_page=2', reporter.token);
    expect(listed.json().map((d: { iid: number }) => d.iid)).toEqual([3, 2]);
    expect(listed.headers['x-total']).toBe('3');
    const where = await call('GET', `/ml/models/${modelId}/versions/2/deployments`, reporter.token);
    expect(where.json()).toEqual([
      {
        environment: { id: first.json().environment.id, name: 'staging', tier: 'staging' },
        environment_state: 'available',
        deployment_id: byAlias.json().id,
        deployment_status: 'running',
        variant: 'stable',
        role: 'live',
        weight: 100,
        since: byAlias.json().created_at,
      },
    ]);
  });

  it('says since when a version runs in an environment: from the first of the unbroken run of deployments that ship it', async () => {
    const deploy = (version: string, policy?: Record<string, unknown>) =>
      call('POST', '/deployments', developer.token, { environment: 'since-env', model: 'churn', version, ...(policy ? { policy } : {}) });
    const pause = () => new Promise((r) => setTimeout(r, 5));
    const one = await deploy('1');
    await pause();
    const two = await deploy('2');
    await pause();
    // A canary of 3 keeps version 2 as the stable variant: version 2 runs there since `two`.
    const canary = await deploy('3', { kind: 'canary', steps: [20, 100] });
    expect(canary.statusCode, canary.body).toBe(201);
    const of = async (version: number) =>
      (await call('GET', `/ml/models/${modelId}/versions/${version}/deployments`, reporter.token)).json().filter((d: { environment: { name: string } }) => d.environment.name === 'since-env');
    expect(await of(2)).toMatchObject([{ deployment_id: canary.json().id, variant: 'stable', weight: 80, since: two.json().created_at }]);
    expect(await of(3)).toMatchObject([{ deployment_id: canary.json().id, variant: 'canary', weight: 20, since: canary.json().created_at }]);
    // Version 1 ran there, then stopped: it is not listed, and coming back starts afresh.
    expect(await of(1)).toEqual([]);
    expect(one.json().created_at).not.toBe(two.json().created_at);
  });

  it('refuses bad requests with a message and writes nothing', async () => {
    const deployments = await count('deployments');
    const environments = await count('environments');
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ environment: 'bad', model: 'churn', version: '9' }, 404, /Model version 9 of churn not found/],
      [{ environment: 'bad', model: 'churn', version: '4.0.0' }, 404, /Model version 4\.0\.0 of churn not found/],
      [{ environment: 'bad', model: 'churn', version: 'no-such-alias' }, 404, /not found/],
      [{ environment: 'bad', model: 'nope', version: '1' }, 404, /nope/],
      [{ environment: 'bad', model: 'churn' }, 400, /one live version/],
      [
        {
          environment: 'bad',
          policy: { kind: 'ab' },
          variants: [
            { model: 'churn', version: 1, weight: 60 },
            { model: 'churn', version: 2, weight: 30 },
          ],
        },
        400,
        /sum to 90, not 100/,
      ],
      [{ environment: 'bad', policy: { kind: 'ab' }, variants: [{ model: 'churn', version: 1, weight: 100 }] }, 400, /at least two live variants/],
      [
        {
          environment: 'bad',
          policy: { kind: 'ab' },
          variants: [
            { model: 'churn', version: 1, weight: 50 },
            { model: 'churn', version: 2 },
          ],
        },
        400,
        /give every live variant its weight/,
      ],
      [{ environment: 'bad', model: 'churn', version: '2', policy: { kind: 'canary' } }, 400, /starts from a single deployment/],
      [{ environment: 'bad', model: 'churn', version: '1', policy: { kind: 'canary', steps: [50, 10, 100] } }, 400, /steps must rise/],
      [{ environment: 'bad', model: 'churn', version: '1', policy: { kind: 'canary', steps: [10, 50] } }, 400, /last canary step must be 100/],
      [{ environment: 'bad', model: 'churn', version: '1', variants: [{ version: 2, role: 'shadow' }] }, 400, /needs shadow_share/],
      [{ environment: 'bad', model: 'churn', version: '1', variants: [{ version: 2, role: 'shadow', shadow_share: 10, weight: 10 }] }, 400, /weight must be 0/],
      [{ environment: 'bad', model: 'churn', version: '1', surprise: true }, 400, /unknown field "surprise"/],
      [{ environment: 'staging', model: 'churn', version: '2', policy: { kind: 'canary' } }, 400, /version 2 is the stable version already/],
    ];
    for (const [payload, status, message] of cases) {
      const res = await call('POST', '/deployments', developer.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().message, JSON.stringify(payload)).toMatch(message);
    }
    expect(await count('deployments')).toBe(deployments);
    expect(await count('environments')).toBe(environments);
  });

  it('is one transaction: a failure half way leaves no environment, deployment or event', async () => {
    const before = { deployments: await count('deployments'), environments: await count('environments'), events: await count('events') };
    const rollouts = t.services.deployments.rollouts;
    const original = rollouts.lineageFor.bind(rollouts);
    rollouts.lineageFor = async () => {
      throw new Error('injected failure after the environment was written');
    };
    try {
      const res = await call('POST', '/deployments', developer.token, { environment: 'half-way', model: 'churn', version: '1' });
      expect(res.statusCode).toBe(500);
    } finally {
      rollouts.lineageFor = original;
    }
    expect({ deployments: await count('deployments'), environments: await count('environments'), events: await count('events') }).toEqual(before);
  });

  it('lets only registry-approved versions reach a production-tier environment when the project says so', async () => {
    expect((await call('GET', '/deployment_settings', reporter.token)).json()).toEqual({ require_approved_versions_in_production: false });
    expect((await call('PUT', '/deployment_settings', developer.token, { require_approved_versions_in_production: true })).statusCode).toBe(403);
    const set = await call('PUT', '/deployment_settings', maintainer.token, { require_approved_versions_in_production: true });
    expect(set.json()).toEqual({ require_approved_versions_in_production: true });
    const refused = await call('POST', '/deployments', developer.token, { environment: 'production', model: 'churn', version: '1' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/not approved in the registry \(its approval status is none\).*production-tier environment such as production/);
    // Other tiers are not concerned.
    expect((await call('POST', '/deployments', developer.token, { environment: 'qa', model: 'churn', version: '1' })).statusCode).toBe(201);
    await call('POST', `/ml/models/${modelId}/versions/1/approval_requests`, developer.token, {});
    expect((await call('POST', `/ml/models/${modelId}/versions/1/approve`, maintainer.token, {})).statusCode).toBe(200);
    const allowed = await call('POST', '/deployments', developer.token, { environment: 'production', model: 'churn', version: '1' });
    expect(allowed.statusCode, allowed.body).toBe(201);
    expect(allowed.json().environment.tier).toBe('production');
    await call('PUT', '/deployment_settings', maintainer.token, { require_approved_versions_in_production: false });
  });
});

type TakenJob = { id: number; token: string; variables: { key: string; value: string }[] };

/** The instance runner's next job of this project (a job of another project it meets is skipped). */
async function takeJobOf(runner: string): Promise<TakenJob> {
  for (;;) {
    const taken = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runner, info: { version: 'test' } } });
    expect(taken.statusCode, taken.body).toBe(201);
    const job = taken.json() as TakenJob;
    if (job.variables.some((v) => v.key === 'CI_PROJECT_ID' && v.value === String(projectId))) return job;
  }
}

describe('deploying from a pipeline job', () => {
  it('lets a job token deploy only to the environment its job names, links the job as the deployable, and runs one job of a resource group at a time', async () => {
    const config =
      'deploy-review:\n  environment:\n    name: review/$CI_COMMIT_REF_SLUG\n    url: https://review.example\n    deployment_tier: testing\n  resource_group: review\n  script: [modelyard deploy]\n';
    expect((await call('PUT', '/ci/config', maintainer.token, { content: config })).statusCode).toBe(200);
    const runner = await createInstanceRunner(t);
    const pipeline = await call('POST', '/pipeline', developer.token, { ref: 'main' });
    expect(pipeline.statusCode, pipeline.body).toBe(201);
    const job = await takeJobOf(runner);
    const variable = (key: string) => job.variables.find((v) => v.key === key)?.value;
    expect([variable('CI_ENVIRONMENT_NAME'), variable('CI_ENVIRONMENT_SLUG'), variable('CI_ENVIRONMENT_TIER'), variable('CI_ENVIRONMENT_URL')]).toEqual([
      'review/main',
      'review-main',
      'testing',
      'https://review.example',
    ]);
    const asJob = (payload: Record<string, unknown>) => t.call({ method: 'POST', url: api('/deployments'), headers: { 'job-token': job.token }, payload });
    const elsewhere = await asJob({ environment: 'staging', model: 'churn', version: '1' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().message).toMatch(/review\/main/);
    const deployed = await asJob({ environment: 'review/main', model: 'churn', version: '1' });
    expect(deployed.statusCode, deployed.body).toBe(201);
    expect(deployed.json()).toMatchObject({
      user: { username: 'dep-developer' },
      deployable: { id: job.id, name: 'deploy-review', pipeline: { id: pipeline.json().id, ref: 'main' } },
      environment: { name: 'review/main', tier: 'testing' },
    });
    const env = (await call('GET', `/environments/${deployed.json().environment.id}`, reporter.token)).json();
    expect(env.external_url).toBe('https://review.example');
    // Approving is a person's act: the job token is refused.
    expect((await t.call({ method: 'POST', url: api(`/deployments/${deployed.json().id}/approval`), headers: { 'job-token': job.token }, payload: { status: 'approved' } })).statusCode).toBe(403);

    // resource_group: the next pipeline's deploy job waits while this one runs.
    expect((await call('POST', '/pipeline', developer.token, { ref: 'main' })).statusCode).toBe(201);
    const take = () => t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runner, info: { version: 'test' } } });
    expect((await take()).statusCode).toBe(204);
    const finished = await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'success' } });
    expect(finished.statusCode, finished.body).toBe(200);
    const next = await take();
    expect(next.statusCode, next.body).toBe(201);
    expect(next.json()).toMatchObject({ job_info: { name: 'deploy-review' } });
    expect(next.json().id).not.toBe(job.id);
  });
  it("makes the person who plays a manual deploy job its deployment's author: they cannot approve it, the pipeline's creator can", async () => {
    expect((await call('POST', '/protected_environments', maintainer.token, { name: 'prod-gated', deploy_access_levels: [{ access_level: 40 }], required_approval_count: 1 })).statusCode).toBe(201);
    // The protected environments below start from none.
    onTestFinished(async () => void (await call('DELETE', '/protected_environments/prod-gated', maintainer.token)));
    const config = 'deploy-prod:\n  environment:\n    name: prod-gated\n  when: manual\n  script: [modelyard deploy]\n';
    expect((await call('PUT', '/ci/config', maintainer.token, { content: config })).statusCode).toBe(200);
    const runner = await createInstanceRunner(t);
    const pipeline = await call('POST', '/pipeline', maintainer.token, { ref: 'main' });
    expect(pipeline.statusCode, pipeline.body).toBe(201);
    const [manual] = (await call('GET', `/pipelines/${pipeline.json().id}/jobs`, maintainer.token)).json() as { id: number; status: string }[];
    expect(manual!.status).toBe('manual');
    expect((await call('POST', `/jobs/${manual!.id}/play`, otherMaintainer.token, {})).statusCode).toBe(200);
    const job = await takeJobOf(runner);
    expect(job.id).toBe(manual!.id);
    const deployed = await t.call({ method: 'POST', url: api('/deployments'), headers: { 'job-token': job.token }, payload: { environment: 'prod-gated', model: 'churn', version: '1' } });
    expect(deployed.statusCode, deployed.body).toBe(201);
    expect(deployed.json()).toMatchObject({ status: 'blocked', user: { username: 'dep-maintainer-2' }, deployable: { id: job.id, name: 'deploy-prod' } });
    const id = deployed.json().id as number;
    const self = await call('POST', `/deployments/${id}/approval`, otherMaintainer.token, { status: 'approved' });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/cannot be approved by the user who triggered them/);
    const approved = await call('POST', `/deployments/${id}/approval`, maintainer.token, { status: 'approved' });
    expect(approved.statusCode, approved.body).toBe(201);
    expect((await call('GET', `/deployments/${id}`, reporter.token)).json()).toMatchObject({ status: 'running', deployable: { id: job.id } });
    expect((await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state: 'success' } })).statusCode).toBe(200);
  });
});

describe('protected environments', () => {
  it("answer in GitLab's shape and decide who deploys", async () => {
    const protectedEnv = await call('POST', '/protected_environments', maintainer.token, { name: 'production', deploy_access_levels: [{ access_level: 40 }], required_approval_count: 1 });
    expect(protectedEnv.statusCode, protectedEnv.body).toBe(201);
    expect(protectedEnv.json()).toEqual({
      name: 'production',
      deploy_access_levels: [{ id: 1, access_level: 40, access_level_description: 'Maintainers', user_id: null, group_id: null, group_inheritance_type: 0 }],
      required_approval_count: 1,
      approval_rules: [],
    });
    expect((await call('GET', '/protected_environments', maintainer.token)).json()).toHaveLength(1);
    expect((await call('GET', '/protected_environments/production', developer.token)).statusCode).toBe(403);
    expect((await call('POST', '/protected_environments', maintainer.token, { name: 'production', deploy_access_levels: [{ access_level: 40 }] })).statusCode).toBe(409);
    expect((await call('POST', '/protected_environments', maintainer.token, { name: 'x', deploy_access_levels: [{ group_id: 3 }] })).json().message).toMatch(/no groups/);
    const refused = await call('POST', '/deployments', developer.token, { environment: 'production', model: 'churn', version: '2' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/protected and you are not among those allowed to deploy/);
  });

  it('block a deployment until another person approves it; its author, a bot and a reporter cannot', async () => {
    const envBefore = (await call('GET', '/environments?name=production', maintainer.token)).json()[0];
    const blocked = await call('POST', '/deployments', maintainer.token, { environment: 'production', model: 'churn', version: '2' });
    expect(blocked.statusCode).toBe(201);
    expect(blocked.json()).toMatchObject({ status: 'blocked', pending_approval_count: 1, reason: 'deployed (waiting for 1 approval)' });
    const id = blocked.json().id as number;
    // Nothing switched: the environment still runs what it ran.
    expect((await call('GET', `/environments/${envBefore.id}`, maintainer.token)).json().current_deployment_id).toBe(envBefore.current_deployment_id);
    const self = await call('POST', `/deployments/${id}/approval`, maintainer.token, { status: 'approved' });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/cannot be approved by the user who triggered them/);
    const bot = await createProjectBot(t, projectId, 40, ['api']);
    expect((await call('POST', `/deployments/${id}/approval`, bot.token, { status: 'approved' })).statusCode).toBe(403);
    expect((await call('POST', `/deployments/${id}/approval`, reporter.token, { status: 'approved' })).statusCode).toBe(403);
    expect((await call('POST', `/deployments/${id}/approval`, developer.token, { status: 'approved' })).json().message).toMatch(/protection rules of production do not let you approve/);
    const approved = await call('POST', `/deployments/${id}/approval`, otherMaintainer.token, { status: 'approved', comment: 'ship it' });
    expect(approved.statusCode, approved.body).toBe(201);
    expect(approved.json()).toMatchObject({ user: { username: 'dep-maintainer-2' }, status: 'approved', comment: 'ship it' });
    const after = (await call('GET', `/deployments/${id}`, maintainer.token)).json();
    expect(after).toMatchObject({
      status: 'running',
      pending_approval_count: 0,
      approvals: [{ user: { username: 'dep-maintainer-2' }, status: 'approved' }],
      reason: 'deployed (approved by dep-maintainer-2)',
    });
    expect((await call('GET', `/environments/${envBefore.id}`, maintainer.token)).json().current_deployment_id).toBe(id);
    expect((await call('POST', `/deployments/${id}/approval`, otherMaintainer.token, { status: 'approved' })).statusCode).toBe(409);
  });

  it('cancel a deployment one approver rejects', async () => {
    const blocked = (await call('POST', '/deployments', otherMaintainer.token, { environment: 'production', model: 'churn', version: '3' })).json();
    const rejected = await call('POST', `/deployments/${blocked.id}/approval`, maintainer.token, { status: 'rejected', comment: 'not this week' });
    expect(rejected.statusCode).toBe(201);
    expect((await call('GET', `/deployments/${blocked.id}`, maintainer.token)).json()).toMatchObject({
      status: 'canceled',
      reason: 'deployed (waiting for 1 approval); rejected by dep-maintainer: not this week',
    });
    const actions = (await call('GET', '/audit_events?per_page=100', maintainer.token)).json().map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['deployments.deployment.approved', 'deployments.deployment.rejected', 'deployments.protected_environment.created']));
  });

  it('can be changed and removed', async () => {
    const changed = await call('PUT', '/protected_environments/production', maintainer.token, { approval_rules: [{ user_id: developer.id, required_approvals: 1 }], required_approval_count: 0 });
    expect(changed.json().approval_rules).toEqual([
      { id: 1, access_level: null, access_level_description: 'dep-developer', user_id: developer.id, group_id: null, group_inheritance_type: 0, required_approvals: 1 },
    ]);
    expect((await call('DELETE', '/protected_environments/production', maintainer.token)).statusCode).toBe(204);
    expect((await call('GET', '/protected_environments/production', maintainer.token)).statusCode).toBe(404);
  });
});
