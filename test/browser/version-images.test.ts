import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionImageNative } from '../../src/registry/contract.ts';
import { checkAccessibility } from '../support/accessibility.ts';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * The "Images" section of a version's page: the build context's download, the pipeline file
 * that builds the image (copyable, and a valid pipeline file), and the images recorded on the
 * version — one recorded by a person, one by a CI job with its token — newest build first with
 * their reference, digest, size, base, build time and job; another version's empty state; axe;
 * a phone's width.
 */
let h: BrowserHarness;
let seed: Seeder;
let owner: { id: number; token: string };
let projectId: number;
let modelId: number;
let jobId: number;

const HOUR = 3600_000;
const byHand = {
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 123_456_789,
  base: 'localhost/modelyard-model-base:aeef75bf2134ba96',
  reference: 'registry.example.com:5000/team/clf:1.0.0',
  tags: ['1.0.0', 'latest'],
  built_at: new Date(Date.now() - 50 * HOUR).toISOString(),
};
const byJob = {
  digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
  size: 704_643_072,
  base: 'localhost/modelyard-model-base:latest',
  reference: 'localhost/modelyard/project-1/model-1',
  tags: ['1'],
  built_at: new Date(Date.now() - 3 * HOUR).toISOString(),
};

beforeAll(async () => {
  h = await BrowserHarness.start('version-images');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  owner = await seed.user('iris', BROWSER_PASSWORD);
  const project = (path: string) => `/api/v4/projects/${projectId}${path}`;
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Images', path: 'images' }, owner.token)).id;
  modelId = (await seed.call<{ id: number }>('POST', project('/ml/models'), { name: 'clf' }, owner.token)).id;
  const first = await seed.call<{ id: number }>('POST', project(`/ml/models/${modelId}/versions`), { semver: '1.0.0' }, owner.token);
  // The build context holds the version's files: version 1 gets one.
  const upload = await fetch(`${h.base}${project(`/packages/ml_models/${first.id}/files/MLmodel`)}`, {
    method: 'PUT',
    headers: { 'private-token': owner.token, 'content-type': 'application/octet-stream' },
    body: 'flavors:\n  sklearn: {}\n',
  });
  expect(upload.status, await upload.text()).toBe(201);
  await seed.call('POST', project(`/ml/models/${modelId}/versions`), { semver: '1.1.0' }, owner.token);
  // A person records one image, built two days ago.
  const recorded = await seed.call<VersionImageNative>('POST', project(`/ml/models/${modelId}/versions/1/images`), byHand, owner.token);
  expect(recorded.job_id).toBeNull();
  // A CI job records the other with its job token, as the Modelyard/Image template's job does: a runner played by hand takes it.
  const runner = (await seed.call<{ token: string }>('POST', '/api/v4/user/runners', { runner_type: 'instance_type', description: 'by hand', run_untagged: true })).token;
  await seed.call('PUT', project('/ci/config'), { content: 'build-image:\n  script: [podman build context]\n' }, owner.token);
  await seed.call('POST', project('/pipeline'), { ref: 'main' }, owner.token);
  const taken = await fetch(`${h.base}/api/v4/jobs/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: runner, info: { version: 'test' } }) });
  expect(taken.status, await taken.clone().text()).toBe(201);
  const job = (await taken.json()) as { id: number; token: string };
  jobId = job.id;
  const res = await fetch(`${h.base}${project(`/ml/models/${modelId}/versions/1/images`)}`, {
    method: 'POST',
    headers: { 'job-token': job.token, 'content-type': 'application/json' },
    body: JSON.stringify(byJob),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  expect(((await res.json()) as VersionImageNative).job_id).toBe(job.id);
}, 240_000);

afterAll(async () => {
  await h?.stop();
});

async function openVersion(version: number, width?: number): Promise<Page> {
  const page = await h.newPage();
  if (width) await page.setViewportSize({ width, height: 800 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.base });
  await h.signIn(page, 'iris');
  await page.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/${version}`);
  await page.getByRole('heading', { name: 'Images' }).waitFor();
  return page;
}

// The test's tsconfig has no DOM types: the page's clipboard, typed by hand.
type WithClipboard = { navigator: { clipboard: { readText(): Promise<string> } } };
const clipboard = (page: Page) => page.evaluate(() => (globalThis as unknown as WithClipboard).navigator.clipboard.readText());

describe("a version's images", () => {
  it('lists the recorded images newest build first, with their reference, digest, size, base, build time and job', async () => {
    const page = await openVersion(1);
    const table = page.getByTestId('version-images');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const [newest, oldest] = [rows.nth(0), rows.nth(1)];

    // The CI job's image, built three hours ago, comes first.
    expect(await newest.locator('td').nth(0).textContent()).toBe(`${byJob.reference}1`);
    const shortJob = newest.locator('td').nth(1).locator('code');
    expect(await shortJob.textContent()).toBe('sha256:0123456789ab');
    expect(await shortJob.getAttribute('title')).toBe(byJob.digest);
    expect(await newest.locator('td').nth(2).textContent()).toBe('672 MiB');
    expect(await newest.locator('td').nth(3).textContent()).toBe(byJob.base);
    const built = newest.locator('time');
    expect(await built.textContent()).toBe('3 h ago');
    expect(await built.getAttribute('title')).toBe(await page.evaluate((iso) => new Date(iso).toLocaleString(), byJob.built_at));
    const jobLink = newest.getByRole('link', { name: `job #${jobId}` });
    expect(await jobLink.getAttribute('href')).toBe(`/projects/${projectId}/jobs/${jobId}`);

    // The person's, two days old, with its tags and no job.
    expect(await oldest.locator('td').nth(0).textContent()).toBe(`${byHand.reference}1.0.0latest`);
    expect(await oldest.locator('td').nth(1).locator('code').textContent()).toBe('sha256:abababababab');
    expect(await oldest.locator('td').nth(2).textContent()).toBe('118 MiB');
    expect(await oldest.locator('td').nth(2).getAttribute('title')).toBe(`${await page.evaluate((n) => n.toLocaleString(), byHand.size)} bytes`);
    expect(await oldest.locator('time').textContent()).toBe('2 d ago');
    expect(await oldest.locator('td').nth(5).textContent()).toBe('by hand');
    expect(await oldest.getByRole('link').count()).toBe(0);

    // The whole digest is copied, not the short one shown.
    await oldest.getByRole('button', { name: `Copy digest ${byHand.digest}` }).click();
    await oldest.getByRole('status').getByText('Copied').waitFor();
    expect(await clipboard(page)).toBe(byHand.digest);

    // The build context downloads with the page's session.
    const download = page.getByRole('link', { name: 'Download the build context' });
    const href = await download.getAttribute('href');
    expect(href).toBe(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/image-context`);
    const context = await page.request.get(`${h.base}${href}`);
    expect(context.status()).toBe(200);
    expect(context.headers()['content-type']).toBe('application/gzip');
    expect([...(await context.body()).subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    // The pipeline file shown is copied whole, and the server takes it as a valid one that includes the image template.
    const template = (await page.locator('pre.image-pipeline').textContent())!;
    expect(template).toContain('template: Modelyard/Image.gitlab-ci.yml');
    await page.getByRole('button', { name: 'Copy the pipeline file' }).click();
    await page.getByRole('status').getByText('Copied').first().waitFor();
    expect(await clipboard(page)).toBe(template);
    const lint = await seed.call<{ valid: boolean; errors: string[]; stages: string[] }>('POST', `/api/v4/projects/${projectId}/ci/lint`, { content: template }, owner.token);
    expect(lint).toMatchObject({ valid: true, errors: [], stages: expect.arrayContaining(['image']) });

    await h.shot(page, 'version-images');
    // No violation at all, not even a moderate or minor one.
    expect(await checkAccessibility(page, 'version images')).toMatchObject({ blocking: [], others: 0 });

    await jobLink.click();
    await page.waitForURL(`${h.base}/projects/${projectId}/jobs/${jobId}`);
    await page.getByText('build-image').first().waitFor();
    await page.close();
  });

  it('says so when a version has no image', async () => {
    const page = await openVersion(2);
    await page.getByText('No image built of this version yet.').waitFor();
    expect(await page.getByTestId('version-images').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Download the build context' }).getAttribute('href')).toBe(`/api/v4/projects/${projectId}/ml/models/${modelId}/versions/2/image-context`);
    expect(await checkAccessibility(page, 'version images: none')).toMatchObject({ blocking: [], others: 0 });
    await page.close();
  });

  it('holds at a phone’s width of 375 px: the table scrolls in its own box, nothing pushes the page sideways', async () => {
    const page = await openVersion(1, 375);
    await page.getByTestId('version-images').waitFor();
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    await h.shot(page, 'version-images-375px');
    await page.close();
  });
});
