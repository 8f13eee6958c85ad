import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The data scientist's pages, as the MLflow client fills them: the links it prints, metrics
 * logged once, models logged with `log_model`, and the words and numbers the pages show.
 */

let h: BrowserHarness;
let dev: Seeder;
let admin: Seeder;
let projectId: number;
let experimentId: string;
let runId: string;
let modelId: number;
let autologRuns: string[] = [];
let loggedRunId: string;
let manyExperimentId: string;
let loggedModelId: number;

const INPUTS = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
const MLMODEL = (modelId: string, runId: string) => `artifact_path: mlflow-artifacts:/models/${modelId}/artifacts
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
    python_version: 3.11.2
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.2
mlflow_version: 3.1.0
model_id: ${modelId}
run_id: ${runId}
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '${JSON.stringify(INPUTS.map((name) => ({ type: 'double', name, required: true })))}'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2026-11-30 22:00:00.000000'
`;

/** What MLflow 3's `log_model` leaves behind: a logged model whose files are under its own artifact location. */
async function logModel(runId: string): Promise<string> {
  const info = (await dev.mlflow<{ model: { info: { model_id: string; artifact_uri: string } } }>(projectId, 'logged-models', { experiment_id: experimentId, name: 'model', source_run_id: runId }))
    .model.info;
  const root = info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
  await dev.artifact(projectId, `${root}/MLmodel`, MLMODEL(info.model_id, runId), 'text/plain');
  await dev.artifact(projectId, `${root}/requirements.txt`, 'mlflow==3.1.0\nscikit-learn==1.5.2\n', 'text/plain');
  await dev.artifact(projectId, `${root}/input_example.json`, JSON.stringify({ columns: INPUTS, data: [[5.1, 3.5, 1.4, 0.2]] }), 'application/json');
  await dev.artifact(projectId, `${root}/model.pkl`, Buffer.alloc(2048, 1));
  await dev.mlflow(projectId, 'runs/outputs', { run_id: runId, models: [{ model_id: info.model_id, step: 0 }] });
  return info.model_id;
}

const RUN_NAME = 'bright-owl-42';

async function createRun(seeder: Seeder, project: number, experiment: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await seeder.mlflow<{ run: { info: { run_id: string } } }>(project, 'runs/create', { experiment_id: experiment, run_name: name, start_time: 1_700_000_000_000, ...extra });
  return created.run.info.run_id;
}

/** The page's path once it has settled on `expected`. */
async function landsOn(page: Page, expected: string): Promise<void> {
  await until(async () => new URL(page.url()).pathname === expected, `the page ${expected} (at ${page.url()})`);
}

