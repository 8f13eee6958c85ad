import { defineErrors, invalid, notFound, unauthenticated } from '../shared/errors.ts';
import { MIN_PASSWORD_LENGTH } from './passwords.ts';

/** The refusals of authentication and authorization, and of the users and tokens they rest on. */
export const AuthErrors = defineErrors('auth', {
  USERNAME_TAKEN: { kind: 'already_exists', message: 'username has already been taken' },
  LAST_ADMINISTRATOR: {
    kind: 'invalid',
    message: ({ change }: { change: 'demote' | 'block' }) =>
      change === 'demote' ? 'the last administrator cannot stop being one; make someone else administrator first' : 'the last active administrator cannot be blocked',
  },
  CSRF_FAILED: { kind: 'forbidden', message: '403 Forbidden: CSRF token missing or invalid' },
  /** A token used beyond its scopes; audited as `authorization.insufficient_scope`. */
  INSUFFICIENT_SCOPE: { kind: 'forbidden', message: 'insufficient_scope: the token does not grant this operation' },
  /** A kind of credential an ability does not reach; audited as `authorization.credential_not_allowed`. */
  CREDENTIAL_NOT_ALLOWED: {
    kind: 'forbidden',
    message: ({ credential }: { credential: string }) => `403 Forbidden: ${credential} cannot use this API`,
  },
  /** Pass `{ retryAfterSeconds }` as details: the answer's Retry-After. */
  TOO_MANY_SIGN_IN_ATTEMPTS: {
    kind: 'rate_limited',
    message: ({ seconds }: { seconds: number }) => `429 Too Many Requests: too many failed sign-in attempts, try again in ${seconds} seconds`,
  },
});

/*
 * Refusals under the generic codes (NOT_FOUND, INVALID_INPUT, UNAUTHENTICATED), worded once here
 * because more than one place answers them.
 */
export const tokenNotFound = () => notFound('404 Token');
export const userNotFound = () => notFound('404 User');
export const accountBlocked = () => unauthenticated('401 Unauthorized: the account is blocked');
export const passwordTooShort = () => invalid(`password is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)`);
export const invalidAccessLevel = () => invalid('access_level does not have a valid value: use 10, 20, 30, 40 or 50');
