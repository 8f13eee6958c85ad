import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner, createProjectBot, startJob } from '../support/credentials.ts';
import { statementsDuring } from '../support/statement-log.ts';

/**
 * Every request to a project's routes authenticates its caller and checks the caller's access to
 * the project before its own work. Those reads are paid on every metric batch and every search,
 * a round trip to the database each: a credential is read with its user in one statement, and a
 * project with the caller's membership in another.
 */

let t: TestApp;
let carol: TestUser;
let project: { id: number; path: string };

const AUTH_TABLES = /"(tokens|users|sessions|ci_jobs|ci_pipelines|projects|members|member_roles)"/;

async function authStatements(work: () => Promise<unknown>): Promise<string[]> {
  return (await statementsDuring(work)).filter((text) => AUTH_TABLES.test(text));
}

function request(headers: Record<string, string>, method = 'GET') {
  return { method, headers, ip: '127.0.0.1' };
}

beforeAll(async () => {
  t = await startTestApp();
  carol = await t.createUser('carol');
  project = await t.createProject(carol.token, 'statements');
});
afterAll(async () => t?.close());

describe('authentication and authorization read the database once each', () => {
  it('a personal token and its user: one statement', async () => {
    const headers = { 'private-token': carol.token };
    await t.services.authenticator.authenticate(request(headers)); // the first use also records when it was used
    const statements = await authStatements(async () => {
      const caller = await t.services.authenticator.authenticate(request(headers));
      expect(caller.user?.username).toBe('carol');
    });
    expect(statements).toHaveLength(1);
  });

  it('a project access token and its bot: one statement', async () => {
    const bot = await createProjectBot(t, project.id, 30);
    const headers = { authorization: `Bearer ${bot.token}` };
    await t.services.authenticator.authenticate(request(headers));
    const statements = await authStatements(async () => {
      const caller = await t.services.authenticator.authenticate(request(headers));
      expect(caller).toMatchObject({ credential: 'project_token', projectLimit: project.id, user: { id: bot.userId, isBot: true } });
    });
    expect(statements).toHaveLength(1);
  });

  it('a browser session and its user: one statement', async () => {
    const signedIn = await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: 'carol', password: carol.password } });
    expect(signedIn.statusCode).toBe(201);
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    const statements = await authStatements(async () => {
      const caller = await t.services.authenticator.authenticate(request({ cookie }));
      expect(caller).toMatchObject({ credential: 'session', user: { username: 'carol' } });
    });
    expect(statements).toHaveLength(1);
  });

  it('a CI job token and the user the job runs for: one statement', async () => {
    const runner = await createInstanceRunner(t);
    const job = await startJob(t, project.id, runner, carol.token);
    const statements = await authStatements(async () => {
      const caller = await t.services.authenticator.authenticate(request({ 'job-token': job.token }));
      expect(caller).toMatchObject({ credential: 'job_token', jobId: job.id, projectLimit: project.id, user: { username: 'carol' } });
    });
    expect(statements).toHaveLength(1);
  });

  it("a project by id or path and the caller's membership: one statement", async () => {
    const caller = await t.services.authenticator.authenticate(request({ 'private-token': carol.token }));
    for (const key of [project.id, project.path.toUpperCase()]) {
      const statements = await authStatements(async () => {
        const { project: found, access } = await t.services.projects.authorize(caller, key, 'ml:write');
        expect(found.id).toBe(project.id);
        expect(access.level).toBe(50);
      });
      expect(statements).toHaveLength(1);
    }
  });

  it('refuses as before: a blocked user, a non-member, an unknown project', async () => {
    const dave = await t.createUser('dave');
    const daveCaller = await t.services.authenticator.authenticate(request({ 'private-token': dave.token }));
    await expect(t.services.projects.authorize(daveCaller, project.id, 'project:read')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(t.services.projects.authorize(daveCaller, 'no-such-project', 'project:read')).rejects.toMatchObject({ kind: 'not_found' });
    // Blocking through the API also revokes the person's tokens and ends their sessions; the
    // state is set alone here to reach the check that stands behind those (the joined user's state).
    await t.services.database.db.updateTable('users').set({ state: 'blocked' }).where('id', '=', dave.id).execute();
    await expect(t.services.authenticator.authenticate(request({ 'private-token': dave.token }))).rejects.toMatchObject({
      kind: 'unauthenticated',
      message: '401 Unauthorized: the account is blocked',
    });
  });
});

describe('a batch of metrics', () => {
  it('is four statements on PostgreSQL: the credential, the project, the run and one write of points, latest values and extremes', async () => {
    const headers = { 'private-token': carol.token, 'x-modelyard-project': project.path };
    const mlflow = (path: string, payload: object) => t.call({ method: 'POST', url: `/api/2.0/mlflow/${path}`, headers, payload });
    const experiment = (await mlflow('experiments/create', { name: 'batch-statements' })).json().experiment_id as string;
    const run = (await mlflow('runs/create', { experiment_id: experiment })).json().run.info.run_id as string;
    const batch = (from: number) => ({ run_id: run, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 10}`, value: i, timestamp: 1, step: from + Math.floor(i / 10) })) });
    expect((await mlflow('runs/log-batch', batch(0))).statusCode).toBe(200);
    const statements = (
      await statementsDuring(async () => {
        expect((await mlflow('runs/log-batch', batch(100))).statusCode).toBe(200);
      })
    ).filter((text) => /\b(tokens|projects|runs|metrics|latest_metrics|metric_rollups)\b|^(begin|commit|savepoint|release)/.test(text));
    // On SQLite each statement is a call into the library, not a round trip: the writes stay three, in a transaction.
    expect(statements).toHaveLength(t.services.database.dialect === 'postgres' ? 4 : 8);
    const history = await t.call({ method: 'GET', url: `/api/2.0/mlflow/metrics/get-history?run_id=${run}&metric_key=k3`, headers });
    expect(history.json().metrics).toHaveLength(200);
    const latest = (await t.call({ method: 'GET', url: `/api/2.0/mlflow/runs/get?run_id=${run}`, headers })).json().run.data.metrics;
    expect(latest).toContainEqual({ key: 'k9', value: 999, timestamp: 1, step: 199 });
  });
});
