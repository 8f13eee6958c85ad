import { accessOf } from '../auth/request-context.ts';
import { replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { EnvironmentTarget, SetTargetBody } from '../targets/contract.ts';
import type { KubernetesBindings } from '../targets/kserve/bindings.ts';
import type { VertexBindings } from '../targets/vertex/bindings.ts';
import { VertexTargetErrors } from '../targets/vertex/errors.ts';
import { EnvironmentParams } from './contract.ts';
import type { EnvironmentsService } from './environments-service.ts';
import type { EnvironmentRow } from './records.ts';

const tags = ['deployments'];

/** Where an environment's variants run: the local agents, a KServe namespace or a Vertex AI endpoint (issue 18). */
export async function environmentTargetRoutes(app: App, deps: { environments: EnvironmentsService; bindings: KubernetesBindings; vertexBindings: VertexBindings }): Promise<void> {
  const present = async (env: EnvironmentRow) => ({
    environment_id: env.id,
    kind: env.target,
    routing: env.routing,
    kserve: env.target === 'kserve' ? await deps.bindings.view(env.id) : null,
    vertex: env.target === 'vertex' ? await deps.vertexBindings.view(env.id) : null,
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
        summary: 'Bind an environment to a KServe namespace or a Vertex AI endpoint',
        description:
          'What is deployed there is applied at once: as InferenceServices (server-side apply) on KServe; on Vertex AI as models deployed on one endpoint with its traffic split, in the background (long-running operations). Later deployments, canary steps and rollbacks too.',
        params: EnvironmentParams,
        body: SetTargetBody,
        response: replies({ 200: EnvironmentTarget }),
      },
    },
    async (request) => {
      const access = accessOf(request);
      const body = request.body;
      await deps.environments.get(access, request.params.environment_id);
      if (body.kind === 'vertex') {
        const { kind, routing, ...settings } = body;
        if (routing === 'gateway') throw VertexTargetErrors.NATIVE_ROUTING_ONLY();
        await deps.vertexBindings.check(settings);
        const env = await deps.environments.bindTarget(access, request.params.environment_id, {
          target: kind,
          routing: 'native',
          details: { gcp_project: settings.gcp_project, location: settings.location, staging_uri: settings.staging_uri, key_changed: settings.service_account_key !== undefined },
          // One kind's settings at a time: the other kind's go (a later switch back asks for its secrets again).
          write: async (trx, environmentId) => {
            await deps.bindings.remove(trx, environmentId);
            await deps.vertexBindings.write(trx, { id: environmentId, projectId: access.project.id }, settings);
          },
        });
        return present(env);
      }
      const { kind, routing, ...connection } = body;
      await deps.bindings.check(connection);
      const env = await deps.environments.bindTarget(access, request.params.environment_id, {
        target: kind,
        routing: routing ?? 'gateway',
        details: { api_url: connection.api_url, namespace: connection.namespace, token_changed: connection.token !== undefined, ca_changed: connection.ca_pem !== undefined },
        write: async (trx, environmentId) => {
          await deps.vertexBindings.remove(trx, environmentId);
          await deps.bindings.write(trx, environmentId, connection);
        },
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
        summary: "Back to the local agents: the target's InferenceServices are deleted (on Vertex AI, its models undeployed and its endpoint deleted), its settings forgotten",
        params: EnvironmentParams,
        response: replies({ 200: EnvironmentTarget }),
      },
    },
    async (request) =>
      present(
        await deps.environments.unbindTarget(accessOf(request), request.params.environment_id, async (trx, environmentId) => {
          const kserve = await deps.bindings.remove(trx, environmentId);
          return (await deps.vertexBindings.remove(trx, environmentId)) || kserve;
        }),
      ),
  );
}
