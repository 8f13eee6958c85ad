import { createHash, randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobNative } from '../../src/imports/contract.ts';
import type { ModelNative, VersionNative } from '../../src/registry/contract.ts';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs-server.ts';
import { startGoogleTokenStandIn, type GoogleTokenStandIn, type ServiceAccount } from '../support/google-token-stand-in.ts';
import { Seeder } from '../support/seed.ts';
import { startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in.ts';

/**
 * The models page's "Import from Vertex AI" dialog in a real browser, against fake-gcs-server
 * (Cloud Storage), the Google token stand-in and the Vertex AI stand-in (test/support), as
 * test/api/vertex-import.test.ts imports through the API: the location's models listed with a
 * key file, a two-version model picked, both versions imported and followed to their end, and the
 * registry then holding both with files SHA-256-identical to the objects in Cloud Storage; a bad
 * key and an endpoint the outbound policy refuses answered in the dialog; axe on the dialog.
 */
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const BUCKET = 'acme-browser-models';
const OBJECTS: Record<string, Record<string, Buffer>> = {
  'models/churn/1/': { 'model.pkl': randomBytes(3 * 1024 * 1024 + 11), MLmodel: Buffer.from('flavors:\n  sklearn: {}\n'), 'env/requirements.txt': Buffer.from('scikit-learn==1.3.2\n') },
  'models/churn/2/': { 'model.pkl': randomBytes(64 * 1024), MLmodel: Buffer.from('flavors:\n  sklearn: {}\n') },
};

let gcs: FakeGcs;
let tokens: GoogleTokenStandIn;
let vertex: VertexStandIn;
let importer: ServiceAccount;
let h: BrowserHarness;
let seed: Seeder;
let owner: { id: number; token: string };
let projectId: number;

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  for (const [prefix, files] of Object.entries(OBJECTS)) for (const [name, data] of Object.entries(files)) await gcs.upload(BUCKET, `${prefix}${name}`, data);
  tokens = await startGoogleTokenStandIn();
  importer = tokens.account('importer@acme-ml.iam.gserviceaccount.com');
  const where = { project: 'acme-ml', projectNumber: '123456789012', location: 'us-central1', readers: [importer.email] };
  vertex = await startVertexStandIn(
    [
      {
        ...where,
        id: '4242',
        versions: [
          { versionId: '1', versionAliases: ['champion'], displayName: 'churn', description: 'Predicts which customers leave.', artifactUri: `gs://${BUCKET}/models/churn/1` },
          { versionId: '2', versionAliases: ['default', 'challenger'], displayName: 'churn', description: 'Predicts which customers leave.', artifactUri: `gs://${BUCKET}/models/churn/2/` },
          { versionId: '3', displayName: 'churn', artifactUri: '' },
        ],
      },
      { ...where, id: '5151', versions: [{ versionId: '1', versionAliases: ['default'], displayName: 'fraud', description: 'Flags card fraud.', artifactUri: `gs://${BUCKET}/models/fraud/1` }] },
    ],
    (token) => tokens.accountOf(token),
  );
  const allow = [gcs.port, tokens.port, vertex.port].map((port) => `127.0.0.1:${port}`).join(',');
  h = await BrowserHarness.start('vertex-import', { MODELYARD_OUTBOUND_ALLOW: allow });
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  owner = await seed.user('vera', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Vertex imports', path: 'vertex-imports' }, owner.token)).id;
}, 240_000);

afterAll(async () => {
  await h?.stop();
  await vertex?.close();
  await tokens?.close();
  await gcs?.close();
});

