import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '../shared/errors.ts';
import { OutboundRefusedError } from '../outbound/outbound-policy.ts';
import { OutboundRedirectError } from '../outbound/outbound-get.ts';

/** A server error (5xx, 429) that another try may not get. */
export class RetryableAnswer extends Error {
  override readonly name = 'RetryableAnswer';
}

export interface RetryPolicy {
  attempts: number;
  /** The first wait; each next one doubles. */
  baseDelayMs: number;
}

export const DEFAULT_RETRIES: RetryPolicy = { attempts: 5, baseDelayMs: 500 };

/**
 * Whether another try could succeed: server errors and broken connections, yes; a refusal
 * (an AppError: not found, gated, a checksum), the outbound policy or a bad redirect, no.
 */
export function isRetryable(error: unknown): boolean {
  return !isAppError(error) && !(error instanceof OutboundRefusedError) && !(error instanceof OutboundRedirectError);
}

/** Runs `attempt` until it succeeds, waiting baseDelay·2ⁿ between tries of a retryable failure. */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, shouldStop: () => boolean = () => false): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= policy.attempts || !isRetryable(error) || shouldStop()) throw error;
      await sleep(policy.baseDelayMs * 2 ** (tried - 1));
    }
  }
}
