import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Accounts and administration in the browser: a person's own tokens and password, the
 * administrator's users and projects, making a project, its members and its group links.
 */
let h: BrowserHarness;
let provider: TestProvider;
let seed: Seeder;
let nora: { id: number; token: string };
let adminProjectId: number;

/** What the API answers to a token (the test's side of "the token works" or "stopped working"). */
async function statusWith(token: string, path = '/api/v4/user'): Promise<number> {
  return (await fetch(`${h.base}${path}`, { headers: { 'private-token': token } })).status;
}

async function signInAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${h.base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  provider = await startTestProvider({ redirectUris: ['http://127.0.0.1/users/auth/corp/callback'], postLogoutUri: 'http://127.0.0.1/', accounts: {} });
  h = await BrowserHarness.start('accounts', {
    MODELYARD_OIDC_PROVIDERS: JSON.stringify([{ id: 'corp', label: 'Sign in with Corp', issuer: provider.issuer, client_id: provider.clientId, client_secret: provider.clientSecret }]),
  });
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  await seed.call('POST', '/api/v4/users', { username: 'ada', password: BROWSER_PASSWORD, admin: true });
  nora = await seed.user('nora', BROWSER_PASSWORD);
  await seed.user('oscar', BROWSER_PASSWORD);
  await seed.user('pat', BROWSER_PASSWORD);
  // A project nobody but the instance's first administrator belongs to: only the admin area shows it to ada.
  adminProjectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Hidden Lab', path: 'hidden-lab' })).id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
  await provider?.close();
});

