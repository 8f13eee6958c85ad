import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { EXPECTED_OUTCOMES, PERSONAS, ROUTE_ABILITIES, type Outcome, type Persona } from './authorization-expectations.ts';

/**
 * Walks every route the server registered and calls it as each kind of caller against a
 * private project. The expected outcome of each (ability, caller) pair is written out in
 * authorization-expectations.ts, independently of the policy code; a route missing from that
 * table fails the first test.
 */
let t: TestApp;
let other: TestUser;
const people = {} as Record<Exclude<Persona, 'anonymous' | 'other_project_member' | 'admin'>, TestUser>;
let adminUser: TestUser;

const LEVELS = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

beforeAll(async () => {
  t = await startTestApp();
  for (const role of Object.keys(LEVELS) as (keyof typeof LEVELS)[]) people[role] = await t.createUser(`matrix-${role}`);
  other = await t.createUser('matrix-outsider');
  adminUser = await t.createUser('matrix-admin', { admin: true });
  await t.createProject(other.token, 'outsider-project');
});

afterAll(async () => {
  await t?.close();
});

async function freshProject(): Promise<number> {
  const project = await t.createProject(people.owner.token, `m-${Math.random().toString(36).slice(2, 10)}`);
  for (const role of ['guest', 'reporter', 'developer', 'maintainer'] as const) await t.addMember(project.id, people[role].id, LEVELS[role]);
  return project.id;
}

function userOf(persona: Exclude<Persona, 'anonymous'>): TestUser {
  if (persona === 'other_project_member') return other;
  if (persona === 'admin') return adminUser;
  return people[persona];
}

/** A new token for each call, since some routes (revoking "self") spend the token they are called with. */
async function disposableToken(user: TestUser): Promise<string> {
  const created = await t.services.tokens.create({ userId: user.id, kind: 'personal' }, { name: 'matrix', scopes: ['api'] }, null);
  return created.secret;
}

async function tokenOf(persona: Persona): Promise<string | null> {
  return persona === 'anonymous' ? null : disposableToken(userOf(persona));
}

/** Root MLflow mounts name their project in a header. */
function headersFor(url: string, projectId: number): Record<string, string> {
  return url.startsWith('/api/2.0/') || url.startsWith('/api/3.0/') || url.startsWith('/ajax-api/') ? { 'x-modelyard-project': String(projectId) } : {};
}

async function fillUrl(url: string, projectId: number): Promise<string> {
  // A real token id, so that token routes reach their handler.
  const tokenId = (await t.services.tokens.create({ userId: people.guest.id, kind: 'personal' }, { name: 'target', scopes: ['api'] }, null)).row.id;
  return url
    .replace(':id', String(projectId))
    .replace(':user_id', String(people.guest.id))
    .replace(':token_id', String(tokenId))
    .replace(/:[a-z_]+/g, '1')
    .replace('*', 'x');
}

function classify(status: number, body: string): Outcome {
  if (status === 401) return 401;
  if (status === 403 && !body.includes('only owners') && !body.includes('higher role')) return 403;
  if (status === 404 && body.includes('Project Not Found')) return 404;
  return 'allowed';
}

describe('authorization matrix', () => {
  it('has a documented ability for every registered route, matching what the route declares', () => {
    const registered = new Map(t.routes.map((r) => [`${r.method} ${r.url}`, r.ability]));
    const missing = [...registered.keys()].filter((key) => !(key in ROUTE_ABILITIES));
    expect(missing, 'routes without an entry in ROUTE_ABILITIES').toEqual([]);
    for (const [key, ability] of registered) expect(ROUTE_ABILITIES[key], key).toBe(ability);
    const stale = Object.keys(ROUTE_ABILITIES).filter((key) => !registered.has(key));
    expect(stale, 'entries for routes that no longer exist').toEqual([]);
  });

  it('gives every caller the documented outcome on every route', async () => {
    const sharedProject = await freshProject();
    const failures: string[] = [];
    for (const route of t.routes) {
      if (route.method === 'HEAD') continue; // answered by the GET route
      const mutating = route.method !== 'GET';
      // Native routes can delete the project or its members; MLflow ones only add to it.
      const needsFreshProject = mutating && !route.url.includes('mlflow');
      const expected = EXPECTED_OUTCOMES[route.ability];
      for (const persona of PERSONAS) {
        const projectId = needsFreshProject ? await freshProject() : sharedProject;
        const url = await fillUrl(route.url, projectId);
        const res = await t.call({ method: route.method as 'GET', url, headers: headersFor(url, projectId), token: await tokenOf(persona), ...(mutating ? { payload: {} } : {}) });
        const refused = expected[persona] === 'refused' && res.statusCode >= 400 && res.statusCode < 500;
        const outcome = refused ? 'refused' : classify(res.statusCode, res.body);
        if (outcome !== expected[persona]) failures.push(`${route.method} ${route.url} as ${persona}: expected ${expected[persona]}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        if (res.statusCode >= 500) failures.push(`${route.method} ${route.url} as ${persona}: server error ${res.body}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000); // every route × every caller: minutes on a loaded machine

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
    const invisible = await t.call({ method: 'GET', url: `/api/v4/projects/${await freshProject()}`, token: other.token });
    expect(missing.statusCode).toBe(404);
    expect(invisible.statusCode).toBe(404);
    expect(missing.body).toBe(invisible.body);
    const anonymousMissing = await t.call({ method: 'GET', url: '/api/v4/projects/999999' });
    expect(anonymousMissing.statusCode).toBe(404);
  });

  it('refuses to start when a route declares no ability', async () => {
    const { default: Fastify } = await import('fastify');
    const { installAuthorization } = await import('../../src/server/plugins/authorization.ts');
    const app = Fastify();
    installAuthorization(app as never, { authenticator: t.services.authenticator, projects: t.services.projects, database: t.services.database }, []);
    expect(() => app.get('/undeclared', async () => 'open')).toThrow(/declares no ability/);
    expect(() => app.get('/declared', { config: { ability: 'public' } }, async () => 'open')).not.toThrow();
  });

  it('keeps the admin token working (sanity check of the fixture)', async () => {
    expect((await t.call({ method: 'GET', url: '/api/v4/user', token: ADMIN_TOKEN })).statusCode).toBe(200);
  });
});
