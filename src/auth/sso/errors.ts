import { defineErrors } from '../../shared/errors.ts';

/** The refusals of single sign-on: each says what the person or the administrator can do. */
export const SsoErrors = defineErrors('sso', {
  PROVIDER_NOT_FOUND: { kind: 'not_found', message: ({ provider }: { provider: string }) => `404 Sign-in provider "${provider}" Not Found` },
  PROVIDER_UNAVAILABLE: {
    kind: 'unavailable',
    message: ({ provider }: { provider: string }) => `the sign-in provider "${provider}" cannot be reached; try again, or ask an administrator to check its issuer`,
  },
  STATE_MISMATCH: { kind: 'invalid', message: 'the sign-in did not start in this browser, or took longer than 10 minutes: start it again' },
  PROVIDER_REFUSED: { kind: 'unauthenticated', message: ({ reason }: { reason: string }) => `the sign-in provider refused: ${reason}` },
  ANSWER_NOT_VERIFIED: { kind: 'unauthenticated', message: ({ reason }: { reason: string }) => `the sign-in provider's answer did not verify: ${reason}` },
  NOT_IN_REQUIRED_GROUP: { kind: 'forbidden', message: 'your account at the sign-in provider is in none of the groups allowed to use Modelyard' },
  NO_USERNAME: {
    kind: 'forbidden',
    message: ({ claim }: { claim: string }) => `the sign-in provider sent no usable username (claim "${claim}": letters, digits, "_", "-" and ".")`,
  },
  USERNAME_TAKEN_BY_ANOTHER: {
    kind: 'already_exists',
    message: ({ username }: { username: string }) =>
      `an account named "${username}" already exists and is not linked to this sign-in; an administrator can link it (PUT /api/v4/users/:id with provider and extern_uid)`,
  },
  ACCOUNT_BLOCKED: { kind: 'forbidden', message: 'this account is blocked' },
  PASSWORD_SIGN_IN_DISABLED: { kind: 'forbidden', message: 'password sign-in is disabled on this instance: sign in through your organisation’s provider' },
  IDENTITY_TAKEN: { kind: 'already_exists', message: 'that provider account is already linked to another user' },
  IDENTITY_NEEDS_BOTH: { kind: 'invalid', message: 'provider and extern_uid go together' },
});