beforeAll(async () => {
  h = await BrowserHarness.start('browser-workspace');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const ada = await root.call<{ id: number }>('POST', '/api/v4/users', { username: 'ada', password: BROWSER_PASSWORD, admin: true });
  const adaToken = await root.call<{ token: string }>('POST', `/api/v4/users/${ada.id}/personal_access_tokens`, { name: 'seed', scopes: ['api'] });
  admin = new Seeder(h.base, adaToken.token);
  const scientist = await root.user('dev', BROWSER_PASSWORD);
  dev = new Seeder(h.base, scientist.token);
  projectId = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Iris', path: 'iris' })).id;
  experimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'iris-classifier' })).experiment_id;
  runId = await createRun(dev, projectId, experimentId, RUN_NAME);
  await dev.mlflow(projectId, 'registered-models/create', { name: 'iris' });
  await dev.mlflow(projectId, 'model-versions/create', { name: 'iris', source: `runs:/${runId}/model`, run_id: runId });
  const autolog = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'autolog' })).experiment_id;
  const accuracies = [0.9777777777777777, 0.95, 0.9333333333333333];
  autologRuns = [];
  for (const [i, accuracy] of accuracies.entries()) {
    // As MlflowClient.create_run sends it: the user is MLflow's placeholder.
    const run = await createRun(dev, projectId, autolog, `autolog-${i}`, { user_id: 'unknown' });
    autologRuns.push(run);
    await dev.mlflow(projectId, 'runs/update', { run_id: run, status: 'FINISHED', end_time: 1_700_000_000_000 + 125_000 });
    const history = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (1 + step + i), timestamp: 1_700_000_000_000 + step, step }));
    const once = [
      { key: 'a_seed', value: 42, timestamp: 1_700_000_000_000, step: 0 },
      { key: 'training_accuracy_score', value: accuracy, timestamp: 1_700_000_000_000, step: 0 },
    ];
    await dev.mlflow(projectId, 'runs/log-batch', { run_id: run, metrics: [...history, ...once] });
  }
  const many = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'three-hundred' })).experiment_id;
  // Twenty at a time: the server limits the connections one address may hold.
  for (let b = 0; b < 300; b += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, j) => {
        const run = await createRun(dev, projectId, many, `sweep-${b + j}`);
        await dev.mlflow(projectId, 'runs/log-batch', { run_id: run, metrics: [{ key: 'loss', value: (b + j) / 300, timestamp: 1, step: 0 }] });
      }),
    );
  }
  manyExperimentId = many;
  loggedRunId = await createRun(dev, projectId, experimentId, 'logs-a-model');
  const logged = await logModel(loggedRunId);
  await dev.mlflow(projectId, 'registered-models/create', { name: 'iris-logged' });
  await dev.mlflow(projectId, 'model-versions/create', { name: 'iris-logged', source: `models:/${logged}`, run_id: loggedRunId, model_id: logged });
  await dev.mlflow(projectId, 'model-versions/set-tag', { name: 'iris-logged', version: '1', key: 'validation_status', value: 'approved-by-ci' });
  loggedModelId = (await dev.call<{ id: number; name: string }[]>('GET', `/api/v4/projects/${projectId}/ml/models?search=iris-logged`)).find((m) => m.name === 'iris-logged')!.id;
  modelId = (await dev.call<{ id: number; name: string }[]>('GET', `/api/v4/projects/${projectId}/ml/models?search=iris`)).find((m) => m.name === 'iris')!.id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('links the MLflow client prints', () => {
  it("open the run, the experiment and the model version from a project's tracking URI", async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    const tracking = `${h.base}/api/v4/projects/${projectId}/ml/mlflow`;
    await page.goto(`${tracking}/#/experiments/${experimentId}/runs/${runId}`);
    await landsOn(page, `/projects/${projectId}/runs/${runId}`);
    await page.getByRole('heading', { name: RUN_NAME }).waitFor();
    await page.goto(`${tracking}/#/experiments/${experimentId}`);
    await landsOn(page, `/projects/${projectId}/experiments/${experimentId}`);
    await page.getByRole('heading', { name: 'iris-classifier' }).waitFor();
    await page.goto(`${tracking}/#/models/iris/versions/1`);
    await landsOn(page, `/projects/${projectId}/models/${modelId}/versions/1`);
    await page.goto(`${tracking}/#/models/no-such-model/versions/1`);
    await page.getByRole('heading', { name: 'Model not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the project' }).click();
    await landsOn(page, `/projects/${projectId}`);
    await page.close();
  });

  it("open a run of the default project from the server root's tracking URI", async () => {
    const project = await admin.call<{ id: number }>('GET', '/api/v4/projects/default');
    const experiment = (await admin.mlflow<{ experiment_id: string }>(project.id, 'experiments/create', { name: 'at-the-root' })).experiment_id;
    const run = await createRun(admin, project.id, experiment, 'root-run');
    const page = await h.newPage();
    await h.signIn(page, 'ada');
    await page.goto(`${h.base}/#/experiments/${experiment}/runs/${run}`);
    await landsOn(page, `/projects/default/runs/${run}`);
    await page.getByRole('heading', { name: 'root-run' }).waitFor();
    await page.close();
  });

  it("open the run from a job's log", async () => {
    const runner = await admin.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'box', run_untagged: true });
    await dev.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: 'train:\n  script: [python train.py]\n' });
    await dev.call('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' });
    const taken = await fetch(`${h.base}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: runner.token }) });
    expect(taken.status).toBe(201);
    const job = (await taken.json()) as { id: number; token: string };
    // What the MLflow client prints at the end of a run, with the address the runner knows the server by.
    const log = `🏃 View run ${RUN_NAME} at: http://modelyard.internal:8080/api/v4/projects/${projectId}/ml/mlflow/#/experiments/${experimentId}/runs/${runId}\n🧪 View experiment at: http://modelyard.internal:8080/api/v4/projects/${projectId}/ml/mlflow/#/experiments/${experimentId}\ndocs at http://example.com/docs\n`;
    const bytes = Buffer.byteLength(log);
    const trace = await fetch(`${h.base}/api/v4/jobs/${job.id}/trace`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain', 'job-token': job.token, 'content-range': `0-${bytes - 1}` },
      body: log,
    });
    expect(trace.status).toBe(202);
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${job.id}`);
    const links = page.getByTestId('job-log').getByRole('link');
    await links.first().waitFor();
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([`/projects/${projectId}/runs/${runId}`, `/projects/${projectId}/experiments/${experimentId}`]);
    await links.first().click();
    await page.getByRole('heading', { name: RUN_NAME }).waitFor();
    await page.close();
  });
});

describe('metrics logged once', () => {
  it('are bars with a table of values on the run page, not an empty line chart', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/runs/${autologRuns[0]}`);
    await page.getByRole('tab', { name: 'metrics' }).click();
    const bars = page.getByTestId('bars-training_accuracy_score');
    await bars.waitFor();
    expect(await bars.getByTitle('0.9777777777777777').count()).toBe(1);
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    expect(await page.getByTestId('chart-training_accuracy_score').count()).toBe(0);
    await h.shot(page, 'workspace-01-metric-bars');
    await page.close();
  });

  it('are bars per run on the compare page, which opens on a metric that differs between the runs', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/compare?runs=${autologRuns.join(',')}`);
    await page.getByTestId('chart-loss').locator('canvas').waitFor();
    expect(await page.getByLabel('metric', { exact: true }).inputValue()).toBe('loss');
    await page.getByLabel('metric', { exact: true }).selectOption('training_accuracy_score');
    const bars = page.getByTestId('bars-training_accuracy_score');
    await bars.waitFor();
    expect(await bars.getByRole('row').allTextContents()).toHaveLength(3);
    expect(await bars.getByRole('rowheader').allTextContents()).toEqual(['autolog-0', 'autolog-1', 'autolog-2']);
    await h.shot(page, 'workspace-02-compare-bars');
    await page.close();
  });
});

describe('a model logged with log_model', () => {
  async function expectModelShown(page: Page): Promise<void> {
    const files = page.getByTestId('model-files');
    await files.getByTestId('signature-inputs').waitFor();
    expect(await files.getByTestId('signature-inputs').locator('tbody tr td:first-child').allTextContents()).toEqual(INPUTS);
    expect(await files.getByTestId('signature-outputs').locator('tbody td').nth(1).textContent()).toBe('tensor int64 [-1]');
    expect(await files.getByTestId('input-example').locator('td').allTextContents()).toEqual(['5.1', '3.5', '1.4', '0.2']);
    expect(await files.getByTestId('requirements').locator('li').allTextContents()).toEqual(['mlflow==3.1.0', 'scikit-learn==1.5.2']);
    expect(await files.getByTestId('mlmodel').textContent()).toContain('loader_module: mlflow.sklearn');
    await files.getByRole('button', { name: /model\.pkl/ }).waitFor();
  }

  it('shows its files, signature, input example and requirements on the run page', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/runs/${loggedRunId}`);
    await page.getByRole('tab', { name: 'artifacts' }).click();
    await expectModelShown(page);
    await h.shot(page, 'workspace-03-run-logged-model');
    await page.close();
  });

  it('shows the same on the registry version page, with the tags the client set', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/models/${loggedModelId}/versions/1`);
    await expectModelShown(page);
    expect(await page.getByTestId('version-tags').textContent()).toContain('approved-by-ci');
    await h.shot(page, 'workspace-04-version-files');
    await page.close();
  });
});

describe('page titles and missing things', () => {
  it('names each page in the browser tab', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    const titled = async (path: string, title: string) => {
      await page.goto(`${h.base}${path}`);
      await until(async () => (await page.title()) === title, `the title ${title} (is ${await page.title()})`);
    };
    await titled('/', 'Projects · Modelyard');
    await titled(`/projects/${projectId}`, 'Iris · Modelyard');
    await titled(`/projects/${projectId}/experiments/${experimentId}`, 'iris-classifier · Iris · Modelyard');
    await titled(`/projects/${projectId}/runs/${runId}`, `${RUN_NAME} · Run · Iris · Modelyard`);
    await titled(`/projects/${projectId}/models`, 'Models · Iris · Modelyard');
    await titled(`/projects/${projectId}/models/${modelId}`, 'iris · Models · Iris · Modelyard');
    await titled(`/projects/${projectId}/models/${modelId}/versions/1`, 'iris v1 · Iris · Modelyard');
    await titled(`/projects/${projectId}/compare?runs=${autologRuns.join(',')}`, 'Comparing 3 runs · Iris · Modelyard');
    await titled('/runners', 'Runners · Modelyard');
    await page.close();
  });

  it('says a run is not there, in words, with a way back', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    for (const id of ['not-a-run', '0'.repeat(32)]) {
      await page.goto(`${h.base}/projects/${projectId}/runs/${id}`);
      await page.getByRole('heading', { name: 'Run not found' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toContain(`There is no run ${id} in this project`);
      expect(await page.getByRole('alert').textContent()).not.toContain('must match pattern');
      expect(await page.title()).toBe('Run not found · Modelyard');
    }
    await page.getByRole('link', { name: 'Back to the project' }).click();
    await page.getByRole('link', { name: 'iris-classifier' }).waitFor();
    await h.shot(page, 'workspace-05-back-from-missing-run');
    await page.close();
  });
});

describe('words and numbers as people read them', () => {
  it('counts runs exactly when the count is known, also when sorted by a metric', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/experiments/${manyExperimentId}`);
    await until(async () => (await page.getByTestId('runs-count').textContent()) === '300 runs', 'the count of 300 runs');
    await page.getByRole('columnheader', { name: 'metrics.loss' }).click();
    await page.getByRole('link', { name: 'sweep-299' }).waitFor();
    await until(async () => (await page.getByTestId('runs-count').textContent()) === '300 runs', 'the same count sorted by loss');
    await page.close();
  });

  it('shows a single model as one, numbers to four digits with the whole value on hover, durations, users and sizes', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/models`);
    await page.getByLabel('Search models').fill('iris-logged');
    await page.getByLabel('Search models').press('Enter');
    await page.getByText('1 model', { exact: true }).waitFor();

    await page.goto(`${h.base}/projects/${projectId}/experiments/${(await dev.call<{ experiment_id: number }>('GET', `/api/v4/projects/${projectId}/ml/runs/${autologRuns[0]}`)).experiment_id}`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'autolog-0' }) });
    await row.waitFor();
    expect(await page.getByRole('columnheader', { name: 'Duration' }).count()).toBe(1);
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toContain('2m 05s');
    expect(cells).toContain('dev');
    expect(cells).not.toContain('unknown');
    expect(cells).toContain('0.9778');
    expect(await row.getByRole('cell', { name: '0.9778' }).getAttribute('title')).toBe('0.9777777777777777');

    await page.getByRole('link', { name: 'autolog-0' }).click();
    await page.getByTestId('run-duration').waitFor();
    expect(await page.getByTestId('run-duration').textContent()).toBe('2m 05s');
    expect(await page.getByRole('link', { name: 'autolog', exact: true }).count()).toBe(1);
    expect(await page.getByTestId('latest-metrics').getByTitle('0.9777777777777777').textContent()).toBe('0.9778');

    await page.goto(`${h.base}/projects/${projectId}/runs/${loggedRunId}`);
    await page.getByRole('tab', { name: 'artifacts' }).click();
    const size = page
      .getByTestId('model-files')
      .getByRole('button', { name: /model\.pkl/ })
      .locator('span');
    await size.waitFor();
    expect([await size.textContent(), await size.getAttribute('title')]).toEqual(['2 KiB', '2048 bytes']);
    await h.shot(page, 'workspace-06-words-and-numbers');
    await page.close();
  });

  it('names the model version a registry pipeline was started for, not its row id', async () => {
    const ci = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Iris CI', path: 'iris-ci' })).id;
    await dev.call('PUT', `/api/v4/projects/${ci}/ci/config`, { content: 'evaluate:\n  rules:\n    - if: $MODEL_EVENT == "version_created"\n  script: [evaluate]\n' });
    await dev.mlflow(ci, 'registered-models/create', { name: 'iris' });
    await dev.mlflow(ci, 'model-versions/create', { name: 'iris', source: 'mlflow-artifacts:/x/model' });
    let pipelines: { id: number; model_version_id: number }[] = [];
    await until(async () => (pipelines = await dev.call('GET', `/api/v4/projects/${ci}/pipelines?source=model_registry`)).length === 1, 'the registry pipeline', 30_000);
    expect(pipelines[0]!.model_version_id).not.toBe(1); // a row id, which is not the version number
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${ci}/pipelines/${pipelines[0]!.id}`);
    await page.getByTestId('pipeline-model-version').getByRole('link', { name: 'iris v1' }).click();
    await page.getByRole('heading', { name: /iris\s+v1/ }).waitFor();
    await page.close();
  });
});
