import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { BlobDeletions } from '../../src/storage/blob-deletions.ts';
import { multipartUpload, unzipText, zipOf } from '../support/artifacts.ts';

/**
 * Pipelines through the native API and the runner protocol, with this test as the runner: the
 * state machine (stages, needs, rules, matrix, retries, manual jobs, cancellation, timeouts),
 * masking, and what job tokens may do.
 */
let t: TestApp;
let maintainer: TestUser;
let developer: TestUser;
let reporter: TestUser;
let projectId: number;
let runnerToken: string;

/** GitLab's job response, with its name lifted out of job_info for the tests' convenience. */
interface Job {
  id: number;
  token: string;
  name: string;
  variables: { key: string; value: string; masked: boolean }[];
  dependencies: { id: number; name: string; token: string; artifacts_file?: { filename: string; size: number } }[];
}

beforeAll(async () => {
  t = await startTestApp();
  maintainer = await t.createUser('ci-maint');
  developer = await t.createUser('ci-dev');
  reporter = await t.createUser('ci-rep');
  projectId = (await t.createProject(maintainer.token, 'ci-project')).id;
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, reporter.id, 20);
  const runner = await t.call({
    method: 'POST',
    url: '/api/v4/user/runners',
    token: ADMIN_TOKEN,
    payload: { runner_type: 'instance_type', description: 'test runner', tag_list: ['gpu'], run_untagged: true },
  });
  expect(runner.statusCode).toBe(201);
  runnerToken = runner.json().token;
});
afterAll(async () => {
  await t?.close();
});

async function setConfig(content: string) {
  const res = await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ci/config`, token: maintainer.token, payload: { content } });
  expect(res.statusCode, res.body).toBe(200);
}

async function runPipeline(content: string, variables: Record<string, string> = {}) {
  await setConfig(content);
  const res = await t.call({
    method: 'POST',
    url: `/api/v4/projects/${projectId}/pipeline`,
    token: developer.token,
    payload: { ref: 'main', variables: Object.entries(variables).map(([key, value]) => ({ key, value })) },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; status: string; yaml_errors: string | null };
}

async function jobsOf(pipelineId: number, includeRetried = false) {
  const res = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs${includeRetried ? '?include_retried=true' : ''}`, token: reporter.token });
  expect(res.statusCode).toBe(200);
  return res.json() as { id: number; name: string; status: string; attempt: number; failure_reason: string | null; stage: string }[];
}

