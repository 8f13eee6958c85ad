import { Type } from 'typebox';
import { accessOf } from '../../auth/request-context.ts';
import { replies } from '../../http/responses.ts';
import { ProjectIdParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { GoogleCloudIntegrations } from './project-integration.ts';

const tags = ['integrations'];
const PATH = '/api/v4/projects/:id/integrations/google-cloud';

const IntegrationView = Type.Object({
  active: Type.Boolean(),
  service_account: Type.Union([Type.String(), Type.Null()], { description: "The key's service account (client_email); the key itself is never returned" }),
  google_project: Type.Union([Type.String(), Type.Null()], { description: "The key's project_id" }),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});

const SetIntegrationBody = Type.Object(
  { service_account_key: Type.String({ minLength: 2, maxLength: 65_536, description: "A service account's JSON key file; stored sealed, never returned" }) },
  { additionalProperties: false },
);

/**
 * A project's Google Cloud integration (maintainers, as CI settings are): the key Vertex AI
 * imports and Vertex AI environments of the project use when they are given none.
 */
export async function googleCloudIntegrationRoutes(app: App, deps: { integrations: GoogleCloudIntegrations }): Promise<void> {
  app.get(
    PATH,
    { config: { ability: 'ci:admin-read' }, schema: { tags, summary: "The project's Google Cloud integration (never the key)", params: ProjectIdParams, response: replies({ 200: IntegrationView }) } },
    async (request) => deps.integrations.view(accessOf(request).project.id),
  );
  app.put(
    PATH,
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: "Set the project's Google Cloud service-account key",
        description: 'Used by Vertex AI imports and Vertex AI environments of the project that are given no key of their own.',
        params: ProjectIdParams,
        body: SetIntegrationBody,
        response: replies({ 200: IntegrationView }),
      },
    },
    async (request) => deps.integrations.set(accessOf(request), request.body.service_account_key),
  );
  app.delete(
    PATH,
    { config: { ability: 'ci:admin' }, schema: { tags, summary: "Remove the project's Google Cloud integration", params: ProjectIdParams, response: replies({ 200: IntegrationView }) } },
    async (request) => deps.integrations.remove(accessOf(request)),
  );
}
