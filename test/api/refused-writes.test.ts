import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/auth/authorization-hook.ts';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner, createProjectBot, createTrigger, startJob } from '../support/credentials.ts';
import { changedTables, snapshotTables, type TableSnapshot } from '../support/table-snapshot.ts';
import { EXPECTED_OUTCOMES, MLFLOW_MOUNTS, PERSONAS, type Persona } from './authorization-expectations.ts';

/**
 * Authorization comes before any write: every POST, PUT, PATCH and DELETE route is called by
 * each caller the permission table refuses, with a body that would be valid for a caller it
 * allows and with ids of things that exist, and no row of any table may change. A handful of
 * refusals that only a service can make (the role a member may grant, the requester of an
 * approval, a protected alias, someone else's runner or token) are checked the same way.
 */
let t: TestApp;
let world: World;
const ajv = new Ajv({ strict: false });
(addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);

interface World {
  projectId: number;
  owner: TestUser;
  guest: TestUser;
  reporter: TestUser;
  developer: TestUser;
  maintainer: TestUser;
  outsider: TestUser;
  admin: TestUser;
  experimentId: string;
  runId: string;
  loggedModelId: string;
  modelId: number;
  modelVersionId: number;
  hookId: number;
  /** A queued import job (made in the database: making one through the API reads a Hub). */
  importId: number;
  packageId: number;
  packageFileId: number;
  triggerId: number;
  finishedJob: { id: number; pipelineId: number };
  runnerId: number;
  runnerToken: string;
  triggerToken: string;
  guestTokenId: number;
  botToken: string;
  botUserId: number;
  jobToken: string;
  outsiderBotToken: string;
  outsiderJobToken: string;
  /** The maintainer's browser session (cookie and CSRF header) and a read_api token of theirs. */
  maintainerSession: Record<string, string>;
  maintainerReadApiToken: string;
  /** An issue with a comment and a link (src/issues/). */
  issue: { iid: number; noteId: number; linkId: number };
}

const MODEL = 'refusal-model';
const VARIABLE = 'REFUSAL_VAR';

function expectStatus(res: { statusCode: number; body: string }, status: number, what: string): void {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
}

