import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Kysely, Selectable } from 'kysely';
import { bulkInsert } from '../db/bulk-insert.ts';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { now } from '../shared/clock.ts';
import { Periodic } from '../shared/periodic.ts';
import { OutboundRefusedError, type CheckedTarget, type OutboundPolicy } from '../outbound/outbound-policy.ts';
import { pinnedLookup } from '../outbound/pinned-lookup.ts';
import type { WebhookBody } from './contract.ts';
import { OutboxConsumer, type OutboxEvent } from './outbox-consumer.ts';
import { WEBHOOK_SECRET, type WebhooksTable } from './webhook-tables.ts';
import { WorkLeases } from './work-leases.ts';
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

/** Events fanned out to deliveries per read of the outbox. */
const FAN_OUT_BATCH = 500;
/** Deliveries sent to one endpoint in order before its lease is given back. */
const DELIVERY_BATCH = 200;
/** Endpoints served at once by one replica; each gets its deliveries one after another, in order. */
const ENDPOINTS_AT_ONCE = 16;
/** Endpoints looked at per pass. */
const ENDPOINTS_PER_PASS = 256;
/** A round (fan out, deliver, again while there is work) ends after this long so that stop() is prompt. */
const ROUND_BUDGET_MS = 5000;

type DueDelivery = { id: number; event_id: number; event_type: string; attempts: number; project_id: number | null; created_at: number | null; payload: string | null };
type AttemptResult = { delivery: DueDelivery; statusCode: number | null; error: string | null; durationMs: number };

/**
 * Reads the outbox after commit and delivers events to subscribed webhooks. Replicas share the
 * work through leases (src/events/work-leases.ts): one replica at a time fans the outbox out
 * into deliveries, and each endpoint is served by one replica at a time, which sends its due
 * deliveries one after another in event order (per-endpoint ordering) while other endpoints are
 * served concurrently. Connections to receivers are kept alive. A delivery whose try failed is
 * retried with back-off and does not hold back the ones after it; an endpoint that fails is
 * left alone for the rest of the pass, so a dead receiver costs one timeout per pass.
 */
