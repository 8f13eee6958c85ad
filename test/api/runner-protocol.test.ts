import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/secrets.ts';
import { JobResponse } from '../../src/runner-protocol/job-response.ts';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { gzipOf, multipartUpload, unzipText, zipOf } from '../support/artifacts.ts';

/**
 * GitLab's runner protocol as GitLab Runner 17.5 speaks it (common/network.go): the requests
 * carry fields the server does not know and must accept; the answers must decode into the
 * runner's Go types. The end-to-end test runs the real runner; this one pins each exchange.
 */
let t: TestApp;
let maintainer: TestUser;
let reporter: TestUser;
let projectId: number;
let runnerToken: string;

/** What GitLab Runner 17.5 sends with every request, unknown to the server. */
const RUNNER_INFO = {
  name: 'gitlab-runner',
  version: '17.5.0',
  revision: 'v17.5.0',
  platform: 'linux',
  architecture: 'amd64',
  executor: 'shell',
  shell: 'bash',
  features: { variables: true, artifacts: true, trace_checksum: true, cancel_gracefully: true },
  config: { gpus: '' },
};

beforeAll(async () => {
  t = await startTestApp();
  maintainer = await t.createUser('rp-maint');
  reporter = await t.createUser('rp-rep');
  projectId = (await t.createProject(maintainer.token, 'rp-project')).id;
  await t.addMember(projectId, reporter.id, 20);
  const runner = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', run_untagged: true } });
  runnerToken = runner.json().token;
});
afterAll(async () => {
  await t?.close();
});

async function runPipeline(content: string) {
  await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ci/config`, token: maintainer.token, payload: { content } });
  const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: maintainer.token, payload: { ref: 'main' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number };
}

async function request(extra: Record<string, unknown> = {}) {
  return t.call({
    method: 'POST',
    url: '/api/v4/jobs/request',
    headers: { 'private-token': runnerToken },
    payload: { token: runnerToken, system_id: 's_0123456789ab', info: RUNNER_INFO, session: { url: '', certificate: '', authorization: '' }, ...extra },
  });
}

async function take(): Promise<JobResponse> {
  const res = await request();
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as JobResponse;
}

const patch = (job: { id: number; token: string }, start: number, text: string) =>
  t.call({
    method: 'PATCH',
    url: `/api/v4/jobs/${job.id}/trace?debug_trace=false`,
    headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `${start}-${start + Buffer.byteLength(text) - 1}` },
    payload: text,
  });

const put = (job: { id: number; token: string }, body: Record<string, unknown>) =>
  t.call({ method: 'PUT', url: `/api/v4/jobs/${job.id}`, headers: { 'private-token': job.token }, payload: { token: job.token, info: RUNNER_INFO, ...body } });

async function upload(job: { id: number; token: string }, type: string, format: string, content: Buffer, name = 'artifacts.zip') {
  const form = multipartUpload('file', name, content);
  return t.call({
    method: 'POST',
    url: `/api/v4/jobs/${job.id}/artifacts?artifact_format=${format}&artifact_type=${type}&expire_in=1+day`,
    headers: { 'job-token': job.token, 'content-type': form.contentType, 'transfer-encoding': 'chunked' },
    payload: form.body,
  });
}

const jobRow = (id: number) => t.services.database.db.selectFrom('ci_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('registration', () => {
  it('registers with a registration token and the fields GitLab Runner sends, verifies, resets and unregisters', async () => {
    const reset = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/runners/reset_registration_token`, token: maintainer.token });
    const registrationToken = reset.json().token as string;
    expect(registrationToken).toMatch(/^GR1348941[\w-]{20,}$/);
    const registered = await t.call({
      method: 'POST',
      url: '/api/v4/runners',
      payload: {
        token: registrationToken,
        description: 'vm',
        tag_list: 'cpu,linux',
        run_untagged: false,
        locked: true,
        paused: false,
        access_level: 'not_protected',
        maximum_timeout: 3600,
        maintenance_note: 'n',
        info: RUNNER_INFO,
      },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const { id, token } = registered.json() as { id: number; token: string };
    expect(registered.json()).toEqual({ id, token, token_expires_at: null });
    expect(token).toMatch(/^glrtr-/); // not glrt-: GitLab Runner unregisters such a runner with DELETE /runners

    const verify = await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token, system_id: 's_0123456789ab' } });
    expect(verify.statusCode).toBe(200);
    expect(verify.json()).toEqual({ id, token, token_expires_at: null });

    const resetToken = await t.call({ method: 'POST', url: '/api/v4/runners/reset_authentication_token', payload: { token } });
    expect(resetToken.statusCode).toBe(201);
    const fresh = resetToken.json().token as string;
    expect(fresh).not.toBe(token);
    expect((await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token } })).statusCode).toBe(403);
    expect((await t.call({ method: 'DELETE', url: '/api/v4/runners', payload: { token: fresh } })).statusCode).toBe(204);
    expect((await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token: fresh } })).statusCode).toBe(403);
  });

  it('gives created runners a glrt- token; a machine leaving (DELETE /runners/managers) leaves the runner', async () => {
    expect(runnerToken).toMatch(/^glrt-[\w-]{20,}$/);
    const gone = await t.call({ method: 'DELETE', url: '/api/v4/runners/managers', payload: { token: runnerToken, system_id: 's_0123456789ab' } });
    expect(gone.statusCode).toBe(204);
    expect((await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token: runnerToken, system_id: 's_0123456789ab' } })).statusCode).toBe(200);
    expect((await t.call({ method: 'DELETE', url: '/api/v4/runners/managers', payload: { token: 'glrt-unknown-token-000000000000', system_id: 's_x' } })).statusCode).toBe(403);
  });
});