async function buildWorld(): Promise<World> {
  const owner = await t.createUser('rw-owner');
  const [guest, reporter, developer, maintainer, outsider] = [
    await t.createUser('rw-guest'),
    await t.createUser('rw-reporter'),
    await t.createUser('rw-developer'),
    await t.createUser('rw-maintainer'),
    await t.createUser('rw-outsider'),
  ];
  const admin = await t.createUser('rw-admin', { admin: true });
  const projectId = (await t.createProject(owner.token, 'refusals')).id;
  await t.addMember(projectId, guest.id, 10);
  await t.addMember(projectId, reporter.id, 20);
  await t.addMember(projectId, developer.id, 30);
  await t.addMember(projectId, maintainer.id, 40);
  const outsiderProjectId = (await t.createProject(outsider.token, 'refusals-outsider')).id;

  const call = async (method: InjectOptions['method'], url: string, token: string, payload?: unknown, status = 200) => {
    const res = await t.call({ method, url, token, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
    expectStatus(res, status, `${method} ${url}`);
    return res.json() as Record<string, unknown>;
  };
  const mlflow = (endpoint: string, body: unknown) => call('POST', `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`, developer.token, body);
  const api = `/api/v4/projects/${projectId}`;

  const experimentId = String((await mlflow('experiments/create', { name: 'refusal-experiment' })).experiment_id);
  const runId = String(((await mlflow('runs/create', { experiment_id: experimentId })).run as { info: { run_id: string } }).info.run_id);
  await mlflow('runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 1_700_000_000_000, step: 0 });
  await mlflow('runs/set-tag', { run_id: runId, key: 'k', value: 'v' });
  const loggedModelId = String(((await mlflow('logged-models', { experiment_id: experimentId, name: 'm' })).model as { info: { model_id: string } }).info.model_id);
  const modelId = Number((await call('POST', `${api}/ml/models`, developer.token, { name: MODEL }, 201)).id);
  const version = await call('POST', `${api}/ml/models/${modelId}/versions`, developer.token, {}, 201);
  await call('POST', `${api}/ml/models/${modelId}/labels`, developer.token, { label: 'keep' });
  await call('POST', `${api}/ml/models/${modelId}/versions/1/labels`, developer.token, { label: 'keep' });
  await call('PUT', `${api}/ml/registry/settings`, maintainer.token, { protected_aliases: ['champion'] });
  await call('PUT', `${api}/ml/models/${modelId}/aliases/champion`, maintainer.token, { version: 1 });
  // Requested by a maintainer, so that the requester deciding is a refusal the service makes.
  await call('POST', `${api}/ml/models/${modelId}/versions/1/approval_requests`, maintainer.token, {}, 201);
  const pkg = await t.call({
    method: 'PUT',
    url: `${api}/packages/generic/pkg/1.0.0/file.bin`,
    token: developer.token,
    headers: { 'content-type': 'application/octet-stream' },
    payload: Buffer.from('bytes'),
  });
  expectStatus(pkg, 201, 'package upload');
  const packageId = Number((await t.call({ method: 'GET', url: `${api}/packages`, token: developer.token })).json()[0].id);
  const packageFileId = Number((await t.call({ method: 'GET', url: `${api}/packages/${packageId}/package_files`, token: developer.token })).json()[0].id);
  const hookId = Number((await call('POST', `${api}/hooks`, maintainer.token, { url: 'http://127.0.0.1:9/hook', events: ['registry.*'] }, 201)).id);
  await call('POST', `${api}/variables`, maintainer.token, { key: VARIABLE, value: 'v' }, 201);
  const triggerToken = await createTrigger(t, projectId);
  const triggerId = Number((await t.call({ method: 'GET', url: `${api}/triggers`, token: maintainer.token })).json()[0].id);

  const runnerToken = await createInstanceRunner(t);
  const runnerId = Number((await t.call({ method: 'GET', url: '/api/v4/runners', token: ADMIN_TOKEN })).json()[0].id);
  // A job that has ended (no one's token matches it any longer) for the routes that name a job.
  const ended = await startJob(t, projectId, runnerToken);
  expectStatus(await t.call({ method: 'PUT', url: `/api/v4/jobs/${ended.id}`, payload: { token: ended.token, state: 'success' } }), 200, 'finish the job');
  const endedPipeline = Number((await t.call({ method: 'GET', url: `${api}/jobs/${ended.id}`, token: ADMIN_TOKEN })).json().pipeline.id);
  const jobToken = (await startJob(t, projectId, runnerToken)).token;
  const bot = await createProjectBot(t, projectId);
  const at = Date.now();
  const importJob = await t.services.database.db
    .insertInto('import_jobs')
    .values({
      project_id: projectId,
      kind: 'huggingface',
      source: '{}',
      source_key: 'huggingface:refusals',
      model_name: MODEL,
      state: 'queued',
      credential: null,
      files_total: 0,
      bytes_total: 0,
      version_id: null,
      creator_id: owner.id,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const guestTokenId = (await t.services.tokens.create({ userId: guest.id, kind: 'personal' }, { name: 'target', scopes: ['api'] }, null)).row.id;
  const issueIid = Number((await call('POST', `${api}/issues`, reporter.token, { title: 'refusals' }, 201)).iid);
  const noteId = Number((await call('POST', `${api}/issues/${issueIid}/notes`, reporter.token, { body: 'kept' }, 201)).id);
  const linkId = Number((await call('POST', `${api}/issues/${issueIid}/links`, reporter.token, { type: 'model', id: modelId }, 201)).id);

  return {
    projectId,
    owner,
    guest,
    reporter,
    developer,
    maintainer,
    outsider,
    admin,
    experimentId,
    runId,
    loggedModelId,
    modelId,
    modelVersionId: Number(version.id),
    hookId,
    importId: Number(importJob.id),
    packageId,
    packageFileId,
    triggerId,
    finishedJob: { id: ended.id, pipelineId: endedPipeline },
    runnerId,
    runnerToken,
    triggerToken,
    guestTokenId,
    botToken: bot.token,
    botUserId: bot.userId,
    jobToken,
    outsiderBotToken: (await createProjectBot(t, outsiderProjectId)).token,
    outsiderJobToken: (await startJob(t, outsiderProjectId, runnerToken)).token,
    maintainerSession: await sessionOf(maintainer),
    maintainerReadApiToken: (await t.services.tokens.create({ userId: maintainer.id, kind: 'personal' }, { name: 'reader', scopes: ['read_api'] }, null)).secret,
    issue: { iid: issueIid, noteId, linkId },
  };
}

async function sessionOf(user: TestUser): Promise<Record<string, string>> {
  const res = await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: user.username, password: user.password } });
  expectStatus(res, 201, 'sign in');
  return { cookie: String(res.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': (res.json() as { csrf_token: string }).csrf_token };
}

type Sample = { json: unknown } | { raw: string; contentType: string } | null;

const octets = (raw: string): Sample => ({ raw, contentType: 'application/octet-stream' });

/** A request body an allowed caller could send, for each native route that takes one (null: none). */
function nativeSample(key: string, w: World): Sample | undefined {
  const samples: Record<string, Sample> = {
    'POST /api/v4/session': { json: { login: w.guest.username, password: w.guest.password } },
    // MLflow's GraphQL only reads, whoever asks.
    'POST /api/v4/projects/:id/ml/mlflow/graphql': { json: { query: '{ test(inputString: "x") { output } }' } },
    'POST /graphql': { json: { query: '{ test(inputString: "x") { output } }' } },
    'DELETE /api/v4/session': null,
    'POST /api/v4/users': { json: { username: 'minted-admin', password: 'minted-password', admin: true } },
    'PUT /api/v4/users/:user_id': { json: { admin: true } },
    'POST /api/v4/users/:user_id/block': null,
    'POST /api/v4/users/:user_id/unblock': null,
    'DELETE /api/v4/personal_access_tokens/self': null,
    'DELETE /api/v4/personal_access_tokens/:token_id': null,
    'POST /api/v4/user/personal_access_tokens': { json: { name: 'x', scopes: ['api'] } },
    'POST /api/v4/users/:user_id/personal_access_tokens': { json: { name: 'x', scopes: ['api'] } },
    'POST /api/v4/personal_access_tokens/:token_id/rotate': null,
    'PUT /api/v4/user/password': { json: { current_password: 'the-current-one', new_password: 'a-new-password' } },
    'POST /api/v4/projects/:id/access_tokens': { json: { name: 'x', scopes: ['api'], access_level: 30 } },
    'DELETE /api/v4/projects/:id/access_tokens/:token_id': null,
    'POST /api/v4/projects': { json: { name: 'x', path: 'x' } },
    'PUT /api/v4/projects/:id': { json: { name: 'renamed' } },
    'DELETE /api/v4/projects/:id': null,
    'POST /api/v4/projects/:id/members': { json: { user_id: w.outsider.id, access_level: 30 } },
    'PUT /api/v4/projects/:id/members/:user_id': { json: { access_level: 20 } },
    'DELETE /api/v4/projects/:id/members/:user_id': null,
    'POST /api/v4/projects/:id/sso_group_links': { json: { provider: 'corp', group_name: 'ml-team', access_level: 30 } },
    'DELETE /api/v4/projects/:id/sso_group_links/:link_id': null,
    'DELETE /api/v4/users/:user_id/identities/:provider': null,
    'POST /api/v4/member_roles': { json: { name: 'Approving reporter', base_access_level: 20, approve_model_versions: true } },
    'DELETE /api/v4/member_roles/:member_role_id': null,
    'POST /api/v4/projects/:id/hooks': { json: { url: 'http://127.0.0.1:9/other', events: ['*'] } },
    'PUT /api/v4/projects/:id/hooks/:hook_id': { json: { enabled: false } },
    'DELETE /api/v4/projects/:id/hooks/:hook_id': null,
    'PUT /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name': octets('other bytes'),
    'DELETE /api/v4/projects/:id/packages/:package_id': null,
    'POST /api/v4/projects/:id/packages/generic/:package_name/:package_version/:file_name/uploads': { json: { size: 6_000_000 } },
    'PUT /api/v4/projects/:id/packages/uploads/:upload_id/parts/:part_number': octets('part'),
    'POST /api/v4/projects/:id/packages/uploads/:upload_id/complete': { json: {} },
    'DELETE /api/v4/projects/:id/packages/uploads/:upload_id': null,
    'DELETE /api/v4/projects/:id/packages/:package_id/package_files/:package_file_id': null,
    'POST /api/v4/projects/:id/ml/models': { json: { name: 'another-model' } },
    'POST /api/v4/projects/:id/ml/imports/huggingface': { json: { repository: 'acme/model', model: 'imported' } },
    'POST /api/v4/projects/:id/ml/imports/vertex': { json: { google_project: 'acme', location: 'us-central1', vertex_model: '123', model: 'imported', key: '{"type":"service_account"}' } },
    'POST /api/v4/projects/:id/ml/imports/vertex/models': { json: { google_project: 'acme', location: 'us-central1', key: '{"type":"service_account"}' } },
    'PUT /api/v4/projects/:id/integrations/google-cloud': { json: { service_account_key: '{"type":"service_account"}' } },
    'DELETE /api/v4/projects/:id/integrations/google-cloud': null,
    'POST /api/v4/projects/:id/ml/imports/:import_id/cancel': null,
    'PUT /api/v4/projects/:id/ml/models/:model_id': { json: { description: 'changed' } },
    'DELETE /api/v4/projects/:id/ml/models/:model_id': null,
    'POST /api/v4/projects/:id/ml/models/:model_id/labels': { json: { label: 'added' } },
    'DELETE /api/v4/projects/:id/ml/models/:model_id/labels/:label': null,
    'PUT /api/v4/projects/:id/ml/models/:model_id/aliases/:alias': { json: { version: 1 } },
    'DELETE /api/v4/projects/:id/ml/models/:model_id/aliases/:alias': null,
    'POST /api/v4/projects/:id/ml/models/:model_id/versions': { json: {} },
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations': { json: { metrics: { accuracy: 0.9 } } },
    'PUT /api/v4/projects/:id/ml/models/:model_id/versions/:version': { json: { description: 'changed' } },
    'DELETE /api/v4/projects/:id/ml/models/:model_id/versions/:version': null,
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/labels': { json: { label: 'added' } },
    'DELETE /api/v4/projects/:id/ml/models/:model_id/versions/:version/labels/:label': null,
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/card/fill': null,
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/approval_requests': { json: {} },
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/approve': { json: { comment: 'ok' } },
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/reject': { json: { comment: 'no' } },
    'POST /api/v4/projects/:id/ml/models/:model_id/versions/:version/images': {
      json: { digest: `sha256:${'ab'.repeat(32)}`, size: 1024, base: 'localhost/modelyard-model-base:1', reference: 'localhost/team/clf:1.0.0' },
    },
    'PUT /api/v4/projects/:id/ml/registry/settings': { json: { required_approvals: 3 } },
    'PUT /api/v4/projects/:id/packages/ml_models/:model_version_id/files/*': octets('model bytes'),
    'POST /api/v4/projects/:id/packages/ml_models/:model_version_id/uploads': { json: { file_name: 'weights/model.bin', size: 6_000_000 } },
    'PUT /api/v4/projects/:id/packages/ml_models/uploads/:upload_id/parts/:part_number': octets('part'),
    'POST /api/v4/projects/:id/packages/ml_models/uploads/:upload_id/complete': { json: {} },
    'DELETE /api/v4/projects/:id/packages/ml_models/uploads/:upload_id': null,
    'PUT /api/v4/projects/:id/ci/settings': { json: { default_branch: 'develop' } },
    'PUT /api/v4/projects/:id/ci/config': { json: { content: 'other:\n  script: [echo]\n' } },
    'POST /api/v4/projects/:id/ci/lint': { json: { content: 'job:\n  script: [echo]\n' } },
    'POST /api/v4/projects/:id/runners/reset_registration_token': null,
    'POST /api/v4/projects/:id/variables': { json: { key: 'ANOTHER', value: 'v' } },
    'PUT /api/v4/projects/:id/variables/:key': { json: { value: 'changed' } },
    'DELETE /api/v4/projects/:id/variables/:key': null,
    'POST /api/v4/projects/:id/triggers': { json: { description: 'another' } },
    'DELETE /api/v4/projects/:id/triggers/:trigger_id': null,
    'POST /api/v4/projects/:id/pipeline': { json: { ref: 'main' } },
    'POST /api/v4/projects/:id/pipelines/:pipeline_id/cancel': null,
    'POST /api/v4/projects/:id/pipelines/:pipeline_id/retry': null,
    'POST /api/v4/projects/:id/jobs/:job_id/retry': { json: {} },
    'POST /api/v4/projects/:id/jobs/:job_id/cancel': { json: {} },
    'POST /api/v4/projects/:id/jobs/:job_id/play': { json: {} },
    // Routes with a secret of their own, called with a wrong one.
    'POST /api/v4/projects/:id/trigger/pipeline': { json: { token: 'wrong-trigger-token', ref: 'main' } },
    'POST /api/v4/projects/:id/ci/push/:provider': { raw: JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) }), contentType: 'application/json' },
    'POST /api/v4/user/runners': { json: { runner_type: 'instance_type' } },
    'PUT /api/v4/runners/:runner_id': { json: { paused: true } },
    'DELETE /api/v4/runners/:runner_id': null,
    'POST /api/v4/runners': { json: { token: 'wrong-registration-token' } },
    'POST /api/v4/runners/verify': { json: { token: 'wrong-runner-token' } },
    'DELETE /api/v4/runners': { json: { token: 'wrong-runner-token' } },
    'POST /api/v4/jobs/request': { json: { token: 'wrong-runner-token' } },
    'PUT /api/v4/jobs/:job_id': { json: { token: 'wrong-job-token', state: 'failed' } },
    'PATCH /api/v4/jobs/:job_id/trace': { raw: 'log line\n', contentType: 'text/plain' },
    'DELETE /api/v4/runners/managers': { json: { token: 'wrong-runner-token', system_id: 's_0123456789ab' } },
    'POST /api/v4/runners/reset_authentication_token': { json: { token: 'wrong-runner-token' } },
    'POST /api/v4/jobs/:job_id/artifacts': {
      raw: '--b\r\ncontent-disposition: form-data; name="file"; filename="artifacts.zip"\r\n\r\nzip\r\n--b--\r\n',
      contentType: 'multipart/form-data; boundary=b',
    },
    'POST /:id.git/git-upload-pack': { raw: '0000', contentType: 'application/x-git-upload-pack-request' },
    'POST /api/v4/projects/:id/environments': { json: { name: 'another-environment' } },
    'PUT /api/v4/projects/:id/environments/:environment_id': { json: { timeout_ms: 2000 } },
    'DELETE /api/v4/projects/:id/environments/:environment_id': null,
    'PUT /api/v4/projects/:id/environments/:environment_id/target': { json: { kind: 'kserve', api_url: 'https://kubernetes.example.com', namespace: 'models', token: 'refused-token' } },
    'DELETE /api/v4/projects/:id/environments/:environment_id/target': null,
    'POST /api/v4/projects/:id/environments/:environment_id/stop': { json: { force: true } },
    'POST /api/v4/projects/:id/environments/stop_stale': { json: { before: new Date(Date.now() - 30 * 86_400_000).toISOString() } },
    'POST /api/v4/projects/:id/environments/:environment_id/rollback': { json: { reason: 'refused' } },
    'POST /api/v4/projects/:id/environments/:environment_id/promote': { json: {} },
    'POST /api/v4/projects/:id/deployments': { json: { environment: 'staging', model: MODEL, version: '1' } },
    'POST /api/v4/projects/:id/deployments/:deployment_id/approval': { json: { status: 'approved' } },
    'POST /api/v4/projects/:id/protected_environments': { json: { name: 'production', deploy_access_levels: [{ access_level: 40 }] } },
    'PUT /api/v4/projects/:id/protected_environments/:name': { json: { required_approval_count: 1 } },
    'DELETE /api/v4/projects/:id/protected_environments/:name': null,
    'PUT /api/v4/projects/:id/deployment_settings': { json: { require_approved_versions_in_production: true } },
    'POST /serving/:id/:environment/invocations': { raw: JSON.stringify({ inputs: [[1]] }), contentType: 'application/json' },
    'POST /serving/:id/:environment/feedback': { json: { subject: 'someone', value: 1 } },
    'POST /api/v4/projects/:id/serving_agents': { json: { description: 'another agent' } },
    'DELETE /api/v4/projects/:id/serving_agents/:agent_id': null,
    'POST /api/v4/serving_agents': { json: { description: 'another agent' } },
    'DELETE /api/v4/serving_agents/:agent_id': null,
    // The agent's protocol, with a token that is no agent's.
    'POST /api/v4/agent/sessions': { json: { version: '0.1.0', platform: 'linux/x64' } },
    'PUT /api/v4/agent/instances/:instance_id': { json: { state: 'ready', restarts: 0 } },
    'DELETE /api/v4/projects/:id/ml/experiments/:experiment_id': null,
    'DELETE /api/v4/projects/:id/ml/runs/:run_id': null,
    'PUT /api/v4/uploads/:upload_id/parts/:part_number': octets('part'),
    'POST /api/v4/projects/:id/issues': { json: { title: 'another issue' } },
    'PUT /api/v4/projects/:id/issues/:issue_iid': { json: { title: 'changed', state_event: 'close' } },
    'DELETE /api/v4/projects/:id/issues/:issue_iid': null,
    'POST /api/v4/projects/:id/issues/:issue_iid/notes': { json: { body: 'another' } },
    'PUT /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': { json: { body: 'changed' } },
    'DELETE /api/v4/projects/:id/issues/:issue_iid/notes/:note_id': null,
    'POST /api/v4/projects/:id/issues/:issue_iid/links': { json: { type: 'version', id: w.modelVersionId } },
    'DELETE /api/v4/projects/:id/issues/:issue_iid/links/:link_id': null,
  };
  return Object.hasOwn(samples, key) ? samples[key] : undefined;
}

/** The same for MLflow endpoints, relative to a mount. */
function mlflowSample(key: string, w: World): Sample | undefined {
  const run = { run_id: w.runId };
  const model = { name: MODEL };
  const samples: Record<string, Sample> = {
    'PUT /2.0/mlflow-artifacts/artifacts/*': octets('artifact'),
    'DELETE /2.0/mlflow-artifacts/artifacts/*': null,
    'POST /2.0/mlflow-artifacts/mpu/create/*': { json: { path: 'big.bin', num_parts: 2 } },
    'POST /2.0/mlflow-artifacts/mpu/complete/*': { json: { path: 'big.bin', upload_id: 'x', parts: [] } },
    'POST /2.0/mlflow-artifacts/mpu/abort/*': { json: { path: 'big.bin', upload_id: 'x' } },
    'POST /2.0/mlflow/experiments/create': { json: { name: 'another-experiment' } },
    'POST /2.0/mlflow/experiments/search-datasets': { json: { experiment_ids: [w.experimentId] } },
    'POST /2.0/mlflow/upload-artifact': octets('artifact'),
    'POST /2.0/mlflow/experiments/search': { json: {} },
    'POST /2.0/mlflow/experiments/update': { json: { experiment_id: w.experimentId, new_name: 'renamed' } },
    'POST /2.0/mlflow/experiments/delete': { json: { experiment_id: w.experimentId } },
    'POST /2.0/mlflow/experiments/restore': { json: { experiment_id: w.experimentId } },
    'POST /2.0/mlflow/experiments/set-experiment-tag': { json: { experiment_id: w.experimentId, key: 'k', value: 'v2' } },
    'POST /2.0/mlflow/experiments/delete-experiment-tag': { json: { experiment_id: w.experimentId, key: 'k' } },
    'POST /2.0/mlflow/runs/create': { json: { experiment_id: w.experimentId } },
    'POST /2.0/mlflow/runs/update': { json: { ...run, status: 'FINISHED' } },
    'POST /2.0/mlflow/runs/delete': { json: run },
    'POST /2.0/mlflow/runs/restore': { json: run },
    'POST /2.0/mlflow/runs/log-metric': { json: { ...run, key: 'loss', value: 0.1, timestamp: 1_700_000_000_001, step: 1 } },
    'POST /2.0/mlflow/runs/log-parameter': { json: { ...run, key: 'lr', value: '0.1' } },
    'POST /2.0/mlflow/runs/set-tag': { json: { ...run, key: 'k', value: 'v2' } },
    'POST /2.0/mlflow/runs/delete-tag': { json: { ...run, key: 'k' } },
    'POST /2.0/mlflow/runs/log-batch': { json: { ...run, metrics: [{ key: 'acc', value: 1, timestamp: 1_700_000_000_000, step: 0 }] } },
    'POST /2.0/mlflow/runs/log-inputs': { json: { ...run, datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 'local', source: 'file:///d' } }] } },
    'POST /2.0/mlflow/runs/outputs': { json: { ...run, models: [{ model_id: w.loggedModelId }] } },
    'POST /2.0/mlflow/runs/search': { json: { experiment_ids: [w.experimentId] } },
    'POST /2.0/mlflow/logged-models': { json: { experiment_id: w.experimentId, name: 'another' } },
    'PATCH /2.0/mlflow/logged-models/:model_id': { json: { model_id: w.loggedModelId, status: 'LOGGED_MODEL_READY' } },
    // The MLflow client sends these DELETEs with a (possibly empty) message body.
    'DELETE /2.0/mlflow/logged-models/:model_id': { json: {} },
    'POST /2.0/mlflow/logged-models/search': { json: { experiment_ids: [w.experimentId] } },
    'PATCH /2.0/mlflow/logged-models/:model_id/tags': { json: { tags: [{ key: 'k', value: 'v' }] } },
    'DELETE /2.0/mlflow/logged-models/:model_id/tags/:tag_key': { json: {} },
    'POST /2.0/mlflow/logged-models/:model_id/params': { json: { params: [{ key: 'p', value: 'v' }] } },
    'POST /2.0/mlflow/registered-models/create': { json: { name: 'another-registered' } },
    'POST /2.0/mlflow/registered-models/rename': { json: { ...model, new_name: 'renamed-model' } },
    'PATCH /2.0/mlflow/registered-models/update': { json: { ...model, description: 'changed' } },
    'DELETE /2.0/mlflow/registered-models/delete': { json: model },
    'POST /2.0/mlflow/registered-models/get-latest-versions': { json: model },
    'POST /2.0/mlflow/registered-models/set-tag': { json: { ...model, key: 'k', value: 'v' } },
    'DELETE /2.0/mlflow/registered-models/delete-tag': { json: { ...model, key: 'k' } },
    'POST /2.0/mlflow/registered-models/alias': { json: { ...model, alias: 'champion', version: '1' } },
    'DELETE /2.0/mlflow/registered-models/alias': { json: { ...model, alias: 'champion' } },
    'POST /2.0/mlflow/model-versions/create': { json: { ...model, source: `runs:/${w.runId}/model` } },
    'PATCH /2.0/mlflow/model-versions/update': { json: { ...model, version: '1', description: 'changed' } },
    'POST /2.0/mlflow/model-versions/transition-stage': { json: { ...model, version: '1', stage: 'Production' } },
    'DELETE /2.0/mlflow/model-versions/delete': { json: { ...model, version: '1' } },
    'POST /2.0/mlflow/model-versions/set-tag': { json: { ...model, version: '1', key: 'k', value: 'v' } },
    'DELETE /2.0/mlflow/model-versions/delete-tag': { json: { ...model, version: '1', key: 'k' } },
  };
  return Object.hasOwn(samples, key) ? samples[key] : undefined;
}

