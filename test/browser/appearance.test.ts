import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/** How the pages look on the person's terms: the system's dark setting, a phone's width. */

let h: BrowserHarness;
let projectId: number;
let experimentId: string;

beforeAll(async () => {
  h = await BrowserHarness.start('browser-appearance');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const scientist = await root.user('maintainer', BROWSER_PASSWORD);
  const dev = new Seeder(h.base, scientist.token);
  projectId = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Appearance with a long project name', path: 'appearance' })).id;
  experimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'looks' })).experiment_id;
  const run = (await dev.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: 'first', start_time: 1_700_000_000_000 })).run.info.run_id;
  await dev.mlflow(projectId, 'runs/log-batch', {
    run_id: run,
    metrics: Array.from({ length: 5 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), timestamp: 1 + step, step })),
    params: [{ key: 'lr', value: '0.1' }],
  });
}, 240_000);

afterAll(async () => {
  await h?.stop();
});

/** The computed background and text colour of the page and of the runs table, as "r,g,b". */
async function colours(page: Page): Promise<{ page: string; text: string; table: string }> {
  const rgb = (css: string) => (css.match(/\d+/g) ?? []).slice(0, 3).join(',');
  // The page's own getComputedStyle (this side is compiled without the DOM's types).
  type Styles = { getComputedStyle: (element: unknown) => { backgroundColor: string; color: string } };
  const root = await page.locator('html').evaluate((el) => {
    const style = (globalThis as unknown as Styles).getComputedStyle(el);
    return { background: style.backgroundColor, color: style.color };
  });
  const table = await page.getByRole('table', { name: 'Runs' }).evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el).backgroundColor);
  return { page: rgb(root.background), text: rgb(root.color), table: rgb(table) };
}

/** "#e3e7ee" as "227,231,238". */
const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(',');

/** Relative luminance, 0 (black) to 1 (white), near enough to tell dark from light. */
const luminance = (rgb: string) => rgb.split(',').reduce((sum, c, i) => sum + Number(c) * [0.2126, 0.7152, 0.0722][i]!, 0) / 255;

describe('appearance', () => {
  it('follows the system’s dark setting', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maintainer');
    const runs = `${h.base}/projects/${projectId}/experiments/${experimentId}`;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(runs);
    await page.getByRole('link', { name: 'first' }).waitFor();
    const light = await colours(page);
    expect(luminance(light.page)).toBeGreaterThan(0.9);
    expect(luminance(light.text)).toBeLessThan(0.2);
    await h.shot(page, 'runs-light');

    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await colours(page);
    expect(luminance(dark.page)).toBeLessThan(0.15);
    expect(luminance(dark.table)).toBeLessThan(0.15);
    expect(luminance(dark.text)).toBeGreaterThan(0.8);
    await h.shot(page, 'runs-dark');

    // Charts are drawn, not styled: their axes take the scheme's text colour when drawn.
    await page.getByRole('link', { name: 'first' }).click();
    await page.getByRole('tab', { name: 'metrics' }).click();
    const chart = page.getByTestId('chart-loss');
    await chart.locator('canvas').first().waitFor();
    expect(luminance(rgbOf(String(await chart.getAttribute('data-axis-colour'))))).toBeGreaterThan(0.8);
    await h.shot(page, 'run-dark');
    await page.close();
  });

  it('holds at a phone’s width of 375 px: the project nav wraps, nothing pushes the page sideways', async () => {
    const page = await h.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await h.signIn(page, 'maintainer');
    for (const path of [`/projects/${projectId}/experiments/${experimentId}`, `/projects/${projectId}`, `/projects/${projectId}/settings`]) {
      await page.goto(`${h.base}${path}`);
      const nav = page.locator('nav.project-nav');
      await nav.getByRole('link', { name: 'Issues' }).waitFor();
      const overflow = await nav.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, right: el.getBoundingClientRect().right }));
      expect(overflow.scroll, path).toBeLessThanOrEqual(overflow.client);
      expect(overflow.right, path).toBeLessThanOrEqual(375);
      expect(await page.locator('html').evaluate((el) => el.scrollWidth), path).toBeLessThanOrEqual(375);
      await h.shot(page, `375px${path.replaceAll('/', '-')}`);
    }
    await h.shot(page, 'runs-375px');
    await page.close();
  });
});
