import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { gitlabRunnerBinary } from '../support/gitlab-runner.ts';
import { serveProcess, serverEnv, type ServerProcess } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The real GitLab Runner 17.5.0, unchanged, against a real `modelyard serve`: it registers
 * (with a runner authentication token and with a registration token), verifies, long-polls,
 * fetches the code from the server over git's smart-HTTP with its job token, runs jobs with the
 * shell executor, streams logs, uploads and downloads zipped artifacts and reports, reports the
 * final state with the log's checksum, stops a canceled job, and unregisters.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';

const PIPELINE = `
stages: [build, test]
make:
  stage: build
  rules:
    - if: $SCENARIO == "artifacts"
  script:
    - cat source.txt
    - mkdir -p out && echo "built from $CI_COMMIT_SHORT_SHA" > out/model.txt
    - echo "MODEL_VERSION=7" > build.env
    - echo '<testsuite name="t"><testcase name="works" classname="e2e"/><testcase name="fails" classname="e2e"><failure message="nope"/></testcase></testsuite>' > report.xml
  artifacts:
    paths: [out/]
    reports:
      dotenv: build.env
      junit: report.xml
check:
  stage: test
  needs: [make]
  rules:
    - if: $SCENARIO == "artifacts"
  script:
    - grep "built from" out/model.txt
    - test "$MODEL_VERSION" = 7 && echo "dotenv variable MODEL_VERSION=$MODEL_VERSION"
hang:
  rules:
    - if: $SCENARIO == "cancel"
  script:
    - echo $$ > "$PID_FILE"
    - for i in $(seq 1 300); do echo "tick $i"; sleep 1; done
fail:
  rules:
    - if: $SCENARIO == "fail"
  script:
    - echo "about to fail"
    - exit 3
  after_script:
    - echo "after_script ran, the job was $CI_JOB_STATUS"
`;

let root: string;
let repo: string;
let database: TestDatabase;
let server: ServerProcess;
let seed: Seeder;
let projectId: number;
let glr: string;
let runner: { child: ChildProcess; output: () => string } | undefined;

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
/** A gitlab-runner command; its output (the runner logs to stderr), and an error if it failed. */
function runnerCli(...args: string[]): string {
  const result = spawnSync(glr, args, { cwd: root, encoding: 'utf8', env: serverEnv({}) });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`gitlab-runner ${args[0]} failed (${result.status}):\n${output}`);
  return output;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nrunner output:\n${(runner?.output() ?? '').slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type Pipeline = { id: number; status: string };
type Job = { id: number; name: string; status: string; failure_reason: string | null; exit_code: number | null };

const jobsOf = (pipelineId: number) => seed.call<Job[]>('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`);
const trace = async (jobId: number) => (await fetch(`${server.base}/api/v4/projects/${projectId}/jobs/${jobId}/trace`, { headers: { 'private-token': ADMIN } })).text();
const finished = (status: string) => ['success', 'failed', 'canceled', 'skipped'].includes(status);

async function runScenario(scenario: string, extra: Record<string, string> = {}): Promise<Pipeline> {
  return seed.call<Pipeline>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main', variables: Object.entries({ SCENARIO: scenario, ...extra }).map(([key, value]) => ({ key, value })) });
}

const pipelineDone = (id: number) =>
  waitFor(`pipeline ${id} to finish`, async () => {
    const pipeline = await seed.call<Pipeline>('GET', `/api/v4/projects/${projectId}/pipelines/${id}`);
    return finished(pipeline.status) ? pipeline : undefined;
  });

beforeAll(async () => {
  glr = gitlabRunnerBinary();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-glr-'));
  repo = path.join(root, 'repo');
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, '.gitlab-ci.yml'), PIPELINE);
  fs.writeFileSync(path.join(repo, 'source.txt'), 'checked out from the server over git smart-HTTP\n');
  git('add', '.');
  git('commit', '-q', '-m', 'A pipeline for GitLab Runner');

  database = await createTestDatabase();
  server = await serveProcess(root, { MODELYARD_INITIAL_ADMIN_TOKEN: ADMIN, MODELYARD_DATA_DIR: path.join(root, 'data'), MODELYARD_DATABASE_URL: database.url, MODELYARD_OUTBOUND_ALLOW: 'file://' });
  seed = new Seeder(server.base, ADMIN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'glr', path: 'glr' })).id;
  await seed.call('PUT', `/api/v4/projects/${projectId}/ci/settings`, { repository_url: `file://${repo}` });
}, 120_000);