export class WebhookDispatcher {
  private readonly periodic: Periodic;
  private readonly leases: WorkLeases;
  private readonly outbox: OutboxConsumer;
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 4 }), https: new https.Agent({ keepAlive: true, maxSockets: 4 }) };

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
    private readonly outbound: OutboundPolicy,
    private options: DispatcherOptions = DEFAULT_DISPATCH,
  ) {
    this.leases = new WorkLeases(db);
    this.outbox = new OutboxConsumer(db, this.leases, CONSUMER, FAN_OUT_BATCH, (events) => this.fanOut(events));
    this.periodic = new Periodic(
      () => this.round(),
      (error) => this.logger.error({ err: error }, 'webhook dispatch failed'),
    );
  }

  start(options: Partial<DispatcherOptions> = {}): void {
    this.options = { ...this.options, ...options };
    this.periodic.start(this.options.pollMs);
  }

  /** Resolves when a round in flight has ended. */
  stop(): Promise<void> {
    return this.periodic.stop();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** One round: fan new events out to deliveries and send what is due, again while there is work. */
  tick(): Promise<void> {
    return this.periodic.tick();
  }

  private async round(): Promise<void> {
    const until = Date.now() + ROUND_BUDGET_MS;
    for (;;) {
      await this.outbox.drain(ROUND_BUDGET_MS);
      // Again while a pass stopped at its batch size with everything delivered; failures wait
      // for their back-off and new events for the next round, not for this loop.
      const more = await this.deliverDue();
      if (!more || Date.now() >= until) return;
    }
  }

  private async fanOut(events: OutboxEvent[]): Promise<void> {
    const projectIds = [...new Set(events.map((e) => e.project_id).filter((p): p is number => p !== null))];
    if (projectIds.length === 0) return;
    const hooks = await this.db.selectFrom('webhooks').selectAll().where('project_id', 'in', projectIds).where('enabled', '=', 1).execute();
    const at = now();
    const rows: unknown[][] = [];
    for (const event of events) {
      for (const hook of hooks) {
        if (hook.project_id === event.project_id && subscribes(hook, event.type)) rows.push([hook.id, event.id, event.type, 'pending', 0, at, at, at]);
      }
    }
    // A reader that died mid-batch leaves some of these made: the unique key keeps one of each.
    for (let i = 0; i < rows.length; i += 1000) {
      await bulkInsert(
        this.db,
        'webhook_deliveries',
        ['webhook_id', 'event_id', 'event_type', 'state', 'attempts', 'next_attempt_at', 'created_at', 'updated_at'],
        rows.slice(i, i + 1000),
        'on conflict (webhook_id, event_id) do nothing',
      );
    }
  }

  /** Serves every endpoint with something due, ENDPOINTS_AT_ONCE at a time; answers whether some have more due at once. */
  private async deliverDue(): Promise<boolean> {
    const endpoints = await this.db
      .selectFrom('webhook_deliveries')
      .select('webhook_id')
      .distinct()
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now())
      .limit(ENDPOINTS_PER_PASS)
      .execute();
    let more = endpoints.length === ENDPOINTS_PER_PASS;
    const queue = endpoints.map((e) => e.webhook_id);
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) if (await this.serveEndpoint(id)) more = true;
    };
    await Promise.all(Array.from({ length: Math.min(ENDPOINTS_AT_ONCE, queue.length) }, worker));
    return more;
  }

  /** Sends one endpoint's due deliveries in event order, under its lease; stops at its first failure. Answers whether a whole batch went through (more may be due). */
  private async serveEndpoint(hookId: number): Promise<boolean> {
    const lease = `webhook:${hookId}`;
    if (!(await this.leases.take(lease, this.options.timeoutMs * 3 + ROUND_BUDGET_MS))) return false;
    try {
      const hook = await this.db.selectFrom('webhooks').selectAll().where('id', '=', hookId).executeTakeFirst();
      const due = await this.db
        .selectFrom('webhook_deliveries as d')
        .leftJoin('events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.event_id', 'd.event_type', 'd.attempts', 'e.project_id', 'e.created_at', 'e.payload'])
        .where('d.webhook_id', '=', hookId)
        .where('d.state', '=', 'pending')
        .where('d.next_attempt_at', '<=', now())
        .orderBy('d.event_id')
        .limit(DELIVERY_BATCH)
        .execute();
      const results: AttemptResult[] = [];
      const until = Date.now() + ROUND_BUDGET_MS;
      // The receiver's address is checked once per pass (a few seconds at most), not per event.
      let checked: Promise<CheckedTarget> | null = null;
      const check = (target: URL) => (checked ??= this.outbound.checkUrl(target));
      for (const delivery of due) {
        const result = hook && delivery.payload !== null ? await this.attempt(hook, delivery, check) : null;
        if (result === null) {
          await this.db.updateTable('webhook_deliveries').set({ state: 'failed', updated_at: now() }).where('id', '=', delivery.id).execute();
          continue;
        }
        results.push(result);
        if (!isDelivered(result) || Date.now() >= until) break;
      }
      await this.record(results);
      return due.length === DELIVERY_BATCH && results.length === due.length && results.every(isDelivered);
    } finally {
      await this.leases.release(lease);
    }
  }

  private async attempt(hook: Selectable<WebhooksTable>, delivery: DueDelivery, check: (target: URL) => Promise<CheckedTarget>): Promise<AttemptResult> {
    const message: WebhookBody = {
      id: delivery.event_id,
      type: delivery.event_type,
      project_id: delivery.project_id,
      created_at: delivery.created_at!,
      payload: JSON.parse(delivery.payload!) as WebhookBody['payload'],
    };
    const body = JSON.stringify(message);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Opened for this delivery only; an unreadable secret is recorded as the try's error and retried.
      const signingSecret = this.secrets.open(hook.secret, WEBHOOK_SECRET.context(hook.id));
      statusCode = await this.post(hook.id, hook.url, check, body, {
        'content-type': 'application/json',
        'user-agent': 'Modelyard-Webhook/1',
        'x-modelyard-event': delivery.event_type,
        'x-modelyard-delivery': String(delivery.id),
        [SIGNATURE_HEADER.toLowerCase()]: signature(signingSecret, timestamp, body),
      });
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    return { delivery, statusCode, error, durationMs: Math.round(performance.now() - started) };
  }

  /**
   * The tries of one endpoint's pass and their deliveries' new states, in one transaction. A
   * pass is a run of deliveries that went through, ended by at most one that did not: the
   * delivered ones are marked in one statement.
   */
  private async record(results: AttemptResult[]): Promise<void> {
    if (results.length === 0) return;
    const at = now();
    const delivered = results.filter(isDelivered).map((r) => r.delivery.id);
    await this.db.transaction().execute(async (trx) => {
      await bulkInsert(
        trx,
        'webhook_attempts',
        ['delivery_id', 'status_code', 'error', 'duration_ms', 'created_at'],
        results.map((r) => [r.delivery.id, r.statusCode, r.error, r.durationMs, at]),
      );
      for (let i = 0; i < delivered.length; i += 500) {
        await trx
          .updateTable('webhook_deliveries')
          .set((eb) => ({ state: 'delivered', attempts: eb('attempts', '+', 1), updated_at: at }))
          .where('id', 'in', delivered.slice(i, i + 500))
          .execute();
      }
      for (const result of results.filter((r) => !isDelivered(r))) {
        const attempts = result.delivery.attempts + 1;
        await trx
          .updateTable('webhook_deliveries')
          .set({ state: attempts >= this.options.maxAttempts ? 'failed' : 'pending', attempts, next_attempt_at: at + this.options.retryBaseMs * 2 ** (attempts - 1), updated_at: at })
          .where('id', '=', result.delivery.id)
          .execute();
      }
    });
  }

  /**
   * POSTs to the addresses the outbound policy checked in this pass, and only to them; a redirect
   * is an answer like any other (recorded, not followed).
   */
  private async post(hookId: number, url: string, check: (target: URL) => Promise<CheckedTarget>, body: string, headers: Record<string, string>): Promise<number> {
    const target = new URL(url);
    const unreachable = (detail: string) => {
      this.logger.warn({ webhook_id: hookId, detail }, 'webhook receiver could not be reached or is not allowed');
      return new Error(RECEIVER_UNREACHABLE);
    };
    let checked: CheckedTarget;
    try {
      checked = await check(target);
    } catch (error) {
      throw error instanceof OutboundRefusedError ? unreachable(error.message) : error;
    }
    const client = target.protocol === 'https:' ? https : http;
    const timeoutMs = this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      const agent = target.protocol === 'https:' ? this.agents.https : this.agents.http;
      const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinnedLookup(checked), timeout: timeoutMs, agent };
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

const isDelivered = (result: AttemptResult) => result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
