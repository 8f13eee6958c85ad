import type { Kysely } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { recordAudit, type AuditEntry } from './audit-log.ts';

export interface DomainEvent {
  /** Dotted name, `<domain>.<thing>.<what happened>`: `project.member.added`. */
  type: string;
  projectId: number | null;
  payload: Record<string, unknown>;
}

/**
 * Records a state change: the event goes to the outbox (for webhooks and pipeline triggers,
 * which read it after commit) and, when the change is one people audit, an audit entry is
 * written beside it. Both happen in the caller's transaction.
 */
export async function recordChange(
  db: Kysely<Schema>,
  caller: Caller | null,
  event: DomainEvent,
  audit?: Omit<AuditEntry, 'projectId'>,
): Promise<void> {
  await db
    .insertInto('events')
    .values({
      type: event.type,
      project_id: event.projectId,
      actor_id: caller?.user?.id ?? null,
      // A change made by a CI job says so: pipeline triggers use it to avoid loops.
      payload: JSON.stringify(caller?.jobId ? { ...event.payload, ci_job_id: caller.jobId } : event.payload),
      created_at: now(),
    })
    .execute();
  if (audit) await recordAudit(db, caller, { ...audit, projectId: event.projectId });
}
