import { Type, type Static } from 'typebox';
import { PaginationQuery } from '../http/pagination-query.ts';
import { Closed } from '../http/responses.ts';
import { NumericId, ProjectIdParams } from '../http/schemas.ts';

/** The native API of the audit log and of project webhooks. */

const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date and time (UTC)' });

// --- audit log -------------------------------------------------------------------------------

export const AuditEventNative = Closed(
  {
    id: Type.Integer(),
    action: Type.String({ description: 'What happened: `project.created`, `member.added`, `authentication.failed`, …' }),
    author_id: Type.Union([Type.Integer(), Type.Null()], { description: 'null for an anonymous caller or the system' }),
    author_name: Type.String({ description: "The author's username, `anonymous` or `system`" }),
    project_id: Type.Union([Type.Integer(), Type.Null()]),
    target_type: Type.String(),
    target_id: Type.Union([Type.String(), Type.Null()]),
    target_name: Type.Union([Type.String(), Type.Null()], { description: "The target's name today (`iris v3`, a project's path, a username), or the name the entry recorded when the target is gone" }),
    target_web_path: Type.Union([Type.String(), Type.Null()], { description: "The web UI's page of the target, when it has one and still exists" }),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'The facts of the change, by action' }),
    ip_address: Type.Union([Type.String(), Type.Null()]),
    created_at: IsoTime,
  },
  { description: 'An audit log entry' },
);
export type AuditEventNative = Static<typeof AuditEventNative>;

export const AuditEventPage = Type.Array(AuditEventNative, { description: 'A page of audit log entries, newest first; the X-Total, X-Next-Page and Link headers say what follows' });

export const AuditQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({
    created_after: Type.Optional(Type.String({ maxLength: 40, description: 'From this time on (inclusive); a date or an ISO date-time' })),
    created_before: Type.Optional(Type.String({ maxLength: 40, description: 'Before this time (exclusive); a date or an ISO date-time' })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
  }),
]);
export type AuditQuery = Static<typeof AuditQuery>;

// --- webhooks --------------------------------------------------------------------------------

const webhookFields = {
  id: Type.Integer(),
  project_id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: 'Event types (`registry.version.created`), prefixes (`registry.*`) or `*`' }),
  enabled: Type.Boolean(),
  created_at: IsoTime,
};

export const WebhookNative = Closed(webhookFields, { description: 'A project webhook (without its signing secret)' });
export type WebhookNative = Static<typeof WebhookNative>;

export const WebhookList = Type.Array(WebhookNative, { description: 'Every webhook of the project' });

export const CreatedWebhook = Closed(
  { ...webhookFields, secret: Type.String({ description: 'The signing secret, shown this once' }) },
  { description: 'A new webhook with its signing secret, shown this once' },
);
export type CreatedWebhook = Static<typeof CreatedWebhook>;

export const WebhookAttemptNative = Closed({
  status_code: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status; null when it could not be reached" }),
  error: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Integer(),
  created_at: IsoTime,
});
export type WebhookAttemptNative = Static<typeof WebhookAttemptNative>;

export const WebhookDeliveryNative = Closed(
  {
    id: Type.Integer(),
    event_id: Type.Integer(),
    event_type: Type.String(),
    state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Array(WebhookAttemptNative, { description: 'Every try, oldest first' }),
    created_at: IsoTime,
    next_attempt_at: Type.Union([IsoTime, Type.Null()], { description: 'When it is tried next; null once delivered or given up' }),
  },
  { description: 'The delivery of one event to a webhook' },
);
export type WebhookDeliveryNative = Static<typeof WebhookDeliveryNative>;

export const WebhookDeliveryPage = Type.Array(WebhookDeliveryNative, { description: 'A page of deliveries, newest first; the X-Total, X-Next-Page and Link headers say what follows' });

const WebhookEvents = Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 50 });
const WebhookUrl = Type.String({ minLength: 1, maxLength: 2000 });

export const CreateWebhookBody = Closed({
  url: WebhookUrl,
  events: WebhookEvents,
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256, description: 'Chosen by the server when not given' })),
  enabled: Type.Optional(Type.Boolean()),
});
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  { url: Type.Optional(WebhookUrl), events: Type.Optional(WebhookEvents), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookParams = Type.Intersect([ProjectIdParams, Type.Object({ hook_id: NumericId })]);
export type WebhookParams = Static<typeof WebhookParams>;

/**
 * The body a webhook receives (POST, signed in X-Modelyard-Signature): one outbox event.
 * `payload` is the event's own, by `type` (see the event map); a change made by a CI job also
 * carries `ci_job_id`.
 */
export const WebhookBody = Closed({
  id: Type.Integer({ description: "The event's id: the same event delivered twice has the same id" }),
  type: Type.String(),
  project_id: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.Integer({ description: 'epoch milliseconds' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
});
export type WebhookBody = Static<typeof WebhookBody>;
