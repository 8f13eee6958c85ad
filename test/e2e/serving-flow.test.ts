import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BIN, serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Deployments with every part real: the server, a `modelyard runner` process running the
 * project's pipeline, a `modelyard agent` process running MLflow's own scoring server from the
 * pinned mlflow, and the server's gateway in front of it. Two scikit-learn versions are
 * registered with the real mlflow client. The pipeline's deploy job (`environment: staging`)
 * ships v1 to staging with its job token and is linked as the deployment's deployable; the
 * agent serves it. Production is protected (one approval): its manual deploy job, played by the
 * release manager, leaves a `blocked` deployment the release manager cannot approve; another
 * maintainer approves and the agent serves production. Then, against production: the agent
 * killed with SIGKILL is replaced and the environment serves again with no manual step; a
 * canary of v2 at 10 % (approved like any production change) splits 2 000 subjects within the
 * binomial bound and keeps each on one variant; v2 made to fail is rolled back by the gates with
 * the reason recorded; then v2 is redeployed and rolled back in one call.
 */
const ADMIN = 'e2e-serving-admin-token-0123456789';
const PASSWORD = 'serving-e2e-password-1';
const PYTHON = process.env.MODELYARD_TEST_PYTHON;
const MODEL = 'churn-e2e';

/**
 * How a GitLab team promotes: every pipeline ships to staging; production is a manual job a
 * person plays. Each job says what it ships, with its own job token.
 */
const PIPELINE = `
stages: [staging, production]
workflow:
  rules:
    # Registering a version starts a pipeline too: this one ships only when someone runs it.
    - if: $CI_PIPELINE_SOURCE == "model_registry"
      when: never
    - when: always
deploy-staging:
  stage: staging
  environment:
    name: staging
  script:
    - modelyard deploy --environment "$CI_ENVIRONMENT_NAME" --model ${MODEL} --version 1 --reason "first release"
deploy-production:
  stage: production
  environment:
    name: production
  when: manual
  script:
    - modelyard deploy --environment "$CI_ENVIRONMENT_NAME" --model ${MODEL} --version 1 --reason "promoted from staging"
`;

/**
 * v1 says 1 above 1.5, v2 the opposite, so an answer tells which version gave it. v2 refuses
 * inputs above 100 with an internal error, which MLflow's scoring server answers with a 500:
 * the test "breaks" v2 by sending them.
 */
const REGISTER = `
import numpy as np, mlflow, mlflow.sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

def refuse_large(X):
    # An MlflowException keeps its code (a plain exception would be answered 400, not 500).
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import INTERNAL_ERROR
    if (np.asarray(X) > 100).any():
        raise MlflowException("v2 refuses inputs above 100", error_code=INTERNAL_ERROR)
    return X

X = np.array([[0.0], [1.0], [2.0], [3.0]])
mlflow.set_experiment("serving-e2e")
with mlflow.start_run():
    mlflow.sklearn.log_model(LogisticRegression().fit(X, np.array([0, 0, 1, 1])), name="model", registered_model_name="${MODEL}",
                             serialization_format="pickle", pip_requirements=["scikit-learn"])
with mlflow.start_run():
    v2 = make_pipeline(FunctionTransformer(refuse_large), LogisticRegression().fit(X, np.array([1, 1, 0, 0])))
    # cloudpickle: the refusing function travels with the model, by value.
    mlflow.sklearn.log_model(v2, name="model", registered_model_name="${MODEL}",
                             serialization_format="cloudpickle", pip_requirements=["scikit-learn"])
`;

let root: string;
let database: TestDatabase;
let server: ServerProcess;
let seed: Seeder;
let projectId: number;
let agentToken: string;
let serveToken: string;
/** The release manager runs the pipeline and plays the production job; the approver approves. */
let release: { id: number; token: string };
let approver: { id: number; token: string };
let agent: { child: ChildProcess; output: () => string } | undefined;
let runner: { child: ChildProcess; output: () => string } | undefined;

