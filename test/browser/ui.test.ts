import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { curve, Seeder } from '../support/seed.ts';

let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let experimentId: string;
let runIds: string[] = [];
let modelId: number;

const firstRunName = (page: Page) => page.locator('[role=row] a').first().textContent();

beforeAll(async () => {
  h = await BrowserHarness.start('browser');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const maintainer = await seed.user('maria', BROWSER_PASSWORD);
  const developer = await seed.user('dev', BROWSER_PASSWORD);
  const reporter = await seed.user('rita', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Vision', path: 'vision' }, maintainer.token)).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: developer.id, access_level: 30 }, maintainer.token);
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: reporter.id, access_level: 20 }, maintainer.token);
  seed = new Seeder(h.base, developer.token);
  experimentId = (await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'sweep' })).experiment_id;
  runIds = [];
  for (let i = 0; i < 6; i++) {
    const run = (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: `trial-${i}`, start_time: 1_700_000_000_000 + i })).run
      .info.run_id;
    runIds.push(run);
    const metrics = [...curve('loss', 500, (s) => 1 / (1 + s / (50 + i * 20)) + (s === 250 ? 0.5 : 0)), ...curve('accuracy', 500, (s) => 1 - 1 / (1 + s / (40 + i * 15)))];
    for (let b = 0; b < metrics.length; b += 1000) await seed.mlflow(projectId, 'runs/log-batch', { run_id: run, metrics: metrics.slice(b, b + 1000) });
    await seed.mlflow(projectId, 'runs/log-batch', {
      run_id: run,
      params: [
        { key: 'lr', value: String(0.001 * (i + 1)) },
        { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' },
        { key: 'layers', value: String(2 + (i % 3)) },
      ],
    });
  }
  const first = runIds[0]!;
  const root = `${experimentId}/${first}/artifacts`;
  await seed.artifact(projectId, `${root}/notes/readme.txt`, 'These are the notes of trial-0.', 'text/plain');
  await seed.artifact(projectId, `${root}/config.json`, JSON.stringify({ lr: 0.001, layers: [64, 32] }), 'application/json');
  await seed.artifact(projectId, `${root}/eval/confusion.csv`, 'label,predicted,count\ncat,cat,40\ncat,dog,2\ndog,dog,38\n', 'text/csv');
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVQI12P8z8DwnwEJMDGgAWwCAACkBwEAU7+XjwAAAABJRU5ErkJggg==', 'base64');
  await seed.artifact(projectId, `${root}/plots/tiny.png`, png, 'image/png');
  modelId = (
    await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'detector', description: '# Detector\n\nFinds **cats**. ![pixel](https://tracker.example/p.gif)' })
  ).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${first}/model`, run_id: first });
  await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/approval_requests`, { comment: 'ready' });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the web UI', () => {
  it('signs in', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maria');
    await expect(page.getByRole('link', { name: 'Vision' })).toBeTruthy();
    await h.shot(page, '01-projects');
    await page.close();
  });

  it('lists runs, filters with inline errors, and sorts', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maria');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    await page.getByRole('link', { name: 'trial-5' }).waitFor();
    expect(await page.getByRole('row').count()).toBe(7); // the header and six runs
    await page.getByLabel('Filter runs').fill('metrics.loss <');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('filter-error').waitFor();
    expect(await page.getByTestId('filter-error').textContent()).toMatch(/Invalid filter/);
    await page.getByLabel('Filter runs').fill("params.optimizer = 'adam' OR params.lr = '0.001'");
    await page.getByRole('button', { name: 'Search' }).click();
    await until(async () => (await page.getByRole('row').count()) === 5, 'four runs');
    const names = await page.locator('[role=row] a').allTextContents();
    expect(names.sort()).toEqual(['trial-0', 'trial-1', 'trial-3', 'trial-5']);
    await page.getByRole('columnheader', { name: /Run/ }).click();
    await until(async () => (await firstRunName(page)) === 'trial-0', 'ascending order');
    await page.getByRole('columnheader', { name: /Run/ }).click();
    await until(async () => (await firstRunName(page)) === 'trial-5', 'descending order');
    await page.getByLabel('Group by').selectOption('param:optimizer');
    await page.getByText('optimizer = adam').waitFor();
    await h.shot(page, '02-runs');
    await page.close();
  });

  it('draws a run’s metric charts with their axis labels', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maria');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runIds[0]}`);
    await page.getByRole('tab', { name: 'metrics' }).click();
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    expect(await page.getByTestId('chart-loss').getAttribute('data-axes')).toBe('step|loss');
    const points = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
    expect(points).toBe(500);
    await h.shot(page, '03-run-charts');
    await page.close();
  });

  it('compares three runs', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maria');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    for (const name of ['trial-0', 'trial-1', 'trial-2']) await page.getByLabel(`Select ${name}`).check();
    await page.getByRole('button', { name: /Compare/ }).click();
    await page.getByRole('heading', { name: 'Comparing 3 runs' }).waitFor();
    await page.getByLabel('metric', { exact: true }).selectOption('loss');
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    const legend = await page.getByTestId('chart-loss').locator('.u-legend .u-series').allTextContents();
    expect(legend.join(' ')).toContain('trial-2');
    expect(await page.getByTestId('compare-values').locator('tbody[data-section=param] tr.differs').count()).toBe(3);
    await page.getByTestId('parallel-coordinates').waitFor();
    await page.getByTestId('scatter').waitFor();
    await h.shot(page, '04-compare');
    await page.close();
  });

  it('browses and previews artifacts', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'maria');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runIds[0]}`);
    await page.getByRole('tab', { name: 'artifacts' }).click();
    await page.getByRole('button', { name: /config\.json/ }).click();
    await page.getByTestId('artifact-preview').getByText('"layers"').waitFor();
    await page.getByRole('button', { name: /eval/ }).click();
    await page.getByRole('button', { name: /confusion\.csv/ }).click();
    await page.getByTestId('artifact-preview').getByRole('cell', { name: 'dog' }).first().waitFor();
    expect(await page.getByTestId('artifact-preview').getByRole('link', { name: 'Download' }).getAttribute('href')).toContain('confusion.csv');
    await page.getByRole('button', { name: 'artifacts' }).click();
    await page.getByRole('button', { name: /plots/ }).click();
    await page.getByRole('button', { name: /tiny\.png/ }).click();
    await page.getByTestId('artifact-preview').locator('img').waitFor();
    await h.shot(page, '05-artifacts');
    await page.close();
  });

  it('opens a model and approves a version as a maintainer', async () => {
    const page = await h.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await h.signIn(page, 'maria');
    await page.goto(`${h.base}/projects/${projectId}/models`);
    await page.getByRole('link', { name: 'detector' }).click();
    await page.getByTestId('model-card').getByRole('heading', { name: 'Detector' }).waitFor();
    // A remote image in a card is a link the reader may follow, never a request the page makes.
    expect(await page.getByTestId('model-card').getByRole('link', { name: 'image: pixel' }).getAttribute('href')).toBe('https://tracker.example/p.gif');
    expect(await page.getByTestId('model-card').locator('img').count()).toBe(0);
    expect(requested.filter((url) => url.includes('tracker.example'))).toEqual([]);
    await page.getByRole('link', { name: 'v1' }).click();
    await page.getByTestId('lineage').waitFor();
    expect(await page.getByTestId('approval-status').textContent()).toBe('pending');
    await page.getByLabel('Decision comment').fill('ship it');
    await page.getByRole('button', { name: 'Approve' }).click();
    await until(async () => (await page.getByTestId('approval-status').textContent()) === 'approved', 'the approval');
    expect(await page.getByTestId('approval-history').textContent()).toContain('approved by maria');
    await h.shot(page, '06-version-approved');
    await page.close();
  });

  it('offers a reporter no approve button', async () => {
    await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, {});
    await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/2/approval_requests`, { comment: 'please' });
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/2`);
    await page.getByTestId('approval-history').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Request approval' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await h.shot(page, '07-reporter-view');
    await page.close();
  });

  it('sends no request to any other origin', () => {
    expect(h.otherOrigins).toEqual([]);
  });
});
