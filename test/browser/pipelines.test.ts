import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { gzipOf, multipartUpload, zipOf } from '../support/artifacts.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The CI/CD pages in a real browser: this test stores a pipeline file, starts pipelines, and
 * plays the runner itself through the runner protocol, so every state the pages show is one
 * it caused and can wait for.
 */

const PIPELINE_FILE = `
stages: [build, test, deploy]
compile:
  stage: build
  script: [make]
lint:
  stage: build
  script: [lint]
train:
  stage: test
  needs: [compile]
  tags: [gpu]
  script: [python train.py]
deploy:
  stage: deploy
  needs: [train]
  when: manual
  script: [ship]
`;

interface RunnerJob {
  id: number;
  token: string;
  name: string;
  variables: { key: string; value: string }[];
}

let h: BrowserHarness;
let maintainer: Seeder;
let developer: Seeder;
let projectId: number;
let runnerId: number;
let runnerToken: string;
let mainPipeline: number;
let brokenPipeline: number;
const running = new Map<string, RunnerJob>();
const logSize = new Map<number, number>();

// --- the runner's side of the protocol -----------------------------------------------------

async function protocol(method: string, url: string, body: string | object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.base}${url}`, {
    method,
    headers: { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Asks for jobs until there are none; what it gets is running, remembered by name. */
async function takeAll(): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const res = await protocol('POST', '/api/v4/jobs/request', {
      token: runnerToken,
      info: { version: '0.1.0', platform: 'linux', architecture: 'amd64', gpus: [{ name: 'NVIDIA H100', memory_mib: 81559, driver: '550.54' }] },
    });
    if (res.status === 204) return names;
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as Omit<RunnerJob, 'name'> & { job_info: { name: string } };
    const job = { ...body, name: body.job_info.name };
    running.set(job.name, job);
    names.push(job.name);
  }
}

async function appendLog(job: RunnerJob, text: string): Promise<void> {
  const start = logSize.get(job.id) ?? 0;
  const bytes = Buffer.byteLength(text);
  const res = await protocol('PATCH', `/api/v4/jobs/${job.id}/trace`, text, { 'job-token': job.token, 'content-range': `${start}-${start + bytes - 1}` });
  expect(res.status, await res.text()).toBe(202);
  logSize.set(job.id, start + bytes);
}

async function finish(job: RunnerJob, state: 'success' | 'failed' | 'running'): Promise<string> {
  const res = await protocol('PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state });
  expect([200, 403]).toContain(res.status);
  return res.headers.get('job-status')!;
}

async function jobsOf(pipelineId: number): Promise<{ id: number; name: string; status: string }[]> {
  return maintainer.call('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`);
}

const jobId = async (name: string) => (await jobsOf(mainPipeline)).find((j) => j.name === name)!.id;
const statusText = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('data-status');

