import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { startHubStandIn, type HubStandIn } from '../support/hub-stand-in.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The models page's "Import from Hugging Face" dialog in a real browser, against the Hub
 * stand-in: an import of a private repository with a token followed to its end and its version
 * opened, and a slow one followed while it runs (rate, time left) and canceled.
 */
const HF_TOKEN = 'hf_browser_token_456';
let hub: HubStandIn;
let h: BrowserHarness;
let projectId: number;

beforeAll(async () => {
  hub = await startHubStandIn({
    'acme/browser-bert': {
      files: { 'README.md': Buffer.from('---\nlicense: mit\n---\n# Browser bert\n'), 'config.json': Buffer.from('{}'), 'model.safetensors': randomBytes(64 * 1024) },
      lfs: ['model.safetensors'],
      private: true,
      tokens: [HF_TOKEN],
    },
    'acme/slow-bert': { files: { 'model.safetensors': randomBytes(24 * 1024 * 1024) }, lfs: ['model.safetensors'] },
  });
  h = await BrowserHarness.start('hub-import', { MODELYARD_HF_ENDPOINT: hub.url, MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${hub.port}` });
  const seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const owner = await seed.user('hugo', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Imports', path: 'imports' }, owner.token)).id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await hub?.close();
});

/** Signed in on the models page, with the import dialog open. */
async function openDialog(): Promise<{ page: Page; dialog: Locator }> {
  const page = await h.newPage();
  await h.signIn(page, 'hugo');
  await page.goto(`${h.base}/projects/${projectId}/models`);
  await page.getByRole('button', { name: 'Import from Hugging Face' }).click();
  return { page, dialog: page.getByRole('dialog', { name: 'Import from Hugging Face' }) };
}

describe('importing from Hugging Face on the models page', () => {
  it('imports a private repository with a token, follows it to its end and links to the version', async () => {
    const { page, dialog } = await openDialog();
    await dialog.getByLabel('Repository').fill('acme/browser-bert');
    await dialog.getByLabel('Model name').fill('browser-bert');
    await dialog.getByLabel('Exclude patterns').fill('*.md');
    // Without the token the Hub answers as if the repository did not exist.
    await dialog.getByRole('button', { name: 'Import' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'not found' }).waitFor();
    await dialog.getByLabel('Hugging Face token').fill(HF_TOKEN);
    await dialog.getByRole('button', { name: 'Import' }).click();
    const progress = dialog.getByLabel('Import progress');
    await progress.getByText('succeeded').waitFor({ timeout: 30_000 });
    expect(await progress.textContent()).toContain('2 / 2');
    expect(await page.content()).not.toContain(HF_TOKEN);
    await progress.getByRole('link', { name: 'browser-bert v1' }).click();
    await page.waitForURL(/\/models\/\d+\/versions\/1$/);
    await page.getByText('config.json').first().waitFor();
    await h.shot(page, 'hub-import-done');
    await page.close();
  }, 90_000);

  it('shows a running import with its rate and time left, and cancels it', async () => {
    hub.throttle(1024 * 1024);
    try {
      const { page, dialog } = await openDialog();
      await dialog.getByLabel('Repository').fill('acme/slow-bert');
      await dialog.getByRole('button', { name: 'Import' }).click();
      const progress = dialog.getByLabel('Import progress');
      await progress.getByText('running').waitFor({ timeout: 30_000 });
      await progress.getByText(/[KM]iB\/s/).waitFor({ timeout: 30_000 });
      await h.shot(page, 'hub-import-running');
      await progress.getByRole('button', { name: 'Cancel import' }).click();
      await progress.getByText('canceled').waitFor();
      expect(await progress.getByRole('button', { name: 'Cancel import' }).count()).toBe(0);
      await page.close();
    } finally {
      hub.throttle(null);
    }
  }, 90_000);
});
