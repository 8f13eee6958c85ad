import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BUCKET, Postgres, S3_SECRET, S3_USER, answers, freePort, haproxyCounts, own, sleep, startHaproxy, startS3, waitUntil, type Owned, type S3Kind } from './soak-services.ts';

/**
 * Replicas under load and faults, all on loopback: two `modelyard serve` replicas (the
 * compiled build) behind HAProxy, on one PostgreSQL (scripts/postgres.sh) and one S3 server
 * (MinIO from scripts/go-tools.sh minio, or moto with `--s3 moto`), two `modelyard runner` processes.
 * Load: N real mlflow clients (one process each) logging metric batches and small artifacts,
 * pipelines through the runners, a signed-in UI session reading pages. Faults during the load:
 * SIGKILL of one replica (restarted 2 s later), a PostgreSQL restart, the S3 server paused for
 * 10 s. Checks: every acknowledged point and artifact reads back, no job ran twice or was left
 * unfinished, the session cookie outlives its replica, clients saw no non-retryable error.
 *
 *   npx tsx test/soak/replicas-faults.ts --clients 8 --seconds 90 [--s3 minio|moto] [--out FILE]
 *
 * PostgreSQL's port: MODELYARD_SOAK_PG_PORT (default 55440); the soak restarts that server, so
 * it must be the soak's own.
 */

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback);
const CLIENTS = Number(option('clients', '8'));
const SECONDS = Number(option('seconds', '90'));
const S3_KIND = option('s3', 'minio') as S3Kind;
const OUT = option('out', '');
const PG_PORT = Number(process.env.MODELYARD_SOAK_PG_PORT ?? '55440');
const ADMIN = `soak-admin-${randomBytes(12).toString('hex')}`;
const UI_PASSWORD = `Soak-ui-${randomBytes(8).toString('hex')}!`;
const SECRET_KEY = randomBytes(32).toString('base64');

const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const say = (line: string) => process.stdout.write(`[soak ${elapsed()}s] ${line}\n`);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-soak-'));
const owned: Owned[] = [];
/** The mlflow client processes: ended at clean-up too, should the harness fail before they stop. */
const clientProcesses: ChildProcess[] = [];
// Outside `root`: mkdtemp's folder is private to root, and PostgreSQL runs as its own user.
const pgDir = path.join(os.tmpdir(), `modelyard-soak-pg-${PG_PORT}`);
const postgres = new Postgres(PG_PORT, pgDir);

interface Replica {
  port: number;
  proc: Owned;
}

/** Processes that ended while the harness still needed them (a replica's crash is a finding). */
const unexpectedExits: string[] = [];
let tearingDown = false;

