import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { EventsTable } from './tables.ts';
import type { WorkLeases } from './work-leases.ts';

export type OutboxEvent = Selectable<EventsTable>;

/** Long enough for one batch's work; a replica that dies holding it stalls the consumer this long at most. */
const LEASE_MS = 30_000;

/**
 * One reader of the outbox (webhook fan-out, registry-started pipelines, deployments following
 * CI jobs): it reads the events
 * after its cursor in order, in batches, hands each batch to `handle`, then moves its cursor
 * past the batch. The cursor is shared by the replicas; a lease makes one replica the reader at
 * a time, so an event is handled once in the normal course (and at most again after a reader
 * died mid-batch: `handle` must tolerate that, which unique keys do).
 */
export class OutboxConsumer {
  private readonly lease: string;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly leases: WorkLeases,
    private readonly name: string,
    private readonly batchSize: number,
    private readonly handle: (events: OutboxEvent[]) => Promise<void>,
    /** Where a consumer without a cursor starts: at the first event, or after the newest (a consumer that follows what happens from now on). */
    private readonly startAt: 'first' | 'now' = 'first',
  ) {
    this.lease = `outbox:${name}`;
  }

  /** Handles the next batch; answers how many events it handled (0 when idle or another replica reads). */
  async next(): Promise<number> {
    if (!(await this.leases.take(this.lease, LEASE_MS))) return 0;
    try {
      const handled = await this.readBatch();
      // Caught up: the next reader may be any replica.
      if (handled < this.batchSize) await this.leases.release(this.lease);
      return handled;
    } catch (error) {
      await this.leases.release(this.lease);
      throw error;
    }
  }

  private async readBatch(): Promise<number> {
    const cursor = await this.db.selectFrom('event_cursors').select('last_event_id').where('consumer', '=', this.name).executeTakeFirst();
    if (!cursor && this.startAt === 'now') {
      const newest = await this.db
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      await this.moveCursor(Number(newest?.id ?? 0));
      return 0;
    }
    const events = await this.db
      .selectFrom('events')
      .selectAll()
      .where('id', '>', cursor?.last_event_id ?? 0)
      .orderBy('id')
      .limit(this.batchSize)
      .execute();
    if (events.length === 0) return 0;
    await this.handle(events);
    await this.moveCursor(events[events.length - 1]!.id);
    return events.length;
  }

  private async moveCursor(last: number): Promise<void> {
    await this.db
      .insertInto('event_cursors')
      .values({ consumer: this.name, last_event_id: last })
      .onConflict((oc) => oc.column('consumer').doUpdateSet({ last_event_id: last }))
      .execute();
  }

  /** Handles batches until the outbox is read to its end or `budgetMs` is spent. */
  async drain(budgetMs: number): Promise<number> {
    const until = Date.now() + budgetMs;
    let handled = 0;
    for (;;) {
      const n = await this.next();
      handled += n;
      if (n < this.batchSize || Date.now() >= until) return handled;
    }
  }
}
