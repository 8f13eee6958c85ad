import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../../src/db/schema.ts';
import { EVENT_SCHEMAS } from '../../src/events/event-map.ts';
import { recordChange } from '../../src/events/outbox.ts';

/**
 * The outbox writer is typed on the event map. These calls are never made: `npm run typecheck`
 * (which compiles the tests) holds them, and each `@ts-expect-error` fails it if the mistake
 * below it stops being one.
 */
export function typedOutbox(db: Kysely<Schema>): void {
  void recordChange(db, null, { type: 'project.member.added', projectId: 1, payload: { user_id: 2, access_level: 30, member_role_id: null } });
  // @ts-expect-error a declared event carries its declared payload
  void recordChange(db, null, { type: 'project.member.added', projectId: 1, payload: { user_id: 2 } });
  // @ts-expect-error a declared payload's fields have their declared types
  void recordChange(db, null, { type: 'project.created', projectId: 1, payload: { id: 1, path: 'p', visibility: 'secret' } });
  // @ts-expect-error a name in a domain that declared its events must be one of them
  void recordChange(db, null, { type: 'project.membr.added', projectId: 1, payload: { user_id: 2, access_level: 30 } });
  // A domain that has not declared its events yet records any object until it does.
  void recordChange(db, null, { type: 'undeclared.thing.happened', projectId: null, payload: { anything: true } });
}

describe('the event map', () => {
  it('holds the project events', () => {
    expect(Object.keys(EVENT_SCHEMAS)).toEqual(
      expect.arrayContaining(['project.created', 'project.updated', 'project.deleted', 'project.member.added', 'project.member.updated', 'project.member.removed']),
    );
  });
});
