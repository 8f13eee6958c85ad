import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner } from '../support/credentials.ts';
import { modelWithVersions } from '../support/serving.ts';

/**
 * An environment's life after its deployments, as GitLab's `environment:` keyword shapes it:
 * `on_stop` jobs played by the stop API, by hand and by `auto_stop_in`; the `stopping` state and
 * what a failed stop job leaves; `force`; the actions that deploy nothing; and the compile
 * errors of a file that gets these keywords wrong. Time never passes in these tests: an
 * environment falls due because its `auto_stop_at` is moved into the past in the database.
 */
let t: TestApp;
let projectId: number;
let maintainer: TestUser;
let developer: TestUser;
let reporter: TestUser;
let runner: string;

type TakenJob = { id: number; token: string; variables: { key: string; value: string }[]; job_info: { name: string } };
type JobView = { id: number; name: string; status: string; user: { username: string } | null };
type EnvironmentView = { id: number; name: string; state: string; auto_stop_at: string | null };

const api = (path: string) => `/api/v4/projects/${projectId}${path}`;
const call = (method: 'GET' | 'POST' | 'PUT', path: string, token: string, payload?: Record<string, unknown>) => t.call({ method, url: api(path), token, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await startTestApp();
  maintainer = await t.createUser('life-maintainer');
  developer = await t.createUser('life-developer');
  reporter = await t.createUser('life-reporter');
  projectId = (await t.createProject(maintainer.token, 'lifecycle')).id;
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, reporter.id, 20);
  await modelWithVersions(t, projectId, 'churn', 2, maintainer.token);
  runner = await createInstanceRunner(t);
});

afterAll(async () => t?.close());

/** What a test leaves queued (when it fails half way) is canceled, so that the next test's runner meets only its own jobs. */
const pipelinesOfTest: number[] = [];
afterEach(async () => {
  for (const id of pipelinesOfTest.splice(0)) await call('POST', `/pipelines/${id}/cancel`, maintainer.token);
});

/** A review app's pair of jobs: the deploy job names its stop job, which waits to be played. */
function reviewConfig(environment: string, extra = ''): string {
  return [
    'deploy_review:',
    '  script: [modelyard deploy]',
    '  environment:',
    `    name: ${environment}`,
    '    on_stop: stop_review',
    ...(extra ? [`    ${extra}`] : []),
    'stop_review:',
    '  script: [modelyard teardown]',
    '  when: manual',
    '  environment:',
    `    name: ${environment}`,
    '    action: stop',
    '',
  ].join('\n');
}

async function runPipeline(content: string, token = developer.token): Promise<{ id: number; status: string; yaml_errors: string | null }> {
  expect((await call('PUT', '/ci/config', maintainer.token, { content })).statusCode).toBe(200);
  const res = await call('POST', '/pipeline', token, { ref: 'main' });
  expect(res.statusCode, res.body).toBe(201);
  pipelinesOfTest.push(res.json().id);
  return res.json();
}

async function jobsOf(pipelineId: number): Promise<JobView[]> {
  return (await call('GET', `/pipelines/${pipelineId}/jobs`, reporter.token)).json();
}

async function jobNamed(pipelineId: number, name: string): Promise<JobView> {
  const job = (await jobsOf(pipelineId)).find((j) => j.name === name);
  expect(job, name).toBeDefined();
  return job!;
}

/** The runner's next job; every test leaves the queue empty behind it. */
async function takeJob(name: string): Promise<TakenJob> {
  const taken = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runner, info: { version: 'test' } } });
  expect(taken.statusCode, taken.body).toBe(201);
  const job = taken.json() as TakenJob;
  expect(job.job_info.name).toBe(name);
  return job;
}

async function finish(job: TakenJob, state: 'success' | 'failed'): Promise<void> {
  const res = await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state } });
  expect(res.statusCode, res.body).toBe(200);
}

const deployAs = (job: TakenJob, environment: string) =>
  t.call({ method: 'POST', url: api('/deployments'), headers: { 'job-token': job.token }, payload: { environment, model: 'churn', version: '1' } });

