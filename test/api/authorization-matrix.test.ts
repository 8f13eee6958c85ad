import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITIES } from '../../src/auth/abilities.ts';
import type { RouteEntry } from '../../src/auth/authorization-hook.ts';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { createInstanceRunner, createProjectBot, createTrigger, startJob } from '../support/credentials.ts';
import {
  CUSTOM_ROLE_PERSONA_NAMES,
  CUSTOM_ROLE_PERSONAS,
  customRoleOutcome,
  EXPECTED_ON_INTERNAL,
  EXPECTED_ON_PUBLIC,
  EXPECTED_OUTCOMES,
  PERSONAS,
  protocolOutcome,
  ROUTE_ABILITIES,
  type CustomRolePersona,
  type Outcome,
  type Persona,
} from './authorization-expectations.ts';

/**
 * Walks every route the server registered and calls it as each kind of caller (people of each
 * role, project bots, job tokens, and secrets that are no caller's credential) against a
 * private project, then every project route against an internal and a public one. The expected
 * outcome of each (ability, caller) pair is written out in authorization-expectations.ts,
 * independently of the policy code; a route missing from that table fails the first test.
 */
let t: TestApp;
let other: TestUser;
const people = {} as Record<'guest' | 'reporter' | 'developer' | 'maintainer' | 'owner', TestUser>;
/** Members holding a custom role, and the role's id. */
const customMembers = {} as Record<CustomRolePersona, { user: TestUser; roleId: number }>;
/** Everyone the walks call: the personas of the tables, then the custom-role ones. */
type Caller = Persona | CustomRolePersona;
const CALLERS: readonly Caller[] = [...PERSONAS, ...CUSTOM_ROLE_PERSONA_NAMES];
let adminUser: TestUser;
let runnerToken: string;
/** A paused runner for the routes that name one (:runner_id), so that the one taking jobs survives the admin's DELETE. */
let targetRunnerId: number;
let triggerToken: string;
/** The other project's bot and running job, for the other_project_* personas. */
let outsider: Fixture;
/** The user that `/users/:user_id` routes act on: blocking the guest would change the guest's own outcomes. */
let targetUser: TestUser;

type Visibility = 'private' | 'internal' | 'public';
const LEVELS = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

/** A project with a member of each role; its bot and a running job are made when first asked for. */
interface Fixture {
  projectId: number;
  bot?: string;
  job?: string;
}

beforeAll(async () => {
  t = await startTestApp();
  for (const role of Object.keys(LEVELS) as (keyof typeof LEVELS)[]) people[role] = await t.createUser(`matrix-${role}`);
  other = await t.createUser('matrix-outsider');
  adminUser = await t.createUser('matrix-admin', { admin: true });
  runnerToken = await createInstanceRunner(t);
  const target = await t.call({ method: 'POST', url: '/api/v4/user/runners', token: ADMIN_TOKEN, payload: { runner_type: 'instance_type', description: 'matrix target', paused: true } });
  targetRunnerId = (target.json() as { id: number }).id;
  const outsiderProject = await t.createProject(other.token, 'outsider-project');
  outsider = { projectId: outsiderProject.id, bot: (await createProjectBot(t, outsiderProject.id)).token, job: (await startJob(t, outsiderProject.id, runnerToken)).token };
  triggerToken = await createTrigger(t, outsiderProject.id);
  targetUser = await t.createUser('matrix-target');
  for (const persona of CUSTOM_ROLE_PERSONA_NAMES) {
    const { base_access_level, fields } = CUSTOM_ROLE_PERSONAS[persona];
    const role = await t.call({ method: 'POST', url: '/api/v4/member_roles', token: ADMIN_TOKEN, payload: { name: persona, base_access_level, ...fields } });
    if (role.statusCode !== 201) throw new Error(`could not create the custom role ${persona}: ${role.body}`);
    customMembers[persona] = { user: await t.createUser(`matrix-${persona}`), roleId: (role.json() as { id: number }).id };
  }
});

afterAll(async () => {
  await t?.close();
});

/**
 * A project with a member of each role (`only`: with the guest, whom member routes name, and
 * that one role only, for a project made for a single call).
 */
