import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Model-development issues in a real browser: the list, the board, the issue page with its
 * comments and links, the issues shown on a version's page, XSS payloads that stay inert, and
 * an issue-gated approval from end to end (refused while the review issue is open, granted
 * once it is closed on its page).
 */
interface Issue {
  id: number;
  iid: number;
  labels: string[];
  state: string;
}

let h: BrowserHarness;
let seed: Seeder;
let maintainer: { id: number; token: string };
let developer: { id: number; token: string };
let reporter: { id: number; token: string };
let projectId: number;
let modelId: number;
let versionRowId: number;

const project = (path: string) => `/api/v4/projects/${projectId}${path}`;
const issue = (iid: number) => seed.call<Issue>('GET', project(`/issues/${iid}`));

const PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '[click me](javascript:window.__xss="link")',
  '<a href="javascript:window.__xss=\'a\'">a link</a>',
  '<svg onload="window.__xss = \'svg\'"></svg>',
  '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
  '<details open ontoggle="window.__xss = \'details\'">x</details>',
  '#1"><img src=x onerror="window.__xss=\'ref\'">',
].join('\n\n');

/** Opens a page as a user, noting any dialog a payload might raise. */
async function openAs(username: string, path: string, dialogs: string[] = []): Promise<Page> {
  const page = await h.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await h.signIn(page, username);
  await page.goto(`${h.base}${path}`);
  return page;
}