/** The deploy job of a fresh pipeline takes the runner, deploys, and succeeds. */
async function deployReview(environment: string, extra = '', token = developer.token): Promise<{ pipelineId: number; env: EnvironmentView }> {
  const pipeline = await runPipeline(reviewConfig(environment, extra), token);
  expect(pipeline.status, pipeline.yaml_errors ?? '').not.toBe('failed');
  const job = await takeJob('deploy_review');
  const deployed = await deployAs(job, environment);
  expect(deployed.statusCode, deployed.body).toBe(201);
  await finish(job, 'success');
  return { pipelineId: pipeline.id, env: await environment_(environment) };
}

async function environment_(name: string): Promise<EnvironmentView> {
  const found = (await call('GET', `/environments?name=${encodeURIComponent(name)}`, reporter.token)).json() as EnvironmentView[];
  expect(found, name).toHaveLength(1);
  return (await call('GET', `/environments/${found[0]!.id}`, reporter.token)).json();
}

/** Without options, the request has no body at all, as GitLab's clients (python-gitlab, curl) send it. */
const stop = (env: EnvironmentView, body?: Record<string, unknown>, token = developer.token) => call('POST', `/environments/${env.id}/stop`, token, body);

/** The background work a server does between requests: CI job events reach the environments, due ones stop. */
const tick = () => t.services.deploymentsWorker.tick();

async function stoppedEvents(env: EnvironmentView): Promise<{ reason: string }[]> {
  const rows = await t.services.database.db.selectFrom('events').select('payload').where('type', '=', 'deployments.environment.stopped').orderBy('id').execute();
  return rows
    .map((row) => JSON.parse(row.payload) as { environment_id: number; reason: string })
    .filter((p) => p.environment_id === env.id)
    .map((p) => ({ reason: p.reason }));
}

async function nothingQueued(): Promise<void> {
  expect((await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runner, info: { version: 'test' } } })).statusCode).toBe(204);
}

describe('on_stop', () => {
  it('is played by the stop API: the environment is stopping until the job succeeds, then stopped; a second stop meanwhile changes nothing', async () => {
    const { pipelineId, env } = await deployReview('review/api');
    expect(env.state).toBe('available');
    expect((await jobNamed(pipelineId, 'stop_review')).status).toBe('manual');

    const stopping = await stop(env);
    expect(stopping.statusCode, stopping.body).toBe(200);
    expect(stopping.json().state).toBe('stopping');
    expect((await jobNamed(pipelineId, 'stop_review')).status).toBe('pending');
    // While the stop job is on its way, stopping again neither skips it nor plays it twice.
    const again = await stop(env);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().state).toBe('stopping');
    expect((await environment_('review/api')).state).toBe('stopping');

    const job = await takeJob('stop_review');
    expect(job.variables.find((v) => v.key === 'CI_ENVIRONMENT_ACTION')?.value).toBe('stop');
    await tick();
    expect((await environment_('review/api')).state).toBe('stopping');
    expect(await stoppedEvents(env)).toEqual([]);
    await finish(job, 'success');
    await tick();
    expect((await environment_('review/api')).state).toBe('stopped');
    // Subscribers hear "stopped" once, when it is: not when the stop job was only played.
    expect(await stoppedEvents(env)).toEqual([{ reason: 'its stop job stop_review succeeded' }]);
    await nothingQueued();
  });

  it('leaves the environment available when its stop job fails, as GitLab does, so that it can be stopped again', async () => {
    const { pipelineId, env } = await deployReview('review/fails');
    expect((await stop(env)).json().state).toBe('stopping');
    const job = await takeJob('stop_review');
    await finish(job, 'failed');
    await tick();
    expect((await environment_('review/fails')).state).toBe('available');
    expect((await jobNamed(pipelineId, 'stop_review')).status).toBe('failed');
    // Its stop job can no longer be played: a stop now stops at once.
    expect((await stop(env)).json().state).toBe('stopped');
    await nothingQueued();
  });

  it('is skipped by force: the environment stops at once and its stop job stays manual', async () => {
    const { pipelineId, env } = await deployReview('review/force');
    const forced = await stop(env, { force: true });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json().state).toBe('stopped');
    expect((await jobNamed(pipelineId, 'stop_review')).status).toBe('manual');
    await nothingQueued();
  });

  it('stops a stopping environment at once with force', async () => {
    const { env } = await deployReview('review/force-late');
    expect((await stop(env)).json().state).toBe('stopping');
    expect((await stop(env, { force: true })).json().state).toBe('stopped');
    const job = await takeJob('stop_review');
    await finish(job, 'success');
    await tick();
    expect((await environment_('review/force-late')).state).toBe('stopped');
  });

  it('stops the environment when a person plays the stop job in the pipeline', async () => {
    const { pipelineId } = await deployReview('review/by-hand');
    const stopJob = await jobNamed(pipelineId, 'stop_review');
    const played = await call('POST', `/jobs/${stopJob.id}/play`, developer.token, {});
    expect(played.statusCode, played.body).toBe(200);
    // GitLab stops the environment when the job succeeds, not when it starts.
    expect((await environment_('review/by-hand')).state).toBe('available');
    const job = await takeJob('stop_review');
    await finish(job, 'success');
    await tick();
    expect((await environment_('review/by-hand')).state).toBe('stopped');
  });

  it('is undone by a new deployment: the stopped environment is available again', async () => {
    const { env } = await deployReview('review/again');
    expect((await stop(env, { force: true })).json().state).toBe('stopped');
    const { env: back } = await deployReview('review/again');
    expect(back.state).toBe('available');
  });
});