describe('jobs', () => {
  it("answers GitLab's job response, which GitLab Runner's types decode", async () => {
    const pipeline = await runPipeline(`
variables:
  GREETING: hello
build:
  before_script: [echo before]
  script: [echo $GREETING]
  after_script: [echo after]
  timeout: 10 minutes
  artifacts:
    name: bundle
    paths: [out/]
    exclude: [out/*.tmp]
    expire_in: 2 days
    reports:
      junit: report.xml
      dotenv: build.env
`);
    const job = await take();
    expect(Value.Check(JobResponse, job), JSON.stringify([...Value.Errors(JobResponse, job)].slice(0, 3))).toBe(true);
    expect(job.token).toMatch(/^glcbt-[0-9a-zA-Z]{1,5}_[\w-]{20,}$/); // the form secret scanners know
    expect(job.job_info).toMatchObject({ id: job.id, name: 'build', stage: 'test', project_id: projectId, project_full_path: 'rp-project', pipeline_id: pipeline.id });
    expect(job.git_info.repo_url).toBe(`http://gitlab-ci-token:${job.token}@modelyard.test/rp-project.git`);
    expect(job.git_info).toMatchObject({ ref: 'main', ref_type: 'branch', depth: 20 });
    expect(job.runner_info).toEqual({ timeout: 600 });
    expect(job.steps).toEqual([
      { name: 'script', script: ['echo before', 'echo $GREETING'], timeout: 600, when: 'on_success', allow_failure: false },
      { name: 'after_script', script: ['echo after'], timeout: 600, when: 'always', allow_failure: false },
    ]);
    expect(job.artifacts).toEqual([
      { name: 'bundle', untracked: false, paths: ['out/'], exclude: ['out/*.tmp'], when: 'on_success', expire_in: '172800 seconds', artifact_type: 'archive', artifact_format: 'zip' },
      { name: 'junit.xml', untracked: false, paths: ['report.xml'], exclude: [], when: 'always', expire_in: '172800 seconds', artifact_type: 'junit', artifact_format: 'gzip' },
      { name: '.env', untracked: false, paths: ['build.env'], exclude: [], when: 'always', expire_in: '172800 seconds', artifact_type: 'dotenv', artifact_format: 'gzip' },
    ]);
    const variable = (key: string) => job.variables.find((v) => v.key === key);
    expect(variable('GREETING')).toEqual({ key: 'GREETING', value: 'hello', public: true, file: false, masked: false, raw: false });
    expect(variable('CI_JOB_TOKEN')).toMatchObject({ value: job.token, masked: true, public: false });
    expect(variable('GIT_STRATEGY')).toMatchObject({ value: 'none' }); // no linked repository: nothing to fetch
    expect(job.features.token_mask_prefixes).toContain('glcbt-');
    const done = await put(job, { state: 'success', output: { checksum: 'crc32:00000000', bytesize: 0 }, checksum: 'crc32:00000000', exit_code: 0, runtime_environment_key: 'x' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.headers['job-status']).toBe('success');
  });

  it('answers 204 with X-GitLab-Last-Update at once, and holds a request that sends it back until a job comes', async () => {
    const empty = await request();
    expect(empty.statusCode).toBe(204);
    const lastUpdate = empty.headers['x-gitlab-last-update'] as string;
    expect(lastUpdate).toBeTruthy();
    const started = Date.now();
    const waiting = request({ last_update: lastUpdate });
    await new Promise((r) => setTimeout(r, 700));
    await runPipeline('late:\n  script: [x]\n');
    const res = await waiting;
    expect(res.statusCode).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    const job = res.json() as JobResponse;
    expect(job.job_info.name).toBe('late');
    await put(job, { state: 'success' });
  });

  it('takes the final state only once the whole log arrived (202 otherwise), and refuses reports on a canceled job with its status', async () => {
    await runPipeline('long:\n  script: [sleep 100]\n');
    const job = await take();
    expect((await patch(job, 0, 'line one\n')).statusCode).toBe(202);
    const early = await put(job, { state: 'success', output: { checksum: 'crc32:deadbeef', bytesize: 100 } });
    expect(early.statusCode).toBe(202);
    expect((await jobRow(job.id)).status).toBe('running');
    const wrongStart = await patch(job, 3, 'x\n');
    expect(wrongStart.statusCode).toBe(416);
    expect(wrongStart.headers.range).toBe('0-9');
    const cancel = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/jobs/${job.id}/cancel`, token: maintainer.token });
    expect(cancel.statusCode).toBe(200);
    const refused = await put(job, { state: 'running' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['job-status']).toBe('canceled');
    const late = await patch(job, 9, 'more\n');
    expect(late.statusCode).toBe(403);
    expect(late.headers['job-status']).toBe('canceled');
  });

  it('keeps the log as bytes: a UTF-8 character split between two chunks arrives whole', async () => {
    await runPipeline('utf:\n  script: [x]\n');
    const job = await take();
    const bytes = Buffer.from('progress █ done\n');
    const cut = bytes.indexOf(0xe2) + 1;
    const first = await t.call({ method: 'PATCH', url: `/api/v4/jobs/${job.id}/trace`, headers: { 'job-token': job.token, 'content-range': `0-${cut - 1}` }, payload: bytes.subarray(0, cut) });
    expect(first.headers.range).toBe(`0-${cut}`);
    const second = await t.call({
      method: 'PATCH',
      url: `/api/v4/jobs/${job.id}/trace`,
      headers: { 'job-token': job.token, 'content-range': `${cut}-${bytes.length - 1}` },
      payload: bytes.subarray(cut),
    });
    expect(second.statusCode).toBe(202);
    expect(second.headers.range).toBe(`0-${bytes.length}`);
    await put(job, { state: 'success', output: { bytesize: bytes.length } });
    const trace = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${job.id}/trace`, token: reporter.token });
    expect(trace.body).toBe('progress █ done\n');
  });
});

