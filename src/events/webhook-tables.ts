import type { Generated } from 'kysely';
import { sealedColumn } from '../secrets/sealed-column.ts';

export interface WebhooksTable {
  id: Generated<number>;
  project_id: number;
  url: string;
  /** The shared secret the body is signed with (HMAC-SHA256), sealed (WEBHOOK_SECRET): it is needed in clear to sign. */
  secret: string;
  /** JSON array of event types, or ["*"]. */
  events: string;
  enabled: number;
  creator_id: number | null;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: number;
  event_type: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
}

/** One try of a delivery, as the delivery log shows it. */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: number;
}

/** How far each consumer of the outbox has read. */
export interface EventCursorsTable {
  consumer: string;
  last_event_id: number;
}

/** Webhook signing secrets are sealed at rest, bound to their hook's id. */
export const WEBHOOK_SECRET = sealedColumn('webhooks', 'secret', ['id']);
export const WEBHOOK_SEALED_COLUMNS = [WEBHOOK_SECRET] as const;

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  event_cursors: EventCursorsTable;
}