const isMlflowCatchAll = (url: string) => /\/mlflow\/\*$/.test(url);

/** `/2.0/mlflow/...` for an MLflow route at any mount; null for a native route. */
function mlflowRelative(url: string): string | null {
  for (const mount of MLFLOW_MOUNTS) if (/^\/[23]\.0\//.test(url.slice(mount.length)) && url.startsWith(mount)) return url.slice(mount.length);
  return null;
}

function sampleOf(route: RouteEntry, w: World): Sample | undefined {
  if (isMlflowCatchAll(route.url)) return null; // unknown MLflow endpoints answer ENDPOINT_NOT_FOUND
  const relative = mlflowRelative(route.url);
  return relative === null ? nativeSample(`${route.method} ${route.url}`, w) : mlflowSample(`${route.method} ${relative}`, w);
}

function fillUrl(url: string, w: World): string {
  const mlflow = url.includes('/mlflow/');
  return (
    url
      .replace(':id', String(w.projectId))
      .replace(':user_id', String(w.guest.id))
      .replace(':token_id', String(w.guestTokenId))
      .replace(':hook_id', String(w.hookId))
      .replace(':issue_iid', String(w.issue.iid))
      .replace(':note_id', String(w.issue.noteId))
      .replace(':link_id', String(w.issue.linkId))
      .replace(':import_id', String(w.importId))
      .replace(':package_id', String(w.packageId))
      .replace(':package_file_id', String(w.packageFileId))
      .replace(':package_name', 'pkg')
      .replace(':package_version', '1.0.0')
      .replace(':file_name', 'file.bin')
      .replace(':model_version_id', String(w.modelVersionId))
      .replace(':model_id', mlflow ? w.loggedModelId : String(w.modelId))
      .replace(':version', '1')
      .replace(':label', 'keep')
      .replace(':alias', 'champion')
      .replace(':tag_key', 'k')
      .replace(':experiment_id', w.experimentId)
      .replace(':run_id', w.runId)
      .replace(':key', VARIABLE)
      .replace(':trigger_id', String(w.triggerId))
      .replace(':pipeline_id', String(w.finishedJob.pipelineId))
      .replace(':job_id', String(w.finishedJob.id))
      .replace(':runner_id', String(w.runnerId))
      .replace(':provider', 'github')
      .replace(':upload_id', 'x')
      .replace(':part_number', '1')
      // Deployments' routes: ids that need not exist, since a refused caller is turned away before any lookup.
      .replace(':environment_id', '1')
      .replace(':deployment_id', '1')
      .replace(':agent_id', '1')
      .replace(':member_role_id', '1')
      .replace(':instance_id', 'e1-v1-00000000')
      .replace(':name', 'production')
      .replace(':environment', 'staging')
      .replace('*', 'dir/file.bin')
  );
}

function credentialOf(persona: Persona, w: World): Record<string, string> {
  const token = (value: string) => ({ 'private-token': value });
  switch (persona) {
    case 'anonymous':
      return {};
    case 'other_project_member':
      return token(w.outsider.token);
    case 'project_bot':
      return token(w.botToken);
    case 'job_token':
      return { 'job-token': w.jobToken };
    case 'other_project_bot':
      return token(w.outsiderBotToken);
    case 'other_project_job':
      return { 'job-token': w.outsiderJobToken };
    case 'trigger_token':
      return token(w.triggerToken);
    case 'runner_token':
      return token(w.runnerToken);
    case 'maintainer_session':
      return w.maintainerSession;
    case 'maintainer_read_api':
      return token(w.maintainerReadApiToken);
    default:
      return token(w[persona].token);
  }
}

function requestOf(route: RouteEntry, w: World, headers: Record<string, string>): InjectOptions {
  const url = fillUrl(route.url, w);
  const sample = sampleOf(route, w);
  const atRoot = (mlflowRelative(route.url) !== null && !route.url.startsWith('/api/v4/')) || route.url === '/graphql';
  const projectHeader = atRoot ? { 'x-modelyard-project': String(w.projectId) } : {};
  const base = { method: route.method as InjectOptions['method'], url, headers: { ...projectHeader, ...headers } };
  if (!sample) return base;
  if ('json' in sample) return { ...base, payload: sample.json as InjectOptions['payload'] };
  return { ...base, headers: { ...base.headers, 'content-type': sample.contentType }, payload: sample.raw };
}

const mutatingRoutes = () => t.routes.filter((route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method));

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.0/8' });
  world = await buildWorld();
});