const statusOf = async (pipelineId: number) => (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines/${pipelineId}`, token: reporter.token })).json().status as string;

async function take(token = runnerToken): Promise<Job | null> {
  const res = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token, info: { version: 'test' } } });
  if (res.statusCode === 204) return null;
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as Omit<Job, 'name'> & { job_info: { name: string } };
  return { ...body, name: body.job_info.name };
}

/** The runner's report; answers the job's status (GitLab's Job-Status: a job no longer running refuses it with 403). */
async function report(job: Job, state: 'running' | 'success' | 'failed', failureReason?: string) {
  const res = await t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, payload: { token: job.token, state, ...(failureReason ? { failure_reason: failureReason } : {}) } });
  expect([200, 403], res.body).toContain(res.statusCode);
  return res.headers['job-status'] as string;
}

/** What GitLab Runner does after a job's script: the `paths` zip, as a streamed multipart form. */
async function uploadArchive(job: Job, files: Record<string, string>) {
  const form = multipartUpload('file', 'artifacts.zip', await zipOf(files));
  return t.call({
    method: 'POST',
    url: `/api/v4/jobs/${job.id}/artifacts?artifact_format=zip&artifact_type=archive&expire_in=1+day`,
    headers: { 'job-token': job.token, 'content-type': form.contentType },
    payload: form.body,
  });
}

async function drain(pipelineId: number, outcome: (job: Job) => 'success' | 'failed' = () => 'success'): Promise<string[]> {
  const order: string[] = [];
  for (let job = await take(); job; job = await take()) {
    order.push(job.name);
    await report(job, outcome(job));
  }
  void pipelineId;
  return order;
}

describe('pipeline files', () => {
  it('lints with line numbers and refuses unknown keywords', async () => {
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ci/lint`, token: reporter.token, payload: { content: 'build:\n  script: make\n  scirpt: oops\n' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: false, errors: ['line 3, column 3: build config contains unknown keys: scirpt'] });
    const ok = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ci/lint`, token: reporter.token, payload: { content: 'a:\n  script: [x]\nb:\n  stage: deploy\n  script: [y]\n' } });
    expect(ok.json()).toMatchObject({
      valid: true,
      jobs: [
        { name: 'a', stage: 'test' },
        { name: 'b', stage: 'deploy', needs: ['a'] },
      ],
    });
  });

  it('makes a failed pipeline that carries the errors of an invalid file, and runs nothing', async () => {
    const pipeline = await runPipeline('job:\n  script: [x]\n  when: sometimes\nbroken: [\n');
    expect(pipeline.status).toBe('failed');
    expect(pipeline.yaml_errors).toMatch(/line \d+/);
    expect(await jobsOf(pipeline.id)).toEqual([]);
    expect(await take()).toBeNull();
  });

  it('refuses a pipeline that workflow rules filter out, and pipelines for reporters', async () => {
    await setConfig('workflow:\n  rules:\n    - if: $RUN == "yes"\njob:\n  script: [x]\n');
    const filtered = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: developer.token, payload: { ref: 'main' } });
    expect(filtered.statusCode).toBe(400);
    expect(filtered.json().message).toMatch(/filtered out/);
    const byReporter = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: reporter.token, payload: { ref: 'main' } });
    expect(byReporter.statusCode).toBe(403);
    const pipeline = await runPipeline('workflow:\n  rules:\n    - if: $RUN == "yes"\njob:\n  script: [x]\n', { RUN: 'yes' });
    expect((await jobsOf(pipeline.id)).map((j) => j.name)).toEqual(['job']);
    await drain(pipeline.id);
    expect(await statusOf(pipeline.id)).toBe('success');
  });
});

describe('the state machine', () => {
  it('runs stages in order and needs as a DAG', async () => {
    const pipeline = await runPipeline(`
stages: [build, test, deploy]
compile:
  stage: build
  script: [make]
lint:
  stage: build
  script: [lint]
unit:
  stage: test
  needs: [compile]
  script: [test]
ship:
  stage: deploy
  script: [ship]
`);
    expect(await statusOf(pipeline.id)).toBe('pending');
    const first = await take();
    expect(first!.name).toBe('compile');
    // unit needs only compile: it is queued before lint finishes
    await report(first!, 'success');
    const second = await take();
    const third = await take();
    expect([second!.name, third!.name].sort()).toEqual(['lint', 'unit']);
    expect(await take()).toBeNull(); // ship waits for the whole test stage and build stage
    expect(await statusOf(pipeline.id)).toBe('running');
    await report(second!, 'success');
    await report(third!, 'success');
    expect((await take())!.name).toBe('ship');
  });

  it('skips what follows a failure, and runs on_failure and always jobs', async () => {
    const pipeline = await runPipeline(`
stages: [a, b, c]
first:
  stage: a
  script: [x]
next:
  stage: b
  script: [x]
rescue:
  stage: b
  when: on_failure
  script: [x]
cleanup:
  stage: c
  when: always
  script: [x]
