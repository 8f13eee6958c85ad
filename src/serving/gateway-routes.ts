import type { FastifyReply } from 'fastify';
import { Bytes, NativeError, replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { FeedbackBody, FeedbackReply, GatewayParams } from './contract.ts';
import type { Gateway, GatewayAnswer } from './gateway.ts';

/** The largest prediction request the gateway forwards (MLflow's scoring server reads batches). */
export const INVOCATION_BODY_LIMIT = 64 * 1024 * 1024;

const tags = ['serving'];
const passedThrough = (what: string) => ({
  ...replies({ 200: Bytes('application/json', what) }),
  '5xx': { ...NativeError, description: '502: the model server could not be reached; 503: the environment is stopped, empty, or has no ready instance; 504: the model server did not answer in time' },
});

/** The model server's answer as it was, or the gateway's own 502/504; the variant and deployment are named in headers. */
function send(reply: FastifyReply, answer: GatewayAnswer) {
  reply.header('X-Modelyard-Variant', answer.variant);
  reply.header('X-Modelyard-Deployment', String(answer.deploymentId));
  if (answer.kind === 'failure') return reply.status(answer.status).send({ message: answer.message });
  reply.status(answer.status);
  if (answer.contentType) reply.header('Content-Type', answer.contentType);
  return reply.send(answer.body);
}

/**
 * `POST /serving/:project/:environment/invocations` and its `/ping`, `/version` and `/feedback`:
 * MLflow's scoring protocol (`dataframe_split`, `dataframe_records`, `instances`, `inputs`,
 * `text/csv`) passed through unchanged to the environment's variants. Callers present a token
 * with the `serve` scope; the gateway checks it itself, through its cache ('serving:invoke').
 */
export async function gatewayRoutes(app: App, deps: { gateway: Gateway }): Promise<void> {
  const { gateway } = deps;

  // Predictions are forwarded as bytes, whatever their type: nothing here parses them.
  await app.register(async (raw: App) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INVOCATION_BODY_LIMIT }, (_request, body, done) => done(null, body));
    raw.post(
      '/serving/:id/:environment/invocations',
      {
        bodyLimit: INVOCATION_BODY_LIMIT,
        config: { ability: 'serving:invoke' },
        schema: {
          tags,
          summary: "A prediction: the environment's model answers (MLflow's scoring protocol, unchanged)",
          params: GatewayParams,
          response: passedThrough("The model server's answer, unchanged"),
        },
      },
      async (request, reply) => {
        const route = await gateway.route(request.headers, request.params.id, request.params.environment, request.ip);
        return send(reply as FastifyReply, await gateway.invoke(route, request.headers, Buffer.isBuffer(request.body) ? request.body : undefined));
      },
    );
  });

  for (const path of ['/ping', '/version'] as const) {
    app.get(
      `/serving/:id/:environment${path}`,
      {
        config: { ability: 'serving:invoke' },
        schema: { tags, summary: `The model server's ${path} (one ready instance)`, params: GatewayParams, response: passedThrough(`The model server's ${path} answer`) },
      },
      async (request, reply) => {
        const route = await gateway.route(request.headers, request.params.id, request.params.environment, request.ip);
        return send(reply as FastifyReply, await gateway.probe(route, request.headers, path));
      },
    );
  }

  app.post(
    '/serving/:id/:environment/feedback',
    {
      config: { ability: 'serving:invoke' },
      schema: {
        tags,
        summary: "A subject's reward, counted for the variant the subject is assigned to (A/B results)",
        params: GatewayParams,
        body: FeedbackBody,
        response: replies({ 200: FeedbackReply }),
      },
    },
    async (request) => {
      const route = await gateway.route(request.headers, request.params.id, request.params.environment, request.ip);
      return gateway.feedback(route, request.body);
    },
  );
}
