import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BIN, serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The whole loop, with real parts: a git repository made here, a push webhook signed as GitHub
 * signs it, the server and two runners as separate processes, a training job that logs and
 * registers a model with the real mlflow client using only the variables the job was given,
 * and the registry event starting an evaluate-and-validate pipeline whose verdict lands on the
 * version.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const SECRET = 'e2e-webhook-secret-0123456789';
const MASKED = 'masked-value-e2e-42';
const PYTHON = process.env.MODELYARD_TEST_PYTHON;

let root: string;
let repo: string;
let database: TestDatabase;
let server: ServerProcess;
let seed: Seeder;
let projectId: number;
const runners: { child: ChildProcess; output: () => string }[] = [];

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();

const TRAIN = `
import os, mlflow, mlflow.sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
assert os.environ["MLFLOW_TRACKING_URI"].endswith("/ml/mlflow"), os.environ["MLFLOW_TRACKING_URI"]
X, y = load_iris(return_X_y=True)
mlflow.set_experiment("iris")
with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=300).fit(X, y)
    mlflow.log_param("max_iter", 300)
    mlflow.log_metric("train_accuracy", model.score(X, y))
    mlflow.sklearn.log_model(model, name="model", registered_model_name="iris-e2e")
print("secret is", os.environ["API_SECRET"])
print("trained run", run.info.run_id)
`;

const EVALUATE = `
import json, os, mlflow.pyfunc
from sklearn.datasets import load_iris
X, y = load_iris(return_X_y=True)
model = mlflow.pyfunc.load_model(os.environ["MODEL_URI"])
accuracy = float((model.predict(X) == y).mean())
json.dump({"accuracy": accuracy}, open("metrics.json", "w"))
print("accuracy", accuracy)
`;