afterAll(async () => {
  await t?.close();
});

describe('refused requests change nothing', () => {
  it('has a valid sample request for every route that writes', () => {
    const problems: string[] = [];
    for (const route of mutatingRoutes()) {
      const sample = sampleOf(route, world);
      if (sample === undefined) problems.push(`${route.method} ${route.url}: no sample body`);
      else if (route.body !== undefined && (sample === null || !('json' in sample) || !ajv.validate(route.body as object, sample.json))) {
        problems.push(`${route.method} ${route.url}: the sample does not match the body schema ${ajv.errorsText()}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sees a write (the check itself works)', async () => {
    const before = await snapshotTables(t.services.database.db);
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${world.projectId}/ml/models/${world.modelId}/labels`, token: world.developer.token, payload: { label: 'seen' } });
    expect(res.statusCode).toBe(200);
    expect(changedTables(before, await snapshotTables(t.services.database.db))).toEqual(expect.arrayContaining([expect.stringMatching(/^model_labels \(1 → 2 rows\)/)]));
  });

  it('writes no row when the permission table refuses the caller, on any route', async () => {
    const db = t.services.database.db;
    const failures: string[] = [];
    let calls = 0;
    // One snapshot per route (not per call) keeps this affordable on PostgreSQL; a failure names the route and every answer.
    let before: TableSnapshot = await snapshotTables(db);
    for (const route of mutatingRoutes()) {
      const expected = EXPECTED_OUTCOMES[route.ability];
      const refused = PERSONAS.filter((persona) => expected[persona] !== 'allowed');
      if (refused.length === 0) continue;
      // The refused callers of one route are called at once; none of them may change anything.
      const responses = await Promise.all(refused.map((persona) => t.call(requestOf(route, world, credentialOf(persona, world)))));
      calls += responses.length;
      const answers = responses.map((res, i) => `${refused[i]} ${res.statusCode}`);
      responses.forEach((res, i) => {
        if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`${route.method} ${route.url} as ${refused[i]}: answered ${res.statusCode} ${res.body.slice(0, 100)}`);
      });
      const after = await snapshotTables(db);
      const changed = changedTables(before, after);
      if (changed.length > 0) failures.push(`${route.method} ${route.url} (${answers.join(', ')}) changed ${changed.join(', ')}`);
      before = after;
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(500);
  }, 300_000);

  it('writes no row when a service refuses what the route let through', async () => {
    const w = world;
    const api = `/api/v4/projects/${w.projectId}`;
    const cases: { what: string; request: InjectOptions; status: number }[] = [
      {
        what: 'the requester approves their own request',
        request: { method: 'POST', url: `${api}/ml/models/${w.modelId}/versions/1/approve`, headers: { 'private-token': w.maintainer.token }, payload: {} },
        status: 403,
      },
      {
        what: 'a developer moves a protected alias',
        request: { method: 'PUT', url: `${api}/ml/models/${w.modelId}/aliases/champion`, headers: { 'private-token': w.developer.token }, payload: { version: 1 } },
        status: 403,
      },
      {
        what: 'a maintainer grants the owner role',
        request: { method: 'POST', url: `${api}/members`, headers: { 'private-token': w.maintainer.token }, payload: { user_id: w.outsider.id, access_level: 50 } },
        status: 403,
      },
      { what: 'a maintainer removes the owner', request: { method: 'DELETE', url: `${api}/members/${w.owner.id}`, headers: { 'private-token': w.maintainer.token } }, status: 403 },
      {
        what: 'a maintainer gives a custom role that does not exist',
        request: { method: 'POST', url: `${api}/members`, headers: { 'private-token': w.maintainer.token }, payload: { user_id: w.outsider.id, access_level: 20, member_role_id: 999999 } },
        status: 404,
      },
      {
        what: 'a maintainer mints a bot above its own role',
        request: { method: 'POST', url: `${api}/access_tokens`, headers: { 'private-token': w.maintainer.token }, payload: { name: 'x', scopes: ['api'], access_level: 50 } },
        status: 403,
      },
      {
        what: 'a maintainer creates an instance runner',
        request: { method: 'POST', url: '/api/v4/user/runners', headers: { 'private-token': w.maintainer.token }, payload: { runner_type: 'instance_type' } },
        status: 403,
      },
      { what: "someone else deletes the admin's runner", request: { method: 'DELETE', url: `/api/v4/runners/${w.runnerId}`, headers: { 'private-token': w.outsider.token } }, status: 404 },
      {
        what: "a developer revokes the guest's token",
        request: { method: 'DELETE', url: `/api/v4/personal_access_tokens/${w.guestTokenId}`, headers: { 'private-token': w.developer.token } },
        status: 404,
      },
      {
        what: 'an admin gives a bot a personal token',
        request: { method: 'POST', url: `/api/v4/users/${w.botUserId}/personal_access_tokens`, headers: { 'private-token': w.admin.token }, payload: { name: 'x', scopes: ['api'] } },
        status: 400,
      },
    ];
    const failures: string[] = [];
    for (const { what, request, status } of cases) {
      const before = await snapshotTables(t.services.database.db);
      const res = await t.call(request);
      const changed = changedTables(before, await snapshotTables(t.services.database.db));
      if (res.statusCode !== status) failures.push(`${what}: expected ${status}, got ${res.statusCode} ${res.body.slice(0, 100)}`);
      if (changed.length > 0) failures.push(`${what}: changed ${changed.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });
});
