import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS } from '../../src/events/event-map.ts';
import type { ProjectEvents } from '../../src/projects/events.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';

/** What the outbox records for a project's life is what the event map declares: every field, no other. */
let t: TestApp;
let owner: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.createUser('events-owner');
});
afterAll(async () => t?.close());

describe('project events', () => {
  it('carry the payloads the event map declares', async () => {
    const created = await t.call({ method: 'POST', url: '/api/v4/projects', token: owner.token, payload: { name: 'Eventful', visibility: 'internal' } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;
    const member = await t.createUser('events-member');
    const calls = [
      { method: 'PUT' as const, url: `/api/v4/projects/${id}`, payload: { description: 'now described', visibility: 'public' } },
      { method: 'POST' as const, url: `/api/v4/projects/${id}/members`, payload: { user_id: member.id, access_level: 20 } },
      { method: 'PUT' as const, url: `/api/v4/projects/${id}/members/${member.id}`, payload: { access_level: 30 } },
      { method: 'DELETE' as const, url: `/api/v4/projects/${id}/members/${member.id}` },
      { method: 'DELETE' as const, url: `/api/v4/projects/${id}` },
    ];
    for (const call of calls) expect((await t.call({ ...call, token: owner.token })).statusCode, `${call.method} ${call.url}`).toBeLessThan(300);

    const events = await t.services.database.db.selectFrom('events').select(['type', 'payload']).where('project_id', '=', id).orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['project.created', 'project.updated', 'project.member.added', 'project.member.updated', 'project.member.removed', 'project.deleted']);
    const ajv = new Ajv({ strict: false });
    for (const event of events) {
      const schema = EVENT_SCHEMAS[event.type as keyof typeof ProjectEvents];
      const payload = JSON.parse(event.payload) as Record<string, unknown>;
      expect(ajv.validate(schema, payload), `${event.type}: ${ajv.errorsText()}`).toBe(true);
      expect(Object.keys(payload).sort(), event.type).toEqual(Object.keys(schema.properties).sort());
    }
    expect(JSON.parse(events[1]!.payload)).toEqual({ id, changed: ['description', 'visibility'] });
  });
});
