import type { FastifyRequest } from 'fastify';
import { ABILITIES, checksOwnCredential, isAbility, type Ability, type ProjectScopedAbility } from './abilities.ts';
import type { Authenticator } from './authenticate.ts';
import { anonymousCaller } from './caller.ts';
import { AuthErrors } from './errors.ts';
import { authorizeInstance } from './policy.ts';
import { CLEARED_SESSION_COOKIE } from './sessions-service.ts';
import { recordAudit } from '../events/audit-log.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import { AppError } from '../shared/errors.ts';
import { projectNotFound } from '../projects/errors.ts';
import type { Database } from '../db/database.ts';
import type { App } from '../http/types.ts';
import type { ProjectLocator } from './request-context.ts';

export interface RouteEntry {
  method: string;
  url: string;
  ability: Ability;
  /** The JSON schema of the body, when the route validates one (tests build valid requests from it). */
  body?: unknown;
}

/** Refusals worth an audit entry: a token used beyond its scopes or its kind (a job token reaching for an instance API). */
const AUDITED_REFUSALS: Record<string, string> = {
  [AuthErrors.INSUFFICIENT_SCOPE.code]: 'authorization.insufficient_scope',
  [AuthErrors.CREDENTIAL_NOT_ALLOWED.code]: 'authorization.credential_not_allowed',
};

/** The `:id` path parameter, GitLab's project id or URL-encoded path. */
export const projectFromIdParam: ProjectLocator = (request) => {
  const params = request.params as Record<string, string | undefined>;
  return params.id;
};

/**
 * Authentication and authorization run before the body is read, so a refused upload costs
 * nothing and bad input from someone who may not call the route learns nothing.
 */
export function installAuthorization(app: App, deps: { authenticator: Authenticator; projects: ProjectsService; database: Database }, catalog: RouteEntry[]): void {
  app.decorateRequest('caller', null as never);
  app.decorateRequest('access', null);
  app.decorateRequest('project', null);

  // A route that names no ability is a hole in the permission model: refuse to start.
  app.addHook('onRoute', (route) => {
    const ability = route.config?.ability;
    if (!isAbility(ability)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no ability (config.ability)`);
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) catalog.push({ method, url: route.url, ability, body: route.schema?.body });
  });

  app.addHook('onRequest', async (request, reply) => {
    request.caller = anonymousCaller(request.ip);
    const ability = request.routeOptions.config?.ability;
    if (!ability) return; // unmatched URL: the not-found handler answers
    if (checksOwnCredential(ability)) {
      // A runner reporting on a job after it ended, or a push webhook: not a user's credential.
      authorizeInstance(request.caller, ability);
      return;
    }
    request.caller = await deps.authenticator.authenticate({ method: request.method, headers: request.headers, ip: request.ip }).catch((error: unknown) => {
      if (!AuthErrors.SESSION_ENDED.is(error)) throw error;
      // The browser keeps sending a cookie whose session ended until told to forget it; without
      // this, a person signed out elsewhere (or blocked, or whose password changed) who reloads
      // the web UI gets a 401 page instead of the sign-in form, for as long as the cookie lives.
      reply.header('Set-Cookie', CLEARED_SESSION_COOKIE);
      if (ability !== 'public') throw error;
      return anonymousCaller(request.ip);
    });
    try {
      await authorize(request, ability, deps.projects);
    } catch (error) {
      const action = error instanceof AppError && Object.hasOwn(AUDITED_REFUSALS, error.code) ? AUDITED_REFUSALS[error.code] : undefined;
      if (action) {
        const caller = request.caller;
        await recordAudit(deps.database.db, caller, {
          action,
          projectId: request.access?.project.id ?? caller.projectLimit,
          targetType: 'route',
          targetId: `${request.method} ${request.routeOptions.url}`,
          details: { ability, credential: caller.credential, token_id: caller.tokenId, ...(caller.jobId === null ? {} : { job_id: caller.jobId }) },
        });
      }
      throw error;
    }
  });
}

async function authorize(request: FastifyRequest, ability: Ability, projects: ProjectsService): Promise<void> {
  const definition = ABILITIES[ability];
  if (definition.scope === 'instance') {
    authorizeInstance(request.caller, ability);
    return;
  }
  const locate = request.routeOptions.config.project ?? projectFromIdParam;
  const key = locate({ params: request.params, headers: request.headers });
  if (key === undefined || key === '') throw projectNotFound();
  const { access, project } = await projects.authorize(request.caller, key, ability as ProjectScopedAbility);
  request.access = access;
  request.project = project;
}
