import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The packages pages: the list with its type filter and name search held in the URL, a package
 * with its files, sizes, digests and downloads, the API's `_links.web_path` opening that page,
 * an ml_model package leading to its model version, and deleting (developers, not reporters).
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
const weights = Buffer.alloc(3 * 1024 * 1024 + 5, 7);

async function putGeneric(name: string, version: string, file: string, body: Buffer | string): Promise<void> {
  const res = await fetch(`${h.base}/api/v4/projects/${projectId}/packages/generic/${name}/${version}/${file}`, { method: 'PUT', headers: { 'private-token': BROWSER_ADMIN_TOKEN }, body });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  h = await BrowserHarness.start('packages');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const dev = await seed.user('devon', BROWSER_PASSWORD);
  const reporter = await seed.user('rita', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Depot', path: 'depot' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: dev.id, access_level: 30 });
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: reporter.id, access_level: 20 });
  await putGeneric('tokenizer', '1.0.0', 'vocab.txt', 'hello\nworld\n');
  await putGeneric('tokenizer', '1.0.0', 'weights.bin', weights);
  await putGeneric('scratch', '0.1.0', 'notes.txt', 'to be deleted');
  const model = await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'iris' });
  const version = await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models/${model.id}/versions`, { semver: '2.1.0' });
  const res = await fetch(`${h.base}/api/v4/projects/${projectId}/packages/ml_models/${version.id}/files/model/MLmodel`, {
    method: 'PUT',
    headers: { 'private-token': BROWSER_ADMIN_TOKEN },
    body: 'flavors: {}\n',
  });
  expect(res.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the packages pages', () => {
  it('list the project’s packages from its navigation, filter by type and search by name in the URL, and survive a reload', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}/projects/${projectId}`);
    await page.locator('.project-nav').getByRole('link', { name: 'Packages' }).click();
    await page.getByRole('heading', { name: 'Packages', level: 1 }).waitFor();
    expect(await page.title()).toBe('Packages · Depot · Modelyard');
    const rows = page.getByTestId('packages').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);

    await page.getByLabel('Filter by type').selectOption('ml_model');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('iris');
    expect(new URL(page.url()).searchParams.get('type')).toBe('ml_model');

    await page.getByLabel('Filter by type').selectOption('');
    await page.getByLabel('Search packages by name').fill('token');
    await page.getByLabel('Search packages by name').press('Enter');
    await expect.poll(() => rows.count()).toBe(1);
    await page.reload();
    await page.getByTestId('packages').waitFor();
    expect(await rows.count()).toBe(1);
    expect(await page.getByLabel('Search packages by name').inputValue()).toBe('token');
    const findings = await checkAccessibility(page, 'packages list');
    expect(findings.blocking).toEqual([]);
  });

  it('opens a package at the API’s web_path with its files, sizes and SHA-256 digests, and downloads a file', async () => {
    const [pkg] = await seed.call<{ id: number; _links: { web_path: string } }[]>('GET', `/api/v4/projects/${projectId}/packages?package_name=tokenizer`);
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}${pkg!._links.web_path}`);
    await page.getByRole('heading', { name: /tokenizer/ }).waitFor();
    const files = page.getByTestId('package-files');
    const weightsRow = files.getByRole('row', { name: /weights\.bin/ });
    expect(await weightsRow.textContent()).toContain('3 MiB');
    expect(await weightsRow.textContent()).toContain(createHash('sha256').update(weights).digest('hex'));
    // A reporter reads and downloads, and is offered no delete.
    expect(await page.getByRole('button', { name: 'Delete package' }).count()).toBe(0);
    const download = page.waitForEvent('download');
    await files.getByRole('link', { name: 'vocab.txt' }).click();
    const saved = await (await download).path();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(saved, 'utf8')).toBe('hello\nworld\n');
    const findings = await checkAccessibility(page, 'package');
    expect(findings.blocking).toEqual([]);
    await h.shot(page, 'packages-01-package');
  });

  it('leads from an ml_model package to its model version', async () => {
    const [pkg] = await seed.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/packages?package_type=ml_model`);
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}/projects/${projectId}/packages/${pkg!.id}`);
    await page
      .getByTestId('package-files')
      .getByRole('row', { name: /model\/MLmodel/ })
      .waitFor();
    await page.getByRole('link', { name: 'open the version of iris' }).click();
    await page.waitForURL(/\/models\/\d+\/versions\/1$/);
  });

  it('lets a developer delete a generic package after confirming, and says so for one that is gone', async () => {
    const [pkg] = await seed.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/packages?package_name=scratch`);
    const page = await h.newPage();
    await h.signIn(page, 'devon');
    await page.goto(`${h.base}/projects/${projectId}/packages/${pkg!.id}`);
    await page.getByRole('button', { name: 'Delete package' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete package' }).click();
    await page.waitForURL(`${h.base}/projects/${projectId}/packages`);
    const res = await fetch(`${h.base}/api/v4/projects/${projectId}/packages/${pkg!.id}`, { headers: { 'private-token': BROWSER_ADMIN_TOKEN } });
    expect(res.status).toBe(404);
    await page.goto(`${h.base}/projects/${projectId}/packages/${pkg!.id}`);
    await page.getByRole('heading', { name: 'Package not found' }).waitFor();
  });
});
