import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { curve, Seeder } from '../support/seed.ts';

/**
 * The compare page: a values table with "only differences", a chart that opens on a metric
 * that differs, parallel coordinates on chosen axes and a scatter in run colours — every
 * choice in the address, so reload and Back keep it.
 */

let h: BrowserHarness;
let projectId: number;
const runIds: string[] = [];
const NAMES = ['trial-0', 'trial-1', 'trial-2', 'trial-3'];
const LONG_PARAMS = ['optimizer_momentum_nesterov_dampening', 'optimizer_momentum_nesterov_weight_decay', 'scheduler_cosine_warmup_steps_total'];

beforeAll(async () => {
  h = await BrowserHarness.start('browser-compare');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const scientist = await root.user('cleo', BROWSER_PASSWORD);
  const dev = new Seeder(h.base, scientist.token);
  projectId = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Compare', path: 'compare' })).id;
  const experimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'sweep' })).experiment_id;
  for (const [i, name] of NAMES.entries()) {
    const run = (await dev.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 + i })).run.info.run_id;
    runIds.push(run);
    await dev.mlflow(projectId, 'runs/log-batch', {
      run_id: run,
      metrics: [
        // A history only the first run has: it "differs" from the others' nothing, yet compares nothing.
        ...(i === 0 ? curve('a_partial', 5, (s) => s) : []),
        // Logged once by every run with the same value: a chart of it is one dot.
        { key: 'b_constant', value: 42, timestamp: 1_700_000_000_000, step: 0 },
        ...curve('loss', 10, (s) => 1 / (1 + s + i)),
      ],
      params: [
        { key: 'batch', value: String(16 * 2 ** i) },
        { key: 'lr', value: String(0.01 * (i + 1)) },
        { key: 'seed', value: '7' },
        // Long names that agree everywhere: off by default, for the labels' test.
        ...LONG_PARAMS.map((key) => ({ key, value: '0.5' })),
      ],
      tags: [
        { key: 'team', value: 'vision' },
        { key: 'note', value: `try ${i}` },
      ],
    });
  }
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

const address = (query = '') => `/projects/${projectId}/compare?runs=${runIds.join(',')}${query}`;

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`${h.base}${address(query)}`);
  await page.getByRole('heading', { name: 'Comparing 4 runs' }).waitFor();
}

function rowKeys(page: Page): Promise<string[]> {
  return page.getByTestId('compare-values').locator('tr:not(.section) th[scope=row]').allTextContents();
}

type Point = [number, number];

/** Whether two convex polygons overlap: no edge's normal separates their projections. */
function overlaps(p: Point[], q: Point[]): boolean {
  for (const poly of [p, q]) {
    for (let i = 0; i < poly.length; i++) {
      const [x1, y1] = poly[i]!;
      const [x2, y2] = poly[(i + 1) % poly.length]!;
      const normal: Point = [y1 - y2, x2 - x1];
      const project = (points: Point[]) => points.map(([x, y]) => x * normal[0] + y * normal[1]);
      const a = project(p);
      const b = project(q);
      if (Math.max(...a) <= Math.min(...b) || Math.max(...b) <= Math.min(...a)) return false;
    }
  }
  return true;
}

/** Each axis label's box as drawn, slant included: its four corners on the screen. */
function labelCorners(page: Page): Promise<Point[][]> {
  return page
    .getByTestId('parallel-coordinates')
    .locator('[data-axis]')
    .evaluateAll((labels) =>
      labels.map((label) => {
        const text = label as unknown as { getBBox(): { x: number; y: number; width: number; height: number }; getScreenCTM(): { a: number; b: number; c: number; d: number; e: number; f: number } };
        const { x, y, width, height } = text.getBBox();
        const m = text.getScreenCTM();
        const corners: [number, number][] = [
          [x, y],
          [x + width, y],
          [x + width, y + height],
          [x, y + height],
        ];
        return corners.map(([cx, cy]) => [m.a * cx + m.c * cy + m.e, m.b * cx + m.d * cy + m.f] as [number, number]);
      }),
    );
}

function axes(page: Page): Promise<(string | null)[]> {
  return page
    .getByTestId('parallel-coordinates')
    .locator('[data-axis]')
    .evaluateAll((labels) => labels.map((l) => l.getAttribute('data-axis')));
}

