import { generateKeyPairSync } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Settings → integrations: the project's Google Cloud service-account key, set from a key file
 * or pasted, shown only as its account and project (never the key, neither after saving nor
 * after a reload), refused with the server's reason, and removed after a confirmation. A
 * developer gets no settings, and so no form.
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let privateKeyPem: string;
const KEY_ID = 'f3c9a1d27b6e4c58a0d9e1b2c3d4e5f6a7b8c9d0';
const SERVICE_ACCOUNT = 'vertex-deployer@acme-ml.iam.gserviceaccount.com';

interface View {
  active: boolean;
  service_account: string | null;
  google_project: string | null;
  updated_at: string | null;
}
const integration = () => seed.call<View>('GET', `/api/v4/projects/${projectId}/integrations/google-cloud`);
const keyFile = (type = 'service_account') =>
  JSON.stringify({ type, project_id: 'acme-ml', private_key_id: KEY_ID, private_key: privateKeyPem, client_email: SERVICE_ACCOUNT, token_uri: 'http://127.0.0.1:1/token' }, null, 2);

async function expectNoKeyOn(page: Page): Promise<void> {
  const html = await page.content();
  const text = await page.locator('body').innerText();
  for (const shown of [html, text]) {
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(KEY_ID);
    for (const line of privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----'))) expect(shown).not.toContain(line);
  }
}

async function openTab(username: string): Promise<Page> {
  const page = await h.newPage();
  await h.signIn(page, username);
  await page.goto(`${h.base}/projects/${projectId}/settings?tab=integrations`);
  return page;
}

beforeAll(async () => {
  privateKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  h = await BrowserHarness.start('google-cloud-integration');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const maintainer = await seed.user('maia', BROWSER_PASSWORD);
  const developer = await seed.user('dev', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Vertex', path: 'vertex' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: maintainer.id, access_level: 40 });
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: developer.id, access_level: 30 });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the Google Cloud integration in settings', () => {
  it('shows a pasted key refusal from the server and changes nothing', async () => {
    const page = await openTab('maia');
    const card = page.getByRole('region', { name: 'Google Cloud' });
    await card.getByText(/Vertex AI imports and Vertex AI environments/).waitFor();
    await card.getByLabel("Or paste the key file's JSON").fill(keyFile('authorized_user'));
    await card.getByRole('button', { name: 'Save' }).click();
    await card
      .getByRole('alert')
      .getByText(/"type" is not "service_account"/)
      .waitFor();
    expect((await integration()).active).toBe(false);
    await expectNoKeyOn(page);
  });

  it('sets the key from a key file and shows its account, never the key', async () => {
    const page = await openTab('maia');
    const card = page.getByRole('region', { name: 'Google Cloud' });
    await card.getByLabel('Service-account key file (JSON)').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(keyFile()) });
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(SERVICE_ACCOUNT).waitFor();
    await card.getByText('acme-ml', { exact: true }).waitFor();
    expect(await integration()).toMatchObject({ active: true, service_account: SERVICE_ACCOUNT, google_project: 'acme-ml' });
    await expectNoKeyOn(page);
    await page.reload();
    await card.getByText(SERVICE_ACCOUNT).waitFor();
    await card.getByRole('button', { name: 'Replace key' }).waitFor();
    await expectNoKeyOn(page);
    const findings = await checkAccessibility(page, 'settings integrations');
    expect(findings.blocking).toEqual([]);
  });

  it('removes the integration only after a confirmation', async () => {
    const page = await openTab('maia');
    const card = page.getByRole('region', { name: 'Google Cloud' });
    await card.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the Google Cloud integration?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await integration()).active).toBe(true);
    await card.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await card.getByLabel('Service-account key file (JSON)').waitFor();
    expect(await integration()).toMatchObject({ active: false, service_account: null });
  });

  it('gives a developer no form', async () => {
    const page = await openTab('dev');
    await page.getByText("Only maintainers see this project's settings.").waitFor();
    expect(await page.getByRole('tab', { name: 'integrations' }).count()).toBe(0);
    expect(await page.getByLabel('Service-account key file (JSON)').count()).toBe(0);
  });
});
