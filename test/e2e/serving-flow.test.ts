import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BIN, serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Deployments with every part real: the server, a `modelyard agent` process running MLflow's
 * own scoring server from the pinned mlflow, and the server's gateway in front of it. Two
 * scikit-learn versions are registered with the real mlflow client; `modelyard deploy` ships v1;
 * the agent serves it; predictions pass through the gateway; the agent killed with SIGKILL is
 * replaced and the environment serves again with no manual step; a canary of v2 at 10 % splits
 * 2 000 subjects within the binomial bound and keeps each on one variant; v2 made to fail is
 * rolled back by the gates with the reason recorded; then v2 is redeployed and rolled back in
 * one call.
 */
const ADMIN = 'e2e-serving-admin-token-0123456789';
const PYTHON = process.env.MODELYARD_TEST_PYTHON;
const MODEL = 'churn-e2e';

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
let agent: { child: ChildProcess; output: () => string } | undefined;

function startAgent(): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'agent', '--url', server.base, '--work-dir', path.join(root, 'agent'), '--python', PYTHON!], {
    env: serverEnv({ MODELYARD_AGENT_TOKEN: agentToken }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nagent output:\n${agent?.output().slice(-4000)}\nserver output:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Answer {
  status: number;
  variant: string | null;
  body: string;
}

async function predict(x: number, subject?: string): Promise<Answer> {
  const res = await fetch(`${server.base}/serving/${projectId}/staging/invocations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serveToken}`, 'content-type': 'application/json', ...(subject ? { 'x-subject': subject } : {}) },
    body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[x]] } }),
  });
  return { status: res.status, variant: res.headers.get('x-modelyard-variant'), body: await res.text() };
}

/** The prediction for x, or undefined while the gateway cannot answer. */
async function answerOf(x: number): Promise<number | undefined> {
  const answer = await predict(x);
  return answer.status === 200 ? (JSON.parse(answer.body) as { predictions: number[] }).predictions[0] : undefined;
}

type Variant = { name: string; weight: number; version: { version: number } };
type Deployment = { id: number; status: string; reason: string; rollback_of: number | null; policy: { kind: string }; variants: Variant[] };
type Environment = { id: number; current_deployment: Deployment | null; health: { status: string; message: string } };

