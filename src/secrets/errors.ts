import { AppError } from '../shared/errors.ts';

/**
 * A stored secret that cannot be opened: its key is not in this server's keyring, or the value
 * was altered or moved to another row. That is the operator's problem, not the caller's, so it
 * is a 503; the message names the key id and the row, never the value.
 */
export function secretUnreadable(context: string, why: string): AppError {
  return new AppError('unavailable', 'SECRET_UNREADABLE', `503 Service Unavailable: the stored secret ${context} cannot be read: ${why}`);
}