afterAll(async () => {
  runner?.child.kill('SIGKILL');
  await server?.stop();
  await database?.drop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('GitLab Runner 17.5.0, unchanged', () => {
  it('registers with a runner authentication token (glrt-) and runs jobs, long-polling for them', async () => {
    const created = await seed.call<{ id: number; token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'gitlab-runner e2e', run_untagged: true });
    expect(created.token).toMatch(/^glrt-/);
    const out = runnerCli(
      'register',
      '--non-interactive',
      '--url',
      server.base,
      '--token',
      created.token,
      '--executor',
      'shell',
      '--name',
      'e2e',
      '--config',
      path.join(root, 'config.toml'),
      '--builds-dir',
      path.join(root, 'builds'),
      '--cache-dir',
      path.join(root, 'cache'),
    );
    expect(out).toContain('Verifying runner... is valid');
    expect(fs.readFileSync(path.join(root, 'config.toml'), 'utf8')).toContain(`id = ${created.id}`);
    const child = spawn(glr, ['run', '--config', path.join(root, 'config.toml'), '--working-directory', root], { cwd: root, env: serverEnv({}) });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    runner = { child, output: () => log };
    await waitFor('the runner to ask for jobs', async () => ((await seed.call<{ status: string }>('GET', `/api/v4/runners/${created.id}`)).status === 'online' ? true : undefined));
  }, 60_000);

  it("runs a two-stage pipeline: code fetched from the server, the second stage reads the first stage's artifacts and dotenv report", async () => {
    const pipeline = await runScenario('artifacts');
    const done = await pipelineDone(pipeline.id);
    const jobs = await jobsOf(pipeline.id);
    const make = jobs.find((j) => j.name === 'make')!;
    const check = jobs.find((j) => j.name === 'check')!;
    const makeLog = await trace(make.id);
    const checkLog = await trace(check.id);
    expect(done.status, `${makeLog}\n----\n${checkLog}\n----\n${runner!.output().slice(-3000)}`).toBe('success');
    expect(makeLog).toContain('checked out from the server over git smart-HTTP');
    expect(makeLog).toContain('Uploading artifacts as "archive" to coordinator... 201 Created');
    expect(makeLog).toContain('Uploading artifacts as "dotenv" to coordinator... 201 Created');
    expect(makeLog).not.toMatch(/glcbt-[0-9a-zA-Z]{1,5}_/); // the runner masks job tokens by their prefix
    expect(checkLog).toContain('Downloading artifacts from coordinator... ok');
    expect(checkLog).toContain('dotenv variable MODEL_VERSION=7');
    const file = await fetch(`${server.base}/api/v4/projects/${projectId}/jobs/${make.id}/artifacts/out/model.txt`, { headers: { 'private-token': ADMIN } });
    expect(await file.text()).toMatch(/^built from [0-9a-f]{8}\n$/);
    const detail = await seed.call<{ artifacts_file: { filename: string }; reports: { junit: { total: number; failed: number } } }>('GET', `/api/v4/projects/${projectId}/jobs/${make.id}`);
    expect(detail.artifacts_file.filename).toBe('artifacts.zip');
    expect(detail.reports.junit).toMatchObject({ total: 2, failed: 1 });
    // The final report carried the log's checksum, and the runner's log says the server took it.
    expect(runner!.output()).toMatch(/Submitting job to coordinator\.\.\.ok.*checksum.*crc32:[0-9a-f]{8}/);
  }, 120_000);

  it('runs after_script of a failing job and reports the failure with its exit code', async () => {
    const pipeline = await runScenario('fail');
    const done = await pipelineDone(pipeline.id);
    const [job] = await jobsOf(pipeline.id);
    const log = await trace(job!.id);
    expect(done.status, log).toBe('failed');
    expect(job).toMatchObject({ status: 'failed', failure_reason: 'script_failure', exit_code: 3 });
    expect(log).toContain('about to fail');
    expect(log).toContain('after_script ran, the job was failed');
  }, 90_000);

  it('stops a job canceled while it runs', async () => {
    const pidFile = path.join(root, 'hang.pid');
    const pipeline = await runScenario('cancel', { PID_FILE: pidFile });
    const job = await waitFor('the job to print', async () => {
      const [current] = await jobsOf(pipeline.id);
      return current && current.status === 'running' && (await trace(current.id)).includes('tick 2') ? current : undefined;
    });
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const canceledAt = Date.now();
    await seed.call('POST', `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor("the runner to stop the job's script", async () => (alive() ? undefined : true), 60_000);
    expect(Date.now() - canceledAt).toBeLessThan(30_000);
    const [after] = await jobsOf(pipeline.id);
    expect(after!.status).toBe('canceled');
    expect((await pipelineDone(pipeline.id)).status).toBe('canceled');
  }, 120_000);

  it('registers with a registration token, and both runners unregister', async () => {
    const reset = await seed.call<{ token: string }>('POST', `/api/v4/projects/${projectId}/runners/reset_registration_token`);
    const config = path.join(root, 'legacy.toml');
    runnerCli(
      'register',
      '--non-interactive',
      '--url',
      server.base,
      '--registration-token',
      reset.token,
      '--executor',
      'shell',
      '--description',
      'legacy e2e',
      '--tag-list',
      'legacy,e2e',
      '--config',
      config,
    );
    const runners = await seed.call<{ id: number; description: string; tag_list: string[]; runner_type: string }[]>('GET', `/api/v4/projects/${projectId}/runners`);
    const legacy = runners.find((r) => r.description === 'legacy e2e')!;
    expect(legacy).toMatchObject({ runner_type: 'project_type', tag_list: ['legacy', 'e2e'] });
    expect(runnerCli('verify', '--config', config)).toContain('is alive');
    runner?.child.kill('SIGTERM');
    expect(runnerCli('unregister', '--config', config, '--all-runners')).toContain('Unregistering runner from GitLab succeeded');
    expect(runnerCli('unregister', '--config', path.join(root, 'config.toml'), '--all-runners')).toContain('Unregistering runner from GitLab succeeded');
    // A registered runner removes itself (DELETE /runners); a created one only lets go of this machine (DELETE /runners/managers).
    const left = await seed.call<{ id: number; description: string }[]>('GET', `/api/v4/projects/${projectId}/runners`);
    expect(left.map((r) => r.description)).toEqual(['gitlab-runner e2e']);
  }, 60_000);
});