describe('auto_stop_in', () => {
  const HOUR = 3_600_000;

  async function dueNow(env: EnvironmentView): Promise<void> {
    await t.services.database.db
      .updateTable('environments')
      .set({ auto_stop_at: Date.now() - 1000 })
      .where('id', '=', env.id)
      .execute();
  }

  it('sets auto_stop_at, which a later deployment extends; when due, the worker plays the stop job as the pipeline user', async () => {
    const before = Date.now();
    const first = await deployReview('review/auto', 'auto_stop_in: 1 hour', maintainer.token);
    const after = Date.now();
    expect(first.env.auto_stop_at).not.toBeNull();
    const at = Date.parse(first.env.auto_stop_at!);
    expect(at).toBeGreaterThanOrEqual(before + HOUR - 1000);
    expect(at).toBeLessThanOrEqual(after + HOUR + 1000);

    // Not due yet: nothing happens.
    await tick();
    expect((await environment_('review/auto')).state).toBe('available');

    // Almost due, then deployed again: the lifetime starts afresh from the new deployment.
    await t.services.database.db
      .updateTable('environments')
      .set({ auto_stop_at: Date.now() + 60_000 })
      .where('id', '=', first.env.id)
      .execute();
    const second = await deployReview('review/auto', 'auto_stop_in: 1 hour', maintainer.token);
    expect(Date.parse(second.env.auto_stop_at!)).toBeGreaterThan(Date.now() + HOUR - 60_000);

    await dueNow(second.env);
    await tick();
    const stopping = await environment_('review/auto');
    expect(stopping.state).toBe('stopping');
    // The latest deployment's stop job is the one played, as the user of its pipeline.
    expect(await jobNamed(first.pipelineId, 'stop_review')).toMatchObject({ status: 'manual' });
    expect(await jobNamed(second.pipelineId, 'stop_review')).toMatchObject({ status: 'pending', user: { id: maintainer.id } });
    const job = await takeJob('stop_review');
    await finish(job, 'success');
    await tick();
    expect(await environment_('review/auto')).toMatchObject({ state: 'stopped', auto_stop_at: null });
  });

  it('is cleared by never, and left alone by a deployment whose job does not set it', async () => {
    const timed = await deployReview('review/never', 'auto_stop_in: 2 days');
    expect(timed.env.auto_stop_at).not.toBeNull();
    // A person's deployment (no job) does not touch the lifetime.
    expect((await call('POST', '/deployments', developer.token, { environment: 'review/never', model: 'churn', version: '2' })).statusCode).toBe(201);
    expect((await environment_('review/never')).auto_stop_at).toBe(timed.env.auto_stop_at);
    const never = await deployReview('review/never', 'auto_stop_in: never');
    expect(never.env.auto_stop_at).toBeNull();
    await tick();
    expect((await environment_('review/never')).state).toBe('available');
    expect((await stop(never.env, { force: true })).json().state).toBe('stopped');
  });

  it('stops an environment without a stop job at once when due', async () => {
    const pipeline = await runPipeline('deploy:\n  script: [modelyard deploy]\n  environment:\n    name: review/plain\n    auto_stop_in: 30 minutes\n');
    expect(pipeline.status).not.toBe('failed');
    const job = await takeJob('deploy');
    expect((await deployAs(job, 'review/plain')).statusCode).toBe(201);
    await finish(job, 'success');
    const env = await environment_('review/plain');
    expect(env.auto_stop_at).not.toBeNull();
    await dueNow(env);
    await tick();
    expect(await environment_('review/plain')).toMatchObject({ state: 'stopped', auto_stop_at: null });
  });
});

