import { AppError, forbidden, notFound, unauthenticated } from '../shared/errors.ts';
import { ABILITIES, type Ability, type ProjectScopedAbility } from './abilities.ts';
import type { Caller, TokenScope } from './caller.ts';
import { ACCESS_LEVEL, ADMIN_ACCESS_LEVEL, NO_ACCESS } from './roles.ts';

/**
 * The one place that decides who may do what. Routes name an ability; services receive the
 * ProjectAccess this module hands out and ask `can` for finer decisions. Nothing else
 * compares roles.
 */

export interface ProjectFacts {
  id: number;
  visibility: 'private' | 'internal' | 'public';
}

declare const accessBrand: unique symbol;

/** Proof that a caller passed the policy for a project; only this module makes one. */
export interface ProjectAccess {
  readonly caller: Caller;
  readonly project: ProjectFacts;
  /** The caller's effective access level (0 for a non-member reader, 60 for a site admin). */
  readonly level: number;
  readonly [accessBrand]: true;
}

export const INSUFFICIENT_SCOPE = 'INSUFFICIENT_SCOPE';

function scopesAllow(caller: Caller, needed: readonly TokenScope[] | 'any'): boolean {
  // Scopes narrow what a token may do; an anonymous caller has no token, and its role decides.
  if (needed === 'any' || caller.scopes === 'all' || caller.credential === 'anonymous') return true;
  return caller.scopes.some((scope) => needed.includes(scope));
}

function insufficientScope(): AppError {
  return new AppError('forbidden', INSUFFICIENT_SCOPE, 'insufficient_scope: the token does not grant this operation');
}

export function authorizeInstance(caller: Caller, ability: Ability): void {
  const definition = ABILITIES[ability];
  if (definition.scope !== 'instance') throw new Error(`ability ${ability} needs a project`);
  if (definition.who === 'anyone' && caller.user === null) return;
  if (definition.who !== 'anyone' && caller.user === null) throw unauthenticated();
  if (definition.who === 'admin' && !caller.user?.isAdmin) throw forbidden('403 Forbidden: administrators only');
  if (!scopesAllow(caller, definition.scopes)) throw insufficientScope();
}

/** The caller's access level on a project, before any ability is considered. */
export function effectiveLevel(caller: Caller, memberLevel: number | null): number {
  if (caller.user?.isAdmin && caller.projectLimit === null) return ADMIN_ACCESS_LEVEL;
  // A job started by an admin who is not a member still acts in its own project, as a maintainer.
  if (caller.credential === 'job_token' && caller.user?.isAdmin) return Math.max(memberLevel ?? NO_ACCESS, ACCESS_LEVEL.maintainer);
  return memberLevel ?? NO_ACCESS;
}

export function canSeeProject(caller: Caller, project: ProjectFacts, memberLevel: number | null): boolean {
  if (caller.projectLimit !== null && caller.projectLimit !== project.id) return false;
  if (effectiveLevel(caller, memberLevel) >= ACCESS_LEVEL.guest) return true;
  if (project.visibility === 'public') return true;
  // Internal projects are visible to people who signed in, not to bots or job tokens of other projects.
  return project.visibility === 'internal' && caller.user !== null && !caller.user.isBot;
}

/**
 * Decides a project-scoped ability. A caller who may not even read the project gets 404, so
 * that private projects do not reveal their existence; an anonymous caller who could read but
 * not act gets 401, a signed-in one 403.
 */
export function authorizeProject(
  caller: Caller,
  ability: ProjectScopedAbility,
  project: ProjectFacts,
  memberLevel: number | null,
): ProjectAccess {
  const definition = ABILITIES[ability];
  if (!canSeeProject(caller, project, memberLevel)) throw notFound('404 Project');
  const level = effectiveLevel(caller, memberLevel);
  const allowedByRole =
    level >= ACCESS_LEVEL[definition.minRole] || (definition.openToVisibleReaders && level < ACCESS_LEVEL.guest);
  if (!allowedByRole) {
    if (caller.user === null) throw unauthenticated();
    throw forbidden('403 Forbidden');
  }
  if (!scopesAllow(caller, definition.scopes)) throw insufficientScope();
  if (caller.credential === 'job_token' && !('jobToken' in definition)) throw forbidden('403 Forbidden: CI job tokens cannot use this API', 'JOB_TOKEN_NOT_ALLOWED');
  return { caller, project, level } as ProjectAccess;
}

/** A finer question asked inside a service, after the route's ability has been granted. */
export function can(access: ProjectAccess, ability: ProjectScopedAbility): boolean {
  try {
    authorizeProject(access.caller, ability, access.project, access.level === NO_ACCESS ? null : access.level);
    return true;
  } catch {
    return false;
  }
}

export function requireAbility(access: ProjectAccess, ability: ProjectScopedAbility): void {
  authorizeProject(access.caller, ability, access.project, access.level === NO_ACCESS ? null : access.level);
}
