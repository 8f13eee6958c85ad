import type { FastifyRequest } from 'fastify';
import { mlflowReplies } from '../http/responses.ts';
import { GetServerInfo_Response } from './contract.ts';
import { invalid } from '../shared/errors.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { mounts, pathParams, readsLeniently } from './mount.ts';
import type { MlflowEndpoint, MlflowServices } from './endpoint.ts';
import { MlflowErrors, sendMlflowError } from './errors.ts';
import { LOGGED_MODEL_ENDPOINTS } from './logged-model-routes.ts';
import { Message } from './message.ts';
import { given, JsonText } from './proto-json.ts';
import { mlflowArtifactRoutes } from './artifact-routes.ts';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { UploadsService } from '../artifacts/uploads-service.ts';
import { ExperimentIds } from './tracking-presenters.ts';
import { EXPERIMENT_ENDPOINTS, RUN_ENDPOINTS } from './tracking-routes.ts';
import { REGISTRY_ENDPOINTS } from './registry-routes.ts';

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
        schema: {
          tags: ['mlflow'],
          summary: endpoint.summary,
          hide: !mount.documented,
          ...(endpoint.method === 'GET' ? { querystring: endpoint.request } : { body: endpoint.request }),
          ...given('params', pathParams(mount, endpoint.params)),
          response: mlflowReplies({ 200: endpoint.response }),
        },
        validatorCompiler: readsLeniently,
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
    app.get(
      `${mount.prefix}/3.0/mlflow/server-info`,
      {
        config: { ability: 'ml:read', project: mount.locate, protocol: 'mlflow' },
        schema: { tags: ['mlflow'], summary: 'What the server supports (the client asks before multipart uploads)', hide: !mount.documented, ...given('params', pathParams(mount)), response: mlflowReplies({ 200: GetServerInfo_Response }) },
        validatorCompiler: readsLeniently,
      },
      async (): Promise<GetServerInfo_Response> => ({
      store_type: 'SqlStore',
      workspaces_enabled: false,
      trace_archival_enabled: false,
      multipart_uploads_enabled: true,
        multipart_downloads_enabled: false,
      }),
    );
    // Anything else under the MLflow paths is an unknown endpoint, in MLflow's words.
    for (const version of ['2.0', '3.0']) {
      app.route({
        method: ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'],
        url: `${mount.prefix}/${version}/mlflow/*`,
        config: { ability: 'public', protocol: 'mlflow' },
        schema: { hide: true, response: mlflowReplies({}) },
        handler: async (request) => {
          throw MlflowErrors.ENDPOINT_NOT_FOUND({ method: request.method, path: request.url.split('?')[0] ?? '' });
        },
      });
    }
  }
}
