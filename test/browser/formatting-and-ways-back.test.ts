import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Human formatting with the full value on hover (a run's start as "5 min ago", a rounded metric),
 * pages that fail offering a way back, and an administrator setting someone's password.
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let experimentId: string;
let modelId: number;
let startedAt: number;

beforeAll(async () => {
  h = await BrowserHarness.start('formatting');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  await seed.user('adam', BROWSER_PASSWORD);
  await seed.call('PUT', '/api/v4/users/2', { admin: true });
  await seed.user('lena', 'first-password-1');
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Shapes', path: 'shapes' })).id;
  const mlflow = (method: string, body: unknown) => seed.call<Record<string, unknown>>('POST', `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${method}`, body);
  experimentId = ((await mlflow('experiments/create', { name: 'circles' })) as { experiment_id: string }).experiment_id;
  // Five minutes and a few seconds ago when the test reads it (the tests run within the minute).
  startedAt = Date.now() - 5 * 60 * 1000 - 5_000;
  await mlflow('runs/create', { experiment_id: experimentId, run_name: 'recent', start_time: startedAt });
  modelId = (await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'iris' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { semver: '1.0.0' });
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/evaluations`, { metrics: { accuracy: 0.9777777777777777 } });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('formatting and ways back', () => {
  it('shows a run’s start as how long ago, with the exact time on hover', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'adam');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    const cell = page.locator('[role="row"]', { hasText: 'recent' }).locator('[role="cell"]', { hasText: 'ago' });
    await cell.waitFor();
    expect(await cell.textContent()).toBe('5 min ago');
    expect(await cell.getAttribute('title')).toBe(new Date(startedAt).toLocaleString('en-US'));
  });

  it('rounds a version’s evaluation metric and keeps the full value on hover', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'adam');
    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    const value = page.getByRole('cell', { name: '0.9778' });
    await value.waitFor();
    expect(await value.getAttribute('title')).toBe('0.9777777777777777');
  });

  it('says a mistyped run id on the compare page was not found, and leads back to the project', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'adam');
    await page.goto(`${h.base}/projects/${projectId}/compare?runs=not-a-run,also-not`);
    const said = page.getByText('Found 0 runs of the 2 asked for');
    await said.waitFor();
    expect(await page.title()).toContain('Shapes');
    await page.getByRole('link', { name: 'Back to the project' }).click();
    await page.waitForURL(`${h.base}/projects/${projectId}`);
  });

  it('offers a way back from any page that failed, not only the server’s message', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'adam');
    await page.goto(`${h.base}/projects/${projectId}`);
    await page.goto(`${h.base}/projects/no-such-project/pipelines`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await alert.getByRole('button', { name: 'Go back' }).click();
    await page.waitForURL(`${h.base}/projects/${projectId}`);
    await page.goto(`${h.base}/projects/no-such-project/pipelines`);
    await page.getByRole('alert').getByRole('link', { name: 'open the projects list' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const findings = await checkAccessibility(page, 'projects after an error');
    expect(findings.blocking).toEqual([]);
  });

  it('lets an administrator set someone’s password, which they then sign in with', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'adam');
    await page.goto(`${h.base}/admin/users`);
    await page.getByRole('button', { name: 'Set password: lena' }).click();
    await page.getByLabel('New password for lena').fill(BROWSER_PASSWORD);
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Password set' }).waitFor();
    const findings = await checkAccessibility(page, 'admin set password');
    expect(findings.blocking).toEqual([]);

    const lena = await h.newPage();
    await h.signIn(lena, 'lena');
  });
});