`);
    const order = await drain(pipeline.id, (job) => (job.name === 'first' ? 'failed' : 'success'));
    expect(order).toEqual(['first', 'rescue', 'cleanup']);
    const jobs = await jobsOf(pipeline.id);
    expect(Object.fromEntries(jobs.map((j) => [j.name, j.status]))).toEqual({ first: 'failed', next: 'skipped', rescue: 'success', cleanup: 'success' });
    expect(await statusOf(pipeline.id)).toBe('failed');
  });

  it('lets allow_failure jobs fail without failing the pipeline', async () => {
    const pipeline = await runPipeline('flaky:\n  allow_failure: true\n  script: [x]\nafter:\n  stage: deploy\n  script: [y]\n');
    expect(await drain(pipeline.id, (job) => (job.name === 'flaky' ? 'failed' : 'success'))).toEqual(['flaky', 'after']);
    expect(await statusOf(pipeline.id)).toBe('success');
  });

  it('selects jobs with rules and gives rule variables to them', async () => {
    const pipeline = await runPipeline(
      `
gpu-train:
  rules:
    - if: $ACCEL == "gpu"
      variables: { DEVICE: cuda }
  tags: [gpu]
  script: [x]
cpu-train:
  rules:
    - if: $ACCEL == "gpu"
      when: never
    - when: on_success
  script: [x]
`,
      { ACCEL: 'gpu' },
    );
    const job = await take();
    expect(job!.name).toBe('gpu-train');
    expect(job!.variables.find((v) => v.key === 'DEVICE')?.value).toBe('cuda');
    expect(job!.variables.find((v) => v.key === 'ACCEL')?.value).toBe('gpu');
    await report(job!, 'success');
    expect((await jobsOf(pipeline.id)).map((j) => j.name)).toEqual(['gpu-train']);
  });

  it('expands parallel:matrix into named jobs with their variables, and needs on the matrix wait for all', async () => {
    const pipeline = await runPipeline(`
sweep:
  stage: build
  parallel:
    matrix:
      - LR: ["0.1", "0.01"]
        OPT: [adam, sgd]
  script: [train]
report:
  stage: test
  needs: [sweep]
  script: [summarize]
