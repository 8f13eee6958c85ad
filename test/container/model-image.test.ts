import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { BIN, serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * A model version's container image, end to end with every part real: a scikit-learn version
 * registered by the pinned mlflow client; its image context downloaded from the server; the
 * wheels of its requirements from a wheelhouse cached by the requirements' hash; the image built
 * with podman (vfs, runc, cgroupfs) FROM a Debian 12 base with python3 that mmdebstrap made
 * (cached by its recipe's hash under ~/.cache/modelyard-ci); the image recorded on the version;
 * a `modelyard agent --serve-with container` running it with podman; predictions through the
 * gateway; SIGTERM to the agent removes the container.
 *   MODELYARD_TEST_PYTHON=$(bash scripts/python-env.sh) npx vitest run --project container
 */
const ADMIN = 'container-e2e-admin-token-0123456789';
const PYTHON = process.env.MODELYARD_TEST_PYTHON;
const MODEL = 'image-e2e';
const PODMAN = ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--runtime=runc', '--events-backend=file'];

const REGISTER = `
import numpy as np, mlflow, mlflow.sklearn
from sklearn.linear_model import LogisticRegression
X = np.array([[0.0], [1.0], [2.0], [3.0]])
mlflow.set_experiment("image-e2e")
with mlflow.start_run():
    mlflow.sklearn.log_model(LogisticRegression().fit(X, np.array([0, 0, 1, 1])), name="model", registered_model_name="${MODEL}", serialization_format="pickle")
`;

let root: string;
let database: TestDatabase;
let server: ServerProcess;
let seed: Seeder;
let projectId: number;
let modelId: number;
let agent: { child: ChildProcess; output: () => string } | undefined;
const image = `localhost/modelyard-e2e/${MODEL}:1.0.0-${process.pid}`;
const timings: Record<string, number> = {};

/** Slow steps run without blocking the event loop: the HTTP client's idle connections must see the server close them. */
const run = async (program: string, args: string[]) => (await promisify(execFile)(program, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[what] = Math.round((Date.now() - started) / 100) / 10;
  }
}

const podman = (...args: string[]) => execFileSync('podman', [...PODMAN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nagent output:\n${agent?.output().slice(-4000)}\nserver output:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  if (!PYTHON) throw new Error('MODELYARD_TEST_PYTHON must name the venv python with the pinned mlflow (scripts/python-env.sh prints it)');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-image-e2e-'));
  database = await createTestDatabase();
  server = await serveProcess(root, {
    MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN,
    MODELYARD_DATA_DIR: path.join(root, 'data'),
    MODELYARD_DATABASE_URL: database.url,
    MODELYARD_SERVING_CACHE_SECONDS: '0.2',
  });
  seed = new Seeder(server.base, ADMIN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'image-e2e', path: 'image-e2e' })).id;
  await promisify(execFile)(PYTHON, ['-c', REGISTER], {
    cwd: root,
    env: { ...process.env, MLFLOW_TRACKING_URI: `${server.base}/api/v4/projects/${projectId}/ml/mlflow`, MLFLOW_TRACKING_TOKEN: ADMIN },
  });
  const models = await seed.call<{ id: number; name: string }[]>('GET', `/api/v4/projects/${projectId}/ml/models`);
  modelId = models.find((m) => m.name === MODEL)!.id;
}, 300_000);

afterAll(async () => {
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGTERM');
    await new Promise((resolve) => agent!.child.once('exit', resolve));
  }
  await server?.stop();
  await database?.drop();
  try {
    podman('rmi', '--force', image);
  } catch {
    // Not built: nothing to remove.
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
  console.log(`model image test timings (s): ${JSON.stringify(timings)}`);
});