function captured(child: ChildProcess): { child: ChildProcess; output: () => string } {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

function startAgent(): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'agent', '--url', server.base, '--work-dir', path.join(root, 'agent'), '--python', PYTHON!], {
    env: serverEnv({ MODELYARD_AGENT_TOKEN: agentToken }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return captured(child);
}

async function startRunner(): Promise<{ child: ChildProcess; output: () => string }> {
  const created = await seed.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'serving-e2e', run_untagged: true });
  const child = spawn(process.execPath, [BIN, 'runner', '--url', server.base, '--token', created.token, '--builds-dir', path.join(root, 'builds'), '--heartbeat', '1'], {
    env: serverEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return captured(child);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\nagent output:\n${agent?.output().slice(-4000)}\nrunner output:\n${runner?.output().slice(-2000)}\nserver output:\n${server.output().slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Answer {
  status: number;
  variant: string | null;
  body: string;
}

async function predict(environment: string, x: number, subject?: string): Promise<Answer> {
  const res = await fetch(`${server.base}/serving/${projectId}/${environment}/invocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serveToken}`, 'content-type': 'application/json', ...(subject ? { 'x-subject': subject } : {}) },
    body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[x]] } }),
  });
  return { status: res.status, variant: res.headers.get('x-modelyard-variant'), body: await res.text() };
}

/** Production's prediction for x, or undefined while the gateway cannot answer. */
async function answerOf(x: number): Promise<number | undefined> {
  const answer = await predict('production', x);
  return answer.status === 200 ? (JSON.parse(answer.body) as { predictions: number[] }).predictions[0] : undefined;
}

type Variant = { name: string; weight: number; version: { version: number } };
type Deployment = {
  id: number;
  status: string;
  reason: string;
  rollback_of: number | null;
  user: { username: string } | null;
  deployable: { id: number; name: string; pipeline: { id: number } } | null;
  policy: { kind: string };
  variants: Variant[];
};
type Environment = { id: number; current_deployment: Deployment | null; health: { status: string; message: string } };
type Job = { id: number; name: string; status: string };

/** An environment's detail (the list leaves out health and the current deployment). */
async function environment(name: string): Promise<Environment | undefined> {
  const [listed] = await seed.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/environments?name=${name}`);
  return listed ? seed.call<Environment>('GET', `/api/v4/projects/${projectId}/environments/${listed.id}`) : undefined;
}
const serving = (name: string, what: string) => waitFor(what, async () => ((await environment(name))?.health.status === 'serving' ? true : undefined), 240_000);
const versionsOf = (d: Deployment) => d.variants.map((v) => [v.name, v.version.version, v.weight]);
const deployments = (name: string) => seed.call<Deployment[]>('GET', `/api/v4/projects/${projectId}/deployments?environment=${name}&sort=asc`);
const trace = async (jobId: number) => (await fetch(`${server.base}/api/v4/projects/${projectId}/jobs/${jobId}/trace`, { headers: { 'private-token': ADMIN } })).text();

/** The pipeline's job once it has finished, with its log. */
async function finishedJob(pipelineId: number, name: string): Promise<Job & { log: string }> {
  const job = await waitFor(`job ${name} to finish`, async () => {
    const jobs = await seed.call<Job[]>('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`);
    return jobs.find((j) => j.name === name && ['success', 'failed', 'canceled'].includes(j.status));
  });
  return { ...job, log: await trace(job.id) };
}

/** A production change by the release manager, approved by the other maintainer. */
async function approved(deployment: Deployment): Promise<Deployment> {
  expect(deployment.status).toBe('blocked');
  await seed.call('POST', `/api/v4/projects/${projectId}/deployments/${deployment.id}/approval`, { status: 'approved' }, approver.token);
  return seed.call<Deployment>('GET', `/api/v4/projects/${projectId}/deployments/${deployment.id}`);
}

beforeAll(async () => {
  if (!PYTHON) throw new Error('MODELYARD_TEST_PYTHON must name the venv python with the pinned mlflow (scripts/python-env.sh prints it)');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-serving-e2e-'));
  database = await createTestDatabase();
  server = await serveProcess(root, {
    MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN,
    MODELYARD_DATA_DIR: path.join(root, 'data'),
    MODELYARD_DATABASE_URL: database.url,
    // Short caches and a fast gate loop, so the test waits seconds, not minutes.
    MODELYARD_SERVING_CACHE_SECONDS: '0.2',
    MODELYARD_GATE_INTERVAL_SECONDS: '1',
  });
  seed = new Seeder(server.base, ADMIN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'serving-e2e', path: 'serving-e2e' })).id;
  release = await seed.user('release-manager', PASSWORD);
  approver = await seed.user('approver', PASSWORD);
  for (const person of [release, approver]) await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: person.id, access_level: 40 });
  // Maintainers deploy to production, and every deployment there waits for one approval.
  await seed.call('POST', `/api/v4/projects/${projectId}/protected_environments`, { name: 'production', deploy_access_levels: [{ access_level: 40 }], required_approval_count: 1 });
  await seed.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: PIPELINE });
  agentToken = (await seed.call<{ token: string }>('POST', `/api/v4/projects/${projectId}/serving_agents`, { description: 'e2e', labels: ['cpu'] })).token;
  const admin = await seed.call<{ id: number }>('GET', '/api/v4/user');
  serveToken = (await seed.call<{ token: string }>('POST', `/api/v4/users/${admin.id}/personal_access_tokens`, { name: 'gateway', scopes: ['serve'] })).token;
  execFileSync(PYTHON, ['-c', REGISTER], {
    cwd: root,
    env: { ...process.env, MLFLOW_TRACKING_URI: `${server.base}/api/v4/projects/${projectId}/ml/mlflow`, MLFLOW_TRACKING_TOKEN: ADMIN },
    stdio: 'pipe',
  });
  runner = await startRunner();
}, 240_000);

