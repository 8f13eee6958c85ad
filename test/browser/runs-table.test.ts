import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/** The runs table as a person shapes it: state in the address, columns, groups, bulk actions. */

let h: BrowserHarness;
let dev: Seeder;
let projectId: number;
let experimentId: string;
let manyExperimentId: string;
const runIds: string[] = [];

const runNames = (page: Page) => page.locator('[role=row] a').allTextContents();
const headers = (page: Page) => page.getByRole('columnheader').allTextContents();

beforeAll(async () => {
  h = await BrowserHarness.start('browser-runs-table');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const scientist = await root.user('dev', BROWSER_PASSWORD);
  dev = new Seeder(h.base, scientist.token);
  projectId = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Sweeps', path: 'sweeps' })).id;
  const reporter = await root.user('rita', BROWSER_PASSWORD);
  await dev.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: reporter.id, access_level: 20 });
  experimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'grid' })).experiment_id;
  for (let i = 0; i < 6; i++) {
    const run = (await dev.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: `trial-${i}`, start_time: 1_700_000_000_000 + i * 1000 }))
      .run.info.run_id;
    runIds.push(run);
    await dev.mlflow(projectId, 'runs/log-batch', {
      run_id: run,
      metrics: [{ key: 'loss', value: (i + 1) / 10, timestamp: 1_700_000_000_000, step: 0 }],
      params: [
        { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' },
        { key: 'lr', value: String(0.001 * (i + 1)) },
      ],
      tags: [{ key: 'team', value: i < 3 ? 'vision' : 'speech' }],
    });
  }
  await dev.mlflow(projectId, 'runs/log-batch', {
    run_id: runIds[0],
    tags: [
      { key: 'mlflow.source.name', value: 'train.py' },
      { key: 'mlflow.log-model.history', value: JSON.stringify([{ artifact_path: 'classifier', flavors: {} }]) },
    ],
  });
  await dev.mlflow(projectId, 'runs/log-inputs', {
    run_id: runIds[0],
    datasets: [{ dataset: { name: 'iris', digest: 'abc123', source_type: 'local', source: '{}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
  });
  // More runs than the table's first page; only the oldest (on a later page) has these keys.
  manyExperimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'many' })).experiment_id;
  for (let i = 0; i < 305; i++) {
    const run = (
      await dev.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: manyExperimentId, run_name: `many-${i}`, start_time: 1_700_000_000_000 + i * 1000 })
    ).run.info.run_id;
    if (i === 0) await dev.mlflow(projectId, 'runs/log-batch', { run_id: run, metrics: [{ key: 'rare_score', value: 0.5, timestamp: 1, step: 0 }], params: [{ key: 'rare', value: 'yes' }] });
  }
}, 240_000);

afterAll(async () => {
  await h?.stop();
});

