import { Type, type Static } from 'typebox';
import { Closed } from '../../http/responses.ts';

export const SignInOptions = Closed(
  {
    password_sign_in: Type.Boolean({ description: 'false: people sign in only through a provider (MODELYARD_PASSWORD_SIGN_IN=false)' }),
    providers: Type.Array(
      Closed({
        id: Type.String(),
        label: Type.String({ description: 'The sign-in button’s text' }),
        sign_in_path: Type.String({ description: 'Open it in the browser to sign in; add ?return_to=/path to come back there' }),
      }),
    ),
  },
  { description: 'How people sign in here: with a password, and through which single sign-on providers' },
);
export type SignInOptions = Static<typeof SignInOptions>;

export const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 40 }) });
export const StartQuery = Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: true });
/** The provider's own parameters come back (code, state, iss, session_state, error…): all of them are passed on as they are. */
export const CallbackQuery = Type.Object({ state: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: true });

export const SignedOut = Closed(
  { end_session_url: Type.String({ description: "The provider's sign-out page: open it to end the session there too" }) },
  { description: 'Signed out here; the session came from a provider that has its own sign-out' },
);
export type SignedOut = Static<typeof SignedOut>;

const AccessLevelBelowOwner = Type.Union([Type.Literal(10), Type.Literal(20), Type.Literal(30), Type.Literal(40)], {
  description: '10 guest, 20 reporter, 30 developer, 40 maintainer (the owner role is given by a person)',
});

export const GroupLink = Closed(
  { id: Type.Integer(), provider: Type.String(), group_name: Type.String(), access_level: AccessLevelBelowOwner },
  { description: "Members of the provider's group get this role in the project at their next sign-in" },
);
export type GroupLink = Static<typeof GroupLink>;

export const GroupLinkBody = Closed({
  provider: Type.String({ minLength: 1, maxLength: 40 }),
  group_name: Type.String({ minLength: 1, maxLength: 255 }),
  access_level: AccessLevelBelowOwner,
});
export type GroupLinkBody = Static<typeof GroupLinkBody>;
