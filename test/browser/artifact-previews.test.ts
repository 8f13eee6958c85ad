import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';
import { checkAccessibility } from '../support/accessibility.ts';

/** The artifact previews of issue 20: HTML in a sandbox, MLflow tables, images by step, icons without an emoji font. */

let h: BrowserHarness;
let projectId: number;
let runId: string;

/** What scikit-learn's autolog might log, plus what a hostile page would try from the app's origin. */
const ESTIMATOR_HTML = `<!doctype html><html><head><style>h1 { color: rgb(0, 128, 128); }</style></head><body>
<h1>Estimator report</h1>
<script>parent.document.title = 'pwned'; parent.pwned = true; fetch('/api/v4/user').then(() => { parent.fetched = true; });</script>
<script>document.body.setAttribute('data-ran', 'yes');</script>
</body></html>`;
const TABLE = {
  columns: ['name', 'score'],
  data: [
    ['b', 10],
    ['a', 9],
    ['c', 100],
  ],
};
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAWwCAACkBwEAU7+XjwAAAABJRU5ErkJggg==', 'base64');
/**
 * As MLflow's log_image(key=..., step=...) names them, with the `+` delimiters of newer writers:
 * the server refuses `%` followed by two hex digits (a second encoding layer) and `#` in a path.
 */
const logged = (key: string, step: number, uuid: string, compressed = false) => `images/${key}+step+${step}+timestamp+${1_700_000_000_000 + step}+${uuid}${compressed ? '+compressed.webp' : '.png'}`;

interface Window {
  pwned?: boolean;
  fetched?: boolean;
  document: { title: string; querySelector(selector: string): { contentDocument: unknown } | null };
}

beforeAll(async () => {
  h = await BrowserHarness.start('artifact-previews');
  const admin = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const owner = await admin.user('paula', BROWSER_PASSWORD);
  const seed = new Seeder(h.base, owner.token);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Previews', path: 'previews' })).id;
  const experimentId = (await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'iris' })).experiment_id;
  runId = (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: 'autolog' })).run.info.run_id;
  const root = `${experimentId}/${runId}/artifacts`;
  const put = (path: string, body: string | Buffer, type: string) => seed.artifact(projectId, `${root}/${path}`.split('/').map(encodeURIComponent).join('/'), body, type);
  await put('estimator.html', ESTIMATOR_HTML, 'text/html');
  await put('metrics_table.json', JSON.stringify(TABLE), 'application/json');
  await put('predictions.json', JSON.stringify({ columns: ['id'], data: Array.from({ length: 501 }, (_, i) => [i]) }), 'application/json');
  for (const step of [0, 5, 10]) await put(logged('confusion', step, `g000-${step}`), PNG, 'image/png');
  await put(logged('confusion', 10, 'g000-10', true), PNG, 'image/webp');
  await put(logged('samples', 1, 'h111-1'), PNG, 'image/png');
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

async function openArtifacts(page: Page): Promise<void> {
  await h.signIn(page, 'paula');
  await page.goto(`${h.base}/projects/${projectId}/runs/${runId}`);
  await page.getByRole('tab', { name: 'artifacts' }).click();
}