async function freshProject(visibility: Visibility = 'private', only?: Caller): Promise<Fixture> {
  const project = await t.createProject(people.owner.token, `m-${Math.random().toString(36).slice(2, 10)}`, visibility);
  const onlyRole = only === 'maintainer_session' || only === 'maintainer_read_api' ? 'maintainer' : only;
  for (const role of ['guest', 'reporter', 'developer', 'maintainer'] as const) {
    if (onlyRole === undefined || role === 'guest' || role === onlyRole) await t.addMember(project.id, people[role].id, LEVELS[role]);
  }
  for (const persona of CUSTOM_ROLE_PERSONA_NAMES) {
    if (only !== undefined && only !== persona) continue;
    const { user, roleId } = customMembers[persona];
    const payload = { user_id: user.id, access_level: CUSTOM_ROLE_PERSONAS[persona].base_access_level, member_role_id: roleId };
    const added = await t.call({ method: 'POST', url: `/api/v4/projects/${project.id}/members`, token: ADMIN_TOKEN, payload });
    if (added.statusCode !== 201) throw new Error(`could not add ${persona}: ${added.body}`);
  }
  return { projectId: project.id };
}

function isCustomRolePersona(caller: Caller): caller is CustomRolePersona {
  return Object.hasOwn(CUSTOM_ROLE_PERSONAS, caller);
}

function userOf(persona: 'other_project_member' | 'admin' | keyof typeof people | CustomRolePersona): TestUser {
  if (persona === 'other_project_member') return other;
  if (persona === 'admin') return adminUser;
  if (isCustomRolePersona(persona)) return customMembers[persona].user;
  return people[persona];
}

const cachedCredentials = new Map<string, Record<string, string>>();

/** A credential made once and reused, or made anew when the call may spend it (revoking "self", signing out). */
async function reusable(key: string, spends: boolean, make: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
  const cached = cachedCredentials.get(key);
  if (cached && !spends) return cached;
  const made = await make();
  if (!spends) cachedCredentials.set(key, made);
  return made;
}

async function tokenOf(user: TestUser, scope: 'api' | 'read_api'): Promise<Record<string, string>> {
  const created = await t.services.tokens.create({ userId: user.id, kind: 'personal' }, { name: 'matrix', scopes: [scope] }, null);
  return { 'private-token': created.secret };
}

async function sessionOf(user: TestUser): Promise<Record<string, string>> {
  const res = await t.call({ method: 'POST', url: '/api/v4/session', payload: { login: user.username, password: user.password } });
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  return { cookie, 'x-csrf-token': (res.json() as { csrf_token: string }).csrf_token };
}

/**
 * The headers that present a persona's credential on a project's fixture. `spends`: the call
 * may use the credential up (revoking "self", signing out), so it gets one of its own.
 */
async function credentialOf(persona: Caller, fixture: Fixture, spends: boolean): Promise<Record<string, string>> {
  switch (persona) {
    case 'anonymous':
      return {};
    case 'project_bot':
      fixture.bot ??= (await createProjectBot(t, fixture.projectId)).token;
      return { 'private-token': fixture.bot };
    case 'job_token':
      fixture.job ??= (await startJob(t, fixture.projectId, runnerToken)).token;
      return { 'job-token': fixture.job };
    case 'other_project_bot':
      return { 'private-token': spends ? (await createProjectBot(t, outsider.projectId)).token : outsider.bot! };
    case 'other_project_job':
      return { 'job-token': outsider.job! };
    case 'trigger_token':
      return { 'private-token': triggerToken };
    case 'runner_token':
      return { 'private-token': runnerToken };
    case 'maintainer_session':
      return reusable('session', spends, () => sessionOf(people.maintainer));
    case 'maintainer_read_api':
      return reusable('read_api', spends, () => tokenOf(people.maintainer, 'read_api'));
    default:
      return reusable(persona, spends, () => tokenOf(userOf(persona), 'api'));
  }
}

/** Signing out and revoking "self" use up the credential the call is made with. */
const spendsCredential = (route: RouteEntry) => route.method === 'DELETE' && (route.url === '/api/v4/session' || route.url === '/api/v4/personal_access_tokens/self');

