import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';

/**
 * Time-bound claims on shared background work, held in the database so that every replica sees
 * them. Taking a lease is one upsert that succeeds only where the lease is free, expired or
 * already ours: PostgreSQL locks the row for the conflicting insert, so of two replicas asking
 * at once exactly one gets it. A replica that dies loses its leases when they expire.
 */
export class WorkLeases {
  /** This process among the replicas. */
  readonly holder = `${process.pid}-${randomBytes(6).toString('hex')}`;

  constructor(private readonly db: Kysely<Schema>) {}

  /** Takes or renews `name` for `ms`; false when another replica holds it. */
  async take(name: string, ms: number): Promise<boolean> {
    const at = Date.now();
    const taken = await this.db
      .insertInto('work_leases')
      .values({ name, holder: this.holder, expires_at: at + ms })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.holder, expires_at: at + ms })
          .where((eb) => eb.or([eb('work_leases.expires_at', '<', at), eb('work_leases.holder', '=', this.holder)])),
      )
      .returning('holder')
      .executeTakeFirst();
    return taken?.holder === this.holder;
  }

  /** Gives `name` back at once, if this process holds it. */
  async release(name: string): Promise<void> {
    await this.db.deleteFrom('work_leases').where('name', '=', name).where('holder', '=', this.holder).execute();
  }
}
