import { Type, type Static } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import type { KubernetesBindings } from '../targets/kserve/bindings.ts';
import { EnvironmentParams } from './contract.ts';
import type { EnvironmentsService } from './environments-service.ts';
import type { EnvironmentRow } from './records.ts';

const tags = ['deployments'];

/** RFC 1123 label: a Kubernetes namespace's name. */
const NAMESPACE = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A bearer token goes into a header: no white space, no control characters. */
const TOKEN = '^[\\x21-\\x7e]+$';

export const SetTargetBody = Type.Object(
  {
    kind: Type.Literal('kserve', { description: 'KServe InferenceServices in a Kubernetes namespace' }),
    api_url: Type.String({ minLength: 1, maxLength: 2048, description: "The Kubernetes API server's URL (the outbound policy must allow it)" }),
    namespace: Type.String({ minLength: 1, maxLength: 63, pattern: NAMESPACE }),
    ca_pem: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 65_536 }), Type.Null()], { description: "PEM of the CA that signed the API server's certificate; omitted: keep, null: the system's CAs" }),
    ),
    token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16_384,
        pattern: TOKEN,
        description: 'Bearer token of a service account allowed to manage InferenceServices there; stored sealed, never returned; omitted: keep',
      }),
    ),
    routing: Type.Optional(
      Type.Union([Type.Literal('gateway'), Type.Literal('native')], {
        description: "'native': KServe's canaryTrafficPercent serves single and canary deployments; 'gateway' (default): Modelyard's gateway splits",
      }),
    ),
    service_account: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 253, pattern: NAMESPACE }), Type.Null()], { description: 'The service account whose Secret holds S3 credentials, for s3:// storage' }),
    ),
  },
  { additionalProperties: false },
);
export type SetTargetBody = Static<typeof SetTargetBody>;

export const EnvironmentTarget = Type.Object({
  environment_id: Type.Integer(),
  kind: Type.Union([Type.Literal('agent'), Type.Literal('kserve')]),
  routing: Type.Union([Type.Literal('gateway'), Type.Literal('native')]),
  kserve: Type.Union([
    Type.Object({
      api_url: Type.String(),
      namespace: Type.String(),
      ca_pem_set: Type.Boolean(),
      token_set: Type.Boolean(),
      service_account: Type.Union([Type.String(), Type.Null()]),
      last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last apply failed; null once one succeeded' }),
    }),
    Type.Null(),
  ]),
});

/** Where an environment's variants run: the local agents, or a KServe namespace (issue 18). */
export async function environmentTargetRoutes(app: App, deps: { environments: EnvironmentsService; bindings: KubernetesBindings }): Promise<void> {
  const present = async (env: EnvironmentRow) => ({
    environment_id: env.id,
    kind: env.target,
    routing: env.routing,
    kserve: env.target === 'kserve' ? await deps.bindings.view(env.id) : null,
  });

  app.get(
    '/api/v4/projects/:id/environments/:environment_id/target',
    {
      config: { ability: 'environments:admin-read' },
      schema: { tags, summary: "Where an environment's variants run (never the token)", params: EnvironmentParams, response: replies({ 200: EnvironmentTarget }) },
    },
    async (request) => present(await deps.environments.get(accessOf(request), request.params.environment_id)),
  );

  app.put(
    '/api/v4/projects/:id/environments/:environment_id/target',
    {
      config: { ability: 'environments:admin' },
      schema: {
        tags,
        summary: 'Bind an environment to a KServe namespace',
        description: 'What is deployed there is applied at once as InferenceServices (server-side apply); later deployments, canary steps and rollbacks too.',
        params: EnvironmentParams,
        body: SetTargetBody,
        response: replies({ 200: EnvironmentTarget }),
      },
    },
    async (request) => {
      const access = accessOf(request);
      const { kind, routing, ...connection } = request.body;
      await deps.environments.get(access, request.params.environment_id);
      await deps.bindings.check(connection);
      const env = await deps.environments.bindTarget(access, request.params.environment_id, {
        target: kind,
        routing: routing ?? 'gateway',
        details: { api_url: connection.api_url, namespace: connection.namespace, token_changed: connection.token !== undefined, ca_changed: connection.ca_pem !== undefined },
        write: (trx, environmentId) => deps.bindings.write(trx, environmentId, connection),
      });
      return present(env);
    },
  );

  app.delete(
    '/api/v4/projects/:id/environments/:environment_id/target',
    {
      config: { ability: 'environments:admin' },
      schema: {
        tags,
        summary: "Back to the local agents: the target's InferenceServices are deleted, its settings forgotten",
        params: EnvironmentParams,
        response: replies({ 200: EnvironmentTarget }),
      },
    },
    async (request) => present(await deps.environments.unbindTarget(accessOf(request), request.params.environment_id, (trx, environmentId) => deps.bindings.remove(trx, environmentId))),
  );
}
