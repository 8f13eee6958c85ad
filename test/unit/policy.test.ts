import { describe, expect, it } from 'vitest';
import { anonymousCaller, type Caller } from '../../src/auth/caller.ts';
import { ABILITIES, type Ability } from '../../src/auth/abilities.ts';
import { actsAsAdmin, authorizeInstance, authorizeProject, can } from '../../src/auth/policy.ts';
import type { AppError } from '../../src/shared/errors.ts';

const user = (overrides: Partial<Caller> = {}, admin = false): Caller => ({
  user: { id: 7, username: 'u', name: 'u', isAdmin: admin, isBot: false },
  credential: 'personal_token',
  scopes: ['api'],
  projectLimit: null,
  tokenId: 1,
  jobId: null,
  ip: null,
  ...overrides,
});

const privateProject = { id: 1, visibility: 'private' as const };
const publicProject = { id: 2, visibility: 'public' as const };
const internalProject = { id: 3, visibility: 'internal' as const };

/** A running job's token in project 1, for a pipeline of user 7. */
const job = (admin = false): Caller => user({ credential: 'job_token', projectLimit: 1, tokenId: null, jobId: 5 }, admin);
/** A project access token of project 1 (its bot user). */
const bot = (): Caller => ({ ...user({ credential: 'project_token', projectLimit: 1 }), user: { id: 8, username: 'project_1_bot', name: 'bot', isAdmin: false, isBot: true } });

function refusal(fn: () => unknown): [number, string] | 'allowed' {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    const e = error as AppError;
    return [{ not_found: 404, unauthenticated: 401, forbidden: 403 }[e.kind as 'not_found'] ?? 0, e.code];
  }
}

