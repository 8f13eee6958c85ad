import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import type { PageWindow } from '../http/pagination.ts';
import { invalid } from '../shared/errors.ts';
import { recordAudit } from './audit-log.ts';
import { webhookNotFound } from './errors.ts';
import type { OutboundPolicy } from '../outbound/outbound-policy.ts';
import { checkWebhookUrl } from './webhook-target.ts';
import { WEBHOOK_SECRET, type WebhookAttemptsTable, type WebhookDeliveriesTable, type WebhooksTable } from './webhook-tables.ts';

export type WebhookRow = Selectable<WebhooksTable>;

/** A delivery with every try of it, oldest first. */
export interface DeliveryRecord {
  delivery: Selectable<WebhookDeliveriesTable>;
  attempts: Selectable<WebhookAttemptsTable>[];
}

/** The event types a hook can subscribe to; `*` takes them all. */
export const WEBHOOK_EVENT_PATTERN = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

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
    // The hook, its sealed secret and its audit entry are one change.
    const row = await inTransaction(this.db, async (trx) => {
      // The secret is sealed under the hook's id, which the insert assigns.
      const inserted = await trx
        .insertInto('webhooks')
        .values({
          project_id: access.project.id,
          url: url.toString(),
          secret: '',
          events: JSON.stringify(events),
          enabled: input.enabled === false ? 0 : 1,
          creator_id: access.caller.user?.id ?? null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const sealed = this.secrets.seal(secret, WEBHOOK_SECRET.context(inserted.id));
      await trx.updateTable('webhooks').set({ secret: sealed }).where('id', '=', inserted.id).execute();
      await recordAudit(trx, access.caller, { action: 'webhook.created', projectId: access.project.id, targetType: 'webhook', targetId: inserted.id, details: { url: inserted.url, events } });
      return { ...inserted, secret: sealed };
    });
    return { row, secret };
  }

  async get(access: ProjectAccess, id: number, db: Kysely<Schema> = this.db): Promise<WebhookRow> {
    const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).where('project_id', '=', access.project.id).executeTakeFirst();
    if (!row) throw webhookNotFound();
    return row;
  }

  async list(access: ProjectAccess): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('project_id', '=', access.project.id).orderBy('id').execute();
  }

  async update(access: ProjectAccess, id: number, input: { url?: string; events?: string[]; enabled?: boolean }): Promise<WebhookRow> {
    const current = await this.get(access, id);
    // The URL is checked (a DNS lookup) before the transaction, which then holds no lock while waiting.
    const url = input.url === undefined ? undefined : (await checkWebhookUrl(input.url, this.outbound)).url.toString();
    const events = input.events === undefined ? undefined : JSON.stringify(this.validEvents(input.events));
    return inTransaction(this.db, async (trx) => {
      const changes = {
        ...(url === undefined ? {} : { url }),
        ...(events === undefined ? {} : { events }),
        ...(input.enabled === undefined ? {} : { enabled: input.enabled ? 1 : 0 }),
      };
      const row = await trx.updateTable('webhooks').set(changes).where('id', '=', current.id).returningAll().executeTakeFirst();
      if (!row) throw webhookNotFound();
      await recordAudit(trx, access.caller, {
        action: 'webhook.updated',
        projectId: access.project.id,
        targetType: 'webhook',
        targetId: id,
        details: { url: row.url, events: JSON.parse(row.events) as string[], enabled: row.enabled === 1 },
      });
      return row;
    });
  }

  async delete(access: ProjectAccess, id: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const hook = await this.get(access, id, trx);
      await trx.deleteFrom('webhooks').where('id', '=', hook.id).execute();
      await recordAudit(trx, access.caller, { action: 'webhook.deleted', projectId: access.project.id, targetType: 'webhook', targetId: id });
    });
  }

  /** The delivery log: each delivery with every try and its status code. */
  async deliveries(access: ProjectAccess, id: number, window: PageWindow): Promise<{ total: number; items: DeliveryRecord[] }> {
    await this.get(access, id);
    const base = this.db.selectFrom('webhook_deliveries').where('webhook_id', '=', id);
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy('id', 'desc').offset(window.offset).limit(window.limit).execute(),
    ]);
    const attempts =
      rows.length === 0
        ? []
        : await this.db
            .selectFrom('webhook_attempts')
            .selectAll()
            .where(
              'delivery_id',
              'in',
              rows.map((r) => r.id),
            )
            .orderBy('id')
            .execute();
    return {
      total: Number(count.n),
      items: rows.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.delivery_id === delivery.id) })),
    };
  }
}
