import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * A project's audit log as a maintainer reads it: targets by name (`iris v1`, not
 * `model_version 3`) linked to their pages, and each entry's facts as labelled values, not JSON.
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let modelId: number;

beforeAll(async () => {
  h = await BrowserHarness.start('audit-log');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Ledger', path: 'ledger' })).id;
  const maintainer = await seed.user('mara', BROWSER_PASSWORD);
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: maintainer.id, access_level: 40 });
  // A first model makes the version's id differ from the model's, so a link built from the wrong id fails.
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'placeholder' });
  modelId = (await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'iris' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { semver: '1.0.0' });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the audit log page', () => {
  it('names each target and links it, and shows details as labelled values', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'mara');
    await page.goto(`${h.base}/projects/${projectId}/settings?tab=audit`);
    const log = page.getByTestId('audit-log');
    await log.waitFor();
    const created = log.locator('tr', { hasText: 'registry.version.created' });
    await expect.poll(() => created.count()).toBe(1);
    const text = (await created.textContent()) ?? '';
    expect(text).toContain('model version iris v1');
    expect(text).not.toMatch(/model_version \d/);
    expect(text).not.toContain('{"');
    expect(await created.locator('dt').allTextContents()).toEqual(['model', 'version', 'semver']);
    expect(await created.locator('dd').allTextContents()).toEqual(['iris', '1', '1.0.0']);

    await created.getByRole('link', { name: 'iris v1' }).click();
    await page.waitForURL(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    await page.getByRole('heading', { name: /iris/ }).first().waitFor();

    await page.goBack();
    await log.waitFor();
    const findings = await checkAccessibility(page, 'audit log');
    expect(findings.blocking).toEqual([]);
  });
});
