import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN } from '../support/browser.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { freePort } from '../support/process.ts';
import { Seeder } from '../support/seed.ts';

/** Chromium signs in through a real OpenID provider's own pages and comes back signed in. */
let provider: TestProvider;
let h: BrowserHarness;

beforeAll(async () => {
  const port = await freePort();
  const site = `http://127.0.0.1:${port}`;
  provider = await startTestProvider({
    redirectUris: [`${site}/users/auth/corp/callback`],
    postLogoutUri: `${site}/`,
    accounts: { 'hana-sub': { preferred_username: 'hana', name: 'Hana Ito', groups: ['ml-admins'] } },
  });
  h = await BrowserHarness.start('sso', {
    MODELYARD_PORT: String(port),
    MODELYARD_OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'corp',
        label: 'Sign in with Corp',
        issuer: provider.issuer,
        client_id: provider.clientId,
        client_secret: provider.clientSecret,
        scopes: 'openid profile groups',
        groups_attribute: 'groups',
        admin_groups: ['ml-admins'],
      },
    ]),
  });
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await provider?.close();
});

describe('single sign-on in the browser', () => {
  it("signs in through the provider's pages, comes back to the page it started on, and signs out there too", async () => {
    const page = await h.newPage();
    // The provider's development pages load a web font; nothing here may leave the machine.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    await page.goto(`${h.base}/runners`);
    await page.getByRole('link', { name: 'Sign in with Corp' }).click();
    await page.locator('input[name=login]').fill('hana-sub');
    await page.locator('input[name=password]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Runners' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/runners');
    await expect(page.getByText('hana').first().isVisible()).resolves.toBe(true);
    await h.shot(page, 'sso-01-signed-in');

    // Signing out ends the provider's session too: its page asks, then sends the browser back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in with Corp' }).waitFor();
    expect(new URL(page.url()).origin).toBe(h.base);

    // Refused sign-ins come back to the sign-in page with the reason.
    await page.context().clearCookies();
    await page.goto(`${h.base}/?sign_in_error=${encodeURIComponent('the sign-in provider refused: access_denied')}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('access_denied');
    await page.close();
  });

  it('comes back to the run an MLflow client’s link names (its place is in the fragment) after signing in there', async () => {
    const seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
    const mlflow = <T>(method: string, body: unknown) => seed.call<T>('POST', `/api/v4/projects/default/ml/mlflow/api/2.0/mlflow/${method}`, body);
    const experimentId = (await mlflow<{ experiment_id: string }>('experiments/create', { name: 'linked' })).experiment_id;
    const runId = (await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: 'printed-by-the-client' })).run.info.run_id;
    const page = await h.newPage();
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
    await page.goto(`${h.base}/#/experiments/${experimentId}/runs/${runId}`);
    await page.getByRole('link', { name: 'Sign in with Corp' }).click();
    await page.locator('input[name=login]').fill('hana-sub');
    await page.locator('input[name=password]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /printed-by-the-client/ }).waitFor();
    expect(new URL(page.url()).pathname.endsWith(`/runs/${runId}`), page.url()).toBe(true);
    await page.close();
  });
});
