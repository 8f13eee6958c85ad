import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandVariables } from '../../src/runner/job-environment.ts';
import { ProtocolClient, type Job } from '../../src/runner/protocol-client.ts';
import { runCommands } from '../../src/runner/shell-executor.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startDockerRegistry, type DockerRegistry } from '../support/docker-registry.ts';
import { BIN, serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * A model version's container image, end to end with every part real: a scikit-learn version
 * registered by the pinned mlflow client starts the `Modelyard/Image` template's job (the
 * project's pipeline includes it, as a user's would); this test is the job's runner (the
 * runner's own protocol client and shell executor) and runs the job's script as the server
 * handed it out, but for one command: the wheels come from a wheelhouse cached by the
 * requirements' hash instead of `pip download`. So the template downloads the image context,
 * builds the image with podman (vfs, runc, cgroupfs) FROM a Debian 12 base with python3 that
 * mmdebstrap made (cached by its recipe's hash under ~/.cache/modelyard-ci), pushes it with
 * skopeo to Debian's docker-registry (htpasswd auth, credentials from masked CI variables),
 * uploads an oci-archive of it to the package registry and records the pushed image on the
 * version. The test then checks the registry and the archive, pulls the image by digest as an
 * operator would, and a `modelyard agent --serve-with container` runs it with podman;
 * predictions go through the gateway; SIGTERM to the agent removes the container. The job's
 * script once more without IMAGE_PUSH_TO (no build: the image is there) records the local one.
 *   MODELYARD_TEST_PYTHON=$(bash scripts/python-env.sh) npx vitest run --project container
 */
const ADMIN = 'container-e2e-admin-token-0123456789';
const PYTHON = process.env.MODELYARD_TEST_PYTHON;
const MODEL = 'image-e2e';
const PODMAN = ['--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--runtime=runc', '--events-backend=file'];
const REGISTRY_USER = 'modelyard-ci';
const REGISTRY_PASSWORD = `push-${createHash('sha256').update(`${process.pid}-${Date.now()}`).digest('hex').slice(0, 24)}`;
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

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
let registry: DockerRegistry;
let seed: Seeder;
let projectId: number;
let modelId: number;
let runnerToken: string;
let agent: { child: ChildProcess; output: () => string } | undefined;
let heartbeat: NodeJS.Timeout | undefined;
let imageId: string | undefined;
const timings: Record<string, number> = {};
const facts: Record<string, boolean | string> = {};

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
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** skopeo against the test's registry (plain HTTP); answers stdout, or throws with stderr. */
const skopeo = (...args: string[]) => run('skopeo', args);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nagent output:\n${agent?.output().slice(-4000)}\nserver output:\n${server.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Runs commands of the job as the runner does (one bash script, each command echoed before it
 * runs), in the job's folder with its variables; answers the exit code, the whole output, and
 * how long each command took (from the moment its echo appeared to the next one's).
 */
async function runJobScript(commands: string[], env: NodeJS.ProcessEnv, name: string, label: (command: string) => string) {
  const dir = path.join(root, 'job');
  const scriptDir = path.join(root, 'job-scripts');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(scriptDir, { recursive: true });
  let output = '';
  const seen: number[] = [];
  const started = Date.now();
  const outcome = await runCommands({
    commands,
    cwd: dir,
    scriptDir,
    name,
    env,
    signal: AbortSignal.timeout(800_000),
    onOutput: (text) => {
      output += text;
      // The echo of the next command ("$ <command>" in green) marks when it started.
      while (seen.length < commands.length && output.includes(`\u001b[32;1m$ ${commands[seen.length]}`, 0)) seen.push(Date.now());
    },
  });
  const ended = Date.now();
  const steps: Record<string, number> = {};
  seen.forEach((at, i) => {
    const key = label(commands[i]!);
    steps[key] = Math.round(((steps[key] ?? 0) * 1000 + ((seen[i + 1] ?? ended) - at)) / 100) / 10;
  });
  return { ...outcome, output, steps, seconds: Math.round((ended - started) / 100) / 10 };
}

/** A name for a command of the template's script, for the timings. */
function stepLabel(command: string): string {
  if (command.includes('| tar -xz')) return 'context';
  if (command.includes('model-image-wheels.sh')) return 'wheels';
  if (command.includes(' build ')) return 'build';
  if (command.includes('save --quiet --format docker-archive')) return 'save';
  if (command.includes('skopeo copy --quiet --format v2s2 --dest-tls-verify')) return 'push';
  if (command.includes('oci-archive:')) return 'archive';
  if (command.includes('/images"')) return 'record';
  if (command.includes('image inspect')) return 'inspect';
  return 'other';
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
  registry = await timed('registryStart', () => startDockerRegistry(path.join(root, 'registry'), REGISTRY_USER, REGISTRY_PASSWORD));
  seed = new Seeder(server.base, ADMIN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'image-e2e', path: 'image-e2e' })).id;
  // The pipeline a user would write: the template, its job told where to push and to archive;
  // the registry's credentials are masked CI variables of the project.
  await seed.call('PUT', `/api/v4/projects/${projectId}/ci/config`, {
    content: [
      'stages: [image]',
      'include:',
      '  - template: Modelyard/Image',
      'build-image:',
      '  variables:',
      `    IMAGE_PUSH_TO: ${registry.host}/team/churn`,
      '    IMAGE_PUSH_TLS_VERIFY: "false"',
      '    IMAGE_ARCHIVE: "true"',
      '',
    ].join('\n'),
  });
  for (const [key, value] of [
    ['IMAGE_REGISTRY_USER', REGISTRY_USER],
    ['IMAGE_REGISTRY_PASSWORD', REGISTRY_PASSWORD],
  ]) {
    await seed.call('POST', `/api/v4/projects/${projectId}/variables`, { key, value, masked: true });
  }
  runnerToken = (await seed.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'image e2e', run_untagged: true })).token;
  await promisify(execFile)(PYTHON, ['-c', REGISTER], {
    cwd: root,
    env: { ...process.env, MLFLOW_TRACKING_URI: `${server.base}/api/v4/projects/${projectId}/ml/mlflow`, MLFLOW_TRACKING_TOKEN: ADMIN },
  });
  const models = await seed.call<{ id: number; name: string }[]>('GET', `/api/v4/projects/${projectId}/ml/models`);
  modelId = models.find((m) => m.name === MODEL)!.id;
}, 300_000);