describe('a handout nobody confirms', () => {
  it('goes back to the queue with its token dropped; a confirmed job stays with its runner', async () => {
    await runPipeline('lost:\n  script: [x]\nkept:\n  script: [y]\n');
    const lost = await take();
    const kept = await take();
    expect((await patch(kept, 0, 'started\n')).statusCode).toBe(202); // the runner's first report confirms
    expect(await t.services.jobHandouts.requeueUnconfirmed(0)).toBe(1);
    expect(await jobRow(lost.id)).toMatchObject({ status: 'pending', token_hash: null, runner_id: null });
    expect((await jobRow(kept.id)).status).toBe('running');
    // The first runner, had it got the job after all, is refused from its first report on.
    const stale = await patch(lost, 0, 'late\n');
    expect(stale.statusCode).toBe(403);
    const again = await take();
    expect(again.id).toBe(lost.id);
    expect(again.token).not.toBe(lost.token);
    await patch(again, 0, 'ok\n');
    expect((await put(again, { state: 'success' })).statusCode).toBe(200);
    expect((await put(kept, { state: 'success' })).statusCode).toBe(200);
  });

  it('fails after being handed out three times unconfirmed (a runner that cannot read it)', async () => {
    await runPipeline('unreadable:\n  script: [x]\n');
    for (let round = 1; round <= 3; round++) {
      await take();
      await t.services.jobHandouts.requeueUnconfirmed(0);
    }
    const rows = await t.services.database.db.selectFrom('ci_jobs').selectAll().where('name', '=', 'unreadable').execute();
    expect(rows[0]).toMatchObject({ status: 'failed', failure_reason: 'runner_system_failure', pickups: 3 });
    expect((await request()).statusCode).toBe(204);
  });

  it('is not put back while its runner confirms it: exactly one of the two wins', async () => {
    await runPipeline('race:\n  script: [x]\n');
    const job = await take();
    const [confirmed, requeued] = await Promise.all([patch(job, 0, 'go\n'), t.services.jobHandouts.requeueUnconfirmed(0)]);
    const row = await jobRow(job.id);
    if (confirmed.statusCode === 202) {
      expect(requeued).toBe(0);
      expect(row.status).toBe('running');
      await put(job, { state: 'success' });
    } else {
      expect(requeued).toBe(1);
      expect(row.status).toBe('pending');
      const again = await take();
      await patch(again, 0, 'go\n');
      await put(again, { state: 'success' });
    }
  });
});

