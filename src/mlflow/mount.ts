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
 * A tracking URI the MLflow client can be pointed at: GitLab's per-project one, or the plain
 * server root, where the project is named by a header or is the instance's default. The client
 * builds every URL from it: the REST API under `/api` and, for the MLflow UI's own calls,
 * `/ajax-api`, `/graphql`, `/get-artifact`, `/health`, `/version`.
 */
export interface TrackingBase {
  /** '' for the server root. */
  path: string;
  locate: ProjectLocator;
  /** Listed in the OpenAPI document (the root repeats the project's). */
  documented: boolean;
  params: TProperties;
}

export function trackingBases(defaultProject: string): TrackingBase[] {
  const fromHeaderOrDefault: ProjectLocator = (request) => {
    const named = request.headers[PROJECT_HEADER];
    const value = Array.isArray(named) ? named[0] : named;
    return value && value.trim() !== '' ? value.trim() : defaultProject;
  };
  return [
    { path: PROJECT_TRACKING_BASE, locate: projectFromIdParam, documented: true, params: ProjectParam },
    { path: '', locate: fromHeaderOrDefault, documented: false, params: {} },
  ];
}

/** GitLab's tracking URI shape: `MLFLOW_TRACKING_URI=http://host/api/v4/projects/<id>/ml/mlflow`. */
export const PROJECT_TRACKING_BASE = '/api/v4/projects/:id/ml/mlflow';

/** The REST API (`/api`) and the MLflow UI's mirror of it (`/ajax-api`) under every tracking URI. */
export function mounts(defaultProject: string): Mount[] {
  return trackingBases(defaultProject).flatMap((base) => [
    { prefix: `${base.path}/api`, locate: base.locate, documented: base.documented, params: base.params },
    { prefix: `${base.path}/ajax-api`, locate: base.locate, documented: false, params: base.params },
  ]);
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
