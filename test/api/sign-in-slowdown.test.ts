import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInThrottle, SIGN_IN_RULES } from '../../src/auth/sign-in-throttle.ts';
import { AppError, retryAfterSecondsOf } from '../../src/shared/errors.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The account-wide rule, on the database under test with a clock the test moves: many
 * addresses guessing one account are slowed to one attempt per 10 s once they have made 100,
 * never locked out for good, and every counter starts again when its window ends.
 */
let t: TestApp;
let clock = Date.UTC(2030, 0, 1);
let throttle: SignInThrottle;

beforeAll(async () => {
  t = await startTestApp();
  throttle = new SignInThrottle(t.services.database.db, SIGN_IN_RULES, () => clock);
});
afterAll(async () => t?.close());

async function refusal(login: string, address: string): Promise<number | null> {
  try {
    await throttle.reserve(login, address);
    return null;
  } catch (error) {
    if (!(error instanceof AppError) || error.kind !== 'rate_limited') throw error;
    return retryAfterSecondsOf(error);
  }
}

describe('sign-in throttle, account-wide', () => {
  it('slows many addresses guessing one account to one attempt per 10 seconds', async () => {
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < 10; i++) expect(await refusal('kim', `10.1.0.${a}`)).toBeNull();
    }
    // past the 100th, each attempt waits 10 s after the one before, from any address
    expect(await refusal('kim', '10.1.1.2')).toBe(10);
    clock += 4_000;
    expect(await refusal('kim', '10.1.1.3')).toBe(6);
    clock += 6_000;
    expect(await refusal('kim', '10.1.1.4')).toBeNull();
    expect(await refusal('kim', '10.1.1.5')).toBe(10);
    // other accounts are untouched
    expect(await refusal('lee', '10.1.1.5')).toBeNull();
  });

  it('starts every counter again when its 15-minute window ends', async () => {
    for (let i = 0; i < 10; i++) await refusal('max', '10.2.0.1');
    const locked = await refusal('max', '10.2.0.1');
    expect(locked).toBeGreaterThan(0);
    clock += locked! * 1000;
    expect(await refusal('max', '10.2.0.1')).toBeNull();
    clock += 16 * 60 * 1000;
    expect(await refusal('kim', '10.1.1.6')).toBeNull();
    expect(await refusal('kim', '10.1.1.6')).toBeNull();
  });

  it('gives the slots of a successful sign-in back', async () => {
    for (let i = 0; i < 9; i++) await refusal('ned', '10.3.0.1');
    const attempt = await throttle.reserve('ned', '10.3.0.1');
    await attempt.succeeded();
    for (let i = 0; i < 10; i++) expect(await refusal('ned', '10.3.0.1')).toBeNull();
    expect(await refusal('ned', '10.3.0.1')).toBeGreaterThan(0);
  });
});