const PIPELINE = `
stages: [train, evaluate, validate]
include:
  - template: Modelyard/Train.gitlab-ci.yml
  - template: Modelyard/Evaluate.gitlab-ci.yml
  - template: Modelyard/Validate.gitlab-ci.yml
variables:
  VALIDATE_THRESHOLDS: "accuracy>=0.8"
  TRAIN_REQUIREMENTS: none.txt
`;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\nrunner output:\n${runners
          .map((r) => r.output())
          .join('\n---\n')
          .slice(-4000)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Pipeline = { id: number; status: string; source: string; sha: string | null; model_version_id: number | null };
type Job = { id: number; name: string; status: string; failure_reason: string | null };

const finished = (p: Pipeline) => ['success', 'failed', 'canceled', 'skipped'].includes(p.status);

async function pipelineDone(filter: (p: Pipeline) => boolean): Promise<Pipeline> {
  return waitFor('a pipeline to finish', async () => {
    const list = await seed.call<Pipeline[]>('GET', `/api/v4/projects/${projectId}/pipelines?per_page=100`);
    const found = list.find(filter);
    return found && finished(found) ? found : undefined;
  });
}

const jobsOf = (pipelineId: number) => seed.call<Job[]>('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`);
const trace = async (jobId: number) => (await fetch(`${server.base}/api/v4/projects/${projectId}/jobs/${jobId}/trace`, { headers: { 'private-token': ADMIN } })).text();

async function startRunner(name: string): Promise<void> {
  const created = await seed.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: name, run_untagged: true });
  const builds = path.join(root, `builds-${name}`);
  const pythonBin = PYTHON ? path.dirname(PYTHON) : '';
  const child = spawn(process.execPath, [BIN, 'runner', '--url', server.base, '--token', created.token, '--builds-dir', builds, '--heartbeat', '1'], {
    env: { ...serverEnv({}), PATH: `${pythonBin}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  runners.push({ child, output: () => out });
}

beforeAll(async () => {
  if (!PYTHON) throw new Error('MODELYARD_TEST_PYTHON must name the venv python with the pinned mlflow (scripts/python-env.sh prints it)');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-e2e-'));
  repo = path.join(root, 'repo');
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, '.modelyard-ci.yml'), PIPELINE);
  fs.writeFileSync(path.join(repo, 'train.py'), TRAIN);
  fs.writeFileSync(path.join(repo, 'evaluate.py'), EVALUATE);
  git('add', '.');
  git('commit', '-q', '-m', 'Train an iris classifier');

  database = await createTestDatabase();
  server = await serveProcess(root, {
    MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN,
    MODELYARD_DATA_DIR: path.join(root, 'data'),
    MODELYARD_DATABASE_URL: database.url,
    MODELYARD_OUTBOUND_ALLOW: 'file://',
  });
  seed = new Seeder(server.base, ADMIN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'e2e', path: 'e2e' })).id;
  await seed.call('PUT', `/api/v4/projects/${projectId}/ci/settings`, { repository_url: repo, webhook_secret: SECRET });
  await seed.call('POST', `/api/v4/projects/${projectId}/variables`, { key: 'API_SECRET', value: MASKED, masked: true });
  await startRunner('one');
  await startRunner('two');
}, 120_000);

afterAll(async () => {
  for (const r of runners) r.child.kill('SIGKILL');
  await server?.stop();
  await database?.drop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('push → train → register → evaluate → validate', () => {
  it('runs the whole loop with real processes and the real mlflow client', async () => {
    const sha = git('rev-parse', 'HEAD');
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0000000000000000000000000000000000000000',
      after: sha,
      repository: { clone_url: repo, ssh_url: repo, html_url: repo },
      pusher: { name: 'e2e' },
      head_commit: { id: sha, message: 'Train an iris classifier' },
    });
    const unsigned = await fetch(`${server.base}/api/v4/projects/${projectId}/ci/push/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, body });
    expect(unsigned.status).toBe(401);
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const pushed = await fetch(`${server.base}/api/v4/projects/${projectId}/ci/push/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    });
    expect(pushed.status, await pushed.clone().text()).toBe(201);

    const train = await pipelineDone((p) => p.source === 'push');
    const trainJobs = await jobsOf(train.id);
    const log = await trace(trainJobs[0]!.id);
    expect(train.status, log).toBe('success');
    expect(train.sha).toBe(sha);
    expect(trainJobs.map((j) => j.name)).toEqual(['train']);
    expect(log).toContain('secret is [MASKED]');
    expect(log).not.toContain(MASKED);

    // The registration started the evaluate-and-validate pipeline for the new version.
    const evaluation = await pipelineDone((p) => p.source === 'model_registry');
    const evaluationJobs = await jobsOf(evaluation.id);
    expect(evaluation.status, (await Promise.all(evaluationJobs.map((j) => trace(j.id)))).join('\n----\n')).toBe('success');
    expect(evaluationJobs.map((j) => j.name)).toEqual(['evaluate', 'validate']);

    const models = await seed.call<{ id: number; name: string }[]>('GET', `/api/v4/projects/${projectId}/ml/models?search=iris-e2e`);
    const modelId = models.find((m) => m.name === 'iris-e2e')!.id;
    const version = await seed.call<{ id: number; version: number }>('GET', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1`);
    expect(evaluation.model_version_id).toBe(version.id);
    const results = await seed.call<{ metrics: Record<string, number>; passed: boolean | null; thresholds: string[] | null; job_id: number }[]>(
      'GET',
      `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/evaluations`,
    );
    const verdict = results.find((r) => r.passed !== null)!;
    const measured = results.find((r) => r.passed === null)!;
    expect(measured.metrics.accuracy).toBeGreaterThan(0.8);
    expect(measured.job_id).toBe(evaluationJobs[0]!.id);
    expect(verdict).toMatchObject({ passed: true, thresholds: ['accuracy>=0.8'], job_id: evaluationJobs[1]!.id });
    const forVersion = await seed.call<Pipeline[]>('GET', `/api/v4/projects/${projectId}/pipelines?model_version_id=${version.id}`);
    expect(forVersion.map((p) => p.id)).toEqual([evaluation.id]);

    // Lineage: version → run → job → pipeline → commit.
    const lineage = await seed.call<{ ci_job_id: number; run: { tags: Record<string, string> } }>('GET', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/lineage`);
    expect(lineage.ci_job_id).toBe(trainJobs[0]!.id);
    expect(lineage.run.tags['modelyard.ci.pipeline_id']).toBe(String(train.id));
  }, 300_000);

  it('never runs a job twice with two runners polling, and counts every job once', async () => {
    const count = path.join(root, 'executions.txt');
    await seed.call('PUT', `/api/v4/projects/${projectId}/ci/settings`, { repository_url: null });
    await seed.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: 'work:\n  parallel: 40\n  script:\n    - echo "$CI_JOB_ID $CI_RUNNER_ID" >> "$COUNT_FILE"\n' });
    const pipeline = await seed.call<Pipeline>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main', variables: [{ key: 'COUNT_FILE', value: count }] });
    const done = await pipelineDone((p) => p.id === pipeline.id);
    expect(done.status).toBe('success');
    const lines = fs.readFileSync(count, 'utf8').trim().split('\n');
    const jobIds = lines.map((l) => l.split(' ')[0]);
    expect(lines.length).toBe(40);
    expect(new Set(jobIds).size).toBe(40);
    expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(2); // both runners took work
  }, 120_000);

  it('stops a canceled job and a job past its timeout, in the runner', async () => {
    await seed.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: 'hang:\n  script: [sleep 300]\nslow:\n  timeout: 3 seconds\n  script: [sleep 300]\n' });
    const pipeline = await seed.call<Pipeline>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' });
    const hang = await waitFor('the job to run', async () => (await jobsOf(pipeline.id)).find((j) => j.name === 'hang' && j.status === 'running'));
    const started = Date.now();
    await seed.call('POST', `/api/v4/projects/${projectId}/jobs/${hang.id}/cancel`);
    const done = await pipelineDone((p) => p.id === pipeline.id);
    expect(Date.now() - started).toBeLessThan(60_000);
    const jobs = await jobsOf(pipeline.id);
    expect(jobs.find((j) => j.name === 'hang')!.status).toBe('canceled');
    expect(jobs.find((j) => j.name === 'slow')).toMatchObject({ status: 'failed', failure_reason: 'job_execution_timeout' });
    expect(await trace(jobs.find((j) => j.name === 'slow')!.id)).toContain('timed out after 3 seconds');
    expect(done.status).toBe('failed');
    // no sleep is left behind by either job (only this test's: others may run on the same machine)
    const leftovers = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && m[2]!.trim() === 'sleep 300')
      .filter((m) => {
        try {
          return fs.readlinkSync(`/proc/${m[1]}/cwd`).startsWith(root);
        } catch {
          return false; // gone meanwhile
        }
      });
    expect(leftovers.map((m) => m[0])).toEqual([]);
  }, 120_000);
});
