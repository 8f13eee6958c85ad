import { describe, expect, it } from 'vitest';
import { anonymousCaller, type Caller } from '../../src/auth/caller.ts';
import { authorizeInstance, authorizeProject, can } from '../../src/auth/policy.ts';
import { AppError } from '../../src/shared/errors.ts';

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
});
