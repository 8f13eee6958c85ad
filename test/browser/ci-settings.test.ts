import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The CI/CD settings tab, which before this page existed only as API routes: the linked
 * repository (a refusal shown and nothing saved), the push webhook's secret shown once, the
 * pipeline file checked and stored, CI variables (a masked value never on the page) and
 * trigger tokens. The open settings tab lives in the URL.
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
const MASKED = 'Zq8vTn3LpW6xRk2Hs9Ya';

const api = <T>(method: string, path: string, body?: unknown) => seed.call<T>(method, `/api/v4/projects/${projectId}${path}`, body);

beforeAll(async () => {
  // A repository on the server's own disk is allowed only when the operator says so.
  h = await BrowserHarness.start('ci-settings', { MODELYARD_OUTBOUND_ALLOW: 'file://' });
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const maintainer = await seed.user('mia', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Forge', path: 'forge' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: maintainer.id, access_level: 40 });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the CI/CD settings tab', () => {
  it('is reached by its tab, which the URL keeps across a reload', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'mia');
    await page.goto(`${h.base}/projects/${projectId}/settings`);
    await page.getByRole('tab', { name: 'ci/cd' }).click();
    await page.getByRole('heading', { name: 'Repository' }).waitFor();
    expect(new URL(page.url()).searchParams.get('tab')).toBe('ci/cd');
    await page.reload();
    await page.getByRole('heading', { name: 'Repository' }).waitFor();
    expect(await page.getByRole('tab', { name: 'ci/cd' }).getAttribute('aria-selected')).toBe('true');
    await page.goBack();
    await page.getByRole('tab', { name: 'members', selected: true }).waitFor();
  });

  it('links a repository with protected branches, shows a refusal without saving it, and shows a new webhook secret once', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'mia');
    await page.goto(`${h.base}/projects/${projectId}/settings?tab=ci%2Fcd`);
    await page.getByLabel('Git repository URL').fill('ext::sh -c touch% /tmp/pwned');
    await page.getByRole('button', { name: 'Save repository settings' }).click();
    await page.getByRole('alert').first().waitFor();
    expect((await api<{ repository_url: string | null }>('GET', '/ci/settings')).repository_url).toBeNull();

    await page.getByLabel('Git repository URL').fill('file:///srv/git/forge.git');
    await page.getByLabel('Protected branches (comma-separated)').fill('main, release/*');
    await page.getByRole('button', { name: 'Save repository settings' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    const saved = await api<{ repository_url: string; protected_branches: string[]; webhook_secret_set: boolean }>('GET', '/ci/settings');
    expect(saved.repository_url).toBe('file:///srv/git/forge.git');
    expect(saved.protected_branches).toEqual(['main', 'release/*']);
    expect(saved.webhook_secret_set).toBe(false);

    await page.getByRole('button', { name: 'Make a secret' }).click();
    const secret = await page.getByLabel("The push webhook's secret").inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect((await api<{ webhook_secret_set: boolean }>('GET', '/ci/settings')).webhook_secret_set).toBe(true);
    await page.reload();
    expect(await page.getByLabel("The push webhook's secret").count()).toBe(0);
    await page.getByRole('button', { name: 'Replace the secret' }).waitFor();
  });

  it('checks the pipeline file, names the line of an error, and stores a valid one', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'mia');
    await page.goto(`${h.base}/projects/${projectId}/settings?tab=ci%2Fcd`);
    const file = page.getByLabel('Pipeline YAML');
    await file.fill('train:\n  script: [python train.py]\nevaluate:\n  stage: nowhere\n  script: [python eval.py]\n');
    await page.getByRole('button', { name: 'Check' }).click();
    const lint = page.getByTestId('ci-lint');
    await lint.waitFor();
    expect(await lint.getAttribute('role')).toBe('alert');
    expect(await lint.textContent()).toMatch(/nowhere/);

    await file.fill('stages: [train, evaluate]\ntrain:\n  stage: train\n  script: [python train.py]\nevaluate:\n  stage: evaluate\n  script: [python eval.py]\n');
    await page.getByRole('button', { name: 'Save pipeline file' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    expect(await lint.textContent()).toContain('2 jobs');
    expect((await api<{ content: string }>('GET', '/ci/config')).content).toContain('python eval.py');
    await page.reload();
    expect(await page.getByLabel('Pipeline YAML').inputValue()).toContain('python eval.py');
  });

  it('adds, changes and deletes CI variables, and never puts a masked value on the page', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'mia');
    await page.goto(`${h.base}/projects/${projectId}/settings?tab=ci%2Fcd`);
    const addForm = page.getByRole('form', { name: 'Add a variable' });
    await addForm.getByLabel('Key').fill('DATA_BUCKET');
    await addForm.getByLabel('Value').fill('s3://datasets/iris');
    await addForm.getByRole('button', { name: 'Add variable' }).click();
    const table = page.getByTestId('ci-variables');
    await table.getByRole('row', { name: /DATA_BUCKET/ }).waitFor();
    await addForm.getByLabel('Key').fill('DEPLOY_KEY');
    await addForm.getByLabel('Value').fill(MASKED);
    await addForm.getByLabel('Masked: hidden in job logs').check();
    await addForm.getByRole('button', { name: 'Add variable' }).click();
    await table.getByRole('row', { name: /DEPLOY_KEY/ }).waitFor();
    expect(await page.content()).not.toContain(MASKED);

    // A change that types no value keeps the masked one.
    await page.getByRole('button', { name: 'Edit DEPLOY_KEY' }).click();
    const editForm = page.getByRole('form', { name: 'Change DEPLOY_KEY' });
    expect(await editForm.getByLabel('Value').inputValue()).toBe('');
    await editForm.getByLabel('Description').fill('the deploy key');
    await editForm.getByRole('button', { name: 'Save variable' }).click();
    await table.getByRole('row', { name: /the deploy key/ }).waitFor();
    const stored = await api<{ value: string; masked: boolean; description: string }>('GET', '/variables/DEPLOY_KEY');
    expect(stored).toMatchObject({ value: MASKED, masked: true, description: 'the deploy key' });
    expect(await page.content()).not.toContain(MASKED);

    // A refusal (a masked value too short) is shown, and nothing changes.
    await page.getByRole('button', { name: 'Edit DEPLOY_KEY' }).click();
    await page.getByRole('form', { name: 'Change DEPLOY_KEY' }).getByLabel('Value').fill('short');
    await page.getByRole('form', { name: 'Change DEPLOY_KEY' }).getByRole('button', { name: 'Save variable' }).click();
    await page
      .getByRole('alert')
      .getByText(/too short/)
      .waitFor();
    expect((await api<{ value: string }>('GET', '/variables/DEPLOY_KEY')).value).toBe(MASKED);

    await page.getByRole('button', { name: 'Delete DATA_BUCKET' }).click();
    await expect.poll(() => table.getByRole('row', { name: /DATA_BUCKET/ }).count()).toBe(0);
    expect((await api<{ key: string }[]>('GET', '/variables')).map((v) => v.key)).toEqual(['DEPLOY_KEY']);
    const findings = await checkAccessibility(page, 'settings ci/cd');
    expect(findings.blocking).toEqual([]);
  });

  it('makes a trigger token that is shown once and starts pipelines, and deletes it', async () => {
    // The stored pipeline file runs (the repository linked above is only a name on this disk).
    await api('PUT', '/ci/settings', { repository_url: null });
    await api('PUT', '/ci/config', { content: 'train:\n  script: [python train.py]\n' });
    const page = await h.newPage();
    await h.signIn(page, 'mia');
    await page.goto(`${h.base}/projects/${projectId}/settings?tab=ci%2Fcd`);
    await page.getByLabel('Trigger description').fill('nightly retrain');
    await page.getByRole('button', { name: 'Add trigger token' }).click();
    const token = await page.getByLabel('Your new trigger token').inputValue();
    await page
      .getByTestId('ci-triggers')
      .getByRole('row', { name: /nightly retrain/ })
      .waitFor();
    const triggered = await fetch(`${h.base}/api/v4/projects/${projectId}/trigger/pipeline`, { method: 'POST', body: new URLSearchParams({ token, ref: 'main' }) });
    expect(triggered.status, await triggered.clone().text()).toBe(201);
    await page.getByRole('button', { name: 'Delete trigger nightly retrain' }).click();
    await expect.poll(() => page.getByTestId('ci-triggers').count()).toBe(0);
    expect(await api<unknown[]>('GET', '/triggers')).toEqual([]);
  });
});
