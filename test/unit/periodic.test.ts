import { describe, expect, it } from 'vitest';
import { Periodic } from '../../src/shared/periodic.ts';

/** Background rounds: never two at once, errors reported, and a stop that waits for the round in flight. */
describe('Periodic', () => {
  it('stops only once the round in flight has ended, so what it uses can be closed after', async () => {
    let finish!: () => void;
    const events: string[] = [];
    const periodic = new Periodic(
      () =>
        new Promise<void>((resolve) => {
          events.push('round started');
          finish = () => {
            events.push('round ended');
            resolve();
          };
        }),
      () => undefined,
    );
    const round = periodic.tick();
    const stopped = periodic.stop().then(() => events.push('stopped'));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['round started']);
    finish();
    await Promise.all([round, stopped]);
    expect(events).toEqual(['round started', 'round ended', 'stopped']);
  });

  it('never runs two rounds at once, and reports a failed round without throwing', async () => {
    let rounds = 0;
    const errors: unknown[] = [];
    const periodic = new Periodic(
      async () => {
        rounds++;
        await new Promise((r) => setTimeout(r, 10));
        throw new Error('boom');
      },
      (error) => errors.push(error),
    );
    await Promise.all([periodic.tick(), periodic.tick(), periodic.tick()]);
    expect(rounds).toBe(1);
    expect(errors).toHaveLength(1);
    await periodic.tick();
    expect(rounds).toBe(2);
    await periodic.stop();
  });
});
