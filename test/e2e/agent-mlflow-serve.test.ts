import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../src/agent-protocol/protocol.ts';
import { AGENT_TOKEN, StubServer, repoRoot } from '../support/agent/stub-server.ts';

/**
 * The agent serving a real MLflow model: a scikit-learn model saved by the pinned mlflow
 * (pickled), packed as the server packs a version, started with MLflow's own scoring server
 * (`mlflow models serve --env-manager local`) from the configured Python, and answering a
 * prediction through /invocations in MLflow's scoring protocol.
 */
const PYTHON = process.env.MODELYARD_TEST_PYTHON;

const SAVE_MODEL = `
import sys, numpy as np, mlflow.sklearn
from sklearn.linear_model import LogisticRegression
X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
mlflow.sklearn.save_model(LogisticRegression().fit(X, y), sys.argv[1], serialization_format="pickle")
`;

let stub: StubServer;
let root: string;
let agent: ChildProcess | undefined;
let output = '';

function filesOf(dir: string, prefix = ''): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, filesOf(path.join(dir, entry.name), relative));
    else files[relative] = fs.readFileSync(path.join(dir, entry.name));
  }
  return files;
}

beforeAll(async () => {
  if (!PYTHON) throw new Error('MODELYARD_TEST_PYTHON must name the venv python with the pinned mlflow (scripts/python-env.sh prints it)');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-mlflow-'));
  execFileSync(PYTHON, ['-c', SAVE_MODEL, path.join(root, 'model')], { stdio: 'pipe' });
  stub = new StubServer();
  await stub.up();
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent!.once('exit', resolve));
  }
  await stub?.down();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('the agent with MLflow', () => {
  it('serves an sklearn version with mlflow models serve and answers /invocations', async () => {
    const model = filesOf(path.join(root, 'model'));
    expect(Object.keys(model)).toContain('model.pkl');
    const files = await stub.addArchive('sklearn', model);
    const instance: Instance = {
      instance_id: 'staging-stable-1',
      project: { id: 1, path: 'team/models' },
      environment: { id: 1, name: 'staging' },
      deployment_id: 1,
      variant: 'stable',
      model: { name: 'clf', version: 1, semver: '1.0.0', flavor: 'sklearn' },
      files,
      server: { kind: 'mlflow' },
      health: { path: '/ping', interval_seconds: 1, timeout_seconds: 5 },
    };
    stub.setInstances([instance]);
    agent = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'agent', '--url', stub.url, '--token', AGENT_TOKEN, '--work-dir', path.join(root, 'work'), '--python', PYTHON!],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    agent.stdout!.on('data', (d) => (output += d));
    agent.stderr!.on('data', (d) => (output += d));

    const ready = await stub
      .waitForReport((r) => r.state === 'ready' || r.state === 'failed', 240_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nagent output:\n${output}`);
      });
    const log = () => fs.readFileSync(path.join(root, 'work', 'logs', `${instance.instance_id}.log`), 'utf8');
    expect(ready.state, `${ready.message}\n${log()}`).toBe('ready');
    expect(stub.checkIns[0]?.python?.mlflow).toMatch(/^3\./);

    const answer = await fetch(`${ready.endpoint}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [[0.0], [3.0]] }) });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ predictions: [0, 1] });
    const split = await fetch(`${ready.endpoint}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[0.5], [2.5]] } }),
    });
    expect(await split.json()).toEqual({ predictions: [0, 1] });

    agent.kill('SIGTERM');
    await new Promise((resolve) => agent!.once('exit', resolve));
    expect(stub.reportsOf(instance.instance_id).at(-1)?.state).toBe('stopped');
    await expect(fetch(`${ready.endpoint}/ping`)).rejects.toThrow();
    expect(stub.invalid).toEqual([]);
  }, 300_000);
});
