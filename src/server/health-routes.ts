import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { App } from '../http/types.ts';
import type { RequestMetrics } from '../http/plugins/metrics.ts';
import type { MetricsAccess } from '../http/metrics-access.ts';
import { VERSION } from '../shared/version.ts';

export async function healthRoutes(app: App, deps: { database: Database; metrics: RequestMetrics; metricsAccess: MetricsAccess }): Promise<void> {
  app.get('/-/health', { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/-/readiness', { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'Readiness: the database answers' } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.database.db);
      return { status: 'ok', checks: { database: 'ok' } };
    } catch (error) {
      reply.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'failed', checks: { database: 'failed' } });
    }
  });

  // 'own': a metrics token is not a user's token, so the authenticator must not judge it.
  app.get(
    '/-/metrics',
    { config: { ability: 'metrics:read' }, schema: { tags: ['operations'], summary: 'Prometheus metrics: to callers on this machine, or with the metrics token' } },
    async (request, reply) => {
      if (!deps.metricsAccess.allowsLocal(request.raw, request.ip) && !deps.metricsAccess.presentsToken(request.raw)) {
        return reply.status(404).send({ message: '404 Not Found' });
      }
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.render());
    },
  );

  app.get('/api/v4/version', { config: { ability: 'public' }, schema: { tags: ['operations'], summary: 'The server version' } }, async () => ({ version: VERSION, product: 'modelyard' }));

  app.get('/api/v4/openapi.json', { config: { ability: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
