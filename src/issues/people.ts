import type { Kysely } from 'kysely';
import type { UserRow, UsersService } from '../auth/users-service.ts';
import type { Schema } from '../db/schema.ts';

/** The users an answer names (authors, assignees, closers), each read once. */
/** `db`: the transaction the caller is in, if any (SQLite's one connection would wait for it otherwise). */
export async function peopleById(users: UsersService, ids: Iterable<number | null>, db?: Kysely<Schema>): Promise<Map<number, UserRow>> {
  const wanted = [...new Set([...ids].filter((id): id is number => id !== null))];
  const rows = await Promise.all(wanted.map((id) => users.findById(id, db)));
  return new Map(rows.filter((r): r is UserRow => r !== undefined).map((r) => [r.id, r]));
}
