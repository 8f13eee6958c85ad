import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { parseDate } from '../shared/dates.ts';
import { listAudit } from './audit-log.ts';

const AuditQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    created_after: Type.Optional(Type.String({ maxLength: 40 })),
    created_before: Type.Optional(Type.String({ maxLength: 40 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
  }),
]);

function parseTime(value: string | undefined, name: string): number | undefined {
  return value === undefined ? undefined : parseDate(value, name);
}

function auditFilters(query: { action?: string; created_after?: string; created_before?: string }) {
  return {
    action: query.action,
    createdAfter: parseTime(query.created_after, 'created_after'),
    createdBefore: parseTime(query.created_before, 'created_before'),
  };
}

export async function auditRoutes(app: App, deps: { db: Kysely<Schema> }): Promise<void> {
  app.get('/api/v4/audit_events', { config: { ability: 'admin:read' }, schema: { tags: ['audit'], summary: 'The instance audit log (administrators)', querystring: AuditQuery } }, async (request, reply) => {
    const window = pageWindow(request.query);
    const page = await listAudit(deps.db, { ...auditFilters(request.query), offset: window.offset, limit: window.limit });
    return sendPage(request, reply, window, page);
  });

  app.get(
    '/api/v4/projects/:id/audit_events',
    { config: { ability: 'audit:read' }, schema: { tags: ['audit'], summary: "A project's audit log (maintainers)", params: ProjectIdParams, querystring: AuditQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await listAudit(deps.db, { projectId: accessOf(request).project.id, ...auditFilters(request.query), offset: window.offset, limit: window.limit });
      return sendPage(request, reply, window, page);
    },
  );
}
