import type { FastifyRequest } from 'fastify';
import { mlflowReplies, writtenByJsonStringify } from '../http/responses.ts';
import { GetServerInfo_Response } from './contract.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { mounts, pathParams, readsLeniently, type Mount } from './mount.ts';
import { mlflowUiRoutes } from './ui-routes.ts';
import { mlflowGraphqlRoutes } from './graphql-routes.ts';
import { acceptRawBodies } from '../http/raw-body.ts';
import type { MlflowServices } from './endpoint.ts';
import { mlflowCall } from './call.ts';
import { MLFLOW_ENDPOINTS } from './endpoints.ts';
import { MlflowErrors, sendMlflowError } from './errors.ts';
import { Message } from './message.ts';
import { given, JsonText } from './proto-json.ts';
import { mlflowArtifactRoutes } from './artifact-routes.ts';
import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import type { UploadsService } from '../artifacts/uploads-service.ts';

function messageOf(request: FastifyRequest): Message {
  return new Message(request.method === 'GET' ? request.query : request.body);
}

export async function mlflowRoutes(app: App, deps: { services: MlflowServices; defaultProject: string; artifacts: ArtifactsService; uploads: UploadsService }): Promise<void> {
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
        // MLflow's answers are its largest (search pages of 1,000 runs or versions, histories).
        ...writtenByJsonStringify,
        handler: async (request, reply) => {
          const answer = await endpoint.handle(
            mlflowCall({
              access: accessOf(request),
              message: messageOf(request),
              params: request.params as Record<string, string>,
              bodyBytes: Number(request.headers['content-length'] ?? 0),
              services: deps.services,
            }),
          );
          return answer instanceof JsonText ? reply.type('application/json').send(answer.body) : answer;
        },
      });
    }
    // MLflow's server-info: what the client probes before choosing multipart uploads.
    app.get(
      `${mount.prefix}/3.0/mlflow/server-info`,
      {
        config: { ability: 'ml:read', project: mount.locate, protocol: 'mlflow' },
        schema: {
          tags: ['mlflow'],
          summary: 'What the server supports (the client asks before multipart uploads)',
          hide: !mount.documented,
          ...given('params', pathParams(mount)),
          response: mlflowReplies({ 200: GetServerInfo_Response }),
        },
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
  }
  await app.register(mlflowUiRoutes, { services: deps.services, defaultProject: deps.defaultProject });
  await app.register(mlflowGraphqlRoutes, { services: deps.services, defaultProject: deps.defaultProject });
  await app.register(unknownEndpoints, { mounts: mounts(deps.defaultProject) });
}

/**
 * Anything else under the MLflow paths is an unknown endpoint, in MLflow's words: the GenAI
 * families (traces, assessments, scorers, gateway, evaluation datasets, prompt lab) among them.
 * Whatever the body is, the answer is the same 404, so bodies are not parsed here (a parser
 * would refuse an unknown media type with 415 first).
 */
async function unknownEndpoints(app: App, deps: { mounts: Mount[] }): Promise<void> {
  acceptRawBodies(app);
  for (const mount of deps.mounts) {
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
