import { ADMIN_TOKEN, type TestApp } from './app.ts';

/**
 * The credentials that are not a person's token, made through the public API as their owners
 * would: runners, running CI jobs, project bots, trigger tokens.
 */

interface TakenJob {
  id: number;
  token: string;
  variables: { key: string; value: string }[];
}

/** An instance runner (made by the admin) that takes untagged jobs; its token. */
export async function createInstanceRunner(t: TestApp): Promise<string> {
  const res = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', description: 'test runner', run_untagged: true } });
  if (res.statusCode !== 201) throw new Error(`could not create a runner: ${res.body}`);
  return (res.json() as { token: string }).token;
}

/**
 * Starts a one-job pipeline in a project as the holder of `pipelineUserToken` and has the
 * runner take the job; returns the running job's token (CI_JOB_TOKEN). Jobs of other projects
 * the runner meets on the way are left running.
 */
export async function startJob(t: TestApp, projectId: number, runnerToken: string, pipelineUserToken = ADMIN_TOKEN): Promise<{ id: number; token: string }> {
  const config = await t.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ci/config`, token: ADMIN_TOKEN, payload: { content: 'job:\n  script: [echo]\n' } });
  if (config.statusCode !== 200) throw new Error(`could not set the CI config: ${config.body}`);
  const pipeline = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/pipeline`, token: pipelineUserToken, payload: { ref: 'main' } });
  if (pipeline.statusCode !== 201) throw new Error(`could not run a pipeline: ${pipeline.body}`);
  for (;;) {
    const taken = await t.call({ method: 'POST', url: '/api/v4/jobs/request', payload: { token: runnerToken, info: { version: 'test' } } });
    if (taken.statusCode !== 201) throw new Error(`the runner got no job of project ${projectId}: ${taken.statusCode} ${taken.body}`);
    const job = taken.json() as TakenJob;
    if (job.variables.some((v) => v.key === 'CI_PROJECT_ID' && v.value === String(projectId))) return { id: job.id, token: job.token };
  }
}

/** A project access token (a bot member) with the given role; its secret. */
export async function createProjectBot(t: TestApp, projectId: number, accessLevel = 40, scopes = ['api']): Promise<{ token: string; userId: number }> {
  const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/access_tokens`, token: ADMIN_TOKEN, payload: { name: 'bot', scopes, access_level: accessLevel } });
  if (res.statusCode !== 201) throw new Error(`could not create a project access token: ${res.body}`);
  const created = res.json() as { token: string; user_id: number };
  return { token: created.token, userId: created.user_id };
}

/** A pipeline trigger token of a project; its secret. */
export async function createTrigger(t: TestApp, projectId: number): Promise<string> {
  const res = await t.call({ method: 'POST', url: `/api/v4/projects/${projectId}/triggers`, token: ADMIN_TOKEN, payload: { description: 'test trigger' } });
  if (res.statusCode !== 201) throw new Error(`could not create a trigger: ${res.body}`);
  return (res.json() as { token: string }).token;
}
