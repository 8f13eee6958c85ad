import type { FastifySchemaCompiler } from 'fastify';
import { Type, type TObject, type TProperties } from 'typebox';
import { projectFromIdParam } from '../auth/authorization-hook.ts';
import type { ProjectLocator } from '../auth/request-context.ts';

export const PROJECT_HEADER = 'x-modelyard-project';

export interface Mount {
  /** Replaces `/api` in MLflow's paths. */
  prefix: string;
  locate: ProjectLocator;
  /** Listed in the OpenAPI document (the other mounts repeat it). */
  documented: boolean;
  /** The path parameters the prefix itself has (the project's id), for the OpenAPI document. */
  params: TProperties;
}

const ProjectParam = { id: Type.String({ description: 'The project: its id or its URL-encoded path' }) };

/**
 * The MLflow protocol is served at GitLab's per-project tracking URI and at the plain MLflow
 * root (`/api` and the UI's `/ajax-api`), where the project is named by a header or is the
 * instance's default.
 */
export function mounts(defaultProject: string): Mount[] {
  const fromHeaderOrDefault: ProjectLocator = (request) => {
    const named = request.headers[PROJECT_HEADER];
    const value = Array.isArray(named) ? named[0] : named;
    return value && value.trim() !== '' ? value.trim() : defaultProject;
  };
  return [
    { prefix: '/api/v4/projects/:id/ml/mlflow/api', locate: projectFromIdParam, documented: true, params: ProjectParam },
    { prefix: '/api', locate: fromHeaderOrDefault, documented: false, params: {} },
    { prefix: '/ajax-api', locate: fromHeaderOrDefault, documented: false, params: {} },
  ];
}

/**
 * MLflow reads requests as proto-JSON (message.ts): unknown fields are ignored, numbers may come
 * as strings. The request messages in the route schemas document that for the OpenAPI document
 * and are never used to refuse a request, so the validator accepts whatever arrives.
 */
export const readsLeniently: FastifySchemaCompiler<unknown> = () => () => true;

/** A route's path parameters: the mount's and the endpoint's own. */
export function pathParams(mount: Mount, own?: TObject): TObject | undefined {
  const properties = { ...mount.params, ...(own?.properties ?? {}) };
  return Object.keys(properties).length > 0 ? Type.Object(properties) : undefined;
}
