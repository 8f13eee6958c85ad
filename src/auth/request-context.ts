import type { ProjectRow } from '../projects/projects-service.ts';
import type { Ability } from './abilities.ts';
import type { Caller } from './caller.ts';
import type { ProjectAccess } from './policy.ts';

/**
 * What authorization adds to every route and request: the ability a route declares, how it
 * names its project, and the caller and project access the authorization hook establishes.
 */

/** How a project-scoped route names its project. */
export type ProjectLocator = (request: { params: unknown; headers: Record<string, string | string[] | undefined> }) => string | undefined;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The ability the caller needs; a route without one stops the server from starting. */
    ability?: Ability;
    /** Where a project-scoped route finds its project; the `:id` path parameter by default. */
    project?: ProjectLocator;
  }
  interface FastifyRequest {
    caller: Caller;
    access: ProjectAccess | null;
    project: ProjectRow | null;
  }
}

/** The access of a project-scoped route; the authorization hook guarantees it is set. */
export function accessOf(request: { access: ProjectAccess | null }): ProjectAccess {
  if (!request.access) throw new Error('route declared no project ability but asked for project access');
  return request.access;
}
