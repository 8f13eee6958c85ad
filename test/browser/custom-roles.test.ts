import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserHarness, BROWSER_ADMIN_TOKEN, BROWSER_PASSWORD, until } from '../support/browser.ts';
import { Seeder } from '../support/seed.ts';

/**
 * Custom roles in the browser: an administrator defines one, a project's owner gives it to a
 * member on the members page, and deleting it is refused while the member holds it.
 */
let h: BrowserHarness;
let seed: Seeder;
let nora: { id: number; token: string };
let projectId: number;

interface Member {
  username: string;
  access_level: number;
  member_role_id: number | null;
}

beforeAll(async () => {
  h = await BrowserHarness.start('custom-roles');
  seed = new Seeder(h.base, BROWSER_ADMIN_TOKEN);
  await seed.call('POST', '/api/v4/users', { username: 'ada', password: BROWSER_PASSWORD, admin: true });
  nora = await seed.user('nora', BROWSER_PASSWORD);
  await seed.user('oscar', BROWSER_PASSWORD);
  projectId = (await seed.call<{ id: number }>('POST', '/api/v4/projects', { name: 'Vision', path: 'vision' }, nora.token)).id;
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

const membersOfVision = () => seed.call<Member[]>('GET', `/api/v4/projects/${projectId}/members`, undefined, nora.token);

describe('custom roles', () => {
  it('are defined by an administrator, given to a member by the owner, and kept while held', async () => {
    const admin = await h.newPage();
    await h.signIn(admin, 'ada');
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('link', { name: 'Custom roles' }).click();
    await admin.getByText('No custom roles yet.').waitFor();
    await admin.getByLabel('Name').fill('Approver');
    await admin.getByLabel('Description').fill('a reporter who decides on versions');
    await admin.getByLabel('Base role').selectOption('reporter');
    await admin.getByLabel('Approve model versions').check();
    await admin.getByRole('button', { name: 'Create role' }).click();
    const row = admin.getByTestId('member-role-Approver');
    await row.waitFor();
    expect(await row.textContent()).toContain('reporter');
    expect(await row.textContent()).toContain('Approve model versions');

    // A base role's own ability is refused, with the server's reason.
    await admin.getByLabel('Name').fill('Redundant');
    await admin.getByLabel('Base role').selectOption('reporter');
    await admin.getByLabel('Read the linked repository').check();
    await admin.getByRole('button', { name: 'Create role' }).click();
    await admin
      .getByRole('alert')
      .getByText(/already has it/)
      .waitFor();
    await h.shot(admin, 'custom-roles-01-admin');

    const owner = await h.newPage();
    await h.signIn(owner, 'nora');
    await owner.goto(`${h.base}/projects/${projectId}/settings`);
    await owner.getByLabel('Username to add').fill('oscar');
    await owner.getByLabel('Role to give').selectOption({ label: 'reporter + Approver' });
    await owner.getByRole('button', { name: 'Add member' }).click();
    await owner.getByLabel('Role of oscar').waitFor();
    const roleId = (await seed.call<{ id: number; name: string }[]>('GET', '/api/v4/member_roles')).find((r) => r.name === 'Approver')!.id;
    expect((await membersOfVision()).find((m) => m.username === 'oscar')).toMatchObject({ access_level: 20, member_role_id: roleId });
    expect(await owner.getByLabel('Role of oscar').inputValue()).toBe(`20:${roleId}`);
    await h.shot(owner, 'custom-roles-02-members');

    // The role's extra ability shows: a reporter holding it gets the approve button.
    const modelId = (await seed.call<{ id: number }>('POST', `/api/v4/projects/${projectId}/ml/models`, { name: 'segmenter' }, nora.token)).id;
    await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions`, {}, nora.token);
    await seed.call('POST', `/api/v4/projects/${projectId}/ml/models/${modelId}/versions/1/approval_requests`, { comment: 'ready' }, nora.token);
    const approver = await h.newPage();
    await h.signIn(approver, 'oscar');
    await approver.goto(`${h.base}/projects/${projectId}/models/${modelId}/versions/1`);
    await approver.getByRole('button', { name: 'Approve' }).click();
    await until(async () => (await approver.getByTestId('approval-status').textContent()) === 'approved', 'the approval');
    expect(await approver.getByTestId('approval-history').textContent()).toContain('approved by oscar');
    await h.shot(approver, 'custom-roles-03-approved-by-reporter');
    await approver.close();

    // Held: the administrator cannot delete it.
    await admin.getByRole('button', { name: 'Delete Approver' }).click();
    await admin
      .getByRole('alert')
      .getByText(/assigned to 1 member/)
      .waitFor();

    // Back to the plain base role; then the role can go.
    await owner.getByLabel('Role of oscar').selectOption({ label: 'reporter' });
    await until(async () => (await membersOfVision()).some((m) => m.username === 'oscar' && m.member_role_id === null), 'oscar a plain reporter');
    await admin.getByRole('button', { name: 'Delete Approver' }).click();
    await admin.getByText('No custom roles yet.').waitFor();
    await admin.close();
    await owner.close();
  });
});