afterAll(async () => {
  for (const started of [agent, runner]) {
    if (started && started.child.exitCode === null) {
      started.child.kill('SIGTERM');
      await new Promise((resolve) => started.child.once('exit', resolve));
    }
  }
  await server?.stop();
  await database?.drop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('deployments with real processes', () => {
  it('deploys to staging from a pipeline job, promotes to protected production after an approval, survives a SIGKILLed agent, splits a canary, rolls back at the gates and in one call', async () => {
    // The pipeline's staging job ships v1 with its job token.
    const pipeline = await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' }, release.token);
    const stagingJob = await finishedJob(pipeline.id, 'deploy-staging');
    expect(stagingJob.status, stagingJob.log).toBe('success');
    expect(stagingJob.log).toMatch(/to staging: running; stable=churn-e2e@1\.0\.0 \(100%\); first release/);
    const [staged] = await deployments('staging');
    expect(staged).toMatchObject({ user: { username: 'release-manager' }, deployable: { id: stagingJob.id, name: 'deploy-staging', pipeline: { id: pipeline.id } }, reason: 'first release' });
    const waiting = await predict('staging', 0);
    expect(waiting.status).toBe(503);
    expect(JSON.parse(waiting.body).message).toMatch(/no agent runs stable yet|no ready instance/);

    agent = startAgent();
    await serving('staging', 'v1 to be served in staging');
    const first = await predict('staging', 0);
    expect(first.status, first.body).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ predictions: [0] });
    expect(JSON.parse((await predict('staging', 3)).body)).toEqual({ predictions: [1] });

    // Promotion: the release manager plays the production job; its deployment waits for an approval.
    const manual = (await seed.call<Job[]>('GET', `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/jobs`)).find((j) => j.name === 'deploy-production')!;
    expect(manual.status).toBe('manual');
    await seed.call('POST', `/api/v4/projects/${projectId}/jobs/${manual.id}/play`, {}, release.token);
    const productionJob = await finishedJob(pipeline.id, 'deploy-production');
    expect(productionJob.status, productionJob.log).toBe('success');
    expect(productionJob.log).toMatch(/to production: blocked; stable=churn-e2e@1\.0\.0 \(100%\); promoted from staging/);
    expect(productionJob.log).toContain('it waits for approval');
    const [blocked] = await deployments('production');
    expect(blocked).toMatchObject({ status: 'blocked', user: { username: 'release-manager' }, deployable: { id: productionJob.id, name: 'deploy-production', pipeline: { id: pipeline.id } } });
    const notYet = await predict('production', 0);
    expect(notYet.status).toBe(503);
    expect(JSON.parse(notYet.body).message).toMatch(/nothing is deployed to environment production yet/);
    const selfApproval = await fetch(`${server.base}/api/v4/projects/${projectId}/deployments/${blocked!.id}/approval`, {
      method: 'POST',
      headers: { 'private-token': release.token, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'approved' }),
    });
    expect(selfApproval.status).toBe(403);
    expect(((await selfApproval.json()) as { message: string }).message).toMatch(/cannot be approved by the user who triggered them/);
    const promoted = await approved(blocked!);
    expect(promoted.reason).toBe('promoted from staging (approved by approver)');
    await serving('production', 'v1 to be served in production');
    expect(JSON.parse((await predict('production', 0)).body)).toEqual({ predictions: [0] });
    expect(JSON.parse((await predict('production', 3)).body)).toEqual({ predictions: [1] });

    // SIGKILL: the next agent converges on what the database says, with no manual step.
    agent.child.kill('SIGKILL');
    await new Promise((resolve) => agent!.child.once('exit', resolve));
    agent = startAgent();
    await waitFor('the restarted agent to take over', async () => (agent!.output().includes('left by a previous agent') ? true : undefined), 60_000);
    await serving('production', 'v1 to be served again');
    expect(await waitFor('a prediction after the restart', async () => ((await predict('production', 0)).status === 200 ? true : undefined), 60_000)).toBe(true);

    // A canary of v2 at 10 %: a production change like any other, approved by another person.
    const canary = await approved(
      await seed.call<Deployment>(
        'POST',
        `/api/v4/projects/${projectId}/deployments`,
        {
          environment: 'production',
          model: MODEL,
          version: '2',
          policy: { kind: 'canary', steps: [10, 50, 100], pause_seconds: 3600, gates: { max_error_rate: 0.2, min_requests: 20 }, window_seconds: 30 },
        },
        release.token,
      ),
    );
    expect(versionsOf(canary)).toEqual([
      ['canary', 2, 10],
      ['stable', 1, 90],
    ]);
    await serving('production', 'the canary to be served');
    const seen = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const answer = await predict('production', 0, `subject-${i}`);
      expect(answer.status, answer.body).toBe(200);
      // The variant's answer is its version's: v2 says 1 where v1 says 0.
      expect(JSON.parse(answer.body)).toEqual({ predictions: [answer.variant === 'canary' ? 1 : 0] });
      seen.set(`subject-${i}`, answer.variant!);
    }
    const onCanary = [...seen.values()].filter((v) => v === 'canary').length;
    // Binomial(2000, 0.1): mean 200, sd 13.4; the two-sided 99.9 % bound is ±3.29 sd.
    expect(onCanary).toBeGreaterThanOrEqual(156);
    expect(onCanary).toBeLessThanOrEqual(244);
    for (let i = 0; i < 200; i++) expect((await predict('production', 0, `subject-${i}`)).variant, `subject-${i}`).toBe(seen.get(`subject-${i}`));

    // v2 breaks: inputs it refuses. The gates roll it back within their window, and say why.
    const broken = { canary: 0, stable: 0 };
    for (let i = 0; i < 400; i++) {
      const answer = await predict('production', 1000, `poison-${i}`);
      if (answer.variant === 'canary') {
        expect(answer.status).toBe(500);
        broken.canary++;
      } else broken.stable++;
    }
    expect(broken.canary).toBeGreaterThanOrEqual(20);
    // Traffic goes on while the gates decide, as it would in service: on a loaded machine the
    // 400 requests above may spread past the gates' 30 s window.
    let poisoned = 400;
    const rolledBack = await waitFor(
      'the gates to roll the canary back',
      async () => {
        const current = (await environment('production'))?.current_deployment;
        if (current && current.rollback_of === canary.id) return current;
        for (let i = 0; i < 20; i++) await predict('production', 1000, `poison-${poisoned++}`);
        return undefined;
      },
      120_000,
    );
    expect(versionsOf(rolledBack)).toEqual([['stable', 1, 100]]);
    expect(rolledBack.reason).toMatch(/^rollback: error rate \d+\.\d% > 20\.0%/);
    const failed = await seed.call<Deployment>('GET', `/api/v4/projects/${projectId}/deployments/${canary.id}`);
    expect(failed.status).toBe('failed');
    for (let i = 0; i < 50; i++) expect(JSON.parse((await predict('production', 0, `subject-${i}`)).body)).toEqual({ predictions: [0] });

    // Redeploy v2 on its own (approved again), then back to v1 in one call.
    await approved(await seed.call<Deployment>('POST', `/api/v4/projects/${projectId}/deployments`, { environment: 'production', model: MODEL, version: '2', reason: 'v2 fixed' }, release.token));
    await waitFor('v2 to answer', async () => ((await answerOf(0)) === 1 ? true : undefined), 240_000);
    const env = await environment('production');
    const rollback = await seed.call<Deployment>('POST', `/api/v4/projects/${projectId}/environments/${env!.id}/rollback`, { reason: 'customers complain' }, release.token);
    expect(versionsOf(rollback)).toEqual([['stable', 1, 100]]);
    expect(rollback.reason).toMatch(/customers complain/);
    await waitFor('v1 to answer again', async () => ((await answerOf(0)) === 0 ? true : undefined), 240_000);
    expect((await deployments('production')).map((d) => d.reason)).toEqual([
      'promoted from staging (approved by approver)',
      expect.stringMatching(/^canary step 1 of 3: 10% \(approved by approver\); failed its gates: error rate/),
      expect.stringMatching(/^rollback: error rate/),
      'v2 fixed (approved by approver)',
      expect.stringMatching(/customers complain/),
    ]);
    // Staging kept serving v1 throughout.
    expect(JSON.parse((await predict('staging', 0)).body)).toEqual({ predictions: [0] });
  }, 900_000);
});
