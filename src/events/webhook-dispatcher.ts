import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { Periodic } from '../shared/periodic.ts';
import { OutboundRefusedError, type CheckedTarget, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import { pinnedLookup } from '../outbound/pinned-lookup.ts';
import type { WebhookBody } from './contract.ts';
import { WEBHOOK_SECRET } from './webhook-tables.ts';
import { subscribes } from './webhooks-service.ts';

const CONSUMER = 'webhooks';
export const SIGNATURE_HEADER = 'X-Modelyard-Signature';

export interface DispatcherOptions {
  pollMs: number;
  /** The first retry waits this long; each next one twice as long. */
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export const DEFAULT_DISPATCH: DispatcherOptions = { pollMs: 1000, retryBaseMs: 10_000, maxAttempts: 8, timeoutMs: 10_000 };

/**
 * What a delivery's log says for every failure short of an HTTP answer: a refused address, a
 * refused connection and a silent port look alike, so the delivery log cannot map a network.
 * The server's log has the detail.
 */
export const RECEIVER_UNREACHABLE = 'the receiver could not be reached or is not allowed';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp lets receivers refuse replays. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Reads the outbox after commit and delivers events to subscribed webhooks. Every step is
 * stored (cursor, deliveries, tries), so any replica may run it: duplicate fan-out is stopped by
 * a unique key, and a delivery is claimed by moving its due time before it is sent.
 */
export class WebhookDispatcher {
  private readonly periodic: Periodic;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
    private readonly outbound: OutboundPolicy,
    private options: DispatcherOptions = DEFAULT_DISPATCH,
  ) {
    this.periodic = new Periodic(
      async () => {
        await this.fanOut();
        await this.deliverDue();
      },
      (error) => this.logger.error({ err: error }, 'webhook dispatch failed'),
    );
  }

  start(options: Partial<DispatcherOptions> = {}): void {
    this.options = { ...this.options, ...options };
    this.periodic.start(this.options.pollMs);
  }

  stop(): void {
    this.periodic.stop();
  }

  /** One round: fan new events out to deliveries, then send what is due. */
  tick(): Promise<void> {
    return this.periodic.tick();
  }

  private async fanOut(): Promise<void> {
    const cursor = await this.db.selectFrom('event_cursors').select('last_event_id').where('consumer', '=', CONSUMER).executeTakeFirst();
    const after = cursor?.last_event_id ?? 0;
    const events = await this.db.selectFrom('events').selectAll().where('id', '>', after).orderBy('id').limit(500).execute();
    if (events.length === 0) return;
    const projectIds = [...new Set(events.map((e) => e.project_id).filter((p): p is number => p !== null))];
    const hooks = projectIds.length === 0 ? [] : await this.db.selectFrom('webhooks').selectAll().where('project_id', 'in', projectIds).where('enabled', '=', 1).execute();
    const at = now();
    for (const event of events) {
      for (const hook of hooks.filter((h) => h.project_id === event.project_id && subscribes(h, event.type))) {
        await this.db
          .insertInto('webhook_deliveries')
          .values({ webhook_id: hook.id, event_id: event.id, event_type: event.type, state: 'pending', attempts: 0, next_attempt_at: at, created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
          .execute();
      }
    }
    const last = events[events.length - 1]!.id;
    await this.db
      .insertInto('event_cursors')
      .values({ consumer: CONSUMER, last_event_id: last })
      .onConflict((oc) => oc.column('consumer').doUpdateSet({ last_event_id: last }))
      .execute();
  }

  private async deliverDue(): Promise<void> {
    const due = await this.db.selectFrom('webhook_deliveries').selectAll().where('state', '=', 'pending').where('next_attempt_at', '<=', now()).orderBy('next_attempt_at').limit(20).execute();
    for (const delivery of due) {
      const claimed = await this.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: now() + this.options.timeoutMs * 3 })
        .where('id', '=', delivery.id)
        .where('next_attempt_at', '=', delivery.next_attempt_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue; // another replica took it
      await this.attempt(delivery.id);
    }
  }

  private async attempt(deliveryId: number): Promise<void> {
    const delivery = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirstOrThrow();
    const hook = await this.db.selectFrom('webhooks').selectAll().where('id', '=', delivery.webhook_id).executeTakeFirst();
    const event = await this.db.selectFrom('events').selectAll().where('id', '=', delivery.event_id).executeTakeFirst();
    if (!hook || !event) {
      await this.db.updateTable('webhook_deliveries').set({ state: 'failed', updated_at: now() }).where('id', '=', deliveryId).execute();
      return;
    }
    const message: WebhookBody = { id: event.id, type: event.type, project_id: event.project_id, created_at: event.created_at, payload: JSON.parse(event.payload) as WebhookBody['payload'] };
    const body = JSON.stringify(message);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Opened for this delivery only; an unreadable secret is recorded as the try's error and retried.
      const signingSecret = this.secrets.open(hook.secret, WEBHOOK_SECRET.context(hook.id));
      statusCode = await this.post(hook.id, hook.url, body, {
        'content-type': 'application/json',
        'user-agent': 'Modelyard-Webhook/1',
        'x-modelyard-event': event.type,
        'x-modelyard-delivery': String(delivery.id),
        [SIGNATURE_HEADER.toLowerCase()]: signature(signingSecret, timestamp, body),
      });
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    const attempts = delivery.attempts + 1;
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const state = delivered ? 'delivered' : attempts >= this.options.maxAttempts ? 'failed' : 'pending';
    await this.db.insertInto('webhook_attempts').values({ delivery_id: deliveryId, status_code: statusCode, error, duration_ms: Math.round(performance.now() - started), created_at: now() }).execute();
    await this.db
      .updateTable('webhook_deliveries')
      .set({ state, attempts, next_attempt_at: now() + this.options.retryBaseMs * 2 ** (attempts - 1), updated_at: now() })
      .where('id', '=', deliveryId)
      .execute();
  }

  /**
   * POSTs to the addresses the outbound policy checked just now, and only to them; a redirect
   * is an answer like any other (recorded, not followed).
   */
  private async post(hookId: number, url: string, body: string, headers: Record<string, string>): Promise<number> {
    const target = new URL(url);
    const unreachable = (detail: string) => {
      this.logger.warn({ webhook_id: hookId, detail }, 'webhook receiver could not be reached or is not allowed');
      return new Error(RECEIVER_UNREACHABLE);
    };
    let checked: CheckedTarget;
    try {
      checked = await this.outbound.checkUrl(target);
    } catch (error) {
      throw error instanceof OutboundRefusedError ? unreachable(error.message) : error;
    }
    const client = target.protocol === 'https:' ? https : http;
    const timeoutMs = this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinnedLookup(checked), timeout: timeoutMs };
      const request = client.request(target, options, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error) => reject(unreachable(`${target.origin}: ${error.message}`)));
      request.end(body);
    });
  }
}