describe('policy', () => {
  it('hides private projects from non-members with 404', () => {
    expect(refusal(() => authorizeProject(user(), 'project:read', privateProject, null))).toEqual([404, 'NOT_FOUND']);
    expect(refusal(() => authorizeProject(anonymousCaller(), 'project:read', privateProject, null))).toEqual([404, 'NOT_FOUND']);
  });

  it('orders roles as GitLab does', () => {
    expect(refusal(() => authorizeProject(user(), 'ml:write', privateProject, 20))).toEqual([403, 'FORBIDDEN']);
    expect(refusal(() => authorizeProject(user(), 'ml:write', privateProject, 30))).toBe('allowed');
    expect(refusal(() => authorizeProject(user(), 'members:manage', privateProject, 30))).toEqual([403, 'FORBIDDEN']);
    expect(refusal(() => authorizeProject(user(), 'project:delete', privateProject, 40))).toEqual([403, 'FORBIDDEN']);
    expect(refusal(() => authorizeProject(user(), 'project:delete', privateProject, 50))).toBe('allowed');
  });

  it('gives site admins every project ability, but not through a project-limited token', () => {
    expect(refusal(() => authorizeProject(user({}, true), 'project:delete', privateProject, null))).toBe('allowed');
    expect(refusal(() => authorizeProject(user({ projectLimit: 99 }, true), 'project:read', privateProject, null))).toEqual([404, 'NOT_FOUND']);
  });

  it('lets anyone read public projects and asks anonymous writers to authenticate', () => {
    expect(refusal(() => authorizeProject(anonymousCaller(), 'ml:read', publicProject, null))).toBe('allowed');
    expect(refusal(() => authorizeProject(anonymousCaller(), 'ml:write', publicProject, null))).toEqual([401, 'UNAUTHENTICATED']);
    expect(refusal(() => authorizeProject(user(), 'audit:read', publicProject, null))).toEqual([403, 'FORBIDDEN']);
  });

  it('applies token scopes after roles', () => {
    const reader = user({ scopes: ['read_api'] });
    expect(refusal(() => authorizeProject(reader, 'project:read', privateProject, 50))).toBe('allowed');
    expect(refusal(() => authorizeProject(reader, 'project:update', privateProject, 50))).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const registry = user({ scopes: ['write_model_registry'] });
    expect(refusal(() => authorizeProject(registry, 'ml:write', privateProject, 30))).toBe('allowed');
    expect(refusal(() => authorizeProject(registry, 'project:read', privateProject, 30))).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(refusal(() => authorizeProject(user({ scopes: ['read_model_registry'] }), 'ml:write', privateProject, 30))).toEqual([403, 'INSUFFICIENT_SCOPE']);
  });

  it('answers finer questions with can()', () => {
    const access = authorizeProject(user(), 'project:read', privateProject, 30);
    expect(can(access, 'ml:write')).toBe(true);
    expect(can(access, 'members:manage')).toBe(false);
  });

  it('guards instance abilities', () => {
    expect(refusal(() => authorizeInstance(anonymousCaller(), 'projects:create'))).toEqual([401, 'UNAUTHENTICATED']);
    expect(refusal(() => authorizeInstance(user(), 'admin:read'))).toEqual([403, 'FORBIDDEN']);
    expect(refusal(() => authorizeInstance(user({}, true), 'admin:read'))).toBe('allowed');
    expect(refusal(() => authorizeInstance(anonymousCaller(), 'public'))).toBe('allowed');
  });

  it('lets project-limited credentials reach only the instance abilities that list them', () => {
    const reach = (kind: 'project_token' | 'job_token') =>
      (Object.keys(ABILITIES) as Ability[]).filter((ability) => {
        const definition = ABILITIES[ability];
        return definition.scope === 'instance' && definition.credentials !== 'own' && definition.credentials.includes(kind);
      });
    expect(reach('project_token')).toEqual(['public', 'user:self-read', 'user:self-write', 'upload:part', 'projects:list']);
    expect(reach('job_token')).toEqual(['public', 'upload:part']);
  });

  it("refuses a job token every instance API, even of an admin's pipeline", () => {
    expect(refusal(() => authorizeInstance(job(), 'user:tokens-write'))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeInstance(job(true), 'admin:write'))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeInstance(job(true), 'users:read'))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeInstance(job(true), 'runners:read'))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(actsAsAdmin(job(true))).toBe(false);
    expect(actsAsAdmin(user({}, true))).toBe(true);
    expect(actsAsAdmin(user({ credential: 'session', scopes: 'all' }, true))).toBe(true);
  });

  it('keeps job tokens to the job-token list in their own project', () => {
    expect(refusal(() => authorizeProject(job(), 'ml:write', privateProject, 30))).toBe('allowed');
    expect(refusal(() => authorizeProject(job(), 'members:read', privateProject, 30))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeProject(job(), 'ml:read', publicProject, null))).toEqual([404, 'NOT_FOUND']);
    // An admin's pipeline acts as a maintainer of its project, and maintenance of the registry is still not a job's.
    expect(refusal(() => authorizeProject(job(true), 'registry:maintain', privateProject, null))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
  });

  it("leaves approvals to a person's credentials", () => {
    expect(refusal(() => authorizeProject(user(), 'registry:approve', privateProject, 40))).toBe('allowed');
    expect(refusal(() => authorizeProject(user({ credential: 'session', scopes: 'all' }), 'registry:approve', privateProject, 40))).toBe('allowed');
    expect(refusal(() => authorizeProject(bot(), 'registry:approve', privateProject, 40))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeProject(job(), 'registry:approve', privateProject, 50))).toEqual([403, 'CREDENTIAL_NOT_ALLOWED']);
    expect(refusal(() => authorizeProject(bot(), 'registry:maintain', privateProject, 40))).toBe('allowed');
    expect(refusal(() => authorizeProject(user({ scopes: ['read_model_registry'] }), 'registry:approve', privateProject, 40))).toEqual([403, 'INSUFFICIENT_SCOPE']);
  });

  it('never gives a member less than a non-member reader of a visible project', () => {
    for (const ability of ['packages:read', 'pipelines:read'] as const) {
      expect(refusal(() => authorizeProject(user(), ability, internalProject, null))).toBe('allowed');
      expect(refusal(() => authorizeProject(user(), ability, internalProject, 10))).toBe('allowed');
      expect(refusal(() => authorizeProject(user(), ability, publicProject, 10))).toBe('allowed');
      expect(refusal(() => authorizeProject(user(), ability, privateProject, 10))).toEqual([403, 'FORBIDDEN']);
    }
    // Bots read internal projects only as members, so a guest bot keeps its role's limits.
    expect(refusal(() => authorizeProject(bot(), 'packages:read', { ...internalProject, id: 1 }, 10))).toEqual([403, 'FORBIDDEN']);
  });
});
