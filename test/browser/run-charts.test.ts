import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { curve, Seeder } from '../support/seed.ts';

/** The run page's metrics tab: a grid of every metric, each chart with settings of its own kept in the address. */

let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let experimentId: string;

async function createRun(name: string): Promise<string> {
  return (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 })).run.info.run_id;
}

async function logHistories(runId: string): Promise<void> {
  const metrics = [...curve('loss', 40, (s) => 1 / (1 + s)), ...curve('accuracy', 40, (s) => 1 - 1 / (2 + s)), { key: 'f1', value: 0.87, timestamp: 1_700_000_000_000, step: 0 }];
  await seed.mlflow(projectId, 'runs/log-batch', { run_id: runId, metrics });
}

beforeAll(async () => {
  h = await BrowserHarness.start('browser-run-charts');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const owner = await root.user('olga', BROWSER_PASSWORD);
  seed = new Seeder(h.base, owner.token);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Charts', path: 'charts' })).id;
  experimentId = (await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'training' })).experiment_id;
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe('the run page’s charts', () => {
  it('draws every metric, each chart with its own settings, kept over a reload', async () => {
    const runId = await createRun('finished-run');
    await logHistories(runId);
    await seed.mlflow(projectId, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 1_700_000_100_000 });
    const page = await h.newPage();
    await h.signIn(page, 'olga');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}`);
    await page.getByRole('tab', { name: 'metrics' }).click();
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    await page.getByTestId('chart-accuracy').locator('canvas').waitFor();
    await page.getByTestId('bars-f1').waitFor();
    expect(await page.getByRole('img', { name: /^Chart of / }).count()).toBe(2);
    expect(await page.getByRole('img', { name: 'Chart of loss by step, 40 points' }).count()).toBe(1);
    expect(await page.getByTestId('chart-f1').count()).toBe(0);

    await page.getByLabel('x axis of loss').selectOption('relative');
    await page.getByLabel('log scale of loss').check();
    await page.getByRole('img', { name: 'Chart of loss by relative time (s), 40 points' }).waitFor();
    expect(await page.getByTestId('chart-loss').getAttribute('data-axes')).toBe('relative time (s)|loss');
    expect(new URL(page.url()).searchParams.get('chart.loss')).toBe('rel,log');
    expect(new URL(page.url()).searchParams.get('tab')).toBe('metrics');

    await page.reload();
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    expect(await page.getByRole('tab', { name: 'metrics' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('x axis of loss').inputValue()).toBe('relative');
    expect(await page.getByLabel('log scale of loss').isChecked()).toBe(true);
    expect(await page.getByTestId('chart-loss').getAttribute('data-axes')).toBe('relative time (s)|loss');
    // The other chart kept its own settings.
    expect(await page.getByLabel('x axis of accuracy').inputValue()).toBe('step');
    expect(await page.getByLabel('log scale of accuracy').isChecked()).toBe(false);

    // Smoothing draws the loss's tail above its raw last value (the curve falls), and the setting is kept in the address.
    const loss = page.getByTestId('chart-loss');
    await page.getByLabel('log scale of loss').uncheck();
    const raw = Number(await loss.getAttribute('data-last-value'));
    expect(raw).toBeCloseTo(1 / 40, 6);
    await page.getByLabel('smoothing of loss').fill('0.6');
    // An exponential moving average with weight 0.6 lags the falling curve by about 1.5 steps: 0.02605 against 0.025.
    await until(async () => Number(await loss.getAttribute('data-last-value')) > raw * 1.03, 'the smoothed line');
    expect(new URL(page.url()).searchParams.get('chart.loss')).toBe('rel,s60');
    // Wall-clock time on the x axis of another chart.
    await page.getByLabel('x axis of accuracy').selectOption('time');
    await page.getByRole('img', { name: 'Chart of accuracy by time, 40 points' }).waitFor();
    expect(await page.getByTestId('chart-accuracy').getAttribute('data-axes')).toBe('time|accuracy');
    await page.reload();
    await loss.locator('canvas').waitFor();
    expect(await page.getByLabel('smoothing of loss').inputValue()).toBe('0.6');
    expect(await page.getByLabel('x axis of accuracy').inputValue()).toBe('time');

    const findings = await checkAccessibility(page, 'run-charts-light');
    expect(findings.blocking).toEqual([]);
    await h.shot(page, 'run-charts-grid');
    await page.close();
  });

  it('follows a running run without reloading the page, and stops asking once the run ends', async () => {
    const runId = await createRun('running-run');
    await logHistories(runId);
    const page = await h.newPage();
    await h.signIn(page, 'olga');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}?tab=metrics`);
    const loss = page.getByTestId('chart-loss');
    await loss.locator('canvas').waitFor();
    expect(await loss.getAttribute('data-points')).toBe('40');
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/ml/metrics/series') || url.pathname.endsWith(`/${runId}`)) asked.push(url.pathname);
    });
    const answered: string[] = [];
    const settled = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/ml/metrics/series') || url.pathname.endsWith(`/${runId}`)) answered.push(url.pathname);
    };
    page.on('requestfinished', settled);
    page.on('requestfailed', settled);
    let unchanged = 0;
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.endsWith('/ml/metrics/series') && response.status() === 304) unchanged++;
    });

    await seed.mlflow(projectId, 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.01, timestamp: 1_700_000_040_000, step: 40 });
    await until(async () => (await loss.getAttribute('data-points')) === '41', 'the new point in the chart');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The series that did not change were asked with their ETag and not sent again.
    expect(unchanged).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-accuracy').getAttribute('data-points')).toBe('40');

    await seed.mlflow(projectId, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 1_700_000_100_000 });
    await page
      .getByRole('heading', { name: /running-run/ })
      .getByText('FINISHED')
      .waitFor();
    // What was asked when the run ended (one last read of each series) settles, then nothing more is asked.
    await until(async () => answered.length === asked.length, 'the last reads to be answered');
    const askedWhenEnded = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 3 * 2000));
    expect(asked.length).toBe(askedWhenEnded);
    await page.close();
  });

  it('charts every metric of the runs ticked in the runs table, a line or a bar per run', async () => {
    const sweep = (await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'sweep' })).experiment_id;
    for (const name of ['sweep-a', 'sweep-b', 'sweep-c']) {
      const runId = (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: sweep, run_name: name, start_time: 1_700_000_000_000 })).run.info.run_id;
      await logHistories(runId);
    }
    const page = await h.newPage();
    await h.signIn(page, 'olga');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${h.base}/projects/${projectId}/experiments/${sweep}`);
    await page.getByRole('link', { name: 'sweep-c' }).waitFor();
    await page.getByLabel('Select sweep-a').check();
    await page.getByLabel('Select sweep-c').check();
    await page.getByRole('button', { name: 'Chart selected (2)' }).click();
    const grid = page.getByRole('region', { name: 'Charts of 2 selected runs' });
    await grid.getByTestId('chart-loss').locator('canvas').waitFor();
    await grid.getByTestId('chart-accuracy').locator('canvas').waitFor();
    expect(await grid.getByRole('img', { name: /^Chart of / }).count()).toBe(2);
    expect(await grid.getByRole('img', { name: 'Chart of loss by step, 80 points' }).count()).toBe(1);
    const legend = (await grid.getByTestId('chart-loss').locator('.u-legend .u-series').allTextContents()).join(' ');
    expect(legend).toContain('sweep-a');
    expect(legend).toContain('sweep-c');
    expect(legend).not.toContain('sweep-b');
    expect((await grid.getByTestId('bars-f1').getByRole('rowheader').allTextContents()).sort()).toEqual(['sweep-a', 'sweep-c']);

    await grid.getByLabel('x axis of loss').selectOption('relative');
    await grid.getByRole('img', { name: 'Chart of loss by relative time (s), 80 points' }).waitFor();
    // The ticked runs are still running: a point logged now reaches their chart without a reload.
    const sweepA = (await seed.mlflow<{ runs: { info: { run_id: string } }[] }>(projectId, 'runs/search', { experiment_ids: [sweep], filter: "attributes.run_name = 'sweep-a'" })).runs[0]!.info.run_id;
    await seed.mlflow(projectId, 'runs/log-metric', { run_id: sweepA, key: 'loss', value: 0.001, timestamp: 1_700_000_040_000, step: 40 });
    await grid.getByRole('img', { name: 'Chart of loss by relative time (s), 81 points' }).waitFor();
    expect(await grid.getByLabel('x axis of accuracy').inputValue()).toBe('step');
    expect((await checkAccessibility(page, 'runs-selected-charts-light')).blocking).toEqual([]);
    await h.shot(page, 'run-charts-selected');
    await page.close();
  });

  it('draws a long history downsampled to each bucket’s minimum and maximum, so a one-step spike still shows', async () => {
    const runId = await createRun('long-run');
    // 20,000 steps with one spike, at step 12,345, that an every-nth-point sample would miss.
    const points = curve('loss', 20_000, (s) => (s === 12_345 ? 100 : 1 + Math.sin(s / 500)));
    for (let i = 0; i < points.length; i += 1000) await seed.mlflow(projectId, 'runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) });
    await seed.mlflow(projectId, 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 1_700_000_100_000 });
    const page = await h.newPage();
    await h.signIn(page, 'olga');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}?tab=metrics`);
    const chart = page.getByTestId('chart-loss');
    await chart.locator('canvas').waitFor();
    const drawn = Number(await chart.getAttribute('data-points'));
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeLessThanOrEqual(1000);
    const [low, high] = String(await chart.getAttribute('data-y-range'))
      .split('|')
      .map(Number);
    expect(high).toBe(100);
    expect(low).toBeCloseTo(0, 3);
    await page.close();
  });
});
