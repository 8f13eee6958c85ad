import { chromium } from 'playwright-core';
import { median } from './http.ts';
import { BENCH_TOKEN, startModelyard } from './servers.ts';

const PASSWORD = 'bench-password-123';

export interface LiveRefreshResult {
  seconds: number;
  rate: number;
  logged: number;
  /** For each logged point: ms from the server's answer to the first chart update that held it. */
  lagsMs: number[];
  /** Points the chart never showed before the run ended. */
  missed: number;
}

/** The chart element's updates as the page saw them (this file is compiled without the DOM library). */
interface ChartWatch {
  __updates: [number, number][];
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void };
}

/**
 * A run logging `rate` points a second for `seconds`, its metrics tab open in Chromium: how long
 * after the server acknowledged each point the chart showed it (the chart's `data-points`,
 * watched by a MutationObserver in the page; both clocks are this machine's `Date.now()`).
 */
export async function benchLiveRefresh(options: { seconds: number; rate: number; log: (line: string) => void }): Promise<LiveRefreshResult> {
  const server = await startModelyard();
  const browser = await chromium.launch({
    executablePath: process.env.MODELYARD_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const mlflow = async <T>(endpoint: string, body: unknown): Promise<T> => {
    const res = await fetch(`${server.base}/api/2.0/mlflow/${endpoint}`, { method: 'POST', headers: { 'private-token': BENCH_TOKEN, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  try {
    const { experiment_id } = await mlflow<{ experiment_id: string }>('experiments/create', { name: 'live' });
    const runId = (await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id, run_name: 'live-run' })).run.info.run_id;
    // Two points first: a metric with one point is drawn as a bar, not a chart.
    for (const step of [0, 1]) await mlflow('runs/log-metric', { run_id: runId, key: 'loss', value: 1, timestamp: Date.now(), step });
    await fetch(`${server.base}/api/v4/users`, {
      method: 'POST',
      headers: { 'private-token': BENCH_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'watcher', password: PASSWORD, admin: true }),
    });
    const project = (await (await fetch(`${server.base}/api/v4/projects/default`, { headers: { 'private-token': BENCH_TOKEN } })).json()) as { id: number };
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(`${server.base}/`);
    await page.getByLabel('Username').fill('watcher');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.goto(`${server.base}/projects/${project.id}/runs/${runId}?tab=metrics`);
    const chart = page.locator('[data-testid="chart-loss"]');
    await chart.waitFor({ timeout: 60_000 });
    await chart.evaluate((element) => {
      const watch = globalThis as unknown as ChartWatch;
      watch.__updates = [];
      const target = element as unknown as { dataset: { points?: string } };
      new watch.MutationObserver(() => watch.__updates.push([Date.now(), Number(target.dataset.points)])).observe(element, { attributes: true, attributeFilter: ['data-points'] });
    });
    const acked: number[] = [];
    const every = 1000 / options.rate;
    const start = Date.now();
    for (let i = 0; i < options.seconds * options.rate; i++) {
      const due = start + i * every;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await mlflow('runs/log-metric', { run_id: runId, key: 'loss', value: 1 / (i + 2), timestamp: Date.now(), step: i + 2 });
      acked.push(Date.now());
    }
    // Time for the last points to arrive, then the run ends.
    await new Promise((r) => setTimeout(r, 5000));
    const updates = await page.evaluate(() => (globalThis as unknown as ChartWatch).__updates);
    await mlflow('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
    const lagsMs: number[] = [];
    let missed = 0;
    acked.forEach((at, i) => {
      const shown = updates.find(([, points]) => points >= i + 3);
      if (shown) lagsMs.push(Math.max(0, shown[0] - at));
      else missed++;
    });
    options.log(`ui-live: ${acked.length} points, median lag ${median(lagsMs).toFixed(0)} ms, max ${Math.max(...lagsMs).toFixed(0)} ms, missed ${missed}`);
    return { seconds: options.seconds, rate: options.rate, logged: acked.length, lagsMs, missed };
  } finally {
    await browser.close();
    await server.stop();
  }
}