/** Root MLflow mounts name their project in a header. */
function headersFor(url: string, projectId: number): Record<string, string> {
  const atRoot = url.startsWith('/api/2.0/') || url.startsWith('/api/3.0/') || url.startsWith('/ajax-api/') || ['/graphql', '/get-artifact', '/model-versions/get-artifact'].includes(url);
  return atRoot ? { 'x-modelyard-project': String(projectId) } : {};
}

async function fillUrl(url: string, projectId: number): Promise<string> {
  // A real token id, so that token routes reach their handler (a new one each time: revoking spends it).
  const tokenId = url.includes(':token_id') ? (await t.services.tokens.create({ userId: people.guest.id, kind: 'personal' }, { name: 'target', scopes: ['api'] }, null)).row.id : 0;
  return (
    url
      .replace(':id', String(projectId))
      .replace(':user_id', String(url.startsWith('/api/v4/users/:user_id') ? targetUser.id : people.guest.id))
      .replace(':token_id', String(tokenId))
      .replace(':runner_id', String(targetRunnerId))
      // No job of any persona: the runner protocol's own checks of a job's token are tested in pipelines.test.ts.
      .replace(':job_id', '999999')
      .replace(/:[a-z_]+/g, '1')
      .replace('*', 'x')
  );
}

function classify(status: number, body: string): Outcome {
  if (status === 401) return 401;
  if (status === 403 && !body.includes('only owners') && !body.includes('higher role')) return 403;
  if (status === 404 && body.includes('Project Not Found')) return 404;
  return 'allowed';
}

/**
 * Calls each route as each persona and returns what differs from the table. A call that is
 * expected to change the project gets a project of its own; refused calls share one (another
 * test checks that they change nothing).
 */
