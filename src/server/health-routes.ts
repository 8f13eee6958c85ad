import type { Database } from '../db/database.ts';
import type { App } from '../http/types.ts';
import type { RequestMetrics } from '../http/plugins/metrics.ts';
import type { MetricsAccess } from '../http/metrics-access.ts';
import { replies } from '../http/responses.ts';
import { VERSION } from '../shared/version.ts';
import { Health, MetricsText, OpenApiDocument, Readiness, ServerVersion } from './contract.ts';
import { checkReadiness } from './readiness.ts';

export async function healthRoutes(app: App, deps: { database: Database; metrics: RequestMetrics; metricsAccess: MetricsAccess }): Promise<void> {
  app.get('/-/health', { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: replies({ 200: Health }) } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/-/readiness',
    { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'Readiness: the database answers', response: replies({ 200: Readiness, 503: Readiness }) } },
    async (request, reply) => {
      const readiness = await checkReadiness(deps.database, (error) => request.log.warn({ err: error }, 'readiness check failed'));
      return reply.status(readiness.status === 'ok' ? 200 : 503).send(readiness);
    },
  );

  // 'own': a metrics token is not a user's token, so the authenticator must not judge it.
  app.get(
    '/-/metrics',
    {
      config: { ability: 'metrics:read' },
      schema: { tags: ['operations'], summary: 'Prometheus metrics: to callers on this machine, or with the metrics token', response: replies({ 200: MetricsText }) },
    },
    async (request, reply) => {
      if (!deps.metricsAccess.allowsLocal(request.raw, request.ip) && !deps.metricsAccess.presentsToken(request.raw)) {
        return reply.status(404).send({ message: '404 Not Found' });
      }
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.render());
    },
  );

  app.get('/api/v4/version', { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'The server version', response: replies({ 200: ServerVersion }) } }, async () => ({
    version: VERSION,
    product: 'modelyard' as const,
  }));

  app.get('/api/v4/openapi.json', { config: { ability: 'public' }, schema: { hide: true, response: replies({ 200: OpenApiDocument }) } }, async () => {
    const document = app.swagger();
    // The swagger plugin is registered with `openapi` options: it makes an OpenAPI 3 document, never Swagger 2.
    if (!('openapi' in document)) throw new Error('the API document is not an OpenAPI 3 document');
    return document;
  });
}
