import { forbidden, unauthenticated, type AppError } from '../shared/errors.ts';
import { projectNotFound } from '../projects/errors.ts';
import { AuthErrors } from './errors.ts';
import { ABILITIES, type Ability, type CredentialReach, type ProjectScopedAbility } from './abilities.ts';
import type { Caller, CallerUser, CredentialKind, TokenScope } from './caller.ts';
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
  /** Abilities a custom role adds to the member's base role (people's own credentials only). */
  readonly extras: readonly ProjectScopedAbility[];
  readonly [accessBrand]: true;
}

function scopesAllow(caller: Caller, needed: readonly TokenScope[] | 'any'): boolean {
  // Scopes narrow what a token may do; an anonymous caller has no token, and its role decides.
  if (needed === 'any' || caller.scopes === 'all' || caller.credential === 'anonymous') return true;
  return caller.scopes.some((scope) => needed.includes(scope));
}

const CREDENTIAL_NAME: Record<CredentialKind, string> = {
  anonymous: 'an anonymous caller',
  session: 'a browser session',
  personal_token: 'a personal access token',
  project_token: 'a project access token',
  job_token: 'a CI job token',
};

/** An anonymous caller presents no credential: visibility and `who` decide for it. */
function credentialReaches(caller: Caller, reach: CredentialReach): boolean {
  if (caller.credential === 'anonymous') return true;
  return reach !== 'own' && reach.includes(caller.credential);
}

function credentialNotAllowed(caller: Caller): AppError {
  return AuthErrors.CREDENTIAL_NOT_ALLOWED({ credential: CREDENTIAL_NAME[caller.credential] });
}

/** The person behind a route that only signed-in callers reach. */
export function signedInUser(caller: Caller): CallerUser {
  if (!caller.user) throw unauthenticated();
  return caller.user;
}

/**
 * Site administrators act as such only with a person's own, unlimited credential: a job of an
 * admin's pipeline or anything limited to one project never carries the admin's instance rights.
 */
export function actsAsAdmin(caller: Caller): boolean {
  return caller.user?.isAdmin === true && caller.projectLimit === null && (caller.credential === 'session' || caller.credential === 'personal_token');
}

export function authorizeInstance(caller: Caller, ability: Ability): void {
  const definition = ABILITIES[ability];
  if (definition.scope !== 'instance') throw new Error(`ability ${ability} needs a project`);
  if (definition.who === 'anyone' && caller.user === null) return;
  if (definition.who !== 'anyone' && caller.user === null) throw unauthenticated();
  if (!credentialReaches(caller, definition.credentials)) throw credentialNotAllowed(caller);
  if (definition.who === 'admin' && !actsAsAdmin(caller)) throw forbidden('403 Forbidden: administrators only');
  if (!scopesAllow(caller, definition.scopes)) throw AuthErrors.INSUFFICIENT_SCOPE();
}

/** The caller's access level on a project, before any ability is considered. */
export function effectiveLevel(caller: Caller, memberLevel: number | null): number {
  if (actsAsAdmin(caller)) return ADMIN_ACCESS_LEVEL;
  // A job started by an admin who is not a member still acts in its own project, as a maintainer.
  if (caller.credential === 'job_token' && caller.user?.isAdmin) return Math.max(memberLevel ?? NO_ACCESS, ACCESS_LEVEL.maintainer);
  return memberLevel ?? NO_ACCESS;
}

/** Whether the caller may read the project without being a member: public, or internal to a signed-in person. */
function readsWithoutMembership(caller: Caller, project: ProjectFacts): boolean {
  if (project.visibility === 'public') return true;
  // Internal projects are visible to people who signed in, not to bots or job tokens of other projects.
  return project.visibility === 'internal' && caller.user !== null && !caller.user.isBot;
}

export function canSeeProject(caller: Caller, project: ProjectFacts, memberLevel: number | null): boolean {
  if (caller.projectLimit !== null && caller.projectLimit !== project.id) return false;
  if (effectiveLevel(caller, memberLevel) >= ACCESS_LEVEL.guest) return true;
  return readsWithoutMembership(caller, project);
}

/**
 * A custom role's extra abilities count for the person, with their session or their personal
 * access token (whose scopes still limit it, below); a project bot has its own role and a job
 * token its short fixed list, so neither inherits them.
 */
function customExtras(caller: Caller, extras: readonly ProjectScopedAbility[]): readonly ProjectScopedAbility[] {
  return caller.credential === 'session' || caller.credential === 'personal_token' ? extras : [];
}

/**
 * Decides a project-scoped ability. A caller who may not even read the project gets 404, so
 * that private projects do not reveal their existence; an anonymous caller who could read but
 * not act gets 401, a signed-in one 403. `extras`: what the member's custom role adds.
 */
export function authorizeProject(caller: Caller, ability: ProjectScopedAbility, project: ProjectFacts, memberLevel: number | null, extras: readonly ProjectScopedAbility[] = []): ProjectAccess {
  const definition = ABILITIES[ability];
  if (!canSeeProject(caller, project, memberLevel)) throw projectNotFound();
  if (!credentialReaches(caller, definition.credentials)) throw credentialNotAllowed(caller);
  const level = effectiveLevel(caller, memberLevel);
  const granted = customExtras(caller, extras);
  // Monotonic, as GitLab: a member never has less than a reader who is not one.
  const allowedByRole = level >= ACCESS_LEVEL[definition.minRole] || granted.includes(ability) || (definition.openToVisibleReaders && readsWithoutMembership(caller, project));
  if (!allowedByRole) {
    if (caller.user === null) throw unauthenticated();
    throw forbidden('403 Forbidden');
  }
  if (!scopesAllow(caller, definition.scopes)) throw AuthErrors.INSUFFICIENT_SCOPE();
  return { caller, project, level, extras: granted } as ProjectAccess;
}

/** A finer question asked inside a service, after the route's ability has been granted. */
export function can(access: ProjectAccess, ability: ProjectScopedAbility): boolean {
  try {
    authorizeProject(access.caller, ability, access.project, access.level === NO_ACCESS ? null : access.level, access.extras);
    return true;
  } catch {
    return false;
  }
}

export function requireAbility(access: ProjectAccess, ability: ProjectScopedAbility): void {
  authorizeProject(access.caller, ability, access.project, access.level === NO_ACCESS ? null : access.level, access.extras);
}

/**
 * Access for the server's own work on a project, made without a caller's credential: a serving
 * agent fetching the files of a version assigned to it (its agent token was checked, and the
 * assignment, by src/targets/local-agent/). Nothing a request names reaches this: only code
 * that has authorized the work by its own secret asks for it.
 */
export function serverAccess(project: ProjectFacts, caller: Caller): ProjectAccess {
  const extras: readonly ProjectScopedAbility[] = [];
  return { caller, project, level: ADMIN_ACCESS_LEVEL, extras } as ProjectAccess;
}
