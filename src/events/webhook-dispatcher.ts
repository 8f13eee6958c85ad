import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { Periodic } from '../shared/periodic.ts';
import { assertAllowedAddress } from './ssrf.ts';
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
  allowLocal: boolean;
}

export const DEFAULT_DISPATCH: DispatcherOptions = { pollMs: 1000, retryBaseMs: 10_000, maxAttempts: 8, timeoutMs: 10_000, allowLocal: false };

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
    const body = JSON.stringify({ id: event.id, type: event.type, project_id: event.project_id, created_at: event.created_at, payload: JSON.parse(event.payload) as unknown });
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Opened for this delivery only; an unreadable secret is recorded as the try's error and retried.
      const signingSecret = this.secrets.open(hook.secret, WEBHOOK_SECRET.context(hook.id));
      statusCode = await this.post(hook.url, body, {
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

  /** POSTs with the address checked at connect time, after DNS, so a rebinding name cannot point inward. */
  private post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const allowLocal = this.options.allowLocal;
    const lookup: LookupFunction = (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: false }, (err, address, family) => {
        if (err) return callback(err, '', 0);
        try {
          assertAllowedAddress(address as string, allowLocal);
        } catch (refused) {
          return callback(refused as NodeJS.ErrnoException, '', 0);
        }
        callback(null, address as string, family as number);
      });
    };
    const target = new URL(url);
    // An address written in the URL is never looked up, so it is checked here.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(literal)) assertAllowedAddress(literal, allowLocal);
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, timeout: this.options.timeoutMs }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }
}