describe('the compare page', () => {
  it('opens the chart on the metric that differs between all the runs', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page);
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    expect(await page.getByLabel('metric', { exact: true }).inputValue()).toBe('loss');
    await page.close();
  });

  it('follows running runs: a point logged while the page is open reaches its chart without a reload', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page, '&metric=a_partial');
    await page.getByRole('img', { name: 'Chart of a_partial by step, 5 points' }).waitFor();
    const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
    await root.mlflow(projectId, 'runs/log-metric', { run_id: runIds[0], key: 'a_partial', value: 4, timestamp: 1_700_000_000_005, step: 5 });
    await page.getByRole('img', { name: 'Chart of a_partial by step, 6 points' }).waitFor();
    await page.close();
  });

  it('hides the rows where the runs agree with "only differences", which survives a reload', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page);
    await page.getByTestId('compare-values').waitFor();
    expect(await rowKeys(page)).toEqual(['batch', 'lr', ...LONG_PARAMS, 'seed', 'a_partial', 'b_constant', 'loss', 'note', 'team']);
    await page.getByRole('checkbox', { name: 'Only differences' }).check();
    await until(async () => (await rowKeys(page)).length === 5, 'the equal rows to go');
    expect(await rowKeys(page)).toEqual(['batch', 'lr', 'a_partial', 'loss', 'note']);
    expect(new URL(page.url()).searchParams.get('diff')).toBe('1');
    await page.reload();
    await page.getByTestId('compare-values').waitFor();
    expect(await page.getByRole('checkbox', { name: 'Only differences' }).isChecked()).toBe(true);
    expect(await rowKeys(page)).toEqual(['batch', 'lr', 'a_partial', 'loss', 'note']);
    await page.close();
  });

  it('draws the chosen parallel-coordinate axes, scatter keys and log scale, and keeps them through a reload and Back', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page);
    await page.getByTestId('parallel-coordinates').waitFor();
    // By default only the varying ones: not seed, not b_constant, not a_partial (one run has it).
    expect(await axes(page)).toEqual(['param:batch', 'param:lr', 'metric:loss']);
    await page.getByText(/^Axes \(/).click();
    await page.getByRole('checkbox', { name: 'params.lr', exact: true }).uncheck();
    await until(async () => (await axes(page)).length === 2, 'the lr axis to go');
    await page.getByRole('checkbox', { name: 'metrics.b_constant', exact: true }).check();
    await until(async () => (await axes(page)).length === 3, 'the b_constant axis');
    await page.getByLabel('scatter x').selectOption({ label: 'params.lr' });
    await until(async () => new URL(page.url()).searchParams.get('x') === 'param:lr', 'x in the address');
    await page.getByRole('checkbox', { name: 'log scale' }).check();
    await until(async () => new URL(page.url()).searchParams.get('log') === '1', 'the log scale in the address');
    const chosen = ['param:batch', 'metric:b_constant', 'metric:loss'];
    expect(await axes(page)).toEqual(chosen);
    await page.reload();
    await page.getByTestId('parallel-coordinates').waitFor();
    expect(await axes(page)).toEqual(chosen);
    expect(await page.getByLabel('scatter x').inputValue()).toBe('param:lr');
    expect(await page.getByRole('checkbox', { name: 'log scale' }).isChecked()).toBe(true);
    await page.getByTestId('compare-values').getByRole('link', { name: 'trial-1' }).click();
    await page.getByRole('heading', { name: 'trial-1' }).waitFor();
    await page.goBack();
    await page.getByTestId('parallel-coordinates').waitFor();
    expect(await axes(page)).toEqual(chosen);
    expect(await page.getByLabel('scatter x').inputValue()).toBe('param:lr');
    await page.close();
  });

  it('draws every axis of many with labels that do not overlap, each shortened name whole in its tooltip', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    const every = ['param:batch', 'param:lr', ...LONG_PARAMS.map((k) => `param:${k}`), 'param:seed', 'metric:a_partial', 'metric:b_constant', 'metric:loss'];
    await open(page, every.map((id) => `&axis=${id}`).join(''));
    await page.getByTestId('parallel-coordinates').waitFor();
    expect(await axes(page)).toEqual(every);
    const corners = await labelCorners(page);
    for (let i = 0; i < corners.length; i++) for (let j = i + 1; j < corners.length; j++) expect(overlaps(corners[i]!, corners[j]!), `${every[i]} and ${every[j]}`).toBe(false);
    const long = page.getByTestId('parallel-coordinates').locator(`[data-axis="param:${LONG_PARAMS[1]}"]`);
    expect(await long.locator('title').textContent()).toBe(`params.${LONG_PARAMS[1]}`);
    expect((await long.textContent())!.replace(`params.${LONG_PARAMS[1]}`, '')).toBe('params.optimizer_mome…');
    await page.close();
  });

  it('draws a metric logged once as bars in the runs’ colours', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page, '&metric=b_constant');
    const bars = page.getByTestId('bars-b_constant');
    await bars.waitFor();
    expect(await bars.getByRole('rowheader').allTextContents()).toEqual(NAMES);
    const colours = await bars.locator('.bar').evaluateAll((spans) => spans.map((span) => (span as unknown as { style: { background: string } }).style.background));
    // The palette's first four (run-colours.ts), as the browser writes them.
    expect(colours).toEqual(['rgb(31, 119, 180)', 'rgb(255, 127, 14)', 'rgb(44, 160, 44)', 'rgb(214, 39, 40)']);
    await page.close();
  });

  it('names the run and both values in each scatter dot’s tooltip, in the run’s colour', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'cleo');
    await open(page);
    const scatter = page.getByTestId('scatter');
    await scatter.waitFor();
    expect(await scatter.getAttribute('aria-label')).toBe('Scatter of metrics.loss against params.batch, 4 of 4 runs');
    const titles = await scatter.locator('circle title').allTextContents();
    expect(titles).toEqual([
      'trial-0: params.batch 16, metrics.loss 0.1',
      'trial-1: params.batch 32, metrics.loss 0.09091',
      'trial-2: params.batch 64, metrics.loss 0.08333',
      'trial-3: params.batch 128, metrics.loss 0.07692',
    ]);
    const fills = await scatter.locator('circle').evaluateAll((dots) => dots.map((d) => d.getAttribute('fill')));
    expect(new Set(fills).size).toBe(4);
    await page.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`fits a phone's width and has no serious accessibility violation, ${scheme}`, async () => {
      const page = await h.newPage();
      await page.setViewportSize({ width: 375, height: 800 });
      await page.emulateMedia({ colorScheme: scheme });
      await h.signIn(page, 'cleo');
      await open(page, '&diff=1');
      await page.getByTestId('parallel-coordinates').waitFor();
      await page.getByTestId('scatter').waitFor();
      await page.getByText(/^Axes \(/).click();
      await h.shot(page, `compare-375-${scheme}`);
      const overflow = await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
      expect(overflow).toBe(0);
      const findings = await checkAccessibility(page, `compare 375px (${scheme})`);
      expect(findings.blocking).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