describe('a person’s own account', () => {
  it('follows the README’s first sign-in: root with the password the first start left in the data folder, then changes it from the name at the top', async () => {
    // As GitLab's /etc/gitlab/initial_root_password: comments, then `Password: <it>`.
    const initial = /^Password: (\S+)$/m.exec(fs.readFileSync(path.join(h.dataFolder, 'initial_root_password'), 'utf8'))![1]!;
    expect(initial.length).toBeGreaterThanOrEqual(16);
    const page = await h.newPage();
    await signInAs(page, 'root', initial);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByRole('link', { name: 'root', exact: true }).click();
    await page.getByRole('link', { name: 'Password' }).click();
    await page.getByLabel('Current password').fill(initial);
    await page.getByLabel('New password', { exact: true }).fill('roots-own-password');
    await page.getByLabel('New password again').fill('roots-own-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText(/Password changed/)
      .waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAs(page, 'root', 'roots-own-password');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.close();
  });

  it('makes a personal access token with scopes and an expiry date, shows it once with a copy button, and revokes it', async () => {
    const page = await h.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base });
    await h.signIn(page, 'nora');
    await page.getByRole('link', { name: 'nora' }).click();
    await page.getByRole('heading', { name: 'Personal access tokens' }).waitFor();
    await page.getByLabel('Token name').fill('laptop');
    await page.getByLabel('api', { exact: true }).check();
    await page.getByLabel('read_api', { exact: true }).uncheck();
    await page.getByLabel('Expires on').fill('2099-06-30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('Your new token');
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^glpat-/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').getByText('Copied').waitFor();
    // The test's tsconfig has no DOM types: the page's clipboard, typed by hand.
    type WithClipboard = { navigator: { clipboard: { readText(): Promise<string> } } };
    expect(await page.evaluate(() => (globalThis as unknown as WithClipboard).navigator.clipboard.readText())).toBe(secret);
    const row = page.getByTestId('own-tokens').getByRole('row', { name: /laptop/ });
    expect(await row.textContent()).toContain('2099-06-30');
    expect(await row.textContent()).toContain('api');
    expect(await statusWith(secret)).toBe(200);
    await h.shot(page, 'accounts-01-own-token');

    // Shown once: a new visit lists the token but not its secret.
    await page.reload();
    await page.getByTestId('own-tokens').waitFor();
    expect(await page.getByLabel('Your new token').count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke laptop' }).click();
    await until(
      async () =>
        (await page
          .getByTestId('own-tokens')
          .getByRole('row', { name: /laptop/ })
          .textContent())!.includes('revoked'),
      'the token revoked',
    );
    expect(await statusWith(secret)).toBe(401);
    await page.close();
  });

  it('rotates a token: the old secret stops, the new one is shown once', async () => {
    const made = await seed.call<{ token: string }>('POST', '/api/v4/user/personal_access_tokens', { name: 'ci-bot', scopes: ['read_api'] }, nora.token);
    const page = await h.newPage();
    await h.signIn(page, 'nora');
    await page.goto(`${h.base}/user/settings/tokens`);
    await page.getByRole('button', { name: 'Rotate ci-bot' }).click();
    const fresh = await page.getByLabel('Your new token').inputValue();
    expect(fresh).not.toBe(made.token);
    expect(await statusWith(made.token)).toBe(401);
    expect(await statusWith(fresh)).toBe(200);
    await page.close();
  });

  it('changes the password: a wrong current one is refused, the new one signs in, other browsers are signed out', async () => {
    const elsewhere = await h.newPage();
    await h.signIn(elsewhere, 'pat');
    const page = await h.newPage();
    await h.signIn(page, 'pat');
    await page.goto(`${h.base}/user/settings/password`);
    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password', { exact: true }).fill('pats-new-password');
    await page.getByLabel('New password again').fill('pats-new-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('alert')
      .getByText(/current_password is wrong/)
      .waitFor();

    await page.getByLabel('Current password').fill(BROWSER_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText(/Password changed\. 1 other browser session was signed out/)
      .waitFor();
    await h.shot(page, 'accounts-02-password');

    // The other browser is sent to the sign-in page at its next request.
    await elsewhere.reload();
    await elsewhere.getByRole('button', { name: 'Sign in' }).waitFor();
    // This one stays signed in, and the new password is the one that works.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInAs(page, 'pat', BROWSER_PASSWORD);
    await page.getByRole('alert').waitFor();
    await signInAs(page, 'pat', 'pats-new-password');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.close();
    await elsewhere.close();
  });
});

describe('administration', () => {
  it('is offered to administrators only', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'nora');
    await page.getByRole('link', { name: 'nora' }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.close();
  });

  it('creates a user, blocks them (their token and session stop at once), unblocks them, and makes them administrator', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'ada');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByTestId('admin-users').waitFor();
    await page.getByLabel('Username').fill('quinn');
    await page.getByLabel('Name', { exact: true }).fill('Quinn Q.');
    await page.getByLabel('Initial password').fill(BROWSER_PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByTestId('user-quinn').waitFor();

    // Quinn signs in and makes a token; then an administrator blocks Quinn.
    const quinnPage = await h.newPage();
    await h.signIn(quinnPage, 'quinn');
    const quinnToken = (
      await seed.call<{ token: string }>('POST', `/api/v4/users/${(await seed.call<{ id: number }[]>('GET', '/api/v4/users?username=quinn'))[0]!.id}/personal_access_tokens`, {
        name: 't',
        scopes: ['api'],
      })
    ).token;
    expect(await statusWith(quinnToken)).toBe(200);

    await page.getByRole('button', { name: 'Block quinn' }).click();
    await until(async () => (await page.getByTestId('user-quinn').textContent())!.includes('blocked'), 'quinn blocked');
    expect(await statusWith(quinnToken)).toBe(401);
    await quinnPage.reload();
    await quinnPage.getByRole('button', { name: 'Sign in' }).waitFor();
    await signInAs(quinnPage, 'quinn', BROWSER_PASSWORD);
    await quinnPage.getByRole('alert').waitFor();
    await h.shot(page, 'accounts-03-admin-users');

    await page.getByRole('button', { name: 'Unblock quinn' }).click();
    await until(async () => (await page.getByTestId('user-quinn').textContent())!.includes('active'), 'quinn active');
    await page.getByRole('button', { name: 'Make admin: quinn' }).click();
    await page.getByTestId('user-quinn').getByText('admin', { exact: true }).waitFor();
    await signInAs(quinnPage, 'quinn', BROWSER_PASSWORD);
    await quinnPage.getByRole('link', { name: 'Admin' }).waitFor();
    await page.getByRole('button', { name: 'Remove admin: quinn' }).click();
    await until(async () => (await page.getByTestId('user-quinn').getByText('admin', { exact: true }).count()) === 0, 'quinn no longer admin');
    await quinnPage.close();
    await page.close();
  });

  it('links a person to their single sign-on account and removes the link', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'ada');
    await page.goto(`${h.base}/admin/users`);
    await page.getByRole('button', { name: 'Identities of oscar' }).click();
    const panel = page.getByTestId('identities-oscar');
    await panel.getByText('No links.').waitFor();
    await panel.getByLabel('Account at the provider (subject)').fill('oscar-at-corp');
    await panel.getByRole('button', { name: 'Link' }).click();
    await panel.getByText('oscar-at-corp').waitFor();
    const oscar = (await seed.call<{ id: number }[]>('GET', '/api/v4/users?username=oscar'))[0]!;
    expect((await seed.call<{ identities: unknown[] }>('GET', `/api/v4/users/${oscar.id}`)).identities).toEqual([{ provider: 'corp', extern_uid: 'oscar-at-corp' }]);
    await h.shot(page, 'accounts-04-identities');
    await panel.getByRole('button', { name: 'Unlink corp' }).click();
    await panel.getByText('No links.').waitFor();
    expect((await seed.call<{ identities: unknown[] }>('GET', `/api/v4/users/${oscar.id}`)).identities).toEqual([]);
    await page.close();
  });

  it('lists every project, members or not', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'ada');
    await page.goto(`${h.base}/admin/projects`);
    await page.getByTestId('admin-projects').getByRole('link', { name: 'Hidden Lab' }).click();
    await until(async () => new URL(page.url()).pathname === `/projects/${adminProjectId}`, 'the project page');
    await page.close();
  });
});

