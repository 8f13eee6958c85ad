import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.ts';
import { TEST_DIALECT } from './database.ts';

/**
 * Failures a test injects into the database, to prove that a use case is one transaction: the
 * second half of a change fails, and the first half must leave no trace. Each returns the
 * function that removes it.
 */
type Undo = () => Promise<void>;

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** Every `operation` on `table` fails, as a refusing trigger makes it. */
export async function refuseStatements(db: Kysely<Schema>, table: string, operation: 'insert' | 'update' | 'delete'): Promise<Undo> {
  const name = uniqueName(`refuse_${operation}_${table}`);
  if (TEST_DIALECT === 'sqlite') {
    await sql.raw(`create trigger ${name} before ${operation} on ${table} begin select raise(abort, 'refused by the test'); end`).execute(db);
    return async () => void (await sql.raw(`drop trigger ${name}`).execute(db));
  }
  await sql.raw(`create function ${name}() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`).execute(db);
  await sql.raw(`create trigger ${name} before ${operation} on ${table} for each row execute function ${name}()`).execute(db);
  return async () => {
    await sql.raw(`drop trigger ${name} on ${table}`).execute(db);
    await sql.raw(`drop function ${name}()`).execute(db);
  };
}

/**
 * The COMMIT of a transaction that records an event of type `eventType` fails: the event's
 * insert also writes a row that breaks a deferred foreign key, which both databases check only
 * at commit, after every statement of the transaction has run.
 */
export async function failCommitRecording(db: Kysely<Schema>, eventType: string): Promise<Undo> {
  const guard = uniqueName('commit_guard');
  await sql.raw(`create table ${guard} (project_id integer references projects (id) deferrable initially deferred)`).execute(db);
  const breakIt = `insert into ${guard} (project_id) values (-1)`;
  const type = eventType.replace(/'/g, "''");
  if (TEST_DIALECT === 'sqlite') {
    await sql.raw(`create trigger ${guard}_on_event after insert on events when new.type = '${type}' begin ${breakIt}; end`).execute(db);
    return async () => {
      await sql.raw(`drop trigger ${guard}_on_event`).execute(db);
      await sql.raw(`drop table ${guard}`).execute(db);
    };
  }
  await sql.raw(`create function ${guard}_on_event() returns trigger language plpgsql as $$ begin ${breakIt}; return new; end $$`).execute(db);
  await sql.raw(`create trigger ${guard}_on_event after insert on events for each row when (new.type = '${type}') execute function ${guard}_on_event()`).execute(db);
  return async () => {
    await sql.raw(`drop trigger ${guard}_on_event on events`).execute(db);
    await sql.raw(`drop function ${guard}_on_event()`).execute(db);
    await sql.raw(`drop table ${guard}`).execute(db);
  };
}
