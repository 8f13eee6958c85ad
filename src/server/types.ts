import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Ability } from '../auth/abilities.ts';
import type { Caller } from '../auth/caller.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import type { ProjectRow } from '../projects/projects-service.ts';

/** How a project-scoped route names its project. */
export type ProjectLocator = (request: { params: unknown; headers: Record<string, string | string[] | undefined> }) => string | undefined;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The ability the caller needs; a route without one stops the server from starting. */
    ability?: Ability;
    /** Where a project-scoped route finds its project; the `:id` path parameter by default. */
    project?: ProjectLocator;
    /** The protocol whose error shape this route answers in. */
    protocol?: 'native' | 'mlflow';
  }
  interface FastifyInstance {
    /** MODELYARD_PUBLIC_URL: absolute links (pagination, web URLs) are built on it. */
    publicUrl: string;
  }
  interface FastifyRequest {
    caller: Caller;
    access: ProjectAccess | null;
    project: ProjectRow | null;
  }
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The access of a project-scoped route; the authorization hook guarantees it is set. */
export function accessOf(request: { access: ProjectAccess | null }): ProjectAccess {
  if (!request.access) throw new Error('route declared no project ability but asked for project access');
  return request.access;
}
