import type { Kysely } from 'kysely';
import type { Caller } from '../auth/caller.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { recordAudit, type AuditEntry } from './audit-log.ts';
import type { EventMap, EventName } from './event-map.ts';

type DomainOf<N> = N extends `${infer D}.${string}` ? D : never;
/** The domains whose events are declared in the event map (`project`, …). */
type DeclaredDomain = DomainOf<EventName>;

/**
 * The payload of an event of that name: its declared type. A name under a domain that declared
 * its events must be one of them (a misspelt name gets `never`); a domain that has not declared
 * its events yet records any object until it does.
 */
export type EventPayload<N extends string> = N extends EventName ? EventMap[N] : N extends `${DeclaredDomain}.${string}` ? never : Record<string, unknown>;

export interface DomainEvent<N extends string = string> {
  /** Dotted name, `<domain>.<thing>.<what happened>`: `project.member.added`. */
  type: N;
  projectId: number | null;
  payload: EventPayload<N>;
}

/**
 * Records a state change: the event goes to the outbox (for webhooks and pipeline triggers,
 * which read it after commit) and, when the change is one people audit, an audit entry is
 * written beside it. Both happen in the caller's transaction.
 */
export async function recordChange<N extends string>(db: Kysely<Schema>, caller: Caller | null, event: DomainEvent<N>, audit?: Omit<AuditEntry, 'projectId'>): Promise<void> {
  const payload = event.payload as object;
  await db
    .insertInto('events')
    .values({
      type: event.type,
      project_id: event.projectId,
      actor_id: caller?.user?.id ?? null,
      // A change made by a CI job says so: pipeline triggers use it to avoid loops.
      payload: JSON.stringify(caller?.jobId ? { ...payload, ci_job_id: caller.jobId } : payload),
      created_at: now(),
    })
    .execute();
  if (audit) await recordAudit(db, caller, { ...audit, projectId: event.projectId });
}
