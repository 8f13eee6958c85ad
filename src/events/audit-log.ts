import type { Kysely } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import { callerName } from '../auth/caller.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';

export interface AuditEntry {
  action: string;
  projectId?: number | null;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/**
 * Writes one audit entry. Called inside the transaction of the change it records, so an entry
 * exists exactly when the change does; refusals (which change nothing) are written on their own.
 */
export async function recordAudit(db: Kysely<Schema>, caller: Caller | null, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      action: entry.action,
      author_id: caller?.user?.id ?? null,
      author_name: caller ? callerName(caller) : 'system',
      project_id: entry.projectId ?? null,
      target_type: entry.targetType,
      target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      details: JSON.stringify(entry.details ?? {}),
      ip_address: caller?.ip ?? null,
      created_at: now(),
    })
    .execute();
}

export interface AuditQuery {
  projectId?: number;
  action?: string;
  createdAfter?: number;
  createdBefore?: number;
  offset: number;
  limit: number;
}

export interface AuditRecord {
  id: number;
  action: string;
  author_id: number | null;
  author_name: string;
  project_id: number | null;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown>;
  ip_address: string | null;
  created_at: string;
}

export async function listAudit(db: Kysely<Schema>, query: AuditQuery): Promise<{ total: number; items: AuditRecord[] }> {
  let base = db.selectFrom('audit_events');
  if (query.projectId !== undefined) base = base.where('project_id', '=', query.projectId);
  if (query.action !== undefined) base = base.where('action', '=', query.action);
  if (query.createdAfter !== undefined) base = base.where('created_at', '>=', query.createdAfter);
  if (query.createdBefore !== undefined) base = base.where('created_at', '<', query.createdBefore);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.selectAll().orderBy('id', 'desc').offset(query.offset).limit(query.limit).execute(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((row) => ({
      ...row,
      details: JSON.parse(row.details) as Record<string, unknown>,
      created_at: new Date(row.created_at).toISOString(),
    })),
  };
}