/** The staging environment's detail (the list leaves out health and the current deployment). */
async function environment(): Promise<Environment | undefined> {
  const [listed] = await seed.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/environments?name=staging`);
  return listed ? seed.call<Environment>('GET', `/api/v4/projects/${projectId}/environments/${listed.id}`) : undefined;
}
const serving = (what: string) => waitFor(what, async () => ((await environment())?.health.status === 'serving' ? true : undefined), 240_000);
const versionsOf = (d: Deployment) => d.variants.map((v) => [v.name, v.version.version, v.weight]);

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
  agentToken = (await seed.call<{ token: string }>('POST', `/api/v4/projects/${projectId}/serving_agents`, { description: 'e2e', labels: ['cpu'] })).token;
  const admin = await seed.call<{ id: number }>('GET', '/api/v4/user');
  serveToken = (await seed.call<{ token: string }>('POST', `/api/v4/users/${admin.id}/personal_access_tokens`, { name: 'gateway', scopes: ['serve'] })).token;
  execFileSync(PYTHON, ['-c', REGISTER], {
    cwd: root,
    env: { ...process.env, MLFLOW_TRACKING_URI: `${server.base}/api/v4/projects/${projectId}/ml/mlflow`, MLFLOW_TRACKING_TOKEN: ADMIN },
    stdio: 'pipe',
  });
}, 240_000);

afterAll(async () => {
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGTERM');
    await new Promise((resolve) => agent!.child.once('exit', resolve));
  }
  await server?.stop();
  await database?.drop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('deployments with real processes', () => {
  it('deploys, serves through the gateway, survives a SIGKILLed agent, splits a canary, rolls back at the gates and in one call', async () => {
    // modelyard deploy, as a person runs it from a shell.
    const deployed = execFileSync(
      process.execPath,
      [BIN, 'deploy', '--environment', 'staging', '--model', MODEL, '--version', '1', '--reason', 'first release', '--url', server.base, '--project', String(projectId)],
      {
        env: serverEnv({ MODELYARD_TOKEN: ADMIN }),
        encoding: 'utf8',
      },
    );
    expect(deployed).toMatch(/to staging: running; stable=churn-e2e@1\.0\.0 \(100%\); first release/);
    const waiting = await predict(0);
    expect(waiting.status).toBe(503);
    expect(JSON.parse(waiting.body).message).toMatch(/no agent runs stable yet|no ready instance/);

    agent = startAgent();
    await serving('v1 to be served');
    const first = await predict(0);
    expect(first.status, first.body).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ predictions: [0] });
    expect(JSON.parse((await predict(3)).body)).toEqual({ predictions: [1] });

    // SIGKILL: the next agent converges on what the database says, with no manual step.
    agent.child.kill('SIGKILL');
    await new Promise((resolve) => agent!.child.once('exit', resolve));
    agent = startAgent();
    await waitFor('the restarted agent to take over', async () => (agent!.output().includes('left by a previous agent') ? true : undefined), 60_000);
    await serving('v1 to be served again');
    expect(await waitFor('a prediction after the restart', async () => ((await predict(0)).status === 200 ? true : undefined), 60_000)).toBe(true);

    // A canary of v2 at 10 %.
    const canary = await seed.call<Deployment>('POST', `/api/v4/projects/${projectId}/deployments`, {
      environment: 'staging',
      model: MODEL,
      version: '2',
      policy: { kind: 'canary', steps: [10, 50, 100], pause_seconds: 3600, gates: { max_error_rate: 0.2, min_requests: 20 }, window_seconds: 30 },
    });
    expect(versionsOf(canary)).toEqual([
      ['canary', 2, 10],
      ['stable', 1, 90],
    ]);
    await serving('the canary to be served');
    const seen = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const answer = await predict(0, `subject-${i}`);
      expect(answer.status, answer.body).toBe(200);
      // The variant's answer is its version's: v2 says 1 where v1 says 0.
      expect(JSON.parse(answer.body)).toEqual({ predictions: [answer.variant === 'canary' ? 1 : 0] });
      seen.set(`subject-${i}`, answer.variant!);
    }
    const onCanary = [...seen.values()].filter((v) => v === 'canary').length;
    // Binomial(2000, 0.1): mean 200, sd 13.4; the two-sided 99.9 % bound is ±3.29 sd.
    expect(onCanary).toBeGreaterThanOrEqual(156);
    expect(onCanary).toBeLessThanOrEqual(244);
    for (let i = 0; i < 200; i++) expect((await predict(0, `subject-${i}`)).variant, `subject-${i}`).toBe(seen.get(`subject-${i}`));

    // v2 breaks: inputs it refuses. The gates roll it back within their window, and say why.
    const broken = { canary: 0, stable: 0 };
    for (let i = 0; i < 400; i++) {
      const answer = await predict(1000, `poison-${i}`);
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
        const current = (await environment())?.current_deployment;
        if (current && current.rollback_of === canary.id) return current;
        for (let i = 0; i < 20; i++) await predict(1000, `poison-${poisoned++}`);
        return undefined;
      },
      120_000,
    );
    expect(versionsOf(rolledBack)).toEqual([['stable', 1, 100]]);
    expect(rolledBack.reason).toMatch(/^rollback: error rate \d+\.\d% > 20\.0%/);
    const failed = await seed.call<Deployment>('GET', `/api/v4/projects/${projectId}/deployments/${canary.id}`);
    expect(failed.status).toBe('failed');
    for (let i = 0; i < 50; i++) expect(JSON.parse((await predict(0, `subject-${i}`)).body)).toEqual({ predictions: [0] });

    // Redeploy v2 on its own, then back to v1 in one call.
    await seed.call('POST', `/api/v4/projects/${projectId}/deployments`, { environment: 'staging', model: MODEL, version: '2', reason: 'v2 fixed' });
    await waitFor('v2 to answer', async () => ((await answerOf(0)) === 1 ? true : undefined), 240_000);
    const env = await environment();
    const rollback = await seed.call<Deployment>('POST', `/api/v4/projects/${projectId}/environments/${env!.id}/rollback`, { reason: 'customers complain' });
    expect(versionsOf(rollback)).toEqual([['stable', 1, 100]]);
    expect(rollback.reason).toMatch(/customers complain/);
    await waitFor('v1 to answer again', async () => ((await answerOf(0)) === 0 ? true : undefined), 240_000);
    const history = await seed.call<Deployment[]>('GET', `/api/v4/projects/${projectId}/deployments?environment=staging&sort=asc`);
    expect(history.map((d) => d.reason)).toEqual([
      'first release',
      expect.stringMatching(/canary/),
      expect.stringMatching(/^rollback: error rate/),
      'v2 fixed',
      expect.stringMatching(/customers complain/),
    ]);
  }, 600_000);
});
