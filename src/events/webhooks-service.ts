import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { recordAudit } from './audit-log.ts';
import type { OutboundPolicy } from '../outbound/outbound-policy.ts';
import { checkWebhookUrl } from './webhook-target.ts';
import { WEBHOOK_SECRET, type WebhooksTable } from './webhook-tables.ts';

export type WebhookRow = Selectable<WebhooksTable>;

/** The event types a hook can subscribe to; `*` takes them all. */
export const WEBHOOK_EVENT_PATTERN = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

export function presentWebhook(row: WebhookRow) {
  return { id: row.id, project_id: row.project_id, url: row.url, events: JSON.parse(row.events) as string[], enabled: row.enabled === 1, created_at: new Date(row.created_at).toISOString() };
}

export function subscribes(row: WebhookRow, eventType: string): boolean {
  const patterns = JSON.parse(row.events) as string[];
  return patterns.some((p) => p === '*' || p === eventType || (p.endsWith('.*') && eventType.startsWith(p.slice(0, -1))));
}

/** A project's outgoing webhooks; deliveries are made by the dispatcher. */
export class WebhooksService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly outbound: OutboundPolicy,
    private readonly secrets: SecretBox,
  ) {}

  private validEvents(events: string[]): string[] {
    if (events.length === 0 || events.length > 50) throw invalid('events must list 1 to 50 event types (or "*")');
    for (const e of events) if (!WEBHOOK_EVENT_PATTERN.test(e) || e.length > 100) throw invalid(`"${e}" is not an event type: use names such as registry.version.created, registry.* or *`);
    return [...new Set(events)];
  }

  async create(access: ProjectAccess, input: { url: string; events: string[]; secret?: string; enabled?: boolean }): Promise<{ row: WebhookRow; secret: string }> {
    const { url } = await checkWebhookUrl(input.url, this.outbound);
    const events = this.validEvents(input.events);
    const secret = input.secret ?? randomBytes(24).toString('base64url');
    if (secret.length < 16 || secret.length > 256) throw invalid('secret must be 16 to 256 characters');
    const row = await inTransaction(this.db, async (trx) => {
      // The secret is sealed under the hook's id, which the insert assigns.
      const inserted = await trx
        .insertInto('webhooks')
        .values({ project_id: access.project.id, url: url.toString(), secret: '', events: JSON.stringify(events), enabled: input.enabled === false ? 0 : 1, creator_id: access.caller.user?.id ?? null, created_at: now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      const sealed = this.secrets.seal(secret, WEBHOOK_SECRET.context(inserted.id));
      await trx.updateTable('webhooks').set({ secret: sealed }).where('id', '=', inserted.id).execute();
      return { ...inserted, secret: sealed };
    });
    await recordAudit(this.db, access.caller, { action: 'webhook.created', projectId: access.project.id, targetType: 'webhook', targetId: row.id, details: { url: row.url, events } });
    return { row, secret };
  }

  async get(access: ProjectAccess, id: number): Promise<WebhookRow> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw notFound('404 Hook');
    return row;
  }

  async list(access: ProjectAccess): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('project_id', '=', access.project.id).orderBy('id').execute();
  }

  async update(access: ProjectAccess, id: number, input: { url?: string; events?: string[]; enabled?: boolean }): Promise<WebhookRow> {
    const current = await this.get(access, id);
    const url = input.url === undefined ? current.url : (await checkWebhookUrl(input.url, this.outbound)).url.toString();
    const events = input.events === undefined ? current.events : JSON.stringify(this.validEvents(input.events));
    const enabled = input.enabled === undefined ? current.enabled : input.enabled ? 1 : 0;
    const row = await this.db.updateTable('webhooks').set({ url, events, enabled }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordAudit(this.db, access.caller, { action: 'webhook.updated', projectId: access.project.id, targetType: 'webhook', targetId: id, details: { url, events: JSON.parse(events) as string[], enabled: enabled === 1 } });
    return row;
  }

  async delete(access: ProjectAccess, id: number): Promise<void> {
    await this.get(access, id);
    await this.db.deleteFrom('webhooks').where('id', '=', id).execute();
    await recordAudit(this.db, access.caller, { action: 'webhook.deleted', projectId: access.project.id, targetType: 'webhook', targetId: id });
  }

  /** The delivery log: each delivery with every try and its status code. */
  async deliveries(access: ProjectAccess, id: number, options: { offset: number; limit: number }) {
    await this.get(access, id);
    const base = this.db.selectFrom('webhook_deliveries').where('webhook_id', '=', id);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('id', 'desc').offset(options.offset).limit(options.limit).execute(),
    ]);
    const attempts = rows.length === 0 ? [] : await this.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
    return {
      total: Number(count.n),
      items: rows.map((r) => ({
        id: r.id,
        event_id: r.event_id,
        event_type: r.event_type,
        state: r.state,
        attempts: attempts
          .filter((a) => a.delivery_id === r.id)
          .map((a) => ({ status_code: a.status_code, error: a.error, duration_ms: a.duration_ms, created_at: new Date(a.created_at).toISOString() })),
        created_at: new Date(r.created_at).toISOString(),
        next_attempt_at: r.state === 'pending' ? new Date(r.next_attempt_at).toISOString() : null,
      })),
    };
  }
}
