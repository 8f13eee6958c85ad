import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Every page checked by axe-core in the light and the dark scheme, with a screenshot of each
 * (test-results/screenshots/<page>-<scheme>.png): no serious or critical violation
 * (test-results/accessibility.json lists every finding). The person signed in is an
 * administrator who owns the project, so the admin area and every settings tab show too.
 */

let h: BrowserHarness;
let projectId: number;
let experimentId: string;
const runIds: string[] = [];
let modelId: number;
let packageId: number;
let pipelineId: number;
let jobId: number;
let issueIid: number;
let environmentId: number;

beforeAll(async () => {
  h = await BrowserHarness.start('browser-accessibility');
  const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  const ownerId = (await root.call<{ id: number }>('POST', '/api/v4/users', { username: 'owner', password: BROWSER_PASSWORD, admin: true })).id;
  const owner = await root.call<{ token: string }>('POST', `/api/v4/users/${ownerId}/personal_access_tokens`, { name: 'seed', scopes: ['api'] });
  const dev = new Seeder(h.base, owner.token);
  projectId = (await dev.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Access', path: 'access' })).id;
  experimentId = (await dev.mlflow<{ experiment_id: string }>(projectId, 'experiments/create', { name: 'checked' })).experiment_id;
  for (let i = 0; i < 3; i++) {
    const run = (await dev.mlflow<{ run: { info: { run_id: string } } }>(projectId, 'runs/create', { experiment_id: experimentId, run_name: `run-${i}`, start_time: 1_700_000_000_000 + i })).run.info
      .run_id;
    runIds.push(run);
    const loss = Array.from({ length: 20 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + i), timestamp: 1_700_000_000_000 + step, step }));
    await dev.mlflow(projectId, 'runs/log-batch', {
      run_id: run,
      metrics: [...loss, { key: 'accuracy', value: 0.8 + i / 20, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: String(0.01 * (i + 1)) }],
    });
  }
  modelId = (await dev.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'classifier', description: 'Sorts things.' })).id;
  await dev.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, { source: `runs:/${runIds[0]}/model`, run_id: runIds[0] });
  await dev.artifact(projectId, `${experimentId}/${runIds[0]}/artifacts/notes/readme.md`, '# Notes\n');
  const put = await fetch(`${h.base}/api/v4/projects/${projectId}/packages/generic/weights/1.0.0/model.bin`, { method: 'PUT', headers: { 'private-token': owner.token }, body: 'weights' });
  expect(put.status).toBe(201);
  packageId = (await dev.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/packages`))[0]!.id;
  await dev.call('PUT', `/api/v4/projects/${projectId}/ci/config`, { content: 'stages: [train]\ntrain:\n  stage: train\n  script: [python train.py]\n' });
  pipelineId = (await dev.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/pipeline`, { ref: 'main' })).id;
  jobId = (await dev.call<{ id: number }[]>('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}/jobs`))[0]!.id;
  // A paused runner: its status mark was a symbol font's ⏸ before the app drew its own.
  await root.call('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'spare', paused: true });
  environmentId = (await dev.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/environments`, { name: 'staging' })).id;
  issueIid = (await dev.call<{ iid: number }>('POST', `/api/v4/projects/${projectId}/issues`, { title: 'Review the classifier', labels: 'stage::todo' })).iid;
}, 240_000);

afterAll(async () => {
  await h?.stop();
});

/** Emoji, and the dingbats and technical symbols (✔ ✘ ⚙ ⏸) that a browser without a symbol font draws as boxes. */
const FONT_DEPENDENT_SYMBOLS = /[\p{Extended_Pictographic}\u2300-\u23FF\u2600-\u27BF]/gu;

/** What widestElements reads of a DOM element (the tests compile without the DOM's types). */
interface Box {
  tagName: string;
  className: unknown;
  children: ArrayLike<Box>;
  getBoundingClientRect(): { right: number };
}

/** Runs in the page: the innermost elements whose right edge is past the viewport's. */
function widestElements(body: Box & { querySelectorAll(selector: string): ArrayLike<Box>; ownerDocument: { documentElement: { clientWidth: number } } }): string[] {
  const edge = body.ownerDocument.documentElement.clientWidth + 1;
  const past = Array.from(body.querySelectorAll('*')).filter((el) => el.getBoundingClientRect().right > edge);
  const innermost = past.filter((el) => !Array.from(el.children).some((child) => past.includes(child)));
  const name = (el: Box) => `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : ''}`;
  return innermost.slice(0, 5).map((el) => `${name(el)} (${Math.round(el.getBoundingClientRect().right)})`);
}

/** Each page, with what shows that it has loaded. */
const PAGES: [string, () => string, (page: Page) => Promise<unknown>][] = [
  ['projects', () => '/', (page) => page.getByRole('link', { name: 'Access' }).waitFor()],
  ['project', () => `/projects/${projectId}`, (page) => page.getByRole('link', { name: 'checked' }).waitFor()],
  ['runs', () => `/projects/${projectId}/experiments/${experimentId}`, (page) => page.getByRole('link', { name: 'run-2' }).waitFor()],
  ['run', () => `/projects/${projectId}/runs/${runIds[0]}`, (page) => page.getByRole('heading', { name: 'run-0' }).waitFor()],
  ['compare', () => `/projects/${projectId}/compare?runs=${runIds.join(',')}`, (page) => page.getByRole('heading', { name: 'Comparing 3 runs' }).waitFor()],
  ['models', () => `/projects/${projectId}/models`, (page) => page.getByRole('link', { name: 'classifier' }).waitFor()],
  ['model', () => `/projects/${projectId}/models/${modelId}`, (page) => page.getByRole('heading', { name: 'classifier' }).waitFor()],
  [
    'version',
    () => `/projects/${projectId}/models/${modelId}/versions/1`,
    (page) =>
      page
        .getByRole('heading', { name: /classifier/ })
        .first()
        .waitFor(),
  ],
  [
    'pipelines',
    () => `/projects/${projectId}/pipelines`,
    (page) =>
      page
        .getByRole('heading', { name: /Pipelines/ })
        .first()
        .waitFor(),
  ],
  [
    'issues',
    () => `/projects/${projectId}/issues`,
    (page) =>
      page
        .getByRole('heading', { name: /Issues/ })
        .first()
        .waitFor(),
  ],
  ['settings', () => `/projects/${projectId}/settings`, (page) => page.getByRole('tab', { name: 'members' }).waitFor()],
  ['user-settings', () => '/user/settings/tokens', (page) => page.getByRole('heading').first().waitFor()],
  ['run-metrics', () => `/projects/${projectId}/runs/${runIds[0]}?tab=metrics`, (page) => page.getByRole('img', { name: /Chart of loss/ }).waitFor()],
  ['run-artifacts', () => `/projects/${projectId}/runs/${runIds[0]}?tab=artifacts`, (page) => page.getByRole('button', { name: /notes/ }).waitFor()],
  ['packages', () => `/projects/${projectId}/packages`, (page) => page.getByRole('link', { name: 'weights' }).waitFor()],
  ['package', () => `/projects/${projectId}/packages/${packageId}`, (page) => page.getByTestId('package-files').waitFor()],
  ['pipeline', () => `/projects/${projectId}/pipelines/${pipelineId}`, (page) => page.getByTestId('pipeline-status').waitFor()],
  ['job', () => `/projects/${projectId}/jobs/${jobId}`, (page) => page.getByTestId('job-log').waitFor()],
  ['environments', () => `/projects/${projectId}/environments`, (page) => page.getByRole('heading', { name: 'Environments' }).waitFor()],
  ['issue', () => `/projects/${projectId}/issues/${issueIid}`, (page) => page.getByTestId('issue-title').waitFor()],
  ['issue-board', () => `/projects/${projectId}/issues/board`, (page) => page.getByRole('heading', { name: 'Issue board' }).waitFor()],
  ['settings-webhooks', () => `/projects/${projectId}/settings?tab=webhooks`, (page) => page.getByRole('tab', { name: 'webhooks', selected: true }).waitFor()],
  ['settings-cicd', () => `/projects/${projectId}/settings?tab=ci%2Fcd`, (page) => page.getByRole('heading', { name: 'Pipeline trigger tokens' }).waitFor()],
  ['settings-audit', () => `/projects/${projectId}/settings?tab=audit`, (page) => page.getByTestId('audit-log').waitFor()],
  [
    'environment',
    () => `/projects/${projectId}/environments/${environmentId}`,
    (page) =>
      page
        .getByRole('heading', { name: /staging/ })
        .first()
        .waitFor(),
  ],
  ['admin-member-roles', () => '/admin/member-roles', (page) => page.getByRole('heading', { name: 'Administration' }).waitFor()],
  ['settings-sso', () => `/projects/${projectId}/settings?tab=single%20sign-on`, (page) => page.getByRole('tab', { name: 'single sign-on', selected: true }).waitFor()],
  ['settings-tokens', () => `/projects/${projectId}/settings?tab=tokens`, (page) => page.getByRole('tab', { name: 'tokens', selected: true }).waitFor()],
  ['settings-registry', () => `/projects/${projectId}/settings?tab=registry`, (page) => page.getByRole('tab', { name: 'registry', selected: true }).waitFor()],
  ['run-params', () => `/projects/${projectId}/runs/${runIds[0]}?tab=params`, (page) => page.getByRole('tab', { name: 'params', selected: true }).waitFor()],
  ['run-tags', () => `/projects/${projectId}/runs/${runIds[0]}?tab=tags`, (page) => page.getByRole('tab', { name: 'tags', selected: true }).waitFor()],
  ['run-inputs', () => `/projects/${projectId}/runs/${runIds[0]}?tab=inputs`, (page) => page.getByRole('tab', { name: 'inputs', selected: true }).waitFor()],
  ['runners', () => '/runners', (page) => page.getByRole('heading', { name: 'Runners' }).waitFor()],
  ['admin-users', () => '/admin/users', (page) => page.getByRole('heading', { name: 'Administration' }).waitFor()],
  ['admin-projects', () => '/admin/projects', (page) => page.getByRole('heading', { name: 'Administration' }).waitFor()],
  ['user-password', () => '/user/settings/password', (page) => page.getByRole('heading', { name: 'Your settings' }).waitFor()],
  ['not-found', () => `/projects/${projectId}/runs/no-such-run`, (page) => page.getByRole('heading', { name: 'Run not found' }).waitFor()],
];

describe('the addresses the API gives', () => {
  it('open real pages: a project’s, a pipeline’s, a job’s and an issue’s web_url, a package’s web_path', async () => {
    const root = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
    const project = await root.call<{ web_url: string }>('GET', `/api/v4/projects/${projectId}`);
    const pipeline = await root.call<{ web_url: string }>('GET', `/api/v4/projects/${projectId}/pipelines/${pipelineId}`);
    const job = await root.call<{ web_url: string }>('GET', `/api/v4/projects/${projectId}/jobs/${jobId}`);
    const issue = await root.call<{ web_url: string }>('GET', `/api/v4/projects/${projectId}/issues/${issueIid}`);
    const pkg = await root.call<{ _links: { web_path: string } }>('GET', `/api/v4/projects/${projectId}/packages/${packageId}`);
    const page = await h.newPage();
    await h.signIn(page, 'owner');
    const opened: [string, (p: Page) => Promise<unknown>][] = [
      [project.web_url, (p) => p.getByRole('link', { name: 'checked' }).waitFor()],
      [pipeline.web_url, (p) => p.getByTestId('pipeline-status').waitFor()],
      [job.web_url, (p) => p.getByTestId('job-log').waitFor()],
      [issue.web_url, (p) => p.getByTestId('issue-title').waitFor()],
      [`${h.base}${pkg._links.web_path}`, (p) => p.getByTestId('package-files').waitFor()],
    ];
    for (const [url, loaded] of opened) {
      expect(url.startsWith(h.base), url).toBe(true);
      await page.goto(url);
      await loaded(page);
    }
    await page.close();
  });
});

describe('accessibility (axe-core)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`finds no serious or critical violation on the main pages, ${scheme}`, async () => {
      const page = await h.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${h.base}/`);
      await page.getByLabel('Username').waitFor();
      const signIn = await checkAccessibility(page, `sign-in (${scheme})`);
      await h.shot(page, `sign-in-${scheme}`);
      await h.signIn(page, 'owner');
      const blocking: Record<string, unknown> = signIn.blocking.length ? { 'sign-in': signIn.blocking } : {};
      for (const [name, address, loaded] of PAGES) {
        await page.goto(`${h.base}${address()}`);
        await loaded(page);
        await h.shot(page, `${name}-${scheme}`);
        const findings = await checkAccessibility(page, `${name} (${scheme})`);
        if (findings.blocking.length) blocking[name] = findings.blocking;
        // Icons are drawn by the app: no character that only an emoji or symbol font has.
        const symbols = (await page.locator('body').innerText()).match(FONT_DEPENDENT_SYMBOLS);
        if (symbols) blocking[`${name} symbols`] = symbols;
      }
      expect(blocking).toEqual({});
      await page.close();
    }, 420_000);
  }

  it('holds every page at a phone’s width of 375 px: nothing pushes the page sideways (wide tables scroll in their own box)', async () => {
    const page = await h.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await h.signIn(page, 'owner');
    const overflowing: Record<string, string[]> = {};
    for (const [name, address, loaded] of PAGES) {
      await page.goto(`${h.base}${address()}`);
      await loaded(page);
      const width = await page.locator('html').evaluate((el) => el.scrollWidth);
      // The innermost elements past the edge, named, so that a failure says what to fix.
      if (width > 375) overflowing[name] = await page.locator('body').evaluate(widestElements);
      await h.shot(page, `${name}-375px`);
    }
    expect(overflowing).toEqual({});
    await page.close();
  }, 420_000);
});
