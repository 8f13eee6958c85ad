import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Page } from 'playwright-core';
import { bulkInsert } from '../src/db/bulk-insert.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadConfig } from '../src/config/config.ts';
import { prepareInstance, systemCallerFor } from '../src/server/bootstrap.ts';
import { openKeyring } from '../src/secrets/keyring.ts';
import { createServices } from '../src/server/services.ts';
import { writeMetrics } from '../src/tracking/metrics/metric-writer.ts';
import type { MetricPoint } from '../src/tracking/metrics/metric-point.ts';
import { median } from './http.ts';
import { BENCH_TOKEN, startModelyard } from './servers.ts';

export interface UiResult {
  tableMs: number[];
  compareMs: number[];
  runs: number;
  compareRuns: number;
  pointsPerRun: number;
  seedSeconds: number;
  drawnPoints: number;
}

const PASSWORD = 'bench-password-123';

/**
 * Waits for the first animation frame in which `shown` holds. It runs in the page, so it may use
 * nothing from this module. Checked on every frame, so the time
 * is that of the frame that paints it; a locator's `waitFor` checks on a back-off schedule and
 * added about 250 ms to a one-second page.
 */
/** The page's document as the predicates below see it (this file is compiled without the DOM library). */
interface PageGlobals {
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
  };
}

async function untilFrameShows(page: Page, shown: (arg: string) => boolean, arg: string): Promise<void> {
  // A function, not a string: the UI's Content-Security-Policy rightly refuses eval.
  await page.waitForFunction(shown, arg, { polling: 'raf', timeout: 60_000 });
}

/**
 * Seeds a data folder through Modelyard's own code (the same writer the API uses), then measures
 * in Chromium how long the runs table of a 100 000-run experiment takes to show its first rows,
 * and how long a comparison of 100 long runs takes to draw.
 */
export async function benchUi(options: { runs: number; compareRuns: number; pointsPerRun: number; repeats: number; log: (line: string) => void }): Promise<UiResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ui-'));
  const config = loadConfig({ MODELYARD_DATA_DIR: dataDir, MODELYARD_INITIAL_ADMIN_TOKEN: BENCH_TOKEN, MODELYARD_LOG_LEVEL: 'silent' });
  const keyring = openKeyring(config);
  const database = openDatabase(config.database);
  const seedStart = performance.now();
  await migrateToLatest(database, keyring.box);
  const services = createServices(config, database, keyring);
  await prepareInstance(services, pino({ level: 'silent' }), { print: () => undefined, interactive: false });
  const admin = (await services.users.findByUsername('root'))!;
  await services.users.create({ username: 'viewer', password: PASSWORD, isAdmin: true }, null);
  const { access } = await services.projects.authorize(systemCallerFor(admin), 'default', 'ml:write');
  const big = await services.experiments.create(access, { name: 'hundred-thousand' });
  const long = await services.experiments.create(access, { name: 'long-curves' });
  const db = database.db;
  const start = Date.now() - options.runs;
  options.log(`ui: seeding ${options.runs} runs`);
  for (let b = 0; b < options.runs; b += 1000) {
    const rows = [];
    for (let i = b; i < Math.min(options.runs, b + 1000); i++)
      rows.push([`${i.toString(16).padStart(24, '0')}ab${'0'.repeat(6)}`, access.project.id, big.id, `run-${i}`, 'bench', 'FINISHED', start + i, start + i + 1, 'mlflow-artifacts:/x', 'active']);
    await bulkInsert(db, 'runs', ['uuid', 'project_id', 'experiment_id', 'name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'lifecycle_stage'], rows);
  }
  const ids = (await db.selectFrom('runs').select('id').where('experiment_id', '=', big.id).execute()).map((r) => r.id);
  for (let b = 0; b < ids.length; b += 500) {
    const metrics = [];
    const params = [];
    for (const [j, id] of ids.slice(b, b + 500).entries()) {
      const i = b + j;
      metrics.push([id, 'loss', 0, start + i, ((i * 7919) % 1000) / 1000, 0], [id, 'accuracy', 0, start + i, ((i * 104729) % 1000) / 1000, 0]);
      params.push([id, 'lr', String(i % 10)], [id, 'model', i % 2 ? 'cnn' : 'rnn']);
    }
    await bulkInsert(db, 'latest_metrics', ['run_id', 'key', 'step', 'timestamp', 'value', 'is_nan'], metrics);
    await bulkInsert(db, 'run_params', ['run_id', 'key', 'value'], params);
  }
  options.log(`ui: seeding ${options.compareRuns} runs × ${options.pointsPerRun} points`);
  const compareIds: string[] = [];
  for (let r = 0; r < options.compareRuns; r++) {
    const run = await services.runs.create(access, { experimentId: long.id, runName: `long-${r}` });
    compareIds.push(run.row.uuid);
    for (let s = 0; s < options.pointsPerRun; s += 10_000) {
      const points: MetricPoint[] = [];
      for (let step = s; step < Math.min(options.pointsPerRun, s + 10_000); step++) {
        // A decaying curve with noise and a rare spike, which downsampling must not lose.
        points.push({ key: 'loss', step, timestamp: start + step, value: 1 / (1 + step / 1000) + ((step * 2654435761) % 1000) / 20_000 + (step % 99_991 === 5_000 ? 2 : 0) });
      }
      await db.transaction().execute((trx) => writeMetrics(trx, run.row.id, points));
    }
  }
  await database.close();
  const seedSeconds = (performance.now() - seedStart) / 1000;
  options.log(`ui: seeded in ${seedSeconds.toFixed(0)} s`);

  const server = await startModelyard({ MODELYARD_DATA_DIR: dataDir });
  const browser = await chromium.launch({
    executablePath: process.env.MODELYARD_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    await page.getByLabel('Username').fill('viewer');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const tableMs: number[] = [];
    const compareMs: number[] = [];
    let drawnPoints = 0;
    for (let i = 0; i < options.repeats; i++) {
      const t0 = performance.now();
      await page.goto(`${server.base}/projects/${access.project.id}/experiments/${big.id}`);
      const newest = `run-${options.runs - 1}`;
      await untilFrameShows(page, (name) => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('a')).some((a) => a.textContent === name), newest);
      tableMs.push(performance.now() - t0);
      const t1 = performance.now();
      await page.goto(`${server.base}/projects/${access.project.id}/compare?runs=${compareIds.join(',')}`);
      await untilFrameShows(page, () => (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="chart-loss"] canvas') !== null, '');
      compareMs.push(performance.now() - t1);
      drawnPoints = Number(await page.getByTestId('chart-loss').getAttribute('data-points'));
    }
    // Scrolling deep into the table loads further pages; check it works before reporting.
    await page.goto(`${server.base}/projects/${access.project.id}/experiments/${big.id}`);
    await page.getByTestId('virtual-rows').waitFor();
    for (let i = 0; i < 5; i++) await page.getByTestId('virtual-rows').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    return { tableMs, compareMs, runs: options.runs, compareRuns: options.compareRuns, pointsPerRun: options.pointsPerRun, seedSeconds, drawnPoints };
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function summarizeUi(r: UiResult): { table: number; compare: number } {
  return { table: median(r.tableMs), compare: median(r.compareMs) };
}