`);
    const names = (await jobsOf(pipeline.id)).map((j) => j.name);
    expect(names).toEqual(['sweep: [0.1, adam]', 'sweep: [0.1, sgd]', 'sweep: [0.01, adam]', 'sweep: [0.01, sgd]', 'report']);
    const taken: Job[] = [];
    for (let i = 0; i < 4; i++) taken.push((await take())!);
    expect(taken.map((j) => `${j.variables.find((v) => v.key === 'LR')!.value}/${j.variables.find((v) => v.key === 'OPT')!.value}`).sort()).toEqual(['0.01/adam', '0.01/sgd', '0.1/adam', '0.1/sgd']);
    for (const job of taken.slice(0, 3)) await report(job, 'success');
    expect(await take()).toBeNull();
    await report(taken[3]!, 'success');
    expect((await take())!.name).toBe('report');
  });

  it('retries a failed job as many times as retry allows', async () => {
    const pipeline = await runPipeline('train:\n  retry: 2\n  script: [x]\n');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = await take();
      expect(job!.name).toBe('train');
      await report(job!, 'failed', 'script_failure');
    }
    expect(await take()).toBeNull();
    const all = await jobsOf(pipeline.id, true);
    expect(all.map((j) => j.attempt)).toEqual([1, 2, 3]);
    expect(await statusOf(pipeline.id)).toBe('failed');
  });

  it('retries only the failure reasons retry:when names', async () => {
    const pipeline = await runPipeline('train:\n  retry:\n    max: 2\n    when: [runner_system_failure]\n  script: [x]\n');
    await report((await take())!, 'failed', 'script_failure');
    expect(await take()).toBeNull();
    expect(await statusOf(pipeline.id)).toBe('failed');
  });

  it('holds manual jobs until played, and retries by hand', async () => {
    const pipeline = await runPipeline('build:\n  script: [x]\ndeploy:\n  stage: deploy\n  when: manual\n  script: [ship]\n');
    await report((await take())!, 'success');
    const jobs = await jobsOf(pipeline.id);
    const deploy = jobs.find((j) => j.name === 'deploy')!;
    expect(deploy.status).toBe('manual');
    expect(await take()).toBeNull();
    expect(await statusOf(pipeline.id)).toBe('success'); // a manual job may fail by default: it does not block
    const byReporter = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/jobs/${deploy.id}/play`, token: reporter.token });
    expect(byReporter.statusCode).toBe(403);
    const played = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/jobs/${deploy.id}/play`,
      token: developer.token,
      payload: { job_variables_attributes: [{ key: 'TARGET', value: 'prod' }] },
    });
    expect(played.statusCode, played.body).toBe(200);
    const job = await take();
    expect(job!.name).toBe('deploy');
    expect(job!.variables.find((v) => v.key === 'TARGET')?.value).toBe('prod');
    await report(job!, 'failed');
    expect(await statusOf(pipeline.id)).toBe('success'); // allow_failure of a manual job
    const retried = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/jobs/${deploy.id}/retry`, token: developer.token });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json().attempt).toBe(2);
    await report((await take())!, 'success');
    expect((await jobsOf(pipeline.id)).find((j) => j.name === 'deploy')!.status).toBe('success');
  });

  it('cancels: the runner learns it on its next report and its log is closed', async () => {
    const pipeline = await runPipeline('long:\n  script: [sleep 100]\nlater:\n  stage: deploy\n  script: [x]\n');
    const job = (await take())!;
    expect(await report(job, 'running')).toBe('running');
    const cancel = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/cancel`, token: developer.token });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().status).toBe('canceled');
    expect(await report(job, 'running')).toBe('canceled');
    const trace = await t.call({ method: 'PATCH', url: `/api/v4/jobs/${job.id}/trace`, headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': '0-4' }, payload: 'late\n' });
    expect(trace.statusCode).toBe(403);
    expect(trace.headers['job-status']).toBe('canceled');
    expect(Object.fromEntries((await jobsOf(pipeline.id)).map((j) => [j.name, j.status]))).toEqual({ long: 'canceled', later: 'canceled' });
    // and the pipeline can be retried
    const retry = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipelines/${pipeline.id}/retry`, token: developer.token });
    expect(retry.statusCode, retry.body).toBe(201);
    expect(await drain(pipeline.id)).toEqual(['long', 'later']);
    expect(await statusOf(pipeline.id)).toBe('success');
  });

  it('fails jobs whose runner went silent or whose time ran out, and retries them when asked', async () => {
    const pipeline = await runPipeline('silent:\n  retry:\n    max: 1\n    when: [runner_system_failure]\n  script: [x]\nslow:\n  timeout: 1 minute\n  script: [x]\n');
    const silent = (await take())!;
    const slow = (await take())!;
    const db = t.services.database.db;
    const longAgo = Date.now() - 10 * 60 * 1000;
    await db.updateTable('ci_jobs').set({ heartbeat_at: longAgo }).where('id', '=', silent.id).execute();
    await db.updateTable('ci_jobs').set({ started_at: longAgo }).where('id', '=', slow.id).execute();
    expect(await t.services.jobLifecycle.failStale(120_000)).toBe(2);
    const jobs = await jobsOf(pipeline.id, true);
    expect(jobs.find((j) => j.id === silent.id)).toMatchObject({ status: 'failed', failure_reason: 'runner_system_failure' });
    expect(jobs.find((j) => j.id === slow.id)).toMatchObject({ status: 'failed', failure_reason: 'job_execution_timeout' });
    const again = await take();
    expect(again!.name).toBe('silent'); // retried for runner_system_failure
    expect(await report(silent, 'success')).toBe('failed'); // the old attempt's late report changes nothing
    await report(again!, 'success');
  });
});