describe('actions other than start', () => {
  it('deploy nothing: prepare, verify, access and stop jobs see their action and are refused a deployment', async () => {
    const jobs = ['prepare', 'verify', 'access', 'stop'].map((action) => `${action}_job:\n  script: [x]\n  environment:\n    name: qa-actions\n    action: ${action}\n`);
    const pipeline = await runPipeline(jobs.join(''));
    expect(pipeline.status).not.toBe('failed');
    const countDeployments = async () =>
      Number(
        (
          await t.services.database.db
            .selectFrom('deployments')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await countDeployments();
    for (const action of ['prepare', 'verify', 'access', 'stop']) {
      const job = await takeJob(`${action}_job`);
      expect(job.variables.find((v) => v.key === 'CI_ENVIRONMENT_ACTION')?.value).toBe(action);
      const refused = await deployAs(job, 'qa-actions');
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.json().message).toMatch(new RegExp(`${action}_job.*${action}`));
      await finish(job, 'success');
    }
    expect(await countDeployments()).toBe(before);
    await tick();
    await nothingQueued();
  });
});

describe('a file that gets the keywords wrong', () => {
  it("fails its pipeline with GitLab's messages and runs nothing", async () => {
    const stopJob = (environment: string, action = 'stop') => `stop_review:\n  script: [x]\n  when: manual\n  environment:\n    name: ${environment}\n    action: ${action}\n`;
    const deployJob = (settings: string) => `deploy_review:\n  script: [x]\n  environment:\n    name: review/x\n    ${settings}\n`;
    const cases: [string, RegExp][] = [
      [deployJob('auto_stop_in: soon'), /deploy_review:environment:auto_stop_in config should be a duration/],
      [deployJob('action: bogus'), /deploy_review:environment:action config should be one of: start, prepare, stop, verify, access/],
      [deployJob('on_stop: stop_nothing'), /deploy_review job: on_stop job stop_nothing is not defined/],
      [deployJob('on_stop: stop_review') + 'stop_review:\n  script: [x]\n  when: manual\n', /deploy_review job: on_stop job stop_review does not have environment defined/],
      [deployJob('on_stop: stop_review') + stopJob('review/y'), /deploy_review job: on_stop job stop_review have different environment name/],
      [deployJob('on_stop: stop_review') + stopJob('review/x', 'prepare'), /deploy_review job: on_stop job stop_review needs to have action stop defined/],
    ];
    for (const [content, message] of cases) {
      const pipeline = await runPipeline(content);
      expect(pipeline.status, content).toBe('failed');
      expect(pipeline.yaml_errors, content).toMatch(message);
      expect(await jobsOf(pipeline.id)).toEqual([]);
    }
    await nothingQueued();
  });
});

describe('the stop job of the latest deployment', () => {
  it('is the only one: a later deploy job without on_stop leaves the environment nothing to play', async () => {
    const { pipelineId } = await deployReview('review/latest');
    const pipeline = await runPipeline('deploy:\n  script: [modelyard deploy]\n  environment:\n    name: review/latest\n');
    const job = await takeJob('deploy');
    expect((await deployAs(job, 'review/latest')).statusCode).toBe(201);
    await finish(job, 'success');
    expect(pipeline.status).not.toBe('failed');
    // GitLab plays the stop actions of the last deployment; the earlier pipeline's teardown stays where it is.
    const stopped = await stop(await environment_('review/latest'));
    expect(stopped.json().state).toBe('stopped');
    expect((await jobNamed(pipelineId, 'stop_review')).status).toBe('manual');
    await nothingQueued();
  });
});

describe('stop_stale', () => {
  const DAY = 86_400_000;

  async function age(env: EnvironmentView, days: number): Promise<void> {
    const at = Date.now() - days * DAY;
    await t.services.database.db.updateTable('environments').set({ updated_at: at }).where('id', '=', env.id).execute();
    await t.services.database.db.updateTable('deployments').set({ updated_at: at, created_at: at }).where('environment_id', '=', env.id).execute();
  }

  it("stops the available, unprotected environments untouched since the date, playing their stop jobs, in GitLab's shape", async () => {
    const old = await deployReview('review/stale-old');
    const recent = await deployReview('review/stale-recent');
    const guarded = (await call('POST', '/environments', maintainer.token, { name: 'stale-protected' })).json() as EnvironmentView;
    expect((await call('POST', '/protected_environments', maintainer.token, { name: 'stale-protected', deploy_access_levels: [{ access_level: 30 }] })).statusCode).toBe(201);
    await age(old.env, 30);
    await age(recent.env, 3);
    await age(guarded, 30);
    const before = new Date(Date.now() - 14 * DAY).toISOString();

    const res = await t.call({ method: 'POST', url: api(`/environments/stop_stale?before=${encodeURIComponent(before)}`), token: developer.token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ message: 'Successfully requested stop for all stale environments' });
    expect((await environment_('review/stale-old')).state).toBe('stopping');
    expect((await jobNamed(old.pipelineId, 'stop_review')).status).toBe('pending');
    expect((await environment_('review/stale-recent')).state).toBe('available');
    expect((await environment_('stale-protected')).state).toBe('available');
    await finish(await takeJob('stop_review'), 'success');
    await tick();
    expect((await environment_('review/stale-old')).state).toBe('stopped');

    // A canary promotion, like these, may come without a body.
    expect((await t.call({ method: 'POST', url: api(`/environments/${recent.env.id}/promote`), token: developer.token })).json().message).toMatch(/not running a canary/);
    // The date may come in the body too; a reporter may not stop anything.
    expect((await call('POST', '/environments/stop_stale', reporter.token, { before })).statusCode).toBe(403);
    expect((await call('POST', '/environments/stop_stale', developer.token, { before: before.slice(0, 10) })).statusCode).toBe(200);
    await nothingQueued();
  });

  it("stops only a job token's own environment", async () => {
    const mine = await deployReview('review/stale-mine');
    const theirs = await deployReview('review/stale-theirs');
    await age(mine.env, 30);
    await age(theirs.env, 30);
    await runPipeline(reviewConfig('review/stale-mine'));
    const job = await takeJob('deploy_review');
    const before = new Date(Date.now() - 14 * DAY).toISOString();
    const res = await t.call({ method: 'POST', url: api('/environments/stop_stale'), headers: { 'job-token': job.token }, payload: { before } });
    expect(res.statusCode, res.body).toBe(200);
    expect((await environment_('review/stale-mine')).state).toBe('stopping');
    expect((await environment_('review/stale-theirs')).state).toBe('available');
  });

  it('refuses a date outside ten years to one week ago, or none, and stops nothing', async () => {
    const { env } = await deployReview('review/stale-kept');
    await age(env, 3650);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /before is missing/],
      [{ before: new Date(Date.now() - 2 * DAY).toISOString() }, /400 Bad request - Invalid Date: before must be between 10 years ago and 1 week ago/],
      [{ before: new Date(Date.now() - 3700 * DAY).toISOString() }, /Invalid Date: before must be between 10 years ago and 1 week ago/],
      [{ before: 'last tuesday' }, /Invalid Date: before must be an ISO 8601 date/],
      [{ before: '2024-13-45' }, /Invalid Date: before must be an ISO 8601 date/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/environments/stop_stale', developer.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message, JSON.stringify(body)).toMatch(message);
    }
    expect((await environment_('review/stale-kept')).state).toBe('available');
  });
});