describe("a version's container image", () => {
  it('builds offline from the image context on an mmdebstrap base, is recorded on the version, runs under the agent in container mode and answers through the gateway', async () => {
    const base = (await timed('base', () => run('bash', ['scripts/model-image-base.sh']))).split('\n').at(-1)!;
    expect(base).toMatch(/^localhost\/modelyard-model-base:[0-9a-f]{16}$/);

    const versionUrl = `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1`;
    const res = await fetch(`${server.base}${versionUrl}/image-context`, { headers: { 'private-token': ADMIN } });
    expect(res.status).toBe(200);
    const context = path.join(root, 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(root, 'context.tar.gz'), Buffer.from(await res.arrayBuffer()));
    execFileSync('tar', ['-xzf', path.join(root, 'context.tar.gz'), '-C', context]);
    expect(fs.readFileSync(path.join(context, 'requirements.txt'), 'utf8')).toMatch(/^mlflow-skinny==3\.17\.2\n(?:.*\n)*scikit-learn==/);
    expect(fs.existsSync(path.join(context, 'model', 'model.pkl'))).toBe(true);

    await timed('wheels', () => run('bash', ['scripts/model-image-wheels.sh', path.join(context, 'requirements.txt'), path.join(context, 'wheels')]));
    // --network none: the build installs from the context's wheelhouse or fails.
    await timed('build', () => run('podman', [...PODMAN, 'build', '--quiet', '--format', 'docker', '--layers=false', '--network', 'none', '--build-arg', `BASE=${base}`, '--tag', image, context]));
    const [digest, size] = podman('image', 'inspect', '--format', '{{.Digest}} {{.Size}}', image).split(' ');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(podman('image', 'inspect', '--format', '{{.Config.User}} {{index .Config.Labels "io.modelyard.model"}}', image)).toBe(`10001:10001 ${MODEL}`);
    timings.imageMB = Math.round(Number(size) / 1e6);

    const recorded = await seed.call<{ digest: string; version: { version: number } }>('POST', `${versionUrl}/images`, {
      digest,
      size: Number(size),
      base,
      reference: image.replace(/:[^:/]+$/, ''),
      tags: [image.split(':').at(-1)!],
    });
    expect(recorded).toMatchObject({ digest, version: { version: 1 } });
    expect((await seed.call<{ digest: string }[]>('GET', `${versionUrl}/images`)).map((i) => i.digest)).toEqual([digest]);

    const agentToken = (await seed.call<{ token: string }>('POST', `/api/v4/projects/${projectId}/serving_agents`, { description: 'container e2e' })).token;
    const admin = await seed.call<{ id: number }>('GET', '/api/v4/user');
    const serveToken = (await seed.call<{ token: string }>('POST', `/api/v4/users/${admin.id}/personal_access_tokens`, { name: 'gateway', scopes: ['serve'] })).token;
    await seed.call('POST', `/api/v4/projects/${projectId}/deployments`, { environment: 'staging', model: MODEL, version: '1', reason: 'the image' });
    const child = spawn(process.execPath, [BIN, 'agent', '--url', server.base, '--work-dir', path.join(root, 'agent'), '--serve-with', 'container'], {
      env: serverEnv({ MODELYARD_AGENT_TOKEN: agentToken }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    agent = { child, output: () => out };

    const started = Date.now();
    const predict = async (x: number) => {
      const answer = await fetch(`${server.base}/serving/${projectId}/staging/invocations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serveToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[x]] } }),
      });
      return answer.status === 200 ? ((await answer.json()) as { predictions: number[] }).predictions[0] : undefined;
    };
    expect(await waitFor('the image to serve through the gateway', () => predict(0))).toBe(0);
    timings.serving = Math.round((Date.now() - started) / 100) / 10;
    expect(await predict(3)).toBe(1);

    // The model server is the image, run by podman as its unprivileged user, published on loopback.
    const running = podman('ps', '--filter', 'name=^modelyard-', '--format', '{{.Names}} {{.ImageID}} {{.Ports}}');
    expect(running).toMatch(new RegExp(`^modelyard-e\\d+-v\\d+-[0-9a-f]{8} ${podman('image', 'inspect', '--format', '{{.Id}}', image).slice(0, 12)}[0-9a-f]* 127\\.0\\.0\\.1:\\d+->8080/tcp$`));
    const name = running.split(' ')[0]!;
    expect(podman('exec', name, 'id', '-u')).toBe('10001');

    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(podman('ps', '--all', '--filter', `name=^${name}$`, '--format', '{{.Names}}')).toBe('');
  });
});