describe('variables, logs and job tokens', () => {
  it('hides masked variables in logs, gives protected ones only to protected branches', async () => {
    const secret = 'hunter2-very-secret-value';
    for (const v of [
      { key: 'API_SECRET', value: secret, masked: true },
      { key: 'DEPLOY_KEY', value: 'protected-only-value', protected: true },
    ]) {
      const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/variables`, token: maintainer.token, payload: v });
      expect(res.statusCode, res.body).toBe(201);
    }
    const short = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/variables`, token: maintainer.token, payload: { key: 'SHORT', value: 'abc', masked: true } });
    expect(short.statusCode).toBe(400);
    const byDeveloper = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/variables`, token: developer.token });
    expect(byDeveloper.statusCode).toBe(403);

    await setConfig('show:\n  script: [echo $API_SECRET]\n');
    for (const [ref, expectProtected] of [
      ['main', true],
      ['feature', false],
    ] as const) {
      const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: developer.token, payload: { ref } });
      expect(res.statusCode).toBe(201);
      const job = (await take())!;
      expect(job.variables.find((v) => v.key === 'API_SECRET')).toMatchObject({ value: secret, masked: true });
      expect(job.variables.some((v) => v.key === 'DEPLOY_KEY')).toBe(expectProtected);
      expect(job.variables.find((v) => v.key === 'CI_JOB_TOKEN')).toMatchObject({ value: job.token, masked: true });
      const line = `$ echo $API_SECRET\n${secret}\n`;
      const appended = await t.call({
        method: 'PATCH',
        url: `/api/v4/jobs/${job.id}/trace`,
        headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `0-${Buffer.byteLength(line) - 1}` },
        payload: line,
      });
      expect(appended.statusCode).toBe(202);
      const wrongOffset = await t.call({
        method: 'PATCH',
        url: `/api/v4/jobs/${job.id}/trace`,
        headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': '0-3' },
        payload: 'dup\n',
      });
      expect(wrongOffset.statusCode).toBe(416);
      await report(job, 'success');
      const trace = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, token: reporter.token });
      // Masked again on the server, keeping the log's length (a runner counts offsets in its own bytes).
      expect(trace.body).toBe(`$ echo $API_SECRET\n[MASKED]${'*'.repeat(secret.length - 8)}\n`);
      expect(trace.body).not.toContain(secret);
    }
  });

  it('keeps a NUL byte a job printed in its log, byte for byte (PostgreSQL text could not hold it; the log is stored as bytes)', async () => {
    const pipeline = await runPipeline('binary:\n  script: [printf "a\\0b"]\n');
    const job = (await take())!;
    const chunk = Buffer.from('a\u0000b\n');
    const appended = await t.call({
      method: 'PATCH',
      url: `/api/v4/jobs/${job.id}/trace`,
      headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `0-${chunk.length - 1}` },
      payload: chunk,
    });
    expect(appended.statusCode, appended.body).toBe(202);
    await report(job, 'success');
    expect(await statusOf(pipeline.id)).toBe('success');
    const trace = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, token: reporter.token });
    expect(trace.rawPayload.equals(chunk)).toBe(true);
  });

  it('accepts a job token only while its job runs, only in its project, only for ML, package and registry APIs', async () => {
    const other = await t.createProject(maintainer.token, 'ci-other');
    await runPipeline('train:\n  script: [python train.py]\n');
    const job = (await take())!;
    const mlflow = (path: string, body: Record<string, unknown>, project = projectId) =>
      t.call({ method: 'POST', url: `/api/v4/projects/${project}/ml/mlflow/api/2.0/mlflow/${path}`, headers: { authorization: `Bearer ${job.token}` }, payload: body });
    const run = await mlflow('runs/create', { experiment_id: '0' });
    expect(run.statusCode, run.body).toBe(200);
    const tags = Object.fromEntries((run.json().run.data.tags as { key: string; value: string }[]).map((tag) => [tag.key, tag.value]));
    expect(tags['modelyard.ci.job_id']).toBe(String(job.id));
    const pkg = await t.call({
      method: 'PUT',
      url: `/api/v4/projects/${projectId}/packages/generic/model/1.0.0/weights.bin`,
      headers: { 'job-token': job.token, 'content-type': 'application/octet-stream' },
      payload: Buffer.from('weights'),
    });
    expect(pkg.statusCode).toBe(201);
    expect((await mlflow('runs/create', { experiment_id: '0' }, other.id)).statusCode).toBe(404);
    const members = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/members`, headers: { 'job-token': job.token } });
    expect(members.statusCode).toBe(403);
    await report(job, 'success');
    const after = await mlflow('runs/create', { experiment_id: '0' });
    expect(after.statusCode).toBe(401);
  });

  it("passes the artifacts zip to the jobs that need them, with the running job's token, and serves it", async () => {
    const pipeline = await runPipeline('make:\n  stage: build\n  script: [x]\n  artifacts:\n    paths: [out/model.bin]\nuse:\n  stage: test\n  script: [y]\n');
    const make = (await take())!;
    const upload = await uploadArchive(make, { 'out/model.bin': 'model-bytes' });
    expect(upload.statusCode, upload.body).toBe(201);
    await report(make, 'success');
    const use = (await take())!;
    const size = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}`, token: reporter.token })).json().artifacts_file.size as number;
    expect(use.dependencies).toEqual([{ id: make.id, name: 'make', token: use.token, artifacts_file: { filename: 'artifacts.zip', size } }]);
    const fetched = await t.call({ method: 'GET', url: `/api/v4/jobs/${make.id}/artifacts`, headers: { 'job-token': use.token } });
    expect(fetched.statusCode).toBe(200);
    expect(await unzipText(fetched.rawPayload)).toEqual({ 'out/model.bin': 'model-bytes' });
    await report(use, 'success');
    const stale = await t.call({ method: 'GET', url: `/api/v4/jobs/${make.id}/artifacts`, headers: { 'job-token': use.token } });
    expect(stale.statusCode).toBe(403);
    const byReader = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}/artifacts/out/model.bin`, token: reporter.token });
    expect(byReader.body).toBe('model-bytes');
    expect((await jobsOf(pipeline.id))[0]).toMatchObject({ name: 'make' });
  });

  it('removes expired artifacts with their rows and queues their bytes, deleted once due', async () => {
    await runPipeline('keep:\n  script: [x]\n  artifacts:\n    paths: [out/]\n');
    const job = (await take())!;
    expect((await uploadArchive(job, { 'out/a.txt': 'a' })).statusCode).toBe(201);
    await report(job, 'success');
    const db = t.services.database.db;
    const row = await db.selectFrom('ci_job_artifacts').select(['id', 'store_key']).where('job_id', '=', job.id).executeTakeFirstOrThrow();
    await db
      .updateTable('ci_job_artifacts')
      .set({ expire_at: Date.now() - 1 })
      .where('id', '=', row.id)
      .execute();
    expect(await t.services.jobArtifacts.deleteExpired()).toBe(1);
    expect(await db.selectFrom('ci_job_artifacts').select('id').where('id', '=', row.id).executeTakeFirst()).toBeUndefined();
    expect((await db.selectFrom('blob_deletions').select('store_key').execute()).map((r) => r.store_key)).toContain(row.store_key);
    // The bytes outlive the row by the deletion delay (a download that just looked it up finishes).
    expect((await (await t.services.blobStore.get(row.store_key)).toArray()).length).toBeGreaterThan(0);
    await new BlobDeletions(db, t.services.blobStore, 0).sweepAll();
    await expect(t.services.blobStore.get(row.store_key)).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('runners', () => {
  it('gives tagged jobs only to runners with those tags and project runners only their project', async () => {
    const projectRunner = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: maintainer.token, payload: { runner_type: 'project_type', project_id: projectId, tag_list: ['cpu'] } });
    expect(projectRunner.statusCode, projectRunner.body).toBe(201);
    const instanceByMaintainer = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: maintainer.token, payload: { runner_type: 'instance_type' } });
    expect(instanceByMaintainer.statusCode).toBe(403);
    await runPipeline('big:\n  tags: [gpu]\n  script: [x]\n');
    expect(await take(projectRunner.json().token)).toBeNull(); // lacks the gpu tag and runs no untagged jobs
    const job = await take();
    expect(job!.name).toBe('big');
    await report(job!, 'success');
    const list = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/runners`, token: maintainer.token });
    expect(list.json().map((r: { description: string; status: string }) => r.status)).toContain('online');
    const bad = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: 'myrt-not-a-token' } });
    expect(bad.statusCode).toBe(403);
  });

  it('registers runners with a project registration token', async () => {
    const reset = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/runners/reset_registration_token`, token: maintainer.token });
    expect(reset.statusCode).toBe(201);
    const registered = await t.call({ method: 'POST', url: '/api/v4/runners', payload: { token: reset.json().token, description: 'legacy', tag_list: 'a,b' } });
    expect(registered.statusCode, registered.body).toBe(201);
    const verify = await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token: registered.json().token } });
    expect(verify.statusCode).toBe(200);
    const refused = await t.call({ method: 'POST', url: '/api/v4/runners', payload: { token: 'wrong' } });
    expect(refused.statusCode).toBe(403);
  });

  it('never hands one job to two runners asking at once', async () => {
    const second = (await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', run_untagged: true } })).json().token as string;
    const pipeline = await runPipeline('many:\n  parallel: 40\n  script: [x]\n');
    const seen: number[] = [];
    await Promise.all(
      [runnerToken, second, runnerToken, second].map(async (token) => {
        for (let job = await take(token); job; job = await take(token)) {
          seen.push(job.id);
          await report(job, 'success');
        }
      }),
    );
    expect(seen.length).toBe(40);
    expect(new Set(seen).size).toBe(40);
    expect(await statusOf(pipeline.id)).toBe('success');
  });
});

