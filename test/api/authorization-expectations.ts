import type { Ability } from '../../src/auth/abilities.ts';

/**
 * The documented permission model (docs/permissions.md), written out by hand so that a change
 * in the policy code that contradicts it fails a test. Outcomes are for a private project.
 */
export const PERSONAS = ['anonymous', 'other_project_member', 'guest', 'reporter', 'developer', 'maintainer', 'owner', 'admin'] as const;
export type Persona = (typeof PERSONAS)[number];
export type Outcome = 'allowed' | 401 | 403 | 404;

const row = (anonymous: Outcome, other: Outcome, guest: Outcome, reporter: Outcome, developer: Outcome, maintainer: Outcome, owner: Outcome, admin: Outcome): Record<Persona, Outcome> => ({
  anonymous,
  other_project_member: other,
  guest,
  reporter,
  developer,
  maintainer,
  owner,
  admin,
});

const A = 'allowed' as const;

export const EXPECTED_OUTCOMES: Record<Ability, Record<Persona, Outcome>> = {
  public: row(A, A, A, A, A, A, A, A),
  'user:self-read': row(401, A, A, A, A, A, A, A),
  'user:self-write': row(401, A, A, A, A, A, A, A),
  'users:read': row(401, A, A, A, A, A, A, A),
  'projects:list': row(A, A, A, A, A, A, A, A),
  'projects:create': row(401, A, A, A, A, A, A, A),
  'admin:read': row(401, 403, 403, 403, 403, 403, 403, A),
  'admin:write': row(401, 403, 403, 403, 403, 403, 403, A),
  'project:read': row(404, 404, A, A, A, A, A, A),
  'project:update': row(404, 404, 403, 403, 403, A, A, A),
  'project:delete': row(404, 404, 403, 403, 403, 403, A, A),
  'members:read': row(404, 404, A, A, A, A, A, A),
  'members:manage': row(404, 404, 403, 403, 403, A, A, A),
  'access-tokens:read': row(404, 404, 403, 403, 403, A, A, A),
  'access-tokens:manage': row(404, 404, 403, 403, 403, A, A, A),
  'audit:read': row(404, 404, 403, 403, 403, A, A, A),
  'ml:read': row(404, 404, A, A, A, A, A, A),
  'ml:write': row(404, 404, 403, 403, A, A, A, A),
};

/** Every route and the ability it must declare. */
export const ROUTE_ABILITIES: Record<string, Ability> = {
  'GET /-/health': 'public',
  'HEAD /-/health': 'public',
  'GET /-/readiness': 'public',
  'HEAD /-/readiness': 'public',
  'GET /-/metrics': 'public',
  'HEAD /-/metrics': 'public',
  'GET /api/v4/version': 'public',
  'HEAD /api/v4/version': 'public',
  'GET /api/v4/openapi.json': 'public',
  'HEAD /api/v4/openapi.json': 'public',

  'POST /api/v4/session': 'public',
  'GET /api/v4/session': 'user:self-read',
  'HEAD /api/v4/session': 'user:self-read',
  'DELETE /api/v4/session': 'user:self-write',
  'GET /api/v4/user': 'user:self-read',
  'HEAD /api/v4/user': 'user:self-read',
  'GET /api/v4/users': 'users:read',
  'HEAD /api/v4/users': 'users:read',
  'GET /api/v4/users/:user_id': 'users:read',
  'HEAD /api/v4/users/:user_id': 'users:read',
  'POST /api/v4/users': 'admin:write',
  'GET /api/v4/personal_access_tokens': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens': 'user:self-read',
  'GET /api/v4/personal_access_tokens/self': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens/self': 'user:self-read',
  'GET /api/v4/personal_access_tokens/:token_id': 'user:self-read',
  'HEAD /api/v4/personal_access_tokens/:token_id': 'user:self-read',
  'DELETE /api/v4/personal_access_tokens/self': 'user:self-write',
  'DELETE /api/v4/personal_access_tokens/:token_id': 'user:self-write',
  'POST /api/v4/user/personal_access_tokens': 'user:self-write',
  'POST /api/v4/users/:user_id/personal_access_tokens': 'admin:write',
  'GET /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens': 'access-tokens:read',
  'GET /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'HEAD /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:read',
  'POST /api/v4/projects/:id/access_tokens': 'access-tokens:manage',
  'DELETE /api/v4/projects/:id/access_tokens/:token_id': 'access-tokens:manage',

  'GET /api/v4/projects': 'projects:list',
  'HEAD /api/v4/projects': 'projects:list',
  'POST /api/v4/projects': 'projects:create',
  'GET /api/v4/projects/:id': 'project:read',
  'HEAD /api/v4/projects/:id': 'project:read',
  'PUT /api/v4/projects/:id': 'project:update',
  'DELETE /api/v4/projects/:id': 'project:delete',
  'GET /api/v4/projects/:id/members': 'members:read',
  'HEAD /api/v4/projects/:id/members': 'members:read',
  'GET /api/v4/projects/:id/members/:user_id': 'members:read',
  'HEAD /api/v4/projects/:id/members/:user_id': 'members:read',
  'POST /api/v4/projects/:id/members': 'members:manage',
  'PUT /api/v4/projects/:id/members/:user_id': 'members:manage',
  'DELETE /api/v4/projects/:id/members/:user_id': 'members:manage',

  'GET /api/v4/audit_events': 'admin:read',
  'HEAD /api/v4/audit_events': 'admin:read',
  'GET /api/v4/projects/:id/audit_events': 'audit:read',
  'HEAD /api/v4/projects/:id/audit_events': 'audit:read',
};
