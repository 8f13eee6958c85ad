import { accessOf } from '../auth/request-context.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { CreatedWebhook, CreateWebhookBody, UpdateWebhookBody, WebhookDeliveryPage, WebhookList, WebhookNative, WebhookParams } from './contract.ts';
import { presentDelivery, presentWebhook } from './present.ts';
import type { WebhooksService } from './webhooks-service.ts';

const tags = ['webhooks'];

/** Project webhooks at GitLab's path (`/projects/:id/hooks`), with Modelyard's event types and signing. */
export async function webhookRoutes(app: App, deps: { webhooks: WebhooksService }): Promise<void> {
  const { webhooks } = deps;

  app.get(
    '/api/v4/projects/:id/hooks',
    { config: { ability: 'webhooks:read' }, schema: { tags, summary: "A project's webhooks", params: ProjectIdParams, response: replies({ 200: WebhookList }) } },
    async (request) => (await webhooks.list(accessOf(request))).map(presentWebhook),
  );

  app.post(
    '/api/v4/projects/:id/hooks',
    {
      config: { ability: 'webhooks:manage' },
      schema: { tags, summary: 'Add a webhook; its signing secret is shown once', params: ProjectIdParams, body: CreateWebhookBody, response: replies({ 201: CreatedWebhook }) },
    },
    async (request, reply) => {
      const created = await webhooks.create(accessOf(request), request.body);
      return reply.status(201).send({ ...presentWebhook(created.row), secret: created.secret });
    },
  );

  app.get(
    '/api/v4/projects/:id/hooks/:hook_id',
    { config: { ability: 'webhooks:read' }, schema: { tags, summary: 'One webhook', params: WebhookParams, response: replies({ 200: WebhookNative }) } },
    async (request) => presentWebhook(await webhooks.get(accessOf(request), request.params.hook_id)),
  );

  app.put(
    '/api/v4/projects/:id/hooks/:hook_id',
    {
      config: { ability: 'webhooks:manage' },
      schema: { tags, summary: 'Change a webhook', params: WebhookParams, body: UpdateWebhookBody, response: replies({ 200: WebhookNative }) },
    },
    async (request) => presentWebhook(await webhooks.update(accessOf(request), request.params.hook_id, request.body)),
  );

  app.delete(
    '/api/v4/projects/:id/hooks/:hook_id',
    { config: { ability: 'webhooks:manage' }, schema: { tags, summary: 'Delete a webhook', params: WebhookParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await webhooks.delete(accessOf(request), request.params.hook_id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/hooks/:hook_id/deliveries',
    {
      config: { ability: 'webhooks:read' },
      schema: {
        tags,
        summary: 'The delivery log: every delivery and each try with its status code',
        params: WebhookParams,
        querystring: PaginationQuery,
        response: replies({ 200: WebhookDeliveryPage }),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await webhooks.deliveries(accessOf(request), request.params.hook_id, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentDelivery) });
    },
  );
}
