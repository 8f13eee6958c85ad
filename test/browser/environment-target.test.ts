import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * An environment's target on its page: a maintainer binds it to Vertex AI with a key file,
 * is refused a bad staging folder (nothing changes), moves it to KServe with a token, and hands
 * it back to the local agents; neither the key nor the token ever reaches the page. A failed
 * apply shows as an alert; developers see no target at all.
 *
 * Nothing Google or Kubernetes is reached: every URL the settings name (the Vertex AI and Cloud
 * Storage endpoints, the key's token URI, the Kubernetes API) is one loopback server the
 * outbound policy allows. Nothing is deployed there, but reading a bound environment's status
 * (the page does, every 5 s) asks it for a token or the InferenceServices: it answers 503.
 */

interface Target {
  environment_id: number;
  kind: 'agent' | 'kserve' | 'vertex';
  routing: 'gateway' | 'native';
  kserve: { api_url: string; namespace: string; ca_pem_set: boolean; token_set: boolean; service_account: string | null; last_error: string | null } | null;
  vertex: {
    gcp_project: string;
    location: string;
    staging_uri: string;
    machine_type: string;
    min_replicas: number;
    max_replicas: number;
    api_url: string | null;
    storage_url: string | null;
    service_account: string;
    last_error: string | null;
  } | null;
}

const SERVICE_ACCOUNT = 'deployer@acme-ml.iam.gserviceaccount.com';
const KEY_ID = '5f0c3b7e9a1d4c2b8e6f0a9d7c5b3e1f2a4c6e8d';
const KUBERNETES_TOKEN = 'kserve-bearer-Qm7wXe2RtY9uIo4PaS6dFg';

let h: BrowserHarness;
let admin: Seeder;
let maintainer: { id: number; token: string };
let projectId: number;
let stagingId: number;
let productionId: number;
let standIn: http.Server;
let standInUrl: string;
const standInRequests: string[] = [];
let privateKeyPem: string;
let keyJson: string;

const project = (path: string) => `/api/v4/projects/${projectId}${path}`;
const targetOf = (environmentId: number) => admin.call<Target>('GET', project(`/environments/${environmentId}/target`));

/** The lines of the key's PEM body: none of them may reach the page. */
const keyLines = () => privateKeyPem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));

async function expectNoSecretsOn(page: Page): Promise<void> {
  const html = await page.content();
  const text = await page.locator('body').innerText();
  for (const shown of [html, text]) {
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(KEY_ID);
    expect(shown).not.toContain(KUBERNETES_TOKEN);
    for (const line of keyLines()) expect(shown).not.toContain(line);
  }
}

async function openEnvironment(username: string, environmentId: number): Promise<Page> {
  const page = await h.newPage();
  await h.signIn(page, username);
  await page.goto(`${h.base}/projects/${projectId}/environments/${environmentId}`);
  await page.getByRole('heading', { name: 'History' }).waitFor();
  return page;
}

const section = (page: Page) => page.getByRole('region', { name: 'Target', exact: true });
const form = (page: Page) => page.getByRole('form', { name: 'Target settings' });

