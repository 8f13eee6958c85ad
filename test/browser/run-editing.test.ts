import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Editing a run on its page, through MLflow's own endpoints: its name, its description (the tag
 * MLflow's UI writes), its own tags; deleting and restoring it. Reporters get none of it.
 */
let h: BrowserHarness;
let seed: Seeder;
let projectId: number;
let runId: string;

interface MlflowRun {
  info: { run_name: string; lifecycle_stage: string };
  data: { tags?: { key: string; value: string }[] };
}

const getRun = async () => (await seed.call<{ run: MlflowRun }>('GET', `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/runs/get?run_id=${runId}`)).run;
const tagsOf = (run: MlflowRun) => Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));

beforeAll(async () => {
  h = await BrowserHarness.start('run-editing');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const dev = await seed.user('dana', BROWSER_PASSWORD);
  const reporter = await seed.user('remy', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Lab', path: 'lab' })).id;
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: dev.id, access_level: 30 });
  await seed.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: reporter.id, access_level: 20 });
  const { experiment_id } = await seed.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'iris' });
  runId = (await seed.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id, run_name: 'brave-owl-1', tags: [{ key: 'team', value: 'vision' }] })).run.info.run_id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('editing a run', () => {
  it('renames it, describes it and changes its tags', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dana');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}`);
    await page.getByRole('heading', { name: /brave-owl-1/ }).waitFor();
    await page.getByRole('button', { name: 'Edit run' }).click();
    const form = page.getByRole('form', { name: 'Edit the run' });
    await form.getByLabel('Run name').fill('baseline-lr-0.1');
    await form.getByLabel('Description').fill('Baseline with lr 0.1.\nSecond line.');
    await form.getByLabel('New tag').fill('stage');
    await form.getByLabel('Tag value').fill('candidate');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /baseline-lr-0\.1/ }).waitFor();
    expect(await page.getByTestId('run-description').textContent()).toBe('Baseline with lr 0.1.\nSecond line.');
    expect(await page.title()).toContain('baseline-lr-0.1');
    let run = await getRun();
    expect(run.info.run_name).toBe('baseline-lr-0.1');
    expect(tagsOf(run)).toMatchObject({ 'mlflow.note.content': 'Baseline with lr 0.1.\nSecond line.', stage: 'candidate', team: 'vision' });

    await page.getByRole('button', { name: 'Edit run' }).click();
    await page.getByRole('button', { name: 'Remove tag team' }).click();
    await expect.poll(async () => tagsOf(await getRun()).team).toBeUndefined();
    await page.getByRole('button', { name: 'Remove tag stage' }).waitFor();
    const findings = await checkAccessibility(page, 'run editing');
    expect(findings.blocking).toEqual([]);
    await page.getByRole('form', { name: 'Edit the run' }).getByLabel('Description').fill('');
    await page.getByRole('form', { name: 'Edit the run' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit run' }).waitFor();
    run = await getRun();
    expect(tagsOf(run)['mlflow.note.content']).toBeUndefined();
    // The page reads the run again after the change: the description goes once that answer is in.
    await expect.poll(() => page.getByTestId('run-description').count()).toBe(0);
  });

  it('deletes it after confirming and restores it', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dana');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}`);
    await page.getByRole('button', { name: 'Delete run' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete run' }).click();
    await page.getByText('This run is deleted').waitFor();
    expect((await getRun()).info.lifecycle_stage).toBe('deleted');
    await page.getByRole('button', { name: 'Restore run' }).click();
    await page.getByRole('button', { name: 'Delete run' }).waitFor();
    expect((await getRun()).info.lifecycle_stage).toBe('active');
  });

  it('offers a reporter no editing', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'remy');
    await page.goto(`${h.base}/projects/${projectId}/runs/${runId}`);
    await page.getByRole('tab', { name: 'overview' }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit run' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete run' }).count()).toBe(0);
  });
});