async function walk(visibility: Visibility, routes: RouteEntry[], expectationOf: (route: RouteEntry) => Record<Persona, Outcome>): Promise<string[]> {
  const shared = await freshProject(visibility);
  const failures: string[] = [];
  for (const route of routes) {
    if (route.method === 'HEAD') continue; // answered by the GET route
    const mutating = route.method !== 'GET';
    const table = expectationOf(route);
    const expected = Object.fromEntries(
      CALLERS.map((caller) => [caller, isCustomRolePersona(caller) ? customRoleOutcome(caller, route.ability, table) : protocolOutcome(route.url, caller, table[caller])]),
    ) as Record<Caller, Outcome>;
    // The personas of one route are called at once: each call that may change something has a
    // project (and a credential) of its own, and the others change nothing.
    const answers = await Promise.all(
      CALLERS.map(async (persona) => {
        // Native routes can delete the project, its members or the caller's own credential;
        // MLflow ones only add to it.
        const changes = mutating && expected[persona] === 'allowed';
        const fixture = changes && !route.url.includes('mlflow') ? await freshProject(visibility, persona) : shared;
        const url = await fillUrl(route.url, fixture.projectId);
        const headers = { ...headersFor(url, fixture.projectId), ...(await credentialOf(persona, fixture, changes && spendsCredential(route))) };
        const res = await t.call({ method: route.method as 'GET', url, headers, ...(mutating ? { payload: {} } : {}) });
        const refused = expected[persona] === 'refused' && res.statusCode >= 400 && res.statusCode < 500;
        const outcome = refused ? 'refused' : classify(res.statusCode, res.body);
        const wrong: string[] = [];
        if (outcome !== expected[persona]) wrong.push(`${visibility} ${route.method} ${route.url} as ${persona}: expected ${expected[persona]}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        if (res.statusCode >= 500) wrong.push(`${visibility} ${route.method} ${route.url} as ${persona}: server error ${res.body}`);
        return wrong;
      }),
    );
    failures.push(...answers.flat());
  }
  return failures;
}

/** Each walk makes a few thousand requests; PostgreSQL on a busy machine needs more than the default minute. */
const WALK_TIMEOUT_MS = 300_000;

/**
 * Project routes, for the internal and public walks; the root MLflow mounts find their project
 * the same way the project mount does, and the private walk covers them.
 */
// The root mounts serve the instance's default project, not the one the walk made.
const projectRoutes = () =>
  t.routes.filter((route) => ABILITIES[route.ability].scope === 'project' && !/^\/((api|ajax-api)\/[23]\.0\/|graphql$|get-artifact$|model-versions\/get-artifact$)/.test(route.url));

describe('authorization matrix', () => {
  it('has a documented ability for every registered route, matching what the route declares', () => {
    const registered = new Map(t.routes.map((r) => [`${r.method} ${r.url}`, r.ability]));
    const missing = [...registered.keys()].filter((key) => !(key in ROUTE_ABILITIES));
    expect(missing, 'routes without an entry in ROUTE_ABILITIES').toEqual([]);
    for (const [key, ability] of registered) expect(ROUTE_ABILITIES[key], key).toBe(ability);
    const stale = Object.keys(ROUTE_ABILITIES).filter((key) => !registered.has(key));
    expect(stale, 'entries for routes that no longer exist').toEqual([]);
  });

  it(
    'gives every caller the documented outcome on every route of a private project',
    async () => {
      expect(await walk('private', t.routes, (route) => EXPECTED_OUTCOMES[route.ability])).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'gives every caller the documented outcome on every project route of an internal project',
    async () => {
      expect(await walk('internal', projectRoutes(), (route) => EXPECTED_ON_INTERNAL[route.ability as keyof typeof EXPECTED_ON_INTERNAL])).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'gives every caller the documented outcome on every project route of a public project',
    async () => {
      expect(await walk('public', projectRoutes(), (route) => EXPECTED_ON_PUBLIC[route.ability as keyof typeof EXPECTED_ON_PUBLIC])).toEqual([]);
    },
    WALK_TIMEOUT_MS,
  );

  it('lets readers of a public project read it and asks anonymous writers to sign in', async () => {
    const project = await t.createProject(people.owner.token, 'public-one', 'public');
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}` })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/members` })).statusCode).toBe(200);
    expect((await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}`, payload: { name: 'x' } })).statusCode).toBe(401);
    expect((await t.call({ method: 'PUT', url: `/api/v4/projects/${project.id}`, payload: { name: 'x' }, token: other.token })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}/audit_events` })).statusCode).toBe(401);
  });

  it('shows internal projects to signed-in users only', async () => {
    const project = await t.createProject(people.owner.token, 'internal-one', 'internal');
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}` })).statusCode).toBe(404);
    expect((await t.call({ method: 'GET', url: `/api/v4/projects/${project.id}`, token: other.token })).statusCode).toBe(200);
    const listed = await t.call({ method: 'GET', url: '/api/v4/projects?per_page=100', token: other.token });
    expect((listed.json() as { path: string }[]).map((p) => p.path)).toContain('internal-one');
    const anonymousList = await t.call({ method: 'GET', url: '/api/v4/projects?per_page=100' });
    expect((anonymousList.json() as { path: string }[]).map((p) => p.path)).not.toContain('internal-one');
  });

  it('answers a missing project exactly as an invisible one', async () => {
    const missing = await t.call({ method: 'GET', url: '/api/v4/projects/999999', token: other.token });
    const invisible = await t.call({ method: 'GET', url: `/api/v4/projects/${(await freshProject()).projectId}`, token: other.token });
    expect(missing.statusCode).toBe(404);
    expect(invisible.statusCode).toBe(404);
    expect(missing.body).toBe(invisible.body);
    const anonymousMissing = await t.call({ method: 'GET', url: '/api/v4/projects/999999' });
    expect(anonymousMissing.statusCode).toBe(404);
  });

  it('refuses to start when a route declares no ability', async () => {
    const { default: Fastify } = await import('fastify');
    const { installAuthorization } = await import('../../src/auth/authorization-hook.ts');
    const app = Fastify();
    installAuthorization(app as never, { authenticator: t.services.authenticator, projects: t.services.projects, database: t.services.database }, []);
    expect(() => app.get('/undeclared', async () => 'open')).toThrow(/declares no ability/);
    expect(() => app.get('/declared', { config: { ability: 'public' } }, async () => 'open')).not.toThrow();
  });

  it('keeps the admin token working (sanity check of the fixture)', async () => {
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: ADMIN_TOKEN })).statusCode).toBe(200);
  });
});
