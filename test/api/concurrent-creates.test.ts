import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestApp, type TestApp } from '../support/app.ts';

/**
 * Requests that create the same name at the same moment: each checks "not taken yet" and
 * inserts, and the database's unique key decides. The loser is told what it would have been
 * told a moment later, 409, never 500 (on PostgreSQL the race is real: separate connections).
 */
describe('creating the same thing twice at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers one request 201 and every other 409, for users and for projects', async () => {
    for (let round = 0; round < 5; round++) {
      const users = await Promise.all(
        Array.from({ length: 4 }, () => t.call({ method: 'POST', url: '/api/v4/users', token: ADMIN_TOKEN, payload: { username: `twin-${round}`, password: 'a-long-enough-password' } })),
      );
      expect(users.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
      const projects = await Promise.all(
        Array.from({ length: 4 }, () => t.call({ method: 'POST', url: '/api/v4/projects', token: ADMIN_TOKEN, payload: { name: `twin-${round}`, path: `twin-${round}` } })),
      );
      expect(projects.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
    }
  });
});
