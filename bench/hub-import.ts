import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startHubStandIn } from '../test/support/hub-stand-in.ts';
import { BENCH_TOKEN, startModelyard } from './servers.ts';

/**
 * `npx tsx bench/hub-import.ts [--size 2GiB] [--files 8]` (issue 19): a repository of LFS files
 * served by a local Hub-compatible server (the Hub stand-in, test/support/hub-stand-in.ts),
 *  1. imported by Modelyard (POST …/ml/imports/huggingface until the job succeeds) vs
 *     huggingface_hub's `snapshot_download` of the same into a folder (target: ≥ 80 %);
 *  2. the imported version downloaded through Modelyard's Hub API (`snapshot_download` with
 *     HF_ENDPOINT=<server>/api/hf) vs MLflow's artifact download (`mlflow.artifacts.download_artifacts`)
 *     of the same files logged as a run's artifacts on the same server.
 * The clients come from the pinned venvs: test/hub/requirements.txt and the MLflow client's.
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const run = promisify(execFile);
const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

function bytesOf(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size: ${text} is not a size like 256MiB or 2GiB`);
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(match[2] ?? 'B').toLowerCase() as 'b' | 'kib' | 'mib' | 'gib'];
  return Math.floor(Number(match[1]) * unit);
}

const size = bytesOf(option('--size', '2GiB'));
const fileCount = Number(option('--files', '8'));
const mib = (bytes: number, seconds: number) => bytes / 1024 / 1024 / seconds;
const hubPython = execFileSync('bash', ['scripts/python-env.sh', 'test/hub/requirements.txt'], { encoding: 'utf8' }).trim();
const mlflowPython = execFileSync('bash', ['scripts/python-env.sh'], { encoding: 'utf8' }).trim();

/**
 * Runs a Python snippet that prints the seconds its timed part took, as its last line. Not
 * synchronously: the Hub stand-in answering it runs in this process's event loop.
 */
async function timedPython(python: string, code: string, env: Record<string, string>): Promise<number> {
  const { stdout } = await run(python, ['-c', code], { encoding: 'utf8', env: { ...process.env, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1', ...env }, maxBuffer: 1 << 24 });
  return Number(stdout.trim().split('\n').pop());
}

const SNAPSHOT = `
import os, sys, time
from huggingface_hub import snapshot_download
start = time.perf_counter()
snapshot_download(os.environ["BENCH_REPO"], revision=os.environ["BENCH_REVISION"], local_dir=os.environ["BENCH_DIR"], max_workers=8)
print(time.perf_counter() - start)
`;

const MLFLOW_DOWNLOAD = `
import os, time, mlflow
client = mlflow.MlflowClient()
run = client.create_run(client.create_experiment("bench-hub-import"))
client.log_artifacts(run.info.run_id, os.environ["BENCH_SOURCE"], "model")
start = time.perf_counter()
mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="model", dst_path=os.environ["BENCH_DIR"])
print(time.perf_counter() - start)
`;

async function call<T>(base: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, { method, headers: { 'private-token': BENCH_TOKEN, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hub-import-'));
  const each = Math.ceil(size / fileCount);
  const files: Record<string, Buffer> = { 'config.json': Buffer.from('{"model_type":"bench"}') };
  for (let i = 1; i <= fileCount; i++) files[`model-${String(i).padStart(5, '0')}-of-${String(fileCount).padStart(5, '0')}.safetensors`] = randomBytes(each);
  const hub = await startHubStandIn({ 'bench/weights': { files, lfs: Object.keys(files).filter((f) => f.endsWith('.safetensors')) } }, { pageSize: 1000 });
  // LFS files from another host name, as the Hub's CDN: huggingface_hub follows redirects on the Hub's own host.
  hub.redirectLfsTo(`http://localhost:${hub.port}`);
  const total = Object.values(files).reduce((sum, b) => sum + b.length, 0);
  const server = await startModelyard({ MODELYARD_HF_ENDPOINT: hub.url, MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port},localhost:${hub.port}` });
  try {
    log(`a repository of ${fileCount} LFS files, ${(total / 1024 ** 3).toFixed(2)} GiB, served by the Hub stand-in at ${hub.url}`);
    const snapshot = await timedPython(hubPython, SNAPSHOT, {
      HF_ENDPOINT: hub.url,
      HF_HOME: path.join(dir, 'hf-home'),
      BENCH_REPO: 'bench/weights',
      BENCH_REVISION: 'main',
      BENCH_DIR: path.join(dir, 'snapshot'),
    });

    const project = await call<{ id: number }>(server.base, 'POST', '/api/v4/projects', { name: 'bench', path: 'bench' });
    const started = performance.now();
    const job = await call<{ id: number }>(server.base, 'POST', `/api/v4/projects/${project.id}/ml/imports/huggingface`, { repository: 'bench/weights', model: 'weights' });
    let ended: { state: string; error: string | null; version_id: number | null };
    do {
      await new Promise((r) => setTimeout(r, 100));
      ended = await call(server.base, 'GET', `/api/v4/projects/${project.id}/ml/imports/${job.id}`);
    } while (!['succeeded', 'failed', 'canceled'].includes(ended.state));
    const imported = (performance.now() - started) / 1000;
    if (ended.state !== 'succeeded') throw new Error(`the import ended ${ended.state}: ${ended.error}`);
    log(
      `import:   Modelyard ${imported.toFixed(2)} s, ${mib(total, imported).toFixed(0)} MiB/s; snapshot_download ${snapshot.toFixed(2)} s, ${mib(total, snapshot).toFixed(0)} MiB/s (Modelyard at ${((snapshot / imported) * 100).toFixed(0)} % of its throughput, target ≥ 80 %)`,
    );

    const viaHub = await timedPython(hubPython, SNAPSHOT, {
      HF_ENDPOINT: `${server.base}/api/hf`,
      HF_TOKEN: BENCH_TOKEN,
      HF_HOME: path.join(dir, 'hf-home-modelyard'),
      BENCH_REPO: 'bench/weights',
      BENCH_REVISION: '1',
      BENCH_DIR: path.join(dir, 'from-hub-api'),
    });
    const viaMlflow = await timedPython(mlflowPython, MLFLOW_DOWNLOAD, {
      MLFLOW_TRACKING_URI: `${server.base}/api/v4/projects/${project.id}/ml/mlflow`,
      MLFLOW_TRACKING_TOKEN: BENCH_TOKEN,
      BENCH_SOURCE: path.join(dir, 'snapshot'),
      BENCH_DIR: path.join(dir, 'from-mlflow'),
    });
    log(
      `download: Hub API (snapshot_download) ${viaHub.toFixed(2)} s, ${mib(total, viaHub).toFixed(0)} MiB/s; MLflow artifacts (download_artifacts) ${viaMlflow.toFixed(2)} s, ${mib(total, viaMlflow).toFixed(0)} MiB/s (the Hub API at ${((viaMlflow / viaHub) * 100).toFixed(0)} % of its throughput)`,
    );
  } finally {
    await server.stop();
    await hub.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