/** Signed in on the models page, with the Vertex AI dialog open and its location filled in. */
async function openDialog(): Promise<{ page: Page; dialog: Locator }> {
  const page = await h.newPage();
  await h.signIn(page, 'vera');
  await page.goto(`${h.base}/projects/${projectId}/models`);
  await page.getByRole('button', { name: 'Import from Vertex AI' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import from Vertex AI' });
  await dialog.getByLabel('Google Cloud project').fill('acme-ml');
  await dialog.getByLabel('Location').fill('us-central1');
  return { page, dialog };
}

async function privateEndpoints(dialog: Locator, aiplatform = vertex.url): Promise<void> {
  await dialog.getByText('Advanced: private endpoints').click();
  await dialog.getByLabel('Vertex AI endpoint').fill(aiplatform);
  await dialog.getByLabel('Cloud Storage endpoint').fill(gcs.url);
}

/** An object's bytes as Cloud Storage serves them. */
async function objectOf(name: string): Promise<Buffer> {
  const res = await fetch(`${gcs.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}?alt=media`);
  expect(res.status, name).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** A registry file's bytes, as the owner downloads them. */
async function fileOf(versionId: number, path: string): Promise<Buffer> {
  const res = await fetch(`${h.base}/api/v4/projects/${projectId}/packages/ml_models/${versionId}/files/${path}`, { headers: { 'private-token': owner.token } });
  expect(res.status, path).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

// The test's tsconfig has no DOM types: the page's storage, typed by hand.
type WithStorage = { localStorage: Record<string, string>; sessionStorage: Record<string, string> };
const KEY_PART = () => (JSON.parse(importer.keyJson) as { private_key: string }).private_key.split('\n')[5]!;

describe('importing from Vertex AI on the models page', () => {
  it('lists the models with a key file, picks a two-version model, imports both versions and follows them to their end', async () => {
    const { page, dialog } = await openDialog();
    await dialog.getByLabel('Service account key file').setInputFiles({ name: 'importer.json', mimeType: 'application/json', buffer: Buffer.from(importer.keyJson) });
    await dialog.getByText('Using the key in importer.json').waitFor();
    await privateEndpoints(dialog);
    await dialog.getByRole('button', { name: 'List models' }).click();

    const models = dialog.getByRole('group', { name: 'Models in us-central1' });
    await models.getByRole('radio', { name: /^churn \(4242\)/ }).waitFor();
    expect(await models.getByRole('radio').count()).toBe(2);
    expect(await models.textContent()).toContain('fraud (5151)');
    await models.getByRole('radio', { name: /^churn/ }).check();

    const versions = dialog.getByRole('group', { name: 'Versions of churn' });
    const first = versions.getByRole('checkbox', { name: /^Version 1 / });
    await first.waitFor();
    expect(await versions.getByRole('checkbox').count()).toBe(3);
    // Aliases and creation times (the stand-in's versions were made a minute apart), exact in the title.
    const text = await versions.textContent();
    expect(text).toContain('champion');
    expect(text).toContain('challenger');
    expect(await versions.locator('time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')))).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T10:01:00.000Z',
      '2026-11-30T10:02:00.000Z',
    ]);
    // Version 3 has no artifacts in Cloud Storage: it cannot be picked.
    expect(await versions.getByRole('checkbox', { name: /^Version 3 / }).isDisabled()).toBe(true);
    expect(await versions.getByText('no Cloud Storage artifacts to import').count()).toBe(1);
    // The registry model is named after the Vertex model unless the person says otherwise.
    expect(await dialog.getByLabel('Registry model name').inputValue()).toBe('churn');
    await first.check();
    await versions.getByRole('checkbox', { name: /^Version 2 / }).check();
    await h.shot(page, 'vertex-import-versions');
    // No violation at all, not even a moderate or minor one.
    expect(await checkAccessibility(page, 'vertex import dialog: versions')).toMatchObject({ blocking: [], others: 0 });

    await dialog.getByRole('button', { name: 'Import 2 versions' }).click();
    const one = dialog.getByRole('group', { name: 'Import of churn version 1' });
    const two = dialog.getByRole('group', { name: 'Import of churn version 2' });
    await one.getByText('succeeded').waitFor({ timeout: 60_000 });
    await two.getByText('succeeded').waitFor({ timeout: 60_000 });
    await dialog.getByRole('status').filter({ hasText: '2 of 2 imports ended' }).waitFor();
    expect(await one.textContent()).toContain('3 / 3');
    expect(await two.textContent()).toContain('2 / 2');
    expect(await one.getByRole('button', { name: 'Cancel import' }).count()).toBe(0);
    await one.getByRole('link', { name: /^churn v\d$/ }).waitFor();
    await two.getByRole('link', { name: /^churn v\d$/ }).waitFor();
    await h.shot(page, 'vertex-import-done');
    expect(await checkAccessibility(page, 'vertex import dialog: done')).toMatchObject({ blocking: [], others: 0 });

    // The key went to the server and nowhere else: not in the page, its address or the browser's storage.
    expect(await page.content()).not.toContain(KEY_PART());
    expect(page.url()).not.toContain('private_key');
    const stored = await page.evaluate(() => {
      const { localStorage, sessionStorage } = globalThis as unknown as WithStorage;
      return JSON.stringify([{ ...localStorage }, { ...sessionStorage }]);
    });
    expect(stored).not.toContain('private_key');
    expect(stored).not.toContain(KEY_PART());

    // The registry holds both versions, their files the objects Cloud Storage holds, byte for byte.
    const jobs = await seed.call<ImportJobNative[]>('GET', `/api/v4/projects/${projectId}/ml/imports`, undefined, owner.token);
    expect(jobs.map((j) => [j.kind, j.state, j.model_name, j.source.version_id]).sort()).toEqual([
      ['vertex_ai', 'succeeded', 'churn', '1'],
      ['vertex_ai', 'succeeded', 'churn', '2'],
    ]);
    const [model] = await seed.call<ModelNative[]>('GET', `/api/v4/projects/${projectId}/ml/models?search=churn`, undefined, owner.token);
    const listed = await seed.call<VersionNative[]>('GET', `/api/v4/projects/${projectId}/ml/models/${model!.id}/versions`, undefined, owner.token);
    expect(listed.length).toBe(2);
    for (const job of jobs) {
      const prefix = `models/churn/${String(job.source.version_id)}/`;
      const version = await seed.call<VersionNative>('GET', `/api/v4/projects/${projectId}/ml/model_versions/${job.version_id}`, undefined, owner.token);
      expect(version.model_id).toBe(model!.id);
      expect(version.tags['vertex.version_id']).toBe(job.source.version_id);
      for (const name of Object.keys(OBJECTS[prefix]!)) {
        expect(sha256(await fileOf(job.version_id!, name)), name).toBe(sha256(await objectOf(`${prefix}${name}`)));
      }
    }
    await page.close();
  }, 120_000);

  it("shows the server's refusals in the dialog: a bad key (400), an endpoint the outbound policy refuses (422)", async () => {
    const { page, dialog } = await openDialog();
    const notAServiceAccount = JSON.stringify({ ...(JSON.parse(importer.keyJson) as Record<string, unknown>), type: 'authorized_user' });
    await dialog.getByLabel('Service account key', { exact: true }).fill(notAServiceAccount);
    await privateEndpoints(dialog);
    await dialog.getByRole('button', { name: 'List models' }).click();
    const alert = dialog.getByRole('alert');
    await alert.filter({ hasText: 'The Google service account key is not usable: "type" is not "service_account"' }).waitFor();
    expect(await alert.textContent()).not.toContain(KEY_PART());
    expect(await dialog.getByRole('group', { name: /^Models in/ }).count()).toBe(0);
    await h.shot(page, 'vertex-import-bad-key');
    expect(await checkAccessibility(page, 'vertex import dialog: refused')).toMatchObject({ blocking: [], others: 0 });

    // The right key, and a Vertex AI endpoint on a port MODELYARD_OUTBOUND_ALLOW does not name.
    await dialog.getByLabel('Service account key', { exact: true }).fill(importer.keyJson);
    const refused = `http://127.0.0.1:${h.server.port}`;
    await dialog.getByLabel('Vertex AI endpoint').fill(refused);
    await dialog.getByRole('button', { name: 'List models' }).click();
    await alert.filter({ hasText: `${refused} is not reachable under the outbound address policy` }).waitFor();
    await page.close();
  }, 90_000);
});