beforeAll(async () => {
  h = await BrowserHarness.start('browser-ci');
  const admin = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  await admin.call('POST', '/api/v4/users', { username: 'ada', password: BROWSER_PASSWORD, admin: true });
  const maria = await admin.user('maria', BROWSER_PASSWORD);
  const dev = await admin.user('dev', BROWSER_PASSWORD);
  const rita = await admin.user('rita', BROWSER_PASSWORD);
  maintainer = new Seeder(h.base, maria.token);
  developer = new Seeder(h.base, dev.token);
  projectId = (await maintainer.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Forecast', path: 'forecast' })).id;
  await maintainer.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: dev.id, access_level: 30 });
  await maintainer.call('POST', `/api/v4/projects/${projectId}/members`, { user_id: rita.id, access_level: 20 });
  const runner = await admin.call<{ id: number; token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'gpu-box', tag_list: ['gpu'], run_untagged: true });
  runnerId = runner.id;
  runnerToken = runner.token;
  expect(await takeAll()).toEqual([]); // reports the runner's GPUs; no job yet
  await maintainer.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: 'train:\n  script: [x]\n  when: sometimes\n' });
  brokenPipeline = (await developer.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' })).id;
  await maintainer.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: PIPELINE_FILE });
  mainPipeline = (await developer.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' })).id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe('the CI/CD pages', () => {
  it('lists pipelines, filters them by status, and runs and cancels one from the form', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.getByRole('link', { name: 'Forecast' }).click();
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await page.getByTestId(`pipeline-row-${mainPipeline}`).waitFor();
    expect(await page.getByTestId(`pipeline-row-${mainPipeline}`).textContent()).toMatch(/pending.*api.*main/);
    expect(await page.getByTestId(`pipeline-row-${brokenPipeline}`).textContent()).toContain('failed');
    await h.shot(page, 'ci-01-pipelines');
    await page.getByLabel('Filter by status').selectOption('failed');
    await until(async () => (await page.getByTestId(`pipeline-row-${mainPipeline}`).count()) === 0, 'the filter');
    expect(page.url()).toContain('status=failed');
    expect(await page.getByTestId(`pipeline-row-${brokenPipeline}`).count()).toBe(1);
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByTestId(`pipeline-row-${mainPipeline}`).waitFor();

    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.getByLabel('Ref').fill('main');
    await page.getByLabel('Variable key 1').fill('EPOCHS');
    await page.getByLabel('Variable value 1').fill('3');
    await h.shot(page, 'ci-02-run-pipeline-form');
    await page.getByRole('button', { name: 'Run pipeline' }).click();
    await page.getByRole('heading', { name: /^Pipeline #\d+/ }).waitFor();
    const started = Number(/pipelines\/(\d+)$/.exec(page.url())![1]);
    expect(started).toBeGreaterThan(mainPipeline);
    expect((await maintainer.call<{ source: string }>('GET', `/api/v4/projects/${projectId}/pipelines/${started}`)).source).toBe('web');
    await page.getByRole('button', { name: 'Cancel pipeline' }).click();
    await until(async () => (await statusText(page, 'pipeline-status')) === 'canceled', 'the canceled pipeline');
    expect((await jobsOf(started)).every((j) => j.status === 'canceled')).toBe(true);
    await page.close();
  });

  it('offers a reporter no run or cancel button', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'rita');
    await page.goto(`${h.base}/projects/${projectId}/pipelines`);
    await page.getByTestId(`pipeline-row-${mainPipeline}`).waitFor();
    expect(await page.getByRole('button', { name: 'New pipeline' }).count()).toBe(0);
    await page.goto(`${h.base}/projects/${projectId}/pipelines/${mainPipeline}`);
    await page.getByTestId('pipeline-graph').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel pipeline' }).count()).toBe(0);
    await page.close();
  });

  it('shows the errors of a pipeline file that did not compile', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/pipelines/${brokenPipeline}`);
    await page.getByTestId('yaml-errors').waitFor();
    expect(await page.getByTestId('yaml-errors').textContent()).toMatch(/line \d+, column \d+/);
    expect(await statusText(page, 'pipeline-status')).toBe('failed');
    await h.shot(page, 'ci-03-pipeline-yaml-errors');
    await page.close();
  });

  it('draws the pipeline graph with stages, jobs and needs edges, and follows it as jobs start', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/pipelines/${mainPipeline}`);
    await page.getByTestId('pipeline-graph').waitFor();
    const stages = await page.locator('.stage-column').evaluateAll((columns) => columns.map((c) => c.getAttribute('data-stage')));
    expect(stages).toEqual(['build', 'test', 'deploy']);
    for (const name of ['compile', 'lint', 'train', 'deploy']) await page.locator(`[data-job="${name}"]`).waitFor();
    await until(async () => (await page.getByTestId('needs-edge').count()) === 2, 'two needs edges');
    const edges = await page
      .getByTestId('needs-edge')
      .evaluateAll((paths) => paths.map((p) => `${p.getAttribute('data-from')}->${p.getAttribute('data-to')}:${(p.getAttribute('d') ?? '').length > 10}`));
    expect(edges.sort()).toEqual(['compile->train:true', 'train->deploy:true']);
    expect(await page.locator('[data-job="compile"] .job-box').getAttribute('class')).toContain('ci-pending');
    expect((await takeAll()).sort()).toEqual(['compile', 'lint']);
    await until(async () => ((await page.locator('[data-job="compile"] .job-box').getAttribute('class')) ?? '').includes('ci-running'), 'the graph to refresh by itself');
    await until(async () => (await statusText(page, 'pipeline-status')) === 'running', 'the running pipeline');
    await h.shot(page, 'ci-04-pipeline-graph');
    await page.close();
  });

  it('streams a running job’s log while it is open, safely and in colour', async () => {
    const compile = running.get('compile')!;
    await appendLog(compile, '\x1b[32;1m$ make\x1b[0;m\nbuilding <b>model</b> & <img src=x onerror=alert(1)>\n');
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${compile.id}`);
    const log = page.getByTestId('job-log');
    await log.getByText('building <b>model</b>').waitFor();
    expect(await statusText(page, 'job-status')).toBe('running');
    expect(await log.locator('.ansi-green').first().textContent()).toBe('$ make');
    expect(await log.locator('b, img').count()).toBe(0);
    expect(await log.textContent()).not.toContain('[32;1m');
    expect(await page.getByTestId('job-facts').textContent()).toContain('gpu-box');

    await appendLog(compile, 'epoch 1/3 \x1b[31mloss=0.42\x1b[0m\n');
    await log.getByText('epoch 1/3').waitFor(); // appended live, without reloading the page
    expect(await log.locator('.ansi-red').first().textContent()).toBe('loss=0.42');
    await appendLog(compile, Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    await log.getByText('line 200').waitFor();
    const atBottom = () => log.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
    await until(atBottom, 'the log to follow its end');
    // Scrolled up to read: new lines must not pull the reader away.
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await appendLog(compile, 'more output\n');
    await log.getByText('more output').waitFor();
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    await h.shot(page, 'ci-05-job-live-log');

    for (const [type, name, content] of [
      ['archive', 'artifacts.zip', await zipOf({ 'dist/model card.txt': 'weights: 42\n', 'dist/metrics/eval.json': '{"auc": 0.91}', 'README.md': '# build output\n' })],
      [
        'junit',
        'junit.xml.gz',
        gzipOf('<testsuite name="unit"><testcase classname="model" name="loads"/><testcase classname="model" name="predicts"><failure message="accuracy 0.41 &lt; 0.9"/></testcase></testsuite>'),
      ],
    ] as const) {
      const form = multipartUpload('file', name, content);
      const upload = await fetch(`${h.base}/api/v4/jobs/${compile.id}/artifacts?artifact_type=${type}&artifact_format=${type === 'archive' ? 'zip' : 'gzip'}`, {
        method: 'POST',
        headers: { 'job-token': compile.token, 'content-type': form.contentType },
        body: form.body,
      });
      expect(upload.status, await upload.text()).toBe(201);
    }
    expect(await finish(compile, 'success')).toBe('success');
    await until(async () => (await statusText(page, 'job-status')) === 'success', 'the finished job');
    expect(await page.getByTestId('job-archive').getAttribute('href')).toBe(`/api/v4/projects/${projectId}/jobs/${compile.id}/artifacts`);
    const tests = page.getByTestId('job-tests');
    await tests.getByText('2 tests: 1 passed').waitFor();
    expect(await tests.textContent()).toContain('model.predicts');
    expect(await tests.textContent()).toContain('accuracy 0.41 < 0.9');
    // The archive browses as folders: the top level first, then into dist/.
    const browser = page.getByTestId('job-artifacts');
    // The listing loads after the job's status: wait for it before reading every link (allTextContents does not wait).
    await browser.getByRole('link', { name: 'README.md' }).waitFor();
    expect(await browser.getByRole('link').allTextContents()).toEqual(['README.md']);
    await browser.getByRole('button', { name: 'dist/' }).click();
    await browser.getByRole('button', { name: 'metrics/' }).waitFor();
    expect(await browser.getByRole('navigation', { name: 'Folder' }).textContent()).toBe('artifacts / dist');
    const artifact = browser.getByRole('link', { name: 'model card.txt' });
    const href = (await artifact.getAttribute('href'))!;
    expect(href).toBe(`/api/v4/projects/${projectId}/jobs/${compile.id}/artifacts/dist/model%20card.txt`);
    const [download] = await Promise.all([page.waitForEvent('download'), artifact.click()]);
    expect(download.suggestedFilename()).toBe('model card.txt');
    expect(fs.readFileSync(await download.path(), 'utf8')).toBe('weights: 42\n');
    await browser.getByRole('button', { name: 'artifacts' }).click();
    await browser.getByRole('link', { name: 'README.md' }).waitFor();
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await page.close();
  });

  it('shows the runner’s sections as collapsible parts with their lengths, live, and offers the raw log', async () => {
    const lint = running.get('lint')!;
    // What GitLab Runner writes around its stages; the second section arrives in two pieces.
    const raw =
      '\x1b[0Ksection_start:1700000000:prepare_executor\r\x1b[0KPreparing the "shell" executor\n\x1b[0Ksection_end:1700000004:prepare_executor\r\x1b[0K' +
      '\x1b[0Ksection_start:1700000004:install_deps[collapsed=true]\r\x1b[0Kpip install -r requirements.txt\n';
    await appendLog(lint, raw);
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${lint.id}`);
    const log = page.getByTestId('job-log');
    const prepare = log.locator('details[data-section="prepare_executor"]');
    await prepare.waitFor();
    expect(await prepare.locator('summary').textContent()).toBe('prepare_executor00:04');
    expect(await prepare.evaluate((el) => (el as unknown as { open: boolean }).open)).toBe(true);
    const deps = log.locator('details[data-section="install_deps"]');
    expect(await deps.evaluate((el) => (el as unknown as { open: boolean }).open)).toBe(false);
    expect(await deps.locator('summary').textContent()).toContain('running');
    await appendLog(lint, 'Successfully installed sklearn\n\x1b[0Ksection_end:1700000071:install_deps\r\x1b[0Klinting\n');
    await until(async () => ((await deps.locator('summary').textContent()) ?? '').endsWith('01:07'), 'the section to close with its length, live');
    expect(await deps.textContent()).toContain('Successfully installed sklearn');
    expect(await log.textContent()).not.toContain('section_');
    await deps.locator('summary').click();
    expect(await deps.evaluate((el) => (el as unknown as { open: boolean }).open)).toBe(true);
    // A line GitLab Runner stamped (FF_TIMESTAMPS) shows its time, in UTC, and not the header.
    await appendLog(lint, '2026-12-01T11:42:50.123456Z 00O stamped line\n');
    await log.getByText('stamped line').waitFor();
    expect(await log.locator('time.log-time').last().textContent()).toBe('11:42:50');
    expect(await log.textContent()).not.toContain('00O');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the raw log' }).click();
    const saved = await (await download).path();
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(saved, 'utf8')).toContain('section_start:1700000004:install_deps[collapsed=true]');
    await h.shot(page, 'ci-05b-job-log-sections');
    await page.close();
  });

  it('retries a failed job as a new attempt', async () => {
    const lint = running.get('lint')!;
    await appendLog(lint, 'src/model.py:3: unused import\n');
    expect(await finish(lint, 'failed')).toBe('failed');
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${lint.id}`);
    await page.getByTestId('failure-reason').waitFor();
    expect(await statusText(page, 'job-status')).toBe('failed');
    await page.getByTestId('job-log').getByText('unused import').waitFor();
    await h.shot(page, 'ci-06-job-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await until(async () => !page.url().endsWith(`/jobs/${lint.id}`), 'the new attempt’s page');
    const retried = Number(/jobs\/(\d+)$/.exec(page.url())![1]);
    expect(retried).toBe(await jobId('lint'));
    await until(async () => (await statusText(page, 'job-status')) === 'pending', 'the pending retry');
    expect(await page.getByTestId('job-facts').textContent()).toMatch(/Attempt\s*2/);
    await page.close();
  });

  it('cancels a running job; the runner learns it on its next report', async () => {
    expect((await takeAll()).sort()).toEqual(['lint', 'train']);
    const lint = running.get('lint')!;
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${lint.id}`);
    await until(async () => (await statusText(page, 'job-status')) === 'running', 'the running job');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await until(async () => (await statusText(page, 'job-status')) === 'canceled', 'the canceled job');
    expect(await finish(lint, 'running')).toBe('canceled');
    await h.shot(page, 'ci-07-job-canceled');
    await page.close();
  });

  it('plays a manual job with variables', async () => {
    expect(await finish(running.get('train')!, 'success')).toBe('success');
    const deployId = await jobId('deploy');
    await until(async () => (await jobsOf(mainPipeline)).find((j) => j.name === 'deploy')!.status === 'manual', 'the manual job');
    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/jobs/${deployId}`);
    await until(async () => (await statusText(page, 'job-status')) === 'manual', 'the manual job page');
    await page.getByLabel('Job variable key 1').fill('TARGET');
    await page.getByLabel('Job variable value 1').fill('prod');
    await h.shot(page, 'ci-08-job-manual');
    await page.getByRole('button', { name: /Play/ }).click();
    await until(async () => (await statusText(page, 'job-status')) === 'pending', 'the played job');
    expect(await takeAll()).toEqual(['deploy']);
    expect(running.get('deploy')!.variables.find((v) => v.key === 'TARGET')?.value).toBe('prod');
    await until(async () => (await statusText(page, 'job-status')) === 'running', 'the running deploy');
    await page.close();
  });

  it('lists runners with their GPUs, pauses and resumes one, and creates one showing its token once', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'ada');
    await page.getByRole('link', { name: 'Runners' }).click();
    await page.getByRole('heading', { name: 'Runners' }).waitFor();
    const row = page.getByTestId(`runner-${runnerId}`);
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('gpu-box');
    expect(text).toContain('NVIDIA H100');
    expect(text).toContain('79.6 GiB');
    expect(text).toContain('online');
    await h.shot(page, 'ci-09-runners');
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('paused');
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByRole('button', { name: 'Pause' }).waitFor();

    await page.getByLabel('Runner scope').selectOption('project_type');
    await page.getByLabel('Runner project').selectOption({ label: 'Forecast' });
    await page.getByLabel('Runner description').fill('spare');
    await page.getByLabel('Runner tags').fill('cpu, small');
    await page.getByRole('button', { name: 'Create runner' }).click();
    await page.getByTestId('new-runner-token').waitFor();
    expect(await page.getByTestId('new-runner-token').textContent()).toMatch(/glrt-/);
    const spare = page.locator('tr', { hasText: 'spare' });
    await spare.waitFor();
    expect(await spare.textContent()).toContain('project Forecast');
    await h.shot(page, 'ci-10-runner-created');
    await spare.getByRole('button', { name: 'Delete' }).click();
    await spare.getByRole('button', { name: 'Really delete' }).click();
    await until(async () => (await page.locator('tr', { hasText: 'spare' }).count()) === 0, 'the deleted runner');
    await page.close();
  });

  it('shows a version’s evaluations and the pipelines it started', async () => {
    await maintainer.call('PUT', `/api/v4/projects/${projectId}/ci/settings`, { registry_triggers: true });
    const modelId = (await developer.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'classifier' })).id;
    const version = await developer.call<{ id: number; version: number }>('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, {});
    const evaluations = `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/${version.version}/evaluations`;
    const deploy = running.get('deploy')!;
    const byJob = await fetch(`${h.base}${evaluations}`, {
      method: 'POST',
      headers: { 'job-token': deploy.token, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: { accuracy: 0.93, f1: 0.88 }, dataset: 'holdout', passed: true, thresholds: ['accuracy>=0.9'] }),
    });
    expect(byJob.status, await byJob.clone().text()).toBe(201);
    await developer.call('POST', evaluations, { metrics: { accuracy: 0.81 }, passed: false, thresholds: ['accuracy>=0.9'] });
    await until(async () => (await developer.call<unknown[]>('GET', `/api/v4/projects/${projectId}/pipelines?model_version_id=${version.id}`)).length > 0, 'the registry-started pipeline');

    const page = await h.newPage();
    await h.signIn(page, 'dev');
    await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/${version.version}`);
    await page.getByTestId('evaluations').waitFor();
    const cards = page.locator('.evaluation');
    expect(await cards.count()).toBe(2);
    expect(await cards.nth(0).textContent()).toMatch(/failed.*accuracy>=0\.9.*accuracy\s*0\.81/);
    expect(await cards.nth(1).textContent()).toMatch(/passed.*holdout.*accuracy>=0\.9.*f1\s*0\.88/);
    // A threshold's verdict is a drawn mark (no character that needs a system font).
    expect(await cards.nth(0).locator('.threshold.missed svg[data-icon="cross"]').count()).toBe(1);
    expect(await cards.nth(1).locator('.threshold.met svg[data-icon="check"]').count()).toBe(1);
    expect(
      await cards
        .nth(1)
        .getByRole('link', { name: `job #${deploy.id}` })
        .getAttribute('href'),
    ).toBe(`/projects/${projectId}/jobs/${deploy.id}`);
    await page.getByTestId('version-pipelines').waitFor();
    const link = page.getByTestId('version-pipelines').getByRole('link').first();
    await h.shot(page, 'ci-11-version-evaluations');
    await link.click();
    await page.getByTestId('pipeline-graph').waitFor();
    expect(await page.locator('h1 + p').textContent()).toMatch(/model registry pipeline/);
    await page.close();
  });

  it('sends no request to any other origin', () => {
    expect(h.otherOrigins).toEqual([]);
  });
});