beforeAll(async () => {
  h = await BrowserHarness.start('issues');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  maintainer = await seed.user('mira', BROWSER_PASSWORD);
  developer = await seed.user('dario', BROWSER_PASSWORD);
  reporter = await seed.user('ria', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Fraud', path: 'fraud' }, maintainer.token)).id;
  await seed.call('POST', project('/members'), { user_id: developer.id, access_level: 30 }, maintainer.token);
  await seed.call('POST', project('/members'), { user_id: reporter.id, access_level: 20 }, maintainer.token);
  seed = new Seeder(h.base, reporter.token);
  modelId = (await seed.call<{ id: number }>('POST', project('/ml/models'), { name: 'fraud' }, developer.token)).id;
  versionRowId = (await seed.call<{ id: number }>('POST', project(`/ml/models/${modelId}/versions`), {}, developer.token)).id;
  await seed.call('PUT', project('/ml/registry/settings'), { review_issue_label: 'review::required' }, maintainer.token);
  await seed.call('POST', project('/issues'), { title: 'Bias review of fraud v1', description: 'Check model:fraud/1 against #2.', labels: 'review::required,stage::todo' });
  await seed.call('POST', project('/issues/1/links'), { type: 'version', id: versionRowId });
  await seed.call('POST', project('/issues'), { title: 'Latency budget', labels: 'stage::doing' });
  await seed.call('POST', project('/issues'), { title: 'Payloads <script>window.__xss="title"</script>', description: PAYLOADS });
  await seed.call('POST', project('/issues/3/notes'), { body: PAYLOADS });
  await seed.call('POST', project(`/ml/models/${modelId}/versions/1/approval_requests`), { comment: 'ready' }, developer.token);
}, 180_000);

afterAll(async () => h?.stop());

describe('the issues pages', () => {
  it('list the issues and open a new one from the form', async () => {
    const page = await openAs('ria', `/projects/${projectId}/issues`);
    const table = page.getByTestId('issues');
    await table.getByRole('link', { name: '#1 Bias review of fraud v1' }).waitFor();
    await table.getByRole('link', { name: '#2 Latency budget' }).waitFor();
    await page.getByLabel('Title').fill('Retrain on March data');
    await page.getByLabel('Description').fill('Follows #2');
    await page.getByLabel('Labels', { exact: true }).fill('stage::todo');
    await page.getByRole('button', { name: 'Open issue' }).click();
    await page.getByTestId('issue-title').getByText('Retrain on March data').waitFor();
    expect(await page.getByTestId('issue-description').getByRole('link', { name: '#2' }).getAttribute('href')).toBe(`/projects/${projectId}/issues/2`);
    expect((await issue(4)).labels).toEqual(['stage::todo']);
    await h.shot(page, 'issue-new');
  });

  it('show a board by a scoped label whose select moves a card to another column', async () => {
    const page = await openAs('ria', `/projects/${projectId}/issues/board`);
    const doing = page.getByLabel('stage::doing', { exact: true });
    await doing.getByText('#2 Latency budget').waitFor();
    await page.getByLabel('stage::todo', { exact: true }).getByText('#1 Bias review of fraud v1').waitFor();
    await page.getByLabel('No stage').getByText('#3 Payloads').waitFor();
    await page.getByLabel('Move #2').selectOption('todo');
    await page.getByLabel('stage::todo', { exact: true }).getByText('#2 Latency budget').waitFor();
    expect((await issue(2)).labels).toEqual(['stage::todo']);
    await h.shot(page, 'issue-board');
  });

  it('show an issue with its comments and links, and take a comment', async () => {
    const page = await openAs('ria', `/projects/${projectId}/issues/1`);
    await page.getByTestId('issue-links').getByText('fraud v1 (1.0.0)').waitFor();
    expect(await page.getByTestId('issue-description').getByRole('link', { name: 'model:fraud/1' }).getAttribute('href')).toBe(`/projects/${projectId}/model-refs/fraud/1`);
    await page.getByLabel('Comment').fill('Looked at **slices**');
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.getByTestId('issue-notes').locator('strong', { hasText: 'slices' }).waitFor();
    // The version's page lists the issues linked to it.
    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    await page.getByTestId('linked-issues').getByRole('link', { name: '#1 Bias review of fraud v1' }).waitFor();
    // A model reference leads to the version's page.
    await page.goto(`${h.base}/projects/${projectId}/model-refs/fraud/1`);
    await page.getByTestId('approval-status').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/models/${modelId}/versions/1`);
  });

  it('keep XSS payloads in issues and comments inert', async () => {
    const dialogs: string[] = [];
    const page = await openAs('ria', `/projects/${projectId}/issues/3`, dialogs);
    await page.getByTestId('issue-notes').waitFor();
    await page.getByTestId('issue-title').getByText('Payloads <script>window.__xss="title"</script>').waitFor();
    const ran = await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss ?? null);
    expect(ran).toBeNull();
    expect(dialogs).toEqual([]);
    const dangerous = await page.locator('main script, main iframe, main svg, main details, main img, main [onerror], main [onload], main [ontoggle], main a[href^="javascript:"]').count();
    expect(dangerous).toBe(0);
    // Clicking what was a javascript: link does nothing either.
    const link = page.getByTestId('issue-description').getByText('click me');
    if ((await link.count()) > 0) await link.first().click();
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss ?? null)).toBeNull();
  });
});

describe('an issue-gated approval, end to end', () => {
  it('refuses the approval while the review issue is open and grants it once the issue is closed', async () => {
    const page = await openAs('mira', `/projects/${projectId}/models/${modelId}/versions/1`);
    await page.getByTestId('decision').waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('alert').getByText('linked issue #1 "Bias review of fraud v1" is labelled review::required and still open').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toBe('pending');
    const audit = await seed.call<{ action: string }[]>('GET', project('/audit_events?action=issues.review_gate.refused'), undefined, maintainer.token);
    expect(audit).toHaveLength(1);

    await page.goto(`${h.base}/projects/${projectId}/issues/1`);
    await page.getByRole('button', { name: 'Close issue' }).click();
    await page.getByTestId('issue-state').getByText('closed').waitFor();
    await until(async () => (await issue(1)).state === 'closed', 'the issue to close');

    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('approval-status').getByText('approved').waitFor();
    await h.shot(page, 'issue-gated-approval');
  });
});
