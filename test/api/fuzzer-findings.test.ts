import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { changedTables, snapshotTables } from '../support/table-snapshot.ts';

/**
 * Requests of the kinds the fuzz stage (scripts/fuzz.sh, Schemathesis) sends that were answered
 * with a 5xx, on PostgreSQL above all (numbers past a column's range and NUL fail the whole
 * query there), or stored mangled: each gets a clear 4xx with a message and changes nothing.
 */
let t: TestApp;
let dana: TestUser;
let projectId: number;
let experimentId: string;
let runId: string;
let modelId: number;

const json = { 'content-type': 'application/json' };
const mlflow = (endpoint: string) => `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`;

beforeAll(async () => {
  t = await startTestApp();
  dana = await t.createUser('dana');
  projectId = (await t.createProject(ADMIN_TOKEN, 'fuzzed')).id;
  const admin = (options: InjectOptions) => t.call({ ...options, token: ADMIN_TOKEN });
  experimentId = (await admin({ method: 'POST', url: mlflow('experiments/create'), payload: { name: 'e' } })).json().experiment_id;
  runId = (await admin({ method: 'POST', url: mlflow('runs/create'), payload: { experiment_id: experimentId } })).json().run.info.run_id;
  modelId = (await admin({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models`, payload: { name: 'm' } })).json().id;
  expect((await admin({ method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, payload: {} })).statusCode).toBe(201);
  await admin({ method: 'POST', url: `/api/v4/projects/${projectId}/triggers`, payload: { description: 'fuzz' } });
});
afterAll(async () => t?.close());

/** Sends a request and checks that it answered `status` with a message and left every table as it was. */
async function refusedWithoutChange(options: InjectOptions & { token?: string | null }, status: number, message: RegExp): Promise<void> {
  const before = await snapshotTables(t.services.database.db);
  const res = await t.call({ token: ADMIN_TOKEN, ...options });
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().message).toMatch(message);
  expect(changedTables(before, await snapshotTables(t.services.database.db))).toEqual([]);
}

describe('numbers past the range of the column they are looked up in', () => {
  it('an experiment id past the bigint range is refused, not sent to the database', async () => {
    for (const id of ['9223372036854775808', '99999999999999999999', '9007199254740993']) {
      await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/experiments/${id}` }, 400, /experiment_id/);
    }
  });

  it('a version number past the integer range is refused in a path and in a body', async () => {
    await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/2147483648` }, 400, /version/);
    await refusedWithoutChange({ method: 'PUT', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/aliases/champion`, headers: json, payload: { version: 2147483648 } }, 400, /version/);
  });

  it('a project id past the id range names no project: 404', async () => {
    for (const id of ['99999999999999999999', '9223372036854775808', '0']) {
      await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${id}` }, 404, /Project/);
      await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${id}/ml/models` }, 404, /Project/);
    }
    await refusedWithoutChange({ method: 'POST', url: '/api/v4/projects/99999999999999999999/trigger/pipeline', headers: json, payload: { token: 'x', ref: 'main' }, token: null }, 404, /Project/);
  });

  it('metric steps past what JavaScript holds exactly are refused', async () => {
    await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${projectId}/ml/metrics/series?run_id=${runId}&key=loss&start_step=0&end_step=9223372036854775808` }, 400, /end_step/);
  });

  it("a runner's exit code past the integer range is refused before the token is read", async () => {
    await refusedWithoutChange({ method: 'PUT', url: '/api/v4/jobs/1', headers: json, payload: { token: 'x', state: 'failed', exit_code: 2147483648 }, token: null }, 400, /exit_code/);
  });
});

describe('text no store keeps as it was sent: NUL, unpaired UTF-16 surrogates', () => {
  it('a NUL in a query string is refused (MLflow error shape on MLflow routes)', async () => {
    const res = await t.call({ method: 'GET', url: `${mlflow('registered-models/get')}?name=a%00b`, token: ADMIN_TOKEN });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/NUL/) });
    await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects?search=a%00b` }, 400, /the URL contains a NUL character/);
  });

  it('a NUL in a path segment is refused', async () => {
    await refusedWithoutChange({ method: 'GET', url: `/api/v4/projects/${projectId}/variables/A%00B` }, 400, /NUL/);
  });

  it('a NUL in a JSON string, value or key, is refused', async () => {
    await refusedWithoutChange({ method: 'POST', url: '/api/v4/projects', headers: json, payload: '{"name": "a\\u0000b"}' }, 400, /the JSON body contains a NUL character/);
    await refusedWithoutChange(
      { method: 'POST', url: mlflow('runs/log-batch'), headers: json, payload: `{"run_id": "${runId}", "params": [{"key": "k\\u0000", "value": "v"}]}` },
      400,
      /NUL character \(\\u0000\) in 'params\[0\]\.key'/,
    );
    await refusedWithoutChange(
      { method: 'POST', url: `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, headers: json, payload: '{"tags": {"k\\u0000": "v"}}' },
      400,
      /NUL character \(\\u0000\) in 'a key of tags'/,
    );
  });

  it('an unpaired surrogate in a JSON string is refused instead of being stored as U+FFFD', async () => {
    await refusedWithoutChange({ method: 'POST', url: '/api/v4/projects', headers: json, payload: '{"name": "a\\ud800b"}' }, 400, /unpaired UTF-16 surrogate \(\\ud800\)/);
    await refusedWithoutChange({ method: 'POST', url: mlflow('experiments/create'), headers: json, payload: '{"name": "\\udc00"}' }, 400, /surrogate/);
    const paired = await t.call({ method: 'POST', url: '/api/v4/projects', token: ADMIN_TOKEN, headers: json, payload: '{"name": "emoji \\ud83d\\ude00"}' });
    expect(paired.statusCode).toBe(201);
    expect(paired.json().name).toBe('emoji 😀');
  });

  it('a NUL in a form field of the trigger API is refused', async () => {
    await refusedWithoutChange(
      { method: 'POST', url: `/api/v4/projects/${projectId}/trigger/pipeline`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x&ref=main%00', token: null },
      400,
      /form field 'ref' contains a NUL character/,
    );
  });
});

describe('requests that ask for no change', () => {
  it('PUT /users/:id asking for nothing new (`admin: false` for someone who is not one) answers the user and writes nothing', async () => {
    const before = await snapshotTables(t.services.database.db);
    const res = await t.call({ method: 'PUT', url: `/api/v4/users/${dana.id}`, token: ADMIN_TOKEN, payload: { admin: false } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: dana.id, username: 'dana', is_admin: false });
    expect(changedTables(before, await snapshotTables(t.services.database.db))).toEqual([]);
  });
});