describe('projects and their people', () => {
  it('creates a project from the projects list, and manages its members', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'nora');
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill('Speech');
    await page.getByLabel('Visibility').selectOption('internal');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('.project-nav').getByRole('link', { name: 'Speech' }).waitFor();
    const projectId = Number(new URL(page.url()).pathname.split('/')[2]);
    const created = await seed.call<{ visibility: string; path: string }>('GET', `/api/v4/projects/${projectId}`, undefined, nora.token);
    expect(created).toMatchObject({ visibility: 'internal', path: 'speech' });

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Username to add').fill('oscar');
    await page.getByLabel('Role to give').selectOption('reporter');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByLabel('Role of oscar').waitFor();
    expect(await page.getByLabel('Role of oscar').inputValue()).toBe('20');
    await page.getByLabel('Role of oscar').selectOption('developer');
    await until(async () => {
      const members = await seed.call<{ username: string; access_level: number }[]>('GET', `/api/v4/projects/${projectId}/members`, undefined, nora.token);
      return members.some((m) => m.username === 'oscar' && m.access_level === 30);
    }, 'oscar a developer');
    await h.shot(page, 'accounts-05-members');
    await page.getByRole('row', { name: /oscar/ }).getByRole('button', { name: 'Remove' }).click();
    await until(async () => (await page.getByLabel('Role of oscar').count()) === 0, 'oscar removed');

    // Single sign-on group links of the project.
    await page.getByRole('tab', { name: 'single sign-on' }).click();
    await page.getByLabel('Group name').fill('speech-team');
    await page.getByLabel('Role of the group').selectOption('developer');
    await page.getByRole('button', { name: 'Link group' }).click();
    await page.getByTestId('group-links').getByText('speech-team').waitFor();
    const links = await seed.call<{ group_name: string; access_level: number }[]>('GET', `/api/v4/projects/${projectId}/sso_group_links`, undefined, nora.token);
    expect(links).toEqual([expect.objectContaining({ provider: 'corp', group_name: 'speech-team', access_level: 30 })]);
    await page.getByRole('button', { name: 'Remove link to speech-team' }).click();
    await page.getByText('No group links.').waitFor();
    await page.close();
  });
});