describe('artifacts', () => {
  it('stores the zip, reads single files out of it, passes dotenv variables on, and reads JUnit reports', async () => {
    await runPipeline(`
stages: [build, test]
make:
  stage: build
  script: [x]
  artifacts:
    paths: [out/]
    reports:
      dotenv: build.env
      junit: report.xml
use:
  stage: test
  script: [y]
`);
    const make = await take();
    const zip = await zipOf({ 'out/model.bin': 'weights', 'out/nested/readme.txt': 'read me' });
    expect((await upload(make, 'archive', 'zip', zip)).statusCode).toBe(201);
    expect((await upload(make, 'archive', 'zip', zip)).statusCode).toBe(400); // one archive per job, as in GitLab
    expect((await upload(make, 'dotenv', 'gzip', gzipOf('MODEL_URI=models:/iris/3\n# comment\nQUOTED="a b"\n'), '.env.gz')).statusCode).toBe(201);
    const junit =
      '<?xml version="1.0"?><testsuite name="s" tests="3"><testcase name="ok" classname="c" time="0.5"/><testcase name="bad" classname="c"><failure message="boom">trace</failure></testcase><testcase name="skip" classname="c"><skipped/></testcase></testsuite>';
    expect((await upload(make, 'junit', 'gzip', gzipOf(junit, junit), 'junit.xml.gz')).statusCode).toBe(201);
    await patch(make, 0, 'done\n');
    await put(make, { state: 'success' });

    const use = await take();
    expect(use.dependencies[0]).toMatchObject({ id: make.id, name: 'make', token: use.token, artifacts_file: { filename: 'artifacts.zip', size: zip.length } });
    expect(use.variables.find((v) => v.key === 'MODEL_URI')?.value).toBe('models:/iris/3');
    expect(use.variables.find((v) => v.key === 'QUOTED')?.value).toBe('a b');
    const byDependent = await t.call({ method: 'GET', url: `/api/v4/jobs/${make.id}/artifacts?direct_download=true`, headers: { 'job-token': use.token } });
    expect(byDependent.statusCode).toBe(200);
    expect(await unzipText(byDependent.rawPayload)).toEqual({ 'out/model.bin': 'weights', 'out/nested/readme.txt': 'read me' });
    await put(use, { state: 'success' });

    const job = (await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}`, token: reporter.token })).json();
    expect(job.artifacts_file).toEqual({ filename: 'artifacts.zip', size: zip.length });
    expect(job.artifacts.map((a: { file_type: string }) => a.file_type).sort()).toEqual(['archive', 'dotenv', 'junit']);
    expect(job.reports.junit).toMatchObject({ total: 6, success: 2, failed: 2, skipped: 2, failures: [{ name: 'bad', classname: 'c', message: 'boom' }, { name: 'bad' }] });
    expect(job.reports.dotenv.variables).toEqual({ MODEL_URI: 'models:/iris/3', QUOTED: 'a b' });
    const files = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}/artifact_files`, token: reporter.token });
    expect(files.json()).toEqual([
      { path: 'out/model.bin', size: 7 },
      { path: 'out/nested/readme.txt', size: 7 },
    ]);
    const one = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}/artifacts/out/nested/readme.txt`, token: reporter.token, headers: { range: 'bytes=2-3' } });
    expect(one.statusCode).toBe(206);
    expect(one.body).toBe('ad');
    const whole = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}/artifacts`, token: reporter.token });
    expect(whole.headers['content-disposition']).toContain('artifacts.zip');
    expect(whole.rawPayload.equals(zip)).toBe(true);
    const byRef = await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/artifacts/main/download?job=make`, token: reporter.token });
    expect(byRef.statusCode).toBe(200);
    expect(byRef.rawPayload.equals(zip)).toBe(true);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/artifacts/main/download?job=nope`, token: reporter.token })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}/jobs/${make.id}/artifacts/out/missing.bin`, token: reporter.token })).statusCode).toBe(404);
    // The job itself may fetch its own archive even after it finished (GitLab's require_running: false).
    expect((await t.call({ method: 'GET', url: `/api/v4/jobs/${make.id}/artifacts`, headers: { 'job-token': make.token } })).statusCode).toBe(200);
  });

  it("refuses what is not a zip, a zip with entries outside the job directory, bad reports, and other jobs' tokens", async () => {
    await runPipeline('bad:\n  script: [x]\n');
    const job = await take();
    expect((await upload(job, 'archive', 'zip', Buffer.from('not a zip at all'))).statusCode).toBe(400);
    const evil = await zipOf({ 'ok.txt': 'x' });
    const escaped = Buffer.from(evil.toString('latin1').replaceAll('ok.txt', '../e.t'), 'latin1');
    expect((await upload(job, 'archive', 'zip', escaped)).statusCode).toBe(400);
    expect((await upload(job, 'dotenv', 'gzip', gzipOf('not a variable line\n'), '.env.gz')).statusCode).toBe(400);
    expect((await upload(job, 'dotenv', 'gzip', gzipOf(Array.from({ length: 21 }, (_, i) => `K${i}=v`).join('\n')), '.env.gz')).statusCode).toBe(400);
    expect((await upload(job, 'junit', 'gzip', gzipOf('<testsuite><testcase'), 'junit.xml.gz')).statusCode).toBe(400);
    expect((await upload(job, 'sast', 'gzip', gzipOf('{}'))).statusCode).toBe(400);
    expect((await upload({ id: job.id, token: 'glcbt-1_not-the-token-00000000000000' }, 'archive', 'zip', await zipOf({ a: 'b' }))).statusCode).toBe(403);
    // Nothing was kept of the refused uploads.
    expect(await t.services.database.db.selectFrom('ci_job_artifacts').selectAll().where('job_id', '=', job.id).execute()).toEqual([]);
    await put(job, { state: 'success' });
    const other = await t.createProject(maintainer.token, 'rp-other');
    await t.call({ method: 'PUT', url: `/api/v4/projects/${other.id}/ci/config`, token: maintainer.token, payload: { content: 'o:\n  script: [x]\n' } });
    await t.call({ method: 'POST', url: `/api/v4/projects/${other.id}/pipeline`, token: maintainer.token, payload: { ref: 'main' } });
    const stranger = await take();
    const makeId = (await t.services.database.db.selectFrom('ci_job_artifacts').select('job_id').executeTakeFirstOrThrow()).job_id;
    expect((await t.call({ method: 'GET', url: `/api/v4/jobs/${makeId}/artifacts`, headers: { 'job-token': stranger.token } })).statusCode).toBe(403);
    await put(stranger, { state: 'success' });
  });
});

describe('tokens', () => {
  it("issues GitLab's prefixes and keeps authenticating tokens issued with Modelyard's old ones", async () => {
    const pat = await t.call({ method: 'POST', url: `/api/v4/users/${maintainer.id}/personal_access_tokens`, token: ADMIN_TOKEN, payload: { name: 'p', scopes: ['api'] } });
    expect(pat.json().token).toMatch(/^glpat-[\w-]{20,}$/);
    const trigger = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/triggers`, token: maintainer.token, payload: { description: 't' } });
    expect(trigger.json().token).toMatch(/^glptt-[0-9a-f]{40}$/);

    const user = await t.services.database.db.selectFrom('users').select('id').where('username', '=', 'rp-rep').executeTakeFirstOrThrow();
    const old = await t.services.tokens.create({ userId: user.id, kind: 'personal' }, { name: 'old', scopes: ['api'] }, null, undefined, 'mypat-issued-before-the-switch-0000');
    expect((await t.call({ method: 'GET', url: '/api/v4/user', headers: { 'private-token': old.secret } })).statusCode).toBe(200);

    const legacyRunner = 'myrt-issued-before-the-switch-00000';
    await t.services.database.db
      .updateTable('ci_runners')
      .set({ token_hash: sha256Hex(legacyRunner) })
      .where('token_hash', '=', sha256Hex(runnerToken))
      .execute();
    runnerToken = legacyRunner;
    expect((await t.call({ method: 'POST', url: '/api/v4/runners/verify', payload: { token: legacyRunner } })).statusCode).toBe(200);

    await runPipeline('legacy:\n  script: [x]\n');
    const job = await take();
    const legacyJobToken = 'myjob-issued-before-the-switch-0000';
    await t.services.database.db
      .updateTable('ci_jobs')
      .set({ token_hash: sha256Hex(legacyJobToken) })
      .where('id', '=', job.id)
      .execute();
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, headers: { 'job-token': legacyJobToken } })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${projectId}`, headers: { authorization: `Bearer ${legacyJobToken}` } })).statusCode).toBe(200);
    expect((await put({ id: job.id, token: legacyJobToken }, { state: 'success' })).statusCode).toBe(200);
  });
});