describe('the runs table', () => {
  it('keeps its filter, order, columns and grouping in the address: reload, Back and a shared link show the same table', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    const experimentPage = `/projects/${projectId}/experiments/${experimentId}`;
    await page.goto(`${h.base}${experimentPage}`);
    await page.getByRole('link', { name: 'trial-5' }).waitFor();
    await until(async () => (await page.title()) === 'grid · Sweeps · Modelyard', 'the experiment in the title');

    await page.getByLabel('Filter runs').fill("params.optimizer = 'adam'");
    await page.getByRole('button', { name: 'Search' }).click();
    await until(async () => (await runNames(page)).length === 3, 'three adam runs');
    await page.getByRole('columnheader', { name: /^Run/ }).click();
    await until(async () => (await runNames(page))[0] === 'trial-1', 'ascending by name');
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByTestId('column-chooser').getByLabel('params.lr').uncheck();
    await until(async () => !(await headers(page)).includes('params.lr'), 'the lr column gone');
    await page.getByLabel('Group by').selectOption('tag:team');
    await page.getByText('team = speech').waitFor();

    const address = new URL(page.url());
    expect(address.pathname).toBe(experimentPage);
    expect(address.searchParams.get('filter')).toBe("params.optimizer = 'adam'");
    expect(address.searchParams.get('sort')).toBe('attribute:name');
    expect(address.searchParams.get('order')).toBe('asc');
    expect(address.searchParams.get('group')).toBe('tag:team');
    expect(address.searchParams.getAll('col')).toContain('metric:loss');
    expect(address.searchParams.getAll('col')).not.toContain('param:lr');

    const sameTable = async (what: string) => {
      await page.getByText('team = speech').waitFor();
      expect(await page.getByLabel('Filter runs').inputValue(), what).toBe("params.optimizer = 'adam'");
      expect(await runNames(page), what).toEqual(['trial-1', 'trial-3', 'trial-5']);
      expect(await headers(page), what).not.toContain('params.lr');
      expect(await headers(page), what).toContain('metrics.loss');
    };
    await page.reload();
    await sameTable('after a reload');

    // Back undoes the grouping, then the column choice, staying on the page.
    await page.goBack();
    await until(async () => (await page.getByText('team = speech').count()) === 0, 'the grouping undone');
    expect(new URL(page.url()).pathname).toBe(experimentPage);
    expect(await headers(page)).not.toContain('params.lr');
    await page.goBack();
    await until(async () => (await headers(page)).includes('params.lr'), 'the column choice undone');
    await page.goForward();
    await page.goForward();

    const shared = await h.newPage();
    await h.signIn(shared, 'dev');
    await shared.goto(address.toString());
    await shared.getByText('team = speech').waitFor();
    expect(await runNames(shared)).toEqual(['trial-1', 'trial-3', 'trial-5']);
    expect(await shared.getByLabel('Filter runs').inputValue()).toBe("params.optimizer = 'adam'");
    await h.shot(shared, 'runs-table-from-link');
    await shared.close();
    await page.close();
  });

  it('offers as columns the keys of all the experiment’s runs, not only those loaded, and the source, models and datasets', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${manyExperimentId}`);
    await page.getByRole('link', { name: 'many-304' }).waitFor();
    expect(await page.getByTestId('runs-count').textContent()).toBe('300+ runs');
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByTestId('column-chooser');
    await chooser.getByLabel('params.rare').check();
    await chooser.getByLabel('metrics.rare_score').check();
    await until(async () => (await headers(page)).includes('params.rare') && (await headers(page)).includes('metrics.rare_score'), 'the rare columns');
    expect(await page.getByLabel('Group by').locator('option', { hasText: 'param rare' }).count()).toBe(1);

    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    await page.getByRole('link', { name: 'trial-0' }).waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    for (const name of ['Source', 'Models', 'Datasets']) await chooser.getByLabel(name, { exact: true }).check();
    await until(async () => {
      const shown = await headers(page);
      return ['Source', 'Models', 'Datasets', 'Duration'].every((name) => shown.some((text) => text.startsWith(name)));
    }, 'the run columns');
    const trial0 = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'trial-0' }) });
    await trial0.getByRole('cell', { name: 'train.py' }).waitFor();
    await trial0.getByRole('cell', { name: 'classifier' }).waitFor();
    await trial0.getByRole('cell', { name: 'iris (training)' }).waitFor();
    await h.shot(page, 'runs-table-columns');
    await page.close();
  });

  it('groups runs by a param with each metric’s mean, minimum and maximum per group', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}?group=param:optimizer`);
    const adam = page.getByRole('row', { name: 'optimizer = adam' });
    await adam.waitFor();
    // adam: trial-1, 3, 5 with loss 0.2, 0.4, 0.6; sgd: 0.1, 0.3, 0.5.
    expect(await adam.getByRole('rowheader').textContent()).toBe('optimizer = adam (3 runs)');
    const loss = adam.getByTestId('aggregate-metric:loss');
    expect(await loss.textContent()).toBe('0.4 0.2 – 0.6');
    expect(await loss.getAttribute('title')).toMatch(/^mean 0\.(4|39+)\d*, min 0\.2, max 0\.6 over 3 runs$/);
    expect(await page.getByRole('row', { name: 'optimizer = sgd' }).getByTestId('aggregate-metric:loss').textContent()).toBe('0.3 0.1 – 0.5');
    await h.shot(page, 'runs-table-groups');
    await page.close();
  });

  it('tags, deletes and restores the selected runs at once', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    await page.getByRole('link', { name: 'trial-5' }).waitFor();
    for (const name of ['trial-4', 'trial-5']) await page.getByLabel(`Select ${name}`).check();
    const actions = page.getByRole('group', { name: 'Selected runs' });
    await actions.getByLabel('Tag key').fill('stage');
    await actions.getByLabel('Tag value').fill('candidate');
    await actions.getByRole('button', { name: 'Tag' }).click();
    await until(async () => (await page.getByLabel('Select trial-4').isChecked()) === false, 'the ticks cleared');
    for (const id of [runIds[4], runIds[5]]) {
      const run = await dev.call<{ tags: Record<string, string> }>('GET', `/api/v4/projects/${projectId}/ml/runs/${id}`);
      expect(run.tags.stage).toBe('candidate');
    }
    expect((await dev.call<{ tags: Record<string, string> }>('GET', `/api/v4/projects/${projectId}/ml/runs/${runIds[3]}`)).tags.stage).toBeUndefined();
    // The new tag is a column to choose at once.
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByTestId('column-chooser').getByLabel('tags.stage').waitFor();

    for (const name of ['trial-4', 'trial-5']) await page.getByLabel(`Select ${name}`).check();
    await actions.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await until(async () => (await runNames(page)).length === 4, 'two runs gone');
    expect(await runNames(page)).not.toContain('trial-5');

    await page.getByLabel('Deleted runs').check();
    await until(async () => (await runNames(page)).sort().join() === 'trial-4,trial-5', 'the deleted runs listed');
    expect(new URL(page.url()).searchParams.get('view')).toBe('deleted');
    await page.getByLabel('Select trial-5').check();
    await actions.getByRole('button', { name: 'Restore' }).click();
    await until(async () => (await runNames(page)).join() === 'trial-4', 'trial-5 restored');
    await page.getByLabel('Deleted runs').uncheck();
    await page.getByRole('link', { name: 'trial-5' }).waitFor();
    await h.shot(page, 'runs-table-bulk');
    // Put back as it was for the tests after this one.
    await dev.mlflow(projectId, 'runs/restore', { run_id: runIds[4] });
    await page.close();
  });

  it('offers no tagging or deleting to a reporter', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${experimentId}`);
    await page.getByRole('link', { name: 'trial-5' }).waitFor();
    const actions = page.getByRole('group', { name: 'Selected runs' });
    await actions.getByRole('button', { name: /Compare/ }).waitFor();
    expect(await actions.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await actions.getByLabel('Tag key').count()).toBe(0);
    await page.close();
  });

  it('names the project settings page in the browser tab', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/settings`);
    await page.getByRole('tab', { name: 'members' }).waitFor();
    await until(async () => (await page.title()) === 'Settings · Sweeps · Modelyard', `the settings title (now ${await page.title()})`);
    await page.close();
  });
});