/** A replica restarted under the full load on a small machine may take minutes to answer. */
async function startReplica(index: number, port: number, env: Record<string, string>, seconds = 300): Promise<Replica> {
  const dataDir = path.join(root, `replica${index}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
  const proc = own(process.execPath, ['bin/modelyard.mjs', 'serve'], { ...clean, ...env, MODELYARD_PORT: String(port), MODELYARD_DATA_DIR: dataDir }, path.join(root, `replica${index}.log`));
  owned.push(proc);
  proc.child.on('exit', (code, signal) => {
    if (!tearingDown && signal !== 'SIGKILL') unexpectedExits.push(`replica ${index} (port ${port}) exited: ${signal ?? `code ${code}`}; its log: ${proc.log}`);
  });
  await waitUntil(`replica ${index}`, () => answers(`http://127.0.0.1:${port}/-/readiness`), seconds, proc.child, proc.log);
  return { port, proc };
}

async function api<T>(base: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { 'private-token': ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Every request of the harness's own loops, by outcome class. */
const counts: Record<string, Record<string, number>> = {};
function count(loop: string, outcome: string): void {
  counts[loop] ??= {};
  counts[loop][outcome] = (counts[loop][outcome] ?? 0) + 1;
}
const outcomeOf = (status: number) => `${Math.floor(status / 100)}xx`;

async function timedFetch(loop: string, url: string, init: RequestInit = {}): Promise<Response | undefined> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    count(loop, outcomeOf(response.status));
    return response;
  } catch (error) {
    count(loop, `network:${(error as Error).name}`);
    return undefined;
  }
}

/** A probe every 200 ms through HAProxy, for the outage and recovery figures. */
interface ProbeSample {
  at: number;
  db: boolean;
  s3: boolean;
}

async function main(): Promise<number> {
  const python = execFileSync('bash', ['scripts/python-env.sh'], { encoding: 'utf8' }).trim();
  // bin/modelyard.mjs builds dist/ when it is missing or older than the sources: once, here,
  // rather than inside the first replica's start-up time.
  execFileSync(process.execPath, ['bin/modelyard.mjs', '--version'], { stdio: ['ignore', 'ignore', 'inherit'] });
  say(`root ${root}; ${CLIENTS} clients for ${SECONDS} s; S3: ${S3_KIND}; PostgreSQL port ${PG_PORT}`);

  const adminUrl = postgres.start();
  const dbName = `soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const databaseUrl = adminUrl.replace(/\/postgres$/, `/${dbName}`);
  const s3 = await startS3(S3_KIND, root, python);
  owned.push(s3.server);
  say(`PostgreSQL ${databaseUrl}; S3 ${s3.endpoint}`);

  const replicaPorts = [await freePort(), await freePort()];
  const proxyPort = await freePort();
  const serverEnv = {
    MODELYARD_LOG_LEVEL: 'warn',
    MODELYARD_DATABASE_URL: databaseUrl,
    MODELYARD_ARTIFACTS_URL: `s3://${BUCKET}/artifacts`,
    MODELYARD_S3_ENDPOINT: s3.endpoint,
    MODELYARD_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: S3_USER,
    AWS_SECRET_ACCESS_KEY: S3_SECRET,
    AWS_REGION: 'us-east-1',
    MODELYARD_SECRET_KEY: SECRET_KEY,
    MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN,
    MODELYARD_TRUSTED_PROXIES: '127.0.0.1',
    MODELYARD_OUTBOUND_ALLOW: 'file://',
    MODELYARD_PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
  };
  // The first replica sets the database up; the second starts on it as a new replica would.
  const replicas = [await startReplica(1, replicaPorts[0]!, serverEnv)];
  replicas.push(await startReplica(2, replicaPorts[1]!, serverEnv));
  const proxy = await startHaproxy(root, replicaPorts, proxyPort);
  owned.push(proxy.proxy);
  const base = proxy.base;
  say(`replicas on ${replicaPorts.join(', ')}; HAProxy ${base}`);

  // --- what the load needs: a project, a signed-in user, a repository and two runners -------
  const project = await api<{ id: number }>(base, 'POST', '/api/v4/projects', { name: 'soak', path: 'soak' });
  const uiUser = await api<{ id: number }>(base, 'POST', '/api/v4/users', { username: 'soak-ui', name: 'Soak UI', email: 'soak-ui@example.com', password: UI_PASSWORD });
  await api(base, 'POST', `/api/v4/projects/${project.id}/members`, { user_id: uiUser.id, access_level: 30 });
  const jobLedger = path.join(root, 'jobs.ledger');
  const repo = path.join(root, 'repo');
  fs.mkdirSync(repo);
  // A job whose source fetch meets a fault fails before its script runs (runner_system_failure,
  // as GitLab Runner's default GET_SOURCES_ATTEMPTS=1 does); retry:when reruns it as a new job.
  fs.writeFileSync(
    path.join(repo, '.modelyard-ci.yml'),
    `stages: [work]\nwork:\n  stage: work\n  parallel: 2\n  retry:\n    max: 2\n    when: [runner_system_failure]\n  script:\n    - echo "$CI_JOB_ID" >> ${jobLedger}\n    - sleep 1\n`,
  );
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=soak', '-c', 'user.email=soak@example.com', ...a], { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'Soak pipeline');
  await api(base, 'PUT', `/api/v4/projects/${project.id}/ci/settings`, { repository_url: repo });
  for (const name of ['runner1', 'runner2']) {
    const created = await api<{ token: string }>(base, 'POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: name, run_untagged: true });
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MODELYARD_')));
    const runner = own(
      process.execPath,
      ['bin/modelyard.mjs', 'runner', '--url', base, '--token', created.token, '--builds-dir', path.join(root, `builds-${name}`), '--heartbeat', '1'],
      clean,
      path.join(root, `${name}.log`),
    );
    owned.push(runner);
  }

  // --- the load -----------------------------------------------------------------------------
  const trackingUri = `${base}/api/v4/projects/${project.id}/ml/mlflow`;
  const clientEnv = {
    ...process.env,
    MLFLOW_TRACKING_URI: trackingUri,
    MLFLOW_TRACKING_TOKEN: ADMIN,
    // About a minute of retries (1 s doubling, 6 times): longer than each fault lasts.
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '6',
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1',
    MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.5',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '60',
  };
  const clientScript = path.resolve('test/soak/mlflow_soak_client.py');
  const loadStart = Date.now();
  // The load lasts SECONDS, or until 15 s after the last fault when the faults took longer
  // (a replica's start-up on a loaded machine); the clients stop when this file appears.
  let loadEnd = loadStart + SECONDS * 1000;
  const stopFile = path.join(root, 'stop');
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const ledger = path.join(root, `client${i}.ledger`);
    const child = spawn(python, [clientScript, 'load', ledger, stopFile, `c${i}`], { env: clientEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    clientProcesses.push(child);
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return { ledger, child, done, stdout: () => stdout, stderr: () => stderr };
  });
  say(`${CLIENTS} mlflow clients started against ${trackingUri}`);
  let faultsDone = false;
  const running = () => !faultsDone || Date.now() < loadEnd;

  // The UI session: sign in once, then keep reading pages with the same cookie.
  const signIn = await fetch(`${base}/api/v4/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'soak-ui', password: UI_PASSWORD }) });
  if (signIn.status !== 201) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const uiPages = ['/api/v4/session', '/api/v4/projects', `/api/v4/projects/${project.id}/pipelines`, '/', `/api/v4/projects/${project.id}/ml/experiments`];
  const uiLoop = (async () => {
    for (let i = 0; running(); i++) {
      const page = uiPages[i % uiPages.length]!;
      const response = await timedFetch('ui', `${base}${page}`, { headers: { cookie } });
      if (response?.status === 401) count('ui', 'signed-out');
      await response?.arrayBuffer();
      await sleep(200);
    }
  })();

  const pipelines: number[] = [];
  const pipelineLoop = (async () => {
    while (running()) {
      const response = await timedFetch('pipelines', `${base}/api/v4/projects/${project.id}/pipeline`, {
        method: 'POST',
        headers: { 'private-token': ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'main' }),
      });
      if (response?.status === 201) pipelines.push(((await response.json()) as { id: number }).id);
      else await response?.arrayBuffer();
      await sleep(Math.max(3000, (SECONDS * 1000) / 12));
    }
  })();

  const samples: ProbeSample[] = [];
  const probeLoop = (async () => {
    while (running()) {
      const at = Date.now();
      const [db, s3probe] = await Promise.all([
        timedFetch('probe', `${base}/api/v4/projects/${project.id}`, { headers: { 'private-token': ADMIN } }),
        timedFetch('probe', `${trackingUri}/api/2.0/mlflow-artifacts/artifacts?path=`, { headers: { authorization: `Bearer ${ADMIN}` } }),
      ]);
      samples.push({ at, db: db?.ok ?? false, s3: s3probe?.ok ?? false });
      await db?.arrayBuffer();
      await s3probe?.arrayBuffer();
      await sleep(200);
    }
  })();

  // --- the faults ---------------------------------------------------------------------------
  const faults: { name: string; start: number; end: number; note: string }[] = [];
  // Each fault at its share of the load, and at least 5 s after the one before ended.
  const at = async (share: number) => sleep(Math.max(0, loadStart + share * SECONDS * 1000 - Date.now(), (faults.at(-1)?.end ?? 0) + 5000 - Date.now()));

  await at(0.15);
  const victim = replicas[0]!;
  let start = Date.now();
  victim.proc.child.kill('SIGKILL');
  say('fault: SIGKILL replica 1');
  await sleep(500);
  // A browser would retry a request that got no answer; what counts is the first answer.
  let afterKill: Response | undefined;
  for (let attempt = 0; attempt < 10 && (afterKill === undefined || afterKill.status >= 500); attempt++) {
    if (attempt > 0) await sleep(200);
    afterKill = await timedFetch('ui', `${base}/api/v4/user`, { headers: { cookie } });
  }
  const cookieSurvived = afterKill?.status === 200;
  count('ui', cookieSurvived ? 'cookie-after-kill-ok' : `cookie-after-kill-${afterKill?.status ?? 'no-answer'}`);
  await sleep(1500);
  replicas[0] = await startReplica(1, victim.port, serverEnv);
  faults.push({ name: 'SIGKILL replica 1, restarted after 2 s', start, end: Date.now(), note: `replica 1 ready again ${((Date.now() - start) / 1000).toFixed(1)} s after the kill` });

  await at(0.4);
  start = Date.now();
  say('fault: PostgreSQL restart');
  postgres.stop();
  postgres.start();
  faults.push({ name: 'PostgreSQL restart (pg_ctl stop -m fast, start)', start, end: Date.now(), note: `server down and up in ${((Date.now() - start) / 1000).toFixed(1)} s` });

  await at(0.65);
  start = Date.now();
  say('fault: S3 server paused for 10 s');
  s3.server.child.kill('SIGSTOP');
  await sleep(10_000);
  s3.server.child.kill('SIGCONT');
  faults.push({ name: `${S3_KIND === 'minio' ? 'MinIO' : 'moto'} paused 10 s (SIGSTOP, SIGCONT)`, start, end: Date.now(), note: '' });

  loadEnd = Math.max(loadEnd, Date.now() + 15_000);
  faultsDone = true;
  await Promise.all([uiLoop, pipelineLoop, probeLoop]);
  fs.writeFileSync(stopFile, '');
  const loadStopped = Date.now();
  say('load window over; waiting for the clients');
  const codes = await Promise.all(clients.map((c) => c.done));
  const summaries = clients.map((c) => {
    const last = c.stdout().trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as { calls: number; ok: number; points: number; artifacts: number; failures: Record<string, number>; non_retryable: number; slowest_call_s: number };
    } catch {
      throw new Error(`a client ended without its summary (exit ${codes.join(',')}): ${c.stderr().slice(-2000)}`);
    }
  });

  // --- the checks ---------------------------------------------------------------------------
  say('reading every acknowledged point and artifact back');
  const verified = await Promise.all(
    clients.map(
      (c) =>
        new Promise<{ points_checked: number; points_missing: number; artifacts_checked: number; artifacts_bad: number; examples: string[] }>((resolve, reject) => {
          const child = spawn(python, [clientScript, 'verify', c.ledger], { env: clientEnv, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`verify failed: ${err.slice(-2000)}`))));
        }),
    ),
  );

  say(`waiting for ${pipelines.length} pipelines to finish`);
  type Job = { id: number; status: string; failure_reason: string | null };
  const final = ['success', 'failed', 'canceled', 'skipped'];
  const jobs: Job[] = [];
  const pipelineStatuses: Record<string, number> = {};
  const pipelineDeadline = Date.now() + 180_000;
  for (const id of pipelines) {
    for (;;) {
      const p = await api<{ status: string }>(base, 'GET', `/api/v4/projects/${project.id}/pipelines/${id}`);
      if (final.includes(p.status) || Date.now() > pipelineDeadline) {
        pipelineStatuses[p.status] = (pipelineStatuses[p.status] ?? 0) + 1;
        break;
      }
      await sleep(1000);
    }
    jobs.push(...(await api<Job[]>(base, 'GET', `/api/v4/projects/${project.id}/pipelines/${id}/jobs`)));
  }
  const ledgerIds = fs.existsSync(jobLedger) ? fs.readFileSync(jobLedger, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
  const timesRun = new Map<number, number>();
  for (const id of ledgerIds) timesRun.set(id, (timesRun.get(id) ?? 0) + 1);
  const ranTwice = [...timesRun].filter(([, n]) => n > 1).map(([id]) => id);
  const stranded = jobs.filter((j) => !final.includes(j.status)).map((j) => j.id);
  const succeededWithoutRunning = jobs.filter((j) => j.status === 'success' && !timesRun.has(j.id)).map((j) => j.id);
  const jobStatuses: Record<string, number> = {};
  for (const j of jobs) {
    const key = j.failure_reason ? `${j.status}:${j.failure_reason}` : j.status;
    jobStatuses[key] = (jobStatuses[key] ?? 0) + 1;
  }

  // Outage seen by the probe around each fault, and the time from the fault's end until both
  // probes answered again.
  const recovery = faults.map((f, i) => {
    const until = Math.min(f.end + 60_000, faults[i + 1]?.start ?? Infinity);
    const window = samples.filter((s) => s.at >= f.start - 1000 && s.at < until);
    const failed = window.filter((s) => !s.db || !s.s3);
    const lastFailure = failed.length ? Math.max(...failed.map((s) => s.at)) : null;
    const firstOkAfterEnd = window.find((s) => s.at >= f.end && s.db && s.s3)?.at ?? null;
    return {
      fault: f.name,
      durationS: +((f.end - f.start) / 1000).toFixed(1),
      probesFailed: failed.length,
      probesTotal: window.length,
      recoveredAfterEndS: firstOkAfterEnd === null ? null : +((firstOkAfterEnd - f.end) / 1000).toFixed(1),
      lastFailureAfterStartS: lastFailure === null ? null : +((lastFailure - f.start) / 1000).toFixed(1),
      note: f.note,
    };
  });

  const failures: Record<string, number> = {};
  for (const s of summaries) for (const [k, v] of Object.entries(s.failures)) failures[k] = (failures[k] ?? 0) + v;
  const result = {
    date: new Date().toISOString(),
    clients: CLIENTS,
    seconds: SECONDS,
    s3: S3_KIND,
    elapsedS: Math.round((loadStopped - loadStart) / 1000),
    mlflow: {
      calls: summaries.reduce((a, s) => a + s.calls, 0),
      ok: summaries.reduce((a, s) => a + s.ok, 0),
      pointsAcknowledged: summaries.reduce((a, s) => a + s.points, 0),
      artifactsAcknowledged: summaries.reduce((a, s) => a + s.artifacts, 0),
      clientVisibleFailures: failures,
      nonRetryable: summaries.reduce((a, s) => a + s.non_retryable, 0),
      slowestCallS: Math.max(...summaries.map((s) => s.slowest_call_s)),
      pointsChecked: verified.reduce((a, v) => a + v.points_checked, 0),
      pointsMissing: verified.reduce((a, v) => a + v.points_missing, 0),
      artifactsChecked: verified.reduce((a, v) => a + v.artifacts_checked, 0),
      artifactsBad: verified.reduce((a, v) => a + v.artifacts_bad, 0),
      examples: verified.flatMap((v) => v.examples).slice(0, 5),
    },
    pipelines: { created: pipelines.length, pipelineStatuses, jobs: jobs.length, jobStatuses, ranTwice, stranded, succeededWithoutRunning },
    ui: { cookieSurvived, requests: counts.ui ?? {} },
    harnessRequests: counts,
    haproxy: await haproxyCounts(proxy.statsUrl),
    recovery,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (OUT) fs.writeFileSync(OUT, JSON.stringify(result, null, 2));

  tearingDown = true;
  const problems = [
    result.mlflow.pointsMissing > 0 && `${result.mlflow.pointsMissing} acknowledged points missing`,
    result.mlflow.artifactsBad > 0 && `${result.mlflow.artifactsBad} acknowledged artifacts missing or different`,
    result.mlflow.nonRetryable > 0 && `${result.mlflow.nonRetryable} non-retryable client errors`,
    result.mlflow.pointsChecked === 0 && 'no point was acknowledged at all',
    ranTwice.length > 0 && `jobs ran twice: ${ranTwice.join(', ')}`,
    (pipelineStatuses.success ?? 0) !== pipelines.length && `pipelines not successful: ${JSON.stringify(pipelineStatuses)}`,
    stranded.length > 0 && `jobs left unfinished: ${stranded.join(', ')}`,
    succeededWithoutRunning.length > 0 && `jobs marked success without running: ${succeededWithoutRunning.join(', ')}`,
    ...unexpectedExits,
    !cookieSurvived && 'the session cookie did not survive the replica kill',
    (counts.ui?.['signed-out'] ?? 0) > 0 && 'the UI session was signed out during the load',
  ].filter(Boolean);
  for (const p of problems) say(`FAILED: ${p}`);
  say(problems.length === 0 ? `passed in ${elapsed()} s` : `${problems.length} check(s) failed`);
  return problems.length === 0 ? 0 : 1;
}

async function cleanUp(): Promise<void> {
  tearingDown = true;
  for (const child of clientProcesses) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const p of owned.reverse()) await p.stop();
  try {
    postgres.stop();
  } catch {
    // already stopped
  }
  if (process.env.MODELYARD_SOAK_KEEP !== '1') {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(pgDir, { recursive: true, force: true });
  }
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say(`error: ${(error as Error).stack}`);
} finally {
  await cleanUp();
}
process.exit(code);
