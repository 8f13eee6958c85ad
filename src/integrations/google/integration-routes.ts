import { accessOf } from '../../auth/request-context.ts';
import { replies } from '../../http/responses.ts';
import { ProjectIdParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { GoogleCloudIntegrationView as IntegrationView, SetGoogleCloudIntegrationBody as SetIntegrationBody } from './contract.ts';
import type { GoogleCloudIntegrations } from './project-integration.ts';

const tags = ['integrations'];
const PATH = '/api/v4/projects/:id/integrations/google-cloud';

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
