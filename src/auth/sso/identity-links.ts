import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import { now } from '../../shared/clock.ts';
import { SsoErrors } from './errors.ts';

/**
 * Links a person to their account at a provider (an administrator's act: GitLab's `PUT
 * /users/:id` with `provider` and `extern_uid`), replacing an earlier link to the same
 * provider. The provider account may be linked to one person only.
 */
export async function linkIdentity(trx: Kysely<Schema>, userId: number, identity: { provider: string; issuer: string; subject: string }): Promise<void> {
  const holder = await trx.selectFrom('user_identities').select('user_id').where('issuer', '=', identity.issuer).where('subject', '=', identity.subject).executeTakeFirst();
  if (holder && holder.user_id !== userId) throw SsoErrors.IDENTITY_TAKEN();
  await trx.deleteFrom('user_identities').where('user_id', '=', userId).where('provider', '=', identity.provider).execute();
  await trx.insertInto('user_identities').values({ user_id: userId, provider: identity.provider, issuer: identity.issuer, subject: identity.subject, created_at: now() }).execute();
}

/** Ends a link: that provider account signs in as nobody, and a new sign-in with it makes a new account (or is refused by its username). */
export async function unlinkIdentity(db: Kysely<Schema>, userId: number, provider: string): Promise<boolean> {
  const removed = await db.deleteFrom('user_identities').where('user_id', '=', userId).where('provider', '=', provider).executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}

/** A person's links, as GitLab's `identities` of a user: the provider and the account's subject there. */
export async function identitiesOf(db: Kysely<Schema>, userId: number): Promise<{ provider: string; extern_uid: string }[]> {
  const rows = await db.selectFrom('user_identities').select(['provider', 'subject']).where('user_id', '=', userId).orderBy('provider').execute();
  return rows.map((row) => ({ provider: row.provider, extern_uid: row.subject }));
}
