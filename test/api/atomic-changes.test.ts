import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/**
 * A change and its audit entry are one transaction: when writing the entry fails, the change
 * leaves no trace. The failure is injected by a database trigger that refuses audit entries of
 * the named actions (the audit entry is written last, so everything before it must roll back).
 */
let t: TestApp;
let owner: TestUser;
let projectId: number;

beforeAll(async () => {
  t = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: '127.0.0.1' });
  owner = await t.createUser('atomic-owner');
  projectId = (await t.createProject(owner.token, 'atomic')).id;
});
afterAll(async () => t?.close());
afterEach(async () => allowAudit());

async function refuseAuditOf(...actions: string[]): Promise<void> {
  const db = t.services.database.db;
  const listed = actions.map((action) => `'${action}'`).join(', ');
  if (t.services.database.dialect === 'sqlite') {
    await sql.raw(`create trigger refuse_audit before insert on audit_events when new.action in (${listed}) begin select raise(abort, 'injected failure'); end`).execute(db);
  } else {
    await sql
      .raw(`create or replace function refuse_audit() returns trigger as $$ begin if new.action in (${listed}) then raise exception 'injected failure'; end if; return new; end $$ language plpgsql`)
      .execute(db);
    await sql.raw('create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()').execute(db);
  }
}

async function allowAudit(): Promise<void> {
  const db = t.services.database.db;
  if (t.services.database.dialect === 'sqlite') await sql.raw('drop trigger if exists refuse_audit').execute(db);
  else await sql.raw('drop trigger if exists refuse_audit on audit_events').execute(db);
}

const hooks = () => `/api/v4/projects/${projectId}/hooks`;
const countRows = async (table: 'webhooks' | 'tokens' | 'users') =>
  Number(
    (
      await t.services.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a change whose audit entry cannot be written', () => {
  it('leaves no webhook behind when its creation fails', async () => {
    const before = await countRows('webhooks');
    await refuseAuditOf('webhook.created');
    const res = await t.call({ method: 'POST', url: hooks(), token: owner.token, payload: { url: 'http://127.0.0.1:9/hook', events: ['*'] } });
    expect(res.statusCode).toBe(500);
    expect(await countRows('webhooks')).toBe(before);
  });

  it('leaves a webhook as it was when a change or its deletion fails', async () => {
    const created = await t.call({ method: 'POST', url: hooks(), token: owner.token, payload: { url: 'http://127.0.0.1:9/before', events: ['registry.*'] } });
    expect(created.statusCode, created.body).toBe(201);
    const hook = `${hooks()}/${created.json().id}`;
    await refuseAuditOf('webhook.updated', 'webhook.deleted');
    expect((await t.call({ method: 'PUT', url: hook, token: owner.token, payload: { url: 'http://127.0.0.1:9/after', enabled: false } })).statusCode).toBe(500);
    expect((await t.call({ method: 'DELETE', url: hook, token: owner.token })).statusCode).toBe(500);
    const kept = await t.call({ method: 'GET', url: hook, token: owner.token });
    expect(kept.statusCode).toBe(200);
    expect(kept.json()).toMatchObject({ url: 'http://127.0.0.1:9/before', enabled: true });
  });

  it('leaves no personal access token behind, and a revoked one active', async () => {
    const before = await countRows('tokens');
    await refuseAuditOf('personal_access_token.created');
    const res = await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token: owner.token, payload: { name: 'doomed', scopes: ['api'] } });
    expect(res.statusCode).toBe(500);
    expect(await countRows('tokens')).toBe(before);

    await allowAudit();
    const made = await t.call({ method: 'POST', url: '/api/v4/user/personal_access_tokens', token: owner.token, payload: { name: 'kept', scopes: ['read_api'] } });
    expect(made.statusCode, made.body).toBe(201);
    await refuseAuditOf('personal_access_token.revoked');
    expect((await t.call({ method: 'DELETE', url: `/api/v4/personal_access_tokens/${made.json().id}`, token: owner.token })).statusCode).toBe(500);
    const still = await t.call({ method: 'GET', url: '/api/v4/personal_access_tokens/self', token: made.json().token });
    expect(still.statusCode).toBe(200);
    expect(still.json()).toMatchObject({ active: true, revoked: false });
  });

  it('leaves no user behind when an administrator creates one', async () => {
    const before = await countRows('users');
    await refuseAuditOf('user.created');
    const res = await t.call({ method: 'POST', url: '/api/v4/users', token: ADMIN_TOKEN, payload: { username: 'never-made', password: 'long-enough-password' } });
    expect(res.statusCode).toBe(500);
    expect(await countRows('users')).toBe(before);
    await allowAudit();
    const again = await t.call({ method: 'POST', url: '/api/v4/users', token: ADMIN_TOKEN, payload: { username: 'never-made', password: 'long-enough-password' } });
    expect(again.statusCode, again.body).toBe(201);
  });
});
