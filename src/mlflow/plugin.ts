import type { FastifyRequest } from 'fastify';
import { invalid } from '../shared/errors.ts';
import { projectFromIdParam } from '../auth/authorization-hook.ts';
import { type App } from '../http/types.ts';
import { accessOf, type ProjectLocator } from '../auth/request-context.ts';
import { AppError } from '../shared/errors.ts';
import type { MlflowEndpoint, MlflowServices } from './endpoint.ts';
import { sendMlflowError } from './errors.ts';
import { LOGGED_MODEL_ENDPOINTS } from './logged-model-routes.ts';
import { Message } from './message.ts';
import { JsonText } from './proto-json.ts';
import { mlflowArtifactRoutes } from './artifact-routes.ts';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { UploadsService } from '../artifacts/uploads-service.ts';
import { ExperimentIds } from './tracking-presenters.ts';
import { EXPERIMENT_ENDPOINTS, RUN_ENDPOINTS } from './tracking-routes.ts';
import { REGISTRY_ENDPOINTS } from './registry-routes.ts';

export const PROJECT_HEADER = 'x-modelyard-project';

export interface Mount {
  /** Replaces `/api` in MLflow's paths. */
  prefix: string;
  locate: ProjectLocator;
  /** Listed in the OpenAPI document (the other mounts repeat it). */
  documented: boolean;
}

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
    { prefix: '/api/v4/projects/:id/ml/mlflow/api', locate: projectFromIdParam, documented: true },
    { prefix: '/api', locate: fromHeaderOrDefault, documented: false },
    { prefix: '/ajax-api', locate: fromHeaderOrDefault, documented: false },
  ];
}

export const MLFLOW_ENDPOINTS: MlflowEndpoint[] = [...EXPERIMENT_ENDPOINTS, ...RUN_ENDPOINTS, ...LOGGED_MODEL_ENDPOINTS, ...REGISTRY_ENDPOINTS];

function messageOf(request: FastifyRequest): Message {
  return new Message(request.method === 'GET' ? request.query : request.body);
}

export async function mlflowRoutes(
  app: App,
  deps: { services: MlflowServices; defaultProject: string; artifacts: ArtifactsService; uploads: UploadsService },
): Promise<void> {
  app.setErrorHandler(sendMlflowError);
  await app.register(mlflowArtifactRoutes, { artifacts: deps.artifacts, uploads: deps.uploads, mounts: mounts(deps.defaultProject) });
  const endpoints = MLFLOW_ENDPOINTS;
  for (const mount of mounts(deps.defaultProject)) {
    for (const endpoint of endpoints) {
      app.route({
        method: endpoint.method,
        url: `${mount.prefix}${endpoint.path}`,
        config: { ability: endpoint.ability, project: mount.locate, protocol: 'mlflow' },
        schema: { tags: ['mlflow'], summary: endpoint.summary, hide: !mount.documented },
        handler: async (request, reply) => {
          const access = accessOf(request);
          let ids: ExperimentIds | undefined;
          const loadIds = async () => (ids ??= new ExperimentIds((await deps.services.experiments.defaultExperiment(access)).id));
          const answer = await endpoint.handle({
            access,
            message: messageOf(request),
            params: request.params as Record<string, string>,
            bodyBytes: Number(request.headers['content-length'] ?? 0),
            services: deps.services,
            ids: loadIds,
            async experimentId(raw, field = 'experiment_id') {
              if (raw === undefined || raw === '') throw invalid(`Missing value for required parameter '${field}'.`);
              if (raw === '0') return (await loadIds()).defaultId;
              if (!/^\d{1,15}$/.test(raw)) throw invalid(`Invalid experiment ID '${raw}'. Experiment ID must be a valid integer.`);
              return Number(raw);
            },
          });
          return answer instanceof JsonText ? reply.type('application/json').send(answer.body) : answer;
        },
      });
    }
    // MLflow's server-info: what the client probes before choosing multipart uploads.
    app.get(`${mount.prefix}/3.0/mlflow/server-info`, { config: { ability: 'ml:read', project: mount.locate, protocol: 'mlflow' }, schema: { tags: ['mlflow'], hide: !mount.documented } }, async () => ({
      store_type: 'SqlStore',
      workspaces_enabled: false,
      trace_archival_enabled: false,
      multipart_uploads_enabled: true,
      multipart_downloads_enabled: false,
    }));
    // Anything else under the MLflow paths is an unknown endpoint, in MLflow's words.
    for (const version of ['2.0', '3.0']) {
      app.route({
        method: ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'],
        url: `${mount.prefix}/${version}/mlflow/*`,
        config: { ability: 'public', protocol: 'mlflow' },
        schema: { hide: true },
        handler: async (request) => {
          throw new AppError('not_found', 'ENDPOINT_NOT_FOUND', `No API endpoint for ${request.method} ${request.url.split('?')[0]}`);
        },
      });
    }
  }
}
