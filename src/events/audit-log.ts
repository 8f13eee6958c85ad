import type { Kysely, Selectable } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import { callerName } from '../auth/caller.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import type { AuditEventsTable } from './tables.ts';

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

export type AuditRow = Selectable<AuditEventsTable>;
