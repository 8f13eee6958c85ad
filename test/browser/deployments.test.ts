import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The deployments pages in a real browser. Deployments are made through the API, as a CI job
 * or a script would; this test plays the serving agent itself (the agent protocol, by hand)
 * with a tiny model server on loopback, so every state the pages show is one it caused.
 */

interface Deployment {
  id: number;
  iid: number;
  status: string;
  reason: string;
  environment: { id: number; name: string };
}

let h: BrowserHarness;
let seed: Seeder;
let developer: { id: number; token: string };
let maintainer: { id: number; token: string };
let projectId: number;
let modelId: number;
let agentToken: string;
let serveToken: string;
let stagingId: number;
let modelServer: http.Server;
let modelServerUrl: string;

const project = (path: string) => `/api/v4/projects/${projectId}${path}`;

async function agentCall(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Response> {
  return fetch(`${h.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${agentToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The agent's part: every instance the server assigns is reported ready at the loopback model server. */
async function agentServesAll(): Promise<void> {
  const res = await agentCall('GET', '/api/v4/agent/assignments');
  expect(res.status, await res.clone().text()).toBe(200);
  const { instances } = (await res.json()) as { instances: { instance_id: string }[] };
  for (const instance of instances) {
    const report = await agentCall('PUT', `/api/v4/agent/instances/${instance.instance_id}`, { state: 'ready', endpoint: modelServerUrl, restarts: 0 });
    expect([200, 404], await report.clone().text()).toContain(report.status);
  }
}

async function deploy(body: Record<string, unknown>, token = developer.token): Promise<Deployment> {
  return seed.call<Deployment>('POST', project('/deployments'), body, token);
}

/** Deploys, lets the agent serve it, and waits until the deployment has rolled out. */
async function deployAndServe(body: Record<string, unknown>): Promise<Deployment> {
  const deployment = await deploy(body);
  await serveUntilSuccess(deployment.id);
  return deployment;
}

async function serveUntilSuccess(deploymentId: number): Promise<void> {
  await until(async () => {
    await agentServesAll();
    return (await seed.call<Deployment>('GET', project(`/deployments/${deploymentId}`))).status === 'success';
  }, `deployment ${deploymentId} to roll out`);
}

/** The live shares on the traffic bar, by variant: what the page says runs. */
async function shares(page: Page): Promise<Record<string, number>> {
  // Read in one go: the page refreshes itself, and segments read one by one could straddle a refresh.
  const segments = page.getByTestId('what-runs').getByTestId('traffic-bar').locator('[data-variant]');
  const pairs = await segments.evaluateAll((elements) => elements.map((e) => [e.getAttribute('data-variant') ?? '', Number(e.getAttribute('data-share'))] as const));
  return Object.fromEntries(pairs);
}

async function openEnvironment(username: string, environmentId: number): Promise<Page> {
  const page = await h.newPage();
  await h.signIn(page, username);
  await page.goto(`${h.base}/projects/${projectId}/environments/${environmentId}`);
  await page.getByRole('heading', { name: 'History' }).waitFor();
  return page;
}

beforeAll(async () => {
  h = await BrowserHarness.start('deployments');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  maintainer = await seed.user('mona', BROWSER_PASSWORD);
  developer = await seed.user('devi', BROWSER_PASSWORD);
  const reporter = await seed.user('rhea', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Churn', path: 'churn' }, maintainer.token)).id;
  await seed.call('POST', project('/members'), { user_id: developer.id, access_level: 30 }, maintainer.token);
  await seed.call('POST', project('/members'), { user_id: reporter.id, access_level: 20 }, maintainer.token);
  seed = new Seeder(h.base, developer.token);
  modelId = (await seed.call<{ id: number }>('POST', project('/ml/models'), { name: 'churn' })).id;
  for (let i = 0; i < 2; i++) {
    // Agents fetch a version's files: each version gets one, as a package upload.
    const version = await seed.call<{ id: number }>('POST', project(`/ml/models/${modelId}/versions`), {});
    const upload = await fetch(`${h.base}${project(`/packages/ml_models/${version.id}/files/MLmodel`)}`, {
      method: 'PUT',
      headers: { 'private-token': developer.token, 'content-type': 'application/octet-stream' },
      body: `flavors: {} # version ${i + 1}\n`,
    });
    expect(upload.status, await upload.text()).toBe(201);
  }
  agentToken = (await seed.call<{ token: string }>('POST', project('/serving_agents'), { description: 'browser test agent' }, maintainer.token)).token;
  expect((await agentCall('POST', '/api/v4/agent/sessions', { version: 'test', platform: 'linux/x64' })).status).toBeLessThan(300);
  serveToken = (await new Seeder(h.base, BROWSER_ADMIN_TOKEN).call<{ token: string }>('POST', `/api/v4/users/${developer.id}/personal_access_tokens`, { name: 'serve', scopes: ['serve'] })).token;
  // A model server as MLflow's answers predictions; the gateway is what the figures count.
  modelServer = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/ping') return void res.writeHead(200).end('\n');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"predictions": [1]}');
    });
  });
  await new Promise<void>((resolve) => modelServer.listen(0, '127.0.0.1', resolve));
  modelServerUrl = `http://127.0.0.1:${(modelServer.address() as AddressInfo).port}`;

  const first = await deployAndServe({ environment: 'staging', model: 'churn', version: '1', reason: 'first release' });
  stagingId = first.environment.id;
  // A canary that waits for people: its gates would need far more traffic than this test sends.
  const canary = await deploy({
    environment: 'staging',
    model: 'churn',
    version: '2',
    reason: 'try the retrained model',
    policy: { kind: 'canary', steps: [10, 50, 100], pause_seconds: 3600, gates: { min_requests: 100_000 } },
  });
  await serveUntilSuccess(canary.id);
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${h.base}/serving/${projectId}/staging/invocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serveToken}`, 'content-type': 'application/json', 'x-subject': `user-${i}` },
      body: JSON.stringify({ dataframe_split: { columns: ['x'], data: [[i]] } }),
    });
    expect(res.status, await res.text()).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => modelServer?.close(resolve));
});

describe('the environments pages', () => {
  it("list each environment with its tier, health and a canary's traffic split", async () => {
    const page = await h.newPage();
    await h.signIn(page, 'devi');
    await page.goto(`${h.base}/projects/${projectId}`);
    await page.getByRole('link', { name: 'Environments' }).click();
    const row = page.getByTestId('environment-staging');
    await row.waitFor();
    expect(await row.getByTestId('health-status').getAttribute('data-status')).toBe('serving');
    expect(await row.getByRole('img', { name: 'Traffic split: stable 90%, canary 10%' }).count()).toBe(1);
    expect(await row.textContent()).toContain('canary, step 1 of 3');
    await h.shot(page, 'deploy-01-environments');
    await row.getByRole('link', { name: 'staging' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    expect(await shares(page)).toEqual({ stable: 90, canary: 10 });
    const history = page.getByTestId('deployment-history');
    expect(await history.getByTestId('deployment-2').textContent()).toContain('try the retrained model');
    expect(await history.getByTestId('deployment-2').textContent()).toContain('devi');
    expect(await history.getByTestId('deployment-1').textContent()).toContain('first release');
    // The gateway's figures reach the page: 20 requests between the two variants.
    const requests = async () => Number(await page.getByTestId('requests-stable').textContent()) + Number(await page.getByTestId('requests-canary').textContent());
    await until(async () => (await requests()) === 20, 'the per-variant figures to count the gateway requests', 20_000);
    expect(await page.getByTestId('instances').getByText('ready').count()).toBeGreaterThanOrEqual(2);
    await h.shot(page, 'deploy-02-canary');
    await page.close();
  });

  it('promote and abort a canary, each only after its confirmation', async () => {
    const page = await openEnvironment('devi', stagingId);
    await page.getByRole('button', { name: 'Promote' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote the canary to 50%?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await shares(page)).toEqual({ stable: 90, canary: 10 });
    await page.getByRole('button', { name: 'Promote' }).click();
    await dialog.getByLabel('Reason (optional)').fill('looks good');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await until(async () => (await shares(page)).canary === 50, 'the canary at 50%');
    expect(await page.getByTestId('deployment-history').getByTestId('deployment-3').textContent()).toContain('promoted by devi: looks good');

    await page.getByRole('button', { name: 'Abort canary' }).click();
    const abort = page.getByRole('dialog', { name: 'Abort the canary?' });
    // A reason is required: the confirm button stays off until one is typed.
    expect(await abort.getByRole('button', { name: 'Abort canary' }).isDisabled()).toBe(true);
    await abort.getByLabel('Reason').fill('latency spikes');
    await abort.getByRole('button', { name: 'Abort canary' }).click();
    await until(async () => JSON.stringify(await shares(page)) === JSON.stringify({ stable: 100 }), 'the stable version alone');
    expect(await page.getByTestId('deployment-history').getByTestId('deployment-4').textContent()).toContain('canary aborted: latency spikes');
    await page.close();
  });

  it('roll back with a confirmation, which changes what runs and records why', async () => {
    const single = await deployAndServe({ environment: 'staging', model: 'churn', version: '2', reason: 'version 2 alone' });
    const page = await openEnvironment('devi', stagingId);
    const what = page.getByTestId('what-runs');
    await until(async () => (await what.textContent())!.includes(`Deployment #${single.iid}`), 'the new deployment on the page');
    expect(await what.textContent()).toContain('churn v2');
    await page.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back staging?' });
    await dialog.waitFor();
    // Escape closes the dialog and nothing happens.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await what.textContent()).toContain('churn v2');
    await page.getByRole('button', { name: 'Roll back' }).click();
    await dialog.getByLabel('Reason').fill('customers complain');
    await page.keyboard.press('Enter');
    await until(async () => (await what.textContent())!.includes('churn v1'), 'version 1 to run again');
    const top = page.getByTestId('deployment-history').locator('tbody tr').first();
    expect(await top.textContent()).toMatch(/rollback requested by devi to deployment #\d+: customers complain/);
    await h.shot(page, 'deploy-03-rolled-back');
    await page.close();
  });

  it('stop an environment after its confirmation; a stopped one offers no actions', async () => {
    const qa = await deployAndServe({ environment: 'qa', model: 'churn', version: '1' });
    const page = await openEnvironment('devi', qa.environment.id);
    await page.getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop qa?' });
    await dialog.waitFor();
    await h.shot(page, 'deploy-05-stop-dialog');
    await dialog.getByRole('button', { name: 'Stop environment' }).click();
    await until(async () => (await page.getByTestId('environment-state').textContent()) === 'stopped', 'the stopped state');
    expect(await page.getByRole('group', { name: 'Environment actions' }).count()).toBe(0);
    expect((await seed.call<{ state: string }>('GET', project(`/environments/${qa.environment.id}`))).state).toBe('stopped');
    await page.close();
  });

  it('force an environment that waits for its on_stop job to stop, after a confirmation', async () => {
    // A deploy job with an on_stop job, run by a runner played by hand: stopping the environment plays the stop job, which nobody runs.
    const admin = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
    const runner = (await admin.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'by hand', run_untagged: true })).token;
    const config = [
      'deploy_review:',
      '  script: [modelyard deploy]',
      '  environment: {name: review/stuck, on_stop: stop_review}',
      'stop_review:',
      '  script: [modelyard teardown]',
      '  when: manual',
      '  environment: {name: review/stuck, action: stop}',
      '',
    ];
    await seed.call('PUT', project('/ci/config'), { content: config.join('\n') }, maintainer.token);
    await seed.call('POST', project('/pipeline'), { ref: 'main' });
    const take = async () => {
      const res = await fetch(`${h.base}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: runner, info: { version: 'test' } }) });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as { id: number; token: string };
    };
    const job = await take();
    const deployed = await fetch(`${h.base}${project('/deployments')}`, {
      method: 'POST',
      headers: { 'job-token': job.token, 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'review/stuck', model: 'churn', version: '1' }),
    });
    expect(deployed.status, await deployed.clone().text()).toBe(201);
    const environmentId = ((await deployed.json()) as Deployment).environment.id;
    const finished = await fetch(`${h.base}/api/v4/jobs/${job.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: job.token, state: 'success' }) });
    expect(finished.status).toBe(200);
    expect((await seed.call<{ state: string }>('POST', project(`/environments/${environmentId}/stop`))).state).toBe('stopping');

    const page = await openEnvironment('devi', environmentId);
    expect(await page.getByTestId('environment-state').textContent()).toBe('stopping');
    await page.getByRole('button', { name: 'Force stop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Force review/stuck to stop?' });
    await dialog.getByText('without waiting for its on_stop job').waitFor();
    await dialog.getByRole('button', { name: 'Force stop' }).click();
    await until(async () => (await page.getByTestId('environment-state').textContent()) === 'stopped', 'the stopped state');
    expect(await page.getByRole('group', { name: 'Environment actions' }).count()).toBe(0);
    await page.close();
  });

  it('show a viewer no action buttons', async () => {
    const page = await openEnvironment('rhea', stagingId);
    await page.getByTestId('traffic-bar').first().waitFor();
    expect(await page.getByRole('group', { name: 'Environment actions' }).count()).toBe(0);
    for (const name of ['Promote', 'Abort canary', 'Roll back', 'Stop', 'Approve']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    await page.close();
  });

  it('show an approve button to those who may approve a blocked deployment, not to its author', async () => {
    await seed.call('POST', project('/protected_environments'), { name: 'production', deploy_access_levels: [{ access_level: 30 }], required_approval_count: 1 }, maintainer.token);
    const blocked = await deploy({ environment: 'production', model: 'churn', version: '2', reason: 'ship it' });
    expect(blocked.status).toBe('blocked');
    const author = await openEnvironment('devi', blocked.environment.id);
    await author.getByTestId('awaiting-approval').waitFor();
    expect(await author.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await author.close();
    const viewer = await openEnvironment('rhea', blocked.environment.id);
    await viewer.getByTestId('awaiting-approval').waitFor();
    expect(await viewer.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await viewer.close();

    const page = await openEnvironment('mona', blocked.environment.id);
    await page.getByTestId('awaiting-approval').getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: `Approve deployment #${blocked.iid}?` });
    await dialog.getByLabel('Comment (optional)').fill('checked the evaluation');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('awaiting-approval').waitFor({ state: 'detached' });
    const row = page.getByTestId('deployment-history').getByTestId(`deployment-${blocked.iid}`);
    await until(async () => (await row.textContent())!.includes('approved by mona: “checked the evaluation”'), 'the approval in the history');
    expect((await seed.call<Deployment>('GET', project(`/deployments/${blocked.id}`))).status).not.toBe('blocked');
    await page.close();
  });

  it("list on a version's page where it is deployed, linking to the environment", async () => {
    const page = await h.newPage();
    await h.signIn(page, 'rhea');
    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    const table = page.getByTestId('version-deployments');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    // qa and review/stuck still list their last deployments, marked as stopped (the stop tests above).
    expect(await table.locator('tbody tr').filter({ hasText: 'qa' }).textContent()).toContain('(stopped)');
    expect(await table.locator('tbody tr').filter({ hasText: 'review/stuck' }).textContent()).toContain('(stopped)');
    const row = table.locator('tbody tr').filter({ hasText: 'staging' });
    expect(await row.textContent()).toContain('100%');
    expect(await row.textContent()).not.toContain('stopped');
    expect(await row.locator('td').last().textContent()).not.toBe('');
    await h.shot(page, 'deploy-04-version-deployed');
    await row.getByRole('link', { name: 'staging' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    expect(page.url()).toBe(`${h.base}/projects/${projectId}/environments/${stagingId}`);
    await page.close();
  });
});