describe('artifact previews', () => {
  it('shows an HTML artifact in a sandboxed frame: styled, without script, with an opaque origin', async () => {
    const page = await h.newPage();
    await openArtifacts(page);
    const title = await page.title();
    const fromPreview: string[] = [];
    page.on('request', (request) => {
      if (request.frame().url().includes('/artifact_previews/')) fromPreview.push(request.url());
    });
    await page.getByRole('button', { name: /estimator\.html/ }).click();
    const frameElement = page.locator('iframe[title="Preview of estimator.html"]');
    await frameElement.waitFor();
    expect(await frameElement.getAttribute('sandbox')).toBe('');
    let frame: Frame | null = null;
    await until(async () => (frame = page.frames().find((f) => f.url().includes('/artifact_previews/')) ?? null) !== null, 'the preview frame');
    const heading = frame!.locator('h1');
    await heading.waitFor();
    expect(await heading.textContent()).toBe('Estimator report');
    expect(await heading.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color)).toBe('rgb(0, 128, 128)');
    // The scripts did not run: no attribute set on its own body, nothing set on the app's page, no request made.
    expect(await frame!.locator('body').getAttribute('data-ran')).toBeNull();
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as Window;
      let access: string;
      try {
        access = w.document.querySelector('iframe.html-preview')!.contentDocument === null ? 'null' : 'readable';
      } catch {
        access = 'threw';
      }
      return { title: w.document.title, pwned: w.pwned ?? false, fetched: w.fetched ?? false, access };
    });
    expect(seen).toEqual({ title, pwned: false, fetched: false, access: 'null' });
    expect(fromPreview).toEqual([]);
    await h.shot(page, 'artifact-preview-html');
    await page.close();
  });

  it("sorts an MLflow table by a column's header: ascending, then descending, numbers as numbers", async () => {
    const page = await h.newPage();
    await openArtifacts(page);
    await page.getByRole('button', { name: /metrics_table\.json/ }).click();
    const table = page.getByTestId('mlflow-table');
    await table.waitFor();
    const names = () => table.locator('tbody tr td:first-child').allTextContents();
    expect(await names()).toEqual(['b', 'a', 'c']);
    const score = table.getByRole('columnheader', { name: /score/ });
    expect(await score.getAttribute('aria-sort')).toBe('none');
    await score.getByRole('button').click();
    await until(async () => (await score.getAttribute('aria-sort')) === 'ascending', 'an ascending sort');
    expect(await names()).toEqual(['a', 'b', 'c']);
    await score.getByRole('button').click();
    await until(async () => (await score.getAttribute('aria-sort')) === 'descending', 'a descending sort');
    expect(await names()).toEqual(['c', 'b', 'a']);
    expect((await checkAccessibility(page, 'run artifacts: an MLflow table')).blocking).toEqual([]);
    await page.close();
  });

  it('shows the first 500 rows of a longer table and says so', async () => {
    const page = await h.newPage();
    await openArtifacts(page);
    await page.getByRole('button', { name: /predictions\.json/ }).click();
    const table = page.getByTestId('mlflow-table');
    await table.waitFor();
    expect(await table.locator('caption').textContent()).toBe('predictions.json: 501 rows');
    expect(await table.locator('tbody tr').count()).toBe(500);
    expect(await page.getByRole('note').textContent()).toBe('Showing the first 500 of 501 rows (in the order chosen); download the file for all of them.');
    // Sorted descending, the row that was cut is the first one shown.
    await table.getByRole('button', { name: 'id' }).click();
    await table.getByRole('button', { name: 'id' }).click();
    await until(async () => (await table.locator('tbody tr td').first().textContent()) === '500', 'the last row first');
    await page.close();
  });

  it('shows images logged by key and step as a gallery with a step slider', async () => {
    const page = await h.newPage();
    await openArtifacts(page);
    await page.getByRole('button', { name: /^\s*images/ }).click();
    const gallery = page.getByRole('region', { name: 'Logged images by step' });
    await gallery.getByRole('img', { name: 'confusion at step 10' }).waitFor();
    expect(await gallery.getByRole('img', { name: 'samples at step 1' }).count()).toBe(1);
    expect(await gallery.getByRole('img', { name: /^confusion, step \d+$/ }).evaluateAll((imgs) => imgs.map((img) => (img as unknown as { alt: string }).alt))).toEqual([
      'confusion, step 0',
      'confusion, step 5',
      'confusion, step 10',
    ]);
    // The step-10 thumbnail is the compressed copy MLflow logs beside the image.
    expect(await gallery.getByRole('img', { name: 'confusion, step 10' }).getAttribute('src')).toContain('compressed.webp');
    await gallery.getByRole('slider', { name: /Step of confusion/ }).fill('0');
    await gallery.getByRole('img', { name: 'confusion at step 0' }).waitFor();
    await gallery.getByRole('button', { name: 'confusion, step 5' }).click();
    await gallery.getByRole('img', { name: 'confusion at step 5' }).waitFor();
    expect((await checkAccessibility(page, 'run artifacts: images by step')).blocking).toEqual([]);
    await h.shot(page, 'artifact-preview-gallery');
    await page.close();
  });

  it('marks folders and files with drawn icons, no emoji', async () => {
    const page = await h.newPage();
    await openArtifacts(page);
    const list = page.locator('.artifact-list');
    await list.getByRole('button', { name: /estimator\.html/ }).waitFor();
    expect(await list.textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(await list.locator('svg[aria-hidden="true"]').count()).toBe(4);
    await page.close();
  });
});
