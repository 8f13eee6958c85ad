import type { Generated } from 'kysely';

/** The outbox: written in the same transaction as the change it describes. */
export interface EventsTable {
  id: Generated<number>;
  type: string;
  project_id: number | null;
  actor_id: number | null;
  payload: string;
  created_at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  action: string;
  author_id: number | null;
  author_name: string;
  project_id: number | null;
  target_type: string;
  target_id: string | null;
  details: string;
  ip_address: string | null;
  created_at: number;
}

/** Who does a piece of shared background work until when (src/events/work-leases.ts). */
export interface WorkLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface EventTables {
  events: EventsTable;
  audit_events: AuditEventsTable;
  work_leases: WorkLeasesTable;
}
