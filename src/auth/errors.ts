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
  /**
   * A session cookie whose session ended (signed out elsewhere, blocked, a password change, its
   * week over). The answer also clears the cookie; on a public route (the web UI's pages) the
   * request goes on as anonymous, so that the browser lands on the sign-in page.
   */
  SESSION_ENDED: { kind: 'unauthenticated', message: '401 Unauthorized: the session has expired, sign in again' },
  CSRF_FAILED: { kind: 'forbidden', message: '403 Forbidden: CSRF token missing or invalid' },
  /** A token used beyond its scopes; audited as `authorization.insufficient_scope`. */
  INSUFFICIENT_SCOPE: { kind: 'forbidden', message: 'insufficient_scope: the token does not grant this operation' },
  /** A kind of credential an ability does not reach; audited as `authorization.credential_not_allowed`. */
  CREDENTIAL_NOT_ALLOWED: {
    kind: 'forbidden',
    message: ({ credential }: { credential: string }) => `403 Forbidden: ${credential} cannot use this API`,
  },
  /** `PUT /user/password` with a wrong current password; counted by the sign-in throttle like a wrong sign-in. */
  WRONG_CURRENT_PASSWORD: { kind: 'invalid', message: 'current_password is wrong' },
  /** An account that signs in only through single sign-on has no password to prove; an administrator can set one. */
  NO_PASSWORD_SET: { kind: 'invalid', message: 'this account has no password (it signs in through single sign-on); an administrator can set one' },
  SAME_PASSWORD: { kind: 'invalid', message: 'new_password must differ from the current password' },
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