beforeAll(async () => {
  standIn = http.createServer((req, res) => {
    standInRequests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error": {"code": 503, "message": "a stand-in: nothing is served here", "status": "UNAVAILABLE"}}');
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  const port = (standIn.address() as AddressInfo).port;
  standInUrl = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  privateKeyPem = privateKey;
  keyJson = JSON.stringify(
    { type: 'service_account', project_id: 'acme-ml', private_key_id: KEY_ID, private_key: privateKeyPem, client_email: SERVICE_ACCOUNT, token_uri: `${standInUrl}/token` },
    null,
    2,
  );

  h = await BrowserHarness.start('environment-target', { MODELYARD_OUTBOUND_ALLOW: `127.0.0.1:${port}` });
  admin = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  maintainer = await admin.user('mona', BROWSER_PASSWORD);
  const developer = await admin.user('devi', BROWSER_PASSWORD);
  projectId = (await admin.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Churn', path: 'churn' })).id;
  await admin.call('POST', project('/members'), { user_id: maintainer.id, access_level: 40 });
  await admin.call('POST', project('/members'), { user_id: developer.id, access_level: 30 });
  stagingId = (await admin.call<{ id: number }>('POST', project('/environments'), { name: 'staging' })).id;
  productionId = (await admin.call<{ id: number }>('POST', project('/environments'), { name: 'production', tier: 'production' })).id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => standIn?.close(resolve));
});

describe("an environment's target", () => {
  it('is bound to Vertex AI through the form with a key file: the settings and the service account show, the key never does', async () => {
    const page = await openEnvironment('mona', stagingId);
    const target = section(page);
    await target.getByTestId('target-summary').getByText('Local agents', { exact: false }).waitFor();

    // By keyboard: the button opens the form, the arrow keys choose the kind.
    const open = target.getByRole('button', { name: 'Set a target' });
    expect(await open.getAttribute('aria-expanded')).toBe('false');
    await open.focus();
    await page.keyboard.press('Enter');
    expect(await open.getAttribute('aria-expanded')).toBe('true');
    const settings = form(page);
    await settings.getByRole('radio', { name: /KServe/ }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await settings.getByRole('radio', { name: /Vertex AI/ }).isChecked()).toBe(true);

    await settings.getByLabel('Google Cloud project', { exact: true }).fill('acme-ml');
    await settings.getByLabel('Location', { exact: true }).fill('europe-west4');
    await settings.getByLabel('Staging folder', { exact: true }).fill('gs://acme-models/serving');
    const keyFile = settings.getByLabel('Service-account key file', { exact: true });
    expect(await keyFile.getAttribute('type')).toBe('file');
    expect(await keyFile.getAttribute('accept')).toBe('application/json');
    await keyFile.setInputFiles({ name: 'acme-ml-deployer.json', mimeType: 'application/json', buffer: Buffer.from(keyJson) });
    await settings.getByLabel('Machine type', { exact: true }).fill('n1-standard-4');
    await settings.getByLabel('Minimum replicas', { exact: true }).fill('1');
    await settings.getByLabel('Maximum replicas', { exact: true }).fill('3');
    await settings.getByLabel('Vertex AI API URL (optional)', { exact: true }).fill(standInUrl);
    await settings.getByLabel('Cloud Storage URL (optional)', { exact: true }).fill(standInUrl);
    await settings.getByLabel('Cloud Storage URL (optional)', { exact: true }).press('Enter');

    await target.getByRole('status').getByText('Saved: the variants run on Vertex AI.').waitFor();
    expect(await form(page).count()).toBe(0);
    // Focus goes back to the button that opened the form.
    expect(await target.getByRole('button', { name: 'Change the target' }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const stored = await targetOf(stagingId);
    expect(stored).toMatchObject({
      kind: 'vertex',
      routing: 'native',
      kserve: null,
      vertex: {
        gcp_project: 'acme-ml',
        location: 'europe-west4',
        staging_uri: 'gs://acme-models/serving',
        machine_type: 'n1-standard-4',
        min_replicas: 1,
        max_replicas: 3,
        api_url: standInUrl,
        storage_url: standInUrl,
        service_account: SERVICE_ACCOUNT,
        last_error: null,
      },
    });
    const summary = target.getByTestId('target-summary');
    const shown = await summary.innerText();
    for (const fact of ['Vertex AI', 'acme-ml', 'europe-west4', 'gs://acme-models/serving', 'n1-standard-4, 1 to 3 replicas', SERVICE_ACCOUNT, standInUrl]) expect(shown).toContain(fact);
    expect(await target.getByRole('alert').count()).toBe(0);
    await expectNoSecretsOn(page);
    await h.shot(page, 'environment-target-vertex');

    await page.reload();
    await section(page).getByTestId('target-summary').getByText(SERVICE_ACCOUNT).waitFor();
    await expectNoSecretsOn(page);
    await page.close();
  });

  it("shows the server's 400 for a bad staging folder beside the form and changes nothing; an empty key field keeps the stored key", async () => {
    const before = await targetOf(stagingId);
    const page = await openEnvironment('mona', stagingId);
    await section(page).getByRole('button', { name: 'Change the target' }).click();
    const settings = form(page);
    // The form holds what is stored, and says that the key is kept when none is given.
    expect(await settings.getByRole('radio', { name: /Vertex AI/ }).isChecked()).toBe(true);
    expect(await settings.getByLabel('Staging folder', { exact: true }).inputValue()).toBe('gs://acme-models/serving');
    expect(await settings.getByLabel('Maximum replicas', { exact: true }).inputValue()).toBe('3');
    expect(await settings.getByLabel('Or paste the key (JSON)', { exact: true }).inputValue()).toBe('');
    const keyDescription = await settings.getByLabel('Or paste the key (JSON)', { exact: true }).getAttribute('aria-describedby');
    expect(await page.locator(`[id="${keyDescription}"]`).innerText()).toContain(`A key is stored, for ${SERVICE_ACCOUNT}: leave both empty to keep it.`);

    await settings.getByLabel('Staging folder', { exact: true }).fill('gs://Not A Bucket/serving');
    await settings.getByRole('button', { name: 'Save target' }).click();
    const refusal = settings.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('staging_uri must be a Cloud Storage folder');
    expect(await targetOf(stagingId)).toEqual(before);
    expect(await form(page).count()).toBe(1);

    await settings.getByLabel('Staging folder', { exact: true }).fill('gs://acme-models/serving-2');
    await settings.getByRole('button', { name: 'Save target' }).click();
    await section(page).getByRole('status').getByText('Saved: the variants run on Vertex AI.').waitFor();
    const after = await targetOf(stagingId);
    expect(after.vertex).toEqual({ ...before.vertex, staging_uri: 'gs://acme-models/serving-2' });
    expect(after.vertex?.service_account).toBe(SERVICE_ACCOUNT);
    await expectNoSecretsOn(page);
    await page.close();
  });

  it('switches to KServe with a token, which is never shown', async () => {
    const page = await openEnvironment('mona', stagingId);
    await section(page).getByRole('button', { name: 'Change the target' }).click();
    const settings = form(page);
    await settings.getByRole('radio', { name: /KServe/ }).check();
    const token = settings.getByLabel('Token', { exact: true });
    expect(await token.getAttribute('type')).toBe('password');
    expect(await settings.getByLabel('Kubernetes API URL', { exact: true }).inputValue()).toBe('');
    expect(await settings.getByLabel('CA certificate (PEM)', { exact: true }).evaluate((el) => el.tagName)).toBe('TEXTAREA');
    await settings.getByLabel('Kubernetes API URL', { exact: true }).fill(standInUrl);
    await settings.getByLabel('Namespace', { exact: true }).fill('ml-serving');
    await token.fill(KUBERNETES_TOKEN);
    await settings.getByLabel('Traffic split by', { exact: true }).selectOption('native');
    await settings.getByRole('button', { name: 'Save target' }).click();
    await section(page).getByRole('status').getByText('Saved: the variants run on KServe.').waitFor();

    expect(await targetOf(stagingId)).toMatchObject({
      kind: 'kserve',
      routing: 'native',
      vertex: null,
      kserve: { api_url: standInUrl, namespace: 'ml-serving', token_set: true, ca_pem_set: false, service_account: null, last_error: null },
    });
    const shown = await section(page).getByTestId('target-summary').innerText();
    for (const fact of ['KServe', 'ml-serving', standInUrl, 'token set']) expect(shown).toContain(fact);
    await expectNoSecretsOn(page);

    // Changed again without a token: the stored one is kept, as the field's hint says.
    await section(page).getByRole('button', { name: 'Change the target' }).click();
    expect(await form(page).getByLabel('Token', { exact: true }).inputValue()).toBe('');
    const tokenDescription = await form(page).getByLabel('Token', { exact: true }).getAttribute('aria-describedby');
    expect(await page.locator(`[id="${tokenDescription}"]`).innerText()).toContain('A token is stored: leave this empty to keep it.');
    await form(page).getByLabel('Namespace', { exact: true }).fill('ml-serving-2');
    await form(page).getByRole('button', { name: 'Save target' }).click();
    await section(page).getByTestId('target-summary').getByText('ml-serving-2').waitFor();
    expect((await targetOf(stagingId)).kserve).toMatchObject({ namespace: 'ml-serving-2', token_set: true });
    await expectNoSecretsOn(page);
    await h.shot(page, 'environment-target-kserve');
    await page.close();
  });

  it('goes back to the local agents with "Use local agents", after a confirmation', async () => {
    const page = await openEnvironment('mona', stagingId);
    const useAgents = section(page).getByRole('button', { name: 'Use local agents' });
    await useAgents.click();
    const dialog = page.getByRole('dialog', { name: 'Use local agents for staging?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await targetOf(stagingId)).kind).toBe('kserve');

    await useAgents.click();
    await dialog.getByRole('button', { name: 'Use local agents' }).click();
    await section(page).getByRole('status').getByText('The variants run on the local agents again.').waitFor();
    expect(await targetOf(stagingId)).toMatchObject({ kind: 'agent', routing: 'gateway', kserve: null, vertex: null });
    await section(page).getByTestId('target-summary').getByText('Local agents', { exact: false }).waitFor();
    expect(await section(page).getByRole('button', { name: 'Use local agents' }).count()).toBe(0);
    await page.close();
  });

  it('shows why the last apply failed as an alert; axe finds no violation in the section, which holds a phone’s width', async () => {
    // A deployment on an environment bound to Vertex AI: its convergence fails (the version has no files to copy), and says why.
    const modelId = (await admin.call<{ id: number }>('POST', project('/ml/models'), { name: 'churn' })).id;
    await admin.call('POST', project(`/ml/models/${modelId}/versions`), {});
    await admin.call('PUT', project(`/environments/${productionId}/target`), {
      kind: 'vertex',
      gcp_project: 'acme-ml',
      location: 'us-central1',
      staging_uri: 'gs://acme-models/production',
      service_account_key: keyJson,
      api_url: standInUrl,
      storage_url: standInUrl,
    });
    await admin.call('POST', project('/deployments'), { environment: 'production', model: 'churn', version: '1', reason: 'first release' }, maintainer.token);
    await until(async () => (await targetOf(productionId)).vertex?.last_error != null, 'the failed convergence to be recorded');
    const lastError = (await targetOf(productionId)).vertex!.last_error!;

    const page = await openEnvironment('mona', productionId);
    const alert = section(page).getByTestId('target-error');
    await alert.waitFor();
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.innerText()).toContain(lastError);
    await section(page).getByRole('button', { name: 'Change the target' }).click();
    await form(page).waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const findings = await checkAccessibility(page, `environment target (${scheme})`);
      expect(findings.blocking).toEqual([]);
    }

    await page.setViewportSize({ width: 375, height: 800 });
    await form(page)
      .getByRole('radio', { name: /KServe/ })
      .check();
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    await form(page)
      .getByRole('radio', { name: /Vertex AI/ })
      .check();
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    await h.shot(page, 'environment-target-375px');
    await expectNoSecretsOn(page);
    await page.close();
  });

  it('is not shown to developers (whom the API refuses), not even as an error', async () => {
    // The same page shows it to a maintainer.
    const maintainerPage = await openEnvironment('mona', productionId);
    await section(maintainerPage).getByTestId('target-summary').getByText(SERVICE_ACCOUNT).waitFor();
    await maintainerPage.close();

    const page = await openEnvironment('devi', productionId);
    const read = await page.request.get(`${h.base}${project(`/environments/${productionId}/target`)}`);
    expect(read.status()).toBe(403);
    // The page is whole (it has loaded its history), and has nothing of the target.
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Target', exact: true }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Target settings' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /target|local agents/i }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toContain('acme-ml');
    await page.close();
  });
});