describe('trigger tokens', () => {
  it('runs a pipeline with a trigger token from a form, as its owner, and refuses a wrong token', async () => {
    await setConfig('job:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "trigger"\n  script: [x]\n');
    const created = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/triggers`, token: maintainer.token, payload: { description: 'nightly' } });
    expect(created.statusCode).toBe(201);
    const token = created.json().token as string;
    const boundary = 'XyZ';
    const form = [
      `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${token}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="ref"\r\n\r\nmain\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="variables[EPOCHS]"\r\n\r\n3\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/trigger/pipeline`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: form });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: 'trigger', user: { id: maintainer.id } });
    const job = (await take())!;
    expect(job.variables.find((v) => v.key === 'EPOCHS')?.value).toBe('3');
    await report(job, 'success');
    const wrong = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/trigger/pipeline`, payload: { token: 'myptt-wrong', ref: 'main' } });
    expect(wrong.statusCode).toBe(404);
  });
});

describe('registry events', () => {
  it('start the pipelines whose rules select the event, with the model variables, and not from their own jobs', async () => {
    const { RegistryTriggers } = await import('../../src/pipelines/registry-triggers.ts');
    const pino = (await import('pino')).default;
    const triggers = new RegistryTriggers(t.services.database.db, t.services.ciSettings, t.services.pipelineCreator, pino({ level: 'silent' }));
    await triggers.tick(); // skip what earlier tests left in the outbox
    await setConfig(`
evaluate:
  rules:
    - if: $CI_PIPELINE_SOURCE == "model_registry" && $MODEL_EVENT == "version_created"
  script: [evaluate]
promote:
  rules:
    - if: $MODEL_EVENT == "alias_moved" && $MODEL_ALIAS == "champion"
  script: [deploy]
`);
    const mlflow = (path: string, body: Record<string, unknown>, token = developer.token) =>
      t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${path}`, token, payload: body });
    expect((await mlflow('registered-models/create', { name: 'reg-ci' })).statusCode).toBe(200);
    const version = await mlflow('model-versions/create', { name: 'reg-ci', source: 'mlflow-artifacts:/x/model' });
    expect(version.statusCode, version.body).toBe(200);
    expect(await triggers.tick()).toBe(1);
    const created = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines?source=model_registry`, token: reporter.token })).json();
    expect(created).toHaveLength(1);
    expect(created[0].user).toEqual({ id: developer.id });
    const job = (await take())!;
    expect(job.name).toBe('evaluate');
    const vars = Object.fromEntries(job.variables.map((v) => [v.key, v.value]));
    expect(vars).toMatchObject({
      CI_PIPELINE_SOURCE: 'model_registry',
      MODEL_EVENT: 'version_created',
      MODEL_NAME: 'reg-ci',
      MODEL_VERSION: '1',
      MODEL_URI: 'models:/reg-ci/1',
      MODEL_SEMVER: '1.0.0',
    });
    // A change made by this job (a registry pipeline's) starts nothing: no loops.
    const byJob = await t.call({
      method: 'POST',
      url: `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/registered-models/alias`,
      headers: { authorization: `Bearer ${job.token}` },
      payload: { name: 'reg-ci', alias: 'champion', version: '1' },
    });
    expect(byJob.statusCode, byJob.body).toBe(200);
    expect(await triggers.tick()).toBe(0);
    await report(job, 'success');
    // The same change by a person starts the promote job; an alias that no rule names starts nothing.
    expect((await mlflow('registered-models/alias', { name: 'reg-ci', alias: 'champion', version: '1' })).statusCode).toBe(200);
    expect((await mlflow('registered-models/alias', { name: 'reg-ci', alias: 'staging', version: '1' })).statusCode).toBe(200);
    expect(await triggers.tick()).toBe(1);
    const promote = (await take())!;
    expect(promote.name).toBe('promote');
    expect(promote.variables.find((v) => v.key === 'MODEL_ALIAS')?.value).toBe('champion');
    await report(promote, 'success');
    const versionRow = await t.services.database.db.selectFrom('model_versions').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const forVersion = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines?model_version_id=${versionRow.id}`, token: reporter.token })).json();
    expect(forVersion).toHaveLength(2);
  });
});

describe('bad input', () => {
  it('gets a clear 4xx and changes nothing', async () => {
    const before = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines`, token: reporter.token })).headers['x-total'];
    const cases: [string, string, unknown, string][] = [
      ['POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main', variables: [{ key: 'BAD KEY', value: 'x' }] }, developer.token],
      ['POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main', variables: 'nope' }, developer.token],
      ['POST', `/api/v4/projects/${projectId}/variables`, { key: 'bad-key!', value: 'x' }, maintainer.token],
      ['POST', `/api/v4/projects/${projectId}/variables`, { key: 'NOVALUE' }, maintainer.token],
      ['PUT', `/api/v4/projects/${projectId}/ci/settings`, { repository_url: 'ext::sh -c touch% /tmp/pwned' }, maintainer.token],
      ['PUT', `/api/v4/projects/${projectId}/ci/settings`, { repository_url: '/srv/git/local.git' }, maintainer.token],
      ['PUT', `/api/v4/projects/${projectId}/ci/settings`, { protected_branches: ['ok', 'bad branch'] }, maintainer.token],
      ['POST', '/api/v4/user/runners', { runner_type: 'project_type', project_id: projectId, tag_list: ['bad tag'] }, maintainer.token],
      ['POST', '/api/v4/user/runners', { runner_type: 'moon_type' }, ADMIN_TOKEN],
      ['POST', `/api/v4/projects/${projectId}/trigger/pipeline`, { ref: 'main' }, ''],
      ['POST', `/api/v4/projects/${projectId}/ci/lint`, { content: 42 }, reporter.token],
      ['POST', '/api/v4/jobs/request', { token: 42 }, ''],
    ];
    for (const [method, url, payload, token] of cases) {
      const res = await t.call({ method: method as 'POST', url, payload: payload as Record<string, unknown>, token: token || null });
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(res.json().message, `${method} ${url}`).toBeTruthy();
    }
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/pipelines`, token: reporter.token })).headers['x-total']).toBe(before);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/variables`, token: maintainer.token })).json().map((v: { key: string }) => v.key)).not.toContain('NOVALUE');
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/ci/settings`, token: maintainer.token })).json().repository_url).toBeNull();
  });
});