afterAll(async () => {
  if (heartbeat) clearInterval(heartbeat);
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGTERM');
    await new Promise((resolve) => agent!.child.once('exit', resolve));
  }
  await server?.stop();
  await registry?.close();
  await database?.drop();
  // The built image and the name the pull gave it are one image: removed by its id.
  for (const name of [imageId, `localhost/modelyard/project-${projectId}/model-${modelId}:1`]) {
    if (!name) continue;
    try {
      podman('rmi', '--force', name);
    } catch {
      // Not built, or gone already.
    }
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
  console.log(`model image test timings (s): ${JSON.stringify(timings)}; ${JSON.stringify(facts)}`);
});

describe("a version's container image", () => {
  it("is built by the Modelyard/Image template's job offline on an mmdebstrap base, pushed with skopeo to a registry and archived in the package registry, recorded on the version, pulled by digest and run under the agent in container mode, answering through the gateway", async () => {
    const base = (await timed('base', () => run('bash', ['scripts/model-image-base.sh']))).split('\n').at(-1)!;
    expect(base).toMatch(/^localhost\/modelyard-model-base:[0-9a-f]{16}$/);
    // The base this host has, for the template's IMAGE_BASE: a project variable, as an operator sets it.
    await seed.call('POST', `/api/v4/projects/${projectId}/variables`, { key: 'IMAGE_BASE', value: base });

    // The version's registration started the pipeline: this test takes its job, as a runner.
    const client = new ProtocolClient(server.base, runnerToken, 'r_imagee2e001');
    const job = await waitFor<Job>(
      'the build-image job',
      async () => (await client.requestJob({ name: 'image-e2e', executor: 'shell', shell: 'bash', features: { masking: true } }, undefined)).job ?? undefined,
      60_000,
    );
    expect(job.job_info.name).toBe('build-image');
    const byKey = new Map(job.variables.map((v) => [v.key, v]));
    expect(byKey.get('IMAGE_REGISTRY_PASSWORD')).toMatchObject({ value: REGISTRY_PASSWORD, masked: true, public: false });
    expect(byKey.get('IMAGE_REGISTRY_USER')).toMatchObject({ masked: true });
    // Alive while it runs, as a runner reports (a job silent past the heartbeat timeout fails).
    heartbeat = setInterval(() => void client.updateJob(job, { state: 'running' }).catch(() => undefined), 10_000);
    const env: NodeJS.ProcessEnv = { ...process.env, ...expandVariables(job.variables), CI_PROJECT_DIR: path.join(root, 'job') };
    expect(env).toMatchObject({ MODEL_ID: String(modelId), MODEL_VERSION: '1', IMAGE_PUSH_TO: `${registry.host}/team/churn`, IMAGE_ARCHIVE: 'true', IMAGE_BASE: base });

    // The job's script as the server handed it out; only `pip download` gives way to the cache.
    const script = job.steps.find((s) => s.name === 'script')!.script;
    const wheels = `bash ${path.join(REPO_ROOT, 'scripts/model-image-wheels.sh')} image-context/requirements.txt image-context/wheels`;
    expect(script.filter((c) => c.includes('pip download'))).toHaveLength(1);
    const commands = script.map((c) => (c.includes('pip download') ? wheels : c));
    const first = await timed('job', () => runJobScript(commands, env, 'build-image', stepLabel));
    Object.assign(timings, first.steps);
    expect(first.exitCode, first.output.slice(-6000)).toBe(0);

    // The credentials never reach the log, in any form.
    for (const secret of [REGISTRY_PASSWORD, Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')]) expect(first.output).not.toContain(secret);
    // No auth file is left behind: mktemp's file lived only for the push.
    const tmp = env.TMPDIR ?? '/tmp';
    const authFilesLeft = () =>
      fs.readdirSync(tmp).filter((f) => /^tmp\.\w{10}$/.test(f) && fs.statSync(path.join(tmp, f)).isFile() && fs.readFileSync(path.join(tmp, f), 'utf8').includes(`{"auths":{"${registry.host}"`));
    expect(authFilesLeft()).toEqual([]);

    // What the template downloaded and built.
    const context = path.join(root, 'job', 'image-context');
    expect(fs.readFileSync(path.join(context, 'requirements.txt'), 'utf8')).toMatch(/^mlflow-skinny==3\.17\.2\n(?:.*\n)*scikit-learn==/);
    expect(fs.existsSync(path.join(context, 'model', 'model.pkl'))).toBe(true);
    const local = `localhost/modelyard/project-${projectId}/model-${modelId}:1`;
    const [localDigest, size] = podman('image', 'inspect', '--format', '{{.Digest}} {{.Size}}', local).split(' ');
    imageId = podman('image', 'inspect', '--format', '{{.Id}}', local);
    expect(podman('image', 'inspect', '--format', '{{.Config.User}} {{index .Config.Labels "io.modelyard.model"}}', local)).toBe(`10001:10001 ${MODEL}`);
    timings.imageMB = Math.round(Number(size) / 1e6);

    // Recorded: the pushed reference and the pushed manifest's digest, by the job.
    const versionUrl = `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1`;
    const pushed = `${registry.host}/team/churn`;
    const images = await seed.call<{ digest: string; reference: string; size: number; base: string; tags: string[]; job_id: number | null }[]>('GET', `${versionUrl}/images`);
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ reference: `${pushed}:1`, size: Number(size), base, tags: ['1'], job_id: job.id });
    const digest = images[0]!.digest;
    expect(first.output).toContain(`pushed ${pushed}:1@${digest}`);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'job', 'image.json'), 'utf8'))).toMatchObject({ digest, reference: `${pushed}:1` });

    // The registry has it under that digest, for its user only; its config keeps the HEALTHCHECK.
    const creds = `--creds=${REGISTRY_USER}:${REGISTRY_PASSWORD}`;
    const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', creds, `docker://${pushed}:1`)) as { Digest: string; RepoTags: string[] };
    expect(inspected).toMatchObject({ Digest: digest, RepoTags: ['1'] });
    const manifest = await skopeo('inspect', '--raw', '--tls-verify=false', creds, `docker://${pushed}@${digest}`);
    expect(`sha256:${sha256(manifest)}`).toBe(digest);
    expect(JSON.parse(manifest)).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json' });
    const config = JSON.parse(await skopeo('inspect', '--config', '--raw', '--tls-verify=false', creds, `docker://${pushed}@${digest}`)) as { config: Record<string, unknown> };
    expect(config.config).toMatchObject({ User: '10001:10001', Labels: { 'io.modelyard.model': MODEL }, Healthcheck: { Test: expect.arrayContaining(['CMD']) as unknown } });
    await expect(skopeo('inspect', '--tls-verify=false', `--creds=${REGISTRY_USER}:wrong-${REGISTRY_PASSWORD}`, `docker://${pushed}:1`)).rejects.toThrow(/unauthorized|authentication required/);
    await expect(skopeo('inspect', '--tls-verify=false', '--no-creds', `docker://${pushed}:1`)).rejects.toThrow(/unauthorized|authentication required/);

    // The oci-archive in the package registry: the file the job uploaded, an OCI layout of the same image.
    const packages = await seed.call<{ id: number; name: string; version: string }[]>('GET', `/api/v4/projects/${projectId}/packages?package_type=generic&package_name=model-${modelId}-image`);
    expect(packages.map((p) => [p.name, p.version])).toEqual([[`model-${modelId}-image`, '1']]);
    const files = await seed.call<{ file_name: string; size: number; file_sha256: string }[]>('GET', `/api/v4/projects/${projectId}/packages/${packages[0]!.id}/package_files`);
    expect(files.map((f) => f.file_name)).toEqual(['image.oci.tar']);
    const uploaded = /archived image\.oci\.tar \((\d+) bytes, sha256 ([0-9a-f]{64})\)/.exec(first.output);
    expect(uploaded, first.output.slice(-3000)).not.toBeNull();
    const archive = path.join(root, 'image.oci.tar');
    const download = await fetch(`${server.base}/api/v4/projects/${projectId}/packages/generic/model-${modelId}-image/1/image.oci.tar`, { headers: { 'private-token': ADMIN } });
    expect(download.status).toBe(200);
    fs.writeFileSync(archive, Buffer.from(await download.arrayBuffer()));
    const archiveSha = sha256(fs.readFileSync(archive));
    expect([archiveSha, files[0]!.file_sha256, String(fs.statSync(archive).size)]).toEqual([uploaded![2], uploaded![2], uploaded![1]]);
    timings.archiveMB = Math.round(fs.statSync(archive).size / 1e6);
    const entries = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n');
    expect(entries).toEqual(expect.arrayContaining(['index.json', 'oci-layout']));
    expect(JSON.parse(execFileSync('tar', ['-xOf', archive, 'oci-layout'], { encoding: 'utf8' }))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(execFileSync('tar', ['-xOf', archive, 'index.json'], { encoding: 'utf8' })) as { manifests: { mediaType: string; digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', annotations: { 'org.opencontainers.image.ref.name': `${pushed}:1` } });
    const blob = (d: string) => execFileSync('tar', ['-xOf', archive, `blobs/sha256/${d.slice('sha256:'.length)}`], { maxBuffer: 64 * 1024 * 1024 });
    const archived = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { config: { digest: string }; layers: { digest: string }[] };
    // The same image as the registry's: the same config, so the same HEALTHCHECK.
    expect(archived.config.digest).toBe((JSON.parse(manifest) as { config: { digest: string } }).config.digest);
    expect(JSON.parse(blob(archived.config.digest).toString())).toMatchObject({ config: { Healthcheck: config.config.Healthcheck } });
    // Observed, not required: skopeo compresses the layers the same way both times, so the archive's manifest is the pushed one.
    facts.archiveManifestIsThePushedOne = index.manifests[0]!.digest === digest;

    // Another host pulls it by digest (here the agent's own podman storage, from the registry).
    await timed('pull', () => run('podman', [...PODMAN, 'pull', '--quiet', '--tls-verify=false', creds, `${pushed}@${digest}`]));
    expect(podman('image', 'inspect', '--format', '{{.Id}}', `${pushed}@${digest}`)).toBe(imageId);

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

    // The model server is the pushed image, run by podman as its unprivileged user, published on loopback.
    const running = podman('ps', '--filter', 'name=^modelyard-', '--format', '{{.Names}} {{.ImageID}} {{.Ports}}');
    // Fixed patterns per field, and the image id compared as a string (no pattern built from it).
    const [containerName, runningImage, ports, ...rest] = running.trim().split(' ');
    expect(rest).toEqual([]);
    expect(containerName).toMatch(/^modelyard-e\d+-v\d+-[0-9a-f]{8}$/);
    expect(runningImage).toMatch(/^[0-9a-f]{12,}$/);
    expect(runningImage!.startsWith(imageId.slice(0, 12))).toBe(true);
    expect(ports).toMatch(/^127\.0\.0\.1:\d+->8080\/tcp$/);
    const name = running.split(' ')[0]!;
    expect(podman('exec', name, 'id', '-u')).toBe('10001');
    // Started by the recorded reference and digest (podman drops the tag where a digest is given).
    expect(podman('inspect', '--format', '{{.ImageName}}', name)).toBe(`${pushed}@${digest}`);

    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(podman('ps', '--all', '--filter', `name=^${name}$`, '--format', '{{.Names}}')).toBe('');

    // Without IMAGE_PUSH_TO and IMAGE_ARCHIVE the job records the image in podman's storage, as it
    // is: its script once more without the download and the build (the image is there).
    const recordOnly = script.filter((c) => !c.includes('| tar -xz') && !c.includes('pip download') && !c.includes(' build '));
    expect(recordOnly).toHaveLength(script.length - 3);
    const second = await timed('recordLocal', () => runJobScript(recordOnly, { ...env, IMAGE_PUSH_TO: '', IMAGE_ARCHIVE: 'false' }, 'record-local', stepLabel));
    expect(second.exitCode, second.output.slice(-4000)).toBe(0);
    expect(second.output).not.toContain(REGISTRY_PASSWORD);
    expect(second.output).not.toMatch(/^(?:pushed|archived) /m);
    const both = await seed.call<{ digest: string; reference: string; job_id: number | null }[]>('GET', `${versionUrl}/images`);
    expect(both.map((i) => [i.reference, i.digest, i.job_id])).toEqual([
      [`localhost/modelyard/project-${projectId}/model-${modelId}`, localDigest, job.id],
      [`${pushed}:1`, digest, job.id],
    ]);

    // A wrong password: the registry refuses the push, the job fails there, and neither the
    // password nor the auth file outlives the command.
    const wrong = `wrong-${REGISTRY_PASSWORD}`;
    const toPush = script.filter((c) => !c.includes('| tar -xz') && !c.includes('pip download') && !c.includes(' build ') && !c.includes('/images"'));
    const refused = await timed('refusedPush', () => runJobScript(toPush, { ...env, IMAGE_REGISTRY_PASSWORD: wrong }, 'refused-push', stepLabel));
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toMatch(/unauthorized: authentication required/);
    expect(refused.output).not.toMatch(/^(?:pushed|archived) /m);
    for (const secret of [wrong, Buffer.from(`${REGISTRY_USER}:${wrong}`).toString('base64')]) expect(refused.output).not.toContain(secret);
    expect(authFilesLeft()).toEqual([]);
    expect((await seed.call<unknown[]>('GET', `${versionUrl}/images`)).length).toBe(2);

    // The job ends as a runner ends it: its log sent, then its verdict.
    clearInterval(heartbeat);
    heartbeat = undefined;
    const log = Buffer.from(first.output + second.output + refused.output);
    expect((await client.appendTrace(job, 0, log)).accepted).toBe(true);
    expect((await client.updateJob(job, { state: 'success', exit_code: 0 })).code).toBe(200);
    expect(await seed.call<{ status: string }>('GET', `/api/v4/projects/${projectId}/jobs/${job.id}`)).toMatchObject({ status: 'success' });
    const trace = await (await fetch(`${server.base}/api/v4/projects/${projectId}/jobs/${job.id}/trace`, { headers: { 'private-token': ADMIN } })).text();
    expect(trace).toContain(`pushed ${pushed}:1@${digest}`);
    expect(trace).not.toContain(REGISTRY_PASSWORD);
  });
});
