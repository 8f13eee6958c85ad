import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { PageWindow } from '../http/pagination.ts';
import { parseDate } from '../shared/dates.ts';
import type { AuditRow } from './audit-log.ts';
import { describeAuditTargets, type AuditTarget } from './audit-targets.ts';

/** An entry with its target named for people. */
export type DescribedAuditRow = AuditRow & { target: AuditTarget };

/** The filters of `GET /audit_events`, as the caller wrote them. */
export interface AuditFilters {
  action?: string;
  created_after?: string;
  created_before?: string;
}

/** Reads the audit log: the instance's (administrators) or one project's (maintainers). */
export class AuditLogService {
  constructor(private readonly db: Kysely<Schema>) {}

  listInstance(filters: AuditFilters, window: PageWindow): Promise<{ total: number; items: DescribedAuditRow[] }> {
    return this.list(undefined, filters, window);
  }

  listProject(access: ProjectAccess, filters: AuditFilters, window: PageWindow): Promise<{ total: number; items: DescribedAuditRow[] }> {
    return this.list(access.project.id, filters, window);
  }

  private async list(projectId: number | undefined, filters: AuditFilters, window: PageWindow): Promise<{ total: number; items: DescribedAuditRow[] }> {
    const createdAfter = filters.created_after === undefined ? undefined : parseDate(filters.created_after, 'created_after');
    const createdBefore = filters.created_before === undefined ? undefined : parseDate(filters.created_before, 'created_before');
    let base = this.db.selectFrom('audit_events');
    if (projectId !== undefined) base = base.where('project_id', '=', projectId);
    if (filters.action !== undefined) base = base.where('action', '=', filters.action);
    if (createdAfter !== undefined) base = base.where('created_at', '>=', createdAfter);
    if (createdBefore !== undefined) base = base.where('created_at', '<', createdBefore);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('id', 'desc').offset(window.offset).limit(window.limit).execute(),
    ]);
    const targets = await describeAuditTargets(this.db, rows);
    return { total: Number(count.n), items: rows.map((row) => ({ ...row, target: targets.get(row.id)! })) };
  }
}
