import { Type } from 'typebox';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { presentWebhook, type WebhooksService } from './webhooks-service.ts';

const HookParams = Type.Intersect([ProjectIdParams, Type.Object({ hook_id: NumericId })]);
const Events = Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 50 });
const tags = ['webhooks'];

/** Project webhooks at GitLab's path (`/projects/:id/hooks`), with Modelyard's event types and signing. */
export async function webhookRoutes(app: App, deps: { webhooks: WebhooksService }): Promise<void> {
  const { webhooks } = deps;

  app.get('/api/v4/projects/:id/hooks', { config: { ability: 'webhooks:read' }, schema: { tags, summary: "A project's webhooks", params: ProjectIdParams } }, async (request) =>
    (await webhooks.list(accessOf(request))).map(presentWebhook),
  );

  app.post(
    '/api/v4/projects/:id/hooks',
    {
      config: { ability: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Add a webhook; its signing secret is shown once',
        params: ProjectIdParams,
        body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }), events: Events, secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(accessOf(request), request.body);
      return reply.status(201).send({ ...presentWebhook(created.row), secret: created.secret });
    },
  );

  app.get('/api/v4/projects/:id/hooks/:hook_id', { config: { ability: 'webhooks:read' }, schema: { tags, summary: 'One webhook', params: HookParams } }, async (request) =>
    presentWebhook(await webhooks.get(accessOf(request), request.params.hook_id)),
  );

  app.put(
    '/api/v4/projects/:id/hooks/:hook_id',
    {
      config: { ability: 'webhooks:manage' },
      schema: { tags, summary: 'Change a webhook', params: HookParams, body: Type.Object({ url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), events: Type.Optional(Events), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }) },
    },
    async (request) => presentWebhook(await webhooks.update(accessOf(request), request.params.hook_id, request.body)),
  );

  app.delete('/api/v4/projects/:id/hooks/:hook_id', { config: { ability: 'webhooks:manage' }, schema: { tags, summary: 'Delete a webhook', params: HookParams } }, async (request, reply) => {
    await webhooks.delete(accessOf(request), request.params.hook_id);
    return reply.status(204).send();
  });

  app.get(
    '/api/v4/projects/:id/hooks/:hook_id/deliveries',
    { config: { ability: 'webhooks:read' }, schema: { tags, summary: 'The delivery log: every delivery and each try with its status code', params: HookParams, querystring: PaginationQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      return sendPage(request, reply, window, await webhooks.deliveries(accessOf(request), request.params.hook_id, window));
    },
  );
}
