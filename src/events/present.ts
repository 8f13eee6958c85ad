import type { AuditEventNative, WebhookDeliveryNative, WebhookNative } from './contract.ts';
import type { DescribedAuditRow } from './audit-log-service.ts';
import type { DeliveryRecord, WebhookRow } from './webhooks-service.ts';

export function presentAuditEvent(row: DescribedAuditRow): AuditEventNative {
  return {
    id: row.id,
    action: row.action,
    author_id: row.author_id,
    author_name: row.author_name,
    project_id: row.project_id,
    target_type: row.target_type,
    target_id: row.target_id,
    target_name: row.target.name,
    target_web_path: row.target.web_path,
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip_address: row.ip_address,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function presentWebhook(row: WebhookRow): WebhookNative {
  return { id: row.id, project_id: row.project_id, url: row.url, events: JSON.parse(row.events) as string[], enabled: row.enabled === 1, created_at: new Date(row.created_at).toISOString() };
}

export function presentDelivery({ delivery, attempts }: DeliveryRecord): WebhookDeliveryNative {
  return {
    id: delivery.id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    state: delivery.state,
    attempts: attempts.map((a) => ({ status_code: a.status_code, error: a.error, duration_ms: a.duration_ms, created_at: new Date(a.created_at).toISOString() })),
    created_at: new Date(delivery.created_at).toISOString(),
    next_attempt_at: delivery.state === 'pending' ? new Date(delivery.next_attempt_at).toISOString() : null,
  };
}
