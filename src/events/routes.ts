import { accessOf } from '../auth/request-context.ts';
import { pageWindow, sendPage } from '../http/pagination.ts';
import { replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import type { AuditLogService } from './audit-log-service.ts';
import { AuditEventPage, AuditQuery } from './contract.ts';
import { presentAuditEvent } from './present.ts';

export async function auditRoutes(app: App, deps: { audit: AuditLogService }): Promise<void> {
  const { audit } = deps;

  app.get(
    '/api/v4/audit_events',
    { config: { ability: 'admin:read' }, schema: { tags: ['audit'], summary: 'The instance audit log (administrators)', querystring: AuditQuery, response: replies({ 200: AuditEventPage }) } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await audit.listInstance(request.query, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentAuditEvent) });
    },
  );

  app.get(
    '/api/v4/projects/:id/audit_events',
    {
      config: { ability: 'audit:read' },
      schema: { tags: ['audit'], summary: "A project's audit log (maintainers)", params: ProjectIdParams, querystring: AuditQuery, response: replies({ 200: AuditEventPage }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await audit.listProject(accessOf(request), request.query, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentAuditEvent) });
    },
  );
}
