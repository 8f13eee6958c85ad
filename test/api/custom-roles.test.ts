import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { modelWithVersions } from '../support/serving.ts';
import { changedTables, snapshotTables } from '../support/table-snapshot.ts';

/**
 * Custom roles (GitLab's member roles): administrators define them, maintainers give them to
 * members whose level is the role's base, and the policy adds their abilities for people only.
 */
let t: TestApp;
let admin: TestUser;
let owner: TestUser;
let person: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.createUser('roles-admin', { admin: true });
  owner = await t.createUser('roles-owner');
  person = await t.createUser('roles-person');
});

afterAll(async () => {
  await t?.close();
});

interface MemberRole {
  id: number;
  name: string;
  base_access_level: number;
  approve_model_versions: boolean;
  read_code: boolean;
  abilities: string[];
}

async function createRole(payload: Record<string, unknown>, token = admin.token) {
  return t.call({ method: 'POST', url: '/api/v4/member_roles', token, payload });
}

async function newRole(payload: Record<string, unknown>): Promise<MemberRole> {
  const res = await createRole(payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as MemberRole;
}

async function auditActions(): Promise<string[]> {
  const rows = await t.services.database.db.selectFrom('audit_events').select('action').orderBy('id').execute();
  return rows.map((r) => r.action);
}

describe('the member roles API', () => {
  it('creates a role with GitLab field names, lists it to signed-in people and audits it', async () => {
    const role = await newRole({ name: 'Approving reporter', description: 'decides on versions', base_access_level: 20, approve_model_versions: true });
    expect(role).toMatchObject({
      name: 'Approving reporter',
      description: 'decides on versions',
      group_id: null,
      base_access_level: 20,
      approve_model_versions: true,
      read_code: false,
      abilities: ['registry:approve'],
    });
    const listed = await t.call({ method: 'GET', url: '/api/v4/member_roles', token: person.token });
    expect(listed.statusCode).toBe(200);
    expect((listed.json() as MemberRole[]).map((r) => r.name)).toContain('Approving reporter');
    expect(await auditActions()).toContain('member_role.created');
  });

  it('lets only administrators create or delete roles', async () => {
    const before = await snapshotTables(t.services.database.db);
    expect((await createRole({ name: 'Sneaky', base_access_level: 10, read_code: true }, person.token)).statusCode).toBe(403);
    expect((await t.call({ method: 'DELETE', url: '/api/v4/member_roles/1', token: person.token })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/api/v4/member_roles' })).statusCode).toBe(401);
    expect(changedTables(before, await snapshotTables(t.services.database.db)).filter((c) => !c.startsWith('audit_events'))).toEqual([]);
  });

  it.each([
    ['an unknown ability', { name: 'Unknown', base_access_level: 20, delete_everything: true }, /delete_everything|additional/i],
    ['a base level out of range', { name: 'Too high', base_access_level: 40, read_code: true }, /base_access_level/],
    ['an owner base level', { name: 'Owner plus', base_access_level: 50, read_code: true }, /base_access_level/],
    ['an unknown base level', { name: 'Odd', base_access_level: 25, read_code: true }, /base_access_level/],
    ['no extra ability', { name: 'Plain', base_access_level: 20 }, /at least one ability/],
    ['an ability the base role has', { name: 'Redundant', base_access_level: 20, read_code: true }, /reporter role already has it/],
    ['an ability without the one it requires', { name: 'Blind deployer', base_access_level: 10, deploy: true }, /deploy requires read_deployments/],
    ['a blank name', { name: '   ', base_access_level: 20, approve_model_versions: true }, /name/],
  ])('refuses %s with a 400 and changes nothing', async (_case, payload, message) => {
    const before = await snapshotTables(t.services.database.db);
    const res = await createRole(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toMatch(message);
    expect(changedTables(before, await snapshotTables(t.services.database.db))).toEqual([]);
  });

  it('refuses a duplicate name with a 409 and changes nothing', async () => {
    await newRole({ name: 'Twice', base_access_level: 10, read_code: true });
    const before = await snapshotTables(t.services.database.db);
    const again = await createRole({ name: 'Twice', base_access_level: 20, approve_model_versions: true });
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatch(/already exists/);
    expect(changedTables(before, await snapshotTables(t.services.database.db))).toEqual([]);
  });

  it('deletes a role nobody holds, and answers 404 for a missing one', async () => {
    const role = await newRole({ name: 'Short-lived', base_access_level: 10, read_code: true });
    expect((await t.call({ method: 'DELETE', url: `/api/v4/member_roles/${role.id}`, token: admin.token })).statusCode).toBe(204);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/member_roles/${role.id}`, token: admin.token })).statusCode).toBe(404);
    expect(await auditActions()).toContain('member_role.deleted');
  });
});

describe('custom roles on members', () => {
  it('assigns a role on POST and PUT, returns member_role_id, refuses a mismatched level, and refuses to delete a role in use', async () => {
    const role = await newRole({ name: 'Reporter who approves', base_access_level: 20, approve_model_versions: true });
    const developerRole = await newRole({ name: 'Developer with CI variables', base_access_level: 30, read_cicd_settings: true, admin_cicd_variables: true });
    const project = await t.createProject(owner.token, 'custom-role-members');
    const members = `/api/v4/projects/${project.id}/members`;

    const mismatched = await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: person.id, access_level: 30, member_role_id: role.id } });
    expect(mismatched.statusCode).toBe(400);
    expect(mismatched.body).toMatch(/base_access_level \(20\) must equal the member's access_level \(30\)/);
    const unknown = await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: person.id, access_level: 20, member_role_id: 999999 } });
    expect(unknown.statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: `${members}/${person.id}`, token: owner.token })).statusCode).toBe(404);

    const added = await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: person.id, access_level: 20, member_role_id: role.id } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ access_level: 20, member_role_id: role.id });
    const listed = await t.call({ method: 'GET', url: members, token: person.token });
    expect((listed.json() as { id: number; member_role_id: number | null }[]).find((m) => m.id === person.id)?.member_role_id).toBe(role.id);

    const inUse = await t.call({ method: 'DELETE', url: `/api/v4/member_roles/${role.id}`, token: admin.token });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.body).toMatch(/assigned to 1 member/);

    // The same level without member_role_id keeps the role; another level drops it; a fitting one is set.
    expect((await t.call({ method: 'PUT', url: `${members}/${person.id}`, token: owner.token, payload: { access_level: 20 } })).json()).toMatchObject({ member_role_id: role.id });
    const promoted = await t.call({ method: 'PUT', url: `${members}/${person.id}`, token: owner.token, payload: { access_level: 30, member_role_id: developerRole.id } });
    expect(promoted.json()).toMatchObject({ access_level: 30, member_role_id: developerRole.id });
    expect((await t.call({ method: 'PUT', url: `${members}/${person.id}`, token: owner.token, payload: { access_level: 40 } })).json()).toMatchObject({ access_level: 40, member_role_id: null });
    const wrong = await t.call({ method: 'PUT', url: `${members}/${person.id}`, token: owner.token, payload: { access_level: 40, member_role_id: role.id } });
    expect(wrong.statusCode).toBe(400);
    expect((await t.call({ method: 'DELETE', url: `/api/v4/member_roles/${role.id}`, token: admin.token })).statusCode).toBe(204);
    expect(await auditActions()).toEqual(expect.arrayContaining(['member.added', 'member.access_level_changed']));
  });

  it('records a change of custom role alone as its own audit entry and event', async () => {
    const role = await newRole({ name: 'Guest who reads code', base_access_level: 10, read_code: true });
    const project = await t.createProject(owner.token, 'custom-role-change');
    await t.addMember(project.id, person.id, 10);
    const res = await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}/members/${person.id}`, token: owner.token, payload: { access_level: 10, member_role_id: role.id } });
    expect(res.json()).toMatchObject({ member_role_id: role.id });
    const entry = await t.services.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'member.member_role_changed').where('project_id', '=', project.id).executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toEqual({ from: null, to: role.id });
    const event = await t.services.database.db.selectFrom('events').selectAll().where('type', '=', 'project.member.updated').where('project_id', '=', project.id).executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toMatchObject({ user_id: person.id, access_level: 10, member_role_id: role.id });
  });

  it("grants the role's abilities to the person's session and tokens within their scopes, never to the project's bots", async () => {
    const role = await newRole({ name: 'Approver (scopes)', base_access_level: 20, approve_model_versions: true });
    const project = await t.createProject(owner.token, 'custom-role-scopes');
    const approver = await t.createUser('roles-approver');
    const readOnly = await t.createUser('roles-approver-read', { scopes: ['read_api'] });
    for (const user of [approver, readOnly]) {
      const res = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: owner.token, payload: { user_id: user.id, access_level: 20, member_role_id: role.id } });
      expect(res.statusCode).toBe(201);
    }
    // registry:approve route: approving a version that does not exist reaches the handler (404 of the version), or is refused (403).
    const approve = (token: string) => t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/ml/models/999999/versions/1/approve`, token, payload: {} });
    const allowed = await approve(approver.token);
    expect(allowed.statusCode, allowed.body).toBe(404);
    expect(allowed.body).toMatch(/model/i);
    // The project says what the role adds, for the web UI to offer it.
    const seen = await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}`, token: approver.token });
    expect(seen.json()).toMatchObject({ permissions: { project_access: { access_level: 20 }, custom_abilities: ['registry:approve'] } });
    const scoped = await approve(readOnly.token);
    expect(scoped.statusCode).toBe(403);
    expect(scoped.body).toMatch(/insufficient_scope/);
    // A bot cannot hold a custom role.
    const bot = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/access_tokens`, token: owner.token, payload: { name: 'bot', scopes: ['api'], access_level: 20 } });
    expect(bot.statusCode, bot.body).toBe(201);
    const botUser = (bot.json() as { user_id: number }).user_id;
    const botRole = await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}/members/${botUser}`, token: owner.token, payload: { access_level: 20, member_role_id: role.id } });
    expect(botRole.statusCode).toBe(400);
    expect(botRole.body).toMatch(/bot holds a base role only/);
  });

  it('makes nothing of a role whose base no longer matches the member (a level changed by a rule)', async () => {
    const role = await newRole({ name: 'Approver (stale)', base_access_level: 20, approve_model_versions: true });
    const project = await t.createProject(owner.token, 'custom-role-stale');
    const stale = await t.createUser('roles-stale');
    await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: owner.token, payload: { user_id: stale.id, access_level: 20, member_role_id: role.id } });
    await t.services.database.db.updateTable('members').set({ access_level: 10 }).where('user_id', '=', stale.id).execute();
    const res = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/ml/models/999999/versions/1/approve`, token: stale.token, payload: {} });
    expect(res.statusCode).toBe(403);
  });

  it('lets a developer whose role adds deploy_to_protected_environments deploy where maintainers may, and not where only owners may', async () => {
    const role = await newRole({ name: 'Release developer', base_access_level: 30, deploy_to_protected_environments: true });
    expect(role.abilities).toEqual(['deployments:protected']);
    const project = await t.createProject(owner.token, 'custom-role-deploy');
    await modelWithVersions(t, project.id, 'churn', 1, owner.token);
    const releaser = await t.createUser('roles-releaser');
    const plain = await t.createUser('roles-plain-developer');
    const members = `/api/v4/projects/${project.id}/members`;
    expect((await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: releaser.id, access_level: 30, member_role_id: role.id } })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: members, token: owner.token, payload: { user_id: plain.id, access_level: 30 } })).statusCode).toBe(201);
    for (const [name, level] of [
      ['production', 40],
      ['vault', 50],
    ] as const) {
      const protectedEnv = await t.call({
        method: 'POST',
        url: `/api/v4/projects/${project.id}/protected_environments`,
        token: owner.token,
        payload: { name, deploy_access_levels: [{ access_level: level }] },
      });
      expect(protectedEnv.statusCode, protectedEnv.body).toBe(201);
    }
    const deploy = (environment: string, token: string) => t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/deployments`, token, payload: { environment, model: 'churn', version: '1' } });
    const refusedPlain = await deploy('production', plain.token);
    expect(refusedPlain.statusCode, refusedPlain.body).toBe(403);
    const allowed = await deploy('production', releaser.token);
    expect(allowed.statusCode, allowed.body).toBe(201);
    const ownersOnly = await deploy('vault', releaser.token);
    expect(ownersOnly.statusCode, ownersOnly.body).toBe(403);
  });
});
